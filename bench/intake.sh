#!/usr/bin/env bash
# Intake throughput and latency against a direct-write baseline, on PostgreSQL, with the
# release build.
#
#   bash bench/intake.sh                       # 32 clients, 20 s each
#   CLIENTS=8 DURATION=10 bash bench/intake.sh
#
# The baseline (bench/intake_baseline.py) writes the same rows and the same files,
# fsynced, straight to PostgreSQL and the disk with the same concurrency: no HTTP, no
# multipart, no checks. Then wrk drives `certdesk serve` with 15.2 renewal tickets of
# four attachments (~0.6 MB, unique bytes and a unique requester each), through an
# integrator token. Both runs use fresh databases. It reports tickets per second for
# both, their ratio, wrk's latency percentiles and the server's peak memory (VmHWM).
# Installs wrk (Debian) and psycopg (PyPI) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-20}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=18098
BIN=${CARGO_TARGET_DIR:-target}/release/certdesk
WORK=$(mktemp -d)

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
python3 -c 'import psycopg' 2>/dev/null || pip install -q 'psycopg[binary]'
cargo build --release --quiet

python3 bench/files.py "$WORK/files"
echo "files per ticket: $(cat "$WORK"/files/{ktp_scan,signature_scan,recommendation_letter,hris_status_screenshot} | wc -c) bytes"

fresh_db() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  CERTDESK_DATABASE__URL="$PG/$1" CERTDESK_LOG__FILTER=warn CERTDESK_AUTH__LOCAL_KEY_FILE="$WORK/jwt.key" \
    CERTDESK_STORAGE__PATH="$WORK/blobs" CERTDESK_ENCRYPTION__KEY_FILE="$WORK/master.keys" \
    "$BIN" officers import samples/officers.csv >/dev/null
}
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS certdesk_bench_base" -c "DROP DATABASE IF EXISTS certdesk_bench_intake" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== baseline: direct writes, $CLIENTS threads, ${DURATION}s"
fresh_db certdesk_bench_base
mkdir -p "$WORK/baseline-blobs"
python3 bench/intake_baseline.py "$PG/certdesk_bench_base" "$WORK/files" "$WORK/baseline-blobs" "$CLIENTS" "$DURATION" | tee "$WORK/baseline.txt"

echo "== certdesk: wrk, $CLIENTS connections, ${DURATION}s"
fresh_db certdesk_bench_intake
export CERTDESK_DATABASE__URL="$PG/certdesk_bench_intake" CERTDESK_STORAGE__PATH="$WORK/blobs" CERTDESK_ENCRYPTION__KEY_FILE="$WORK/master.keys" \
  CERTDESK_AUTH__LOCAL_KEY_FILE="$WORK/jwt.key" CERTDESK_LOG__FILTER=warn \
  CERTDESK_SERVER__LISTEN="127.0.0.1:$PORT" CERTDESK_DATABASE__MAX_CONNECTIONS="$CLIENTS" \
  CERTDESK_RATE_LIMITS__ENABLED=false CERTDESK_MAIL__OUTBOX_DIR="$WORK/outbox"
BENCH_TOKEN=$("$BIN" token create --name bench --scope tickets:write 2>/dev/null)
"$BIN" serve > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.2; done
BENCH_FILES="$WORK/files" BENCH_TOKEN="$BENCH_TOKEN" \
  wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s bench/intake.lua "http://127.0.0.1:$PORT" | tee "$WORK/wrk.txt"
peak_kb=$(grep VmHWM "/proc/$SERVER/status" | awk '{print $2}')
# CPU time in clock ticks: the server's own (user, system) and its PDF readers' (the
# children it waited for). The command name has no spaces, so fields count from it.
cpu_ticks=$(awk '{print $14 + $15, $16 + $17}' "/proc/$SERVER/stat")
ticks_per_s=$(getconf CLK_TCK)
stored=$(psql "$PG/certdesk_bench_intake" -qAtc "SELECT count(*) FROM tickets")

python3 - "$WORK/baseline.txt" "$WORK/wrk.txt" "$peak_kb" "$stored" $cpu_ticks "$ticks_per_s" <<'PY'
import re, sys
base = dict(line.strip().split("=") for line in open(sys.argv[1]) if "=" in line)
wrk = open(sys.argv[2]).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
print()
print(f"baseline tickets/s      {float(base['baseline_tickets_per_s']):8.1f}  (p50 {base['baseline_p50_ms']} ms, p99 {base['baseline_p99_ms']} ms)")
print(f"certdesk tickets/s      {rate:8.1f}  ({rate / float(base['baseline_tickets_per_s']) * 100:.0f} % of baseline)")
for p in ("50%", "99%"):
    m = re.search(rf"^\s+{p}\s+(\S+)", wrk, re.M)
    print(f"certdesk latency {p:>4}   {m.group(1) if m else '?':>8}")
print(f"non-2xx responses       {non2xx.group(1) if non2xx else 0:>8}")
print(f"tickets stored          {sys.argv[4]:>8}")
print(f"server peak RSS         {int(sys.argv[3]) / 1024:8.1f} MiB")
own, readers, hz = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
stored = max(int(sys.argv[4]), 1)
print(f"server CPU per ticket    {own / hz * 1000 / stored:8.2f} ms (PDF readers {readers / hz * 1000 / stored:.2f} ms more)")
PY
