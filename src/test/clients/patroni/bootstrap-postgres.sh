#!/usr/bin/env bash
# A real Patroni 3.0 (Debian's patroni) bootstraps a one-node PostgreSQL 15 cluster on the etcd at
# HOST:PORT through its etcd3 DCS, until it is "the leader with the lock" and PostgreSQL runs as
# primary; then it is stopped. Not part of CI (initdb and the first HA loops take 20-40 s per server on
# the shared 2 cores); run it against a real etcd and a vetcd member by hand:
#
#   bash src/test/clients/patroni/bootstrap-postgres.sh 127.0.0.1:2379 [WORKDIR]
#
# Needs the packages patroni and postgresql-15; as root it runs Patroni as the postgres user.
set -euo pipefail
endpoint=${1:?usage: bootstrap-postgres.sh HOST:PORT [WORKDIR]}
dir=${2:-$(mktemp -d /tmp/patroni-bootstrap.XXXXXX)}
port=${endpoint##*:}
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
mkdir -p "$dir"; chmod 700 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
cat > "$dir/patroni.yml" <<YML
scope: bootstrap$port
name: pg1
namespace: /service/
restapi:
  listen: 127.0.0.1:$((port + 100))
  connect_address: 127.0.0.1:$((port + 100))
etcd3:
  hosts: $endpoint
bootstrap:
  dcs: {ttl: 30, loop_wait: 2, retry_timeout: 10}
  initdb: [{encoding: UTF8}]
postgresql:
  listen: 127.0.0.1:$((port + 200))
  connect_address: 127.0.0.1:$((port + 200))
  data_dir: $dir/data
  bin_dir: /usr/lib/postgresql/15/bin
  authentication:
    superuser: {username: postgres, password: pw}
    replication: {username: repl, password: pw}
  parameters: {unix_socket_directories: '$dir'}
YML
[ "$(id -u)" = 0 ] && chown postgres "$dir/patroni.yml"
start=$(date +%s)
"${as[@]}" patroni "$dir/patroni.yml" >"$dir/patroni.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done' EXIT
ok=0
for _ in $(seq 600); do   # at most 120 s
  if grep -q "the leader with the lock" "$dir/patroni.log"; then ok=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if [ $ok = 0 ]; then
  echo "Patroni did not become leader in time; its log:"; cat "$dir/patroni.log"; exit 1
fi
echo "leader with the lock after $(( $(date +%s) - start )) s"
"${as[@]}" patronictl -c "$dir/patroni.yml" list
"${as[@]}" psql -h 127.0.0.1 -p $((port + 200)) -U postgres -Atc "select 'in recovery: ' || pg_is_in_recovery()" \
  <<<'' 2>&1 || true
