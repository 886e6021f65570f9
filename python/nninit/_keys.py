"""Where an unkeyed call's key comes from: the caller's generator, torch's, or nninit's own.

nninit has two contracts (docs/PYTHON.md, "Keyed or unkeyed", says which to use when):

- Keyed: a call given seed=, name= or stream= draws from the Philox stream
  {seed, stream_id(name) or stream}: the same bits every time, in every process,
  reproducible from a checkpoint's metadata alone.
- Unkeyed: a call given none of them behaves as torch.nn.init does: it draws a
  fresh 64-bit seed from a generator, so two calls give different values and
  torch.manual_seed(s) (or the generator's own seed) makes the whole run repeat.
  The generator is generator= if given (a torch.Generator, or for any array a
  numpy.random.Generator), else torch's default CPU generator for torch tensors,
  else nninit's process-wide generator (manual_seed below) for NumPy arrays.

One draw per call, whatever the tensor's size, so a run's later draws do not
depend on the sizes of earlier tensors.
"""
import sys
import threading

import numpy as np

_U64 = (1 << 64) - 1
#: nninit's default seed of the process-wide generator, fixed as torch's is
#: (torch's default CPU generator starts at 67280421310721): an unseeded
#: NumPy program repeats run to run, as an unseeded torch program does.
DEFAULT_SEED = 67280421310721

_lock = threading.Lock()
_state = {"seed": DEFAULT_SEED, "gen": np.random.Generator(np.random.PCG64(DEFAULT_SEED))}


def manual_seed(seed):
    """Seeds nninit's process-wide generator, the source of unkeyed calls on NumPy
    arrays given no generator= (torch tensors use torch's generator: torch.manual_seed).
    seed: an integer 0..2^64-1. Returns None."""
    import operator
    try:
        s = operator.index(seed)
    except TypeError:
        raise TypeError("seed: expected an integer, got %s" % type(seed).__name__) from None
    if not 0 <= s <= _U64:
        raise ValueError("seed: %d is not in 0..2^64-1" % s)
    with _lock:
        _state["seed"] = s
        _state["gen"] = np.random.Generator(np.random.PCG64(s))


def initial_seed():
    """The seed nninit's process-wide generator was last seeded with (DEFAULT_SEED until manual_seed)."""
    return _state["seed"]


def _torch():
    return sys.modules.get("torch")


def check_generator(generator):
    """Raises TypeError/ValueError unless generator is None, a numpy.random.Generator
    or a CPU torch.Generator (what draw_seed accepts). Draws nothing."""
    if generator is None or isinstance(generator, np.random.Generator):
        return
    torch = _torch()
    if torch is not None and isinstance(generator, torch.Generator):
        if generator.device.type != "cpu":
            raise ValueError("generator: a %s generator; nninit draws its key from a CPU torch.Generator"
                             % generator.device)
        return
    raise TypeError("generator: expected a torch.Generator or a numpy.random.Generator, got %s"
                    % type(generator).__name__)


def draw_seed(generator=None, for_torch=False):
    """One fresh 64-bit seed from generator (torch.Generator or numpy.random.Generator),
    else torch's default CPU generator when for_torch, else nninit's process-wide one."""
    check_generator(generator)
    if isinstance(generator, np.random.Generator):
        return int(generator.integers(0, _U64, dtype=np.uint64, endpoint=True))
    if generator is not None or for_torch:
        return _torch_draw(_torch(), generator)
    with _lock:
        return int(_state["gen"].integers(0, _U64, dtype=np.uint64, endpoint=True))


def _torch_draw(torch, generator):
    # randint's high is exclusive and must fit int64: [-2^63, 2^63 - 1) read as unsigned
    v = int(torch.randint(-(1 << 63), (1 << 63) - 1, (), generator=generator, dtype=torch.int64))
    return v & _U64
