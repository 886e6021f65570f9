/*
 * nninit -- fast, reproducible initialization of neural-network weights.
 *
 * The whole public API, in the order a reader meets it:
 *
 *   1. Stable core: versions, status codes, dtypes, the random stream and the
 *      generator, the fills, instruction-set paths.
 *   2. Schemes: shapes, layouts and fans, gains, init spec strings, plans,
 *      slices of a tensor, one function per scheme.
 *   3. File formats: NumPy .npy files and directories, safetensors.
 *   4. Whole models: JSON model specs, bulk initialization, arenas,
 *      pretrained weights, saving, streaming to a file without holding the
 *      model (sharded checkpoints, many processes), statistics.
 *   5. Graphs and data-dependent initialization: a model's forward pass,
 *      LSUV and batch-statistics init on a batch of data, the signal probe,
 *      and the same algorithms driving a caller's own forward pass.
 *
 * Two views (docs/API.md): what a plain #include declares is the stable API,
 * unchanged for every release of the same major version. Blocks marked
 * NNINIT_UNSTABLE_API (arithmetic variables, slices, the multi-process
 * writer, Hugging Face configs, "did you mean", section 5) are declared only
 * when the program defines NNINIT_UNSTABLE_API before the include: complete
 * and tested, but they may change in a minor release.
 *
 * Every random value the library produces is a pure function of (seed,
 * stream, element index): docs/CONTRACT.md gives the exact mapping, which is
 * versioned (NNINIT_CONTRACT_VERSION). docs/ARCHITECTURE.md maps the source.
 *
 * Conventions
 *  - Every fallible call returns an nninit_status; NNINIT_OK is 0.
 *  - A call that can explain a failure takes (char *msg, size_t msg_size) as
 *    its last two parameters: msg receives "" on success, a NUL-terminated
 *    reason (naming the tensor, field, column... at fault) on failure,
 *    truncated to msg_size. NULL / 0 ask for no message. Fills, whose status
 *    says everything, take none.
 *  - A call that fails leaves the destination untouched: buffers keep their
 *    bytes, *out handles are NULL, files are not created or replaced.
 *  - Handles are opaque, created by one call and released by a _free/_close
 *    that accepts NULL. Accessors take const handles and change nothing.
 *  - Options are plain structs; a zero-initialized one (or NULL) means the
 *    documented defaults.
 *  - The library never aborts, never prints, keeps no global error state and
 *    may be called from many threads at once, including from inside the
 *    caller's own OpenMP parallel region.
 */
#ifndef NNINIT_H
#define NNINIT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* =========================================================================
 * 1. Stable core
 * ========================================================================= */

/* ---- versions -------------------------------------------------------- */
#define NNINIT_VERSION_MAJOR 0
#define NNINIT_VERSION_MINOR 1
#define NNINIT_VERSION_PATCH 0
#define NNINIT_VERSION_NUMBER \
    (NNINIT_VERSION_MAJOR * 10000 + NNINIT_VERSION_MINOR * 100 + NNINIT_VERSION_PATCH)
#define NNINIT_STR_(x) #x
#define NNINIT_STR(x) NNINIT_STR_(x)
#define NNINIT_VERSION_STRING \
    NNINIT_STR(NNINIT_VERSION_MAJOR) "." NNINIT_STR(NNINIT_VERSION_MINOR) "." NNINIT_STR(NNINIT_VERSION_PATCH)

/* Version of the reproducibility contract (docs/CONTRACT.md). It changes only
 * when some (seed, stream, index, parameters) produces different bits. */
#define NNINIT_CONTRACT_VERSION 2

#if defined(_WIN32) && defined(NNINIT_BUILDING_DLL)
#  define NNINIT_API __declspec(dllexport)
#elif defined(__GNUC__)
#  define NNINIT_API __attribute__((visibility("default")))
#else
#  define NNINIT_API
#endif

/* Runtime version, NNINIT_VERSION_NUMBER of the library actually linked:
 * compare with the macro to catch a header/library mismatch. */
NNINIT_API unsigned nninit_version_number(void);
/* Runtime version as "MAJOR.MINOR.PATCH". */
NNINIT_API const char *nninit_version_string(void);

/* ---- status codes (values are pinned: never renumbered) -------------- */
typedef enum {
    NNINIT_OK = 0,
    NNINIT_E_NULL = 1,        /* NULL pointer where data is required (e.g. dst with n > 0) */
    NNINIT_E_DTYPE = 2,       /* unknown dtype */
    NNINIT_E_PARAM = 3,       /* NaN/inf parameter, std < 0, low >= high, value outside the dtype's range */
    NNINIT_E_MASS = 4,        /* truncation bounds hold (almost) no probability mass */
    NNINIT_E_OVERFLOW = 5,    /* n * element size, or offset + n, overflows */
    NNINIT_E_ISA = 6,         /* unknown instruction-set name, or not supported by this CPU/build */
    NNINIT_E_NOMEM = 7,       /* memory could not be allocated */
    NNINIT_E_SPEC = 8,        /* init spec string: syntax, unknown scheme/parameter/value, bad number,
                                 parameter not valid for the scheme */
    NNINIT_E_SHAPE = 9,       /* bad shape (ndim outside 0..NNINIT_MAX_DIMS, negative size, element count
                                 overflow), a shape the scheme cannot take (rank, groups, axes), or a
                                 slice outside the tensor */
    NNINIT_E_LAPACK = 10,     /* LAPACK reported a failure (no call returns it since contract 2; kept pinned) */
    NNINIT_E_IO = 11,         /* a file could not be read or written (errno tells why) */
    NNINIT_E_FORMAT = 12,     /* malformed file or model spec (safetensors, JSON) */
    NNINIT_E_CANCELED = 13,   /* the caller's cancel flag was raised; nothing was left behind */
    NNINIT_E_EXISTS = 14,     /* the output exists and the options did not allow replacing it */
    NNINIT_E_DATA = 15,       /* a batch of data that cannot serve: empty, non-finite values, too few samples
                                 for a statistic, or a forward pass that overflows on it */
    NNINIT_E_CALLBACK = 16    /* a caller's callback reported a failure */
} nninit_status;

/* Short, static, human-readable description of a status ("unknown status"
 * for values outside the enum). Never NULL. */
NNINIT_API const char *nninit_status_str(nninit_status status);

/* ---- dtypes ----------------------------------------------------------- */
typedef enum {
    NNINIT_F32 = 0,   /* IEEE binary32 */
    NNINIT_F64 = 1,   /* IEEE binary64 */
    NNINIT_BF16 = 2,  /* bfloat16: the high 16 bits of a binary32 */
    NNINIT_F16 = 3    /* IEEE binary16 */
} nninit_dtype;

/* Size of one element in bytes, 0 for an unknown dtype. */
NNINIT_API size_t nninit_dtype_size(nninit_dtype dtype);
/* "f32", "f64", "bf16", "f16" (the spelling nninit writes), or NULL for an
 * unknown dtype. */
NNINIT_API const char *nninit_dtype_name(nninit_dtype dtype);
/* The dtype named "f32", "f64", "bf16" or "f16", or by the long names
 * "float32", "float64", "bfloat16", "float16" (PyTorch's, NumPy's and Hugging
 * Face configs'); NNINIT_E_DTYPE otherwise (names are case-sensitive). */
NNINIT_API nninit_status nninit_dtype_from_name(const char *name, nninit_dtype *out);

/* ---- the random stream -------------------------------------------------- */
/* A random stream: the Philox key is the seed, the stream selects an
 * independent counter space (typically nninit_stream_id(tensor name)). */
typedef struct nninit_rng {
    uint64_t seed;
    uint64_t stream;
} nninit_rng;

/* Stable 64-bit hash of a NUL-terminated name (docs/CONTRACT.md, section
 * "Stream ids"): FNV-1a over the bytes, then a SplitMix64 finalizer.
 * NULL hashes as the empty string. */
NNINIT_API uint64_t nninit_stream_id(const char *tensor_name);

/* ---- the generator ---------------------------------------------------- */
/* Philox4x32-10 (Salmon et al., SC11): one block of four 32-bit outputs for
 * the 128-bit counter ctr and the 64-bit key {seed & 0xffffffff, seed >> 32}. */
NNINIT_API void nninit_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);
/* Philox4x32 with a chosen number of rounds (1..16); 10 is the standard.
 * Provided so the published 7-round vectors can be checked too. */
NNINIT_API nninit_status nninit_philox4x32_r(unsigned rounds, const uint32_t ctr[4],
                                             const uint32_t key[2], uint32_t out[4]);

/* ---- fills -------------------------------------------------------------
 * Each fill writes elements [offset, offset + n) of the infinite sequence
 * defined by (rng, distribution, parameters, dtype) into dst[0 .. n). So
 * filling a tensor in shards, or resuming, gives the same bits as one call.
 * dst needs only the dtype's natural alignment; n == 0 accepts dst == NULL.
 * Parameters are rounded to the computation type first (binary32 for f32,
 * bf16 and f16; binary64 for f64). bf16 and f16 values are the f32 values
 * rounded to nearest even (uniform: see the one exception in CONTRACT.md). */

/* Uniform on [low, high). */
NNINIT_API nninit_status nninit_uniform(void *dst, nninit_dtype dtype, size_t n, double low, double high,
                                        nninit_rng rng, uint64_t offset);
/* Normal N(mean, std^2) (Box-Muller); std == 0 gives mean. */
NNINIT_API nninit_status nninit_normal(void *dst, nninit_dtype dtype, size_t n, double mean, double std,
                                       nninit_rng rng, uint64_t offset);
/* Normal N(mean, std^2) conditioned on [low, high] (absolute bounds, as
 * PyTorch's trunc_normal_), by exact inversion of the truncated CDF.
 * Fails with NNINIT_E_MASS when [low, high] holds less than
 * NNINIT_TRUNC_MIN_MASS of the normal's probability. */
#define NNINIT_TRUNC_MIN_MASS 1e-20
NNINIT_API nninit_status nninit_trunc_normal(void *dst, nninit_dtype dtype, size_t n, double mean, double std,
                                             double low, double high, nninit_rng rng, uint64_t offset);
/* Every element set to value (rounded to the dtype, nearest even). */
NNINIT_API nninit_status nninit_constant(void *dst, nninit_dtype dtype, size_t n, double value);

/* ---- instruction-set paths --------------------------------------------
 * The kernel path is chosen once from the CPU's features; the environment
 * variable NNINIT_ISA=scalar|avx2|avx512|neon forces one (clamped to the
 * best the CPU supports). Every path gives the same bits. */

/* Name of the path in use: "scalar", "avx2", "avx512" or "neon". */
NNINIT_API const char *nninit_isa(void);
/* 1 if the named path is compiled in and supported by this CPU, else 0. */
NNINIT_API int nninit_isa_supported(const char *name);
/* Force a path for the whole process (tests, benchmarks). NULL or "auto"
 * returns to the automatic choice. NNINIT_E_ISA if the name is unknown or
 * the CPU cannot run it; the current path is then unchanged. Not meant to be
 * called while fills are running on other threads (they would finish on
 * either path, with the same bits). */
NNINIT_API nninit_status nninit_set_isa(const char *name);

/* =========================================================================
 * 2. Schemes
 * ========================================================================= */

/* ---- shapes, layouts and fans ------------------------------------------
 * A tensor is (dtype, shape of 0..NNINIT_MAX_DIMS sizes, row-major, layout).
 * The layout says which axis feeds a layer's inputs and which its outputs;
 * every other axis is receptive field (kernel taps). Grouped convolutions
 * count fans per group. docs/SCHEMES.md has the full rules with examples. */
#define NNINIT_MAX_DIMS 8

typedef enum {
    NNINIT_LAYOUT_OIHW = 0, /* PyTorch weight (out, in/groups, *kernel); Linear (out, in). Default. */
    NNINIT_LAYOUT_IOHW = 1, /* PyTorch transposed conv (in, out/groups, *kernel) */
    NNINIT_LAYOUT_HWIO = 2, /* TensorFlow/Keras (*kernel, in/groups, out); Dense (in, out) */
    NNINIT_LAYOUT_HWOI = 3, /* Keras transposed conv (*kernel, out/groups, in) */
    NNINIT_LAYOUT_AXES = 4  /* explicit in_axis and out_axis (jax in_axis/out_axis); groups must be 1 */
} nninit_layout_kind;

/* A zero-initialized nninit_layout is the default: OIHW, ungrouped. */
typedef struct nninit_layout {
    nninit_layout_kind kind;
    int in_axis, out_axis;  /* NNINIT_LAYOUT_AXES only; negative values count from the end (-1 = last) */
    int64_t groups;         /* channel groups; 0 and 1 both mean ungrouped */
} nninit_layout;

/* Writes the shape as "[64,3,7,7]" ("[]" for 0-D; JSON's spelling) into buf,
 * NUL-terminated when cap > 0; returns the length it needs, like snprintf.
 * A bad ndim or NULL shape writes "[]". */
NNINIT_API size_t nninit_shape_format(const int64_t *shape, int ndim, char *buf, size_t cap);

/* fan_in and fan_out of a weight of this shape and layout.
 *  - 0-D: both 1.  1-D (n): both n (a vector has no in/out split; Keras's rule).
 *  - otherwise fan_in = in_size * receptive, fan_out = out_size * receptive, where
 *    receptive is the product of the other axes and in_size/out_size are the per-group
 *    channel counts: the layout's total channel axis is divided by groups (it must divide).
 *    A transposed convolution's fans are those of its forward pass: fan_in counts the
 *    input channels (axis 0 of IOHW), not axis 1 as torch.nn.init and Keras compute.
 * NNINIT_E_NULL if fan_in/fan_out (or shape with ndim > 0) is NULL; NNINIT_E_SHAPE for a
 * bad shape, axes out of range, equal axes, or groups that do not divide the channels;
 * NNINIT_E_PARAM for an unknown layout kind or groups < 0. */
NNINIT_API nninit_status nninit_fans(const int64_t *shape, int ndim, nninit_layout layout,
                                     int64_t *fan_in, int64_t *fan_out);

/* ---- gains ---------------------------------------------------------------
 * Recommended gain of a nonlinearity (PyTorch's calculate_gain values):
 *   linear, identity, conv1d, conv2d, conv3d, conv_transpose1d/2d/3d, sigmoid: 1
 *   tanh: 5/3   relu: sqrt(2)   selu: 3/4
 *   leaky_relu: sqrt(2 / (1 + slope^2)), slope = param (NaN selects the default 0.01)
 * param is ignored by the others. NNINIT_E_SPEC for an unknown name, NNINIT_E_PARAM
 * for a non-finite slope, NNINIT_E_NULL for NULL arguments. */
NNINIT_API nninit_status nninit_gain(const char *nonlinearity, double param, double *gain);

/* ---- schemes ---------------------------------------------------------------
 * Each scheme has a spec-string name (docs/SCHEMES.md: grammar, parameters,
 * defaults, formulas), an enum value, and a C function below. Every scheme
 * writes f32, f64, bf16 and f16. Random schemes draw from (rng, element index)
 * exactly as the fills above with offset 0, so a scheme that reduces to a fill
 * gives that fill's bits; orthogonal and sparse are defined in CONTRACT.md. */
typedef enum {
    NNINIT_SCHEME_ZEROS = 0,
    NNINIT_SCHEME_ONES,
    NNINIT_SCHEME_CONSTANT,            /* value */
    NNINIT_SCHEME_UNIFORM,             /* low, high */
    NNINIT_SCHEME_NORMAL,              /* mean, std */
    NNINIT_SCHEME_TRUNC_NORMAL,        /* mean, std, low, high: absolute bounds (PyTorch) */
    NNINIT_SCHEME_TRUNC_NORMAL_SIGMA,  /* mean, std, low, high in units of std (jax truncated_normal) */
    NNINIT_SCHEME_XAVIER_UNIFORM,      /* gain (alias glorot_uniform) */
    NNINIT_SCHEME_XAVIER_NORMAL,       /* gain (alias glorot_normal) */
    NNINIT_SCHEME_KAIMING_UNIFORM,     /* a, mode, nonlinearity (alias he_uniform) */
    NNINIT_SCHEME_KAIMING_NORMAL,      /* a, mode, nonlinearity (alias he_normal) */
    NNINIT_SCHEME_LECUN_UNIFORM,
    NNINIT_SCHEME_LECUN_NORMAL,
    NNINIT_SCHEME_VARIANCE_SCALING,    /* scale, mode, distribution */
    NNINIT_SCHEME_ORTHOGONAL,          /* gain */
    NNINIT_SCHEME_EYE,
    NNINIT_SCHEME_DIRAC,               /* groups (in the layout) */
    NNINIT_SCHEME_SPARSE,              /* sparsity, std */
    NNINIT_SCHEME_PYTORCH_DEFAULT,     /* nn.Linear / nn.Conv weight default */
    NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS /* nn.Linear / nn.Conv bias default: fan_in */
} nninit_scheme_kind;

/* Number of scheme kinds this library has: kinds are 0 .. count-1. A
 * function, not an enum member, so a program built against an older header
 * still loops over every scheme of a newer library. */
NNINIT_API int nninit_scheme_count(void);

typedef enum { NNINIT_FAN_IN = 0, NNINIT_FAN_OUT = 1, NNINIT_FAN_AVG = 2 } nninit_fan_mode;
typedef enum {
    NNINIT_DIST_TRUNCATED_NORMAL = 0,  /* std corrected by 1/0.87962566103423978, cut at +-2 std */
    NNINIT_DIST_NORMAL = 1,
    NNINIT_DIST_UNIFORM = 2
} nninit_distribution;
typedef enum {
    NNINIT_NL_LEAKY_RELU = 0,  /* kaiming_*'s default, as PyTorch (with a = 0 it equals relu) */
    NNINIT_NL_LINEAR = 1,      /* also identity, conv*, conv_transpose* */
    NNINIT_NL_SIGMOID = 2,
    NNINIT_NL_TANH = 3,
    NNINIT_NL_RELU = 4,
    NNINIT_NL_SELU = 5
} nninit_nonlinearity;

/* A parsed scheme: plain data, built by nninit_scheme_default() then edited, or
 * by nninit_scheme_parse(). Fields a kind does not use are ignored. */
typedef struct nninit_scheme {
    nninit_scheme_kind kind;
    double value;                     /* constant */
    double mean, std;                 /* normal, trunc_normal*, sparse (std of the non-zeros) */
    double low, high;                 /* uniform; trunc_normal (absolute); trunc_normal_sigma (std units) */
    double gain;                      /* xavier_*, orthogonal */
    double a;                         /* kaiming_*: leaky_relu's negative slope */
    nninit_nonlinearity nonlinearity; /* kaiming_* */
    nninit_fan_mode mode;             /* kaiming_* (fan_in or fan_out), variance_scaling */
    double scale;                     /* variance_scaling */
    nninit_distribution distribution; /* variance_scaling */
    double sparsity;                  /* sparse: fraction of zeros per column, in [0, 1] */
    int64_t fan_in;                   /* pytorch_default_bias: fan_in of the layer's weight */
    nninit_layout layout;             /* how fans (and orthogonal/dirac axes) read the shape */
} nninit_scheme;

/* The scheme with every parameter at its documented default (PyTorch's where
 * PyTorch has the scheme). Required parameters have no default: constant's
 * value and sparse's sparsity are NaN and pytorch_default_bias's fan_in is 0,
 * so the scheme is rejected (NNINIT_E_PARAM) until they are set. An unknown
 * kind gives zeros. */
NNINIT_API nninit_scheme nninit_scheme_default(nninit_scheme_kind kind);
/* Canonical spec name ("kaiming_normal"), NULL for an unknown kind. */
NNINIT_API const char *nninit_scheme_name(nninit_scheme_kind kind);

/* Parses an init spec string (grammar in docs/SCHEMES.md), e.g.
 *   "kaiming_normal(mode=fan_out, nonlinearity=relu)"   "trunc_normal(std=0.02)"
 *   "orthogonal(gain=sqrt(2))"   "xavier_uniform(layout=hwio)"   "zeros"
 *   "normal(std=0.02/sqrt(2*12))"   (numbers may be expressions, below)
 * into *out (untouched on failure). NNINIT_E_SPEC for syntax errors, unknown
 * schemes, parameters or values, bad numbers and parameters the scheme does
 * not take; NNINIT_E_PARAM for values out of range. If msg_size > 0, msg
 * receives a NUL-terminated message saying where and why ("" on success). */
NNINIT_API nninit_status nninit_scheme_parse(const char *spec, nninit_scheme *out, char *msg, size_t msg_size);

#ifdef NNINIT_UNSTABLE_API   /* unstable: may change in a minor release (docs/API.md) */
/* ---- arithmetic and variables in init specs ------------------------------------
 * Every number in an init spec may be an expression (docs/SCHEMES.md,
 * "Arithmetic"): + - * / ^ (power, right-associative), a sign, parentheses,
 * sqrt exp log min max, and variables. The value is the double the same
 * expression gives in C over double literals (left to right, each operation
 * rounded once, pow() for ^), so "normal(std=0.02/sqrt(2*12))" has the bits
 * of 0.02/sqrt(24.0). An integer parameter (groups, in_axis, out_axis,
 * fan_in) takes an expression whose value is an integer of at most 2^53 in
 * magnitude (a plain integer literal: any int64). */
typedef struct nninit_var {
    const char *name;   /* [A-Za-z_][A-Za-z0-9_]*, not a function's name */
    double value;       /* finite */
} nninit_var;

/* nninit_scheme_parse with variables: vars[0..n_vars) may appear in the
 * spec's numbers (e.g. {"n_layers", 12} for "normal(std=0.02/sqrt(2*n_layers))").
 * NNINIT_E_NULL for vars NULL with n_vars > 0, NNINIT_E_PARAM for a name that
 * is not one, a function's name, a name given twice or a non-finite value;
 * otherwise as nninit_scheme_parse. The scheme holds the evaluated numbers:
 * nninit_scheme_format writes them, and needs no variables to read back. */
NNINIT_API nninit_status nninit_scheme_parse_vars(const char *spec, const nninit_var *vars, size_t n_vars,
                                                  nninit_scheme *out, char *msg, size_t msg_size);
/* Evaluates one expression (the whole string, e.g. "0.02/sqrt(2*n_layers)")
 * over the variables into *out (untouched on failure). NNINIT_E_SPEC for
 * syntax errors, unknown variables and functions; NNINIT_E_PARAM for division
 * by zero, sqrt or log of a negative number, log of zero, a NaN or infinite
 * result, or bad variables (as nninit_scheme_parse_vars); msg gives the
 * column: `expression "TEXT": column N: REASON`. */
NNINIT_API nninit_status nninit_expr_eval(const char *expr, const nninit_var *vars, size_t n_vars, double *out,
                                          char *msg, size_t msg_size);

#endif /* NNINIT_UNSTABLE_API */

/* Writes the scheme, parameters included, as a spec string that parses back
 * to the same scheme: numbers are the evaluated doubles in the shortest form
 * that reads back bit-identical, never expressions or variables. Returns the
 * length it needs (like snprintf), or 0 for an invalid scheme. */
NNINIT_API size_t nninit_scheme_format(const nninit_scheme *scheme, char *buf, size_t buf_size);

/* What a scheme resolves to for one shape: the fill it performs and the
 * statistics of the resulting elements. */
typedef enum {
    NNINIT_PLAN_CONSTANT = 0,   /* every element = mean */
    NNINIT_PLAN_UNIFORM,        /* U[low, high) */
    NNINIT_PLAN_NORMAL,         /* N(mean, std^2) */
    NNINIT_PLAN_TRUNC_NORMAL,   /* N(mean, std^2) on [low, high] (absolute) */
    NNINIT_PLAN_ORTHOGONAL,     /* rows x cols (semi-)orthogonal times std (the gain) */
    NNINIT_PLAN_EYE,            /* identity matrix */
    NNINIT_PLAN_DIRAC,          /* identity convolution */
    NNINIT_PLAN_SPARSE          /* N(0, std^2) with `zeros` zeros per column */
} nninit_plan_kind;

typedef struct nninit_plan {
    nninit_plan_kind kind;
    double mean, std, low, high;  /* the draw's parameters (see the kinds) */
    int64_t fan_in, fan_out;      /* the fans the scheme used (0 if it uses none) */
    double gain;                  /* the gain applied (1 if none) */
    int64_t rows, cols;           /* orthogonal, eye, sparse: the 2-D view; else 0 */
    int64_t zeros;                /* sparse: zeros per column */
    double expected_mean;         /* of the elements (exact, before rounding to the dtype; 0 for an empty tensor) */
    double expected_std;          /* of the elements: population std (RMS about the mean) */
} nninit_plan;

/* Resolves a scheme for a shape without writing anything. Errors as
 * nninit_scheme_apply. */
NNINIT_API nninit_status nninit_scheme_plan(const nninit_scheme *scheme, const int64_t *shape, int ndim,
                                            nninit_plan *plan, char *msg, size_t msg_size);

/* Initializes the tensor dst (row-major, shape[0..ndim)) with the scheme.
 * NNINIT_E_SHAPE for a shape the scheme cannot take, NNINIT_E_PARAM for
 * parameters out of range, NNINIT_E_NOMEM / NNINIT_E_OVERFLOW from orthogonal.
 * A tensor with no elements is left alone (after its shape and parameters are
 * checked). msg as in nninit_scheme_parse. */
NNINIT_API nninit_status nninit_scheme_apply(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                             const nninit_scheme *scheme, nninit_rng rng,
                                             char *msg, size_t msg_size);

/* Parse + apply: the one entry point shared by model files, the command line
 * and bindings. */
NNINIT_API nninit_status nninit_init(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                     const char *spec, nninit_rng rng);
/* nninit_init that also explains a failure in msg (see nninit_scheme_parse). */
NNINIT_API nninit_status nninit_init_msg(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                         const char *spec, nninit_rng rng, char *msg, size_t msg_size);
#ifdef NNINIT_UNSTABLE_API   /* unstable: may change in a minor release (docs/API.md) */
/* ---- slices: tensor parallelism without the full tensor ----------------------
 * A slice of a tensor of shape[0..ndim) is the hyperslab of the elements whose
 * indices satisfy start[d] <= i_d < start[d] + count[d] in every dimension.
 * The slice calls write exactly those elements of what nninit_scheme_apply
 * writes for the whole tensor, bit for bit, as a row-major block of shape
 * count[0..ndim) at dst (count[0] * ... * count[ndim-1] elements). So the
 * ranks of a tensor-parallel group, each filling only its own shard (rows,
 * columns, blocks, at any degree and in any layout), together hold exactly the
 * one-process tensor, and no rank ever holds more than its shard -- except
 * for orthogonal. What each scheme costs (docs/CONTRACT.md, "Slices"):
 *  - schemes that reduce to a fill (everything but the four below): one fill
 *    per contiguous run of the slice, at the run's offset in the tensor; the
 *    time and memory of the slice alone, spread over the OpenMP team;
 *  - eye, dirac: zeros, then the ones that fall inside the slice;
 *  - sparse: the slice's normal draw, then, for each column of the slice, the
 *    whole column's zero selection: ceil(sparsity * rows) Philox blocks per
 *    column whatever the slice's rows, and a bitmap of the column's rows;
 *  - orthogonal: a part of Q depends on the whole matrix, so the whole tensor
 *    is computed into a temporary buffer and the slice copied out: every call
 *    takes the memory of the whole tensor (plus the factorization's
 *    workspace) and the time of the whole factorization. A slice that is the
 *    whole tensor is written in place.
 * Bounds: 0 <= start[d], 0 <= count[d] and start[d] + count[d] <= shape[d],
 * else NNINIT_E_SHAPE with a message naming the dimension. A slice with a
 * zero count is empty: after every check, nothing is written and dst may be
 * NULL (a rank whose shard is empty may still call it). A 0-D tensor's only
 * slice is the tensor itself: start and count are not read and may be NULL.
 * Otherwise NULL start or count is NNINIT_E_NULL. Other errors as
 * nninit_scheme_apply; on failure dst is untouched. msg as in
 * nninit_scheme_parse. The bits of orthogonal slices are those of the whole
 * orthogonal tensor in the same process (CONTRACT.md, "Orthogonal"). */
NNINIT_API nninit_status nninit_scheme_apply_slice(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                                   const int64_t *start, const int64_t *count,
                                                   const nninit_scheme *scheme, nninit_rng rng,
                                                   char *msg, size_t msg_size);
/* Parse + apply_slice: nninit_init_msg for a slice. */
NNINIT_API nninit_status nninit_init_slice(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                           const int64_t *start, const int64_t *count, const char *spec,
                                           nninit_rng rng, char *msg, size_t msg_size);
#endif /* NNINIT_UNSTABLE_API */

/* ---- one function per scheme -----------------------------------------------
 * Thin forms of nninit_scheme_apply for C callers. Element-count forms take
 * (n, offset) like the fills above; tensor forms take (shape, ndim, layout). */
NNINIT_API nninit_status nninit_zeros(void *dst, nninit_dtype dtype, size_t n);
NNINIT_API nninit_status nninit_ones(void *dst, nninit_dtype dtype, size_t n);
/* N(mean, std^2) on [mean + lower * std, mean + upper * std] (jax truncated_normal). */
NNINIT_API nninit_status nninit_trunc_normal_sigma(void *dst, nninit_dtype dtype, size_t n, double mean,
                                                   double std, double lower, double upper,
                                                   nninit_rng rng, uint64_t offset);
/* U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)). */
NNINIT_API nninit_status nninit_xavier_uniform(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                               nninit_layout layout, double gain, nninit_rng rng);
/* N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out)). */
NNINIT_API nninit_status nninit_xavier_normal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                              nninit_layout layout, double gain, nninit_rng rng);
/* U(-b, b), b = gain(nonlinearity, a) * sqrt(3 / fan), fan = fan_in or fan_out. */
NNINIT_API nninit_status nninit_kaiming_uniform(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                                nninit_layout layout, double a, nninit_fan_mode mode,
                                                const char *nonlinearity, nninit_rng rng);
/* N(0, s^2), s = gain(nonlinearity, a) / sqrt(fan). */
NNINIT_API nninit_status nninit_kaiming_normal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                               nninit_layout layout, double a, nninit_fan_mode mode,
                                               const char *nonlinearity, nninit_rng rng);
/* U(-b, b), b = sqrt(3 / fan_in). */
NNINIT_API nninit_status nninit_lecun_uniform(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                              nninit_layout layout, nninit_rng rng);
/* N(0, 1 / fan_in). */
NNINIT_API nninit_status nninit_lecun_normal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                             nninit_layout layout, nninit_rng rng);
/* Variance scale / n, n = fan_in, fan_out or their mean, drawn from the distribution. */
NNINIT_API nninit_status nninit_variance_scaling(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                                 nninit_layout layout, double scale, nninit_fan_mode mode,
                                                 nninit_distribution distribution, nninit_rng rng);
/* (Semi-)orthogonal matrix times gain: Haar-distributed, a product of Householder
 * reflections built from Gaussian vectors, on OpenBLAS (docs/SCHEMES.md). */
NNINIT_API nninit_status nninit_orthogonal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                           nninit_layout layout, double gain, nninit_rng rng);
/* 2-D identity (ones on the main diagonal of a rows x cols matrix). */
NNINIT_API nninit_status nninit_eye(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim);
/* 3-D to 5-D identity convolution (per group: layout.groups). */
NNINIT_API nninit_status nninit_dirac(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                      nninit_layout layout);
/* 2-D N(0, std^2) with exactly ceil(sparsity * rows) zeros in every column. */
NNINIT_API nninit_status nninit_sparse(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                       double sparsity, double std, nninit_rng rng);
/* PyTorch's nn.Linear / nn.Conv weight default: kaiming_uniform(a = sqrt(5)), i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
NNINIT_API nninit_status nninit_pytorch_default(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                                nninit_layout layout, nninit_rng rng);
/* PyTorch's bias default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in of the layer's weight. */
NNINIT_API nninit_status nninit_pytorch_default_bias(void *dst, nninit_dtype dtype, size_t n, int64_t fan_in,
                                                     nninit_rng rng, uint64_t offset);

/* =========================================================================
 * 3. File formats
 * ========================================================================= */

/* ---- writing files ---------------------------------------------------------
 * Every writer makes its output appear whole or not at all: a regular file
 * (or a path that does not exist yet) is written as a temporary beside it,
 * fsync'ed and renamed over the path; a directory is built as a hidden
 * temporary directory and renamed into place. A path that exists and is not a
 * regular file (a device such as /dev/null, a FIFO) and "-" (standard output)
 * are written directly, in order. A failed, canceled or interrupted write
 * removes its temporary: the path holds the old content or the new, never a
 * part. NNINIT_E_IO keeps errno. */
typedef struct nninit_write_options {
    /* 1: never replace an existing path: NNINIT_E_EXISTS, checked before any
     * work and again by the final rename (RENAME_NOREPLACE), so a path created
     * meanwhile is not lost either. Devices, FIFOs and "-" are exempt. */
    int no_replace;
    /* Non-NULL: polled between chunks of work (at most ~64 MiB apart); when
     * *cancel becomes non-zero the writer stops, removes what it created and
     * returns NNINIT_E_CANCELED. Meant to be set by a signal handler. */
    const volatile sig_atomic_t *cancel;
} nninit_write_options;

/* Writes a NumPy .npy file (format 1.0; 2.0 if the header needs it): f32
 * '<f4', f64 '<f8', f16 '<f2'; bf16, which NumPy lacks, as '<u2' holding the
 * raw bits (docs/SCHEMES.md shows how to read it back). opt may be NULL. */
NNINIT_API nninit_status nninit_npy_save(const char *path, const void *data, nninit_dtype dtype,
                                         const int64_t *shape, int ndim, const nninit_write_options *opt,
                                         char *msg, size_t msg_size);

/* ---- tensors and safetensors files -----------------------------------------
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, N bytes of JSON header, then the data. nninit
 * reads and writes F32, F64, BF16 and F16 tensors; docs/MODELS.md has the
 * details (alignment, metadata, what the reader rejects). */
typedef struct nninit_tensor {
    const char *name;                 /* NUL-terminated UTF-8 */
    nninit_dtype dtype;
    int ndim;                         /* 0..NNINIT_MAX_DIMS */
    int64_t shape[NNINIT_MAX_DIMS];
    const void *data;                 /* row-major, little-endian, nbytes long */
    size_t nbytes;
} nninit_tensor;

/* Writes tensors[0..n) as a safetensors file. metadata is NULL or a
 * NULL-terminated list of key, value, key, value, ... strings stored in
 * "__metadata__". The header is padded so the data starts at a multiple of 64
 * bytes; tensors are laid out largest element size first, so every tensor
 * starts at a multiple of its element size (the format allows no gaps).
 * Written as described under "writing files"; opt may be NULL.
 * NNINIT_E_PARAM for duplicate or empty names, a shape that does not match
 * nbytes, or an unknown dtype; NNINIT_E_IO on a system error (errno kept). */
NNINIT_API nninit_status nninit_st_save(const char *path, const nninit_tensor *tensors, size_t n,
                                        const char *const *metadata, const nninit_write_options *opt,
                                        char *msg, size_t msg_size);

/* Writes tensors[0..n) as a Hugging Face sharded checkpoint: the directory
 * path holding model-00001-of-0000N.safetensors ... and
 * model.safetensors.index.json ({"metadata": {"total_size": the tensors'
 * bytes}, "weight_map": {tensor: file}}), split as huggingface_hub does
 * (docs/MODELS.md, "Sharded checkpoints": in order, a new shard when the next
 * tensor would take the open one past max_shard_bytes, a larger tensor alone;
 * a single shard is the directory's model.safetensors without an index).
 * Every shard carries the metadata. The same files nninit_model_write writes
 * with max_shard_bytes; the directory appears whole, as
 * nninit_npy_save_dir's (an existing one is replaced only if it holds nothing
 * but a sharded checkpoint, and no_replace is 0). NNINIT_E_PARAM for
 * max_shard_bytes 0 and the tensors nninit_st_save refuses. */
NNINIT_API nninit_status nninit_st_save_sharded(const char *path, const nninit_tensor *tensors, size_t n,
                                                const char *const *metadata, uint64_t max_shard_bytes,
                                                const nninit_write_options *opt, char *msg, size_t msg_size);

/* Writes tensors[0..n) as a directory: one NAME.npy per tensor (as
 * nninit_npy_save) and __metadata__.json, a JSON object of the metadata
 * pairs (NULL: {}). A name becomes a file name by percent-encoding every byte
 * outside A-Z a-z 0-9 . _ - and a leading '.' ("conv/w" -> "conv%2Fw.npy"),
 * so names map one to one onto file names and urllib.parse.unquote reverses
 * it. The directory is built as a hidden temporary beside path and renamed
 * into place. An existing path is replaced only if it is a directory that
 * holds nothing but *.npy files and __metadata__.json (an earlier output),
 * and opt->no_replace is 0; anything else there is NNINIT_E_EXISTS.
 * NNINIT_E_PARAM for duplicate or empty names, or names too long for a file. */
NNINIT_API nninit_status nninit_npy_save_dir(const char *path, const nninit_tensor *tensors, size_t n,
                                             const char *const *metadata, const nninit_write_options *opt,
                                             char *msg, size_t msg_size);

/* An open safetensors file, or sharded checkpoint, mapped read-only. */
typedef struct nninit_st_file nninit_st_file;
/* Opens and fully validates a safetensors file (header length, JSON, dtypes,
 * shapes, offsets in bounds, without overlap or gaps, sizes matching the
 * shapes, UTF-8 names without duplicates). On failure *out is NULL, msg says
 * what is wrong; NNINIT_E_IO (cannot read), NNINIT_E_FORMAT (malformed).
 * A sharded checkpoint (Hugging Face's layout) opens as one file: path is
 * its index (a name ending in ".json", e.g. model.safetensors.index.json,
 * whose "weight_map" maps each tensor to a file beside it, at most
 * NNINIT_ST_INDEX_MAX_BYTES) or its directory (holding model.safetensors,
 * which is read first when both are there, as transformers'
 * from_pretrained does, else model.safetensors.index.json). Every file read
 * must be a regular file or a symbolic link to one: a FIFO, a device or a
 * socket is NNINIT_E_IO ("not a regular file"), checked without blocking. Every
 * shard is validated as above, every weight_map entry must be in its file and
 * every tensor of a shard in the weight_map; tensors come in the order of the
 * shards' first mention in the weight_map, each shard's in its header order;
 * nninit_st_metadata reads the first shard's metadata. */
NNINIT_API nninit_status nninit_st_open(const char *path, nninit_st_file **out, char *msg, size_t msg_size);
/* The largest sharded-checkpoint index nninit_st_open reads (64 MiB: Hugging
 * Face's largest indexes are a few MB), and the same as a function for
 * bindings (Python's nninit.load applies it too). */
#define NNINIT_ST_INDEX_MAX_BYTES ((uint64_t)64 << 20)
NNINIT_API uint64_t nninit_st_index_max_bytes(void);
/* Validates an in-memory safetensors image (the same checks; the bytes must
 * outlive the handle, which refers into them). */
NNINIT_API nninit_status nninit_st_open_memory(const void *bytes, size_t size, nninit_st_file **out, char *msg,
                                               size_t msg_size);
NNINIT_API void nninit_st_close(nninit_st_file *file);   /* NULL is allowed */
/* Number of tensors in the file. */
NNINIT_API size_t nninit_st_count(const nninit_st_file *file);
/* Tensor i (0 <= i < count, in header order). Tensors of dtypes nninit does
 * not handle (I64, U8, ...) are listed: their name, shape and bytes are
 * filled in, dtype is (nninit_dtype)-1 and NNINIT_E_DTYPE is returned.
 * data points into the mapping: aligned to the element size in files nninit
 * wrote, possibly unaligned in others'. Pointers stay valid until close. */
NNINIT_API nninit_status nninit_st_tensor(const nninit_st_file *file, size_t i, nninit_tensor *out);
/* Index of the tensor with this name, or -1. */
NNINIT_API long nninit_st_find(const nninit_st_file *file, const char *name);
/* Value of a "__metadata__" key, or NULL. */
NNINIT_API const char *nninit_st_metadata(const nninit_st_file *file, const char *key);

/* ---- reading .npy files -----------------------------------------------------
 * NumPy .npy files of format 1.0, 2.0 and 3.0: every array whose dtype is a
 * plain type string opens (structured and object arrays do not); the data
 * is handed out row-major and in the host's byte order (Fortran-ordered and
 * big-endian files are converted on load). */
typedef struct nninit_npy_file nninit_npy_file;
/* Reads and validates a .npy file ("-": standard input): magic, version,
 * the header dict (descr, fortran_order, shape; nothing else), and a data
 * size equal to the shape times the item size. NNINIT_E_IO (errno kept),
 * NNINIT_E_FORMAT, NNINIT_E_NOMEM; on failure *out is NULL. */
NNINIT_API nninit_status nninit_npy_open(const char *path, nninit_npy_file **out, char *msg, size_t msg_size);
/* The same on an in-memory image (copied: the bytes need not outlive the handle). */
NNINIT_API nninit_status nninit_npy_open_memory(const void *bytes, size_t size, nninit_npy_file **out, char *msg,
                                                size_t msg_size);
NNINIT_API void nninit_npy_close(nninit_npy_file *file);   /* NULL is allowed */
/* The array's descr as the file spells it ("<f4", "<i8", ...); NULL for NULL. */
NNINIT_API const char *nninit_npy_descr(const nninit_npy_file *file);
/* The array as a tensor: name (the path, "" for a memory image), shape, data
 * (aligned to the element size, valid until close), nbytes. f4, f8 and f2
 * arrays are NNINIT_F32, NNINIT_F64 and NNINIT_F16; for any other dtype
 * (integers, bool, '<u2' even when it holds bf16 bits) the fields are filled
 * in, dtype is (nninit_dtype)-1 and NNINIT_E_DTYPE is returned. */
NNINIT_API nninit_status nninit_npy_tensor(const nninit_npy_file *file, nninit_tensor *out);

/* =========================================================================
 * 4. Whole models
 * ========================================================================= */

/* ---- model specs ------------------------------------------------------------
 * A JSON model spec (docs/MODELS.md): a seed, a default dtype and layout, the
 * tensors (name, shape, optional dtype, layout and init spec string) and rules
 * assigning an init spec to tensors by glob pattern, first match wins (a
 * pattern's {name} captures a number for the rule's spec), and "vars" the
 * specs may use (docs/MODELS.md, "Variables"). Each
 * tensor's stream is nninit_stream_id(name). Optionally a "graph" (the
 * forward pass over the tensors) and a "data_init" algorithm: the model
 * parser checks only their JSON types, nninit_graph_create (section 5)
 * checks the rest. */
typedef struct nninit_model nninit_model;

/* Parses a spec (len bytes of JSON). Errors name the tensor, the field and
 * the reason; NNINIT_E_FORMAT for JSON or structure errors, NNINIT_E_SPEC /
 * NNINIT_E_PARAM / NNINIT_E_SHAPE for a tensor's init or shape. */
NNINIT_API nninit_status nninit_model_parse(const char *json, size_t len, nninit_model **out, char *msg,
                                            size_t msg_size);
#ifdef NNINIT_UNSTABLE_API   /* unstable: may change in a minor release (docs/API.md) */
/* nninit_model_parse with variables given by the caller (a Hugging Face
 * config's n_layers, hidden, ...): the spec's "vars", rules and init specs may
 * use them (docs/MODELS.md, "Variables"); the spec's "vars" may not redefine
 * them. Variables as nninit_scheme_parse_vars (NNINIT_E_NULL, NNINIT_E_PARAM
 * for bad ones). The model holds the evaluated numbers: its canonical JSON
 * needs no variables. */
NNINIT_API nninit_status nninit_model_parse_vars(const char *json, size_t len, const nninit_var *vars, size_t n_vars,
                                                 nninit_model **out, char *msg, size_t msg_size);
#endif /* NNINIT_UNSTABLE_API */

/* Reads and parses a spec file. */
NNINIT_API nninit_status nninit_model_load(const char *path, nninit_model **out, char *msg, size_t msg_size);
NNINIT_API void nninit_model_free(nninit_model *model);  /* NULL is allowed */

/* The seed every tensor's stream uses. */
NNINIT_API uint64_t nninit_model_seed(const nninit_model *model);
/* Overrides the seed (the command line's --seed). NNINIT_E_NOMEM if the
 * canonical JSON could not be rebuilt (the model is then unchanged). */
NNINIT_API nninit_status nninit_model_set_seed(nninit_model *model, uint64_t seed);
/* Overrides every tensor's dtype (the command line's --dtype). NNINIT_E_DTYPE,
 * NNINIT_E_OVERFLOW (a byte count would overflow), NNINIT_E_NOMEM; on failure
 * nothing changes. */
NNINIT_API nninit_status nninit_model_set_dtype(nninit_model *model, nninit_dtype dtype);
/* Number of tensors (0 for NULL). */
NNINIT_API size_t nninit_model_count(const nninit_model *model);
/* Total bytes of all tensors. */
NNINIT_API uint64_t nninit_model_bytes(const nninit_model *model);

typedef struct nninit_model_tensor {
    const char *name;
    nninit_dtype dtype;
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS];
    size_t count, nbytes;
    const char *init;       /* the init spec string that applies (the tensor's own or its rule's), as
                               written: it may name variables; scheme holds their values */
    nninit_scheme scheme;   /* init, parsed, with the tensor's layout */
    nninit_rng rng;         /* { model seed, nninit_stream_id(name) } */
} nninit_model_tensor;
/* Tensor i, 0 <= i < count, in spec order. Pointers stay valid until the
 * model is freed. NNINIT_E_PARAM for i out of range. */
NNINIT_API nninit_status nninit_model_tensor_info(const nninit_model *model, size_t i, nninit_model_tensor *out);
/* The spec as canonical JSON (docs/MODELS.md, "Canonical JSON": what was
 * parsed, with overrides applied). Valid until the model is changed or
 * freed; NULL for NULL. */
NNINIT_API const char *nninit_model_json(const nninit_model *model);
/* Index of the tensor with this name, or -1 (also for NULL arguments). */
NNINIT_API long nninit_model_find(const nninit_model *model, const char *name);
/* The spec's "graph" as compact JSON text (an array; nninit_graph_create
 * parses it), NULL if it has none. Lifetime as nninit_model_json. */
NNINIT_API const char *nninit_model_graph(const nninit_model *model);
/* The spec's "data_init" string (section 5: the data-dependent algorithm to
 * run after the spec's init, e.g. "lsuv(tol=0.1)"), NULL if it has none.
 * Lifetime as nninit_model_json. */
NNINIT_API const char *nninit_model_data_init(const nninit_model *model);
/* Replaces "data_init" (NULL removes it), so that the canonical JSON, and
 * with it a checkpoint's metadata, records the algorithm that was run. The
 * string is kept as given: nninit_data_init_parse checks it. NNINIT_E_NOMEM
 * leaves the model unchanged. */
NNINIT_API nninit_status nninit_model_set_data_init(nninit_model *model, const char *data_init);
/* What nninit writes into a checkpoint's metadata: the NULL-terminated list
 * key, value, key, value, ... of nninit_version, seed (decimal text) and
 * spec (the canonical JSON), enough to reproduce every tensor, then the
 * spec's "metadata" keys in their order. Lifetime as nninit_model_json. */
NNINIT_API const char *const *nninit_model_metadata(const nninit_model *model);

/* ---- bulk initialization ------------------------------------------------------ */
typedef struct nninit_progress {
    size_t tensors_done, tensors_total;
    uint64_t bytes_done, bytes_total;
} nninit_progress;

typedef struct nninit_run_options {
    int threads;                      /* OpenMP threads; 0: the OpenMP default */
    /* Called now and then from one thread (never concurrently), and once at the end. */
    void (*progress)(void *ctx, const nninit_progress *progress);
    void *progress_ctx;
    /* Non-NULL: checked before each unit of work (about 1 M elements); once
     * non-zero the run stops with NNINIT_E_CANCELED (dst then holds a mix of
     * old and new values). */
    const volatile sig_atomic_t *cancel;
} nninit_run_options;

/* Initializes every tensor i of the model into dst[i] (nbytes each, the
 * dtype's natural alignment). Large tensors are split by element range, small
 * ones batched, orthogonal ones built on OpenBLAS's threads; the bits do
 * not depend on the thread count. Every tensor is checked (shape, parameters
 * against its dtype, destination) before any is written. opt may be NULL. */
NNINIT_API nninit_status nninit_model_init(const nninit_model *model, void *const *dst,
                                           const nninit_run_options *opt, char *msg, size_t msg_size);

/* One allocation holding every tensor of a model: 64-byte aligned tensors,
 * transparent huge pages where the system has them (madvise), first touched
 * by the parallel fill itself. NNINIT_E_NOMEM, NNINIT_E_OVERFLOW. */
typedef struct nninit_arena nninit_arena;
NNINIT_API nninit_status nninit_arena_create(const nninit_model *model, nninit_arena **out);
/* Tensor i's bytes (NULL for an empty tensor or i out of range). */
NNINIT_API void *nninit_arena_tensor(const nninit_arena *arena, size_t i);
/* dst array for nninit_model_init (count pointers into the arena). */
NNINIT_API void *const *nninit_arena_pointers(const nninit_arena *arena);
NNINIT_API void nninit_arena_free(nninit_arena *arena);  /* NULL is allowed */

/* ---- pretrained weights -------------------------------------------------------- */
typedef enum {
    NNINIT_FROM_INIT = 0,        /* not in the checkpoint: initialized from the spec */
    NNINIT_FROM_LOADED = 1,      /* loaded (converted to the tensor's dtype if needed) */
    NNINIT_FROM_RENAMED = 2,     /* loaded under a renamed checkpoint name */
    NNINIT_FROM_MISMATCHED = 3   /* in the checkpoint with another shape: initialized (reinit_mismatched) */
} nninit_source;

typedef struct nninit_load_options {
    /* NULL or NULL-terminated "old_prefix=new_prefix" strings: a checkpoint
     * tensor named old_prefix + rest provides the spec tensor new_prefix + rest. */
    const char *const *renames;
    int reinit_mismatched;       /* else a shape mismatch is NNINIT_E_SHAPE */
    /* A checkpoint that provides none of the spec's tensors (no name matches,
     * after renames) is NNINIT_E_PARAM unless this is set: it is almost always
     * names that differ by a prefix, and loading nothing would silently
     * initialize everything. The message names a few tensors of each and the
     * rename that would match the most, when one exists. A spec without
     * tensors is never refused. */
    int allow_no_match;
    /* NaN and infinities in a loaded tensor are copied as they are; else
     * they are NNINIT_E_PARAM naming the tensor. (A finite value the target
     * dtype cannot hold, f32 70000 into f16, is always NNINIT_E_PARAM.) */
    int allow_nonfinite;
} nninit_load_options;

/* The checkpoint tensor that provides spec tensor `name`: the first rename
 * (in order) whose new prefix `name` starts with and whose old name the
 * checkpoint has, else the tensor of the same name. *index is its index in
 * the checkpoint or -1; *renamed is 1 if a rename found it. The rule
 * nninit_model_init_from applies, for callers that report on it.
 * NNINIT_E_PARAM for a rename without '='. */
NNINIT_API nninit_status nninit_ckpt_lookup(const nninit_st_file *ckpt, const char *const *renames, const char *name,
                                            long *index, int *renamed, char *msg, size_t msg_size);

/* nninit_model_init, but tensors the checkpoint has (nninit_ckpt_lookup,
 * with the same shape) are loaded from it, converting f32/f64/bf16/f16
 * (rounded once, to nearest even). Every loaded tensor is read first (with
 * pread, never through the mapping: a checkpoint truncated meanwhile is
 * NNINIT_E_IO, not a SIGBUS) and checked: a finite value that would become
 * infinite in the spec tensor's dtype is NNINIT_E_PARAM naming the tensor,
 * and so are NaN and infinities unless load->allow_nonfinite. Conflicting
 * renames (two old prefixes for one new one, or one old prefix for two new
 * ones) are NNINIT_E_PARAM. source[i] (may be NULL) says what happened
 * to tensor i; ckpt_used[j] (may be NULL) is 1 for each checkpoint tensor j
 * that was loaded. */
NNINIT_API nninit_status nninit_model_init_from(const nninit_model *model, const nninit_st_file *ckpt,
                                                const nninit_load_options *load, void *const *dst,
                                                const nninit_run_options *opt, nninit_source *source,
                                                unsigned char *ckpt_used, char *msg, size_t msg_size);

/* ---- saving a model ------------------------------------------------------------ */
typedef enum {
    NNINIT_FORMAT_SAFETENSORS = 0,   /* one file; metadata: nninit_model_metadata plus format=pt */
    NNINIT_FORMAT_NPY_DIR = 1        /* a directory of .npy files (nninit_npy_save_dir) */
} nninit_file_format;

/* Writes tensor i of the model from data[i] (nbytes each) to path in the
 * format, with the model's metadata, as nninit_st_save / nninit_npy_save_dir
 * do (whole or not at all; opt may be NULL). */
NNINIT_API nninit_status nninit_model_save(const nninit_model *model, const void *const *data, const char *path,
                                           nninit_file_format format, const nninit_write_options *opt,
                                           char *msg, size_t msg_size);

/* ---- statistics of what was written --------------------------------------------- */
typedef struct nninit_stats {
    double mean;        /* of the values, exactly decoded (bf16/f16) and summed in binary64 */
    double std;         /* population std (RMS about the mean), from a second pass */
    double min, max;    /* NaN for an empty tensor */
    size_t nonfinite;   /* NaN and infinite elements (left out of the above) */
} nninit_stats;

/* Mean, std, min and max of n elements of dtype at data, in binary64: by
 * blocks of 65536 elements, each summed in order with its squared deviations
 * about its own mean (a second pass over the block), the blocks combined in
 * order by Chan, Golub and LeVeque's update (a one-pass sum of squares would
 * lose the std of tensors far from zero, such as ones plus small noise).
 * Spread over the OpenMP team for large n; the result does not depend on the
 * thread count, and the streaming writer's statistics equal it. */
NNINIT_API nninit_status nninit_tensor_stats(const void *data, nninit_dtype dtype, size_t n, nninit_stats *out);

/* ---- streaming a model to its output -------------------------------------------------
 * nninit_model_write initializes the model and writes it as it goes, never
 * holding it: a team of threads fills units of the output (about 1 MiB of
 * consecutive bytes) into a pool of buffers, and one writing thread writes
 * each at its place in the file (in order, for standard output, a device or a
 * FIFO) while the team fills the next. Resident memory is the pool
 * (memory_bytes) plus, for a scheme that needs the whole tensor at once
 * (orthogonal, sparse), one such tensor at a time and its scheme's workspace,
 * whatever the model's size. The output is byte for byte what
 * nninit_model_init + nninit_model_save write, for any thread count, and
 * appears whole or not at all as described under "writing files".
 * docs/DESIGN.md ("Streaming") has the design. */
#define NNINIT_WRITE_UNIT_BYTES ((uint64_t)1 << 20)     /* one buffer */
#define NNINIT_WRITE_MEMORY_DEFAULT ((uint64_t)64 << 20) /* the pool when memory_bytes is 0 */

typedef struct nninit_model_write_options {
    int threads;                      /* filling threads (0: the OpenMP default); one more thread writes */
    /* Called now and then from one thread (never concurrently), and once at
     * the end; bytes_done counts tensor bytes written. */
    void (*progress)(void *ctx, const nninit_progress *progress);
    void *progress_ctx;
    /* Non-NULL: polled before each unit and each write; once non-zero the
     * run stops with NNINIT_E_CANCELED and removes what it created. Meant to
     * be set by a signal handler. */
    const volatile sig_atomic_t *cancel;
    int no_replace;                   /* as nninit_write_options */
    /* The buffer pool in bytes (0: NNINIT_WRITE_MEMORY_DEFAULT); at least two
     * units of NNINIT_WRITE_UNIT_BYTES. */
    uint64_t memory_bytes;
    /* safetensors only. 0: one file. Otherwise a Hugging Face sharded
     * checkpoint, the directory path holding model-00001-of-0000N.safetensors
     * ... and model.safetensors.index.json ({"metadata": {"total_size": the
     * tensors' bytes}, "weight_map": {tensor: file}}), split as
     * huggingface_hub does (docs/MODELS.md): tensors in spec order, a new shard
     * when the next tensor's bytes would take the shard past max_shard_bytes,
     * a larger tensor alone in a shard of its own; one shard in all is the
     * directory's model.safetensors without an index. Each shard carries the
     * model's metadata. The directory appears whole, as nninit_npy_save_dir's. */
    uint64_t max_shard_bytes;
    /* Non-NULL: tensors the checkpoint has are loaded from it, as
     * nninit_model_init_from does with load (which may be NULL). */
    const nninit_st_file *ckpt;
    const nninit_load_options *load;
    /* Results, each NULL or an array the caller owns; written only when the
     * call succeeds: source[count] and ckpt_used[nninit_st_count(ckpt)] as
     * nninit_model_init_from's; stats[count]: each tensor's statistics,
     * computed from the buffers as they go out, equal to nninit_tensor_stats
     * of the whole tensor. */
    nninit_source *source;
    unsigned char *ckpt_used;
    nninit_stats *stats;
    /* Non-NULL: config_json_size bytes written as config.json into a
     * directory output (sharded or npy), which appears with it, so that
     * transformers' from_pretrained(path) finds a whole model (section 4b).
     * NNINIT_E_PARAM for a one-file output. Must outlive a writer. */
    const char *config_json;
    size_t config_json_size;
} nninit_model_write_options;

/* Initializes every tensor of the model (loading some from opt->ckpt) and
 * writes it to path in the format: one safetensors file (metadata as
 * nninit_model_save's), a sharded checkpoint directory (max_shard_bytes) or
 * a directory of .npy files. Everything (plans, parameters against dtypes,
 * the checkpoint, the options) is checked before anything is created. opt may
 * be NULL. NNINIT_E_IO (errno kept: ENOSPC for a full disk), NNINIT_E_EXISTS,
 * NNINIT_E_CANCELED, NNINIT_E_NOMEM, NNINIT_E_PARAM for bad options, and the
 * errors of nninit_model_init_from. */
NNINIT_API nninit_status nninit_model_write(const nninit_model *model, const char *path, nninit_file_format format,
                                            const nninit_model_write_options *opt, char *msg, size_t msg_size);

#ifdef NNINIT_UNSTABLE_API   /* unstable: may change in a minor release (docs/API.md) */
/* nninit_model_write in steps, for several processes writing one output (the
 * program nninit-mpi): every process creates a writer for the same model,
 * path and options; one calls begin, which creates the temporary output, and
 * passes nninit_model_writer_temp to the others, which attach to it; each
 * runs its part; once all parts succeeded the first commits, and if any
 * failed it frees its writer instead, which removes the temporary. The
 * output's bytes are cut into `parts` equal ranges; each unit (each file of a
 * directory output) belongs to the range holding its middle, so together the
 * parts write every byte once and the result equals a one-part run. */
typedef struct nninit_model_writer nninit_model_writer;
/* Checks and plans everything; nothing is created yet. opt is copied (the
 * arrays and the checkpoint it points to must outlive the writer); source and
 * ckpt_used are written here. */
NNINIT_API nninit_status nninit_model_writer_create(const nninit_model *model, const char *path,
                                                    nninit_file_format format,
                                                    const nninit_model_write_options *opt,
                                                    nninit_model_writer **out, char *msg, size_t msg_size);
/* The whole plan in 64 bits (nninit's own checksum, not cryptographic): the
 * output path, every file's name, size and header (the canonical spec with
 * its seed, dtypes, shapes, offsets, the loaded checkpoint's digest), where
 * each tensor's bytes go and come from, the load options. Processes that are
 * to write one output compare it before any begins (nninit-mpi does): equal
 * digests, the same bytes. 0 for NULL. */
NNINIT_API uint64_t nninit_model_writer_digest(const nninit_model_writer *w);
/* Creates the temporary output (every file, with its header); for standard
 * output, a device or a FIFO, writes the header. */
NNINIT_API nninit_status nninit_model_writer_begin(nninit_model_writer *w, char *msg, size_t msg_size);
/* The temporary begin created (file or directory), NULL for a direct output
 * or before begin. A single file's temporary is unnamed where the file system
 * allows (O_TMPFILE: a killed process leaves nothing); asking for it gives it
 * a hidden name beside the output, for the others to open. Valid until the
 * writer is committed or freed. */
NNINIT_API const char *nninit_model_writer_temp(const nninit_model_writer *w);
/* Opens the temporary `temp` another process's begin created, to run a part. */
NNINIT_API nninit_status nninit_model_writer_attach(nninit_model_writer *w, const char *temp, char *msg,
                                                    size_t msg_size);
/* Fills and writes part `part` (0-based) of `parts`, then flushes it to the
 * disk (fsync). 0 of 1 is everything. parts > 1 needs a temporary (not a
 * direct output) and stats NULL; progress then counts this part's bytes. */
NNINIT_API nninit_status nninit_model_writer_run(nninit_model_writer *w, int part, int parts, char *msg,
                                                 size_t msg_size);
/* Makes the output appear (rename), by the writer that called begin. */
NNINIT_API nninit_status nninit_model_writer_commit(nninit_model_writer *w, char *msg, size_t msg_size);
/* Releases the writer; before a successful commit, removes what its begin
 * created. NULL is allowed. */
NNINIT_API void nninit_model_writer_free(nninit_model_writer *w);
#endif /* NNINIT_UNSTABLE_API */

/* A size in bytes from text: a number (digits, with an optional fraction)
 * and a unit, B (bytes), KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB,
 * TiB (powers of 1024), case-insensitive, maybe after spaces, e.g. "5GB",
 * "500 MB", "2GiB", "1.5GB", "1048576B". Rounded down to whole bytes.
 * NNINIT_E_PARAM (msg says why) for anything else: empty, negative, no unit
 * ("200" is refused rather than read as 200 bytes, as Hugging Face's
 * convert_file_size_to_int refuses it; docs/MODELS.md), unknown unit, zero
 * bytes, or more than 2^64 - 1. */
NNINIT_API nninit_status nninit_size_parse(const char *text, uint64_t *bytes, char *msg, size_t msg_size);

#ifdef NNINIT_UNSTABLE_API   /* unstable: may change in a minor release (docs/API.md) */

/* ---- 4b. Hugging Face configs (docs/HF.md) ------------------------------
 * A transformers config.json to a model spec (the JSON of docs/MODELS.md):
 * every tensor a checkpoint of that model holds, under transformers' names
 * and shapes (the tied lm_head left out), each with the init spec its
 * recipe gives, numbers resolved. Types: nninit_hf_model_types(). */
typedef struct nninit_hf_options {
    /* "hf" (NULL or ""; transformers' _init_weights), "megatron",
     * "torchtitan", "olmo", "neox" or "mup(base_hidden=N)" (docs/HF.md). */
    const char *recipe;
    /* NULL: the config's torch_dtype (or dtype), f32 if it has none;
     * otherwise f32, f64, bf16, f16 or float32, float64, bfloat16, float16. */
    const char *dtype;
    uint64_t seed;          /* the spec's seed */
} nninit_hf_options;
/* recipe "hf", dtype NULL, seed 0. */
NNINIT_API void nninit_hf_options_default(nninit_hf_options *opt);
/* The spec of the model config (len bytes of JSON, no NUL needed) describes,
 * into *spec_json (NUL-terminated; free it with nninit_hf_free), checked by
 * nninit_model_parse. opt may be NULL (the defaults). Errors name the config
 * key: NNINIT_E_FORMAT for malformed JSON, a missing or ill-typed key, head
 * counts that do not fit (heads not dividing hidden_size without head_dim,
 * key/value heads not dividing heads), an unknown model_type (the message
 * lists the known ones); NNINIT_E_DTYPE for an unknown dtype; NNINIT_E_PARAM
 * for an unknown or ill-formed recipe; NNINIT_E_NOMEM. On error *spec_json
 * is unchanged. */
NNINIT_API nninit_status nninit_hf_spec(const char *config, size_t len, const nninit_hf_options *opt,
                                        char **spec_json, char *msg, size_t msg_size);
NNINIT_API void nninit_hf_free(char *spec_json);   /* NULL is allowed */
/* 1 if text (len bytes) is a JSON object with a string "model_type" and no
 * "tensors": a Hugging Face config rather than a model spec. */
NNINIT_API int nninit_hf_is_config(const char *text, size_t len);
/* Reads a config: path is a config.json or a directory holding one. The
 * file must be a regular file (or a link to one; a FIFO is an error, never a
 * wait) of at most 16 MiB. *config (NUL-terminated, *len bytes; free it with
 * nninit_hf_free) is the text as read: nninit_hf_is_config says whether it is
 * a config. NNINIT_E_IO (naming the file), NNINIT_E_NOMEM, NNINIT_E_NULL; on
 * error *config and *len are unchanged. */
NNINIT_API nninit_status nninit_hf_read_config(const char *path, char **config, size_t *len, char *msg,
                                               size_t msg_size);
/* The known model types, comma-separated ("llama, mistral, ..."). */
NNINIT_API const char *nninit_hf_model_types(void);

/* =========================================================================
 * 5. Graphs and data-dependent initialization
 * ========================================================================= */

/* ---- graphs ------------------------------------------------------------------
 * A model spec's optional "graph" is its forward pass: a JSON array of ops in
 * execution order naming the spec's tensors, with PyTorch's semantics and
 * parameter names, NCHW activations, computed in binary32 whatever the
 * tensors' dtype (docs/GRAPHS.md has the op table):
 *   input (shape), linear, conv2d, relu, leaky_relu, tanh, sigmoid, gelu, silu,
 *   selu, identity, dropout, maxpool2d, avgpool2d, global_avgpool, flatten,
 *   batchnorm, layernorm, residual (body, shortcut).
 * A batch is (N, F) or (N, C, H, W). Linear and conv2d ops are the graph's
 * layers, numbered in execution order: what the algorithms below initialize.
 *
 * Runs are deterministic: the result of every call below is a pure function
 * of the tensors, the batch and the options other than the thread count, on
 * one build and CPU. Work is cut into units by shape alone, reductions are
 * summed in a fixed order in binary64, and OpenBLAS's gemm (whose last bits
 * depend on its own thread count) is called on one thread per unit: while a
 * call runs, the process's OpenBLAS thread count is set to 1 and restored
 * afterwards (other threads' OpenBLAS calls in that time run on one thread). */
typedef struct nninit_graph nninit_graph;

/* Parses and validates the model's graph against its tensors: op names,
 * fields and their values, the tensors each op names (present, used once,
 * of the right rank), and the shapes along the graph as far as they are
 * known without a batch (a conv's in-channels and groups against the incoming
 * activation, a linear's in-features after flatten, the two branches of a
 * residual; with an "input" op, everything). Also checks the model's
 * "data_init", if any (nninit_data_init_parse). Errors name the op by its
 * index path ("graph op 5.body.0 (conv2d): field \"weight\": ..."):
 * NNINIT_E_FORMAT for the structure and NNINIT_E_SHAPE for shapes; a model
 * without a graph is NNINIT_E_FORMAT. The graph refers to the model, which
 * must outlive it; tensors are read with the dtypes the model has at each
 * call. */
NNINIT_API nninit_status nninit_graph_create(const nninit_model *model, nninit_graph **out, char *msg,
                                             size_t msg_size);
NNINIT_API void nninit_graph_free(nninit_graph *graph);   /* NULL is allowed */
/* Number of ops, nested ones included (0 for NULL). */
NNINIT_API size_t nninit_graph_op_count(const nninit_graph *graph);
/* Number of layers (linear and conv2d ops; 0 for NULL). */
NNINIT_API size_t nninit_graph_layer_count(const nninit_graph *graph);

typedef struct nninit_graph_op {
    const char *path;    /* index path: "3", "5.body.0", "5.shortcut.1" */
    const char *op;      /* "conv2d", "relu", ... */
    long weight, bias;   /* model tensor indices, -1 if none */
    long layer;          /* index among the layers, -1 for other ops */
    int depth;           /* nesting depth in residuals: 0 at the top level */
} nninit_graph_op;
/* Op i in execution order: a residual comes after its body and shortcut ops.
 * Strings stay valid until the graph is freed. NNINIT_E_PARAM for i out of
 * range. */
NNINIT_API nninit_status nninit_graph_op_info(const nninit_graph *graph, size_t i, nninit_graph_op *out);
/* Index (in execution order) of the op of layer i, or -1 for i out of range. */
NNINIT_API long nninit_graph_layer_op(const nninit_graph *graph, size_t layer);
/* The shape of one sample the graph takes: an "input" op's, else what the
 * first ops fix (a first linear's in-features); sizes the graph leaves open
 * are -1, *ndim is 0 when even the rank is open. */
NNINIT_API nninit_status nninit_graph_input_shape(const nninit_graph *graph, int64_t shape[NNINIT_MAX_DIMS],
                                                  int *ndim);
/* The output shape for a batch of this shape, every op checked as a run
 * would (NNINIT_E_SHAPE, NNINIT_E_DATA for an empty batch). */
NNINIT_API nninit_status nninit_graph_output_shape(const nninit_graph *graph, const int64_t *batch_shape,
                                                   int batch_ndim, int64_t out_shape[NNINIT_MAX_DIMS], int *out_ndim,
                                                   char *msg, size_t msg_size);

/* In the calls below, tensors is the model's tensor array as for
 * nninit_model_init (count pointers, tensor i in its dtype, naturally
 * aligned; only the graph's tensors are read) and batch holds the data: f32,
 * f64, bf16 or f16 (converted to binary32, rounded once), shaped like the
 * graph's input, finite, N >= 1. The name is not used. opt (may be NULL):
 * threads; progress (data init: tensors_* count layers, bytes_* are 0);
 * cancel, polled between ops (NNINIT_E_CANCELED, nothing written). One
 * workspace is allocated per call. Errors: NNINIT_E_DTYPE (batch dtype),
 * NNINIT_E_SHAPE (batch shape; the message names the op that rejects it),
 * NNINIT_E_DATA (empty batch, NaN/inf in it or in an op's output, a
 * batchnorm channel with a single value), NNINIT_E_NOMEM. */

/* Runs the batch through the graph into out: the last op's output, f32,
 * row-major; count must be its element count (nninit_graph_output_shape),
 * else NNINIT_E_SHAPE. */
NNINIT_API nninit_status nninit_graph_forward(const nninit_graph *graph, const void *const *tensors,
                                              const nninit_tensor *batch, const nninit_run_options *opt, float *out,
                                              size_t count, char *msg, size_t msg_size);

/* ---- the signal-propagation probe ---------------------------------------------- */
typedef struct nninit_probe_row {
    const char *path, *op;   /* as nninit_graph_op */
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS];   /* the op's output shape */
    double mean, std;        /* of every element of the op's output on the batch (population std) */
    double min, max;
    double zero_fraction;    /* fraction of elements exactly 0 (after a relu: the dead units) */
} nninit_probe_row;

/* Runs the batch through the graph and describes every op's output:
 * rows[i] for op i in execution order (nninit_graph_op_count rows). On
 * failure rows are untouched. */
NNINIT_API nninit_status nninit_graph_probe(const nninit_graph *graph, const void *const *tensors,
                                            const nninit_tensor *batch, const nninit_run_options *opt,
                                            nninit_probe_row *rows, char *msg, size_t msg_size);

/* ---- data-dependent algorithms ---------------------------------------------------
 * Named by spec strings like the schemes (docs/GRAPHS.md):
 *   lsuv(tol=0.1, max_iter=10, target_var=1)   layer-sequential unit variance
 *       (Mishkin & Matas 2015): for each layer in order, run the batch to its
 *       output and divide its weight by sqrt(var / target_var) until
 *       |var - target_var| <= tol or max_iter divisions were made; var is the
 *       population variance of every element of the output. Biases untouched.
 *   batch_stats(mean=0, std=1)   per output channel, scale the channel's
 *       weights and set its bias so that the channel's output over the batch
 *       has exactly that mean and std (Kraehenbuehl et al. 2015, "within-layer";
 *       the data-dependent init of weight normalization and Glow's actnorm).
 *       A layer without a bias gets the scale only.
 * A layer (lsuv) or channel (batch_stats) whose output std is below
 * NNINIT_DEAD_STD_RATIO times the target std is dead: left unchanged and
 * reported, never scaled up by orders of magnitude. */
#define NNINIT_DEAD_STD_RATIO 1e-4

typedef enum { NNINIT_DATA_LSUV = 0, NNINIT_DATA_BATCH_STATS = 1 } nninit_data_init_kind;

typedef struct nninit_data_init {
    nninit_data_init_kind kind;
    double tol;          /* lsuv: >= 0 */
    int max_iter;        /* lsuv: >= 0 (0 measures and changes nothing) */
    double target_var;   /* lsuv: > 0 */
    double mean;         /* batch_stats: finite */
    double std;          /* batch_stats: > 0 */
} nninit_data_init;

/* The algorithm with every parameter at its default (an unknown kind gives lsuv's). */
NNINIT_API nninit_data_init nninit_data_init_default(nninit_data_init_kind kind);
/* Parses "lsuv(tol=0.05)", "batch_stats", ... (the init spec grammar of
 * docs/SCHEMES.md: numbers, sqrt(x)). NNINIT_E_SPEC for syntax errors,
 * unknown names and parameters; NNINIT_E_PARAM for values out of range; msg
 * says where. *out untouched on failure. */
NNINIT_API nninit_status nninit_data_init_parse(const char *spec, nninit_data_init *out, char *msg, size_t msg_size);
/* Writes the algorithm with every parameter as a spec string that parses back
 * to it; returns the length it needs (like snprintf), 0 for an invalid one. */
NNINIT_API size_t nninit_data_init_format(const nninit_data_init *algo, char *buf, size_t buf_size);

typedef enum {
    NNINIT_LAYER_DONE = 0,          /* lsuv: variance within tol; batch_stats: every live channel set */
    NNINIT_LAYER_NOT_CONVERGED = 1, /* lsuv: max_iter divisions made, still outside tol (they are kept) */
    NNINIT_LAYER_DEAD = 2,          /* output (every channel's) std below the floor: left unchanged */
    NNINIT_LAYER_NO_BIAS = 3        /* batch_stats, a layer without a bias: std set, mean not */
} nninit_layer_outcome;

typedef struct nninit_layer_report {
    const char *name;           /* graph: the weight tensor's name; engine: names[i] or NULL */
    const char *path;           /* graph: the op's index path; engine: NULL */
    size_t channels;            /* output channels */
    double mean_before, std_before;   /* the layer's whole output on the batch, before */
    double mean_after, std_after;     /* ... and after (equal to before when unchanged) */
    int iterations;             /* lsuv: divisions made; batch_stats: 1, or 0 when unchanged */
    double scale_min, scale_max;      /* the factors the output channels' weights were multiplied by */
    size_t dead_channels;       /* batch_stats: channels left unchanged (dead) */
    nninit_layer_outcome outcome;
} nninit_layer_report;

/* Runs the algorithm on the graph's layers with the model's tensors in
 * `tensors`, already initialized by the spec (nninit_model_init): each
 * layer's output comes from the graph's executor, which keeps every op's
 * input, so an iteration re-runs that one layer, not the network before it.
 * The algorithm works on binary32 copies; at the end each changed tensor
 * receives its stored value times the layer's factor (and batch_stats'
 * bias), computed in binary64 and rounded once to the tensor's dtype, the
 * values the algorithm measured with (bf16/f16 weights are measured after
 * that rounding). report (may be NULL): nninit_graph_layer_count entries.
 * On failure the tensors and report are untouched. Errors as above, and
 * NNINIT_E_DATA for an output with fewer than 2 elements (lsuv) or a channel
 * with fewer than 2 values (batch_stats). */
NNINIT_API nninit_status nninit_graph_data_init(const nninit_graph *graph, const nninit_data_init *algo,
                                                void *const *tensors, const nninit_tensor *batch,
                                                const nninit_run_options *opt, nninit_layer_report *report,
                                                char *msg, size_t msg_size);

/* ---- the same algorithms on a caller's forward pass --------------------------------
 * For an engine that runs its own forward pass: nninit decides, the engine
 * computes. The engine owns the model and the data; nninit asks for a
 * layer's output on the batch and tells the engine how to rescale. */
typedef struct nninit_layer_output {
    const float *data;                /* every element of the layer's output on the batch, row-major */
    int ndim;                         /* 1..NNINIT_MAX_DIMS */
    int64_t shape[NNINIT_MAX_DIMS];
    int channel_axis;                 /* the output channels' axis: 1 for NCHW, ndim - 1 for (N, F) or NHWC */
} nninit_layer_output;

typedef struct nninit_engine {
    size_t layers;                    /* the layers to initialize, in execution order */
    /* Runs the batch with the current weights to layer `layer`'s output (before
     * whatever follows it: activation, normalization) and describes it in
     * *out; out->data must stay valid until the next call. Layers are asked
     * for in order 0, 1, ..., each one or more times in a row, so an engine
     * that keeps the layer's input need only re-run the layer. Returns 0, or
     * non-zero to stop (NNINIT_E_CALLBACK). */
    int (*forward)(void *ctx, size_t layer, nninit_layer_output *out);
    /* Rescales layer `layer`'s output channels: channel c's weights times
     * scale[c]; when shift is not NULL, bias[c] = bias[c] * scale[c] +
     * shift[c] (so the channel's output becomes output * scale + shift).
     * shift is NULL for lsuv and for layers without a bias. channels is the
     * size of the last output's channel axis. Returns 0, or non-zero to stop. */
    int (*update)(void *ctx, size_t layer, const double *scale, const double *shift, size_t channels);
    void *ctx;
    const unsigned char *has_bias;    /* NULL: every layer has a bias; else has_bias[i] != 0 if layer i has */
    const char *const *names;         /* NULL, or `layers` names for the report and messages */
} nninit_engine;

/* Runs the algorithm through the engine's callbacks: one forward per
 * iteration of a layer, one update per change (lsuv: the same factor for
 * every channel). report (may be NULL) has engine->layers entries. Errors:
 * NNINIT_E_NULL, NNINIT_E_PARAM (an algorithm out of range), NNINIT_E_SHAPE
 * (an output description that is not one: bad ndim or channel axis, a
 * channel count that changed), NNINIT_E_DATA, NNINIT_E_CALLBACK. Updates
 * made before a failure stay made: the engine owns the weights. */
NNINIT_API nninit_status nninit_engine_data_init(const nninit_engine *engine, const nninit_data_init *algo,
                                                 nninit_layer_report *report, char *msg, size_t msg_size);

/* ---- did you mean ----------------------------------------------------------- */
/* "Did you mean": the name among candidates[0..n_candidates) that a mistyped
 * word was most likely meant to be, for messages such as "unknown command
 * 'fil' (did you mean 'fill'?)". The candidate at the smallest optimal string
 * alignment distance from word (insertions, deletions, substitutions and
 * swaps of adjacent characters; ASCII letters compared case-insensitively),
 * if that distance is at most max(3, strlen(word)) / 3, below strlen(word),
 * and no other candidate is as close; else NULL (also for a NULL or empty
 * word, or a word or candidate over 64 bytes). NULL candidates are skipped.
 * The returned pointer is one of candidates. The spec parsers use it for
 * scheme, parameter and value names; the nninit program for commands and
 * options. */
NNINIT_API const char *nninit_suggest(const char *word, const char *const *candidates, size_t n_candidates);
#endif /* NNINIT_UNSTABLE_API */

#ifdef __cplusplus
}
#endif
#endif /* NNINIT_H */
