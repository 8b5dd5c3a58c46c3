#!/usr/bin/env bash
# vetcd under faults (issue 7). Runs the FaultSoakTest harness from Maven.
#   deploy/faults.sh ci                           the CI mode: 3 members, 2 minutes (also part of mvn -B package)
#   deploy/faults.sh soak [MINUTES] [MEMBERS] [SEED]   e.g. deploy/faults.sh soak 30 5
#   deploy/faults.sh recheck FILE                 re-check a history.jsonl a failing run wrote
# Extra Maven/system properties can be passed in MVN_ARGS, e.g.
#   MVN_ARGS="-Dvetcd.faults.faults=PAUSE_LEADER -Dvetcd.faults.clients=12" deploy/faults.sh soak 10
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-ci}"
case "$mode" in
  ci)
    # shellcheck disable=SC2086
    mvn -B test -Dtest=FaultSoakTest ${MVN_ARGS:-} ;;
  soak)
    seed_arg=()
    [ -n "${4:-}" ] && seed_arg=(-Dvetcd.faults.seed="$4")
    # shellcheck disable=SC2086
    # 5 JVMs starting at once on a loaded machine can need more than the default 120 s to become ready
    mvn -B test -Dtest=FaultSoakTest -Dvetcd.faults.minutes="${2:-30}" -Dvetcd.faults.members="${3:-5}" \
      -Dvetcd.faults.readySeconds=300 "${seed_arg[@]}" -Dvetcd.faults.keep=true ${MVN_ARGS:-} ;;
  recheck)
    [ -n "${2:-}" ] || { echo "usage: $0 recheck FILE" >&2; exit 2; }
    # shellcheck disable=SC2086
    mvn -B test -Dtest=RecheckHistoryTest -Dvetcd.faults.history="$(realpath "$2")" ${MVN_ARGS:-} ;;
  *) echo "usage: $0 ci|soak [MINUTES] [MEMBERS] [SEED]|recheck FILE" >&2; exit 2 ;;
esac
