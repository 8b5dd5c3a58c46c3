#!/usr/bin/env bash
# before/after bench/compare runs, alternating jars: 1 member then 3 members; Temurin 25 without AOT cache for both
cd /work/wt-put18
export JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
R=bench/results/2026-12-05-put18; mkdir -p $R
for m in 1 3; do
  for j in ${JARS:-base new1}; do
    echo "== $j members=$m start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Xmx1g -jar bench/target/vetcd-bench.jar compare --etcd /usr/bin/etcd --vetcd-jar /tmp/put18/$j.jar \
      --members $m --load-generators go --rss-keys 0 --cold-puts 0 --workloads put --rounds ${ROUNDS:-3} --out /tmp/put18/out-$j-$m \
      > $R/compare-$j-${m}member.txt 2>&1
    echo "== $j members=$m end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
