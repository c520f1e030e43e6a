#!/usr/bin/env bash
# Memory under hostile load: CLIENTS clients at once, each filing a maximum-size ticket
# (five parts of ~5 MiB: screenshots of noise, scans padded with chunks that are
# stripped, a padded letter) through an integrator token, retrying on 503 as told by
# Retry-After until every one is filed. Reports the server's peak RSS (VmHWM), how many
# answers were 201 and 503, and the time it took. Release build, PostgreSQL.
#
#   bash bench/upload-memory.sh              # 64 clients
#   CLIENTS=16 bash bench/upload-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-64}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=18097
BIN=${CARGO_TARGET_DIR:-target}/release/certdesk
PY=${TEST_PYTHON:-${CARGO_TARGET_DIR:-target}/test-venv/bin/python}
WORK=$(mktemp -d)

cargo build --release --quiet
"$PY" -c 'import requests' 2>/dev/null || "$PY" -m pip install -q -r samples/requirements.txt

cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS certdesk_bench_memory" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS certdesk_bench_memory" -c "CREATE DATABASE certdesk_bench_memory" >/dev/null
export CERTDESK_DATABASE__URL="$PG/certdesk_bench_memory" CERTDESK_LOG__FILTER=warn \
  CERTDESK_AUTH__LOCAL_KEY_FILE="$WORK/jwt.key" CERTDESK_STORAGE__PATH="$WORK/blobs" CERTDESK_ENCRYPTION__KEY_FILE="$WORK/master.keys" \
  CERTDESK_SERVER__LISTEN="127.0.0.1:$PORT" CERTDESK_OUTBOX__IN_PROCESS=false \
  CERTDESK_RATE_LIMITS__ENABLED=false
"$BIN" officers import samples/officers.csv >/dev/null
TOKEN=$("$BIN" token create --name bench --scope tickets:write)
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
echo "server RSS at rest: $(grep VmRSS /proc/$SERVER/status | awk '{print $2}') kB"

"$PY" - "$PORT" "$TOKEN" "$CLIENTS" <<'PY'
import concurrent.futures, json, os, struct, sys, time, zlib
import requests
sys.path.insert(0, "bench")
from letter import pdf
port, token, clients = sys.argv[1], sys.argv[2], int(sys.argv[3])
MIB = 1024 * 1024

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(width, height, pad=0):
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    extra = chunk(b"tEXt", b"Comment\x00" + os.urandom(pad)) if pad else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + extra + chunk(b"IEND", b""))

# Just under the 5 MiB part limit each. The scans' padding follows the pixels: a reader
# of the header stops at them, so padding before them would be refused as unreadable.
screenshot = png(1280, 1280)
assert len(screenshot) < 5 * MIB, len(screenshot)
scan = png(448, 290, pad=5 * MIB - 500_000)
letter = pdf(os.urandom(5 * MIB - 1000))
assert len(letter) < 5 * MIB, len(letter)
files = {"ktp_scan": scan, "signature_scan": scan, "recommendation_letter": letter,
         "hris_status_screenshot": screenshot, "error_screenshot": screenshot}
print(f"ticket body: {sum(len(v) for v in files.values()) / MIB:.1f} MiB")

def file_one(n):
    ticket = {"service": "15.1", "requester": {"nip": f"1990051720150310{n:02d}", "nik": "3174051705900001",
              "name": "Andi Contoh", "email": f"andi.contoh{n}@kemenkeu.go.id", "unit": "Sekretariat Jenderal",
              "position": "Pranata Komputer"}, "responsible_officer_nip": "197501012000031002",
              "description": "Uji beban unggahan."}
    counts = {}
    while True:
        parts = {"ticket": (None, json.dumps(ticket), "application/json")}
        parts.update({k: (k, v) for k, v in files.items()})
        r = requests.post(f"http://127.0.0.1:{port}/api/v1/tickets", files=parts,
                          headers={"Authorization": f"Bearer {token}"}, timeout=120)
        counts[r.status_code] = counts.get(r.status_code, 0) + 1
        if r.status_code == 503:
            time.sleep(float(r.headers.get("Retry-After", "1")))
            continue
        if r.status_code != 201:
            print(f"client {n}: {r.status_code} {r.text[:1500]}", file=sys.stderr)
        return counts

started = time.time()
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    results = list(pool.map(file_one, range(1, clients + 1)))
total = {}
for counts in results:
    for status, n in counts.items():
        total[status] = total.get(status, 0) + n
print(f"{clients} clients: answers {dict(sorted(total.items()))} in {time.time() - started:.1f} s")
PY
echo "server peak RSS (VmHWM): $(grep VmHWM /proc/$SERVER/status | awk '{print $2}') kB"
