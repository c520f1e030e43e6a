#!/usr/bin/env bash
# Checks the deployment files with what can run on a machine without a container engine:
# docker-compose.yml with Debian's docker-compose (`config` parses and validates it, no
# engine needed), the systemd units with `systemd-analyze verify`. The image itself is
# not built here (that needs an engine); see README, "Deploying".
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "installing docker-compose from Debian's packages (for its config check only)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq docker-compose >/dev/null
fi
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml: valid ($(docker-compose version --short))"

# The units name /usr/local/bin/certdesk, which a CI machine does not have: verify copies
# that point at an executable that exists, in a directory of their own.
units=$(mktemp -d)
trap 'rm -rf "$units"' EXIT
for unit in deploy/systemd/*.service; do
  sed "s#/usr/local/bin/certdesk#$(command -v true)#" "$unit" >"$units/$(basename "$unit")"
done
if ! out=$(cd "$units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service 2>&1); then
  printf '%s\n' "$out"
  exit 1
fi
# systemd-analyze exits 0 on warnings too; a unit file's own warnings are failures here.
if printf '%s\n' "$out" | grep -E '\.service:[0-9]+:' ; then
  exit 1
fi
echo "systemd units: verified ($(ls deploy/systemd | tr '\n' ' '))"
