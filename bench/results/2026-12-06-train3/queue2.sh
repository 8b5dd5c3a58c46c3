#!/usr/bin/env bash
cd /work/wt-train3
R=bench/results/2026-12-06-train3
while pgrep -f "train3/queue.sh" > /dev/null; do sleep 3; done
for v in new old; do /tmp/train3/ab.sh c3d $v --members 3 --load-generators go --rss-keys 0 --workloads put,range-l --rounds 2; done
{ echo "# $(date -u +%FT%TZ) $(uptime)"; echo "# ROUNDS=3 bench/start-cluster /tmp/train3/new/node-fat.jar /tmp/train3/old/node-fat.jar  (vetcd1 = NEW cache, vetcd2 = old)"
  ROUNDS=3 bench/start-cluster /tmp/train3/new/node-fat.jar /tmp/train3/old/node-fat.jar 2>&1; echo "# end $(date -u +%FT%TZ) $(uptime)"; } > $R/start-cluster-2.txt
echo done2
