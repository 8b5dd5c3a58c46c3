#!/usr/bin/env bash
# The 3-member single-client put's tail, by hand: 3 vetcd members through deploy/vetcd (young collections
# logged), 80,000 puts of warm-up with bench/target/clientv3load, then twice 15,000 puts from one client on one
# connection to the leader, each with the number of young collections per member during it.
#   bench/results/2026-12-06-quiet/single-client-p99.sh            # as deploy/vetcd starts members
#   OPTS=-Xmn96m bench/results/2026-12-06-quiet/single-client-p99.sh   # extra JVM options (last wins)
#   JFR=1 KEEP=1 ...                                                # + a JFR recording per member, kept in the printed dir
# Members listen on 127.0.0.1:25001-25003 (peers) and :25101-25103 (clients); only they are stopped, by pid.
set -u
cd "$(dirname "$0")/../../.."
D=$(mktemp -d /tmp/single-client-p99.XXXXXX); echo "data and logs: $D"
ic=""; for i in 1 2 3; do ic="$ic${ic:+,}n$i=http://127.0.0.1:$((25000+i))"; done
pids=()
for i in 1 2 3; do
  VETCD_JAVA_OPTS="${OPTS:-} -Xlog:gc:file=$D/n$i-gc.log:uptime ${JFR:+-XX:StartFlightRecording=filename=$D/n$i.jfr,settings=profile}" deploy/vetcd --name n$i --data-dir $D/n$i \
    --listen-client-urls http://127.0.0.1:$((25100+i)) --advertise-client-urls http://127.0.0.1:$((25100+i)) \
    --listen-peer-urls http://127.0.0.1:$((25000+i)) --initial-advertise-peer-urls http://127.0.0.1:$((25000+i)) \
    --initial-cluster $ic > $D/n$i.log 2>&1 &
  pids+=($!)
done
trap 'kill ${pids[@]} 2>/dev/null; wait; [ -n "${KEEP:-}" ] || rm -rf "$D"' EXIT
for _ in $(seq 1 120); do n=0; for i in 1 2 3; do grep -q "ready to serve" $D/n$i.log && n=$((n+1)); done; [ $n = 3 ] && break; sleep 0.5; done
EPS=127.0.0.1:25101,127.0.0.1:25102,127.0.0.1:25103
bench/target/clientv3load -endpoints $EPS -workload put -total 80000 -max-seconds 40 | sed 's/,"hist_us.*//'
L=$(etcdctl --endpoints $EPS endpoint status | awk -F', ' '$5=="true"{print $1}')
echo "leader $L"
for r in 1 2; do
  for i in 1 2 3; do grep -c Pause $D/n$i-gc.log; done > $D/gc-before
  bench/target/clientv3load -endpoints $L -conns 1 -clients 1 -workload put -total 15000 -max-seconds 20 | sed 's/,"hist_us.*//'
  for i in 1 2 3; do grep -c Pause $D/n$i-gc.log; done | paste - $D/gc-before | awk '{printf "gc+%d ", $1-$2} END {print ""}'
done
