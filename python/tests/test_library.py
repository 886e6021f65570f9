"""Finding the library, versions, the C declarations, the GIL."""
import ctypes
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import nninit
from nninit import _lib
from conftest import BUILD, ROOT, header_version

PY = sys.executable
SONAME = "libnninit.so.%d" % header_version()[0]


def run_python(code, env_changes, cwd):
    """Runs code in a fresh interpreter; env_changes: {name: value or None (removed)}."""
    env = dict(os.environ)
    for k, v in env_changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=cwd)


def loaded(pythonpath, tmp_path, **env):
    """library_path and how it was found, in a fresh interpreter with this PYTHONPATH."""
    changes = {"PYTHONPATH": pythonpath, "NNINIT_LIBRARY": None, "LD_LIBRARY_PATH": None}
    changes.update(env)
    p = run_python("import nninit, nninit._lib as l; print(nninit.library_path); print(l.found_how)", changes,
                   tmp_path)
    assert p.returncode == 0, p.stderr
    path, how = p.stdout.splitlines()
    return path, how


def test_library_under_test_is_loaded():
    want = os.environ.get("NNINIT_LIBRARY")
    if want:
        assert nninit.library_path == os.path.realpath(want)
        assert _lib.found_how == "NNINIT_LIBRARY"
    assert os.path.isfile(nninit.library_path)


def test_versions_match_the_header():
    major, minor, patch = header_version()
    assert nninit.__version__ == nninit.library_version == "%d.%d.%d" % (major, minor, patch)
    assert _lib.ABI_MAJOR == major
    assert _lib.version_number() == major * 10000 + minor * 100 + patch


def test_library_released_the_gil():
    # ctypes.CDLL (not PyDLL) functions release the GIL for the duration of the call
    assert type(_lib.lib) is ctypes.CDLL
    assert not _lib.lib._func_flags_ & ctypes._FUNCFLAG_PYTHONAPI
    assert not _lib.model_init._flags_ & ctypes._FUNCFLAG_PYTHONAPI


def test_nninit_library_that_does_not_exist(tmp_path):
    p = run_python("import nninit", {"PYTHONPATH": os.path.join(ROOT, "python"),
                                      "NNINIT_LIBRARY": str(tmp_path / "nope.so")}, tmp_path)
    assert p.returncode != 0
    assert "ImportError" in p.stderr and "nope.so" in p.stderr and "NNINIT_LIBRARY" in p.stderr


def test_source_tree_finds_build(tmp_path):
    lib = os.path.join(ROOT, "build", SONAME)
    if not os.path.exists(lib):
        pytest.skip("no %s in the source tree's build/" % SONAME)
    path, how = loaded(os.path.join(ROOT, "python"), tmp_path)
    assert path == os.path.realpath(lib)
    assert how == "next to the package (source tree)"


def test_copy_inside_the_package(tmp_path):
    pkg = tmp_path / "site" / "nninit"
    shutil.copytree(os.path.join(ROOT, "python", "nninit"), pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(nninit.library_path, pkg / SONAME)
    path, how = loaded(str(tmp_path / "site"), tmp_path)
    assert path == str(pkg / SONAME)
    assert how == "next to the package"


def test_not_found_then_by_soname(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(os.path.join(ROOT, "python", "nninit"), site / "nninit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    p = run_python("import nninit", {"PYTHONPATH": str(site), "NNINIT_LIBRARY": None, "LD_LIBRARY_PATH": None},
                   tmp_path)
    if p.returncode == 0:
        pytest.skip("a %s is installed system-wide: the not-found message cannot be shown" % SONAME)
    err = p.stderr
    assert "libnninit.so not found" in err
    assert str(site / "nninit" / SONAME) in err               # each candidate is named
    assert "NNINIT_LIBRARY" in err and "make" in err           # and what to do
    libdir = tmp_path / "libdir"
    libdir.mkdir()
    shutil.copy(nninit.library_path, libdir / SONAME)
    path, how = loaded(str(site), tmp_path, LD_LIBRARY_PATH=str(libdir))
    assert path == str(libdir / SONAME)
    assert how == "by its SONAME"


def test_installed_package_finds_its_prefix_and_moves(tmp_path):
    stage = os.environ.get("NNINIT_STAGE")
    if not stage:
        pytest.skip("NNINIT_STAGE (an installed tree) not given")
    site = os.path.join(stage, "lib", "python3", "dist-packages")
    assert os.path.isfile(os.path.join(site, "nninit", "__init__.py"))
    path, how = loaded(site, tmp_path)
    assert path == os.path.realpath(os.path.join(stage, "lib", SONAME))
    assert how == "next to the package (installed layout)"
    moved = tmp_path / "moved"
    shutil.copytree(stage, moved, symlinks=True)
    path, how = loaded(str(moved / "lib" / "python3" / "dist-packages"), tmp_path)
    assert path == os.path.realpath(moved / "lib" / SONAME)


def test_structures_match_the_header(tmp_path):
    """sizeof/offsetof of every structure the package declares, from the C compiler."""
    structs = {"nninit_rng": _lib.Rng, "nninit_layout": _lib.Layout, "nninit_scheme": _lib.Scheme,
               "nninit_model_tensor": _lib.ModelTensor, "nninit_tensor": _lib.Tensor,
               "nninit_write_options": _lib.WriteOptions, "nninit_run_options": _lib.RunOptions,
               "nninit_plan": _lib.Plan}
    lines = []
    for cname, cls in structs.items():
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
        for field in cls._fields_:
            lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (cname, field[0], cname, field[0]))
    src = tmp_path / "layout.c"
    src.write_text("#include <stddef.h>\n#include <stdio.h>\n#include \"nninit.h\"\nint main(void) {\n%s\nreturn 0;\n}\n"
                   % "\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run(["gcc", "-std=c11", "-I", os.path.join(ROOT, "include"), str(src), "-o", str(exe)], check=True)
    got = dict(line.split() for line in subprocess.run([str(exe)], capture_output=True, text=True,
                                                        check=True).stdout.splitlines())
    for cname, cls in structs.items():
        assert int(got[cname]) == ctypes.sizeof(cls), cname
        for field in cls._fields_:
            assert int(got["%s.%s" % (cname, field[0])]) == getattr(cls, field[0]).offset, (cname, field[0])


def test_stream_id_is_the_contract():
    def fnv_splitmix(b):
        h = 0xcbf29ce484222325
        for c in b:
            h = ((h ^ c) * 0x100000001b3) & (2 ** 64 - 1)
        h ^= h >> 30
        h = (h * 0xbf58476d1ce4e5b9) & (2 ** 64 - 1)
        h ^= h >> 27
        h = (h * 0x94d049bb133111eb) & (2 ** 64 - 1)
        return h ^ (h >> 31)
    for name in ["", "a", "transformer.h.0.attn.c_attn.weight", "caf\u00e9/\u65e5\u672c"]:
        assert nninit.stream_id(name) == fnv_splitmix(name.encode("utf-8"))
    with pytest.raises(ValueError, match="NUL"):
        nninit.stream_id("a\0b")
    with pytest.raises(TypeError):
        nninit.stream_id(b"a")


def test_build_dir_is_the_one_under_test():
    # the Makefile passes both; they must agree
    if os.environ.get("NNINIT_LIBRARY"):
        assert os.path.realpath(os.path.dirname(os.environ["NNINIT_LIBRARY"])) == os.path.realpath(BUILD)


def test_plan_kinds_match_the_header(tmp_path):
    """The nninit_plan_kind values the package reads (which schemes draw), from the C compiler."""
    names = ["CONSTANT", "UNIFORM", "NORMAL", "TRUNC_NORMAL", "ORTHOGONAL", "EYE", "DIRAC", "SPARSE"]
    src = tmp_path / "kinds.c"
    src.write_text("#include <stdio.h>\n#include \"nninit.h\"\nint main(void) {\n%s\nreturn 0;\n}\n"
                   % "\n".join('printf("%s %%d\\n", (int)NNINIT_PLAN_%s);' % (n, n) for n in names))
    exe = tmp_path / "kinds"
    subprocess.run(["gcc", "-std=c11", "-I", os.path.join(ROOT, "include"), str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    got = dict(zip(out[::2], map(int, out[1::2])))
    assert got == {n: getattr(_lib, "PLAN_" + n) for n in names}
