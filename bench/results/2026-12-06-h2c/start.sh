#!/bin/bash
# $1 = v|e, ports base
set -e
cd /tmp/h2c
if [ "$1" = v ]; then
  B=23100; CMD="java -Xmx512m -jar /work/wt-h2c/target/node-fat.jar"; D=v1
else
  B=23200; CMD="/usr/bin/etcd"; D=e1
fi
nohup $CMD --name n1 --data-dir /tmp/h2c/$D \
  --listen-client-urls http://127.0.0.1:$((B+1)),https://127.0.0.1:$((B+2)) \
  --advertise-client-urls http://127.0.0.1:$((B+1)) \
  --listen-peer-urls http://127.0.0.1:$((B+3)) --initial-advertise-peer-urls http://127.0.0.1:$((B+3)) \
  --initial-cluster n1=http://127.0.0.1:$((B+3)) \
  --listen-metrics-urls http://127.0.0.1:$((B+4)),https://127.0.0.1:$((B+5)) \
  --auto-tls > /tmp/h2c/$1.log 2>&1 &
echo $! > /tmp/h2c/$1.pid
