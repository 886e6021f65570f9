"""Hugging Face configs: nninit.spec_from_hf, through the library's nninit_hf_spec (docs/HF.md)."""
import ctypes
import json
import os

from . import _lib


class _HfOptions(ctypes.Structure):
    _fields_ = [("recipe", ctypes.c_char_p), ("dtype", ctypes.c_char_p), ("seed", ctypes.c_uint64)]


_hf_spec = _lib._proto("nninit_hf_spec", ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_HfOptions),
                       ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_size_t)
_hf_free = _lib._proto("nninit_hf_free", None, ctypes.c_void_p)
_hf_model_types = _lib._proto("nninit_hf_model_types", ctypes.c_char_p)

#: The model types spec_from_hf knows (transformers' model_type values).
MODEL_TYPES = tuple(t.strip() for t in _hf_model_types().decode().split(","))
#: The recipes (docs/HF.md); mup takes its base width: "mup(base_hidden=256)".
RECIPES = ("hf", "megatron", "torchtitan", "olmo", "neox", "mup(base_hidden=N)")


def _config_text(config):
    """config as JSON bytes: a dict, or a path to config.json or a directory holding it."""
    if isinstance(config, dict):
        return json.dumps(config).encode("utf-8")
    if isinstance(config, (str, bytes, os.PathLike)):
        path = os.fsdecode(config)
        if os.path.isdir(path):
            path = os.path.join(path, "config.json")
        with open(path, "rb") as f:
            return f.read()
    raise TypeError("config: expected a dict or a path to a config.json (or its directory), got %s"
                    % type(config).__name__)


def spec_from_hf(config, recipe="hf", *, dtype=None, seed=0):
    """The nninit model spec (a dict; json.dumps of it is a spec file) of a Hugging Face config.

    config: the config as a dict (e.g. transformers' config.to_dict()), or the path
    of a config.json or of a directory holding one.
    recipe: "hf" (transformers' _init_weights), "megatron", "torchtitan", "olmo",
    "neox" or "mup(base_hidden=N)" (docs/HF.md gives each formula and its source).
    dtype: None takes the config's torch_dtype (or dtype), float32 if it has none;
    else 'f32', 'f64', 'bf16', 'f16' or 'float32', 'float64', 'bfloat16', 'float16'.
    seed: the spec's seed, 0..2^64-1.

    Every tensor a checkpoint of that model holds is listed under transformers'
    names and shapes (the tied lm_head left out), with its init resolved; the
    token embedding's padding row is "zero_row" under the hf recipe. The spec
    comes from the library (nninit_hf_spec), so it is the one `nninit spec`
    prints. ValueError, with the library's message naming the config key, for
    a bad config (missing keys, head counts that do not fit, an unknown
    model_type), an unknown recipe or dtype; OSError if the path cannot be read.
    """
    text = _config_text(config)
    if not isinstance(recipe, str):
        raise TypeError("recipe: expected a string, got %s" % type(recipe).__name__)
    if dtype is not None and not isinstance(dtype, str):
        raise TypeError("dtype: expected a string such as 'bf16' or 'bfloat16', got %s" % type(dtype).__name__)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 64:
        raise ValueError("seed: %r is not an integer in 0..2^64-1" % (seed,))
    opt = _HfOptions(recipe.encode("utf-8"), dtype.encode("utf-8") if dtype is not None else None, seed)
    out = ctypes.c_void_p()
    msg = _lib.msg_buffer()
    _lib.check(_hf_spec(text, len(text), ctypes.byref(opt), ctypes.byref(out), msg, _lib.MSG_SIZE), msg)
    try:
        return json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        _hf_free(out)
