"""Hostile inputs through the Python package (issue 18), as the command line meets them:
FIFOs named as inputs are errors, never hangs; an index is read up to the library's limit;
a directory with both model.safetensors and an index reads model.safetensors; names
holding NUL or reserved for the metadata are refused when the spec is parsed."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nninit
from nninit import _init, _safetensors

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_in_child(path, timeout=30):
    """nninit.load(path) in a child process: (returncode, stderr). A hang is a timeout, not a stuck run."""
    code = "import sys, nninit\ntry:\n    nninit.load(sys.argv[1])\nexcept OSError as e:\n" \
           "    print('OSError:', e, file=sys.stderr); sys.exit(3)\n"
    p = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    return p.returncode, p.stderr


def test_fifo_in_index_is_an_error(tmp_path):
    d = tmp_path / "sh"
    nninit.save(str(d), {"a": np.ones(300, np.float32), "b": np.zeros(300, np.float32)}, max_shard_size=1500)
    shards = sorted(n for n in os.listdir(d) if n.startswith("model-"))
    assert len(shards) == 2
    os.unlink(d / shards[0])
    os.mkfifo(d / shards[0])
    rc, err = _load_in_child(str(d))
    assert rc == 3 and "not a regular file (a FIFO)" in err, err


def test_fifo_as_file_or_index_is_an_error(tmp_path):
    for name in ("w.safetensors", "model.safetensors.index.json"):
        os.mkfifo(tmp_path / name)
        rc, err = _load_in_child(str(tmp_path / name))
        assert rc == 3 and "not a regular file (a FIFO)" in err, err


def test_index_limit_is_the_librarys(tmp_path):
    limit = int(_safetensors._index_max_bytes())
    assert limit == 64 << 20
    nninit.save(str(tmp_path / "model-00001-of-00001.safetensors"), {"a": np.ones(2, np.float32)})
    index = tmp_path / "model.safetensors.index.json"
    pad = " " * (limit + 1 - len('{"weight_map": {"a": "model-00001-of-00001.safetensors"}}'))
    index.write_text('{"weight_map": {"a": "model-00001-of-00001.safetensors"}}' + pad)
    assert index.stat().st_size == limit + 1
    with pytest.raises(ValueError, match="larger than %d bytes" % limit):
        nninit.load(str(index))
    index.write_text('{"weight_map": {"a": "model-00001-of-00001.safetensors"}}')
    assert np.array_equal(nninit.load(str(index))["a"], np.ones(2, np.float32))


def test_directory_with_both_reads_model_safetensors(tmp_path):
    nninit.save(str(tmp_path / "model.safetensors"), {"a": np.full(2, 1, np.float32)})
    nninit.save(str(tmp_path / "model-00001-of-00001.safetensors"), {"a": np.full(2, 2, np.float32)})
    (tmp_path / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {}, "weight_map": {"a": "model-00001-of-00001.safetensors"}}))
    assert list(nninit.load(str(tmp_path))["a"]) == [1.0, 1.0]


@pytest.mark.parametrize("name, says", [("a\\u0000b", "NUL character"), ("__metadata__", "reserved")])
def test_names_refused_when_parsed(name, says):
    spec = '{"seed": 1, "tensors": [{"name": "%s", "shape": [2], "init": "zeros"}]}' % name
    with pytest.raises(Exception, match=says):
        _init.Model(spec)
