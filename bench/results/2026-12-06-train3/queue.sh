#!/usr/bin/env bash
cd /work/wt-train3
R=bench/results/2026-12-06-train3
while pgrep -f "ab.sh c3a" > /dev/null; do sleep 5; done
for v in new old; do /tmp/train3/ab.sh c3b $v --members 3 --load-generators go --rss-keys 0 --workloads put,range-l --rounds 2; done
{ echo "# $(date -u +%FT%TZ) $(uptime)"; echo "# ROUNDS=2 bench/start-cluster /tmp/train3/old/node-fat.jar /tmp/train3/new/node-fat.jar  (vetcd1 = old cache, vetcd2 = new)"
  ROUNDS=2 bench/start-cluster /tmp/train3/old/node-fat.jar /tmp/train3/new/node-fat.jar 2>&1; echo "# end $(date -u +%FT%TZ) $(uptime)"; } > $R/start-cluster.txt
for v in old new; do /tmp/train3/ab.sh c1a $v --members 1 --load-generators go --rss-keys 0 --workloads put --rounds 2; done
for v in old new; do /tmp/train3/ab.sh c3c $v --members 3 --load-generators go --rss-keys 0 --workloads put,range-l --rounds 2; done
echo done
