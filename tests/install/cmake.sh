#!/usr/bin/env bash
# The CMake package of an installed nninit (make cmake-check):
#   bash tests/install/cmake.sh STAGE WORKDIR
# STAGE is a fresh `make install PREFIX=STAGE`. With Debian's cmake:
#  - examples/cmake (find_package(nninit CONFIG REQUIRED); nninit::nninit and
#    nninit::nninit_static) configures, builds, and both programs run; the
#    shared one needs libnninit.so.MAJOR, the static one no libnninit at all;
#  - the same after the installed tree is moved elsewhere (paths are relative);
#  - the version file accepts the installed version, an older minor of the same
#    major and a range within it, and refuses a newer version, another major
#    and a range reaching past the major.
set -euo pipefail

STAGE=$(cd "$1" && pwd)
WORK=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n 's/^#define NNINIT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$ROOT/include/nninit.h" | paste -sd.)
MAJOR=${VERSION%%.*}
MINOR=$(echo "$VERSION" | cut -d. -f2)
fails=0
pass() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*" >&2; fails=$((fails + 1)); }

rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# build_example PREFIX BUILDDIR: configure + build examples/cmake, run both programs
build_example() {
    local prefix=$1 dir=$2
    if ! cmake -S "$ROOT/examples/cmake" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
            -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log" >&2; fail "configure against $prefix"; return 1
    fi
    grep -q "nninit_DIR:PATH=$prefix/lib/cmake/nninit" "$dir/CMakeCache.txt" \
        && pass "find_package found $prefix/lib/cmake/nninit" || fail "nninit_DIR is not under $prefix"
    if ! cmake --build "$dir" >"$dir.build.log" 2>&1; then
        cat "$dir.build.log" >&2; fail "build against $prefix"; return 1
    fi
    pass "built fill_example and fill_example_static against $prefix"
    local p
    for p in fill_example fill_example_static; do
        if out=$("$dir/$p" 2>&1); then pass "$p runs: $out"; else fail "$p: $out"; fi
    done
    local needed
    needed=$(readelf -d "$dir/fill_example" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep nninit || true)
    [ "$needed" = "libnninit.so.$MAJOR" ] && pass "fill_example needs libnninit.so.$MAJOR" \
        || fail "fill_example needs '$needed', expected libnninit.so.$MAJOR"
    # whole outputs first: grep -q may stop reading early, and pipefail would count that as a failure
    local deps
    deps=$(ldd "$dir/fill_example")
    if grep -q "=> $prefix/lib/libnninit.so.$MAJOR " <<<"$deps"; then
        pass "fill_example loads $prefix/lib/libnninit.so.$MAJOR"
    else
        fail "fill_example does not load the library under $prefix: $(grep nninit <<<"$deps")"
    fi
    deps=$(readelf -d "$dir/fill_example_static")
    if grep -q 'NEEDED.*nninit' <<<"$deps"; then
        fail "fill_example_static needs a shared libnninit"
    else
        pass "fill_example_static has nninit linked in"
    fi
}

echo "== CMake package installed in $STAGE"
for f in nninitConfig.cmake nninitConfigVersion.cmake nninitTargets.cmake; do
    [ -f "$STAGE/lib/cmake/nninit/$f" ] && pass "lib/cmake/nninit/$f" || fail "lib/cmake/nninit/$f missing"
done
if grep -n "$STAGE" "$STAGE"/lib/cmake/nninit/*.cmake; then fail "an absolute path to the prefix in the package"
else pass "no absolute path in the package"; fi
build_example "$STAGE" "$WORK/first"

echo "== after moving the installed tree"
MOVED="$WORK/moved/prefix"
mkdir -p "$WORK/moved"
cp -a "$STAGE" "$MOVED"
rm -rf "$WORK/hidden" && mv "$STAGE" "$WORK/hidden"      # the original place is gone meanwhile
build_example "$MOVED" "$WORK/second" || true
mv "$WORK/hidden" "$STAGE"

echo "== version checks"
# wants REQUEST EXPECT: configure a project asking find_package(nninit REQUEST CONFIG)
wants() {
    local request=$1 expect=$2 dir
    dir=$WORK/version-$(echo "$request" | tr -c 'A-Za-z0-9' '_')
    mkdir -p "$dir"
    cat >"$dir/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.19)
project(v C)
find_package(nninit $request CONFIG)
if(NOT nninit_FOUND)
  message(FATAL_ERROR "nninit not found")
endif()
message(STATUS "nninit_VERSION=\${nninit_VERSION}")
CMAKE
    if cmake -S "$dir" -B "$dir/b" -DCMAKE_PREFIX_PATH="$STAGE" >"$dir.log" 2>&1; then got=found; else got=refused; fi
    [ "$got" = "$expect" ] && pass "find_package(nninit $request): $got" \
        || { tail -5 "$dir.log" >&2; fail "find_package(nninit $request): $got, expected $expect"; }
}
wants "$VERSION" found
wants "$MAJOR.$MINOR" found
wants "$MAJOR" found
[ "$MINOR" -gt 0 ] && wants "$MAJOR.$((MINOR - 1))" found
wants "$MAJOR.$((MINOR + 1))" refused
wants "$((MAJOR + 1))" refused
wants "$MAJOR.0...<$((MAJOR + 1))" found
wants "$MAJOR.0...$((MAJOR + 1)).0" refused
wants "$VERSION EXACT" found

[ "$fails" -eq 0 ] && echo "cmake-check: all passed" || { echo "cmake-check: $fails failed" >&2; exit 1; }
