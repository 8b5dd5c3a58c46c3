import sys,re,collections,subprocess
f=sys.argv[1]
out=subprocess.run(['jfr','print','--events','jdk.ExecutionSample','--stack-depth','128',f],capture_output=True,text=True).stdout
cats=collections.Counter(); threads=collections.Counter()
for ev in out.split('jdk.ExecutionSample {')[1:]:
    m=re.search(r'sampledThread = "([^"]*)"',ev)
    if not m: continue
    th=m.group(1)
    frames=[re.sub(r'\(.*','',l.strip()) for l in ev.split('stackTrace = [')[1].split('\n') if 'line:' in l]
    s=' '.join(frames)
    if 'eventloop' in th:
        if 'Proposal.settle' in s or 'GoGrpcResponse' in s or 'Answers.lambda' in s: c='el: answers (settle, gRPC headers/data/trailers)'
        elif 'onHeadersRead' in s: c='el: request HEADERS (HPACK, stream + call set-up, vetcd request side)'
        elif 'onDataRead' in s: c='el: request DATA (gRPC deframe, protobuf, vetcd request side)'
        elif '.flush' in s: c='el: flushes (HTTP/2 frames to the socket)'
        else: c='el: other (epoll, task queues, reads)'
    elif 'apply' in th: c='apply thread'
    elif 'core' in th: c='core thread'
    else: c='other: '+th
    cats[c]+=1
n=sum(cats.values())
for k,v in sorted(cats.items(), key=lambda x:-x[1]): print(f'{v:6d} {100*v/n:5.1f}% {k}')
