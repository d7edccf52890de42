#!/usr/bin/env bash
# Makes sure a Docker engine answers and the sample images exist, without any registry.
# Used by `npm start`, `npm test` and .ci/run. Idempotent: does nothing when all is there.
set -euo pipefail

say() { echo "[ensure-docker] $*" >&2; }

# Installs Debian's package $1 (needed for $2) with apt-get as root; elsewhere says what to install and stops.
install_package() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "$2 needs Debian's $1: apt-get install $1"
    exit 1
  fi
  say "installing Debian's $1 for $2"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$1" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "$1" >/dev/null; }
}

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if ! docker_answers; then
  command -v dockerd >/dev/null 2>&1 || install_package docker.io "a Docker engine (none answers, and dockerd is not installed)"
  if [ "$(id -u)" != 0 ]; then
    say "Docker is installed but not answering; start it (e.g. sudo systemctl start docker)."
    exit 1
  fi
  say "starting dockerd (log: /var/log/dockerd.log)"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker_answers && break; sleep 1; done
  docker_answers || { say "dockerd did not come up; see /var/log/dockerd.log"; exit 1; }
  say "dockerd is up"
fi

# iptables: dev mode keeps jobs and builds off the host's own services with it when it runs as
# root (local/docker/host-firewall.ts), through the same command dockerd uses (iptables-nft on Debian 12).
if [ "$(id -u)" = 0 ] && ! command -v iptables >/dev/null 2>&1; then
  install_package iptables "keeping jobs off the host's services"
fi

# containerizer/busybox:latest — a root filesystem holding Debian's static busybox,
# imported as an image, since no registry can be reached.
IMAGE=containerizer/busybox:latest
BUSYBOX=/bin/busybox
# ldd fails on a static executable; a dynamic busybox would need the host's libc in the image.
is_static() { [ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1; }

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  is_static "$BUSYBOX" || install_package busybox-static "the sample image $IMAGE"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  chmod 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$root/etc/passwd"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$IMAGE" >/dev/null
  say "built $IMAGE from Debian's busybox-static"
fi

# containerizer/python:latest — Debian's python3 (the host's, from the python3.11-minimal and
# libpython3.11-stdlib packages) with the shared libraries ldd names and its standard library,
# imported as an image, since no registry can be reached. No shell: an image holds only what
# its jobs need (and a sh script on it fails with "the image has no sh interpreter").
# Smaller and faster than a debootstrap (~50 MB, built in a second; the stdlib's tests, IDLE, Tk and bytecode caches left out).
PY_IMAGE=containerizer/python:latest
if ! docker image inspect "$PY_IMAGE" >/dev/null 2>&1; then
  python=$(readlink -f /usr/bin/python3 2>/dev/null || true)
  if [ -z "$python" ] || [ ! -x "$python" ]; then
    install_package python3-minimal "the python image $PY_IMAGE"
    python=$(readlink -f /usr/bin/python3)
  fi
  version=$(basename "$python")                       # e.g. python3.11
  stdlib=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
  pyroot=$(mktemp -d)
  trap 'rm -rf "${root:-}" "$pyroot"' EXIT
  mkdir -p "$pyroot/usr/bin" "$pyroot/tmp" "$pyroot/etc"
  chmod 1777 "$pyroot/tmp"
  cp "$python" "$pyroot/usr/bin/$version"
  ln -s "$version" "$pyroot/usr/bin/python3"
  # The dynamic loader and every library the interpreter links, at the paths ldd resolved.
  for lib in $(ldd "$python" | grep -o '/[^ ]*'); do
    mkdir -p "$pyroot$(dirname "$lib")"
    cp -L "$lib" "$pyroot$lib"
  done
  mkdir -p "$pyroot$stdlib"
  tar -C "$stdlib" --exclude=__pycache__ --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo \
    --exclude=./ensurepip --exclude=./lib2to3 --exclude=./dist-packages --exclude=./site-packages -c . | tar -C "$pyroot$stdlib" -x
  echo 'root:x:0:0:root:/root:/usr/bin/python3' >"$pyroot/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/usr/bin/python3' >>"$pyroot/etc/passwd"
  tar -C "$pyroot" -c . | docker import -c 'ENV PATH=/usr/bin' -c 'CMD ["python3"]' - "$PY_IMAGE" >/dev/null
  say "built $PY_IMAGE from Debian's $version"
fi
