import sys,re
pid=sys.argv[1]
groups={}
cur=None
for line in open(f'/proc/{pid}/smaps'):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ',line):
        parts=line.split()
        name=parts[5] if len(parts)>5 else '[anon]'
        a,b=[int(x,16) for x in parts[0].split('-')]
        size=b-a
        if name.endswith('.aot') or name.endswith('.jsa'): g='archive'
        elif 'libjvm' in name: g='libjvm'
        elif 'rocksdb' in name: g='librocksdb'
        elif name=='[heap]': g='[heap] (malloc main arena)'
        elif name.startswith('/'): g='other files'
        elif name=='[anon]':
            g='anon<1M' if size<(1<<20) else ('anon 64M-arena?' if size<=(64<<20)+(1<<20) and size>=(60<<20) else 'anon>=1M')
        else: g=name
        cur=groups.setdefault(g,[0,0,0,0])
        cur[3]+=1
    elif line.startswith('Rss:'): cur[0]+=int(line.split()[1])
    elif line.startswith('Private_Dirty:'): cur[1]+=int(line.split()[1])
    elif line.startswith('Anonymous:'): cur[2]+=int(line.split()[1])
tot=sum(v[0] for v in groups.values())
for g,v in sorted(groups.items(),key=lambda kv:-kv[1][0]):
    if v[0]>=1024: print(f'  {g:32s} rss {v[0]//1024:5d} MiB  dirty {v[1]//1024:5d}  anon {v[2]//1024:5d}  maps {v[3]}')
print(f'  total rss {tot//1024} MiB')
