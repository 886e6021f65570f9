# nninit -- `make` builds the libraries, `make test` proves, `make bench` measures.
# Every target installs the Debian packages it is missing (deps-* targets, apt-get).
#
#   make [lib]            static + shared library in $(BUILD)/
#   make test             every test (native ISA paths): layers, suites, CLI, interop, manual
#   make test-fast        the same without the 10^7-sample statistics
#   make test-asan        the suite under AddressSanitizer + UBSan
#   make test-aarch64     cross-build for aarch64, the unit and contract suites under qemu-user (NEON)
#   make bench            fills, orthogonal, whole models, LSUV on ResNet-20, Python, llama-1b streamed,
#                         each beside its peer (PyTorch, NumPy, dd) in the same run; about 12 minutes
#   make bench-full       the same plus the heavy runs: a 7B-shaped model to disk beside dd and through
#                         the in-memory path, LSUV on ResNet-50
#   make mpi              nninit-mpi (Open MPI; installs it), make test-mpi runs it under mpirun
#   make install PREFIX=/usr/local [DESTDIR=...]

CC       = gcc
BUILD   ?= build
PREFIX  ?= /usr/local
ARCH    := $(shell $(CC) -dumpmachine | cut -d- -f1)
VERSION := $(shell sed -n 's/^\#define NNINIT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' include/nninit.h | paste -sd.)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))

WARN     = -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
# -ffp-contract=off everywhere: the compiler never fuses a*b+c on its own,
# so each path performs exactly the operations the source spells out.
CFLAGS_ALL = -std=c11 -O2 -g -fPIC -fvisibility=hidden -ffp-contract=off -fno-math-errno \
             -fopenmp -D_GNU_SOURCE -DNNINIT_UNSTABLE_API -Iinclude -Ikernels $(WARN) $(EXTRA_CFLAGS)
# OpenBLAS: CBLAS level 3 for orthogonal's reflectors (src/schemes/orthogonal.c). LAPACKE
# only for tests and benchmarks (reference eigenvalues, the geqrf + orgqr baseline).
BLAS_LIBS ?= -lopenblas
LAPACK_LIBS ?= -llapacke
# cJSON (Debian libcjson-dev): model specs and safetensors headers.
JSON_LIBS ?= -lcjson
LDLIBS_ALL = -fopenmp $(JSON_LIBS) $(BLAS_LIBS) -lm $(EXTRA_LDFLAGS)

# The library, one folder per layer (docs/ARCHITECTURE.md).
LAYERS = common engine schemes io model graph hf
SRC = $(foreach l,$(LAYERS),$(sort $(wildcard src/$(l)/*.c)))
ifeq ($(ARCH),x86_64)
KERNELS = kernels/scalar/kernel_scalar.c kernels/avx2/kernel_avx2.c kernels/avx512/kernel_avx512.c
ISA_DEFS = -DNNINIT_HAVE_X86_KERNELS
else ifeq ($(ARCH),aarch64)
KERNELS = kernels/scalar/kernel_scalar.c kernels/neon/kernel_neon.c
ISA_DEFS = -DNNINIT_HAVE_NEON_KERNELS
else
KERNELS = kernels/scalar/kernel_scalar.c
ISA_DEFS =
endif
OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(SRC) $(KERNELS))

# Per-folder ISA flags (only kernels/<isa>/ is compiled for an extension).
$(BUILD)/obj/kernels/avx2/%.o:   ISA_FLAGS = -mavx2 -mfma -mf16c
$(BUILD)/obj/kernels/avx512/%.o: ISA_FLAGS = -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma -mf16c
$(BUILD)/obj/src/%.o:            ISA_FLAGS = $(ISA_DEFS)

STATIC = $(BUILD)/libnninit.a
SHARED = $(BUILD)/libnninit.so.$(VERSION)

.PHONY: all lib test test-fast test-asan test-aarch64 bench bench-full install clean deps-build deps-test deps-bench \
        deps-aarch64 run-tests examples-check golden
all: lib
lib: deps-build $(STATIC) $(SHARED)
lib: $(BUILD)/nninit

# Debian packages each target needs. deps-SET installs the missing ones with
# apt-get (update once, then install -y) when run as root, else names them and
# fails. A bare name must be installed for the native architecture (or be
# arch-independent): with arm64 multiarch, `check` alone also matches check:arm64.
# Machines without dpkg are left to the user.
DEPS_build   = gcc make libc6-dev libopenblas-dev libcjson-dev
DEPS_test    = $(DEPS_build) liblapacke-dev check pkg-config locales python3 python3-numpy man-db
DEPS_bench   = $(DEPS_build) liblapacke-dev g++ libbenchmark-dev python3 python3-numpy python3-torch python3-sklearn time
DEPS_aarch64 = gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user check:arm64 libsubunit-dev:arm64 \
               libopenblas-dev:arm64 liblapacke-dev:arm64 libgfortran-12-dev-arm64-cross \
               libcjson-dev:arm64 libgomp1:arm64
DEPS_fuzz    = $(DEPS_build) clang libclang-rt-14-dev libomp-14-dev
DEPS_man     = ronn
DEPS_mpi     = $(DEPS_build) libopenmpi-dev openmpi-bin python3

deps-build deps-test deps-bench deps-aarch64 deps-fuzz deps-man deps-mpi:
	@command -v dpkg-query >/dev/null || exit 0; \
	native=$$(dpkg --print-architecture); missing=""; \
	for p in $(DEPS_$(subst deps-,,$@)); do \
	  case "$$p" in *:*) want='^ii';; *) want="^ii ?\\|($$native|all)$$";; esac; \
	  dpkg-query -W -f='$${db:Status-Abbrev}|$${Architecture}\n' "$$p" 2>/dev/null | grep -Eq "$$want" \
	    || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then echo "missing packages:$$missing (as root: apt-get install -y$$missing)" >&2; exit 1; fi; \
	case "$$missing" in *:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64;; esac; \
	echo "installing:$$missing" >&2; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq $$missing >/dev/null

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h src/*/*.h kernels/*.h kernels/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(ISA_FLAGS) -c $< -o $@

$(STATIC): $(OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(SHARED): $(OBJ)
	$(CC) -shared -Wl,-soname,libnninit.so.$(SOMAJOR) -o $@ $^ $(LDLIBS_ALL)
	ln -sf libnninit.so.$(VERSION) $(BUILD)/libnninit.so.$(SOMAJOR)
	ln -sf libnninit.so.$(SOMAJOR) $(BUILD)/libnninit.so

# ---- programs --------------------------------------------------------------
# The command-line program (programs/), linked statically with the library
# so it runs from the build tree and needs no rpath once installed.
.PHONY: cli-check cli-init-check cli-stream-check cli-graph-check cli-hf-check
PROG_SRC = $(sort $(wildcard programs/*.c))
DOC_DIR = $(PREFIX)/share/doc/nninit
$(BUILD)/nninit: $(PROG_SRC) programs/prog.h include/nninit.h $(STATIC)
	$(CC) $(CFLAGS_ALL) -DNNINIT_DOC_DIR='"$(DOC_DIR)"' -Iprograms -o $@ $(PROG_SRC) $(STATIC) $(LDLIBS_ALL)

# nninit-mpi (programs/mpi/): nninit init on many processes, built with Open
# MPI's compiler wrapper; plain `make` never needs MPI. test-mpi runs it under
# mpirun with 1, 2 and 3 processes against nninit init, byte for byte.
.PHONY: mpi test-mpi
MPICC ?= mpicc
MPI_PROG_SRC = programs/mpi/nninit_mpi.c $(filter-out programs/main.c,$(PROG_SRC))
$(BUILD)/nninit-mpi: $(MPI_PROG_SRC) programs/prog.h include/nninit.h $(STATIC)
	OMPI_CC=$(CC) $(MPICC) $(CFLAGS_ALL) -Iprograms -o $@ $(MPI_PROG_SRC) $(STATIC) $(LDLIBS_ALL)
mpi: deps-mpi lib
	$(MAKE) --no-print-directory $(BUILD)/nninit-mpi

# The manual: docs/nninit.1.md is the source, docs/nninit.1 the page ronn made
# from it, committed so that building needs no ronn. `make man` remakes it.
man: deps-man
	d=$$(git log -1 --format=%cs -- docs/nninit.1.md 2>/dev/null); [ -n "$$d" ] || d=$$(date +%F); \
	ronn --roff --date=$$d --manual="nninit manual" --organization="nninit $(VERSION)" --pipe docs/nninit.1.md > docs/nninit.1

# ---- tests (tests/README.md) ------------------------------------------------
# Check suites by kind: unit, contract (bit-exact results across ISAs and
# threads, golden digests), stats (10^7-sample statistical tests; the slow
# part, which `make test-fast` skips).
KINDS ?= unit contract stats
# SKIP_TESTS: suites (kind/test_name) left out of a run, e.g. unit/test_vecmath.
SKIP_TESTS ?=
TESTS = $(filter-out $(SKIP_TESTS:%=$(BUILD)/tests/%), \
          $(patsubst tests/%.c,$(BUILD)/tests/%,$(foreach k,$(KINDS),$(sort $(wildcard tests/$(k)/test_*.c)))))
CHECK_LIBS = -lcheck -lsubunit -lpthread -lrt -lm
TEST_LDFLAGS ?=
TEST_RUNNER ?=

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(wildcard tests/*/*.h) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fvisibility=hidden,$(CFLAGS_ALL)) -Itests -o $@ $< $(STATIC) $(TEST_LDFLAGS) $(CHECK_LIBS) $(LAPACK_LIBS) $(LDLIBS_ALL)

# Runs every suite of KINDS, then prints one closing line for the whole run.
# test_spec checks that specs parse the same under a decimal-comma locale: it
# gets one compiled here (package `locales` has the sources), found through LOCPATH.
run-tests: $(TESTS)
	@mkdir -p $(BUILD)/locale; \
	[ -d $(BUILD)/locale/de_DE.UTF-8 ] || localedef -i de_DE -f UTF-8 $(BUILD)/locale/de_DE.UTF-8 >/dev/null 2>&1 || true; \
	export LOCPATH=$(abspath $(BUILD)/locale); \
	pass=0; fail=0; for t in $(TESTS); do \
	  echo "== $$t"; \
	  if $(TEST_RUNNER) $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; echo "suites: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# Everything: the layer rule, the suites, the installed library (and its documents) from C, the
# command line, the independent safetensors reader, the manual.
test: deps-test lib
	bash tests/arch/layers.sh $(BUILD)
	$(MAKE) --no-print-directory run-tests
	$(MAKE) --no-print-directory examples-check
	$(MAKE) --no-print-directory cli-check
	$(MAKE) --no-print-directory st-check
	$(MAKE) --no-print-directory cli-init-check
	$(MAKE) --no-print-directory cli-stream-check
	$(MAKE) --no-print-directory cli-graph-check
	$(MAKE) --no-print-directory hf-check
	$(MAKE) --no-print-directory cli-hf-check
	$(MAKE) --no-print-directory man-check
	$(MAKE) --no-print-directory exports-check
	$(MAKE) --no-print-directory api-check
	$(MAKE) --no-print-directory cmake-check
	$(MAKE) --no-print-directory python-check
	$(MAKE) --no-print-directory test-mpi

# The same without the 10^7-sample statistics (tests/stats/).
test-fast:
	$(MAKE) --no-print-directory KINDS="unit contract" test

# The examples link the *installed* library through pkg-config.
examples-check: lib
	rm -rf $(BUILD)/stage
	$(MAKE) --no-print-directory install PREFIX=$(abspath $(BUILD)/stage)
	PKG_CONFIG_PATH=$(abspath $(BUILD)/stage)/lib/pkgconfig sh -c \
	  '$(CC) -std=c11 -Wall -Wextra -Werror examples/fill_example.c -o $(BUILD)/fill_example $$(pkg-config --cflags --libs nninit) -lm -Wl,-rpath,$(abspath $(BUILD)/stage)/lib'
	$(BUILD)/fill_example
	test -f $(BUILD)/stage/share/doc/nninit/docs/GUIDE.md && test -f $(BUILD)/stage/share/doc/nninit/python/README.md
	$(BUILD)/stage/bin/nninit --help | grep -q 'share/doc/nninit/'
	PKG_CONFIG_PATH=$(abspath $(BUILD)/stage)/lib/pkgconfig sh -c \
	  '$(CC) -std=c11 -Wall -Wextra -Werror examples/fill_example.c -o $(BUILD)/fill_example_static $$(pkg-config --cflags --static --libs nninit | sed "s|-lnninit|$(abspath $(BUILD)/stage)/lib/libnninit.a|") -lm'
	$(BUILD)/fill_example_static
	PKG_CONFIG_PATH=$(abspath $(BUILD)/stage)/lib/pkgconfig sh -c \
	  '$(CC) -std=c11 -Wall -Wextra -Werror examples/model_example.c -o $(BUILD)/model_example_static $$(pkg-config --cflags --static --libs nninit | sed "s|-lnninit|$(abspath $(BUILD)/stage)/lib/libnninit.a|") -lm'
	rm -f $(BUILD)/model_example.safetensors
	$(BUILD)/model_example_static examples/models/mlp.json $(BUILD)/model_example.safetensors
	$(BUILD)/stage/bin/nninit init examples/models/mlp.json -o $(BUILD)/model_example_cli.safetensors -f -q
	cmp $(BUILD)/model_example.safetensors $(BUILD)/model_example_cli.safetensors
	PKG_CONFIG_PATH=$(abspath $(BUILD)/stage)/lib/pkgconfig sh -c \
	  '$(CC) -std=c11 -Wall -Wextra -Werror examples/graph_example.c -o $(BUILD)/graph_example $$(pkg-config --cflags --libs nninit) -lm -Wl,-rpath,$(abspath $(BUILD)/stage)/lib'
	$(BUILD)/graph_example examples/models/mlp.json

test-asan: deps-test
	$(MAKE) --no-print-directory BUILD=build-asan \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" run-tests

# Test binaries: arm64 OpenBLAS's LAPACK is Fortran, so libgfortran
# (from the cross toolchain) and pthreads join the link.
# Debian ships no static libcjson.a, so the binaries link dynamically against the
# arm64 multiarch libraries (libcjson-dev:arm64, libgomp1:arm64, ...) and
# qemu-aarch64 -L / runs them with the arm64 loader and libraries under /.
# The unit and contract suites: the contract suites prove every NEON result
# bit-identical to the scalar specification (golden digests, every ISA against
# scalar over all parameters and branches), so the 10^7-sample statistics of
# those same bits, run natively by make test, would add minutes of emulation
# and no evidence. test_vecmath measures the scalar specification's accuracy
# against a long double reference, which on aarch64 is binary128 in software:
# under qemu it takes over 10 minutes to re-measure the same portable C.
test-aarch64: deps-aarch64
	$(MAKE) --no-print-directory CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar BUILD=build-aarch64 \
	  BLAS_LIBS="-lopenblas -lgfortran -lpthread" KINDS="unit contract" SKIP_TESTS="unit/test_vecmath" \
	  TEST_RUNNER="qemu-aarch64 -L /" build-aarch64/libnninit.a run-tests

# Re-records tests/data/golden.txt from the scalar path. Only together with a
# NNINIT_CONTRACT_VERSION bump: the digests are the contract's evidence.
golden: lib
	@mkdir -p $(BUILD)/tools
	$(CC) $(filter-out -fvisibility=hidden,$(CFLAGS_ALL)) -Itests -Itests/contract -o $(BUILD)/tools/gen_golden tools/gen_golden.c $(STATIC) $(LDLIBS_ALL)
	$(BUILD)/tools/gen_golden > tests/data/golden.txt

# Runs build/nninit end to end; numpy (Debian's, /usr/bin/python3) reads its
# files; conventions.sh: existing outputs, -f, -q/-v, --progress, -V, -h,
# exit statuses, signals; faults.sh: hostile inputs and faults (FIFOs, devices,
# -f over foreign directories, values out of range, control characters, SIGKILL).
cli-check: $(BUILD)/nninit
	bash tests/cli/cli.sh $(BUILD)/nninit
	bash tests/cli/conventions.sh $(BUILD)/nninit
	bash tests/cli/strict.sh $(BUILD)/nninit
	bash tests/cli/faults.sh $(BUILD)/nninit

# The streaming writer against the in-memory path (tests/tools/arena_init.c)
# for every example model, dtype and 1-3 threads, one file and sharded (read
# back by tests/cli/shards.py), and its failures: bad sizes, full disk, ...
$(BUILD)/tests/tools/arena_init: tests/tools/arena_init.c include/nninit.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(STATIC) $(LDLIBS_ALL)
cli-stream-check: $(BUILD)/nninit $(BUILD)/tests/tools/arena_init
	bash tests/cli/cli_stream.sh $(BUILD)/nninit $(BUILD)/tests/tools/arena_init

# nninit-mpi under mpirun with 1, 2 and 3 processes against nninit init, byte for byte.
test-mpi: mpi
	bash tests/mpi/mpi.sh $(BUILD)/nninit-mpi $(BUILD)/nninit

# The safetensors writer read back by tests/interop/st_read.py (NumPy, from the
# format's description; no shared code): tests/interop/st_write.c writes the files.
.PHONY: st-check man man-check
$(BUILD)/tests/interop/st_write: tests/interop/st_write.c include/nninit.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(STATIC) $(LDLIBS_ALL)
st-check: $(BUILD)/tests/interop/st_write
	bash tests/interop/st_check.sh $(BUILD)/tests/interop/st_write

# `nninit init` end to end: examples/models/*.json to safetensors and npy, read
# back by a small Python reader and compared with `nninit fill` bit for bit.
cli-init-check: $(BUILD)/nninit
	bash tests/cli/cli_init.sh $(BUILD)/nninit

# Hugging Face config.json -> `nninit spec` / `nninit init` against the fixtures in tests/data/hf
# (made by tools/hf/gen_hf_fixtures.py from transformers' modeling code): names, shapes, tied
# embeddings, parameter counts, published sizes, the `hf` recipe's init specs and sample statistics.
.PHONY: hf-check
hf-check: $(BUILD)/nninit
	/usr/bin/python3 tests/cli/hf_fixtures.py $(BUILD)
# Hugging Face configs end to end: nninit spec, nninit init with config.json
# copied into directory outputs, every recipe's statistics per role.
cli-hf-check: $(BUILD)/nninit
	bash tests/cli/cli_hf.sh $(BUILD)/nninit

# Data-dependent init and the probe end to end: NumPy runs the written
# network forward and checks lsuv's variances and batch_stats' channels.
cli-graph-check: $(BUILD)/nninit
	bash tests/cli/cli_graph.sh $(BUILD)/nninit

# The manual renders and documents every command and option the help lists.
man-check: $(BUILD)/nninit
	bash tests/cli/man.sh $(BUILD)/nninit docs/nninit.1

# libnninit.so exports nninit_* only and carries the SONAME libnninit.so.MAJOR.
exports-check: lib
	bash tests/install/exports.sh $(SHARED)

# The stable and the unstable view of nninit.h (docs/API.md).
.PHONY: api-check
api-check: lib
	bash tests/install/api.sh $(BUILD)

# examples/cmake built with cmake against an installed copy, and again after moving it.
cmake-check: lib
	rm -rf $(BUILD)/cmake-stage
	$(MAKE) --no-print-directory install PREFIX=$(abspath $(BUILD)/cmake-stage) \
	  PYTHON_SITE=$(abspath $(BUILD)/cmake-stage)/lib/python3/dist-packages >/dev/null
	bash tests/install/cmake.sh $(BUILD)/cmake-stage $(BUILD)/cmake-check

# python/tests with pytest, against this build's library and command-line program
# (NNINIT_LIBRARY, NNINIT_CLI) and an installed copy of the package (NNINIT_STAGE).
python-check: lib
	rm -rf $(BUILD)/python-stage
	$(MAKE) --no-print-directory install PREFIX=$(abspath $(BUILD)/python-stage) \
	  PYTHON_SITE=$(abspath $(BUILD)/python-stage)/lib/python3/dist-packages >/dev/null
	NNINIT_LIBRARY=$(abspath $(SHARED)) NNINIT_CLI=$(abspath $(BUILD)/nninit) \
	  NNINIT_STAGE=$(abspath $(BUILD)/python-stage) NNINIT_BUILD_DIR=$(abspath $(BUILD)) PYTHONPATH=python \
	  $(PYTHON) -m pytest -q -p no:cacheprovider python/tests

# ---- fuzzing ---------------------------------------------------------------
# libFuzzer targets (fuzz/fuzz_*.c) over the library built by clang with ASan +
# UBSan into build-fuzz/. Each runs FUZZ_SECONDS from its seeds in
# fuzz/corpus/<target>/ with fuzz/<target>.dict (new inputs collect in build-fuzz/corpus/<target>/);
# any crash, leak or sanitizer report fails the target and leaves the input in
# build-fuzz/crash-*. A target whose API is still a placeholder is skipped.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_CFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
.PHONY: fuzz fuzz-build deps-fuzz
fuzz-build: deps-fuzz
	$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz EXTRA_CFLAGS="$(FUZZ_CFLAGS)" build-fuzz/libnninit.a
	@for t in $(FUZZ_TARGETS); do \
	  echo "clang $$t"; \
	  clang -std=c11 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -o build-fuzz/$$t fuzz/$$t.c build-fuzz/libnninit.a $(LDLIBS_ALL) 2>build-fuzz/$$t.link.log \
	    || { grep -q "undefined reference" build-fuzz/$$t.link.log || { cat build-fuzz/$$t.link.log; exit 1; }; \
	         echo "  $$t: not linked, the library lacks its API yet (build-fuzz/$$t.link.log)"; rm -f build-fuzz/$$t; }; \
	done
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  [ -x build-fuzz/$$t ] || { echo "== $$t: skipped (not built)"; continue; }; \
	  echo "== $$t: $(FUZZ_SECONDS) s"; mkdir -p build-fuzz/corpus/$$t fuzz/corpus/$$t; \
	  dict=; [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict; \
	  build-fuzz/$$t $$dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build-fuzz/crash-$$t- \
	    build-fuzz/corpus/$$t fuzz/corpus/$$t 2>build-fuzz/$$t.log \
	    || { tail -60 build-fuzz/$$t.log; echo "FAILED: $$t (log: build-fuzz/$$t.log)"; exit 1; }; \
	  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" build-fuzz/$$t.log | tail -1; \
	done

# ---- benchmarks -----------------------------------------------------------
bench: deps-bench lib
	bash bench/run.sh
# The same plus the heavy runs: the 7B-shaped model to disk beside dd (14.5 GB
# free needed) and through the in-memory path (13.5 GB resident), LSUV on
# ResNet-50 beside PyTorch (minutes on 2 cores).
bench-full: deps-bench lib
	NNINIT_BENCH_FULL=1 bash bench/run.sh

# ---- Python package, CMake package, exported symbols ------------------------------
# python/nninit (ctypes over libnninit.so) is installed in PYTHON_SITE, by default
# PREFIX/lib/python3/dist-packages (Debian's site directory for PREFIX=/usr; for
# /usr/local a nninit.pth in /usr/local/lib/python3.X/dist-packages points there);
# from there it finds PREFIX/lib/libnninit.so.MAJOR three directories up. cmake/ holds the
# CMake config package (PREFIX/lib/cmake/nninit), paths relative to its own place. The
# checks run from `make test`.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
SIZEOF_VOID_P = $(shell echo __SIZEOF_POINTER__ | $(CC) -E -P - | tail -n 1)
DEPS_test += python3-pytest python3-torch cmake binutils
# python/tests/test_torch_init_port.py: the KS tests of PyTorch's test_init.py
DEPS_test += python3-scipy
PYTHON_SITE ?= $(PREFIX)/lib/python3/dist-packages
PY_DIR = $(DESTDIR)$(PYTHON_SITE)/nninit
CMAKE_DIR = $(DESTDIR)$(PREFIX)/lib/cmake/nninit
CMAKE_SUBST = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SOMAJOR@|$(SOMAJOR)|g' -e 's|@SIZEOF_VOID_P@|$(SIZEOF_VOID_P)|g'
.PHONY: install-python install-cmake python-check cmake-check exports-check

# ---- install: one target ---------------------------------------------------
# Libraries, header, pkg-config file, CMake package, the program (and nninit-mpi
# when `make mpi` built it), the manual, the documents under
# PREFIX/share/doc/nninit (README.md, docs/, python/README.md, bench/README.md,
# their relative links kept), the Python package.
install: lib install-python install-cmake
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(DOC_DIR)/docs $(DESTDIR)$(DOC_DIR)/python $(DESTDIR)$(DOC_DIR)/bench
	install -m 755 $(BUILD)/nninit $(DESTDIR)$(PREFIX)/bin/
	if [ -x $(BUILD)/nninit-mpi ]; then install -m 755 $(BUILD)/nninit-mpi $(DESTDIR)$(PREFIX)/bin/; fi
	install -m 644 include/nninit.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libnninit.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libnninit.so.$(SOMAJOR)
	ln -sf libnninit.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libnninit.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' nninit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/nninit.pc
	install -m 644 docs/nninit.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 README.md $(DESTDIR)$(DOC_DIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOC_DIR)/docs/
	install -m 644 python/README.md $(DESTDIR)$(DOC_DIR)/python/
	install -m 644 bench/README.md $(DESTDIR)$(DOC_DIR)/bench/
# Debian's python3 reads PREFIX/lib/python3/dist-packages for PREFIX=/usr only; for
# /usr/local it reads /usr/local/lib/python3.X/dist-packages. When that versioned
# directory of this PREFIX is on the interpreter's path, a one-line nninit.pth there
# points it to PYTHON_SITE, so `import nninit` works right after `make install`.
PY_VERSIONED = $(PREFIX)/lib/python$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)/dist-packages
install-python:
	install -d $(PY_DIR)
	install -m 644 python/nninit/*.py $(PY_DIR)/
	@if [ "$(PY_VERSIONED)" != "$(PYTHON_SITE)" ] && \
	    $(PYTHON) -c 'import sys; sys.exit("$(PY_VERSIONED)" not in sys.path)' 2>/dev/null; then \
	  install -d $(DESTDIR)$(PY_VERSIONED) && echo "$(PYTHON_SITE)" > $(DESTDIR)$(PY_VERSIONED)/nninit.pth && \
	  echo "install-python: $(PY_VERSIONED)/nninit.pth -> $(PYTHON_SITE)"; fi
install-cmake: lib
	install -d $(CMAKE_DIR)
	$(CMAKE_SUBST) cmake/nninitConfig.cmake.in > $(CMAKE_DIR)/nninitConfig.cmake
	$(CMAKE_SUBST) cmake/nninitConfigVersion.cmake.in > $(CMAKE_DIR)/nninitConfigVersion.cmake
	$(CMAKE_SUBST) cmake/nninitTargets.cmake.in > $(CMAKE_DIR)/nninitTargets.cmake

clean:
	rm -rf build build-asan build-aarch64 build-fuzz
