/* Hidden helpers shared by src/ files. Nothing here is exported. */
#ifndef NNINIT_INTERNAL_H
#define NNINIT_INTERNAL_H

#include "nninit.h"
#include "kernels.h"

/* zstd-style one-line checks: each fallible step stays one line. */
#define RETURN_ERROR_IF(cond, err) do { if (cond) return (err); } while (0)
#define FORWARD_IF_ERROR(expr) do { nninit_status s_ = (expr); if (s_ != NNINIT_OK) return s_; } while (0)

/* dispatch.c: the kernel table in use (resolved once, thread-safely). */
const nnk_table *nninit_kernels_(void);

/* params.c: validate user parameters and build the kernel's parameter block.
 * On failure nothing is written anywhere. */
nninit_status nninit_params_uniform_(nnk_params *p, nninit_dtype dtype, double low, double high);
nninit_status nninit_params_normal_(nnk_params *p, nninit_dtype dtype, double mean, double std);
nninit_status nninit_params_trunc_(nnk_params *p, nninit_dtype dtype, double mean, double std,
                                   double low, double high);
/* fill.c: run a validated fill over [offset, offset + n) with OpenMP. The
 * caller has already checked dtype (p was built for it). */
nninit_status nninit_run_fill_(void *dst, nninit_dtype dtype, size_t n, nnk_params *p,
                               nninit_rng rng, uint64_t offset);


/* fill.c: calls fn(ctx, i) for every i in [0, n), spread over the OpenMP team
 * when n >= min_parallel and the caller is not already in a parallel region.
 * The order of calls is unspecified; fn must be independent per i. */
void nninit_parallel_for_(size_t n, size_t min_parallel, void (*fn)(void *ctx, size_t i), void *ctx);

/* fill.c: value rounded to the dtype (nearest even) and stored at dst[index]. */
void nninit_store_(void *dst, nninit_dtype dtype, size_t index, double value);

/* orthogonal.c: the orthogonal scheme on the row-major rows x cols view of
 * dst (docs/CONTRACT.md, "Orthogonal"): gain * Q of a Gaussian matrix drawn
 * with (rng, offset 0). rows, cols >= 1, rows * cols fits size_t. On failure
 * (NNINIT_E_NOMEM, NNINIT_E_LAPACK, NNINIT_E_OVERFLOW for sizes LAPACK's int
 * cannot index) dst is untouched. */
nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng);

/* Formats a message into msg (if msg_size > 0) and returns status: the one
 * way src/ files explain a failure. */
nninit_status nninit_fail_(nninit_status status, char *msg, size_t msg_size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
