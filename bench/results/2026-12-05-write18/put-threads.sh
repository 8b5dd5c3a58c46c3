#!/usr/bin/env bash
# usage: put-threads.sh vetcd|etcd tag [warm] [total]   -> CPU s/10k and QPS of put; JFR for vetcd
# One member, Go clientv3 put load (10 conns, 100 clients, 256 B values): warm-up puts, then measured puts;
# prints QPS and server CPU s/10k from /proc, per thread (threads.py). JFR=1 records a profile of vetcd.
# Run from the repository root: bench/results/2026-12-05-write18/put-threads.sh vetcd new 60000 100000
# (JAR=... for another vetcd jar; "etcd" instead of "vetcd" for /usr/bin/etcd). Needs bench/target/clientv3load.
set -euo pipefail
kind=$1; tag=$2; warm=${3:-30000}; total=${4:-40000}
d=${TMPDIR:-/tmp}/put-threads-$tag; rm -rf $d; mkdir -p $d
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
pport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
flags=(--name m1 --data-dir $d/data --listen-client-urls http://127.0.0.1:$port --advertise-client-urls http://127.0.0.1:$port --listen-peer-urls http://127.0.0.1:$pport --initial-advertise-peer-urls http://127.0.0.1:$pport --initial-cluster m1=http://127.0.0.1:$pport --snapshot-count 100000)
if [ $kind = vetcd ]; then
  VETCD_JAR=${JAR:-target/node-fat.jar} VETCD_JAVA_OPTS="${JOPTS:-}" deploy/vetcd "${flags[@]}" > $d/server.log 2>&1 &
else
  /usr/bin/etcd "${flags[@]}" > $d/server.log 2>&1 &
fi
pid=$!
for i in $(seq 1 100); do ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:$port get x >/dev/null 2>&1 && break; sleep 0.2; done
L=${CLIENTV3LOAD:-bench/target/clientv3load}
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
sys() { awk '{print $15}' /proc/$pid/stat; }
$L -endpoints 127.0.0.1:$port -workload put -conns 10 -clients 100 -total $warm -max-seconds 40 -key-space 100000 -val-size 256 > $d/warm.json
if [ $kind = vetcd ] && [ -n "${JFR:-}" ]; then jcmd $pid JFR.start name=p settings=profile ${JFR_OPTS:-} filename=$d/put.jfr >/dev/null; fi
c0=$(cpu); s0=$(sys); python3 "$(dirname "$0")"/threads.py $pid > $d/t0.json
$L -endpoints 127.0.0.1:$port -workload put -conns 10 -clients 100 -total $total -key-space 100000 -val-size 256 -max-seconds 40 > $d/put.json
c1=$(cpu); s1=$(sys); python3 "$(dirname "$0")"/threads.py $pid > $d/t1.json; python3 "$(dirname "$0")"/threads.py diff $d/t0.json $d/t1.json $d/put.json
if [ $kind = vetcd ] && [ -n "${JFR:-}" ]; then jcmd $pid JFR.stop name=p >/dev/null; fi
tck=$(getconf CLK_TCK)
python3 - "$d/put.json" "$c0" "$c1" "$tck" "$kind" "$tag" "$d/warm.json" "$s0" "$s1" <<'PY'
import json,sys
r=json.loads(open(sys.argv[1]).readline()); w=json.loads(open(sys.argv[7]).readline())
c=(int(sys.argv[3])-int(sys.argv[2]))/int(sys.argv[4])
print(f"{sys.argv[6]} {sys.argv[5]}: warm qps {w['qps']:.0f}  put qps {r['qps']:.0f} p50 {r['p50_ms']} p99 {r['p99_ms']} err {r['errors']} cpu/10k {c/r['ok']*10000:.3f} (sys {(int(sys.argv[9])-int(sys.argv[8]))/int(sys.argv[4])/r['ok']*10000:.3f})")
PY
kill $pid; wait $pid 2>/dev/null || true
[ -n "${KEEP:-}" ] || rm -rf $d
