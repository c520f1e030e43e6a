#!/usr/bin/env bash
# What encryption at rest costs: intake (tickets/s) and downloads (MB/s) of this tree
# against a build from before encryption (BASE_REV, by default the last commit without
# it), same machine, same run, interleaved, on PostgreSQL, release builds.
#
#   bash bench/encryption.sh                      # 3 rounds, 16 clients, 15 s each
#   ROUNDS=5 CLIENTS=32 DURATION=20 bash bench/encryption.sh
#   SEALED_BIN=/path/to/certdesk bash bench/encryption.sh   # a build made earlier
#
# Each round starts both builds on fresh databases in turn: wrk files 15.2 renewal
# tickets with four attachments (bench/files.py, ~0.6 MB of noise) for DURATION seconds,
# then downloads their KTP scans and letters for DURATION seconds. It prints each run
# (with the server's own CPU per ticket filed, from /proc) and the medians, and the
# ratios sealed / clear. The baseline is built in a worktree
# under target/bench-base (the first run compiles it). Installs wrk and psycopg if
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_REV=${BASE_REV:-6a98fa7}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-15}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=18097
WORK=$(mktemp -d)
BASE_TREE=target/bench-base/tree

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [ -n "${SEALED_BIN:-}" ]; then
  SEALED=$SEALED_BIN
else
  cargo build --release --quiet
  SEALED=target/release/certdesk
fi
if [ ! -d "$BASE_TREE" ]; then
  git worktree add --detach "$BASE_TREE" "$BASE_REV" >/dev/null
fi
git -C "$BASE_TREE" checkout --quiet --detach "$BASE_REV"
(cd "$BASE_TREE" && CARGO_TARGET_DIR=../target cargo build --release --quiet)
CLEAR=target/bench-base/target/release/certdesk

python3 bench/files.py "$WORK/files"
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS certdesk_bench_crypto" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# run NAME BINARY: one intake run and one download run; appends to $WORK/results.
run() {
  local name=$1 bin=$2 dir="$WORK/$1-$3"
  mkdir -p "$dir"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS certdesk_bench_crypto" -c "CREATE DATABASE certdesk_bench_crypto" >/dev/null
  export CERTDESK_DATABASE__URL="$PG/certdesk_bench_crypto" CERTDESK_STORAGE__PATH="$dir/blobs" \
    CERTDESK_ENCRYPTION__KEY_FILE="$dir/master.keys" CERTDESK_AUTH__LOCAL_KEY_FILE="$dir/jwt.key" \
    CERTDESK_LOG__FILTER=warn CERTDESK_SERVER__LISTEN="127.0.0.1:$PORT" \
    CERTDESK_DATABASE__MAX_CONNECTIONS="$CLIENTS" CERTDESK_RATE_LIMITS__ENABLED=false \
    CERTDESK_OUTBOX__IN_PROCESS=false
  "$bin" officers import samples/officers.csv >/dev/null
  local writer reader
  writer=$("$bin" token create --name bench --scope tickets:write 2>/dev/null)
  reader=$("$bin" token issue --nip 197001011995031003 --role supervisor 2>/dev/null)
  "$bin" serve > "$dir/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.2; done
  BENCH_FILES="$WORK/files" BENCH_TOKEN="$writer" \
    wrk -t2 -c"$CLIENTS" -d"${DURATION}s" -s bench/intake.lua "http://127.0.0.1:$PORT" > "$dir/intake.txt"
  # The server's own CPU (user + system, clock ticks) over the filings, per ticket.
  local cpu stored
  cpu=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
  stored=$(psql "$PG/certdesk_bench_crypto" -qAtc "SELECT count(*) FROM tickets")
  psql "$PG/certdesk_bench_crypto" -qAtc \
    "SELECT '/api/v1/tickets/S' || lpad(id::text, 11, '0') || '/attachments/' || k
     FROM tickets, (VALUES ('ktp_scan'), ('recommendation_letter')) AS kinds(k) ORDER BY id LIMIT 2000" > "$dir/paths"
  BENCH_PATHS="$dir/paths" BENCH_TOKEN="$reader" \
    wrk -t2 -c"$CLIENTS" -d"${DURATION}s" -s bench/download.lua "http://127.0.0.1:$PORT" > "$dir/download.txt" 2> "$dir/download.err"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  python3 - "$name" "$dir" "$cpu" "$stored" "$(getconf CLK_TCK)" >> "$WORK/results" <<'PY'
import re, sys
name, d = sys.argv[1], sys.argv[2]
cpu_ms = int(sys.argv[3]) / int(sys.argv[5]) * 1000 / max(int(sys.argv[4]), 1)
def rate(text):
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def transfer(text):
    value, unit = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", text).groups()
    return float(value) * {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9}[unit.upper()] / 1e6
intake = open(f"{d}/intake.txt").read()
download = open(f"{d}/download.txt").read()
errors = open(f"{d}/download.err").read().count("answered")
print(name, rate(intake), transfer(download), rate(download), errors, round(cpu_ms, 3))
PY
  tail -1 "$WORK/results"
}

echo "sealed: this tree; clear: $BASE_REV (before encryption at rest)"
echo "name tickets/s download-MB/s downloads/s non-200 server-CPU-ms/ticket"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="clear sealed"; else order="sealed clear"; fi
  for name in $order; do
    if [ "$name" = sealed ]; then run sealed "$SEALED" "$round"; else run clear "$CLEAR" "$round"; fi
  done
done

python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(name, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == name)
print()
for column, label in ((1, "intake tickets/s"), (5, "server CPU ms/ticket"), (2, "download MB/s"), (3, "downloads/s")):
    clear, sealed = median("clear", column), median("sealed", column)
    print(f"{label:20} clear {clear:8.1f}  sealed {sealed:8.1f}  sealed/clear {sealed / clear * 100:5.1f} %")
print(f"non-200 downloads    {sum(int(r[4]) for r in rows)}")
PY
