#!/usr/bin/env bash
# Outbox throughput: emails per second from `certdesk outbox flush` (the worker's
# delivery loop, release build, PostgreSQL) to a local SMTP server (the tests' aiosmtpd
# server), against a baseline measured in the same run: Python's smtplib sending the
# same number of messages to the same server over the same number of connections.
#
#   bash bench/mail.sh                 # N=20000 events, 3 runs each, 8 connections
#   N=5000 RUNS=1 bash bench/mail.sh
#
# Creates (and afterwards drops) the database `certdesk_bench_mail`. Needs the Python
# with aiosmtpd that the tests use (TEST_PYTHON, else target/test-venv, which
# `bash scripts/test` makes).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-20000}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-8}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=certdesk_bench_mail
BIN=${CARGO_TARGET_DIR:-target}/release/certdesk
PYTHON=${TEST_PYTHON:-target/test-venv/bin/python}
WORK=$(mktemp -d)

cargo build --release --quiet
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

# The SMTP server keeps running while its stdin stays open.
mkfifo "$WORK/stdin"
SMTP_SINK=1 "$PYTHON" tests/smtp/server.py <"$WORK/stdin" >"$WORK/ports" &
SERVER=$!
exec 3>"$WORK/stdin"
cleanup() { exec 3>&-; kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK";
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null; }
trap cleanup EXIT
for _ in $(seq 1 50); do grep -q READY "$WORK/ports" 2>/dev/null && break; sleep 0.1; done
SMTP_PORT=$(awk '{print $2}' "$WORK/ports")

export CERTDESK_DATABASE__URL="$PG/$DB" CERTDESK_STORAGE__PATH="$WORK/blobs" CERTDESK_ENCRYPTION__KEY_FILE="$WORK/master.keys" \
  CERTDESK_AUTH__LOCAL_KEY_FILE="$WORK/jwt.key" CERTDESK_LOG__FILTER=warn \
  CERTDESK_MAIL__SMTP__HOST=127.0.0.1 CERTDESK_MAIL__SMTP__PORT="$SMTP_PORT" \
  CERTDESK_MAIL__SMTP__SECURITY=plain CERTDESK_MAIL__SMTP__CONNECTIONS="$CONNECTIONS" \
  CERTDESK_OUTBOX__BATCH_SIZE=256
"$BIN" migrate >/dev/null
"$BIN" officers import samples/officers.csv >/dev/null
psql "$PG/$DB" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO tickets (service, subtype, status, requester_nip, requester_name,
  requester_email, requester_unit, requester_position, responsible_officer_nip,
  description, created_at, updated_at, queue, version)
VALUES ('15.2', 'renewal', 'resolved', '199005172015031001', 'Andi Contoh',
  'andi.contoh@kemenkeu.go.id', 'Sekretariat Jenderal', 'Pranata Komputer',
  '197501012000031002', 'bench', now(), now(), 'general', 1);
SQL

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ours=(); base=()
for run in $(seq 1 "$RUNS"); do
  psql "$PG/$DB" -v ON_ERROR_STOP=1 -qc "INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at,
    delivery, attempts, available_at, uncertain)
    SELECT gen_random_uuid(), 1, 'resolved', '{\"recipient\": \"requester\", \"status\": \"resolved\"}'::jsonb,
    now(), 'pending', 0, now(), false FROM generate_series(1, $N)"
  : "$("$PYTHON" - <<PY
import json, socket
s = socket.create_connection(("127.0.0.1", int(open("$WORK/ports").read().split()[2])))
s.sendall(b"clear\n"); s.recv(100)
PY
)"
  start=$(date +%s.%N)
  "$BIN" outbox flush >/dev/null
  end=$(date +%s.%N)
  rate=$(echo "$N / ($end - $start)" | bc -l)
  ours+=("$(printf '%.0f' "$rate")")
  sent=$(psql "$PG/$DB" -qAtc "SELECT count(*) FROM ticket_events WHERE delivery = 'sent'")
  # About the size of one of our messages (text and HTML parts, headers).
  msg_size=4000
  base+=("$("$PYTHON" bench/mail_baseline.py "$SMTP_PORT" "$N" "$CONNECTIONS" "$msg_size")")
  echo "run $run: certdesk ${ours[-1]} msg/s (sent so far: $sent), smtplib baseline ${base[-1]} msg/s, message ~${msg_size} B"
done
o=$(printf '%s\n' "${ours[@]}" | median)
b=$(printf '%s\n' "${base[@]}" | median)
echo
echo "median over $RUNS runs of $N messages, $CONNECTIONS connections:"
echo "  certdesk outbox flush   $o msg/s"
echo "  smtplib baseline        $b msg/s"
echo "  ratio                   $(echo "scale=2; $o / $b" | bc)"
