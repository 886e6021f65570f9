#!/usr/bin/env bash
# End-to-end checks of `nninit init`: bash tests/cli/cli_init.sh build/nninit
#
# Files are read back with a safetensors reader written here in a few lines
# of Python + NumPy (8-byte length, JSON header, data offsets), not with the
# library. Every tensor must equal, bit for bit, what `nninit fill` writes for
# the same shape, init string, name (stream), seed and dtype; the npy
# directory must hold the same tensors; -o - and -o /dev/null work; --from
# loads, renames and reports; failed runs leave nothing; bad arguments exit 2.
set -u

. "$(dirname "$0")/cli_lib.sh" cli-init "$@"

# ---- an independent safetensors reader ------------------------------------------------------
cat >"$T/st.py" <<'EOF'
import json, os, subprocess, sys, urllib.parse
import numpy as np

DESCR = {'F32': '<f4', 'F64': '<f8', 'F16': '<f2', 'BF16': '<u2'}  # bf16: raw bits, as nninit's .npy
NAME = {'F32': 'f32', 'F64': 'f64', 'F16': 'f16', 'BF16': 'bf16'}

def parse(b, what):
    """safetensors: u64 little-endian header length n, n bytes of JSON, the data."""
    if len(b) < 8:
        sys.exit('%s: %d bytes' % (what, len(b)))
    n = int.from_bytes(b[:8], 'little')
    if (8 + n) % 64:
        sys.exit('%s: data starts at %d, not a multiple of 64' % (what, 8 + n))
    header = json.loads(b[8:8 + n].decode('utf-8'))
    data = b[8 + n:]
    meta = header.pop('__metadata__', {})
    spans, tensors = [], {}
    for name, e in header.items():
        lo, hi = e['data_offsets']
        d = np.dtype(DESCR[e['dtype']])
        count = int(np.prod(e['shape'], dtype=np.int64))
        if hi - lo != count * d.itemsize or lo % d.itemsize:
            sys.exit('%s: %s: offsets %d..%d for %s %s' % (what, name, lo, hi, e['dtype'], e['shape']))
        spans.append((lo, hi))
        tensors[name] = (e['dtype'], np.frombuffer(data, dtype=d, count=count, offset=lo).reshape(e['shape']))
    pos = 0
    for lo, hi in sorted(spans):  # the format allows no gaps and no overlap
        if lo != pos:
            sys.exit('%s: gap or overlap at %d' % (what, pos))
        pos = hi
    if pos != len(data):
        sys.exit('%s: %d data bytes, tensors end at %d' % (what, len(data), pos))
    return meta, tensors

def read(path):
    with open(path, 'rb') as f:
        return parse(f.read(), path)

def same(a, b, what):
    if a.shape != b.shape or a.dtype.str != b.dtype.str or a.tobytes() != b.tobytes():
        sys.exit('%s: differ (%s %s vs %s %s)' % (what, a.dtype, a.shape, b.dtype, b.shape))

def bf16_round(f32):
    b = f32.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((b + np.uint64(0x7FFF) + ((b >> np.uint64(16)) & np.uint64(1))) >> np.uint64(16)).astype(np.uint16)

def fill_check(path, nninit, tmp, only=None):
    """Each tensor equals `nninit fill` with the init the metadata's spec gives it."""
    meta, tensors = read(path)
    spec = json.loads(meta['spec'])
    seed = meta['seed']
    listed = {t['name']: t for t in spec['tensors']}
    if set(listed) != set(tensors):
        sys.exit('%s: spec names %s, file names %s' % (path, sorted(listed), sorted(tensors)))
    for name, (dt, a) in tensors.items():
        if only is not None and name not in only:
            continue
        t = listed[name]
        if list(a.shape) != t['shape'] or NAME[dt] != t['dtype']:
            sys.exit('%s: %s is %s %s, the spec says %s %s' % (path, name, dt, a.shape, t['dtype'], t['shape']))
        out = os.path.join(tmp, 'fill.npy')
        shape = ','.join(str(s) for s in t['shape']) or 'scalar'
        r = subprocess.run([nninit, 'fill', '--shape', shape, '--init', t['init'], '--name', name,
                            '--seed', seed, '--dtype', NAME[dt], '-f', '-o', out], capture_output=True, text=True)
        if r.returncode:
            sys.exit('%s: nninit fill for %s failed: %s' % (path, name, r.stderr))
        same(a, np.load(out), '%s: %s vs nninit fill --init "%s"' % (path, name, t['init']))
    return len(tensors)

def file_name(name):
    """The documented mapping: %XX for bytes outside [A-Za-z0-9._-] and a leading '.'."""
    q = urllib.parse.quote(name, safe='', encoding='utf-8').replace('~', '%7E')
    return ('%2E' + q[1:] if q.startswith('.') else q) + '.npy'

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == 'fill-check':      # FILE NNINIT TMPDIR [NAME...]: every (or each named) tensor vs nninit fill
    n = fill_check(args[0], args[1], args[2], set(args[3:]) or None)
    if n == 0:
        sys.exit('no tensors')
elif cmd == 'meta':          # FILE KEY=VALUE...: metadata values ('*' just present)
    meta, _ = read(args[0])
    for kv in args[1:]:
        k, v = kv.split('=', 1)
        if k not in meta or (v != '*' and meta[k] != v):
            sys.exit('%s: metadata %s = %r, expected %r' % (args[0], k, meta.get(k), v))
elif cmd == 'spec-matches':  # FILE SPEC.json: the metadata spec lists the spec file's tensors and shapes
    meta, tensors = read(args[0])
    mine = json.loads(meta['spec'])
    src = json.load(open(args[1]))
    names = [t['name'] for t in src['tensors']]
    if [t['name'] for t in mine['tensors']] != names:
        sys.exit('metadata spec names differ from ' + args[1])
    for a, b in zip(mine['tensors'], src['tensors']):
        if a['shape'] != b['shape']:
            sys.exit('%s: shape %s vs %s' % (a['name'], a['shape'], b['shape']))
elif cmd == 'npy-dir':       # DIR FILE: DIR holds exactly FILE's tensors as .npy, and its metadata
    meta, tensors = read(args[1])
    want = {file_name(n): (n, a) for n, (_, a) in tensors.items()}
    have = set(os.listdir(args[0]))
    if have != set(want) | {'__metadata__.json'}:
        sys.exit('%s holds %s, expected %s' % (args[0], sorted(have), sorted(want)))
    for f, (n, a) in want.items():
        same(np.load(os.path.join(args[0], f)), a, '%s/%s vs tensor %s' % (args[0], f, n))
    m = json.load(open(os.path.join(args[0], '__metadata__.json')))
    for k in ('nninit_version', 'seed', 'spec'):
        if m.get(k) != meta[k]:
            sys.exit('__metadata__.json: %s = %r, the safetensors file has %r' % (k, m.get(k), meta[k]))
elif cmd == 'stdin-equal':   # FILE: standard input is a safetensors image with FILE's tensors and metadata
    b = sys.stdin.buffer.read()
    m1, t1 = parse(b, 'standard input')
    m2, t2 = read(args[0])
    if m1 != m2 or set(t1) != set(t2):
        sys.exit('standard input and %s differ in metadata or names' % args[0])
    for n in t1:
        same(t1[n][1], t2[n][1], n)
elif cmd == 'same-tensor':   # A NAME_A B NAME_B [bf16]: B's tensor is A's (rounded to bf16)
    _, ta = read(args[0])
    _, tb = read(args[2])
    a, b = ta[args[1]][1], tb[args[3]][1]
    same(bf16_round(a) if args[4:] == ['bf16'] else a, b, '%s %s vs %s %s' % (args[0], args[1], args[2], args[3]))
elif cmd == 'stats':         # FILE STATS.txt: the table's mean/std/min/max match the file's values
    _, tensors = read(args[0])
    lines = open(args[1]).read().splitlines()
    cut = lines[0].index('type')  # names may hold spaces: the name column ends where 'type' starts
    rows = [[l[:cut].rstrip()] + l[cut:].split(None, 7) for l in lines[1:]]
    if sorted(r[0] for r in rows) != sorted(tensors):
        sys.exit('stats rows %s, tensors %s' % ([r[0] for r in rows], sorted(tensors)))
    for r in rows:
        dt, a = tensors[r[0]]
        x = (a.astype(np.uint32) << 16).view(np.float32) if dt == 'BF16' else a
        x = x.astype(np.float64)
        if x.size == 0:
            continue
        for got, want in zip(map(float, r[3:7]), (x.mean(), x.std(), x.min(), x.max())):
            if abs(got - want) > 1e-5 * max(1.0, abs(want)):
                sys.exit('%s: stats %s, NumPy %s' % (r[0], r[3:7], (x.mean(), x.std(), x.min(), x.max())))
        if r[7] != '-' and float(r[4]) > 0 and x.size > 1000 and abs(float(r[4]) / float(r[7]) - 1) > 0.05:
            sys.exit('%s: std %s far from the expected %s' % (r[0], r[4], r[7]))
else:
    sys.exit('st.py: unknown command ' + cmd)
EOF
st() { "$PY" "$T/st.py" "$@"; }

# ---- specs ---------------------------------------------------------------------------------------
# Every kind of tensor: fan-based schemes in two layouts, orthogonal, a bias
# default, a 0-D and an empty tensor, names with '/', spaces, UTF-8 and a
# leading '.', per-tensor dtypes.
cat >"$T/odd.json" <<'EOF'
{
  "seed": 11,
  "dtype": "f32",
  "rules": [
    {"match": "*.bias", "init": "zeros"},
    {"match": "*", "init": "trunc_normal(std=0.02, low=-0.04, high=0.04)"}
  ],
  "tensors": [
    {"name": "conv/w", "shape": [8, 3, 3, 3], "init": "kaiming_normal(mode=fan_out, nonlinearity=relu)"},
    {"name": "keras dense", "shape": [12, 5], "layout": "hwio", "init": "xavier_uniform"},
    {"name": "q.weight", "shape": [6, 6], "init": "orthogonal(gain=2)"},
    {"name": "fc.weight", "shape": [7, 12], "dtype": "bf16", "init": "pytorch_default"},
    {"name": "fc.bias", "shape": [7], "init": "pytorch_default_bias(fan_in=12)"},
    {"name": "emb", "shape": [30, 4], "dtype": "f16"},
    {"name": "norm.bias", "shape": [4]},
    {"name": ".hidden", "shape": [], "init": "constant(value=0.5)"},
    {"name": "empty", "shape": [0, 3], "init": "normal"},
    {"name": "état", "shape": [3, 3], "dtype": "f64", "init": "uniform(low=-1, high=1)"}
  ]
}
EOF

# ---- help ----------------------------------------------------------------------------------------
for h in "init --help" "init -h" "help init"; do
    run $h
    if [ "$rc" -eq 0 ] && grep -q '^usage: nninit init' "$T/out"; then pass; else fail "nninit $h"; fi
done
run help
if grep -q '^  init ' "$T/out"; then pass; else fail "nninit help does not list init"; fi

# ---- safetensors: every tensor equals nninit fill ----------------------------------------------------
if run_ok "init odd.json" init "$T/odd.json" -o "$F/odd.safetensors" --quiet; then
    check "odd.json: tensors equal nninit fill" st fill-check "$F/odd.safetensors" "$NNINIT" "$T"
    check "odd.json: metadata" st meta "$F/odd.safetensors" seed=11 "nninit_version=$("$NNINIT" --version | cut -d' ' -f2)" format=pt spec='*'
    check "odd.json: the metadata spec lists the tensors" st spec-matches "$F/odd.safetensors" "$T/odd.json"
    check "--quiet prints nothing" test ! -s "$T/err" -a ! -s "$T/out"
fi
# --dtype and --seed override the spec; --threads does not change the bits
if run_ok "init --dtype bf16 --seed" init "$T/odd.json" -o "$F/odd16.safetensors" --dtype bf16 --seed 0xFFFFFFFFFFFFFFFF --threads 1; then
    check "--dtype bf16 --seed 2^64-1: tensors equal nninit fill" st fill-check "$F/odd16.safetensors" "$NNINIT" "$T"
    check "--seed sets the metadata seed" st meta "$F/odd16.safetensors" seed=18446744073709551615
    grep -q '^nninit: init: 10 tensors, .* GB in .* s (.* GB/s); wrote ' "$T/err" && pass || fail "no summary line: $(cat "$T/err")"
fi
run_ok "init --threads 2" init "$T/odd.json" -o "$F/odd2.safetensors" --threads 2 -q &&
    check "1 and 2 threads give the same file" cmp -s "$F/odd.safetensors" "$F/odd2.safetensors"
rm -f "$F/odd2.safetensors" "$F/odd16.safetensors"

MLP=$ROOT/examples/models/mlp.json
if [ -f "$MLP" ]; then
    for dt in f32 bf16; do
        if run_ok "init mlp.json --dtype $dt" init "$MLP" --dtype $dt -o "$F/mlp_$dt.safetensors"; then
            check "mlp.json $dt: tensors equal nninit fill" st fill-check "$F/mlp_$dt.safetensors" "$NNINIT" "$T"
            check "mlp.json $dt: metadata" st meta "$F/mlp_$dt.safetensors" spec='*' seed='*' nninit_version='*'
        fi
    done
else
    fail "examples/models/mlp.json is missing"
fi
GPT2=$ROOT/examples/models/gpt2-124m.json
if [ -f "$GPT2" ] && run_ok "init gpt2-124m.json bf16" init "$GPT2" --dtype bf16 -o "$F/gpt2.safetensors" --quiet; then
    check "gpt2-124m bf16: tensors equal nninit fill" st fill-check "$F/gpt2.safetensors" "$NNINIT" "$T"
    rm -f "$F/gpt2.safetensors"
fi

# ---- --stats --------------------------------------------------------------------------------------
if run_ok "init --stats" init "$T/odd.json" -o "$F/stats.safetensors" --stats --quiet; then
    cp "$T/out" "$T/stats.txt"
    check "--stats: mean/std/min/max match NumPy, std near the expected" st stats "$F/stats.safetensors" "$T/stats.txt"
    head -n1 "$T/stats.txt" | grep -q 'expected_std' && pass || fail "--stats: no header"
fi
rm -f "$F/stats.safetensors"

# ---- npy directory ----------------------------------------------------------------------------------
if run_ok "init --format npy" init "$T/odd.json" -o "$F/odd_npy" --format npy -q; then
    check "npy directory equals the safetensors file" st npy-dir "$F/odd_npy" "$F/odd.safetensors"
    ls "$F/odd_npy" | grep -qx 'conv%2Fw.npy' && ls "$F/odd_npy" | grep -qx '%2Ehidden.npy' && pass ||
        fail "npy file names: $(ls "$F/odd_npy")"
fi
# an earlier npy output is replaced; a directory nninit did not write is not
run_ok "init --format npy -f over an earlier output" init "$T/odd.json" -o "$F/odd_npy/" --format npy --seed 12 -q -f &&
    check "the replaced directory holds the new tensors" \
        "$PY" -c "import json,sys; sys.exit(json.load(open('$F/odd_npy/__metadata__.json'))['seed'] != '12')"
rm -rf "$F/odd_npy"
mkdir "$F/mine" && echo keep >"$F/mine/notes.txt"
expect_error 1 "is a directory nninit did not write" init "$T/odd.json" -o "$F/mine" --format npy -f
expect_error 1 "is not one" init "$T/odd.json" -o "$F/odd.safetensors" --format npy -f
# a write that fails midway (file size limit) leaves no directory and no temporary
(ulimit -f 1; exec "$NNINIT" init "$T/odd.json" -o "$F/big_npy" --format npy --dtype f64 -q) >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "File too large" "$T/err"; then pass; else fail "npy past ulimit -f: status $rc, $(cat "$T/err")"; fi
check "a failed npy run leaves no directory" test ! -e "$F/big_npy"
check "a failed npy run leaves no temporary" test -z "$(ls -A "$F" | grep -v -x -e odd.safetensors -e mlp_f32.safetensors -e mlp_bf16.safetensors -e mine)"

# an interrupted npy run (SIGINT while writing) leaves neither OUT nor the temporary
if [ -f "$GPT2" ]; then
    mkdir "$T/sig"
    "$NNINIT" init "$GPT2" -o "$T/sig/out" --format npy -q 2>"$T/err" &
    pid=$!
    for _ in $(seq 600); do [ -n "$(ls -A "$T/sig")" ] && break; sleep 0.05; done
    kill -INT $pid 2>/dev/null
    wait $pid
    rc=$?
    if [ "$rc" -eq 0 ]; then pass   # finished before the signal: nothing to check
    elif [ "$rc" -eq 130 ] && [ -z "$(ls -A "$T/sig")" ]; then pass
    else fail "SIGINT during the npy write: status $rc, left '$(ls -A "$T/sig")'"; fi
fi

# ---- standard output and devices ----------------------------------------------------------------------
"$NNINIT" init "$T/odd.json" -o - -q | st stdin-equal "$F/odd.safetensors"
check "-o - piped to Python equals the file" test "${PIPESTATUS[0]}${PIPESTATUS[1]}" = 00
run init "$T/odd.json" -o /dev/null
if [ "$rc" -eq 0 ] && [ -c /dev/null ]; then pass; else fail "-o /dev/null: status $rc: $(cat "$T/err")"; fi

# ---- --from ----------------------------------------------------------------------------------------------
cat >"$T/a.json" <<'EOF'
{"seed": 1, "tensors": [
  {"name": "enc.0.weight", "shape": [16, 8], "init": "normal(std=0.5)"},
  {"name": "enc.0.bias", "shape": [16], "init": "uniform(low=-1, high=1)"},
  {"name": "enc.1.weight", "shape": [4, 16], "init": "xavier_uniform"},
  {"name": "shared.emb", "shape": [10, 4], "init": "normal"},
  {"name": "head.weight", "shape": [3, 4], "init": "normal"}
]}
EOF
cat >"$T/b.json" <<'EOF'
{"seed": 2, "tensors": [
  {"name": "model.enc.0.weight", "shape": [16, 8], "init": "zeros"},
  {"name": "model.enc.0.bias", "shape": [16], "init": "zeros"},
  {"name": "model.enc.1.weight", "shape": [5, 16], "init": "normal(std=0.1)"},
  {"name": "shared.emb", "shape": [10, 4], "init": "zeros"},
  {"name": "model.head.weight", "shape": [3, 4], "init": "normal(std=0.1)"},
  {"name": "model.extra", "shape": [2, 2], "init": "ones"}
]}
EOF
run_ok "init a.json" init "$T/a.json" -o "$F/a.safetensors" -q
# a shape mismatch is an error, and nothing is written
expect_error 1 "model.enc.1.weight" init "$T/b.json" -o "$F/b.safetensors" --from "$F/a.safetensors" --rename enc.=model.enc.
grep -Fq -- "--reinit-mismatched" "$T/err" && pass || fail "the mismatch error does not point to --reinit-mismatched"
if run_ok "init --from --rename --reinit-mismatched" init "$T/b.json" -o "$F/b.safetensors" \
        --from "$F/a.safetensors" --rename enc.=model.enc. --reinit-mismatched; then
    for line in "1 loaded, 2 renamed, 1 reinitialized (shape mismatch), 2 initialized (not in the checkpoint); 2 of its 5 tensors unused" \
                "renamed       model.enc.0.weight <- enc.0.weight" "renamed       model.enc.0.bias <- enc.0.bias" \
                "reinitialized model.enc.1.weight: spec [5,16], checkpoint 'enc.1.weight' [4,16]" \
                "initialized   model.head.weight" "initialized   model.extra" \
                "unused        enc.1.weight [4,16]" "unused        head.weight [3,4]"; do
        grep -Fq -- "$line" "$T/err" && pass || fail "--from report lacks '$line': $(cat "$T/err")"
    done
    check "renamed tensor = the checkpoint's" st same-tensor "$F/a.safetensors" enc.0.weight "$F/b.safetensors" model.enc.0.weight
    check "renamed bias = the checkpoint's" st same-tensor "$F/a.safetensors" enc.0.bias "$F/b.safetensors" model.enc.0.bias
    check "loaded tensor = the checkpoint's" st same-tensor "$F/a.safetensors" shared.emb "$F/b.safetensors" shared.emb
    check "initialized tensors equal nninit fill with the new seed" st fill-check "$F/b.safetensors" "$NNINIT" "$T" \
        model.enc.1.weight model.head.weight model.extra
fi
# loading converts: an f32 checkpoint into a bf16 model is rounded to nearest even
if run_ok "init --from --dtype bf16" init "$T/b.json" -o "$F/b16.safetensors" --dtype bf16 -q \
        --from "$F/a.safetensors" --rename enc.=model.enc. --reinit-mismatched; then
    check "f32 checkpoint -> bf16 tensor is rounded" st same-tensor "$F/a.safetensors" enc.0.weight "$F/b16.safetensors" model.enc.0.weight bf16
fi
rm -f "$F/b.safetensors" "$F/b16.safetensors"
echo "not a checkpoint at all" >"$F/junk.safetensors"
expect_error 1 "junk.safetensors" init "$T/b.json" -o "$F/b.safetensors" --from "$F/junk.safetensors"
expect_error 1 "missing.safetensors" init "$T/b.json" -o "$F/b.safetensors" --from "$F/missing.safetensors"

# ---- failures leave nothing; usage errors exit 2 -------------------------------------------------------------
echo '{"tensors": [{"name": "w", "shape": [3], "init": "bogus"}]}' >"$T/bad_init.json"
echo '{"tensors": [' >"$T/bad_json.json"
expect_error 1 "bogus" init "$T/bad_init.json" -o "$F/x.safetensors"
expect_error 1 "bad_json.json" init "$T/bad_json.json" -o "$F/x.safetensors"
expect_error 1 "missing.json" init "$T/missing.json" -o "$F/x.safetensors"
expect_error 1 "cannot write '$F/nodir/x.safetensors'" init "$T/odd.json" -o "$F/nodir/x.safetensors"
# an existing file survives a failed run, also one that fails while writing
cp "$F/odd.safetensors" "$T/odd.copy"
expect_error 1 "bogus" init "$T/bad_init.json" -o "$F/odd.safetensors"
(ulimit -f 1; exec "$NNINIT" init "$T/odd.json" --dtype f64 -o "$F/odd.safetensors" -q -f) >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "File too large" "$T/err"; then pass; else fail "safetensors past ulimit -f: status $rc, $(cat "$T/err")"; fi
check "the existing file survives failed runs" cmp -s "$F/odd.safetensors" "$T/odd.copy"

# vars, captures and a long dtype name: the metadata's spec holds each tensor's resolved init
# (every tensor equals `nninit fill` with it), and that spec alone rebuilds the same file
cat >"$T/vars.json" <<'EOF'
{"seed": 11, "dtype": "bfloat16",
 "vars": {"n_layers": 3, "std": 0.02, "out_std": "std/sqrt(2*n_layers)"},
 "rules": {"h.{l}.mlp.down.weight": "normal(std=std/sqrt(2*(l+1)))",
           "h.{l}.*.weight": "trunc_normal(std=out_std, low=-3*out_std, high=3*out_std)",
           "*.bias": "zeros", "*": "ones"},
 "tensors": [{"name": "h.0.mlp.down.weight", "shape": [8, 16]}, {"name": "h.2.mlp.down.weight", "shape": [8, 16]},
             {"name": "h.1.attn.weight", "shape": [16, 16], "dtype": "float32"}, {"name": "h.1.attn.bias", "shape": [16]},
             {"name": "norm.weight", "shape": [16]}]}
EOF
cat >"$T/meta_spec.py" <<'EOF'
import json, sys
b = open(sys.argv[1], 'rb').read()
n = int.from_bytes(b[:8], 'little')
spec = json.loads(b[8:8 + n])['__metadata__']['spec']
assert '{l}' not in spec and 'vars' not in spec and 'out_std' not in spec, spec
t = {x['name']: x for x in json.loads(spec)['tensors']}
assert t['h.0.mlp.down.weight']['init'] == 'normal(mean=0, std=%r)' % (0.02 / 2 ** 0.5), t
assert t['h.1.attn.weight']['dtype'] == 'f32' and t['norm.weight']['dtype'] == 'bf16', t
open(sys.argv[2], 'w').write(spec)
EOF
run_ok "vars and captures" init "$T/vars.json" -o "$F/vars.safetensors" -q &&
    check "vars and captures: every tensor is nninit fill with the metadata's init" \
        $PY "$T/st.py" fill-check "$F/vars.safetensors" "$NNINIT" "$T" &&
    check "the metadata's spec has resolved numbers" $PY "$T/meta_spec.py" "$F/vars.safetensors" "$T/vars_meta.json" &&
    run_ok "init from the metadata's spec" init "$T/vars_meta.json" -o "$F/vars2.safetensors" -q &&
    check "the metadata's spec rebuilds the file byte for byte" cmp -s "$F/vars.safetensors" "$F/vars2.safetensors"
run_ok "--dtype float16" init "$T/vars.json" -o "$F/vars16.safetensors" --dtype float16 -q &&
    check "--dtype float16: every tensor is nninit fill, in f16" \
        $PY "$T/st.py" fill-check "$F/vars16.safetensors" "$NNINIT" "$T" &&
    check "--dtype float16 writes F16" grep -q '"F16"' "$F/vars16.safetensors"
rm -f "$F/vars.safetensors" "$F/vars2.safetensors" "$F/vars16.safetensors"
cat >"$T/bad_vars.json" <<'EOF'
{"rules": {"h.{l}.w": "normal(std=0.02/sqrt(l))"}, "tensors": [{"name": "h.1.w", "shape": [2]}, {"name": "h.0.w", "shape": [2]}]}
EOF
expect_error 1 'tensor "h.0.w": rule "h.{l}.w" with l=0: init spec "normal(std=0.02/sqrt(l))": column 16: std out of range: division by zero' \
    init "$T/bad_vars.json" -o "$F/x.safetensors"

o=(-o "$F/x.safetensors")
expect_error 2 "a model spec (JSON file) is required" init "${o[@]}"
expect_error 2 "--output is required" init "$T/odd.json"
expect_error 2 "unexpected argument 'extra'" init "$T/odd.json" "${o[@]}" extra
expect_error 2 "unknown option '--frob'" init "$T/odd.json" "${o[@]}" --frob
expect_error 2 "--format: 'hdf5' is not safetensors or npy" init "$T/odd.json" "${o[@]}" --format hdf5
expect_error 2 "--dtype: 'f8' is not one of" init "$T/odd.json" "${o[@]}" --dtype f8
expect_error 2 "--seed: '-1' is not an unsigned 64-bit integer" init "$T/odd.json" "${o[@]}" --seed -1
expect_error 2 "--threads: '0' is not a number from 1 to 4096" init "$T/odd.json" "${o[@]}" --threads 0
expect_error 2 "--threads: 'two' is not a number" init "$T/odd.json" "${o[@]}" --threads two
expect_error 2 "--seed given twice" init "$T/odd.json" "${o[@]}" --seed 1 --seed 2
expect_error 2 "--rename needs --from" init "$T/odd.json" "${o[@]}" --rename a=b
expect_error 2 "--reinit-mismatched needs --from" init "$T/odd.json" "${o[@]}" --reinit-mismatched
expect_error 2 "--rename: 'ab' is not OLD=NEW" init "$T/odd.json" "${o[@]}" --from "$F/a.safetensors" --rename ab
expect_error 2 "--rename needs a value" init "$T/odd.json" "${o[@]}" --from "$F/a.safetensors" --rename
expect_error 2 "--stats takes no value" init "$T/odd.json" "${o[@]}" --stats=yes
expect_error 2 "-o needs a value" init "$T/odd.json" -o
expect_error 2 "-o - is not one" init "$T/odd.json" -o - --format npy

echo "cli_init: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
