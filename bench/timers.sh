#!/usr/bin/env bash
# The desk's clocks at scale: 100,000 tickets whose deadlines are all due (a third with
# the requester's authority link expired, a third with an endorsement two days overdue,
# a third resolved past the reopen window), worked through by two `certdesk timers run`
# processes at once, on PostgreSQL, with the release build. Against a baseline in the
# same run: the same writes as three set-based SQL statements per clock, no
# application at all.
#
#   bash bench/timers.sh                  # 100,000 tickets, 3 rounds
#   TICKETS=20000 ROUNDS=1 bash bench/timers.sh
#
# Each round seeds a fresh database, times the two processes from start to both done,
# and checks the outcome: every due ticket reminded or closed exactly once (no ticket
# with two events of one kind), every resolved one closed with its history entry. Then
# it seeds again and times the baseline. Prints each run and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${TICKETS:-100000}
ROUNDS=${ROUNDS:-3}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=certdesk_bench_timers
BIN=${CARGO_TARGET_DIR:-target}/release/certdesk
WORK=$(mktemp -d)

cargo build --release --quiet
cleanup() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
export CERTDESK_DATABASE__URL="$PG/$DB" CERTDESK_STORAGE__PATH="$WORK/blobs" \
  CERTDESK_ENCRYPTION__KEY_FILE="$WORK/master.keys" CERTDESK_LOG__FILTER=warn

# seed: a fresh database with TICKETS due tickets, a third for each clock.
seed() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  "$BIN" migrate >/dev/null
  "$BIN" officers import samples/officers.csv >/dev/null
  psql "$PG/$DB" -q -v ON_ERROR_STOP=1 -v n="$TICKETS" <<'SQL' >/dev/null
INSERT INTO tickets (service, subtype, status, requester_nip, requester_name, requester_email,
  requester_unit, requester_position, responsible_officer_nip, description, created_at,
  updated_at, queue, version, open_slot, assignee_nip, resolved_at,
  link_step, link_sent_at, link_expires_at)
SELECT '15.1', NULL,
  CASE i % 3 WHEN 0 THEN 'awaiting_requester_at_authority' WHEN 1 THEN 'awaiting_endorsement' ELSE 'resolved' END,
  '199005172015031001', 'Andi Contoh', 'andi.contoh@kemenkeu.go.id', 'Sekretariat Jenderal',
  'Pranata Komputer', '197501012000031002', 'Tiket uji beban tenggat ' || i,
  now() - interval '9 days', now() - interval '8 days', 'general', 3,
  CASE WHEN i % 3 = 2 THEN NULL ELSE 'bench/' || i END,
  CASE WHEN i % 3 = 1 THEN NULL ELSE '198501012010011001' END,
  CASE WHEN i % 3 = 2 THEN now() - interval '8 days' END,
  CASE WHEN i % 3 = 0 THEN 'set_passphrase' END,
  CASE WHEN i % 3 = 0 THEN now() - interval '25 hours' END,
  CASE WHEN i % 3 = 0 THEN now() - interval '1 hour' END
FROM generate_series(1, :n) AS i;
ANALYZE tickets;
SQL
}

# check: every due ticket handled exactly once.
check() {
  psql "$PG/$DB" -qAt -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'events ' || count(*) FROM ticket_events;
SELECT 'duplicates ' || count(*) FROM (
  SELECT ticket_id, kind FROM ticket_events GROUP BY ticket_id, kind HAVING count(*) > 1) AS twice;
SELECT 'left_due ' || count(*) FROM tickets
  WHERE (status = 'awaiting_requester_at_authority' AND link_reminded_at IS NULL)
     OR (status = 'awaiting_endorsement' AND endorsement_reminded_at IS NULL)
     OR status = 'resolved';
SQL
}

now_ms() { date +%s%3N; }

echo "tickets=$TICKETS (all due), two processes of certdesk timers run; baseline: set-based SQL"
for round in $(seq 1 "$ROUNDS"); do
  seed
  start=$(now_ms)
  "$BIN" timers run > "$WORK/one.txt" &
  one=$!
  "$BIN" timers run > "$WORK/two.txt" &
  two=$!
  wait "$one" "$two"
  took=$(( $(now_ms) - start ))
  outcome=$(check | tr '\n' ' ')
  echo "certdesk $took ms  $outcome | $(cat "$WORK/one.txt") | $(cat "$WORK/two.txt")" | tee -a "$WORK/results"
  case "$outcome" in
    *"events $TICKETS duplicates 0 left_due 0"*) ;;
    *) echo "FAILED: every due ticket must be handled exactly once"; exit 1 ;;
  esac

  seed
  start=$(now_ms)
  psql "$PG/$DB" -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
BEGIN;
WITH done AS (UPDATE tickets SET link_reminded_at = now()
  WHERE status = 'awaiting_requester_at_authority' AND link_reminded_at IS NULL AND link_expires_at <= now()
  RETURNING id)
INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at, available_at)
SELECT gen_random_uuid(), id, 'authority_link_expired', '{}', now(), now() FROM done;
WITH done AS (UPDATE tickets SET endorsement_reminded_at = now()
  WHERE status = 'awaiting_endorsement' AND created_at <= now() - interval '48 hours'
  RETURNING id)
INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at, available_at)
SELECT gen_random_uuid(), id, 'endorsement_overdue', '{}', now(), now() FROM done;
WITH done AS (UPDATE tickets SET status = 'closed', ended_at = now(), version = version + 1
  WHERE status = 'resolved' AND resolved_at <= now() - interval '7 days'
  RETURNING id),
history AS (INSERT INTO ticket_history (ticket_id, at, actor_nip, actor_role, kind, from_status, to_status, visibility)
  SELECT id, now(), 'desk', 'desk', 'transition', 'resolved', 'closed', 'public' FROM done)
INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at, available_at)
SELECT gen_random_uuid(), id, 'closed', '{}', now(), now() FROM done;
COMMIT;
SQL
  took=$(( $(now_ms) - start ))
  echo "baseline $took ms  $(check | tr '\n' ' ')" | tee -a "$WORK/results"
done

python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(name):
    return statistics.median(float(r[1]) for r in rows if r[0] == name)
ours, base = median("certdesk"), median("baseline")
print(f"\nmedian: certdesk {ours / 1000:.1f} s, baseline {base / 1000:.1f} s, certdesk / baseline {ours / base:.1f}x")
PY
