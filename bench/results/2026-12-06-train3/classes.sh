#!/usr/bin/env bash
# classes.sh VARIANT: 3 members of /tmp/train3/VARIANT/node-fat.jar with -Xlog:class+load, 5000 puts and
# 2000 linearizable ranges on all endpoints, then per member: classes loaded, and how many not from the cache
v=$1; W=$(mktemp -d); cd /work/wt-train3
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
ic=; declare -a C P pids
for i in 0 1 2; do C[$i]=$(port); P[$i]=$(port); ic="$ic${ic:+,}n$i=http://127.0.0.1:${P[$i]}"; done
for i in 0 1 2; do
  VETCD_JAR=/tmp/train3/$v/node-fat.jar VETCD_JAVA_OPTS="-Xlog:class+load=info:file=$W/cl$i.log" deploy/vetcd --name n$i --data-dir $W/d$i \
    --listen-client-urls http://127.0.0.1:${C[$i]} --advertise-client-urls http://127.0.0.1:${C[$i]} \
    --listen-peer-urls http://127.0.0.1:${P[$i]} --initial-advertise-peer-urls http://127.0.0.1:${P[$i]} --initial-cluster "$ic" > $W/log$i 2>&1 &
  pids[$i]=$!
done
for i in 0 1 2; do for t in $(seq 600); do curl -sf -m 2 -X POST http://127.0.0.1:${C[$i]}/v3/kv/range -d '{"key":"Zm9v"}' > /dev/null && break; sleep 0.1; done; done
eps=127.0.0.1:${C[0]},127.0.0.1:${C[1]},127.0.0.1:${C[2]}
/tmp/train3/clientv3load -endpoints $eps -workload put -total 5000 -max-seconds 60 > /dev/null
/tmp/train3/clientv3load -endpoints $eps -workload range-l -total 2000 -max-seconds 60 > /dev/null
for i in 0 1 2; do
  lead=$(etcdctl --endpoints 127.0.0.1:${C[$i]} endpoint status | awk -F', ' '{print $5}')
  tot=$(grep -c "source:" $W/cl$i.log); shared=$(grep -c "source: shared objects file" $W/cl$i.log)
  echo "$v member n$i leader=$lead: classes loaded $tot, from the cache $shared, not from it $((tot - shared))"
  grep "source:" $W/cl$i.log | grep -v "shared objects file" | grep -v "LambdaForm\|\$\$Lambda\|Proxy\|LambdaProxy" | awk '{print $2}' > $W/miss$i.txt
  echo "  not from the cache and not generated (lambda forms, lambdas, proxies): $(wc -l < $W/miss$i.txt); e.g. $(grep -c io.vetcd $W/miss$i.txt) io.vetcd: $(grep io.vetcd $W/miss$i.txt | head -8 | paste -sd' ')"
done
for p in "${pids[@]}"; do kill $p; done; wait; rm -rf $W
