import sys,os,json,re,collections
if sys.argv[1]!='diff':
    pid=sys.argv[1]; out={}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            st=open(f"/proc/{pid}/task/{t}/stat").read()
            name=st[st.index('(')+1:st.rindex(')')]
            f=st[st.rindex(')')+2:].split()
            out[t]=[name,int(f[11]),int(f[12])]
        except Exception: pass
    print(json.dumps(out))
else:
    a=json.load(open(sys.argv[2])); b=json.load(open(sys.argv[3])); ok=json.loads(open(sys.argv[4]).readline())['ok']
    tck=os.sysconf('SC_CLK_TCK'); g=collections.Counter()
    for t,(n,u,s) in b.items():
        u0,s0=(a[t][1],a[t][2]) if t in a else (0,0)
        key=re.sub(r'[-#:]?\d+$','',n)
        g[key]+= (u-u0+s-s0)
    tot=sum(g.values())
    print("  threads cpu s/10k:", ", ".join(f"{k} {v/tck/ok*10000:.3f}" for k,v in g.most_common(8) if v>0))
