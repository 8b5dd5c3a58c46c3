#!/usr/bin/env bash
# BIN_DIR/etcd for etcd's e2e suite (../shared/e2e): runs vetcd with etcd's flags.
# exec, so the harness's SIGKILL hits the JVM itself.
# Install: ../shared/e2e/make-bindir.sh /tmp/bin-vetcd --etcd deploy/etcd-e2e-wrapper.sh
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
jar="${VETCD_JAR:-$here/../target/node-fat.jar}"
# Many short-lived members: favour start-up time over peak throughput.
opts="${VETCD_JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k}"
# The class-data archive deploy/build-cds-archive.sh builds next to the jar (JAR.jsa), when it is newer
# than the jar: start to the first answered get costs 1.6 s of CPU instead of 2.6 s with these flags
# (measured 2026-12-05, see README). Without one the member starts the same, only slower.
archive="${jar%.jar}.jsa"
if [ -z "${VETCD_JAVA_OPTS:-}" ] && [ -f "$archive" ] && [ "$archive" -nt "$jar" ]; then
  opts="$opts -XX:SharedArchiveFile=$archive -Xshare:auto"
fi
# A harness started in the background inherits SIGINT ignored, and a JVM cannot un-ignore it
# (etcd's Go runtime does); reset it so the suite's SIGINT restarts work wherever it runs.
# shellcheck disable=SC2086
exec env --default-signal=INT java $opts -jar "$jar" "$@"
