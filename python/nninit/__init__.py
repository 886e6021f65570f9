"""nninit: fast, reproducible initialization of neural-network weights, from Python.

A thin ctypes binding of libnninit (no compiler needed): every function gives
the same bits as the C library and the ``nninit`` command line.

    import numpy as np, nninit
    w = np.empty((768, 3072), np.float32)
    nninit.init_(w, "trunc_normal(std=0.02)", seed=1234, name="h.0.mlp.c_fc.weight")

Two contracts, chosen per call (docs/PYTHON.md, "Keyed or unkeyed"):

- Unkeyed, torch.nn.init's: without seed=, name= and stream=, every call draws
  a fresh seed (one draw per call) from generator= if given, else torch's
  default CPU generator for torch tensors (torch.manual_seed(s) repeats a
  run), else nninit's own for NumPy arrays (manual_seed(s)). Two same-shape
  layers initialized in a loop differ, as with torch.nn.init. Use it to port
  torch code.
- Keyed, nninit's: with seed= and name= (or stream=), the values are a pure
  function of (seed, name, shape, spec), the same in every process and the
  same bits as ``nninit fill`` and a model spec: a checkpoint is reproducible
  from its metadata alone. Use it when that matters (and a distinct name per
  tensor: one key gives one stream).

- init_(x, spec, *, seed=None, name=None, layout=None, stream=None,
  generator=None): one array or tensor, any strides, in place.
- uniform_, normal_, trunc_normal_, constant_, ones_, zeros_, eye_, dirac_,
  xavier_uniform_, xavier_normal_, kaiming_uniform_, kaiming_normal_,
  orthogonal_, sparse_, calculate_gain: torch.nn.init's names and arguments
  (generator= where torch 2.x has it), plus keyword seed=, name= (and stream=).
- manual_seed(seed), initial_seed(): nninit's generator, the source of
  unkeyed calls on NumPy arrays.
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
from ._keys import initial_seed, manual_seed
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
    "manual_seed", "initial_seed",
]
