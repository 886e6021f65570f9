#!/usr/bin/env bash
# End-to-end checks of the command-line program: bash tests/cli/cli.sh build/nninit
#
# Files are read back with NumPy (Debian's /usr/bin/python3). Expected values
# are derived independently of the library: uniform(low=0, high=1) is
# recomputed from docs/CONTRACT.md with a NumPy Philox4x32-10 written here
# (and checked against the published known-answer vectors), stream ids from
# the FNV-1a + SplitMix64 definition, bf16/f16 files against the f32 file
# rounded by NumPy. Also: every error class gives its exit status (2 usage,
# 1 failure) and a message, and a failed run leaves no file behind.
set -u

. "$(dirname "$0")/cli_lib.sh" cli "$@"

# ---- the independent reference, in NumPy -------------------------------------------
cat >"$T/ref.py" <<'EOF'
import sys
import numpy as np

MASK = np.uint64(0xFFFFFFFF)

def philox4x32_10(ctr, key, rounds=10):
    """Philox4x32 (Salmon et al., SC11) on uint64 arrays holding 32-bit words."""
    c0, c1, c2, c3 = (np.asarray(x, dtype=np.uint64) for x in ctr)
    k0, k1 = (np.asarray(x, dtype=np.uint64) for x in key)
    for r in range(rounds):
        if r:
            k0 = (k0 + np.uint64(0x9E3779B9)) & MASK
            k1 = (k1 + np.uint64(0xBB67AE85)) & MASK
        p0 = np.uint64(0xD2511F53) * c0  # a 32 x 32-bit product fits in 64 bits
        p1 = np.uint64(0xCD9E8D57) * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & MASK,
                          (p0 >> np.uint64(32)) ^ c3 ^ k1, p0 & MASK)
    return c0, c1, c2, c3

def check_kat(path):
    for line in open(path):
        if line.startswith('#') or not line.strip():
            continue
        f = line.split()
        rounds = int(f[1])
        v = [int(x, 16) for x in f[2:]]
        out = philox4x32_10(v[0:4], v[4:6], rounds)
        if [int(x) for x in out] != v[6:10]:
            sys.exit('philox reference disagrees with the known-answer vector: ' + line)

def words(n_counters, seed, stream):
    """w[0..3] for counter block numbers 0 .. n_counters-1."""
    c = np.arange(n_counters, dtype=np.uint64)
    s, k = np.uint64(stream), np.uint64(seed)
    return philox4x32_10((c & MASK, c >> np.uint64(32), np.full_like(c, s & MASK),
                          np.full_like(c, s >> np.uint64(32))),
                         (k & MASK, k >> np.uint64(32)))

def uniform01(n, seed, stream, f64):
    """uniform(low=0, high=1) per docs/CONTRACT.md: r itself (the fma/mla and
    the clamp below 1 are exact no-ops for this interval)."""
    e = np.arange(n, dtype=np.uint64)
    if f64:
        chunk, p = e // np.uint64(32), e % np.uint64(32)
    else:
        chunk, p = e // np.uint64(64), e % np.uint64(64)
    c = chunk * np.uint64(16) + p % np.uint64(16)
    w = np.stack(words(int(c.max()) + 1 if n else 0, seed, stream))  # 4 x counters
    if f64:
        j = (p // np.uint64(16)).astype(np.int64)
        lo = w[2 * j, c.astype(np.int64)]
        hi = w[2 * j + 1, c.astype(np.int64)]
        u = lo | (hi << np.uint64(32))
        return (u >> np.uint64(12)).astype(np.float64) * 2.0 ** -52
    wd = w[(p // np.uint64(16)).astype(np.int64), c.astype(np.int64)]
    return (wd >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24)

def stream_id(name):
    h = 0xcbf29ce484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 30; h = (h * 0xbf58476d1ce4e5b9) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 27; h = (h * 0x94d049bb133111eb) & 0xFFFFFFFFFFFFFFFF
    return h ^ (h >> 31)

def bf16_round(f32):
    b = f32.view(np.uint32).astype(np.uint64)
    return ((b + np.uint64(0x7FFF) + ((b >> np.uint64(16)) & np.uint64(1))) >> np.uint64(16)).astype(np.uint16)

def load(path, shape, descr):
    a = np.load(path)
    if a.shape != shape:
        sys.exit('%s: shape %s, expected %s' % (path, a.shape, shape))
    if a.dtype.str != descr:
        sys.exit('%s: dtype %s, expected %s' % (path, a.dtype.str, descr))
    return a

def same_bits(a, b, what):
    if a.shape != b.shape or a.dtype.itemsize != b.dtype.itemsize or a.tobytes() != b.tobytes():
        bad = np.flatnonzero(a.view('u%d' % a.dtype.itemsize).ravel() != b.view('u%d' % b.dtype.itemsize).ravel())
        sys.exit('%s: %d of %d elements differ, first at %s: %r vs %r' % (
            what, bad.size, a.size, bad[:1], a.ravel()[bad[:1]], b.ravel()[bad[:1]]))

cmd = sys.argv[1]
if cmd == 'kat':
    check_kat(sys.argv[2])
elif cmd == 'stream_id':
    print(stream_id(sys.argv[2]))
elif cmd == 'load':      # load FILE SHAPE DESCR: SHAPE as a Python tuple literal
    load(sys.argv[2], tuple(eval(sys.argv[3])), sys.argv[4])
elif cmd == 'uniform01': # uniform01 FILE SHAPE f32|f64 SEED STREAM
    path, shape, dt, seed, stream = sys.argv[2], tuple(eval(sys.argv[3])), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    a = load(path, shape, '<f8' if dt == 'f64' else '<f4')
    same_bits(a.ravel(), uniform01(a.size, seed, stream, dt == 'f64'), path + ' vs the NumPy Philox reference')
elif cmd == 'rounded':   # rounded F32FILE F16FILE bf16|f16
    f32 = np.load(sys.argv[2])
    h = np.load(sys.argv[3])
    if sys.argv[4] == 'bf16':
        same_bits(h, bf16_round(f32), sys.argv[3] + ' vs the f32 file rounded to bf16')
    else:
        same_bits(h, f32.astype(np.float16), sys.argv[3] + ' vs the f32 file rounded to f16')
elif cmd == 'equal':     # equal A B: same dtype, shape and bits
    a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
    if a.dtype != b.dtype:
        sys.exit('dtypes %s and %s' % (a.dtype, b.dtype))
    same_bits(a, b, sys.argv[2] + ' vs ' + sys.argv[3])
elif cmd == 'differ':    # differ A B: same shape, different values
    a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
    if a.tobytes() == b.tobytes():
        sys.exit('%s and %s are identical' % (sys.argv[2], sys.argv[3]))
elif cmd == 'expr':      # expr FILE EXPRESSION-IN-a: must be true
    a = np.load(sys.argv[2])
    if not eval(sys.argv[3]):
        sys.exit('%s: not (%s)' % (sys.argv[2], sys.argv[3]))
elif cmd == 'sliced':    # sliced WHOLE PART SLICE: PART is WHOLE[SLICE] as NumPy reads Python's slice syntax
    whole, part = np.load(sys.argv[2]), np.load(sys.argv[3])
    key = eval('np.s_[%s]' % sys.argv[4]) if sys.argv[4] else ()
    same_bits(part, whole[key], '%s vs %s[%s]' % (sys.argv[3], sys.argv[2], sys.argv[4]))
elif cmd == 'uniform01_sliced':  # uniform01_sliced PART SHAPE f32|f64 SEED STREAM SLICE
    part, shape, dt = np.load(sys.argv[2]), tuple(eval(sys.argv[3])), sys.argv[4]
    whole = uniform01(int(np.prod(shape)), int(sys.argv[5]), int(sys.argv[6]), dt == 'f64').reshape(shape)
    same_bits(part, whole[eval('np.s_[%s]' % sys.argv[7])], sys.argv[2] + ' vs the NumPy Philox reference, sliced')
elif cmd == 'stitch':    # stitch WHOLE R C: files part_I_J.npy (I < R, J < C) put together are WHOLE
    whole, r, c = np.load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    blocks = [[np.load('part_%d_%d.npy' % (i, j)) for j in range(c)] for i in range(r)]
    same_bits(np.block(blocks), whole, '%d x %d blocks stitched vs %s' % (r, c, sys.argv[2]))
else:
    sys.exit('ref.py: unknown command ' + cmd)
EOF
ref() { "$PY" "$T/ref.py" "$@"; }

check "numpy is importable by $PY" "$PY" -c 'import numpy'
check "the NumPy Philox reproduces the known-answer vectors" ref kat "$ROOT/tests/data/philox4x32_kat.txt"

# ---- help and version ------------------------------------------------------------------
for h in help -h --help; do
    run $h
    if [ "$rc" -eq 0 ] && grep -q '^usage: nninit' "$T/out" && [ ! -s "$T/err" ]; then pass
    else fail "nninit $h: status $rc, usage on stdout expected"; fi
done
run fill --help
if [ "$rc" -eq 0 ] && grep -q -- '--shape' "$T/out"; then pass; else fail "nninit fill --help"; fi
version=$(sed -n 's/^#define NNINIT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$ROOT/include/nninit.h" | paste -sd.)
run --version
if [ "$rc" -eq 0 ] && grep -q "^nninit $version " "$T/out"; then pass
else fail "nninit --version: status $rc, '$(cat "$T/out")', expected 'nninit $version ...'"; fi

# ---- fill: every dtype, shapes, values -----------------------------------------------------
for dt in f32:'<f4' f64:'<f8' bf16:'<u2' f16:'<f2'; do
    name=${dt%%:*} descr=${dt#*:}
    run fill --shape 64,3,7,7 --init "kaiming_normal(mode=fan_out)" --seed 7 --dtype "$name" -o "$F/w_$name.npy"
    if [ "$rc" -ne 0 ]; then fail "fill --dtype $name: status $rc: $(cat "$T/err")"; continue; fi
    check "fill --dtype $name loads with shape (64, 3, 7, 7) and dtype $descr" ref load "$F/w_$name.npy" "(64,3,7,7)" "$descr"
done
rm -f "$F"/w_*.npy

# uniform(low=0, high=1) against the NumPy Philox: default seed and stream,
# the largest seed, a stream by number and by name, f32 and f64, partial chunks
sid=$(ref stream_id "layer0.weight")
for args in "f32 0 0 --shape 3,50" "f32 18446744073709551615 0 --shape 1000 --seed 18446744073709551615" \
            "f64 5 12345678901234 --shape 7x9x3 --seed 5 --stream 12345678901234" \
            "f32 42 $sid --shape 130 --seed 42 --name layer0.weight" \
            "f64 42 $sid --shape 2,33 --seed 0x2a --name layer0.weight"; do
    read -ra words <<<"$args"
    set -- "${words[@]}"
    dt=$1 seed=$2 stream=$3; shift 3   # then --shape SHAPE and the rest
    shape=$(echo "$2" | tr 'x' ',')
    run fill --init "uniform(low=0, high=1)" --dtype "$dt" -f -o "$F/u.npy" "$@"
    if [ "$rc" -ne 0 ]; then fail "fill $args: status $rc: $(cat "$T/err")"; continue; fi
    check "fill $args equals the NumPy Philox reference" ref uniform01 "$F/u.npy" "($shape,)" "$dt" "$seed" "$stream"
done
rm -f "$F/u.npy"

# 16-bit files are the f32 file rounded to nearest even (normal: no exception)
for dt in bf16 f16; do
    run fill --shape 40,25 --init "normal(std=2)" --seed 3 --name emb --dtype f32 -o "$F/n32.npy"
    run fill --shape 40,25 --init "normal(std=2)" --seed 3 --name emb --dtype "$dt" -f -o "$F/n16.npy"
    check "$dt file equals the f32 file rounded by NumPy" ref rounded "$F/n32.npy" "$F/n16.npy" "$dt"
done
# a scheme that reduces to a fill: xavier_uniform on 3x3 has bound sqrt(6 / 6) = 1
run fill --shape 3,3 --init xavier_uniform --seed 9 -o "$F/xa.npy"
run fill --shape 3,3 --init "uniform(low=-1, high=1)" --seed 9 -o "$F/un.npy"
check "xavier_uniform on 3x3 equals uniform(low=-1, high=1)" ref equal "$F/xa.npy" "$F/un.npy"
# determinism, and each of seed / stream changes the values
run fill --shape 3,3 --init xavier_uniform --seed 9 -o "$F/xa2.npy"
check "the same arguments give the same file" cmp -s "$F/xa.npy" "$F/xa2.npy"
run fill --shape 3,3 --init xavier_uniform --seed 10 -f -o "$F/xa2.npy"
check "another seed gives other values" ref differ "$F/xa.npy" "$F/xa2.npy"
run fill --shape 3,3 --init xavier_uniform --seed 9 --stream 1 -f -o "$F/xa2.npy"
check "another stream gives other values" ref differ "$F/xa.npy" "$F/xa2.npy"
run fill --shape 3,3 --init xavier_uniform --seed 9 --name "" -f -o "$F/xa2.npy"
run fill --shape 3,3 --init xavier_uniform --seed 9 --stream "$(ref stream_id "")" -o "$F/xa3.npy"
check "--name '' is --stream stream_id('')" cmp -s "$F/xa2.npy" "$F/xa3.npy"
# values NumPy knows without any generator
run fill --shape 3,4 --init eye --dtype f64 -o "$F/eye.npy"
check "eye on 3x4 is np.eye(3, 4)" ref expr "$F/eye.npy" "a.dtype == np.float64 and (a == np.eye(3, 4)).all()"
run fill --shape 5 --init "constant(value=0.1)" --dtype f32 -o "$F/c.npy"
check "constant(value=0.1) f32" ref expr "$F/c.npy" "a.shape == (5,) and (a == np.float32(0.1)).all()"
run fill --shape 2,2 --init ones --dtype bf16 -f -o "$F/c.npy"
check "ones in bf16 are 0x3F80" ref expr "$F/c.npy" "a.dtype.str == '<u2' and (a == 0x3F80).all()"
rm -f "$F"/xa*.npy "$F/un.npy" "$F/n32.npy" "$F/n16.npy" "$F/eye.npy" "$F/c.npy"

# arithmetic in --init: the value is the double C gives, so the draws are those of the literal
# that Python's binary64 arithmetic gives for 0.02/sqrt(24) (math.sqrt is correctly rounded, as
# C's sqrt), and not those of the doubles either side of it
lit=$($PY -c 'import math; print(repr(0.02 / math.sqrt(24.0)))')
below=$($PY -c 'import math; print(repr(math.nextafter(0.02 / math.sqrt(24.0), 0)))')
run_ok "expression" fill --shape 257 --init "normal(std=0.02/sqrt(2*12))" --dtype f64 --seed 5 -o "$F/ex.npy"
run_ok "expression, spaced" fill --shape 257 --init "normal(std = 0.02 / sqrt(24))" --dtype f64 --seed 5 -o "$F/ex2.npy"
run_ok "literal" fill --shape 257 --init "normal(std=$lit)" --dtype f64 --seed 5 -o "$F/lit.npy"
run_ok "literal below" fill --shape 257 --init "normal(std=$below)" --dtype f64 --seed 5 -o "$F/below.npy"
check "normal(std=0.02/sqrt(2*12)) is normal(std=$lit), bit for bit" cmp -s "$F/ex.npy" "$F/lit.npy"
check "normal(std = 0.02 / sqrt(24)) too" cmp -s "$F/ex2.npy" "$F/lit.npy"
check "normal(std=$below) differs" ref differ "$F/lit.npy" "$F/below.npy"
expect_error 1 "column 13: std out of range: division by zero" fill --shape 3 --init "normal(std=1/(2-2))" -o "$F/bad.npy"
expect_error 1 "unknown variable 'n_layers'" fill --shape 3 --init "normal(std=0.02/sqrt(2*n_layers))" -o "$F/bad.npy"
# the long dtype names (PyTorch's, Hugging Face configs') are the short ones
for pair in bfloat16:bf16 float16:f16 float32:f32 float64:f64; do
    run_ok "--dtype ${pair%%:*}" fill --shape 9 --init normal --seed 2 --dtype "${pair%%:*}" -f -o "$F/long.npy" &&
        run_ok "--dtype ${pair##*:}" fill --shape 9 --init normal --seed 2 --dtype "${pair##*:}" -f -o "$F/short.npy" &&
        check "--dtype ${pair%%:*} is --dtype ${pair##*:}" cmp -s "$F/long.npy" "$F/short.npy"
done
rm -f "$F/ex.npy" "$F/ex2.npy" "$F/lit.npy" "$F/below.npy" "$F/long.npy" "$F/short.npy"

# shapes: 0-D both ways, empty, 1-D, 8-D, 'x' separators
run fill --shape scalar --init "constant(value=3)" -o "$F/s.npy"
check "--shape scalar is 0-D" ref expr "$F/s.npy" "a.shape == () and a == 3"
run fill --shape "" --init "constant(value=3)" -o "$F/s2.npy"
check "--shape '' is 0-D too" cmp -s "$F/s.npy" "$F/s2.npy"
run fill --shape= --init "constant(value=3)" -f -o "$F/s2.npy"
check "--shape= is 0-D too" cmp -s "$F/s.npy" "$F/s2.npy"
run fill --shape 0,3 --init "normal" -f -o "$F/s.npy"
check "--shape 0,3 is empty" ref load "$F/s.npy" "(0,3)" "<f4"
run fill --shape 17 --init normal -f -o "$F/s.npy"
check "--shape 17 is 1-D" ref load "$F/s.npy" "(17,)" "<f4"
run fill --shape 2,1,3,1,2,1,2,1 --init normal -f -o "$F/s.npy"
check "8-D shape" ref load "$F/s.npy" "(2,1,3,1,2,1,2,1)" "<f4"
run fill --shape 2x1x3x1x2x1x2x1 --init normal -f -o "$F/s2.npy"
check "'x' separates sizes like ','" cmp -s "$F/s.npy" "$F/s2.npy"
rm -f "$F/s.npy" "$F/s2.npy"

# ---- fill --slice: each part equals NumPy's slice of the whole tensor ------------------------
# slice_cases: INIT SHAPE DTYPE SLICE...; every SLICE is checked against the whole file read by
# NumPy, which applies Python's own slice syntax (negative bounds, omitted ends, trailing ':').
slice_cases() {
    local init=$1 shape=$2 dt=$3; shift 3
    run fill --shape "$shape" --init "$init" --dtype "$dt" --seed 11 --name w -f -o "$F/whole.npy"
    [ "$rc" -eq 0 ] || { fail "fill --shape $shape --init $init: status $rc: $(cat "$T/err")"; return; }
    for sl in "$@"; do
        run fill --shape "$shape" --init "$init" --dtype "$dt" --seed 11 --name w --slice "$sl" -f -o "$F/part.npy"
        if [ "$rc" -ne 0 ]; then fail "fill $init $shape --slice '$sl': status $rc: $(cat "$T/err")"; continue; fi
        check "$init $dt $shape --slice '$sl' is NumPy's slice of the whole tensor" \
            ref sliced "$F/whole.npy" "$F/part.npy" "$sl"
    done
}
slice_cases "kaiming_normal(mode=fan_out)" 64,3,7,7 f32 0:32 :,1: 10:20,:,2:5,-3: -1: :,:,:,3:4 5:6,2:3,0:1,6:7 : ""
slice_cases "trunc_normal(std=0.02)" 96x130 bf16 0:48 48: :,0:65 :,65: -10:,-7:-2 :-90,:1
slice_cases orthogonal 12,20 f64 0:6 :,5:15 3:4,19:
slice_cases eye 9,13 f16 2:7,3:11 :,8:
slice_cases "dirac(groups=2)" 8,3,5 f32 :,1:,2:4 5:8
slice_cases "sparse(sparsity=0.4)" 30,17 f32 5:25,3:9 :,-1:
slice_cases "xavier_uniform(layout=hwio)" 3,4,5,6,7 f16 1:3,:,2:,-2:,1:6 :,:,:,:,-1:
slice_cases "constant(value=3)" scalar f32 ""
rm -f "$F/whole.npy" "$F/part.npy"
# against the independent NumPy Philox: uniform(low=0, high=1), f32 and f64
for dt in f32 f64; do
    run fill --shape 50,70 --init "uniform(low=0, high=1)" --dtype "$dt" --seed 5 --stream 77 --slice 13:41,-50:-3 -o "$F/u.npy"
    check "--slice 13:41,-50:-3 of uniform $dt equals the NumPy Philox reference, sliced" \
        ref uniform01_sliced "$F/u.npy" "(50,70)" "$dt" 5 77 "13:41,-50:-3"
    rm -f "$F/u.npy"
done
# tensor parallelism: 3 row blocks x 5 column blocks (uneven) stitched back are the whole tensor
run fill --shape 97,131 --init "kaiming_uniform(nonlinearity=relu)" --dtype bf16 --name h.0.w -o "$F/whole.npy"
rows=(0 33 65 97) cols=(0 27 53 79 105 131)
for i in 0 1 2; do
    for j in 0 1 2 3 4; do
        run fill --shape 97,131 --init "kaiming_uniform(nonlinearity=relu)" --dtype bf16 --name h.0.w \
            --slice "${rows[i]}:${rows[i+1]},${cols[j]}:${cols[j+1]}" -o "$F/part_${i}_${j}.npy"
        [ "$rc" -eq 0 ] || fail "shard $i,$j: status $rc: $(cat "$T/err")"
    done
done
(cd "$F" && ref stitch whole.npy 3 5) && pass || fail "the 3 x 5 shards stitched together differ from the whole tensor"
rm -f "$F"/part_*.npy "$F/whole.npy"
# only the slice is held: a slice of a tensor far too large for memory (2^62 elements)
run fill --shape 4611686018427387904 --init normal --seed 3 --slice 1000:1010 -o "$F/big.npy"
run fill --shape 1010 --init normal --seed 3 -o "$F/small.npy"
check "--slice 1000:1010 of a 2^62-element tensor is elements 1000..1009 of the fill" \
    ref sliced "$F/small.npy" "$F/big.npy" "1000:"
rm -f "$F/big.npy" "$F/small.npy"

# ---- outputs: standard output, /dev/null ---------------------------------------------------
run fill --shape 4,5 --init normal --seed 1 -o "$F/file.npy"
"$NNINIT" fill --shape 4,5 --init normal --seed 1 -o - | cat >"$T/piped.npy"
check "-o - through a pipe gives the file's bytes" cmp -s "$F/file.npy" "$T/piped.npy"
"$NNINIT" fill --shape 4,5 --init normal --seed 1 -o - >"$T/redirected.npy"
check "-o - redirected to a file gives the file's bytes" cmp -s "$F/file.npy" "$T/redirected.npy"
rm -f "$F/file.npy" "$T/piped.npy" "$T/redirected.npy"
run fill --shape 1000 --init normal -o /dev/null
if [ "$rc" -eq 0 ] && [ -c /dev/null ] && [ ! -s "$T/err" ]; then pass; else fail "-o /dev/null: status $rc"; fi

# ---- schemes -----------------------------------------------------------------------------------
run schemes
if [ "$rc" -ne 0 ]; then fail "nninit schemes: status $rc"; fi
for s in zeros ones constant uniform normal trunc_normal trunc_normal_sigma xavier_uniform xavier_normal \
         kaiming_uniform kaiming_normal lecun_uniform lecun_normal variance_scaling orthogonal eye dirac sparse \
         pytorch_default pytorch_default_bias; do
    if grep -q "^$s " "$T/out"; then pass; else fail "nninit schemes does not list $s"; fi
done
# every default spec it prints is one the library takes (constant, sparse and
# pytorch_default_bias have a required parameter and print none)
grep '^    ' "$T/out" | sed -e 's/^ *//' -e 's/  \[.*$//' | grep -v '(\.\.\.)' >"$T/specs"
if [ "$(wc -l <"$T/specs")" -ge 17 ]; then pass; else fail "nninit schemes printed $(wc -l <"$T/specs") default specs"; fi
cp "$T/out" "$T/schemes.txt"
while IFS= read -r spec; do
    shape=4,4
    case $spec in dirac*) shape=4,4,3,3;; esac
    run fill --shape $shape --init "$spec" -o /dev/null
    if [ "$rc" -eq 0 ]; then pass; else fail "the listed default '$spec' is rejected: $(cat "$T/err")"; fi
done <"$T/specs"

# ---- errors: exit status, message, no file -------------------------------------------------------
o=(-o "$F/bad.npy")
ok=(--shape 3 --init zeros "${o[@]}")
# usage errors: 2
expect_error 2 'no command given'
expect_error 2 "unknown command 'frob'" frob
expect_error 2 "unknown option '--frob'" --frob
expect_error 2 "unknown option '--frob'" fill "${ok[@]}" --frob
expect_error 2 "unexpected argument 'extra'" fill "${ok[@]}" extra
expect_error 2 "unexpected argument 'extra'" schemes extra
expect_error 2 '--seed needs a value' fill "${ok[@]}" --seed
expect_error 2 '-o needs a value' fill --shape 3 --init zeros -o
expect_error 2 '--shape is required' fill --init zeros "${o[@]}"
expect_error 2 '--init is required' fill --shape 3 "${o[@]}"
expect_error 2 '--output is required' fill --shape 3 --init zeros
expect_error 2 '--seed given twice' fill "${ok[@]}" --seed 1 --seed 2
expect_error 2 '--stream and --name' fill "${ok[@]}" --stream 1 --name w
for bad in abc -1 +7 " 7" "7 " 1e3 1.5 0x 0xg 18446744073709551616 99999999999999999999999 ""; do
    expect_error 2 "--seed: '$bad' is not an unsigned 64-bit integer" fill "${ok[@]}" --seed "$bad"
done
expect_error 2 "--stream: '-5' is not an unsigned 64-bit integer" fill "${ok[@]}" --stream -5
for bad in 64,,3 "3," ,3 a -3 3.5 "64, 3" "3;4" 3X4 "(3,4)" x; do
    expect_error 2 "--shape: '$bad' is not a list of sizes" fill --shape "$bad" --init zeros "${o[@]}"
done
expect_error 2 "more than 8 sizes" fill --shape 1,1,1,1,1,1,1,1,1 --init zeros "${o[@]}"
expect_error 2 "too large" fill --shape 9223372036854775808 --init zeros "${o[@]}"
expect_error 2 "too many elements" fill --shape 4294967296,4294967296 --init zeros "${o[@]}"
expect_error 2 "too many elements" fill --shape 4611686018427387904 --init zeros "${o[@]}"
for bad in f8 float F32 "" bfloat Float32 fp32; do
    expect_error 2 "--dtype: '$bad' is not one of" fill "${ok[@]}" --dtype "$bad"
done
expect_error 2 "--slice given twice" fill "${ok[@]}" --slice 0:1 --slice 1:2
expect_error 2 "has a step; steps are not supported" fill "${ok[@]}" --slice 0:3:2
expect_error 2 "has a step" fill "${ok[@]}" --slice ::2
expect_error 2 "entry '1' is not a slice" fill "${ok[@]}" --slice 1
expect_error 2 "entry '' is not a slice" fill --shape 3,3 --init zeros "${o[@]}" --slice 0:1,,0:1
expect_error 2 "entry '' is not a slice" fill "${ok[@]}" --slice 0:1,
for bad in a:b 1.5:2 " 0:2" "0:2 " +1:2 --1: 0:0x2 "0:2;"; do
    expect_error 2 "is not an integer" fill "${ok[@]}" --slice "$bad"
done
expect_error 2 "'99999999999999999999' is too large" fill "${ok[@]}" --slice 0:99999999999999999999
expect_error 2 "more than 8 entries" fill "${ok[@]}" --slice :,:,:,:,:,:,:,:,:
# failures: 1
expect_error 1 "'0:5' is out of bounds for dimension 0 of size 4" fill --shape 4,3 --init normal "${o[@]}" --slice 0:5
expect_error 1 "'-5:' is out of bounds for dimension 0 of size 4" fill --shape 4,3 --init normal "${o[@]}" --slice -5:
expect_error 1 "'5:' is out of bounds" fill --shape 4,3 --init normal "${o[@]}" --slice 5:
expect_error 1 "':4' is out of bounds for dimension 1 of size 3" fill --shape 4,3 --init eye "${o[@]}" --slice :,:4
expect_error 1 "'2:2' selects nothing of dimension 0" fill --shape 4,3 --init normal "${o[@]}" --slice 2:2
expect_error 1 "'3:1' selects nothing" fill --shape 4,3 --init orthogonal "${o[@]}" --slice 3:1
expect_error 1 "the slice is empty" fill --shape 4,3 --init normal "${o[@]}" --slice :,-1:-2
expect_error 1 "the slice is empty" fill --shape 4,3 --init normal "${o[@]}" --slice :0
expect_error 1 "3 entries for a 2-D tensor" fill --shape 4,3 --init normal "${o[@]}" --slice :,:,:
expect_error 1 "1 entries for a 0-D tensor" fill --shape scalar --init normal "${o[@]}" --slice :
expect_error 1 "the slice is empty" fill --shape 0,3 --init normal "${o[@]}" --slice :
expect_error 1 "dimension 1 has size 0: the slice is empty" fill --shape 4,0 --init normal "${o[@]}" --slice 0:2
expect_error 1 "unknown scheme" fill --shape 4,3 --init bogus "${o[@]}" --slice 0:9
expect_error 1 "unknown scheme 'bogus'" fill --shape 3 --init bogus "${o[@]}"
expect_error 1 'init spec' fill --shape 3 --init "normal(std=" "${o[@]}"
expect_error 1 'std' fill --shape 3 --init "normal(std=-1)" "${o[@]}"
expect_error 1 'eye' fill --shape 3 --init eye "${o[@]}"
expect_error 1 "cannot write '$F/missing/w.npy': No such file or directory" \
    fill --shape 3 --init zeros -o "$F/missing/w.npy"
# a failed run keeps an existing file as it was
echo "old contents" >"$F/keep.npy"
expect_error 1 "unknown scheme" fill --shape 3 --init bogus -o "$F/keep.npy"
expect_error 2 "not a list of sizes" fill --shape 3,,3 --init zeros -o "$F/keep.npy"
# ... also when the write itself fails midway (file size limit: EFBIG)
(ulimit -f 1; exec "$NNINIT" fill --shape 100000 --init normal -f -o "$F/keep.npy") >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "cannot write '$F/keep.npy': File too large" "$T/err"; then pass
else fail "write past ulimit -f: status $rc, '$(cat "$T/err")'"; fi
check "the existing file survives every failed run" test "$(cat "$F/keep.npy")" = "old contents"
check "no temporary files are left behind" test "$(ls -A "$F")" = "keep.npy"

echo "cli: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
