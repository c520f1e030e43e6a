#!/usr/bin/env bash
# Checks the deployment files with what can run on a machine without a container engine:
# docker-compose.yml with Debian's docker-compose (`config` parses and validates it, no
# engine needed), the systemd units with `systemd-analyze verify`, and the image's build
# stage replayed from exactly its build context (deploy/context.py: the repository less
# .dockerignore, then the Dockerfile's COPY steps), built in release and run as the
# image runs it. Where a daemonless builder (buildah) can reach the base images'
# registry, the image itself is built and run too; where it cannot, this says why.
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

# The image's build stage from its build context: first its dependency layer (the
# manifests and stubs, built by the Dockerfile's own first RUN), then the final build. A
# member whose manifest no COPY brings in, or a file the build needs that the context
# leaves out, fails here as it would in the image. Dependencies are shared with the
# repository's own release builds (the same target folder); only the workspace's crates
# compile again.
context=$(mktemp -d)
trap 'rm -rf "$units" "$context"' EXIT
python3 deploy/context.py "$context/stage" >"$context/image.env"
target="${CARGO_TARGET_DIR:-$PWD/target}"
(cd "$context/stage/deps" && CARGO_TARGET_DIR="$target" CARGO_TERM_QUIET=true sh -e "$context/stage/deps.sh")
echo "image dependency layer: builds from the manifests and stubs alone"
(cd "$context/stage/src" && CARGO_TARGET_DIR="$target" cargo build --release --locked --bin certdesk --quiet)
echo "image build stage: the release binary builds from the build context alone"
# Run as the image runs it: its environment, nothing of ours.
mkdir -p "$context/run"
image_env=()
while IFS= read -r line; do image_env+=("$line"); done <"$context/image.env"
(cd "$context/run" && env -i PATH=/usr/bin:/bin "${image_env[@]}" "$target/release/certdesk" --version)
(cd "$context/run" && env -i PATH=/usr/bin:/bin "${image_env[@]}" "$target/release/certdesk" config >/dev/null)
echo "image build stage: certdesk --version and certdesk config run with the image's environment"

if command -v buildah >/dev/null 2>&1; then
  base=$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)
  if pulled=$(timeout 60 buildah --storage-driver vfs pull --quiet "docker.io/library/$base" 2>&1); then
    timeout 3600 buildah --storage-driver vfs bud --isolation chroot --layers=false -t certdesk:ci . >/dev/null
    container=$(buildah --storage-driver vfs from certdesk:ci)
    buildah --storage-driver vfs run --isolation chroot "$container" -- certdesk --version
    buildah --storage-driver vfs run --isolation chroot "$container" -- certdesk config >/dev/null
    buildah --storage-driver vfs rm "$container" >/dev/null
    echo "image: built with buildah; certdesk --version and certdesk config run in it"
  else
    echo "image: not built: buildah cannot pull the base image $base here ($(printf '%s' "$pulled" | tail -n 1))"
  fi
else
  echo "image: not built: no daemonless builder (buildah) on this machine"
fi
