#!/usr/bin/env bash
# Builds the class-data-sharing archive that deploy/vetcd starts the member with: one training run
# of target/node-fat.jar (start a single member on a scratch data dir on 127.0.0.1, answer a few
# puts, ranges, a txn, a watch and a lease through the JSON gateway, stop it with SIGTERM), during
# which the JVM records every class it loaded and dumps them at exit.
#
#   deploy/build-cds-archive.sh [JAR]        # -> JAR with .jsa instead of .jar (target/node-fat.jsa)
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java deploy/build-cds-archive.sh   # another runtime
#
# Java 17+: -XX:ArchiveClassesAtExit (a dynamic AppCDS archive on top of the JDK's default one).
# Java 25+: an AOT cache instead (-XX:AOTCacheOutput, JEP 483/514: classes loaded and linked,
# plus method profiles), written to target/node-fat.aot. An archive only works with the same
# JVM build and the same jar (path and modification time): rebuild after every package.
# Only the process started here is stopped, by its pid.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
jar="$(readlink -f "${1:-$here/../target/node-fat.jar}")"
java="${JAVA:-java}"
feature=$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
if [ "${feature%%.*}" -ge 25 ]; then
  out="${jar%.jar}.aot"; record=(-XX:AOTCacheOutput="$out")
else
  out="${jar%.jar}.jsa"; record=(-XX:ArchiveClassesAtExit="$out")
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
c=$(port); p=$(port)
rm -f "$out"
"$java" "${record[@]}" -jar "$jar" --name cds --data-dir "$work/data" \
  --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
  --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
  --initial-cluster "cds=http://127.0.0.1:$p" > "$work/log" 2>&1 &
pid=$!
api() { curl -sf -m 5 -X POST "http://127.0.0.1:$c/v3/$1" -d "$2" > /dev/null || echo "build-cds-archive: $1 failed (training goes on)" >&2; }
deadline=$((SECONDS + 180))
until curl -sf -m 2 -X POST "http://127.0.0.1:$c/v3/kv/range" -d '{"key":"Zm9v"}' > /dev/null; do
  if [ $SECONDS -gt $deadline ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "build-cds-archive: the training member did not serve; its log:" >&2; tail -20 "$work/log" >&2; exit 1
  fi
  sleep 0.1
done
# the request kinds a member answers in its first seconds (keys "foo..." base64)
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
  timeout 2 etcdctl --endpoints "127.0.0.1:$c" watch grpc-key > /dev/null 2>&1 &
  sleep 0.5; etcdctl --endpoints "127.0.0.1:$c" put grpc-key v2 > /dev/null; wait $! 2>/dev/null || true
fi
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=
if [ ! -s "$out" ]; then echo "build-cds-archive: no archive written; see the training log:" >&2; tail -20 "$work/log" >&2; exit 1; fi
echo "$out ($(du -h "$out" | cut -f1))"
