#!/usr/bin/env bash
# start-rss.sh LAUNCHER tag -> ms from spawn to first answered get, RSS after 20,000 puts (run from the repository root;
# LAUNCHER: deploy/vetcd or a copy of an older one, e.g. git show 030da5b:deploy/vetcd > /tmp/vetcd.old)
set -euo pipefail
L=$1; tag=$2; d=${TMPDIR:-/tmp}/start-$tag; rm -rf $d; mkdir -p $d
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
pport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
t0=$(date +%s%N)
VETCD_JAR=${JAR:-target/node-fat.jar} $L --name m1 --data-dir $d/data --listen-client-urls http://127.0.0.1:$port --advertise-client-urls http://127.0.0.1:$port --listen-peer-urls http://127.0.0.1:$pport --initial-advertise-peer-urls http://127.0.0.1:$pport --initial-cluster m1=http://127.0.0.1:$pport > $d/log 2>&1 &
pid=$!
for i in $(seq 1 600); do ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:$port get x >/dev/null 2>&1 && break; sleep 0.05; done
t1=$(date +%s%N)
bench/target/clientv3load -endpoints 127.0.0.1:$port -workload put -conns 10 -clients 100 -total 20000 -max-seconds 30 > $d/put.json
echo "$tag: start $(( (t1-t0)/1000000 )) ms; RSS after 20k puts $(awk '/VmRSS/{print int($2/1024)}' /proc/$pid/status) MiB; $(head -c 120 $d/put.json)"
kill $pid; wait $pid 2>/dev/null || true; rm -rf $d
