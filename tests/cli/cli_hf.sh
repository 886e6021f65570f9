#!/usr/bin/env bash
# Hugging Face configs end to end: bash tests/cli/cli_hf.sh build/nninit
#
# `nninit spec` and `nninit init` on small configs: the spec's tensors, a
# sharded and an npy output holding config.json, and each recipe's
# statistics per role (sample std against the recipe's formula, computed
# here in Python from the recipe's description in docs/HF.md, at a fixed
# seed); the padding row; errors naming the key.
set -u

. "$(dirname "$0")/cli_lib.sh" cli-hf "$@"

mkdir -p "$T/cfg"
cat >"$T/cfg/config.json" <<'JSON'
{"model_type": "llama", "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 4,
 "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 1000, "pad_token_id": 7,
 "initializer_range": 0.05, "tie_word_embeddings": false, "torch_dtype": "float32"}
JSON

# ---- nninit spec: a directory holding config.json, or the file ------------------------------
run_ok "spec of a config directory" spec "$T/cfg"
cp "$T/out" "$T/spec_dir.json"
run_ok "spec of a config file" spec "$T/cfg/config.json" --seed 5 --dtype bf16 --recipe megatron
check "spec JSON: tensors, seed, dtype" $PY - "$T/spec_dir.json" "$T/out" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
names = [t['name'] for t in a['tensors']]
assert len(names) == 1 + 4 * 9 + 2, len(names)
assert a['dtype'] == 'f32' and a['seed'] == 0 and b['dtype'] == 'bf16' and b['seed'] == 5
shapes = {t['name']: t['shape'] for t in a['tensors']}
assert shapes['model.layers.3.self_attn.k_proj.weight'] == [128, 256]
assert shapes['lm_head.weight'] == [1000, 256]
assert [t['name'] for t in b['tensors']] == names
EOF

# ---- nninit init: sharded and npy outputs get config.json -----------------------------------
run_ok "init sharded" init "$T/cfg" -o "$F/sh" --max-shard-size 1MB --seed 3 -q
check "sharded: config.json copied" cmp "$T/cfg/config.json" "$F/sh/config.json"
check "sharded: index and shards" test -f "$F/sh/model.safetensors.index.json"
run_ok "init sharded again with -f" init "$T/cfg" -o "$F/sh" --max-shard-size 1MB --seed 3 -q -f
run_ok "init npy" init "$T/cfg/config.json" -o "$F/npy" --format npy -q
check "npy: config.json copied" cmp "$T/cfg/config.json" "$F/npy/config.json"
run_ok "init one file" init "$T/cfg/config.json" -o "$F/one.safetensors" -q
check "one file: nothing beside it" test ! -e "$F/config.json"

# ---- recipes: every role's statistics ------------------------------------------------------
# sttensors.py: the tensors of every f32 .safetensors file of a directory, by name (float64),
# read here from the format's description
cat >"$T/sttensors.py" <<'EOF'
import json, os
import numpy as np


def tensors(d):
    out = {}
    for f in sorted(os.listdir(d)):
        if not f.endswith('.safetensors'):
            continue
        b = open(os.path.join(d, f), 'rb').read()
        n = int.from_bytes(b[:8], 'little')
        h = json.loads(b[8:8 + n])
        for k, e in h.items():
            if k == '__metadata__':
                continue
            lo, hi = e['data_offsets']
            out[k] = np.frombuffer(b[8 + n + lo:8 + n + hi], '<f4').reshape(e['shape']).astype(np.float64)
    return out
EOF
for r in hf megatron torchtitan olmo neox 'mup(base_hidden=64)'; do
    d="$F/r_$(echo "$r" | tr -c 'a-z0-9\n' '_')"
    run_ok "init --recipe $r" init "$T/cfg" -o "$d" --recipe "$r" --max-shard-size 100MB --seed 11 -q
    check "recipe $r: statistics per role" env PYTHONPATH="$T" $PY - "$d" "$r" <<'EOF'
import json, math, os, sys
import numpy as np
d, recipe = sys.argv[1:3]
H, I, L, V, s = 256, 512, 4, 1000, 0.05

from sttensors import tensors

# the sd of N(0, 1) cut at +-3: 1 - 2 * 3 * phi(3) / (Phi(3) - Phi(-3))
phi = math.exp(-4.5) / math.sqrt(2 * math.pi)
mass = math.erf(3 / math.sqrt(2))
T3 = math.sqrt(1 - 6 * phi / mass)

def layer(name):
    return int(name.split('.')[2]) if name.startswith('model.layers.') else -1

def expect(name):
    """The sd the recipe gives the tensor, from docs/HF.md."""
    l = layer(name)
    out = name.endswith('o_proj.weight') or name.endswith('down_proj.weight')
    if name == 'model.embed_tokens.weight': role = 'emb'
    elif name == 'lm_head.weight': role = 'head'
    elif 'up_proj' in name: role = 'up'
    else: role = 'in'
    if recipe == 'hf':
        return s
    if recipe == 'megatron':
        return s / math.sqrt(2 * L) if out else s
    if recipe == 'torchtitan':
        if role == 'emb': return 1.0
        if role == 'head': return H ** -0.5 * T3
        return 0.02 / math.sqrt(2 * (l + 1)) if out or role == 'up' else 0.02
    if recipe == 'olmo':
        if name.endswith('o_proj.weight'): return T3 / math.sqrt(2 * H * (l + 1))
        if name.endswith('down_proj.weight'): return T3 / math.sqrt(2 * I * (l + 1))
        return T3 / math.sqrt(H)
    if recipe == 'neox':
        return 2 / L / math.sqrt(H) if out else math.sqrt(2 / (5 * H))
    if recipe.startswith('mup'):
        return s if role in ('emb', 'head') else s / math.sqrt(H / 64)

t = tensors(d)
assert len(t) == 39, len(t)
for name, a in t.items():
    if a.ndim == 1:
        assert (a == 1).all(), name   # RMSNorm weights
        continue
    if name == 'model.embed_tokens.weight' and recipe == 'hf':
        assert (a[7] == 0).all(), 'padding row 7 not zero'
        assert (np.delete(a, 7, axis=0) != 0).all(), 'a zero outside the padding row'
        a = np.delete(a, 7, axis=0)
    want = expect(name)
    got = a.std()
    # n >= 32768: the sample sd is within 2% of sigma by a wide margin (its sd is sigma / sqrt(2 n))
    assert abs(got / want - 1) < 0.02, (name, got, want)
    assert abs(a.mean()) < 5 * want / math.sqrt(a.size), (name, a.mean())
EOF
done
# mup's multipliers as metadata keys of every shard (hidden 256 / base 64), and nowhere else
check "mup: width_mult and output_mult in every shard's metadata" $PY - "$F/r_mup_base_hidden_64_" "$F/r_hf" <<'EOF'
import glob, json, sys
def meta(path):
    with open(path, 'rb') as f:
        n = int.from_bytes(f.read(8), 'little')
        return json.loads(f.read(n))['__metadata__']
shards = sorted(glob.glob(sys.argv[1] + '/*.safetensors'))
assert len(shards) >= 1, shards
for p in shards:
    m = meta(p)
    assert (m['mup_base_hidden'], m['mup_width_mult'], m['mup_output_mult']) == ('64', '4', '0.25'), (p, m)
    assert json.loads(m['spec'])['metadata']['mup_width_mult'] == '4', p
hf = glob.glob(sys.argv[2] + '/*.safetensors')
assert hf and not any(k.startswith('mup_') for p in hf for k in meta(p)), hf
EOF

# ---- more roles: GPT-2 (Conv1D, position embedding, scaled c_proj) and Mixtral (router, experts) --
# stats.py DIR RULES: RULES is [[regex, sd], ...], the first regex found in a tensor's name gives
# its expected sd (a Python expression; T3 is the sd of N(0, 1) cut at +-3), or "ones" / "zeros".
cat >"$T/stats.py" <<'EOF'
import json, math, re, sys
from sttensors import tensors
d, rules = sys.argv[1], json.loads(sys.argv[2])
T3 = math.sqrt(1 - 6 * math.exp(-4.5) / math.sqrt(2 * math.pi) / math.erf(3 / math.sqrt(2)))
seen = 0
for k, a in tensors(d).items():
    want = next((w for rx, w in rules if re.search(rx, k)), None)
    assert want is not None, 'no rule for %s' % k
    seen += 1
    if want == 'ones':
        assert (a == 1).all(), k
    elif want == 'zeros':
        assert (a == 0).all(), k
    else:
        sd = eval(want, {'math': math, 'T3': T3})
        # the sample sd: within 5 of its standard deviations, sd / sqrt(2 n)
        assert abs(a.std() / sd - 1) < 5 / math.sqrt(2 * a.size), (k, a.std(), sd)
assert seen, 'no tensors'
EOF
echo '{"model_type": "gpt2", "n_embd": 128, "n_head": 4, "n_layer": 2, "n_positions": 256, "vocab_size": 1000}' >"$T/gpt2s.json"
run_ok "init GPT-2 small" init "$T/gpt2s.json" -o "$F/g2" --max-shard-size 1GB --seed 4 -q
check "GPT-2 hf: every c_proj 0.02/sqrt(2*2), wte, wpe, Conv1D 0.02" $PY "$T/stats.py" "$F/g2" \
    '[["c_proj\\.weight", "0.02 / math.sqrt(4)"], ["ln_.\\.weight", "ones"], ["\\.bias$", "zeros"],
      ["\\.weight$", "0.02"]]'
check "GPT-2: Conv1D weights are [in, out], lm_head tied" $PY -c "
import json, sys; d = sys.argv[1]; b = open(d + '/model.safetensors', 'rb').read()
h = json.loads(b[8:8 + int.from_bytes(b[:8], 'little')])
assert h['transformer.h.1.mlp.c_fc.weight']['shape'] == [128, 512] and 'lm_head.weight' not in h" "$F/g2"
echo '{"model_type": "mixtral", "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
 "num_attention_heads": 4, "num_key_value_heads": 2, "num_local_experts": 2, "vocab_size": 300}' >"$T/mix.json"
run_ok "init Mixtral small, torchtitan" init "$T/mix.json" -o "$F/mx" --max-shard-size 1GB --recipe torchtitan -q
check "Mixtral torchtitan: router, o_proj, w2, w3 0.02/sqrt(2(l+1)); w1, q/k/v 0.02; lm_head cut at 3 sd" \
    $PY "$T/stats.py" "$F/mx" \
    '[["layers\\.0\\..*(moe\\.gate|o_proj|w2|w3)\\.weight", "0.02 / math.sqrt(2)"],
      ["layers\\.1\\..*(moe\\.gate|o_proj|w2|w3)\\.weight", "0.02 / math.sqrt(4)"],
      ["(w1|[qkv]_proj)\\.weight", "0.02"], ["embed_tokens", "1"], ["norm\\.weight", "ones"],
      ["lm_head", "128 ** -0.5 * T3"]]'

# ---- the padding row across a 1 MiB unit of the stream: row 262 of [600, 1000] f32 holds element
# 262144 (the first unit's end); every other row is nninit fill's plain draw, bit for bit
echo '{"model_type": "llama", "hidden_size": 1000, "intermediate_size": 8, "num_hidden_layers": 1,
 "num_attention_heads": 4, "vocab_size": 600, "pad_token_id": 262, "tie_word_embeddings": true}' >"$T/pad.json"
run_ok "init with a padding row across units" init "$T/pad.json" -o "$F/pad" --format npy --seed 9 --threads 2 -q
run_ok "fill the plain draw" fill --shape 600,1000 --init "normal(mean=0, std=0.02)" --name model.embed_tokens.weight \
    --seed 9 -o "$F/plain.npy"
check "padding row zero, the rest the plain draw" $PY -c "
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert (a[262] == 0).all() and (b[262] != 0).all()
a[262] = b[262]
assert a.tobytes() == b.tobytes()" "$F/pad/model.embed_tokens.weight.npy" "$F/plain.npy"

# ---- examples/models/gpt2-124m.json is what nninit spec prints for GPT-2's config --------------
echo '{"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12, "initializer_range": 0.02}' >"$T/gpt2.json"
run_ok "spec of GPT-2's config" spec "$T/gpt2.json" --seed 1337
check "gpt2-124m.json = nninit spec of GPT-2's config" cmp "$T/out" "$ROOT/examples/models/gpt2-124m.json"

# ---- the spec's "vars" are the config's sizes: an init written over them in the printed spec
# has the bits of the number it evaluates to (0.05 / sqrt(2 * 4) for this config)
check "spec vars: the config's sizes" $PY -c "
import json, sys; v = json.load(open(sys.argv[1]))['vars']
assert v == {'n_layers': 4, 'hidden': 256, 'intermediate': 512, 'vocab': 1000, 'heads': 8, 'kv_heads': 4,
             'head_dim': 32, 'initializer_range': 0.05}, v" "$T/spec_dir.json"
$PY - "$T/spec_dir.json" "$T/vars_spec.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s['tensors']:
    if t['name'] == 'model.layers.2.mlp.down_proj.weight':
        t['init'] = 'normal(std=initializer_range/sqrt(2*n_layers))'
json.dump(s, open(sys.argv[2], 'w'))
EOF
run_ok "init a printed spec edited with vars" init "$T/vars_spec.json" -o "$F/vars" --format npy -q
run_ok "fill the literal" fill --shape 256,512 --init "normal(std=$($PY -c 'import math; print(repr(0.05 / math.sqrt(8)))'))" \
    --name model.layers.2.mlp.down_proj.weight -o "$F/vars_lit.npy"
check "vars: the edited init equals the literal it evaluates to" cmp "$F/vars/model.layers.2.mlp.down_proj.weight.npy" \
    "$F/vars_lit.npy"

# ---- README's quick start: examples/hf/tiny-llama, as written there ----------------------------
run_ok "README: init examples/hf/tiny-llama" init "$ROOT/examples/hf/tiny-llama/config.json" -o "$F/tiny/" \
    --max-shard-size 5MB -q
check "README: tiny-llama sharded, config.json copied" sh -c \
    "test -f '$F/tiny/model.safetensors.index.json' && cmp -s '$ROOT/examples/hf/tiny-llama/config.json' '$F/tiny/config.json'"
run_ok "README: spec of the example's directory" spec "$ROOT/examples/hf/tiny-llama"

# ---- errors ------------------------------------------------------------------------------------
echo '{"model_type": "llama", "hidden_size": 64}' >"$T/bad.json"
expect_error 1 '"num_hidden_layers": missing' spec "$T/bad.json"
expect_error 1 '"num_hidden_layers": missing' init "$T/bad.json" -o "$F/bad.safetensors"
echo '{"model_type": "t5"}' >"$T/t5.json"
expect_error 1 'unknown model type "t5" (known: llama' spec "$T/t5.json"
expect_error 1 'recipe "xavier": unknown' init "$T/cfg" -o "$F/x" --recipe xavier --max-shard-size 1GB
mkdir -p "$T/empty"
expect_error 1 'config.json' spec "$T/empty"
expect_error 2 '--recipe applies to a Hugging Face config' init "$ROOT/examples/models/mlp.json" -o "$F/m.safetensors" --recipe hf
expect_error 2 'a Hugging Face config' spec

echo "cli_hf: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
