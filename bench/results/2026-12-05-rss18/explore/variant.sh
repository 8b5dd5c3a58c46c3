#!/usr/bin/env bash
# usage: variant.sh LABEL KEYS "VETCD_JAVA_OPTS" [env...]  -> one vetcd, fill, RSS + smaps groups
set -uo pipefail
R=/work/wt-rss18; label=$1; keys=$2; opts=$3; shift 3
W=/tmp/rss18/w-$label; rm -rf $W; mkdir -p $W
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
c=$(port); p=$(port)
env "$@" VETCD_JAR=${JAR:-$R/target/node-fat.jar} VETCD_JAVA_OPTS="$opts" $R/deploy/vetcd --name s --data-dir $W/data --listen-client-urls http://127.0.0.1:$c --advertise-client-urls http://127.0.0.1:$c \
   --listen-peer-urls http://127.0.0.1:$p --initial-advertise-peer-urls http://127.0.0.1:$p --initial-cluster s=http://127.0.0.1:$p --snapshot-count 100000 > $W/log 2>&1 &
pid=$!
until etcdctl --endpoints 127.0.0.1:$c --dial-timeout 300ms --command-timeout 1s get foo >/dev/null 2>&1; do kill -0 $pid 2>/dev/null || { echo died; tail $W/log; exit 1; }; sleep 0.05; done
t0=$(date +%s)
java -jar $R/bench/target/vetcd-bench.jar fill --endpoints 127.0.0.1:$c --keys $keys --val-size 256 --quiet --max-seconds 1200 >/dev/null
secs=$(( $(date +%s) - t0 )); sleep 10
echo "== $label keys=$keys opts='$opts' env='$*' fill ${secs}s load $(cut -d' ' -f1 /proc/loadavg) RSS $(awk '/VmRSS/{print int($2/1024)}' /proc/$pid/status) MiB"
python3 /tmp/rss18/smaps.py $pid
curl -s http://127.0.0.1:$c/metrics | grep -E '^vetcd_rocksdb|^jvm_memory_bytes_used' | head -20
jc=$(dirname $(readlink -f /proc/$pid/exe))/jcmd
$jc $pid GC.heap_info 2>/dev/null | grep -v "^$pid"
if echo "$opts" | grep -q NativeMemoryTracking; then $jc $pid VM.native_memory summary | grep -E "^-|committed" | grep -E "^-" ; fi
grep -c "Pause Full" $W/gc.log 2>/dev/null
kill $pid; wait $pid 2>/dev/null
rm -rf $W/data
