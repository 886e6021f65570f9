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

#endif
