#!/usr/bin/env bash
# Context switches (all threads of all 3 members, from /proc/PID/task/*/status) per single-client put on the
# leader, after 80,000 puts of warm-up and 15,000 single-client ones:
#   KIND=etcd bench/results/2026-12-06-quiet/single-client-switches.sh
#   KIND=vetcd bench/results/2026-12-06-quiet/single-client-switches.sh     # through deploy/vetcd
# Members listen on 127.0.0.1:25001-25003 (peers) and :25101-25103 (clients); only they are stopped, by pid.
set -u
cd "$(dirname "$0")/../../.."
D=$(mktemp -d /tmp/cs.XXXXXX)
ic=""; for i in 1 2 3; do ic="$ic${ic:+,}n$i=http://127.0.0.1:$((25000+i))"; done
pids=()
for i in 1 2 3; do
  F="--name n$i --data-dir $D/n$i --listen-client-urls http://127.0.0.1:$((25100+i)) --advertise-client-urls http://127.0.0.1:$((25100+i)) --listen-peer-urls http://127.0.0.1:$((25000+i)) --initial-advertise-peer-urls http://127.0.0.1:$((25000+i)) --initial-cluster $ic"
  if [ $KIND = etcd ]; then etcd $F > $D/n$i.log 2>&1 & else deploy/vetcd $F > $D/n$i.log 2>&1 & fi
  pids+=($!)
done
trap 'kill ${pids[@]} 2>/dev/null; wait; rm -rf $D' EXIT
for _ in $(seq 1 120); do n=0; for i in 1 2 3; do grep -q -E "ready to serve|serving client" $D/n$i.log && n=$((n+1)); done; [ $n = 3 ] && break; sleep 0.5; done
EPS=127.0.0.1:25101,127.0.0.1:25102,127.0.0.1:25103
bench/target/clientv3load -endpoints $EPS -workload put -total 80000 -max-seconds 40 | sed 's/,"hist_us.*//' > /dev/null
L=$(etcdctl --endpoints $EPS endpoint status | awk -F', ' '$5=="true"{print $1}')
cs() { local t=0 p s; for p in ${pids[@]}; do for s in /proc/$p/task/*/status; do t=$((t + $(awk '/ctxt_switches/{s+=$2} END{print s}' $s 2>/dev/null || echo 0))); done; done; echo $t; }
bench/target/clientv3load -endpoints $L -conns 1 -clients 1 -workload put -total 15000 -max-seconds 20 > /dev/null
a=$(cs)
bench/target/clientv3load -endpoints $L -conns 1 -clients 1 -workload put -total 15000 -max-seconds 20 | sed 's/,"hist_us.*//'
b=$(cs)
echo "$KIND: context switches per put (3 members, all threads): $(( (b - a) / 15000 ))"
