"""nninit: fast, reproducible initialization of neural-network weights, from Python.

A thin ctypes binding of libnninit (no compiler needed): every function gives
the same bits as the C library and the ``nninit`` command line.

    import numpy as np, nninit
    w = np.empty((768, 3072), np.float32)
    nninit.init_(w, "trunc_normal(std=0.02)", seed=1234, name="h.0.mlp.c_fc.weight")

- init_(x, spec, *, seed=0, name=None, layout=None, stream=None): one array or tensor, in place.
- uniform_, normal_, trunc_normal_, constant_, ones_, zeros_, eye_, dirac_,
  xavier_uniform_, xavier_normal_, kaiming_uniform_, kaiming_normal_,
  orthogonal_, sparse_, calculate_gain: torch.nn.init's names and arguments,
  plus keyword seed=, name= (and stream=).
- init_module(module, rules=None, *, seed=None, dtype=None, threads=None, generator=None)
  and spec_from_module(module, rules=None, *, seed=0, dtype=None): whole torch
  modules; rules=None is PyTorch's default init of each layer.
- materialize(module, rules=None, *, seed=None, device="cpu", threads=None,
  generator=None, shard=None): a module built on the meta device, allocated at once
  and filled in one parallel call, whole or as this rank's shards.
- init_shard_(local, spec, *, full_shape, offset, seed, name=None): one rank's
  part of a larger tensor, bit for bit that part of the one-process tensor.
- spec_from_hf(config, recipe="hf", *, dtype=None, seed=0): the spec of a Hugging
  Face config.json (docs/HF.md).
- load(path, *, framework="numpy") and save(path, tensors, metadata=None, *,
  max_shard_size=None): safetensors files and sharded directories.
- stream_id(name), library_path, library_version, __version__.

The shared library is found through NNINIT_LIBRARY, next to the package, or
by its SONAME (nninit._lib explains the order); library_path says which file
was loaded.
"""
from . import _lib
from ._init import (calculate_gain, constant_, dirac_, eye_, init_, kaiming_normal_, kaiming_uniform_, normal_,
                    ones_, orthogonal_, sparse_, stream_id, trunc_normal_, uniform_, xavier_normal_,
                    xavier_uniform_, zeros_)
from ._materialize import materialize
from ._module import init_module, spec_from_module
from ._hf import spec_from_hf
from ._shard import init_shard_
from ._safetensors import TensorDict, load, save

#: The path of the libnninit shared library in use.
library_path = _lib.library_path
#: The loaded library's version, "MAJOR.MINOR.PATCH" (nninit_version_string()).
library_version = _lib.version_string().decode()
__version__ = library_version

__all__ = [
    "init_", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
    "calculate_gain", "stream_id", "init_module", "spec_from_module", "spec_from_hf",
    "materialize", "init_shard_", "load", "save", "TensorDict",
    "library_path", "library_version",
]
