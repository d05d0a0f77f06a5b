#!/usr/bin/env bash
# Container image test: lint the Dockerfile, build the image with podman, run it, and probe it
# over HTTP and the websocket. Runs as root on Debian 12 and installs podman, runc and debootstrap
# when they are missing. The image, the base image and the cached rootfs are kept, so a second
# run is quick; `bash tests/image/test_image.sh clean` (run by `make clean`) removes them all.
#
# No registry is needed: when the base image is not in local storage, a stand-in for
# python:3.11-slim is made from Debian's own packages with debootstrap, from the mirror apt already
# uses. It has a name of its own, so a later plain build of the Dockerfile still means the
# official image; this test passes the stand-in's name as the BASE_IMAGE build argument.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=neuroplay:test
CONTAINER=neuroplay-test
BASE_IMAGE=localhost/neuroplay-base:3.11-slim  # the stand-in for python:3.11-slim, never tagged as it
BASE_LABEL=org.neuroplay.stand-in  # marks the stand-in, so clean removes only what this test made
BASE_SUITE=bookworm  # Debian release whose python3 is 3.11, as in the real python:3.11-slim
CACHE_DIR=${IMAGE_CACHE_DIR:-$PWD/.cache/image}  # project-owned: containers.conf and the base rootfs
ROOTFS_TAR=$CACHE_DIR/python-3.11-slim-rootfs.tar
BASE_CA_BUNDLE=/usr/local/share/ca-bundle.crt  # where the host's CA bundle goes in the base image
HEALTH_TIMEOUT_S=30  # how long the server may take to answer /healthz
PY=.venv/bin/python

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

on_error() { echo "FAIL: line $2: ${3%%$'\n'*} exited with $1" >&2; }
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

cleanup() {
    local status=$?
    if podman container exists "$CONTAINER" 2>/dev/null; then
        if [ "$status" -ne 0 ]; then
            echo "--- last lines of the container's log"
            podman logs --tail 30 "$CONTAINER" 2>&1 || true
        fi
        podman rm --force --time 5 "$CONTAINER" >/dev/null 2>&1 || true
    fi
    if [ "$status" -eq 0 ]; then
        echo "PASS: image test"
    else
        echo "FAIL: image test" >&2
    fi
}

# Prints the first http(s) mirror that apt fetches $BASE_SUITE from, in one-line or deb822 format.
debian_mirror() {
    "$PY" - "$BASE_SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources <<'EOF'
import sys
from pathlib import Path

suite, *paths = sys.argv[1:]


def one_line_entries(text):
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words[:1] != ["deb"]:
            continue
        words = words[1:]
        if words and words[0].startswith("["):  # options: [arch=amd64 signed-by=...]
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 2:
            yield [words[0]], [words[1]]


def deb822_entries(text):
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.split()
        if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
            yield fields.get("uris", []), fields.get("suites", [])


for path in map(Path, paths):
    if not path.is_file():
        continue
    text = path.read_text()
    entries = deb822_entries(text) if path.suffix == ".sources" else one_line_entries(text)
    for uris, suites in entries:
        if suite in suites:
            for uri in uris:
                if uri.startswith(("http://", "https://")):
                    print(uri)
                    sys.exit(0)
sys.exit(1)
EOF
}

# Makes a stand-in for python:3.11-slim from Debian packages and imports it into podman.
build_base_image() {
    if [ ! -s "$ROOTFS_TAR" ]; then
        local mirror rootfs
        mirror=$(debian_mirror) || mirror=http://deb.debian.org/debian
        echo "debootstrap $BASE_SUITE from $mirror"
        rm -rf --one-file-system "$CACHE_DIR"/rootfs.*  # left by an interrupted run
        rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
        debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
            "$BASE_SUITE" "$rootfs" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 \
            || { tail -20 "$CACHE_DIR/debootstrap.log" >&2; fail "debootstrap (log: $CACHE_DIR/debootstrap.log)"; }
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python"
        ln -sf /usr/bin/pip3 "$rootfs/usr/local/bin/pip"
        rm -f "$rootfs"/usr/lib/python3.*/EXTERNALLY-MANAGED  # pip installs system-wide, as in python:slim
        # Outbound TLS may be re-signed by a local CA that only the host's bundle trusts.
        cp /etc/ssl/certs/ca-certificates.crt "$rootfs$BASE_CA_BUNDLE"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -cf "$ROOTFS_TAR.partial" .
        mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
        rm -rf --one-file-system "$rootfs"
    fi
    podman import --quiet \
        --change "ENV PIP_CERT=$BASE_CA_BUNDLE" \
        --change "ENV SSL_CERT_FILE=$BASE_CA_BUNDLE" \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["python3"]' \
        --change "LABEL $BASE_LABEL=true" \
        - "$BASE_IMAGE" <"$ROOTFS_TAR" >/dev/null
}

# Removes what this test made: its container, its image, the stand-in base image (and one that
# earlier versions of this test tagged docker.io/library/python:3.11-slim, recognised by its CA
# bundle setting), the cached rootfs and the old cache folder.
clean() {
    if command -v podman >/dev/null; then
        export CONTAINERS_CONF=$CACHE_DIR/containers.conf
        [ -f "$CONTAINERS_CONF" ] || unset CONTAINERS_CONF
        podman rm --force --time 5 "$CONTAINER" >/dev/null 2>&1 || true
        podman rmi --force "$IMAGE" >/dev/null 2>&1 || true
        local image
        for image in $(podman images --quiet --filter "label=$BASE_LABEL=true" 2>/dev/null | sort -u); do
            podman rmi --force "$image" >/dev/null 2>&1 || true
        done
        local legacy=docker.io/library/python:3.11-slim
        if podman image inspect --format '{{range .Config.Env}}{{.}} {{end}}' "$legacy" 2>/dev/null \
                | grep -q "PIP_CERT=$BASE_CA_BUNDLE"; then
            podman rmi --force "$legacy" >/dev/null 2>&1 || true
        fi
        podman image prune --force --filter "label=$BASE_LABEL=true" >/dev/null 2>&1 || true
    fi
    rm -rf --one-file-system "$CACHE_DIR" /var/tmp/neuroplay-image
    echo "removed $IMAGE, $BASE_IMAGE and $CACHE_DIR"
}

if [ "${1:-}" = clean ]; then
    clean
    exit 0
fi

step "tools"
missing=()
for package in podman runc debootstrap; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
pass "podman $(podman version --format '{{.Client.Version}}'), runc and debootstrap are installed"

[ -x .venv/bin/hadolint ] || fail ".venv/bin/hadolint is missing: run make, which installs the test extra"
.venv/bin/hadolint Dockerfile || fail "hadolint Dockerfile"
pass "hadolint Dockerfile"

mkdir -p "$CACHE_DIR"
# crun fails here ("cgroups in hybrid mode not supported") and raising the default rlimits is not allowed.
cat >"$CACHE_DIR/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=$CACHE_DIR/containers.conf
trap cleanup EXIT

step "base image"
if podman image exists "$BASE_IMAGE"; then
    pass "$BASE_IMAGE is in local storage"
else
    build_base_image
    pass "$BASE_IMAGE made from Debian $BASE_SUITE packages"
fi

step "build"
podman build --format docker --pull=never --network=host --quiet \
    --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$IMAGE" . >/dev/null \
    || fail "podman build"
pass "podman build -t $IMAGE (FROM $BASE_IMAGE)"

step "run"
podman rm --force --time 5 "$CONTAINER" >/dev/null 2>&1 || true
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# With host networking the image's 0.0.0.0 would listen on every interface of this machine: keep it on loopback.
podman run -d --no-healthcheck --network=host --name "$CONTAINER" \
    -e NEUROPLAY_HOST=127.0.0.1 -e NEUROPLAY_PORT="$port" "$IMAGE" >/dev/null
base_url=http://127.0.0.1:$port

is_healthy() {
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base_url/healthz" 2>/dev/null
}
deadline=$((SECONDS + HEALTH_TIMEOUT_S))
until is_healthy; do
    [ "$(podman container inspect --format '{{.State.Running}}' "$CONTAINER")" = true ] \
        || fail "the container exited before /healthz answered"
    [ "$SECONDS" -lt "$deadline" ] || fail "/healthz did not answer within ${HEALTH_TIMEOUT_S} s"
    sleep 0.5
done
pass "GET /healthz answers on port $port"

step "probe"
"$PY" - "$base_url" <<'EOF' || fail "GET /healthz and GET /"
import json
import sys
import urllib.request

base_url = sys.argv[1]
with urllib.request.urlopen(base_url + "/healthz", timeout=5) as response:
    health = json.load(response)
assert health["status"] == "ok" and isinstance(health["sessions"], int), health
with urllib.request.urlopen(base_url + "/", timeout=5) as response:
    page = response.read().decode()
    content_type = response.headers["content-type"]
assert content_type.startswith("text/html"), content_type
assert '<script type="module" src="/static/js/main.js">' in page, page[:500]
EOF
pass "GET / serves the page with its module script"

"$PY" - "${base_url/http/ws}/ws" <<'EOF' || fail "the /ws conversation"
import json
import struct
import sys
import time

from websockets.sync.client import connect

FRAME_TIMEOUT_S = 15  # a frame is due within one frame interval; allow a slow, shared machine


def message_type(message):
    """The type of a JSON message, or of a binary envelope (uint32 header length, JSON header)."""
    if isinstance(message, str):
        return json.loads(message)["type"]
    (length,) = struct.unpack_from("<I", message)
    return json.loads(message[4 : 4 + length])["type"]


with connect(sys.argv[1], open_timeout=10, max_size=None) as socket:
    hello = json.loads(socket.recv(timeout=10))
    assert hello["type"] == "hello", hello
    seen = []
    deadline = time.monotonic() + FRAME_TIMEOUT_S
    while "frame" not in seen:
        seen.append(message_type(socket.recv(timeout=max(0.1, deadline - time.monotonic()))))
    assert seen[:2] == ["session", "dataset"], seen
EOF
pass "/ws sends hello, session, dataset, then a frame"

uid=$(podman exec "$CONTAINER" id -u)
[ "$uid" != 0 ] || fail "the server runs as root"
pass "the server runs as uid $uid"

healthcheck=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")
"$PY" - "$healthcheck" "$CONTAINER" <<'EOF' || fail "the image's HEALTHCHECK: $healthcheck"
import json
import subprocess
import sys

healthcheck, container = json.loads(sys.argv[1]), sys.argv[2]
kind, *command = healthcheck["Test"]
assert kind == "CMD", healthcheck  # exec form: no shell in the way
subprocess.run(["podman", "exec", container, *command], check=True, timeout=30)
EOF
pass "the image's exec-form HEALTHCHECK passes against the running server"

config=$(podman image inspect --format '{{.Config.User}} {{range .Config.Env}}{{.}} {{end}}' "$IMAGE")
[[ " $config " == *" NEUROPLAY_HOST=0.0.0.0 "* ]] || fail "the image does not set NEUROPLAY_HOST=0.0.0.0: $config"
pass "the image runs as user ${config%% *} and serves on 0.0.0.0:8000 by default"

volumes=$(podman image inspect --format '{{range $path, $_ := .Config.Volumes}}{{$path}} {{end}}' "$IMAGE")
[[ " $config " == *" NEUROPLAY_DATA_DIR=/data "* && " $volumes " == *" /data "* ]] \
    || fail "the image does not keep runs in the volume /data: $config; volumes: $volumes"
podman exec "$CONTAINER" test -s /data/runs.sqlite3 || fail "the running server made no store in /data"
pass "the image keeps runs across restarts in the volume /data"

size_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image size: $IMAGE $((size_bytes / 1000000)) MB"
