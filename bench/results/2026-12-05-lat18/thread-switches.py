# thread-switches.py PID > snapshot.json | thread-switches.py diff a.json b.json put.json
# Per thread (numbers stripped from names): CPU ticks and voluntary context switches, per request between snapshots.
import sys,os,json,re,collections
if sys.argv[1]!='diff':
    pid=sys.argv[1]; out={}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            st=open(f"/proc/{pid}/task/{t}/stat").read()
            name=st[st.index('(')+1:st.rindex(')')]
            f=st[st.rindex(')')+2:].split()
            vol=0
            for line in open(f"/proc/{pid}/task/{t}/status"):
                if line.startswith('voluntary_ctxt_switches'): vol=int(line.split()[1])
            out[t]=[name,int(f[11])+int(f[12]),vol]
        except Exception: pass
    print(json.dumps(out))
else:
    a=json.load(open(sys.argv[2])); b=json.load(open(sys.argv[3])); ok=json.loads(open(sys.argv[4]).readline())['ok']
    tck=os.sysconf('SC_CLK_TCK'); cpu=collections.Counter(); sw=collections.Counter()
    for t,(n,c,v) in b.items():
        c0,v0=(a[t][1],a[t][2]) if t in a else (0,0)
        key=re.sub(r'[-#:]?\d+$','',n)
        cpu[key]+=c-c0; sw[key]+=v-v0
    print("  wake-ups per put:", ", ".join(f"{k} {v/ok:.2f}" for k,v in sw.most_common(8) if v/ok>=0.01),
          f"(all threads {sum(sw.values())/ok:.2f})")
    print("  cpu ms per put:", ", ".join(f"{k} {v/tck/ok*1000:.3f}" for k,v in cpu.most_common(6) if v>0))
