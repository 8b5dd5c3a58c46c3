#!/bin/bash
# run.sh OUTDIR [extra compare args]: 3-member put compare with per-thread CPU samples and /metrics scrapes, timestamped.
set -u
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "${REPO:-/work/wt-peer3}"
uptime > "$out/uptime-start.txt"
python3 "$here/threadcpu.py" node-fat "$out/threads.jsonl" 1 900 & sampler=$!
(
  bench/compare --members 3 --load-generators go --rss-keys 0 --workloads put --rounds 2 --warm-seconds 90 --cold-puts 0 --out "$out/cmp" "$@" 2>&1 |
  while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done
) > "$out/compare-ts.txt" &
cmp=$!
# scrape /metrics of every started server every 2 s
(
  while kill -0 $cmp 2>/dev/null; do
    for p in $(grep -o 'started [a-z]* (pid[^)]*) at \[[^]]*\]' "$out/compare-ts.txt" 2>/dev/null | tail -2 | grep -o '127.0.0.1:[0-9]*'); do
      t=$(date +%s.%N)
      curl -s -m 1 "http://$p/metrics" | grep -E '^(etcd_disk_wal_fsync_duration_seconds_count|etcd_network_peer_sent_bytes_total|etcd_network_peer_received_bytes_total|etcd_server_proposals_committed_total|etcd_server_proposals_applied_total|vetcd_)' | sed "s|^|$t $p |" >> "$out/metrics.txt"
    done
    sleep 2
  done
) & scr=$!
wait $cmp
kill $sampler 2>/dev/null; wait $scr 2>/dev/null
uptime > "$out/uptime-end.txt"
cut -d' ' -f2- "$out/compare-ts.txt" > "$out/compare.txt"
