#!/usr/bin/env bash
# final measurements, sequential; etcd and vetcd alternate inside each tool
set -u
cd /work/wt-rss18
O=bench/results/2026-12-05-rss18
OLD="-Xms128m -Xmn48m -Dvetcd.rocksdb.cache=128m"
echo "start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" > $O/RUN-LOG.txt
# 1. put throughput: new defaults, then the old settings, each against etcd in its own run
bench/compare --members 1 --load-generators go --rss-keys 0 --cold-puts 0 --workloads put --rounds 2 > $O/compare-put-after.txt 2>&1
cp bench/out/results.json $O/compare-put-after.json
bench/compare --members 1 --load-generators go --rss-keys 0 --cold-puts 0 --workloads put --rounds 2 --vetcd-java-opts "$OLD" > $O/compare-put-before.txt 2>&1
cp bench/out/results.json $O/compare-put-before.json
echo "compare done $(date -u +%T)" >> $O/RUN-LOG.txt
# 2. RSS at 100k keys and after a put load: etcd, vetcd (new defaults), vetcd-before (old settings), alternating
BEFORE_OPTS="$OLD" ROUNDS=2 SHAPES="100k 100k-puts" bench/mem-breakdown > $O/mem-breakdown.txt 2>&1
echo "mem-breakdown done $(date -u +%T)" >> $O/RUN-LOG.txt
# 3. 1M keys: RSS after the fill, then restart to the first answered get, 2 alternating rounds
KEYS=1000000 ROUNDS=2 bench/restart-rss > $O/restart-rss-1m.txt 2>&1
echo "restart-rss done $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $O/RUN-LOG.txt
