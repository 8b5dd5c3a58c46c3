#!/usr/bin/env bash
# usage: one-client.sh vetcd|etcd tag [warm] [total]
# One member, one Go clientv3 client with one put in flight (256 B values): warm-up puts, then measured puts.
# Prints the client's p50/p99, the WAL fsyncs per put and their mean (etcd_disk_wal_fsync_duration_seconds
# from /metrics), and per thread the CPU and the voluntary context switches (wake-ups after sleeping) per put,
# from /proc/<pid>/task/*/status. JAR=... for another vetcd jar, JOPTS=... for JVM options.
# Run from the repository root. Needs bench/target/clientv3load (bench/compare builds it).
set -euo pipefail
kind=$1; tag=$2; warm=${3:-3000}; total=${4:-5000}
here="$(cd "$(dirname "$0")" && pwd)"
d=${TMPDIR:-/tmp}/one-client-$tag; rm -rf $d; mkdir -p $d
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
pport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
flags=(--name m1 --data-dir $d/data --listen-client-urls http://127.0.0.1:$port --advertise-client-urls http://127.0.0.1:$port --listen-peer-urls http://127.0.0.1:$pport --initial-advertise-peer-urls http://127.0.0.1:$pport --initial-cluster m1=http://127.0.0.1:$pport --snapshot-count 100000)
if [ $kind = vetcd ]; then
  VETCD_JAR=${JAR:-target/node-fat.jar} VETCD_JAVA_OPTS="${JOPTS:-}" deploy/vetcd "${flags[@]}" > $d/server.log 2>&1 &
else
  /usr/bin/etcd "${flags[@]}" > $d/server.log 2>&1 &
fi
pid=$!
for i in $(seq 1 150); do ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:$port get x >/dev/null 2>&1 && break; sleep 0.2; done
L=${CLIENTV3LOAD:-bench/target/clientv3load}
fsyncs() { curl -s http://127.0.0.1:$port/metrics | awk '/^etcd_disk_wal_fsync_duration_seconds_(sum|count)/{printf "%s ", $2}'; }
$L -endpoints 127.0.0.1:$port -workload put -conns 1 -clients 1 -total $warm -max-seconds 60 -key-space 100000 -val-size 256 > $d/warm.json
f0=$(fsyncs); python3 "$here"/thread-switches.py $pid > $d/t0.json
$L -endpoints 127.0.0.1:$port -workload put -conns 1 -clients 1 -total $total -max-seconds 60 -key-space 100000 -val-size 256 > $d/put.json
f1=$(fsyncs); python3 "$here"/thread-switches.py $pid > $d/t1.json
python3 - "$d/put.json" "$kind" "$tag" "$f0" "$f1" <<'PY'
import json,sys
r=json.loads(open(sys.argv[1]).readline())
s0,c0=map(float,sys.argv[4].split()); s1,c1=map(float,sys.argv[5].split())
n=c1-c0
print(f"{sys.argv[3]} {sys.argv[2]}: {r['ok']} puts, qps {r['qps']:.0f} p50 {r['p50_ms']} p99 {r['p99_ms']} ms, err {r['errors']}; "
      f"fsyncs/put {n/r['ok']:.2f}, fsync mean {(s1-s0)/max(n,1)*1000:.3f} ms")
PY
python3 "$here"/thread-switches.py diff $d/t0.json $d/t1.json $d/put.json
kill $pid; wait $pid 2>/dev/null || true
[ -n "${KEEP:-}" ] || rm -rf $d
