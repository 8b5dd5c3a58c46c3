#!/usr/bin/env bash
# one start: env in $ENVS, logs to $OUT; prints start ms, CPU; then optional puts (PUTS=n, batches of 20000)
cd /work/wt-cold18
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/t}' "/proc/$1/stat"; }
d=$(mktemp -d /tmp/cold18/run.XXXX); c=$(port); p=$(port)
t0=$(date +%s%N)
eval "exec env $ENVS ${CMD:-deploy/vetcd}" --name s --data-dir "$d/data" --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
  --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" --initial-cluster "s=http://127.0.0.1:$p" > "${OUT:-$d/log}" 2>&1 &
pid=$!
until etcdctl --endpoints "127.0.0.1:$c" --dial-timeout 300ms --command-timeout 1s get foo > /dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo died; tail -5 "${OUT:-$d/log}"; break; }; sleep 0.01; done
ms=$(( ($(date +%s%N) - t0) / 1000000 )); echo "start $ms ms CPU $(cpu $pid)"
[ -n "${THREADS:-}" ] && /tmp/cold18/threads.sh $pid
for b in $(seq ${BATCHES:-0}); do
  before=$(cpu $pid)
  r=$(/tmp/cold18/clientv3load -endpoints "127.0.0.1:$c" -workload put -total 20000 -conns 10 -clients 100 -max-seconds 300 | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.0f QPS p99 %s" % (r["qps"], r.get("p99_ms", r.get("p99","?"))))')
  echo "batch $b: $r, CPU-s/10k $(python3 -c "print(f'{($(cpu $pid) - $before) / 2:.2f}')")"
  [ -n "${THREADS:-}" ] && /tmp/cold18/threads.sh $pid
done
kill $pid; wait $pid 2>/dev/null; rm -rf "$d"
