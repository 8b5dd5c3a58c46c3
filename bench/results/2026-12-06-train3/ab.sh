#!/usr/bin/env bash
# ab.sh TAG VARIANT ARGS...: one bench/compare run of /tmp/train3/VARIANT/node-fat.jar with the JIT sampler
cd /work/wt-train3
tag=$1 v=$2; shift 2
R=bench/results/2026-12-06-train3
o=$R/$tag-$v; mkdir -p /tmp/train3/work-$tag-$v
echo "# $(date -u +%FT%TZ) $(uptime)" > $o.txt
echo "# bench/compare (java -jar bench/target/vetcd-bench.jar compare) --vetcd-jar /tmp/train3/$v/node-fat.jar $*" >> $o.txt
python3 /tmp/train3/jitsample.py "/tmp/train3/$v/node-fat.jar" $o.jit 1500 &
s=$!
java -Xmx1g -jar bench/target/vetcd-bench.jar compare --etcd /usr/bin/etcd --vetcd-jar /tmp/train3/$v/node-fat.jar --work-dir /tmp/train3/work-$tag-$v --out /tmp/train3/work-$tag-$v/out "$@" 2>&1 \
  | while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N | cut -c1-12)" "$l"; done >> $o.txt
kill $s
echo "# end $(date -u +%FT%TZ) $(uptime)" >> $o.txt
rm -rf /tmp/train3/work-$tag-$v
