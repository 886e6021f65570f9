/* src/engine/: what the layers above (schemes, model, graph) may use of the
 * engine (docs/ARCHITECTURE.md): the validated fill, the OpenMP drivers, and
 * the kernel table. The engine itself uses src/common/ and kernels/ only. */
#ifndef NNINIT_ENGINE_H
#define NNINIT_ENGINE_H

#include "../common/common.h"
#include "kernels.h"

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

/* ---- the OpenMP drivers (fill.c: the only file with OpenMP pragmas) ----------- */

/* fn(ctx, i) for every i in [0, n), spread over the OpenMP team when
 * n >= min_parallel and the caller is not already in a parallel region. The
 * order of calls is unspecified; fn must be independent per i. */
void nninit_parallel_for_(size_t n, size_t min_parallel, void (*fn)(void *ctx, size_t i), void *ctx);

/* fn(ctx, i) for every i in [0, n) on `threads` OpenMP threads (0: the
 * default), dynamically scheduled; fills called by fn run on the calling
 * thread. */
void nninit_parallel_units_(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);

/* fn(ctx, i) for every i in [0, n) on `threads` OpenMP threads (0: the
 * default), each thread taking the next i from one atomic counter: when a
 * call for i starts, every i' < i has been handed out already, so fn may
 * wait for earlier indices to make progress (the streaming writer's window)
 * without deadlock. Fills called by fn run on the calling thread. */
void nninit_parallel_ordered_(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);

/* fn(ctx) with fills inside it using `threads` threads (0: the default). */
void nninit_with_threads_(int threads, void (*fn)(void *ctx), void *ctx);

/* The team nninit_parallel_slots_ runs on for `threads` (0: the OpenMP
 * default): 1 inside the caller's parallel region. */
int nninit_team_size_(int threads);
/* fn(ctx, i, slot) for every i in [0, n) on nninit_team_size_(threads)
 * threads, dynamically scheduled; slot (0 <= slot < the team size) is the
 * calling thread's number, for per-thread scratch. The graph executor's one
 * driver: its units are cut by shape, so which thread runs one never
 * changes a result. */
void nninit_parallel_slots_(size_t n, int threads, void (*fn)(void *ctx, size_t i, int slot), void *ctx);

#endif
