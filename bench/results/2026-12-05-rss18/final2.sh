#!/usr/bin/env bash
set -u
cd /work/wt-rss18
O=bench/results/2026-12-05-rss18
OLD="-Xms128m -Xmn48m -Dvetcd.rocksdb.cache=128m"
echo "final2 start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $O/RUN-LOG.txt
BEFORE_OPTS="$OLD" ROUNDS=1 SHAPES="100k 100k-puts" bench/mem-breakdown > $O/mem-breakdown-before-after.txt 2>&1
echo "mem-breakdown before/after done $(date -u +%T)" >> $O/RUN-LOG.txt
bench/compare --members 1 --load-generators go --rss-keys 0 --cold-puts 0 --workloads put --rounds 2 --vetcd-java-opts "$OLD" > $O/compare-put-before-2.txt 2>&1
bench/compare --members 1 --load-generators go --rss-keys 0 --cold-puts 0 --workloads put --rounds 2 > $O/compare-put-after-2.txt 2>&1
echo "final2 done $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $O/RUN-LOG.txt
