#!/usr/bin/env bash
# Runs the real Apache Kafka broker (KRaft, single combined broker/controller) without Docker.
#   infra/kafka/kafka.sh fetch|up|down|status|reset
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (-Xms256m -Xmx512m),
#              LATCHKEY_DATA_DIR (<repo>/.data) — data, logs and the pid file live below it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
heap="${KAFKA_HEAP:--Xms256m -Xmx512m}"
data_root="${LATCHKEY_DATA_DIR:-$repo/.data}"
home="$data_root/kafka"
pidfile="$home/kafka.pid"
lib="$here/lib"

log() { echo "[kafka] $*"; }

fetch() {
  if [ -f "$lib/.fetched" ] && [ "$lib/.fetched" -nt "$here/pom.xml" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: install Maven (apt-get install maven)"; exit 1; }
  log "fetching broker jars from Maven Central"
  rm -rf "$lib"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
  touch "$lib/.fetched"
}

running() { [ -n "$(broker_pid)" ]; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

java_cmd() { # java_cmd CLASS ARGS... → the java command line in the array `cmd`
  local cls="$1"; shift
  # shellcheck disable=SC2206
  cmd=(java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:-UsePerfData -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$home/logs"
    -cp "$lib/*" "$cls" "$@")
}
java_main() { local cmd; java_cmd "$@"; "${cmd[@]}"; }

# The broker's pid: from the pid file, or found by its command line (a stale or lost pid file).
broker_pid() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then cat "$pidfile"; return 0; fi
  pgrep -f "kafka.Kafka $home/server.properties" | head -1
}

up() {
  fetch
  if running; then log "already running (pid $(broker_pid)) on 127.0.0.1:$port"; return 0; fi
  if answers; then log "something already listens on 127.0.0.1:$port; assuming it is Kafka"; return 0; fi
  mkdir -p "$home/logs"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$home/data#g" \
    "$here/server.properties.template" > "$home/server.properties"
  if [ ! -f "$home/data/meta.properties" ]; then
    log "formatting KRaft storage in $home/data"
    java_main kafka.tools.StorageTool format -t "$(java_main kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
      -c "$home/server.properties" > "$home/logs/format.log" 2>&1 \
      || { cat "$home/logs/format.log"; exit 1; }
  fi
  log "starting broker on 127.0.0.1:$port (heap: $heap)"
  local marker="$home/logs/.starting"; touch "$marker"; sleep 1 # log files written from now on are newer
  local cmd; java_cmd kafka.Kafka "$home/server.properties"
  # Own session: the broker outlives the shell, test runner or job that started it.
  setsid nohup "${cmd[@]}" > "$home/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 240); do
    # Ready: it answers, and a log file written since this start says the server started (the
    # log may roll over while a broker with many partitions loads them).
    if answers && find "$home/logs" -name 'server.log*' -newer "$marker" -exec grep -q "Kafka Server started" {} \; -print 2>/dev/null | grep -q .; then
      log "ready on 127.0.0.1:$port"; return 0
    fi
    running || { log "broker exited; last lines of its log:"; tail -30 "$home/logs/stdout.log" "$home/logs/server.log" 2>/dev/null; exit 1; }
    sleep 0.5
  done
  log "broker did not answer within 120 s"; tail -30 "$home/logs/server.log" 2>/dev/null; exit 1
}

down() {
  local pid; pid="$(broker_pid)"
  if [ -z "$pid" ]; then
    rm -f "$pidfile"
    if answers; then log "127.0.0.1:$port answers, but not a broker started from $home: not stopping it"; return 1; fi
    log "not running"; return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pidfile"; log "stopped"; return 0; fi
    sleep 0.25
  done
  log "did not stop in 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

status() {
  if running && answers; then log "running (pid $(broker_pid)) on 127.0.0.1:$port"; return 0; fi
  if answers; then log "answering on 127.0.0.1:$port (not started by this script)"; return 0; fi
  log "not running"; return 3
}

case "${1:-}" in
  fetch) fetch ;;
  up) up ;;
  down) down ;;
  status) status ;;
  reset) down; rm -rf "$home"; log "data removed" ;;
  *) echo "usage: $0 fetch|up|down|status|reset" >&2; exit 2 ;;
esac
