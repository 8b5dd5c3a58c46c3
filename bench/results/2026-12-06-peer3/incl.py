import re,sys,collections
txt=open(sys.argv[1]).read(); want=sys.argv[2]; excl=sys.argv[3:] 
evs=txt.split('jdk.ExecutionSample {')[1:]
inc=collections.Counter(); leaf=collections.Counter(); n=0
for e in evs:
    th=re.search(r'sampledThread = "([^"]*)"',e)
    if not th or want not in th.group(1): continue
    fr=re.findall(r'^\s+([\w.$/]+(?:\$\$Lambda[^.]*)?\.[\w<>$]+)\(', e, re.M)
    s=' '.join(fr)
    if any(x in s for x in excl): continue
    n+=1
    if fr: leaf[fr[0]]+=1
    for f in set(fr): inc[f]+=1
print('samples',n)
for f,c in inc.most_common(45): print(f'{c:5d} {f}')
print('--- leaf')
for f,c in leaf.most_common(20): print(f'{c:5d} {f}')
