#!/usr/bin/env bash
# The contract check: the committed OpenAPI document is valid OpenAPI 3.1 (checked by
# openapi-spec-validator, which shares no code with utoipa), and the running server keeps
# it. Schemathesis reads /openapi.json from a certdesk started here on loopback (SQLite,
# a fresh data directory, a known token) and sends generated requests, valid and invalid,
# to every operation. Fails on any 5xx and on any response that breaks the document
# (undocumented status, wrong content type, missing header, body off its schema).
#
#   TEST_CERTDESK_BIN=target/debug/certdesk bash tests/contract/run.sh
#
# (`bash scripts/test` runs it, with the tools in target/test-venv.)
#
# MAX_EXAMPLES bounds the generated cases per operation (default 25); SEED makes a run
# repeatable (default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${TEST_CERTDESK_BIN:?set TEST_CERTDESK_BIN to a built certdesk binary}"
VENV="${TEST_VENV:-${CARGO_TARGET_DIR:-target}/test-venv}"
# The checks run from a scratch directory: the environment's path must not be relative.
VENV=$(realpath -m "$VENV")
MAX_EXAMPLES="${MAX_EXAMPLES:-25}"
SEED="${SEED:-1}"

if ! "$VENV/bin/schemathesis" --version >/dev/null 2>&1 \
  || ! "$VENV/bin/python" -c 'import openapi_spec_validator' >/dev/null 2>&1; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q -r tests/contract/requirements.txt
fi

# Its own line, so that a failure stops the script (inside `echo "$(…)"` it would not).
"$VENV/bin/openapi-spec-validator" openapi/openapi.json

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CERTDESK_SERVER__LISTEN="127.0.0.1:$port"
export CERTDESK_SERVER__WORKERS=2
export CERTDESK_DATABASE__URL="sqlite://$work/certdesk.db?mode=rwc"
export CERTDESK_STORAGE__PATH="$work/blobs"
export CERTDESK_ENCRYPTION__KEY_FILE="$work/master.keys"
export CERTDESK_AUTH__LOCAL_KEY_FILE="$work/jwt.key"
# No mail leaves: the outbox is left for a worker that is not started.
export CERTDESK_OUTBOX__IN_PROCESS=false
export CERTDESK_LOG__FILTER=warn
# Fuzzing files and fails to authenticate far faster than anyone would.
export CERTDESK_RATE_LIMITS__ENABLED=false

"$TEST_CERTDESK_BIN" migrate
"$TEST_CERTDESK_BIN" officers import samples/officers.csv >/dev/null
# Two synthetic people with every role, so that operations answer with more than 403:
# the sample requester, for what only the requester of a ticket may do (filing for
# oneself, replacing one's attachment), and the officer the sample ticket names, for the
# rest (nobody may work a ticket they filed).
requester=$("$TEST_CERTDESK_BIN" token issue --nip 199005172015031001 \
  --role requester --role officer --role agent --role supervisor --hours 2)
officer=$("$TEST_CERTDESK_BIN" token issue --nip 197501012000031002 \
  --role requester --role officer --role agent --role supervisor --hours 2)
requesters_own=(file_ticket validate_ticket replace_attachment)

"$TEST_CERTDESK_BIN" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || {
  cat "$work/server.log" >&2
  echo "contract: the server did not start" >&2
  exit 1
}

# A real ticket (the synthetic sample in samples/), so that the operations on a ticket
# are tested on one that exists and not only with 404s.
number=$(cd samples && curl -fsS -H "Authorization: Bearer $requester" \
  -F "ticket=<ticket-15.1.json;type=application/json" \
  -F ktp_scan=@ktp_scan.png -F signature_scan=@signature_scan.png \
  -F recommendation_letter=@recommendation_letter.pdf \
  -F hris_status_screenshot=@hris_status_screenshot.png -F error_screenshot=@error_screenshot.png \
  "http://127.0.0.1:$port/api/v1/tickets" | python3 -c 'import json, sys; print(json.load(sys.stdin)["number"])')
cat >"$work/schemathesis.toml" <<TOML
[parameters]
number = "$number"
queue = "general"
nip = "197501012000031002"
TOML

status=0
# From the scratch directory: Schemathesis keeps its cache where it runs. One worker:
# with two threads, Hypothesis describing a filter (it parses source with `ast`) now and
# then dies inside CPython 3.11 with "AST constructor recursion depth mismatch", an
# error of the tool, not of the server; a CI run failed on it.
check_as() {
  local token=$1
  shift
  (cd "$work" && "$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" --no-color \
    run "http://127.0.0.1:$port/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers 1 \
    --request-timeout 10 \
    "$@") \
    || status=$?
}
include=() exclude=()
for operation in "${requesters_own[@]}"; do
  include+=(--include-operation-id "$operation")
  exclude+=(--exclude-operation-id "$operation")
done
echo "contract: as the sample requester: ${requesters_own[*]}"
check_as "$requester" "${include[@]}"
echo "contract: as the officer the sample ticket names: every other operation"
check_as "$officer" "${exclude[@]}"

# What Schemathesis warns of in a green run, and why it is no fault:
# - "Missing test data" for a dead letter's requeue: the fresh desk has none, so every
#   generated id is 404, as documented;
# - "Schema validation mismatch": the desk checks NIPs, NIKs, emails and the rest by
#   rules a JSON schema cannot state, so most generated bodies are refused with a 422
#   that names the rule, as documented;
# - "Schema validation skipped" for a download: an image or a PDF has no JSON schema.
echo "contract: Schemathesis' warnings above are expected in a green run (no dead letters to requeue; generated data the desk's rules refuse with a documented 422; downloads that are images or PDFs): see tests/contract/run.sh"

if grep -q "panicked" "$work/server.log"; then
  echo "contract: the server panicked:" >&2
  grep -A5 "panicked" "$work/server.log" >&2
  status=1
fi
exit "$status"
