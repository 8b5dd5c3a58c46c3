#!/usr/bin/env bash
# alternate jars: ab.sh rounds jar1 jar2 ... ; one member, 100k warm + 100k measured Go-client puts each
cd /work/wt-put18
rounds=$1; shift
for r in $(seq 1 $rounds); do
  for j in "$@"; do
    tag=$(basename $j .jar)
    if [ $j = etcd ]; then kind=etcd; else kind=vetcd; fi
    echo "round $r $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java JAR=$j CLIENTV3LOAD=/tmp/put18/clientv3load TMPDIR=/tmp/put18 bash bench/results/2026-12-05-write18/put-threads.sh $kind $tag-$r ${WARM:-100000} ${TOTAL:-100000} 2>&1 | tail -2
  done
done
