#!/usr/bin/env bash
# A local 3-member vetcd cluster on loopback, for trying things out and for tests.
#   deploy/local-cluster.sh start [DIR]   start n1..n3 (clients on 127.0.0.1:24101..3, peers on :24001..3)
#   deploy/local-cluster.sh status [DIR]  member list and endpoint status
#   deploy/local-cluster.sh stop [DIR]    stop the members this script started (by pid)
# Environment: VETCD_JAR (default target/node-fat.jar) or VETCD_CLASSPATH (run the Launcher from a class path),
#              BASE_CLIENT (24100), BASE_PEER (24000), SIZE (3), EXTRA_FLAGS, VETCD_JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-status}"
dir="${2:-${TMPDIR:-/tmp}/vetcd-local-cluster}"
jar="${VETCD_JAR:-$here/../target/node-fat.jar}"
size="${SIZE:-3}"
bc="${BASE_CLIENT:-24100}"
bp="${BASE_PEER:-24000}"
endpoints() { local e=""; for i in $(seq 1 "$size"); do e="$e${e:+,}127.0.0.1:$((bc + i))"; done; echo "$e"; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    ic=""
    for i in $(seq 1 "$size"); do ic="$ic${ic:+,}n$i=http://127.0.0.1:$((bp + i))"; done
    for i in $(seq 1 "$size"); do
      if [ -f "$dir/n$i.pid" ] && kill -0 "$(cat "$dir/n$i.pid")" 2>/dev/null; then echo "n$i already running"; continue; fi
      if [ -n "${VETCD_CLASSPATH:-}" ]; then launch=(-cp "$VETCD_CLASSPATH" io.vetcd.node.Launcher); else launch=(-jar "$jar"); fi
      # shellcheck disable=SC2086
      java ${VETCD_JAVA_OPTS:--Xmx512m} "${launch[@]}" --name "n$i" --data-dir "$dir/n$i" \
        --listen-client-urls "http://127.0.0.1:$((bc + i))" --advertise-client-urls "http://127.0.0.1:$((bc + i))" \
        --listen-peer-urls "http://127.0.0.1:$((bp + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((bp + i))" \
        --initial-cluster "$ic" --initial-cluster-token local-cluster ${EXTRA_FLAGS:-} > "$dir/n$i.log" 2>&1 &
      echo $! > "$dir/n$i.pid"
    done
    # ready when every member has printed its ready line (bounded wait)
    for _ in $(seq 1 120); do
      ready=0
      for i in $(seq 1 "$size"); do grep -q "ready to serve client requests" "$dir/n$i.log" 2>/dev/null && ready=$((ready + 1)); done
      [ "$ready" -eq "$size" ] && { echo "cluster ready: $(endpoints)"; exit 0; }
      sleep 0.5
    done
    echo "cluster did not become ready; logs in $dir" >&2; exit 1 ;;
  status)
    ETCDCTL_API=3 etcdctl --endpoints "$(endpoints)" member list -w table
    ETCDCTL_API=3 etcdctl --endpoints "$(endpoints)" endpoint status -w table ;;
  stop)
    for i in $(seq 1 "$size"); do
      f="$dir/n$i.pid"
      [ -f "$f" ] || continue
      pid="$(cat "$f")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$f"
    done ;;
  endpoints) endpoints ;;
  *) echo "usage: $0 start|status|stop|endpoints [DIR]" >&2; exit 2 ;;
esac
