#!/bin/sh
# Installs the Debian packages a make target needs, when they are missing.
# Usage: scripts/deps.sh build|test|bench|aarch64|asan
# As root it runs apt-get (update once, then install -y); otherwise it names
# what is missing and fails.
set -eu
need=""
case "${1:-build}" in
  build)   need="gcc make libc6-dev" ;;
  test)    need="gcc make libc6-dev check pkg-config" ;;
  asan)    need="gcc make libc6-dev check pkg-config" ;;
  bench)   need="gcc g++ make libc6-dev libbenchmark-dev python3 python3-numpy python3-torch" ;;
  aarch64) need="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user check:arm64 libsubunit-dev:arm64" ;;
  *) echo "deps.sh: unknown set '$1'" >&2; exit 2 ;;
esac
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: missing packages:$missing (run as root, or: sudo apt-get install -y$missing)" >&2
  exit 1
fi
case "$missing" in *:arm64*)
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
esac
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing >/dev/null
