/* The kernel ABI: what src/ hands a kernel, and the table each ISA exports.
 * Kernels are pure: (dst, n, first element index, parameters) -> values.
 * No OpenMP, no allocation, no state (docs/STYLE.md, habit 8). */
#ifndef NNINIT_KERNELS_H
#define NNINIT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Distributions. */
enum { NNK_UNIFORM = 0, NNK_NORMAL = 1, NNK_TRUNC = 2, NNK_NDIST = 3 };
/* Storage formats, equal to the public nninit_dtype values. */
enum { NNK_F32 = 0, NNK_F64 = 1, NNK_BF16 = 2, NNK_F16 = 3, NNK_NDTYPE = 4 };

/* Elements per counter chunk: 16 Philox counters (4 words each) give 64
 * values of the f32 family, or 32 values of f64 (two words per value). */
#define NNK_CHUNK_F32 64
#define NNK_CHUNK_F64 32

/* Parameters, already validated and converted by src/params.c.
 * f32 family (f32, bf16, f16) computes in binary32 (the fs fields), f64 in
 * binary64 (the fd fields). Meaning per distribution:
 *   uniform: a = low, b = high - low, hi = high (exclusive)
 *   normal:  a = mean, b = std
 *   trunc:   a = mean, b = std, lo/hi = absolute bounds (inclusive),
 *            pa = Phi(alpha), qb = Phi(-beta), w = Phi(beta) - Phi(alpha),
 *            ca = pa - 1/2, cb = qb - 1/2 (each to full relative precision),
 *            alpha = (low - mean) / std, beta = (high - mean) / std.
 * hi16: for bf16/f16 uniform, the largest value of the storage format that
 * is below hi; a converted value reaching hi is replaced by it. */
typedef struct nnk_fparams { float a, b, lo, hi, pa, qb, ca, cb, w; uint16_t hi16; } nnk_fparams;
typedef struct nnk_dparams { double a, b, lo, hi, pa, qb, ca, cb, w; } nnk_dparams;

typedef struct nnk_params {
    uint32_t key[2];    /* Philox key: seed low, seed high */
    uint32_t ctr_hi[2]; /* counter words 2 and 3: stream low, stream high */
    int dist;           /* NNK_UNIFORM, ... */
    int dtype;          /* NNK_F32, ... */
    int stream_stores;  /* 1: non-temporal stores where aligned (buffers beyond the LLC) */
    nnk_fparams f;
    nnk_dparams d;
} nnk_params;

/* Writes elements [first, first + n) into dst (dst[0] is element first).
 * dst needs only the natural alignment of the storage format. */
typedef void (*nnk_fill_fn)(void *dst, size_t n, uint64_t first, const nnk_params *p);

typedef struct nnk_table {
    const char *name;   /* "scalar", "avx2", "avx512", "neon" */
    nnk_fill_fn fill;
} nnk_table;

/* One table per ISA translation unit; only those compiled in exist. */
extern const nnk_table nnk_table_scalar;
extern const nnk_table nnk_table_avx2;
extern const nnk_table nnk_table_avx512;
extern const nnk_table nnk_table_neon;

#endif
