#!/usr/bin/env bash
# End-to-end checks of data-dependent init and the probe on the command line:
#   bash tests/cli/cli_graph.sh build/nninit
#
# `nninit init --data --data-init`: the file's tensors are read back and the
# network run forward by NumPy here (a forward pass that is not the
# library's): every layer's variance within tol of the target (lsuv), every
# channel's mean and std to 1e-4 (batch_stats), every weight the plain init's
# times one factor, biases untouched; the algorithm recorded in the metadata;
# the same bytes for 1 and 2 threads and for f32, f64 and f16 batches; bad
# batches and options fail with a message and leave no file. `nninit probe`:
# the table, --json (parsed, checked against a NumPy forward pass), --plot
# (parsed as XML: axes, one line per spec, a dot per layer, the legend),
# --compare, and its errors.
set -u

. "$(dirname "$0")/cli_lib.sh" cli-graph "$@"
MODELS=$ROOT/examples/models

# ---- batches, and the MLP in NumPy ---------------------------------------------------------------
cat >"$T/mlp.py" <<'EOF'
import json, sys
import numpy as np

def read_st(path):
    b = open(path, 'rb').read()
    n = int.from_bytes(b[:8], 'little')
    h = json.loads(b[8:8 + n])
    meta = h.pop('__metadata__', {})
    kinds = {'F32': '<f4', 'F64': '<f8', 'F16': '<f2'}
    t = {k: np.frombuffer(b, kinds[e['dtype']], offset=8 + n + e['data_offsets'][0],
                          count=int(np.prod(e['shape']))).reshape(e['shape']).astype(np.float64)
         for k, e in h.items()}
    return meta, t

def forward(t, x):
    """The example MLP: flatten, fc1, relu, fc2, relu, fc3; the layers' outputs."""
    h = x.reshape(len(x), -1).astype(np.float64)
    outs = []
    for i in (1, 2, 3):
        h = h @ t['fc%d.weight' % i].T + t['fc%d.bias' % i]
        outs.append(h)
        h = np.maximum(h, 0)
    return outs

def main():
    cmd = sys.argv[1]
    if cmd == 'batches':
        rng = np.random.default_rng(5)
        x = (rng.standard_normal((96, 1, 28, 28)) * 0.8 + 0.3).astype(np.float16)   # f16 values: exact in all three
        np.save('b32.npy', x.astype(np.float32))
        np.save('b64.npy', x.astype(np.float64))
        np.save('b16.npy', x)
        np.save('wrong.npy', np.zeros((4, 3, 28, 28), np.float32))
        nan = x.astype(np.float32); nan[3, 0, 5, 7] = np.nan
        np.save('nan.npy', nan)
        np.save('ints.npy', np.zeros((4, 1, 28, 28), np.int64))
        np.save('empty.npy', np.zeros((0, 1, 28, 28), np.float32))
        np.save('r20.npy', rng.standard_normal((6, 3, 32, 32)).astype(np.float32))
        np.save('one.npy', rng.standard_normal((1, 1, 28, 28)).astype(np.float32))
        np.save('bn_one.npy', rng.standard_normal((1, 4)).astype(np.float32))
        return
    if cmd == 'lsuv':            # lsuv FILE PLAIN BATCH TOL TARGET
        meta, t = read_st(sys.argv[2])
        _, p = read_st(sys.argv[3])
        x = np.load(sys.argv[4]).astype(np.float64)
        tol, target = float(sys.argv[5]), float(sys.argv[6])
        spec = json.loads(meta['spec'])
        assert spec['data_init'] == 'lsuv(tol=%s, max_iter=10, target_var=%s)' % (sys.argv[5], sys.argv[6]), spec['data_init']
        assert 'graph' in spec
        for i, y in enumerate(forward(t, x), 1):
            assert abs(y.var() - target) <= tol * 1.0001 + 1e-6, ('fc%d' % i, y.var())
            w, w0 = t['fc%d.weight' % i], p['fc%d.weight' % i]
            f = w.ravel()[np.argmax(abs(w0))] / w0.ravel()[np.argmax(abs(w0))]
            assert f > 0 and np.allclose(w, w0 * f, rtol=2 ** -23, atol=0), 'fc%d: not one factor' % i
            assert (t['fc%d.bias' % i] == p['fc%d.bias' % i]).all(), 'fc%d: bias changed' % i
        return
    if cmd == 'batch_stats':     # batch_stats FILE BATCH MEAN STD
        meta, t = read_st(sys.argv[2])
        x = np.load(sys.argv[3]).astype(np.float64)
        mean, std = float(sys.argv[4]), float(sys.argv[5])
        for i, y in enumerate(forward(t, x), 1):
            assert np.abs(y.mean(0) - mean).max() <= 1e-4 * std, ('fc%d mean' % i, np.abs(y.mean(0) - mean).max())
            assert np.abs(y.std(0) / std - 1).max() <= 1e-4, ('fc%d std' % i, np.abs(y.std(0) / std - 1).max())
        return
    if cmd == 'no_data_init':    # no_data_init FILE
        meta, _ = read_st(sys.argv[2])
        assert 'data_init' not in json.loads(meta['spec'])
        return
    if cmd == 'probe_json':      # probe_json OUT.json FILE BATCH: rows against NumPy on the file's tensors
        rows = json.load(open(sys.argv[2]))
        _, t = read_st(sys.argv[3])
        x = np.load(sys.argv[4]).astype(np.float64)
        assert [r['op'] for r in rows] == ['input', 'flatten', 'linear', 'relu', 'linear', 'relu', 'linear'], rows
        assert all(set(r) >= {'model', 'path', 'op', 'shape', 'mean', 'std', 'min', 'max', 'zero_fraction'} for r in rows)
        h = x.reshape(len(x), -1)
        ref = [x, h]
        for i in (1, 2, 3):
            h = h @ t['fc%d.weight' % i].T + t['fc%d.bias' % i]
            ref.append(h)
            if i < 3:
                h = np.maximum(h, 0)
                ref.append(h)
        for r, a in zip(rows, ref):
            assert list(a.shape) == r['shape'], (r, a.shape)
            assert abs(r['std'] - a.std()) <= 1e-4 * a.std(), (r, a.std())
            assert abs(r['mean'] - a.mean()) <= 1e-4 * a.std(), (r, a.mean())
            assert abs(r['zero_fraction'] - (a == 0).mean()) <= 1e-6
        return
    if cmd == 'svg':             # svg FILE N_SERIES N_POINTS N_LAYERS LABEL...
        import xml.etree.ElementTree as ET
        root = ET.parse(sys.argv[2]).getroot()
        ns = '{http://www.w3.org/2000/svg}'
        lines = root.findall('.//%spolyline' % ns)
        assert len(lines) == int(sys.argv[3]), len(lines)
        for p in lines:
            assert len(p.get('points').split()) == int(sys.argv[4])
        dots = [g for g in root.iter('%sg' % ns) if g.find('%stitle' % ns) is not None and g.find('%scircle' % ns) is not None]
        assert len(dots) == int(sys.argv[3]) * int(sys.argv[5]), len(dots)
        texts = [''.join(e.itertext()) for e in root.iter('%stext' % ns)]
        for want in ['Activation std by depth', 'op, in execution order', "std of the op's output (log scale)",
                     '1'] + sys.argv[6:]:
            assert want in texts, (want, texts)
        return
    sys.exit('unknown command ' + cmd)

main()
EOF
check "the batches are written" $PY "$T/mlp.py" batches

# ---- nninit init --data ----------------------------------------------------------------------------
MLP=$MODELS/mlp.json
R20=$MODELS/resnet20.json
run_ok "plain init" init "$MLP" -o "$T/plain.safetensors" -q
run_ok "lsuv" init "$MLP" --data "$T/b32.npy" --data-init "lsuv(tol=0.01)" -o "$F/lsuv.safetensors"
for want in "lsuv(tol=0.01, max_iter=10, target_var=1): 3 layers" "fc1.weight" "fc3.weight" "std after"; do
    grep -Fq -- "$want" "$T/err" && pass || fail "the lsuv report lacks '$want': $(cat "$T/err")"
done
check "lsuv: every layer's variance within tol (NumPy), one factor per weight, biases untouched" \
    $PY "$T/mlp.py" lsuv "$F/lsuv.safetensors" "$T/plain.safetensors" "$T/b32.npy" 0.01 1
run_ok "lsuv, f64 batch, 1 thread" init "$MLP" --data "$T/b64.npy" --data-init "lsuv(tol=0.01)" -o "$T/l64.safetensors" -q --threads 1
run_ok "lsuv, f16 batch, 2 threads" init "$MLP" --data "$T/b16.npy" --data-init "lsuv(tol=0.01)" -o "$T/l16.safetensors" -q --threads 2
check "the same bytes for f32/f64/f16 batches and 1/2 threads" cmp "$F/lsuv.safetensors" "$T/l64.safetensors"
check "the same bytes for an f16 batch" cmp "$F/lsuv.safetensors" "$T/l16.safetensors"
run_ok "lsuv, quiet" init "$MLP" --data "$T/b32.npy" --data-init "lsuv(tol=0.01)" -o "$T/q.safetensors" -q
[ ! -s "$T/err" ] && pass || fail "-q printed: $(cat "$T/err")"

# the spec's own data_init, and --data-init none
$PY - "$MLP" "$T/mlp_bs.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); s['data_init'] = 'batch_stats(mean=0.5, std=2)'
json.dump(s, open(sys.argv[2], 'w'))
EOF
run_ok "the spec's batch_stats" init "$T/mlp_bs.json" --data "$T/b32.npy" -o "$F/bs.safetensors"
check "batch_stats: every channel's mean and std (NumPy)" $PY "$T/mlp.py" batch_stats "$F/bs.safetensors" "$T/b32.npy" 0.5 2
run_ok "--data-init none" init "$T/mlp_bs.json" --data-init none -o "$T/none.safetensors" -q
check "--data-init none: no data_init in the metadata" $PY "$T/mlp.py" no_data_init "$T/none.safetensors"

# bad batches and options: a message, no file
expect_error 1 "graph op 0 (input): the batch is [4, 3, 28, 28]; the input op declares [?, 1, 28, 28]" \
    init "$MLP" --data "$T/wrong.npy" --data-init lsuv -o "$F/x.safetensors"
expect_error 1 "the batch holds a NaN at element 2499 (sample 3)" init "$MLP" --data "$T/nan.npy" --data-init lsuv -o "$F/x.safetensors"
expect_error 1 "dtype '<i8' is not float32, float64 or float16" init "$MLP" --data "$T/ints.npy" --data-init lsuv -o "$F/x.safetensors"
expect_error 1 "the batch is empty" init "$MLP" --data "$T/empty.npy" --data-init lsuv -o "$F/x.safetensors"
expect_error 1 "cannot open" init "$MLP" --data "$T/absent.npy" --data-init lsuv -o "$F/x.safetensors"
expect_error 1 "the spec's \"data_init\" (\"batch_stats(mean=0.5, std=2)\") needs a batch: --data BATCH.npy" \
    init "$T/mlp_bs.json" -o "$F/x.safetensors"
expect_error 2 "--data needs --data-init or a spec with \"data_init\"" init "$MLP" --data "$T/b32.npy" -o "$F/x.safetensors"
expect_error 2 "--data-init needs --data BATCH.npy" init "$MLP" --data-init lsuv -o "$F/x.safetensors"
expect_error 2 "--data-init: data init \"lsuv(tol=-1)\": column 10: tol out of range" \
    init "$MLP" --data "$T/b32.npy" --data-init "lsuv(tol=-1)" -o "$F/x.safetensors"
expect_error 1 "a data-dependent init needs the spec's \"graph\"" \
    init "$MODELS/gpt2-124m.json" --data "$T/b32.npy" --data-init lsuv -o "$F/x.safetensors"
$PY - "$T/bn.json" <<'EOF'
import json, sys
json.dump({"rules": {"*": "ones"}, "tensors": [{"name": "w", "shape": [3, 4]}, {"name": "g", "shape": [3]}],
           "graph": [{"op": "linear", "weight": "w"}, {"op": "batchnorm", "weight": "g"}]}, open(sys.argv[1], 'w'))
EOF
expect_error 1 "graph op 1 (batchnorm): the input [1, 3] has one value per channel; batch statistics need at least 2" \
    init "$T/bn.json" --data "$T/bn_one.npy" --data-init lsuv -o "$F/x.safetensors"
expect_error 1 "layer 0 (graph op 2, \"fc1.weight\"): each output channel has one value on this batch" \
    init "$MLP" --data "$T/one.npy" --data-init batch_stats -o "$F/x.safetensors"
$PY - "$MLP" "$T/bad_graph.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); s['graph'][2]['weight'] = 'fc9.weight'
json.dump(s, open(sys.argv[2], 'w'))
EOF
expect_error 1 "graph op 2 (linear): field \"weight\": tensor \"fc9.weight\" is not in the model" \
    init "$T/bad_graph.json" -o "$F/x.safetensors"
run_ok "ResNet-20 lsuv" init "$R20" --data "$T/r20.npy" --data-init lsuv -o "$T/r20.safetensors"
grep -Fq "22 layers" "$T/err" && pass || fail "ResNet-20: the report does not list 22 layers: $(cat "$T/err")"

# ---- nninit probe ------------------------------------------------------------------------------------
run_ok "probe ResNet-20" probe "$R20" --batch 8
[ "$(grep -c '' "$T/out")" -eq 76 ] && pass || fail "probe table: $(grep -c '' "$T/out") lines, expected 2 + 74"
grep -q "^resnet20.json: 74 ops, --batch 8: N(0, 1) samples \[8,3,32,32\] (seed 0)" "$T/out" && pass || fail "probe header: $(head -1 "$T/out")"
grep -Eq "^  4\.body\.0 +conv2d +\[8,16,32,32\]" "$T/out" && pass || fail "probe table lacks the nested conv: $(sed -n 8p "$T/out")"
run_ok "probe --json" probe "$MLP" --data "$T/b32.npy" --json --from "$F/lsuv.safetensors"
cp "$T/out" "$T/rows.json"
check "probe --json: every row against NumPy on the checkpoint's tensors" $PY "$T/mlp.py" probe_json "$T/rows.json" "$F/lsuv.safetensors" "$T/b32.npy"
run_ok "probe --plot --compare" probe "$MLP" --data "$T/b32.npy" --data-init lsuv --compare "$T/mlp_bs.json" --plot "$F/p.svg" --json -q
check "the SVG: 2 lines of 7 points, 3 dots each, axes and legend" \
    $PY "$T/mlp.py" svg "$F/p.svg" 2 7 3 "mlp.json + lsuv(tol=0.1, max_iter=10, target_var=1)" "mlp_bs.json + lsuv(tol=0.1, max_iter=10, target_var=1)"
$PY -c "import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==14 and {x['model'] for x in r}=={'mlp.json + lsuv(tol=0.1, max_iter=10, target_var=1)', 'mlp_bs.json + lsuv(tol=0.1, max_iter=10, target_var=1)'}" "$T/out" \
    && pass || fail "probe --compare --json: $(head -c 300 "$T/out")"
run_ok "probe --plot, the spec's own data_init" probe "$T/mlp_bs.json" --data "$T/b32.npy" --plot "$T/bs.svg" -q
check "the SVG of one spec" $PY "$T/mlp.py" svg "$T/bs.svg" 1 7 3 "mlp_bs.json + batch_stats(mean=0.5, std=2)"
expect_error 1 "'$F/p.svg' exists; -f/--force replaces it" probe "$MLP" --batch 4 --plot "$F/p.svg"
run_ok "probe --plot -f" probe "$MLP" --batch 4 --plot "$F/p.svg" -f
run_ok "probe VGG with lsuv" probe "$MODELS/vgg-cifar.json" --batch 4 --data-init lsuv
expect_error 1 "the model spec has no \"graph\"" probe "$MODELS/gpt2-124m.json"
$PY - "$T/open_input.json" <<'EOF'
import json, sys
json.dump({"rules": {"*": "kaiming_normal"}, "tensors": [{"name": "k", "shape": [4, 3, 3, 3]}],
           "graph": [{"op": "conv2d", "weight": "k"}, {"op": "relu"}]}, open(sys.argv[1], 'w'))
EOF
expect_error 1 "the graph does not fix the shape of its input: give --data BATCH.npy" probe "$T/open_input.json"
run_ok "probe with the input shape from --data" probe "$T/open_input.json" --data "$T/r20.npy"
expect_error 2 "--data and --batch exclude each other" probe "$MLP" --data "$T/b32.npy" --batch 3
expect_error 2 "--plot needs a file name" probe "$MLP" --plot -
expect_error 1 "--compare $R20: --data $T/b32.npy [96,1,28,28]: graph op 0 (input)" probe "$MLP" --data "$T/b32.npy" --compare "$R20"
expect_error 2 "--batch: '0' is not a number of samples" probe "$MLP" --batch 0

echo "cli_graph: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
