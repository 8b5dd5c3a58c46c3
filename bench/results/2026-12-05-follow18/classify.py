#!/usr/bin/env python3
# classify.py PRINTED_SAMPLES [start_epoch end_epoch]: Java samples by thread and by what they were doing
import re,sys,collections
txt=open(sys.argv[1]).read()
evs=txt.split('jdk.ExecutionSample {')[1:]
rules=[('peer write (RaftStreamWriter.drain)','RaftStreamWriter.drain'),
       ('peer read (stream decode)','RaftStreamReader'),
       ('peer POST/receive','RaftReceiver'),
       ('answers settle','Proposal.settle'),
       ('client grpc in','GrpcKeepalive.channelRead'),
       ('client grpc headers','SchemeInAuthorityFix'),
       ('core handle Ready','ServerCore.handle'),
       ('core step','ServerCore.step'),
       ('core other','ServerCore'),
       ('apply','ApplyLoop'),
      ]
by=collections.Counter(); tot=collections.Counter()
for e in evs:
    th=re.search(r'sampledThread = "([^"]*)"',e)
    th=re.sub(r'[-\d]+$','',th.group(1)) if th else '?'
    fr=re.findall(r'^\s+([\w.$]+(?:\$\$Lambda[^.]*)?\.[\w<>$]+)\(', e, re.M)
    s=' '.join(fr)
    cat='other'
    for name,pat in rules:
        if pat in s: cat=name; break
    by[(th,cat)]+=1; tot[th]+=1
for th,n in tot.most_common():
    print(f'{n:6d} {th}')
    for (t,c),m in sorted(by.items(), key=lambda kv:-kv[1]):
        if t==th and m>=3: print(f'      {m:6d} {c}')
