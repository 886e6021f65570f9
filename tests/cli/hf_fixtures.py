#!/usr/bin/python3
"""`nninit spec` / `nninit init` on Hugging Face config.json files against tests/data/hf/*.json.

    /usr/bin/python3 tests/cli/hf_fixtures.py BUILD_DIR      (make hf-check)

The fixtures come from tools/hf/gen_hf_fixtures.py: module skeletons written after transformers'
modeling code, independent of nninit's C table. For every fixture this writes its config.json into a
temporary directory, runs `BUILD_DIR/nninit spec DIR/config.json` and checks:
  - the same tensor names (as sets: the missing and extra names are listed on failure),
  - the same shape for each name,
  - the tied output embedding absent when the fixture says tied,
  - the parameter total equals the fixture's "params",
  - the bytes (the spec's dtype, the config's torch_dtype) equal the published index total_size, and the
    parameter and tensor counts the published ones, where the fixture records them,
  - each tensor's init spec (the `hf` recipe, the default) agrees with the fixture's expectation:
    normal with mean 0 and std within 1e-12 relative, or the constant 0 / 1; exactly the padding row
    zeroed (the tensor's "zero_row" field of docs/MODELS.md, or an init parameter about padding/rows),
    and no row for a tensor without one (the data check below proves the zeros).
Then `nninit init CONFIG -o OUT --dtype f32` on the two smallest fixtures (by parameter count),
reading the safetensors file from the format's description with NumPy, and per tensor:
  - constants exactly, padding rows exactly zero,
  - normal tensors: sample mean within 5 standard errors (std / sqrt(n)) of 0 and sample std
    within 5 standard errors (about std / sqrt(2 (n - 1))) of the expected std. The seed is fixed
    (the spec's), so the outcome is deterministic; 5 standard errors separate every std the
    fixtures expect from its neighbours (e.g. GPT-2's c_proj std / sqrt(2 n_layer)).
Prints "N passed, M failed" last and exits 1 on any failure. When this build's nninit has no `spec`
command yet, says so and exits 0 (skipped); any other error fails.
"""
import fnmatch
import glob
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "hf")
DTYPE_BYTES = {"f32": 4, "f64": 8, "bf16": 2, "f16": 2}
ST_DTYPES = {"F32": ("<f4", 4), "F64": ("<f8", 8)}
REL_TOL = 1e-12


class Failure(Exception):
    pass


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def spec_is_known(nninit):
    """False only when nninit answers that `spec` is an unknown command."""
    rc, _, err = run([nninit, "spec", os.path.join(DATA, "no-such-dir", "config.json")])
    return not (rc == 2 and "unknown command 'spec'" in err)


def parse_init(s):
    """'name(k=v, k=v)' or 'name' -> (name, {k: v as text})."""
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*", s)
    if not m:
        raise Failure("init spec %r is not name(params)" % s)
    params = {}
    body = m.group(2)
    if body and body.strip():
        for part in split_params(body):
            if "=" not in part:
                raise Failure("init spec %r: parameter %r has no '='" % (s, part))
            k, v = part.split("=", 1)
            params[k.strip()] = v.strip()
    return m.group(1), params


def split_params(body):
    """Split on commas outside brackets (a parameter value may be a list)."""
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [p for p in (x.strip() for x in out) if p]


def close(a, b):
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def tensor_init(spec, t):
    """The init spec that applies to tensor t: its own, else the first matching rule (docs/MODELS.md)."""
    if "init" in t:
        return t["init"]
    rules = spec.get("rules", [])
    items = [(r["match"], r["init"]) for r in rules] if isinstance(rules, list) else list(rules.items())
    for pat, init in items:
        if fnmatch.fnmatchcase(t["name"], pat):
            return init
    raise Failure("tensor %s: no init and no rule matches" % t["name"])


def spec_zero_rows(t, params):
    """The rows a spec tensor zeroes after its draw: the tensor's "zero_row" field (docs/MODELS.md), or a
    list in "zero_rows", or an init parameter about padding / rows."""
    rows = set()
    if "zero_row" in t:
        rows.add(int(t["zero_row"]))
    rows.update(int(r) for r in t.get("zero_rows", []))
    for k, v in params.items():
        if re.search(r"pad|row", k):
            rows.update(int(x) for x in re.findall(r"-?\d+", v))
    return rows


def check_init(name, t, init, exp):
    scheme, params = parse_init(init)
    named = spec_zero_rows(t, params)
    if "const" in exp:
        want = float(exp["const"])
        if scheme == "zeros":
            got = 0.0
        elif scheme == "ones":
            got = 1.0
        elif scheme in ("constant", "const"):
            got = float(params.get("value", "nan"))
        else:
            raise Failure("%s: init %r, expected the constant %g" % (name, init, want))
        if got != want:
            raise Failure("%s: init %r, expected the constant %g" % (name, init, want))
        if named:
            raise Failure("%s: zeroes rows %s of a constant tensor" % (name, sorted(named)))
        return
    if scheme != "normal":
        raise Failure("%s: init %r, expected normal(std=%r)" % (name, init, exp["std"]))
    mean = float(params.get("mean", "0"))
    std = float(params.get("std", "1"))
    if mean != 0.0 or not close(std, exp["std"]):
        raise Failure("%s: init %r, expected normal(mean=0, std=%r)" % (name, init, exp["std"]))
    rows = set(exp.get("zero_rows", []))
    if named != rows:
        raise Failure("%s: zeroed rows %s, expected %s (the padding row)" % (name, sorted(named), sorted(rows)))


def check_fixture(fx):
    """A fixture edited by hand must still agree with itself."""
    if len(fx["init"]) != len(fx["tensors"]):
        raise Failure("fixture: %d init entries for %d tensors" % (len(fx["init"]), len(fx["tensors"])))
    if sum(math.prod(t["shape"]) for t in fx["tensors"]) != fx["params"]:
        raise Failure("fixture: params is not the sum of its shapes")


def check_spec(nninit, fx, tmp):
    check_fixture(fx)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(fx["config"], f)
    rc, out, err = run([nninit, "spec", os.path.join(tmp, "config.json")])
    if rc != 0:
        raise Failure("nninit spec exited %d: %s" % (rc, err.strip()))
    try:
        spec = json.loads(out)
    except ValueError as e:
        raise Failure("nninit spec printed no JSON: %s" % e)
    got = {t["name"]: t for t in spec["tensors"]}
    want = {t["name"]: t["shape"] for t in fx["tensors"]}
    if len(got) != len(spec["tensors"]):
        raise Failure("duplicate tensor names in the spec")
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        raise Failure("names differ: missing %s; extra %s" % (missing, extra))
    for n, shape in want.items():
        if list(got[n]["shape"]) != shape:
            raise Failure("%s: shape %s, expected %s" % (n, got[n]["shape"], shape))
    out_emb = "embed_out.weight" if fx["model_type"] == "gpt_neox" else "lm_head.weight"
    if fx["tied"] and out_emb in got:
        raise Failure("tied %s is in the spec" % out_emb)
    params = sum(math.prod(t["shape"]) for t in spec["tensors"])
    if params != fx["params"]:
        raise Failure("%d parameters, expected %d" % (params, fx["params"]))
    pub = fx.get("published", {})
    if "total_size_bf16" in pub:
        dt = spec.get("dtype", "f32")
        nbytes = sum(math.prod(t["shape"]) * DTYPE_BYTES[t.get("dtype", dt)] for t in spec["tensors"])
        if nbytes != pub["total_size_bf16"]:
            raise Failure("%d bytes, published total_size %d (%s)" % (nbytes, pub["total_size_bf16"], pub["source"]))
    if "params" in pub and params != pub["params"]:
        raise Failure("%d parameters, published %d (%s)" % (params, pub["params"], pub["source"]))
    if "tensors" in pub and len(spec["tensors"]) != pub["tensors"]:
        raise Failure("%d tensors, published %d (%s)" % (len(spec["tensors"]), pub["tensors"], pub["source"]))
    for t, exp in zip(fx["tensors"], fx["init"]):
        check_init(t["name"], got[t["name"]], tensor_init(spec, got[t["name"]]), exp)
    return spec


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    buf = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if info["dtype"] not in ST_DTYPES:
            raise Failure("%s: dtype %s, asked for f32" % (name, info["dtype"]))
        npdt, _ = ST_DTYPES[info["dtype"]]
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(buf[a:b], dtype=npdt).reshape(info["shape"])
    return out


def read_output(out):
    if os.path.isfile(out):
        return read_safetensors(out)
    tensors = {}
    for p in sorted(glob.glob(os.path.join(out, "*.safetensors"))):
        tensors.update(read_safetensors(p))
    if not tensors:
        raise Failure("no safetensors file at %s" % out)
    return tensors


def check_values(nninit, fx, tmp):
    cfg = os.path.join(tmp, "config.json")
    out = os.path.join(tmp, "model.safetensors")
    rc, _, err = run([nninit, "init", cfg, "-o", out, "--dtype", "f32", "-q"])
    if rc != 0:
        raise Failure("nninit init exited %d: %s" % (rc, err.strip()))
    data = read_output(out)
    want = [t["name"] for t in fx["tensors"]]
    if sorted(data) != sorted(want):
        raise Failure("written names differ: missing %s; extra %s" % (sorted(set(want) - set(data)),
                                                                      sorted(set(data) - set(want))))
    for t, exp in zip(fx["tensors"], fx["init"]):
        a = data[t["name"]].astype(np.float64)
        if list(a.shape) != t["shape"]:
            raise Failure("%s: written shape %s, expected %s" % (t["name"], list(a.shape), t["shape"]))
        if "const" in exp:
            if not np.all(a == exp["const"]):
                raise Failure("%s: not all %g" % (t["name"], exp["const"]))
            continue
        rows = exp.get("zero_rows", [])
        for r in rows:
            if np.any(a[r] != 0):
                raise Failure("%s: padding row %d is not zero" % (t["name"], r))
        keep = np.ones(a.shape[0], dtype=bool)
        keep[rows] = False
        v = a[keep].ravel()
        n = v.size
        std = exp["std"]
        m, s = float(v.mean()), float(v.std(ddof=1))
        if abs(m) > 5 * std / math.sqrt(n):
            raise Failure("%s: sample mean %.3g over %d values, expected 0 +- %.3g" % (t["name"], m, n,
                                                                                   5 * std / math.sqrt(n)))
        tol = 5 * std / math.sqrt(2 * (n - 1))
        if abs(s - std) > tol:
            raise Failure("%s: sample std %.5g over %d values, expected %.5g +- %.3g" % (t["name"], s, n, std, tol))


def main(argv):
    if len(argv) != 2:
        print("usage: hf_fixtures.py BUILD_DIR", file=sys.stderr)
        return 2
    nninit = os.path.join(argv[1], "nninit")
    files = sorted(glob.glob(os.path.join(DATA, "*.json")))
    if not files:
        print("hf_fixtures.py: no fixtures in %s" % DATA, file=sys.stderr)
        return 1
    if not os.access(nninit, os.X_OK):
        print("hf_fixtures.py: %s is not an executable" % nninit, file=sys.stderr)
        return 1
    if not spec_is_known(nninit):
        print("hf_fixtures.py: SKIP: %s has no 'spec' command yet (unknown command); %d fixtures not checked"
              % (nninit, len(files)))
        print("0 passed, 0 failed, %d skipped" % len(files))
        return 0
    fixtures = [(os.path.basename(p)[:-5], json.load(open(p))) for p in files]
    smallest = [n for n, _ in sorted(fixtures, key=lambda nf: (nf[1]["params"], nf[0]))[:2]]
    passed = failed = 0
    for name, fx in fixtures:
        checks = [("spec", check_spec)] + ([("init", check_values)] if name in smallest else [])
        with tempfile.TemporaryDirectory() as tmp:
            for what, fn in checks:
                try:
                    fn(nninit, fx, tmp)
                    passed += 1
                    print("ok   %s %s" % (what, name))
                except Failure as e:
                    failed += 1
                    print("FAIL %s %s: %s" % (what, name, e))
                    if what == "spec":
                        break
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
