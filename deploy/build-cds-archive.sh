#!/usr/bin/env bash
# Builds the class-data archive that deploy/vetcd starts the member with: one training run of the
# jar started through deploy/vetcd itself (so the archive is recorded with the same heap, GC and
# VETCD_JAVA_OPTS it will be used with: a CDS archive or AOT cache recorded under other flags, e.g.
# another GC or compact object headers, is rejected or only partly used), a single member on a
# scratch data dir on 127.0.0.1 that answers a real load, then SIGTERM; the JVM writes the archive
# at exit.
#
#   deploy/build-cds-archive.sh [JAR]        # JAR.jsa for java on PATH and, when a Java 25+ runtime is
#                                            # under /usr/lib/jvm, JAR.aot for it (+ JAR.aot.java: its path,
#                                            # which deploy/vetcd then runs the member with)
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java deploy/build-cds-archive.sh   # only this runtime
#   TRAIN=small deploy/build-cds-archive.sh  # only the few JSON/etcdctl requests (seconds)
#
# Java 17+: -XX:ArchiveClassesAtExit (a dynamic AppCDS archive on top of the JDK's default one).
# Java 25+: an AOT cache instead (-XX:AOTCacheOutput, JEP 483/514/515: classes loaded and linked,
# plus the method profiles of the training run, so the JIT compiles the hot put path sooner).
# The training load (TRAIN=full, the default for Java 25+ when `go` and Debian's golang-etcd-server-dev
# are there; Java 17's archive holds classes only, for which TRAIN=small, its default, is as good):
# bench/clientv3load, i.e. etcd's own Go client over gRPC, first on the recording member alone (the
# sole member's paths: 20,000 puts, 5,000 txn-puts, 5,000 linearizable and 5,000 serializable ranges),
# then as one of 3 members (CLUSTER=1, the default with TRAIN=full): two members are added
# (`etcdctl member add`, started on Java 25 without a cache; they catch up from the recording member,
# a snapshot send), leadership moves away (`etcdctl move-leader`) and the same load runs on all 3
# endpoints (10,000 puts, 5,000 of each other kind) while the recording member is a follower
# (MsgApp in, forwarded proposals and read indexes out), then it moves back and the load runs again
# while it leads (MsgApp out, proposals and read indexes from the followers); then the JSON gateway
# and etcdctl requests (watch, lease, status) of TRAIN=small. Every step is bounded in time; a step
# that fails is reported and skipped, and the archive is still written at the member's exit.
# CLUSTER=0: the recording member stays alone (30,000 puts, 10,000 of each other kind: the training
# before 2026-12-06). Without Go the training is TRAIN=small.
# An archive only works with the same JVM build, the same JVM flags and the same jar (path and
# modification time): rebuild after every package. Only the process started here is stopped, by pid.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
jar="$(readlink -f "${1:-$here/../target/node-fat.jar}")"
feature() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}'; }
if [ -n "${JAVA:-}" ]; then
  runtimes=("$JAVA")
else # java on PATH, and the newest Java 25+ there is (its AOT cache beats Java 17's AppCDS; README, Start-up)
  runtimes=(java)
  newest= ; newest_feature=0
  for j in /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    f=$(feature "$j"); f=${f%%.*}
    if [ "${f:-0}" -ge 25 ] 2>/dev/null && [ "$f" -gt "$newest_feature" ]; then newest=$j; newest_feature=$f; fi
  done
  [ -n "$newest" ] && runtimes+=("$newest")
fi
work=$(mktemp -d)
pid=
others=() # the members added for the cluster part of the training (not recording)
stop_others() { local o; for o in "${others[@]}"; do kill "$o" 2>/dev/null || true; done; for o in "${others[@]}"; do wait "$o" 2>/dev/null || true; done; others=(); }
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; stop_others; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# the cluster part of a full training (in train_on's variables: java, jar, work, c, p, pid, load):
# two members join the recording one, which is then a follower, then the leader, under load on all
# three endpoints. Returns 1 at the first step that fails; the caller carries on either way.
train_cluster() {
  local ctl=(etcdctl --command-timeout 10s --endpoints "127.0.0.1:$c") ic="cds=http://127.0.0.1:$p" eps="127.0.0.1:$c"
  local n cn pn o id i
  for n in m1 m2; do
    cn=$(port); pn=$(port)
    "${ctl[@]}" member add "$n" --peer-urls "http://127.0.0.1:$pn" > /dev/null 2>> "$work/cluster.log" || { echo "build-cds-archive: member add $n failed" >&2; return 1; }
    ic="$ic,$n=http://127.0.0.1:$pn"
    JAVA="$java" VETCD_JAR="$jar" VETCD_JAVA_OPTS="${VETCD_JAVA_OPTS:-}" "$here/vetcd" \
      --name "$n" --data-dir "$work/$n" --initial-cluster-state existing --initial-cluster "$ic" \
      --listen-client-urls "http://127.0.0.1:$cn" --advertise-client-urls "http://127.0.0.1:$cn" \
      --listen-peer-urls "http://127.0.0.1:$pn" --initial-advertise-peer-urls "http://127.0.0.1:$pn" > "$work/$n.log" 2>&1 &
    o=$!; others+=("$o")
    serving "$cn" "$o" 120 || { echo "build-cds-archive: member $n did not serve; its log:" >&2; tail -5 "$work/$n.log" >&2; return 1; }
    eps="$eps,127.0.0.1:$cn"
  done
  # leader?: is the member at ENDPOINT the leader (etcdctl's simple status: "ep, id, version, size, leader, ...")
  leader() { [ "$(etcdctl --command-timeout 5s --endpoints "$1" endpoint status 2> /dev/null | awk -F', ' '{print $5}')" = true ]; }
  # move_to NAME: hands leadership to that member, waits up to 20 s until it leads
  move_to() {
    local id ep
    id=$(etcdctl --command-timeout 5s --endpoints "$eps" member list 2> /dev/null | awk -F', ' -v n="$1" '$3 == n {print $1}')
    ep=$(etcdctl --command-timeout 5s --endpoints "$eps" member list 2> /dev/null | awk -F', ' -v n="$1" '$3 == n {print $5}')
    [ -n "$id" ] && [ -n "$ep" ] || return 1
    leader "${ep#http://}" && return 0
    etcdctl --command-timeout 10s --endpoints "$eps" move-leader "$id" > /dev/null 2>> "$work/cluster.log" || return 1
    for i in $(seq 200); do leader "${ep#http://}" && return 0; sleep 0.1; done
    return 1
  }
  move_to m1 || { echo "build-cds-archive: move-leader to m1 failed" >&2; return 1; }
  drive "$eps" "put 10000" "txn-put 5000" "range-l 5000" "range-s 5000"  # the recording member follows
  move_to cds || { echo "build-cds-archive: move-leader back failed" >&2; return 1; }
  drive "$eps" "put 10000" "txn-put 5000" "range-l 5000" "range-s 5000"  # the recording member leads
}
# one training run of the member on runtime $1; writes the archive that runtime uses
train_on() {
java=$1
if [ "$(feature "$java" | cut -d. -f1)" -ge 25 ]; then
  out="${jar%.jar}.aot"; record="-XX:AOTCacheOutput=$out"; train="${TRAIN:-full}"
else
  out="${jar%.jar}.jsa"; record="-XX:ArchiveClassesAtExit=$out"; train="${TRAIN:-small}"
fi
rm -rf "$work/data"
load=
if [ "$train" = full ] && command -v go > /dev/null && [ -d /usr/share/gocode/src/go.etcd.io/etcd/clientv3 ]; then
  if [ -x "$work/clientv3load" ] || (cd "$here/.." && GO111MODULE=off GOPATH=/usr/share/gocode \
        GOCACHE="${GOCACHE:-$work/gocache}" go build -o "$work/clientv3load" ./bench/clientv3load) 2> "$work/go.log"; then
    load="$work/clientv3load"
  else
    echo "build-cds-archive: could not build bench/clientv3load, training with TRAIN=small" >&2; tail -3 "$work/go.log" >&2
  fi
fi
c=$(port); p=$(port)
rm -f "$out" "$out.java" # deploy/vetcd must not start the training run with the old archive
rm -rf "$work"/m1 "$work"/m2
JAVA="$java" VETCD_JAR="$jar" VETCD_JAVA_OPTS="$record ${VETCD_JAVA_OPTS:-}" "$here/vetcd" \
  --name cds --data-dir "$work/data" \
  --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
  --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
  --initial-cluster "cds=http://127.0.0.1:$p" > "$work/log" 2>&1 &
pid=$!
api() { curl -sf -m 5 -X POST "http://127.0.0.1:$c/v3/$1" -d "$2" > /dev/null || echo "build-cds-archive: $1 failed (training goes on)" >&2; }
# serving CLIENT_PORT PID SECONDS: until the member answers a linearizable range (it has a leader)
serving() {
  local deadline=$((SECONDS + $3))
  until curl -sf -m 2 -X POST "http://127.0.0.1:$1/v3/kv/range" -d '{"key":"Zm9v"}' > /dev/null; do
    if [ $SECONDS -gt $deadline ] || ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
}
if ! serving "$c" "$pid" 180; then
  echo "build-cds-archive: the training member did not serve; its log:" >&2; tail -20 "$work/log" >&2; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; return 1
fi
# drive ENDPOINTS "WORKLOAD COUNT"...: the hot gRPC paths, long enough for the JIT to profile them
drive() {
  local eps=$1 w; shift
  for w in "$@"; do
    set -- $w
    "$load" -endpoints "$eps" -workload "$1" -total "$2" -conns 10 -clients 100 -max-seconds 60 > /dev/null 2>&1 \
      || echo "build-cds-archive: $1 load on $eps failed (training goes on)" >&2
  done
}
cluster="${CLUSTER:-1}" shape=
if [ -n "$load" ] && [ "$cluster" = 1 ] && command -v etcdctl > /dev/null; then
  drive "127.0.0.1:$c" "put 20000" "txn-put 5000" "range-l 5000" "range-s 5000"
  if train_cluster; then shape=", 1 then 3 members"
  else shape=", 1 member, 3 members stopped early"; echo "build-cds-archive: the 3-member part of the training stopped early (the archive is still written)" >&2; fi
elif [ -n "$load" ]; then
  drive "127.0.0.1:$c" "put 30000" "txn-put 10000" "range-l 10000" "range-s 10000"
fi
# the request kinds a member answers in its first seconds (keys "foo..." base64); skipped when the
# member no longer answers (e.g. a member added above never came up and the cluster has no quorum:
# every request would only wait for its time-out)
if serving "$c" "$pid" 20; then
  for i in $(seq 10 60); do api kv/put "{\"key\":\"$(printf 'foo%s' "$i" | base64)\",\"value\":\"YmFy\"}"; done
  api kv/range '{"key":"Zm9v","range_end":"Zm9w"}'
  api kv/range '{"key":"Zm9v","range_end":"Zm9w","count_only":true}'
  api kv/range '{"key":"Zm9v","range_end":"Zm9w","keys_only":true,"serializable":true}'
  api kv/txn '{"compare":[{"key":"Zm9v","target":"VERSION","version":"0"}],"success":[{"request_put":{"key":"Zm9v","value":"YmFy"}}]}'
  api kv/deleterange '{"key":"Zm9vMQ=="}'
  api lease/grant '{"TTL":60}'
  api maintenance/status '{}'
  curl -sf -m 5 "http://127.0.0.1:$c/health" > /dev/null
  curl -sf -m 5 "http://127.0.0.1:$c/metrics" > /dev/null || true
  if command -v etcdctl > /dev/null; then # the gRPC side too, as etcd's own client speaks it
    etcdctl --endpoints "127.0.0.1:$c" put grpc-key v > /dev/null
    etcdctl --endpoints "127.0.0.1:$c" get grpc-key > /dev/null
    etcdctl --endpoints "127.0.0.1:$c" get --prefix grpc --keys-only > /dev/null
    etcdctl --endpoints "127.0.0.1:$c" endpoint status > /dev/null
    etcdctl --endpoints "127.0.0.1:$c" lease grant 60 > /dev/null
    timeout 2 etcdctl --endpoints "127.0.0.1:$c" watch grpc-key > /dev/null 2>&1 &
    sleep 0.5; etcdctl --endpoints "127.0.0.1:$c" put grpc-key v2 > /dev/null; wait $! 2>/dev/null || true
  fi
else
  echo "build-cds-archive: the training member no longer answers; the JSON/etcdctl requests are skipped" >&2
fi
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=
stop_others
if [ ! -s "$out" ]; then echo "build-cds-archive: no archive written by $java; see the training log:" >&2; tail -20 "$work/log" >&2; return 1; fi
case "$out" in *.aot) readlink -f "$(command -v "$java")" > "$out.java" ;; esac
echo "$out ($(du -h "$out" | cut -f1), $java, training: $([ -n "$load" ] && echo full || echo small)$shape)"
}
status=0
for j in "${runtimes[@]}"; do train_on "$j" || status=1; done
exit $status
