"""Shared fixtures of the Python package's tests (run by `make python-check`).

Environment (set by the Makefile target; defaults for a plain `make` tree):
  NNINIT_LIBRARY    the libnninit.so under test (the package loads it)
  NNINIT_CLI        the command-line program, for bit-for-bit comparisons
  NNINIT_STAGE      a `make install PREFIX=...` tree holding the installed package
  NNINIT_BUILD_DIR  the build directory
"""
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("NNINIT_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, HERE)

import torch  # noqa: E402  (before nninit, as a user's program would import it)

import nninit  # noqa: E402


@pytest.fixture(scope="session")
def cli():
    """Runs the command-line program: cli("fill", ...) -> CompletedProcess (checked)."""
    exe = os.environ.get("NNINIT_CLI", os.path.join(BUILD, "nninit"))
    if not os.access(exe, os.X_OK):
        pytest.fail("%s is missing: run make" % exe)

    def run(*args):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        if p.returncode != 0:
            raise AssertionError("nninit %s: exit %d: %s" % (" ".join(map(str, args)), p.returncode, p.stderr))
        return p
    return run


@pytest.fixture(scope="session")
def fill(cli, tmp_path_factory):
    """fill(shape, spec, dtype, seed=0, name=None, stream=None) -> what `nninit fill` writes, as NumPy
    (bf16 as uint16 bits)."""
    d = tmp_path_factory.mktemp("fill")
    count = [0]

    def run(shape, spec, dtype="f32", seed=0, name=None, stream=None):
        count[0] += 1
        out = d / ("t%d.npy" % count[0])
        args = ["fill", "--shape", ",".join(map(str, shape)) if shape else "scalar", "--init", spec,
                "--dtype", dtype, "--seed", seed, "-o", out]
        if name is not None:
            args += ["--name", name]
        if stream is not None:
            args += ["--stream", stream]
        cli(*args)
        return np.load(out)
    return run


def bits(x):
    """The raw bytes of an array or tensor as a NumPy uint8 array (bf16 included)."""
    if isinstance(x, torch.Tensor):
        x = x.detach().contiguous()
        if x.dtype == torch.bfloat16:
            x = x.view(torch.int16)
        x = x.numpy()
    return np.ascontiguousarray(x).view(np.uint8).reshape(-1)


def header_version():
    v = {}
    with open(os.path.join(ROOT, "include", "nninit.h")) as f:
        for line in f:
            for part in ("MAJOR", "MINOR", "PATCH"):
                if line.startswith("#define NNINIT_VERSION_%s " % part):
                    v[part] = int(line.split()[2])
    return v["MAJOR"], v["MINOR"], v["PATCH"]
