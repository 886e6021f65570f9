#!/usr/bin/env bash
# A strict, helpful command line: bash tests/cli/strict.sh build/nninit
#
#  - "did you mean" for a mistyped command, option (every option of every
#    command, each mistyped by swapping two neighbouring letters), dtype,
#    format, scheme, parameter and value of an init spec, a model spec's dtype,
#    a data-init algorithm and its parameters; none when no name is close or
#    two are equally close;
#  - a size without a unit (--max-shard-size 200, --memory 3000000) is refused;
#  - a sharded OUT named *.safetensors is refused, with the name to use;
#  - --from a checkpoint that provides none of the spec's tensors is refused,
#    naming tensors of both and the rename that matches; --from-allow-none
#    accepts it (the output then equals a run without --from); a partial
#    overlap is still accepted and reported.
# Every refusal: its exit status, the message, nothing written (expect_error).
set -u

. "$(dirname "$0")/cli_lib.sh" strict "$@"
MLP=$ROOT/examples/models/mlp.json

# expect_hint STATUS HINT ARGS...: as expect_error, and the message holds HINT
# (the "did you mean" part, or any fixed string).
expect_hint() { expect_error "$@"; }
# expect_no_hint STATUS PATTERN ARGS...: the error, without any suggestion.
expect_no_hint() {
    local want=$1 pattern=$2; shift 2
    expect_error "$want" "$pattern" "$@"
    if grep -q "did you mean" "$T/err"; then fail "nninit $*: suggests where nothing is close: $(head -c 300 "$T/err")"
    else pass; fi
}

# ---- 1. did you mean ----------------------------------------------------------------------
expect_hint 2 "unknown command 'fil' (did you mean 'fill'?)" fil
expect_hint 2 "unknown command 'ini' (did you mean 'init'?)" ini
expect_hint 2 "unknown command 'shcemes' (did you mean 'schemes'?)" shcemes
expect_hint 2 "unknown command 'prboe' (did you mean 'probe'?)" prboe
expect_hint 2 "unknown command 'fil' (did you mean 'fill'?)" help fil
expect_hint 2 "unknown option '--verison' (did you mean '--version'?)" --verison
expect_no_hint 2 "unknown command 'xyzzy'" xyzzy
expect_no_hint 2 "unknown option '--frobnicate'" init "$MLP" -o "$F/x.safetensors" --frobnicate
expect_hint 2 "unknown option '--sed' (did you mean '--seed'?)" init "$MLP" -o "$F/x.safetensors" --sed 3
expect_hint 2 "unknown option '--sed=3' (did you mean '--seed'?)" init "$MLP" -o "$F/x.safetensors" --sed=3
expect_hint 2 "unknown option '-seed' (did you mean '--seed'?)" init "$MLP" -o "$F/x.safetensors" -seed 3
expect_hint 2 "(did you mean 'f16'?)" fill --shape 3 --init zeros --dtype fp16 -o "$F/x.npy"
expect_hint 2 "(did you mean 'safetensors'?)" init "$MLP" -o "$F/x.safetensors" --format safetensor

# Every long option of every command, as its help lists it, mistyped by
# swapping its first two letters after the dashes ("--seed" -> "--esed"):
# the suggestion is that option.
for cmd in init fill probe; do
    opts=$("$NNINIT" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
    [ -n "$opts" ] || fail "$cmd --help lists no options"
    for o in $opts; do
        name=${o#--}
        typo="--${name:1:1}${name:0:1}${name:2}"
        [ "$typo" != "$o" ] || continue   # "--ss..." would not change
        run "$cmd" "$typo" x
        if [ "$rc" -eq 2 ] && grep -Fq "unknown option '$typo' (did you mean '$o'?)" "$T/err"; then pass
        else fail "$cmd $typo: status $rc, '$(head -c 300 "$T/err")' does not suggest $o"; fi
    done
done

# init specs: the library's message (Python and C callers get the same text)
for spec_hint in "kaiming_unifrom|unknown scheme 'kaiming_unifrom'; did you mean 'kaiming_uniform'?" \
                 "kaiming_uniform(nonlinearity=rleu)|unknown value 'rleu' for nonlinearity; did you mean 'relu'?" \
                 "he_nromal|did you mean 'he_normal'?" \
                 "xavier_uniform(gian=2)|unknown parameter 'gian'; did you mean 'gain'?" \
                 "kaiming_normal(mode=fan_ot)|did you mean 'fan_out'?" \
                 "variance_scaling(distribution=unifrom)|did you mean 'uniform'?" \
                 "kaiming_normal(nonlinearity=Relu)|did you mean 'relu'?"; do
    expect_hint 1 "${spec_hint#*|}" fill --shape 4,4 --init "${spec_hint%%|*}" -o "$F/x.npy"
done
# nothing close, or two names equally close (conv1d, conv2d, conv3d): no suggestion
expect_no_hint 1 "unknown scheme 'foo'" fill --shape 4,4 --init foo -o "$F/x.npy"
expect_no_hint 1 "unknown value 'conv4d' for nonlinearity" fill --shape 4,4 --init "kaiming_normal(nonlinearity=conv4d)" \
    -o "$F/x.npy"
# in a model spec too (the spec parser's message, inside the model's)
printf '{"tensors": [{"name": "w", "shape": [4, 4], "init": "orthogonl"}]}' >"$T/typo.json"
expect_hint 1 "did you mean 'orthogonal'?" init "$T/typo.json" -o "$F/x.safetensors"
printf '{"dtype": "fp16", "tensors": [{"name": "w", "shape": [4], "init": "zeros"}]}' >"$T/dtype.json"
expect_hint 1 'unknown dtype "fp16"; did you mean "f16"?' init "$T/dtype.json" -o "$F/x.safetensors"
# the data-init algorithm and its parameters (src/graph/algo.c)
"$PY" -c "import numpy as np; np.save('$T/digits.npy', np.ones((4, 1, 28, 28), np.float32))"
expect_hint 2 "unknown algorithm 'lsvu'; did you mean 'lsuv'?" init "$MLP" -o "$F/x.safetensors" \
    --data "$T/digits.npy" --data-init lsvu
expect_hint 2 "unknown parameter 'tl' for lsuv; did you mean 'tol'?" init "$MLP" -o "$F/x.safetensors" \
    --data "$T/digits.npy" --data-init "lsuv(tl=0.1)"

# ---- 2. sizes need a unit -----------------------------------------------------------------
expect_error 2 "--max-shard-size: '200' has no unit: write 200B for bytes" init "$MLP" -o "$F/sh" --max-shard-size 200
expect_error 2 "--memory: '3000000' has no unit" init "$MLP" -o "$F/x.safetensors" --memory 3000000
run_ok "--max-shard-size 200000B" init "$MLP" -o "$F/sh" --max-shard-size 200000B -q &&
    check "200000B: fc1.weight (802816 bytes) alone, the rest (137768 bytes) in a second shard" \
        test "$(ls "$F/sh" | tr '\n' ' ')" = \
        "model-00001-of-00002.safetensors model-00002-of-00002.safetensors model.safetensors.index.json "
run_ok "--max-shard-size 1kB" init "$MLP" -o "$F/sh2" --max-shard-size 1kB -q
rm -rf "$F/sh" "$F/sh2"

# ---- 3. a sharded OUT is a directory, not NAME.safetensors ---------------------------------
expect_error 2 "a sharded checkpoint, a directory" init "$MLP" -o "$F/x.safetensors" --max-shard-size 200MB
expect_error 2 "give -o $F/x," init "$MLP" -o "$F/x.safetensors" --max-shard-size 200MB
expect_error 2 "give -o $F/big," init "$MLP" -o "$F/big.SafeTensors/" --max-shard-size 1GB
expect_error 2 "give -o $F/model," init "$MLP" -o "$F/.safetensors" --max-shard-size 1GB
run_ok "a sharded OUT named x" init "$MLP" -o "$F/x" --max-shard-size 200MB -q &&
    check "x: a directory" test -f "$F/x/model.safetensors"
rm -rf "$F/x"

# ---- 4. --from a checkpoint that provides nothing ------------------------------------------
run_ok "the checkpoint" init "$MLP" -o "$T/ck.safetensors" -q
cat >"$T/prefixed.json" <<'EOF'
{"seed": 1, "rules": {"*.weight": "kaiming_normal", "*.bias": "zeros"},
 "tensors": [{"name": "model.fc1.weight", "shape": [256, 784]}, {"name": "model.fc1.bias", "shape": [256]},
             {"name": "model.fc2.weight", "shape": [128, 256]}, {"name": "model.fc2.bias", "shape": [128]},
             {"name": "head.weight", "shape": [10, 128]}]}
EOF
for want in "the checkpoint provides none of the spec's 5 tensors" "checkpoint tensors \"fc1.weight\"" \
            "spec tensors \"model.fc1.weight\"" "the rename \"=model.\" would provide 4" "--rename OLD=NEW" \
            "--from-allow-none"; do
    expect_error 1 "$want" init "$T/prefixed.json" -o "$F/y.safetensors" --from "$T/ck.safetensors"
done
# the streaming writer and the in-memory path (--data) say the same
"$PY" -c "import numpy as np; np.save('$T/batch.npy', np.ones((4, 784), np.float32))"
sed 's/"tensors"/"graph": [{"op": "input", "shape": [784]}, {"op": "linear", "weight": "model.fc1.weight"}],\n "tensors"/' \
    "$T/prefixed.json" >"$T/prefixed_graph.json"
expect_error 1 "the checkpoint provides none of the spec's 5 tensors" init "$T/prefixed_graph.json" \
    -o "$F/y.safetensors" --from "$T/ck.safetensors" --data "$T/batch.npy" --data-init lsuv
# the suggested rename works; --from-allow-none gives what no --from gives
run_ok "--rename =model." init "$T/prefixed.json" -o "$F/r.safetensors" --from "$T/ck.safetensors" --rename =model.
check "--rename =model.: 4 renamed" grep -q "4 renamed" "$T/err"
run_ok "--from-allow-none" init "$T/prefixed.json" -o "$F/n.safetensors" --from "$T/ck.safetensors" \
    --from-allow-none -q
run_ok "no --from" init "$T/prefixed.json" -o "$F/plain.safetensors" -q
# the same tensors as no --from; the metadata differs only by the record of the checkpoint read
check "--from-allow-none: the same tensors as no --from" $PY -c "
import json, sys
def read(p):
    b = open(p, 'rb').read(); n = int.from_bytes(b[:8], 'little'); h = json.loads(b[8:8 + n])
    return h.pop('__metadata__'), h, b[8 + n:]
(ma, ha, da), (mb, hb, db) = read(sys.argv[1]), read(sys.argv[2])
assert ha == hb and da == db
assert set(ma) - set(mb) == {'nninit_from', 'nninit_from_digest'}, (ma.keys(), mb.keys())
assert all(ma[k] == mb[k] for k in mb), (ma, mb)" "$F/n.safetensors" "$F/plain.safetensors"
expect_error 2 "--from-allow-none needs --from" init "$T/prefixed.json" -o "$F/z.safetensors" --from-allow-none
# partial overlap: accepted, reported
sed 's/"head.weight"/"fc3.weight"/' "$T/prefixed.json" >"$T/partial.json"
run_ok "partial overlap" init "$T/partial.json" -o "$F/p.safetensors" --from "$T/ck.safetensors"
check "partial overlap reported" grep -q "1 loaded" "$T/err"
rm -f "$F"/*.safetensors

echo "strict: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
