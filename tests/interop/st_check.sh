#!/usr/bin/env bash
# The safetensors writer, checked by a reader that shares no code with it:
#   bash tests/interop/st_check.sh build/tests/interop/st_write
# st_write (tests/interop/st_write.c) writes a file with nninit_st_save plus each tensor
# as a .npy; tests/interop/st_read.py parses the file from the format's description with
# Debian's /usr/bin/python3 + NumPy and compares.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 path/to/st_write" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/nninit-st-XXXXXX")
trap 'rm -rf "$T"' EXIT
"$1" "$T"
/usr/bin/python3 "$ROOT/tests/interop/st_read.py" "$T"
