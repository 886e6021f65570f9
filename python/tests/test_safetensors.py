"""load and save: round trips (bf16 included), single files and sharded
directories, checked with the independent reader/writer of streader.py;
zero-copy lifetime; atomic output; errors."""
import gc
import json
import mmap
import os

import numpy as np
import pytest
import torch

import nninit
import streader
from conftest import bits
from nninit import _safetensors


def sample_numpy():
    rng = np.random.default_rng(1)
    return {
        "layer.0.weight": rng.standard_normal((31, 17)).astype(np.float32),
        "layer.0.bias": rng.standard_normal(17).astype(np.float64),
        "half": rng.standard_normal((3, 5, 2)).astype(np.float16),
        "caf\u00e9/\u65e5\u672c": np.arange(6, dtype=np.float32).reshape(2, 3),
        "scalar": np.array(2.5, np.float32),
        "empty": np.zeros((0, 4), np.float64),
    }


def sample_torch():
    g = torch.Generator().manual_seed(2)
    return {
        "w": torch.randn(40, 24, generator=g).to(torch.bfloat16),
        "b": torch.randn(24, generator=g).to(torch.bfloat16),
        "f": torch.randn(7, 3, generator=g),
        "h": torch.randn(9, generator=g).half(),
        "d": torch.randn(2, 2, generator=g).double(),
    }


def test_numpy_round_trip_and_independent_reader(tmp_path):
    t = sample_numpy()
    p = tmp_path / "a.safetensors"
    meta = {"format": "np", "note": 'quote" and \u20ac'}
    nninit.save(p, t, meta)
    got = nninit.load(p)
    assert list(got) == list(t) and got.metadata == meta
    for k, a in t.items():
        assert got[k].dtype == a.dtype and got[k].shape == a.shape and np.array_equal(got[k], a), k
    rmeta, tensors, start = streader.read(p)
    assert rmeta == meta and start % 64 == 0
    assert [n for n, _, _ in tensors] == list(t)
    for name, dt, arr in tensors:
        assert dt == {"float32": "F32", "float64": "F64", "float16": "F16"}[str(t[name].dtype)]
        assert np.array_equal(arr, t[name])


def test_torch_round_trip_bf16(tmp_path):
    t = sample_torch()
    p = tmp_path / "t.safetensors"
    nninit.save(p, t)
    got = nninit.load(p, framework="pt")
    assert got.metadata == {}
    for k, x in t.items():
        assert got[k].dtype == x.dtype and torch.equal(got[k], x), k
    as_np = nninit.load(p)                               # NumPy: bf16 as its uint16 bits
    assert as_np["w"].dtype == np.uint16
    assert np.array_equal(as_np["w"].view(np.uint8).ravel(), bits(t["w"]))
    _, tensors, _ = streader.read(p)
    kinds = {n: dt for n, dt, _ in tensors}
    assert kinds == {"w": "BF16", "b": "BF16", "f": "F32", "h": "F16", "d": "F64"}
    for name, _, arr in tensors:
        assert np.array_equal(arr.view(np.uint8).ravel(), bits(t[name])), name


def test_mixed_inputs_and_copies(tmp_path):
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    t = [("strided", a[:, ::2]), ("transposed", x.t()), ("swapped", a.astype(">f4")),
         ("grad", torch.nn.Parameter(torch.ones(2)))]
    nninit.save(tmp_path / "m.safetensors", t)           # pairs keep their order
    got = nninit.load(tmp_path / "m.safetensors")
    assert list(got) == ["strided", "transposed", "swapped", "grad"]
    assert np.array_equal(got["strided"], a[:, ::2]) and np.array_equal(got["transposed"], x.t().numpy())
    assert got["swapped"].dtype == np.float32 and np.array_equal(got["swapped"], a)


def test_foreign_file(tmp_path):
    """A file another writer could produce: no padding, data in another order, unaligned
    tensors, integer and bool dtypes."""
    t = [("b", "BF16", np.array([0x3F80, 0xC000], np.uint16)),           # 1.0, -2.0
         ("i", "I64", np.array([[1, -2], [3, 2 ** 40]], np.int64)),
         ("u8", "U8", np.arange(5, dtype=np.uint8)),
         ("f", "F32", np.array([0.5, 1.5, -3.0], np.float32)),
         ("ok", "BOOL", np.array([True, False])),
         ("u16", "U16", np.array([1, 65535], np.uint16))]
    p = tmp_path / "foreign.safetensors"
    streader.write(p, t, metadata={"format": "pt"}, order=[2, 3, 1, 0, 4, 5])   # u8 first: the rest unaligned
    got = nninit.load(p)
    for name, _, arr in t:
        assert got[name].dtype == arr.dtype and np.array_equal(got[name], arr), name
        assert got[name].flags.aligned and got[name].flags.writeable
    pt_path = tmp_path / "pt.safetensors"
    streader.write(pt_path, t[:5], order=[2, 3, 1, 0, 4])
    g = nninit.load(pt_path, framework="torch")
    assert g["b"].dtype == torch.bfloat16 and g["b"].tolist() == [1.0, -2.0]
    assert g["i"].dtype == torch.int64 and g["i"].tolist() == [[1, -2], [3, 2 ** 40]]
    assert g["ok"].dtype == torch.bool and g["f"].tolist() == [0.5, 1.5, -3.0]
    with pytest.raises(TypeError, match="tensor 'u16': dtype U16 has no torch equivalent"):
        nninit.load(p, framework="torch")


def test_zero_copy_lifetime_and_private_writes(tmp_path):
    t = {"w": np.arange(1000, dtype=np.float32), "v": np.ones(10, np.float64)}
    p = tmp_path / "z.safetensors"
    nninit.save(p, t)
    on_disk = p.read_bytes()
    got = nninit.load(p)
    w = got["w"]
    base = w
    while isinstance(base, np.ndarray) or isinstance(base, memoryview):
        base = base.base if isinstance(base, np.ndarray) else base.obj
    assert isinstance(base, mmap.mmap)                   # a view of the mapping, not a copy
    del got, base
    gc.collect()
    assert np.array_equal(w, t["w"])                      # the mapping lives with the array
    w[:] = -1                                            # writable, privately
    assert (w == -1).all() and p.read_bytes() == on_disk
    tt = nninit.load(p, framework="torch")["w"]
    tt.mul_(2)
    assert tt[3].item() == 6.0 and p.read_bytes() == on_disk
    assert nninit.load(p)["w"][3] == 3.0


def test_cli_output_loads(cli, tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text('{"seed": 4, "dtype": "bf16", "tensors": [{"name": "a", "shape": [3, 5], "init": "normal"}]}')
    cli("init", spec, "-o", tmp_path / "c.safetensors", "-q")
    got = nninit.load(tmp_path / "c.safetensors", framework="torch")
    assert got.metadata["seed"] == "4" and json.loads(got.metadata["spec"])["dtype"] == "bf16"
    x = torch.empty(3, 5, dtype=torch.bfloat16)
    nninit.init_(x, "normal", seed=4, name="a")
    assert torch.equal(got["a"], x)


# ---- sharded directories -------------------------------------------------------------------
def hf_split(sizes, limit):
    """huggingface_hub's split_state_dict_into_shards_factory, written out here."""
    shards, current, size = [], [], 0
    for i, s in enumerate(sizes):
        if s > limit:
            shards.append([i])
        else:
            if size + s > limit:
                shards.append(current)
                current, size = [], 0
            current.append(i)
            size += s
    if current:
        shards.append(current)
    return shards


@pytest.mark.parametrize("sizes,limit,want", [
    ([4, 4, 4], 8, [[0, 1], [2]]),
    ([4, 4, 4], 12, [[0, 1, 2]]),
    ([3, 12, 4], 10, [[1], [0, 2]]),              # the oversize tensor alone, placed when met
    ([10, 10, 1], 10, [[0], [1], [2]]),
    ([6, 6, 2, 6, 2, 2], 10, [[0], [1, 2], [3, 4, 5]]),           # its documentation's example
    ([], 5, []),
])
def test_split_rule(tmp_path, sizes, limit, want):
    # The library's split, read back from what it wrote (float16: 2 bytes an element).
    t = {"t%d" % i: np.zeros(s, np.float16) for i, s in enumerate(sizes)}
    d = tmp_path / "m"
    nninit.save(d, t, max_shard_size=2 * limit)
    names = list(t)
    index = d / "model.safetensors.index.json"
    if index.exists():
        wm = json.loads(index.read_text())["weight_map"]
        got = [[names.index(n) for n in names if wm[n] == f] for f in sorted(set(wm.values()))]
    else:
        assert sorted(os.listdir(d)) == ["model.safetensors"]
        got = [list(range(len(sizes)))] if sizes else []
    assert got == want == hf_split(sizes, limit)


def read_sharded(d):
    """The directory through its index alone (streader for each shard)."""
    index = json.loads((d / "model.safetensors.index.json").read_text())
    out = {}
    for f in sorted(set(index["weight_map"].values())):
        meta, tensors, _ = streader.read(d / f)
        for name, dt, arr in tensors:
            assert index["weight_map"][name] == f
            out[name] = (dt, arr, meta)
    assert set(out) == set(index["weight_map"])
    return index, out


def test_sharded_round_trip(tmp_path):
    t = {"emb": torch.randn(100, 8).to(torch.bfloat16),        # 1600 bytes
         "a": torch.randn(50), "b": torch.randn(50),          # 200 each
         "big": torch.randn(600),                              # 2400: alone
         "c": torch.randn(100).double(),                       # 800
         "d": torch.randn(10).half()}
    d = tmp_path / "model"
    nninit.save(d, t, {"format": "pt"}, max_shard_size=2000)
    sizes = [x.numel() * x.element_size() for x in t.values()]
    shards = hf_split(sizes, 2000)
    names = list(t)
    files = ["model-%05d-of-%05d.safetensors" % (k + 1, len(shards)) for k in range(len(shards))]
    assert sorted(os.listdir(d)) == sorted(files + ["model.safetensors.index.json"])
    index, content = read_sharded(d)
    assert index["metadata"] == {"total_size": sum(sizes)}
    assert index["weight_map"] == {names[i]: files[k] for k, s in enumerate(shards) for i in s}
    for name, x in t.items():
        dt, arr, meta = content[name]
        assert meta == {"format": "pt"} and np.array_equal(arr.view(np.uint8).ravel(), bits(x))
    got = nninit.load(d, framework="torch")
    assert got.metadata == {"format": "pt"}
    assert sorted(got) == sorted(t) and all(torch.equal(got[k], t[k]) for k in t)
    got2 = nninit.load(d / "model.safetensors.index.json", framework="torch")
    assert list(got2) == list(got)


def test_one_shard_is_model_safetensors(tmp_path):
    d = tmp_path / "small"
    nninit.save(d, sample_numpy(), max_shard_size="1MB")
    assert os.listdir(d) == ["model.safetensors"]
    got = nninit.load(d)
    assert all(np.array_equal(got[k], v) for k, v in sample_numpy().items())


def test_sizes():
    s = _safetensors._size
    assert s(1000) == 1000 and s("5GB") == 5 * 10 ** 9 and s("2GiB") == 2 << 30 and s("500 mb") == 5 * 10 ** 8
    assert s("1.5KB") == 1500
    for bad in ("5 parsecs", "-1GB", "GB"):
        with pytest.raises(ValueError):
            s(bad)
    for bad in (0, -5):
        with pytest.raises(ValueError):
            s(bad)
    for bad in (1.5, True, None):
        with pytest.raises(TypeError):
            s(bad)


def no_temporaries(parent):
    return [n for n in os.listdir(parent) if n.startswith(".")] == []


def test_shard_size_needs_a_unit_and_a_directory_name(tmp_path):
    t = {"a": np.ones(100, np.float32), "b": np.ones(100, np.float32)}
    # a string needs a unit (as transformers' convert_file_size_to_int); an int is bytes
    with pytest.raises(ValueError, match="'400' has no unit: write 400B for bytes"):
        nninit.save(tmp_path / "out", t, max_shard_size="400")
    nninit.save(tmp_path / "out", t, max_shard_size="400B")
    assert sorted(os.listdir(tmp_path / "out")) == [
        "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"]
    # a sharded checkpoint is a directory: a .safetensors name is refused, with the name to use
    with pytest.raises(ValueError, match="a sharded checkpoint is a directory.*name the directory '.*/x' instead"):
        nninit.save(tmp_path / "x.safetensors", t, max_shard_size="1MB")
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_sharded_output_is_atomic(tmp_path):
    d = tmp_path / "out"
    t = {"a": np.ones(100, np.float32), "b": np.ones(100, np.float32)}
    nninit.save(d, t, max_shard_size=400)
    assert len(os.listdir(d)) == 3
    nninit.save(d, {"x": np.zeros(10, np.float32)}, max_shard_size=400)     # an earlier output is replaced
    assert os.listdir(d) == ["model.safetensors"] and list(nninit.load(d)) == ["x"]
    assert no_temporaries(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="did not write"):
        nninit.save(mine, t, max_shard_size=400)
    assert os.listdir(mine) == ["notes.txt"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(FileExistsError, match="exists and is not one"):
        nninit.save(f, t, max_shard_size=400)
    with pytest.raises(TypeError, match="tensor 'bad'"):         # checked before anything is created
        nninit.save(tmp_path / "never", {"a": t["a"], "bad": np.zeros(3, np.int64)}, max_shard_size=400)
    assert not (tmp_path / "never").exists() and no_temporaries(tmp_path)
    with pytest.raises(OSError):                                 # a failure while writing shards
        nninit.save(tmp_path / "missing" / "dir", t, max_shard_size=400)
    assert no_temporaries(tmp_path)


def test_save_errors(tmp_path):
    p = tmp_path / "e.safetensors"
    for tensors, exc, what in [
            ({"a": [1.0]}, TypeError, "expected a numpy.ndarray or a torch.Tensor"),
            ({"a": np.zeros(2, np.int32)}, TypeError, "NumPy dtype int32"),
            ({"a": torch.zeros(2, dtype=torch.int64)}, TypeError, "dtype torch.int64"),
            ({"": np.zeros(2, np.float32)}, ValueError, "non-empty"),
            ({"a\0": np.zeros(2, np.float32)}, ValueError, "NUL"),
            ([("a", np.zeros(1, np.float32)), ("a", np.zeros(1, np.float32))], ValueError, "twice"),
            ({"a": torch.zeros(2, device="meta")}, ValueError, "save CPU tensors"),
            ({"a": np.zeros((1,) * 9, np.float32)}, ValueError, "at most 8")]:
        with pytest.raises(exc, match=what):
            nninit.save(p, tensors)
    with pytest.raises(TypeError, match="keys and values are str"):
        nninit.save(p, {"a": np.zeros(1, np.float32)}, {"seed": 1})
    assert not p.exists()
    with pytest.raises(FileNotFoundError):
        nninit.save(tmp_path / "no" / "x.safetensors", {"a": np.zeros(1, np.float32)})


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        nninit.load(tmp_path / "absent.safetensors")
    p = tmp_path / "t.safetensors"
    nninit.save(p, {"a": np.arange(10, dtype=np.float32)})
    raw = p.read_bytes()
    (tmp_path / "short").write_bytes(raw[:-4])
    with pytest.raises(ValueError, match=r'short: .*tensor "a": data_offsets \[0, 40\] out of bounds') as e:
        nninit.load(tmp_path / "short")
    assert e.value.status == 12                           # NNINIT_E_FORMAT, the library's reason
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ValueError, match="0 bytes, shorter than the 8-byte header length"):
        nninit.load(tmp_path / "empty")
    with pytest.raises(ValueError, match="framework"):
        nninit.load(p, framework="jax")
    with pytest.raises(FileNotFoundError, match="model.safetensors or model.safetensors.index.json"):
        nninit.load(tmp_path)
    d = tmp_path / "sh"
    nninit.save(d, {"a": np.ones(4, np.float32), "b": np.ones(4, np.float32)}, max_shard_size=16)
    index = json.loads((d / "model.safetensors.index.json").read_text())
    index["weight_map"]["ghost"] = "model-00001-of-00002.safetensors"
    (d / "model.safetensors.index.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match="'ghost' is listed in model-00001-of-00002.safetensors but not there"):
        nninit.load(d)
    index["weight_map"] = {"a": "../x.safetensors"}
    (d / "model.safetensors.index.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match="not a file name"):
        nninit.load(d)
    (d / "model.safetensors.index.json").write_text("{")
    with pytest.raises(ValueError, match="not a JSON index"):
        nninit.load(d)
