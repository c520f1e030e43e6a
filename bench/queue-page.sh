#!/usr/bin/env bash
# Queue-page latency at a million tickets, on PostgreSQL, with the release build: the
# API's pages and the RA console's (signed in with a token, as a newcomer does), by age
# and by what falls due first, filtered by how the service levels stand.
#
#   bash bench/queue-page.sh            # N=1000000 tickets, 200 requests per case
#   N=100000 REQUESTS=50 bash bench/queue-page.sh
#
# Creates (and afterwards drops) the database `certdesk_bench`, fills it with synthetic
# tickets straight in SQL, starts `certdesk serve` on 127.0.0.1:18099 and times pages
# with curl, one request at a time. The machine is shared and noisy, so it reports
# medians and p95, and a baseline measured in the same run (GET /health/live: the HTTP
# path with no database) to read them against.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
REQUESTS=${REQUESTS:-200}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=certdesk_bench
PORT=18099
BIN=${CARGO_TARGET_DIR:-target}/release/certdesk
WORK=$(mktemp -d)

cargo build --release --quiet
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

export CERTDESK_DATABASE__URL="$PG/$DB" CERTDESK_STORAGE__PATH="$WORK/blobs" CERTDESK_ENCRYPTION__KEY_FILE="$WORK/master.keys" \
  CERTDESK_AUTH__LOCAL_KEY_FILE="$WORK/jwt.key" CERTDESK_LOG__FILTER=warn \
  CERTDESK_SERVER__LISTEN="127.0.0.1:$PORT"
"$BIN" migrate >/dev/null
"$BIN" officers import samples/officers.csv >/dev/null
"$BIN" staff import samples/staff.csv >/dev/null

echo "seeding $N tickets ..."
start=$(date +%s)
psql "$PG/$DB" -q <<SQL
INSERT INTO tickets (service, subtype, reason, status, requester_nip, requester_name,
  requester_email, requester_unit, requester_position, responsible_officer_nip,
  description, created_at, updated_at, queue, version, authority_status,
  sla_due_at, sla_at_risk_at, sla_breached_at, sla_sort_at)
SELECT service, NULL, NULL, status, nip, 'Andi Contoh', 'andi.contoh@kemenkeu.go.id',
       'Sekretariat Jenderal', 'Pranata Komputer', '197501012000031002',
       'Permohonan uji nomor ' || i, created_at, created_at, queue, 1, authority_status,
       due, due - interval '1 hour',
       -- A running clock past due is breached; so is one finished ticket in ten.
       CASE WHEN due < now() THEN due
            WHEN status IN ('closed','rejected','cancelled','resolved')
                 AND abs(hashtext('x' || i)) % 10 = 0 THEN created_at + interval '1 day'
       END,
       COALESCE(due, '9999-12-31 23:59:59+00')
FROM (
  SELECT i, s.status,
         (ARRAY['15.1','15.2','15.3'])[1 + abs(hashtext('s' || i)) % 3] AS service,
         -- Valid NIPs (birth date, appointment month, gender 1 or 2, serial): a page
         -- that lists a NIP that does not parse answers 500, and would be timed as one.
         '199005172015' || lpad((1 + i % 12)::text, 2, '0') || (1 + i % 2)::text
           || lpad((i % 1000)::text, 3, '0') AS nip,
         now() - make_interval(secs => ($N - i) * 30) AS created_at,
         (ARRAY['general','revocations','djp','dja'])[1 + abs(hashtext('q' || i)) % 4] AS queue,
         -- What agents found at the authority: on one ticket in five, one status in six.
         CASE WHEN abs(hashtext('a' || i)) % 5 = 0
              THEN (ARRAY['new','on_set_passphrase','enroll','issue','revoke','expired'])[1 + abs(hashtext('b' || i)) % 6]
         END AS authority_status,
         -- The desk's clocks run while it works a ticket: due from a day ago to two
         -- weeks ahead, so that about one running ticket in seven is past due.
         CASE WHEN s.status IN ('submitted','in_review','waiting_on_authority')
              THEN now() + make_interval(mins => (abs(hashtext('d' || i)) % 20160) - 1440)
         END AS due
  FROM generate_series(1, $N) AS i,
       -- Nine tickets in ten are finished, as on a desk that has run for years; the
       -- rest are spread over the open states. Queue, service and status are
       -- independent.
       LATERAL (SELECT CASE WHEN abs(hashtext('o' || i)) % 10 = 0
            THEN (ARRAY['submitted','awaiting_endorsement','in_review','awaiting_requester',
                        'waiting_on_authority','awaiting_requester_at_authority'])[1 + abs(hashtext('t' || i)) % 6]
            ELSE (ARRAY['closed','closed','rejected','cancelled','resolved'])[1 + abs(hashtext('t' || i)) % 5]
       END AS status) AS s
) AS seeded;
SQL
# What autovacuum does on a desk that runs: statistics, and the visibility map that lets
# counts and pages be answered from the indexes alone.
psql "$PG/$DB" -qc "VACUUM ANALYZE tickets"
echo "seeded in $(( $(date +%s) - start )) s"

"$BIN" serve > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.2; done
AGENT=$("$BIN" token issue --nip 198501012010011001 --role agent)
BASE="http://127.0.0.1:$PORT"

# time_total of each request, one per line, into a file.
measure() {
  local name=$1 url=$2 out="$WORK/$1.times"
  for _ in $(seq 1 "$REQUESTS"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $AGENT" "$url" >> "$out"
  done
}

# The console's pages, signed in once; and what a page weighs before images.
console_session() {
  curl -s -o /dev/null -D - -H "Origin: $BASE" --data-urlencode "token=$1" "$BASE/console/sign-in" \
    | sed -n 's/^[Ss]et-[Cc]ookie: certdesk_console=\([0-9a-f]*\);.*/\1/p'
}
measure_console() {
  local name=$1 url=$2 out="$WORK/$1.times"
  for _ in $(seq 1 "$REQUESTS"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: certdesk_console=$CONSOLE" "$url" >> "$out"
  done
}
weigh() {
  local total=0 size
  for url in "$@"; do
    read -r code size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "Cookie: certdesk_console=$CONSOLE" "$url")
    [ "$code" = 200 ] || echo "weigh: $url answered $code" >&2
    total=$((total + size))
  done
  echo "$total"
}

# Deep pages: follow `next` links, timing each page (by age unless told otherwise).
deep() {
  local out="$WORK/${1:-open_deep_pages}.times" url=${2:-"$BASE/api/v1/queues/general/tickets?limit=50"}
  for _ in $(seq 1 "$REQUESTS"); do
    local body
    body=$(curl -s -w '\n%{http_code} %{time_total}' -H "Authorization: Bearer $AGENT" "$url")
    echo "${body##*$'\n'}" >> "$out"
    local next
    next=$(printf '%s' "${body%$'\n'*}" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("next") or "")')
    [ -n "$next" ] || break
    url="$BASE$next"
  done
}

measure baseline_health "$BASE/health/live"
measure open_first_page "$BASE/api/v1/queues/general/tickets?limit=50"
measure submitted_first_page "$BASE/api/v1/queues/general/tickets?status=submitted&limit=50"
measure open_service_15_2 "$BASE/api/v1/queues/djp/tickets?service=15.2&limit=50"
measure closed_first_page "$BASE/api/v1/queues/general/tickets?status=closed&limit=50"
measure text_search "$BASE/api/v1/queues/general/tickets?q=nomor%20123456&limit=50"
measure authority_on_set_passphrase "$BASE/api/v1/queues/general/tickets?authority_status=on_set_passphrase&limit=50"
measure open_by_due "$BASE/api/v1/queues/general/tickets?sort=due&limit=50"
measure at_risk "$BASE/api/v1/queues/general/tickets?sla=at_risk&limit=50"
measure at_risk_by_due "$BASE/api/v1/queues/general/tickets?sla=at_risk&sort=due&limit=50"
measure breached_by_due "$BASE/api/v1/queues/general/tickets?sla=breached&sort=due&limit=50"
deep
deep open_by_due_deep_pages "$BASE/api/v1/queues/general/tickets?sort=due&limit=50"
CONSOLE=$(console_session "$AGENT")
[ -n "$CONSOLE" ] || { echo "console sign-in failed" >&2; exit 1; }
# A ticket half-way through the table, as an agent opens it from the queue.
MIDDLE=$(printf 'S%011d' $((N / 2)))
measure_console console_queues "$BASE/console/queues"
measure_console console_queue_page "$BASE/console/queues/general"
measure_console console_queue_breached "$BASE/console/queues/general?sla=breached"
measure_console console_queue_search "$BASE/console/queues/general?q=nomor+123456"
measure_console console_ticket "$BASE/console/tickets/$MIDDLE"
# The officer every seeded ticket names: about 17,000 wait for their endorsement.
CONSOLE=$(console_session "$("$BIN" token issue --nip 197501012000031002 --role officer)")
measure_console console_endorsements "$BASE/console/endorsements"
# A supervisor's pages (the audit holds the looks this run made).
CONSOLE=$(console_session "$("$BIN" token issue --nip 197001011995031003 --role agent --role supervisor)")
measure_console console_directory "$BASE/console/directory"
measure_console console_routing "$BASE/console/routing"
measure_console console_audit "$BASE/console/audit"
CONSOLE=$(console_session "$AGENT")
ASSETS="$BASE/console/static/console.css $BASE/console/static/console.js"
# shellcheck disable=SC2086
echo "console page weight before images (page + stylesheet + script): queue $(weigh "$BASE/console/queues/general" $ASSETS) bytes, ticket $(weigh "$BASE/console/tickets/$MIDDLE" $ASSETS) bytes (limit 102400)"

python3 - "$WORK" <<'PY'
import glob, os, statistics, sys
rows = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.times"))):
    lines = [x.split() for x in open(path) if x.strip()]
    failed = [code for code, _ in lines if code != "200"]
    if failed:
        sys.exit(f"{os.path.basename(path)}: {len(failed)} of {len(lines)} requests answered {sorted(set(failed))}, not 200")
    t = sorted(float(time) * 1000 for _, time in lines)
    rows[os.path.basename(path)[:-6]] = (statistics.median(t), t[int(len(t) * 0.95) - 1], t[int(len(t) * 0.99) - 1], len(t))
base = rows["baseline_health"][0]
print(f"{'case':28} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'n':>5} {'x baseline':>11}")
for name, (med, p95, p99, n) in rows.items():
    print(f"{name:28} {med:10.2f} {p95:8.2f} {p99:8.2f} {n:5d} {med / base:11.1f}")
PY

echo
echo "plan of a page of open tickets, 10,000 rows deep (PostgreSQL):"
psql "$PG/$DB" -qAt -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
  SELECT * FROM tickets WHERE queue = 'general'
    AND status IN ('submitted','awaiting_endorsement','in_review','awaiting_requester','waiting_on_authority','awaiting_requester_at_authority')
    AND (created_at, id) > (SELECT created_at, id FROM tickets WHERE queue = 'general'
         AND status IN ('submitted','awaiting_endorsement','in_review','awaiting_requester','waiting_on_authority','awaiting_requester_at_authority')
         ORDER BY created_at, id OFFSET 10000 LIMIT 1)
  ORDER BY created_at, id LIMIT 51" | sed 's/^/  /'
