#!/usr/bin/env bash
# ROUNDS x variants (label=ENVS), each: start + BATCHES x 20k puts; one compact line per run
cd /tmp
for r in $(seq ${ROUNDS:-1}); do
  for v in "$@"; do
    label=${v%%=*}; envs=${v#*=}
    out=$( [ "$label" = etcd ] && export CMD=/usr/bin/etcd; ENVS="$envs" THREADS=1 BATCHES=${BATCHES:-1} /tmp/cold18/one.sh 2>&1)
    s=$(echo "$out" | grep '^start'); b=$(echo "$out" | grep '^batch' | sed 's/ p99 [0-9.]*//' | tr '\n' ' ')
    c2=$(echo "$out" | grep 'C2 Compiler' | awk '{print $NF}' | tr '\n' '/'); c1=$(echo "$out" | grep 'C1 Compiler' | awk '{print $NF}' | tr '\n' '/')
    el=$(echo "$out" | grep 'vert.x-eventloo' | awk '{print $NF}' | tr '\n' '/')
    echo "$(date -u +%H:%M) r$r $label | $s | $b| C2 $c2 C1 $c1 EL $el | load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
