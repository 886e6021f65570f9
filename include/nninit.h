/*
 * nninit -- fast, reproducible initialization of neural-network weights.
 *
 * The whole public API. Every random value the library produces is a pure
 * function of (seed, stream, element index): see docs/CONTRACT.md for the
 * exact mapping, which is versioned with the library.
 *
 * Conventions
 *  - Every fallible call returns an nninit_status; NNINIT_OK is 0.
 *  - A call that fails leaves the destination buffer untouched.
 *  - The library never aborts, never prints, keeps no global error state and
 *    may be called from many threads at once, including from inside the
 *    caller's own OpenMP parallel region.
 */
#ifndef NNINIT_H
#define NNINIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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
#define NNINIT_CONTRACT_VERSION 1

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
    NNINIT_E_NOMEM = 7        /* memory could not be allocated */
} nninit_status;

/* Short, static, human-readable description of a status ("unknown status"
 * for values outside the enum). Never NULL. */
NNINIT_API const char *nninit_status_str(nninit_status status);

/* ---- types ------------------------------------------------------------ */
typedef enum {
    NNINIT_F32 = 0,   /* IEEE binary32 */
    NNINIT_F64 = 1,   /* IEEE binary64 */
    NNINIT_BF16 = 2,  /* bfloat16: the high 16 bits of a binary32 */
    NNINIT_F16 = 3    /* IEEE binary16 */
} nninit_dtype;

/* Size of one element in bytes, 0 for an unknown dtype. */
NNINIT_API size_t nninit_dtype_size(nninit_dtype dtype);
/* "f32", "f64", "bf16", "f16", or NULL for an unknown dtype. */
NNINIT_API const char *nninit_dtype_name(nninit_dtype dtype);

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

#ifdef __cplusplus
}
#endif
#endif /* NNINIT_H */
