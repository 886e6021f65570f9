/* The parallel driver and the public fill functions. The only file with
 * OpenMP pragmas (docs/STYLE.md, habit 8). */
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <omp.h>
#include "engine.h"

/* Below this many bytes a fill runs on the calling thread. Measured with
 * the threshold/ benchmarks (docs/DESIGN.md): with a hot team two threads
 * already win at 16 KiB; 64 KiB keeps a margin for waking a sleeping team. */
#define PARALLEL_MIN_BYTES ((size_t)64 * 1024)

/* Thread boundaries fall on multiples of this many elements of the global
 * index: whole kernel chunks, and (for aligned buffers) whole 4 KiB pages, so
 * no two threads write one cache line. */
#define SPLIT_ELEMS ((uint64_t)2048)

/* Last-level cache size, read once; beyond it stores bypass the cache. */
static size_t llc_bytes(void)
{
    static _Atomic size_t cached;
    size_t v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!v) {
        long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
        long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        v = l3 > 0 ? (size_t)l3 : l2 > 0 ? (size_t)l2 : (size_t)32 << 20;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return v;
}

nninit_status nninit_run_fill_(void *dst, nninit_dtype dtype, size_t n, nnk_params *p,
                               nninit_rng rng, uint64_t offset)
{
    const size_t esz = nninit_dtype_size(dtype);
    RETURN_ERROR_IF(n > 0 && !dst, NNINIT_E_NULL);
    RETURN_ERROR_IF(n > SIZE_MAX / esz, NNINIT_E_OVERFLOW);
    RETURN_ERROR_IF((uint64_t)n > UINT64_MAX - offset, NNINIT_E_OVERFLOW);
    if (n == 0) return NNINIT_OK;

    p->key[0] = (uint32_t)rng.seed; p->key[1] = (uint32_t)(rng.seed >> 32);
    p->ctr_hi[0] = (uint32_t)rng.stream; p->ctr_hi[1] = (uint32_t)(rng.stream >> 32);
    const size_t bytes = n * esz;
    p->stream_stores = bytes > llc_bytes();
    const nnk_table *k = nninit_kernels_();
    unsigned char *out = (unsigned char *)dst;

    /* Inside the caller's parallel region the caller already spreads the
     * work: stay on this thread. */
    if (bytes < PARALLEL_MIN_BYTES || omp_in_parallel() || omp_get_max_threads() == 1) {
        k->fill(out, n, offset, p);
        return NNINIT_OK;
    }
    const nnk_params *cp = p;
    #pragma omp parallel
    {
        uint64_t nt = (uint64_t)omp_get_num_threads(), t = (uint64_t)omp_get_thread_num();
        /* Static partition of [offset, offset+n) in units of SPLIT_ELEMS of
         * the global index; the first and last units may be partial. Written
         * so that nothing wraps when offset + n reaches 2^64. */
        uint64_t last = offset + (n - 1);                 /* inclusive: never overflows */
        uint64_t first_unit = offset / SPLIT_ELEMS, last_unit = last / SPLIT_ELEMS;
        uint64_t units = last_unit - first_unit + 1;
        uint64_t per = units / nt, extra = units % nt;    /* the first `extra` threads get one more */
        uint64_t u0 = first_unit + per * t + (t < extra ? t : extra);
        uint64_t u1 = u0 + per + (t < extra ? 1 : 0);
        if (u0 < u1) {
            uint64_t b = u0 == first_unit ? offset : u0 * SPLIT_ELEMS;
            uint64_t e_incl = u1 - 1 == last_unit ? last : u1 * SPLIT_ELEMS - 1;
            k->fill(out + (b - offset) * esz, (size_t)(e_incl - b + 1), b, cp);
        }
    }
    return NNINIT_OK;
}

nninit_status nninit_uniform(void *dst, nninit_dtype dtype, size_t n, double low, double high,
                             nninit_rng rng, uint64_t offset)
{
    nnk_params p;
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    FORWARD_IF_ERROR(nninit_params_uniform_(&p, dtype, low, high));
    return nninit_run_fill_(dst, dtype, n, &p, rng, offset);
}

nninit_status nninit_normal(void *dst, nninit_dtype dtype, size_t n, double mean, double std,
                            nninit_rng rng, uint64_t offset)
{
    nnk_params p;
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    FORWARD_IF_ERROR(nninit_params_normal_(&p, dtype, mean, std));
    return nninit_run_fill_(dst, dtype, n, &p, rng, offset);
}

nninit_status nninit_trunc_normal(void *dst, nninit_dtype dtype, size_t n, double mean, double std,
                                  double low, double high, nninit_rng rng, uint64_t offset)
{
    nnk_params p;
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    FORWARD_IF_ERROR(nninit_params_trunc_(&p, dtype, mean, std, low, high));
    return nninit_run_fill_(dst, dtype, n, &p, rng, offset);
}

/* Replicates one element over the buffer; large buffers in parallel. */
static void replicate(unsigned char *dst, size_t n, size_t esz, const void *one)
{
    unsigned char pat[64];
    for (size_t i = 0; i < 64; i += esz) memcpy(pat + i, one, esz);
    const size_t bytes = n * esz;
    const size_t step = 64 * 1024;                  /* multiple of every element size */
    #pragma omp parallel for schedule(static) if (bytes >= PARALLEL_MIN_BYTES && !omp_in_parallel())
    for (size_t b = 0; b < bytes; b += step) {
        size_t e = b + step < bytes ? b + step : bytes;
        for (size_t i = b; i < e; i += 64) memcpy(dst + i, pat, e - i < 64 ? e - i : 64);
    }
}

nninit_status nninit_constant(void *dst, nninit_dtype dtype, size_t n, double value)
{
    size_t esz = nninit_dtype_size(dtype);
    RETURN_ERROR_IF(esz == 0, NNINIT_E_DTYPE);
    RETURN_ERROR_IF(n > 0 && !dst, NNINIT_E_NULL);
    RETURN_ERROR_IF(n > SIZE_MAX / esz, NNINIT_E_OVERFLOW);
    RETURN_ERROR_IF(!isfinite(value), NNINIT_E_PARAM);
    unsigned char one[8];
    if (dtype == NNINIT_F64) {
        memcpy(one, &value, 8);
    } else {
        RETURN_ERROR_IF(fabs(value) > FLT_MAX, NNINIT_E_PARAM);
        float f = (float)value;
        uint16_t h = nninit_half_from_f32_(dtype, f);
        RETURN_ERROR_IF(dtype == NNINIT_BF16 && (h & 0x7FFFu) == 0x7F80u, NNINIT_E_PARAM); /* overflows bf16 */
        RETURN_ERROR_IF(dtype == NNINIT_F16 && (h & 0x7FFFu) == 0x7C00u, NNINIT_E_PARAM);  /* overflows f16 */
        if (dtype == NNINIT_F32) memcpy(one, &f, 4); else memcpy(one, &h, 2);
    }
    if (n) replicate((unsigned char *)dst, n, esz, one);
    return NNINIT_OK;
}

void nninit_parallel_for_(size_t n, size_t min_parallel, void (*fn)(void *ctx, size_t i), void *ctx)
{
    #pragma omp parallel for schedule(dynamic, 1) if (n >= min_parallel && n > 1 && !omp_in_parallel())
    for (size_t i = 0; i < n; i++) fn(ctx, i);
}

/* ---- the whole-model scheduler's drivers (src/model/scheduler.c) -------------
 * Runs fn(ctx, i) for every i in [0, n) on a team of `threads` threads (0: the
 * OpenMP default), units handed out dynamically. Inside the team the nthreads
 * ICV is 1, so a fill a unit calls stays on its thread even when the team is
 * a single (inactive) thread, where omp_in_parallel() is false. Called inside
 * the caller's parallel region, the team is the calling thread alone. */
void nninit_parallel_units_(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)nt > n) nt = n > 0 ? (int)n : 1;
    #pragma omp parallel num_threads(nt) if (nt > 1 && !omp_in_parallel())
    {
        omp_set_num_threads(1);   /* the implicit task's own ICV: gone when the region ends */
        #pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) fn(ctx, i);
    }
}

/* The same team, but indices handed out in increasing order by one atomic
 * counter, which OpenMP's dynamic schedule does not promise. */
void nninit_parallel_ordered_(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)nt > n) nt = n > 0 ? (int)n : 1;
    atomic_size_t next;
    atomic_init(&next, 0);
    #pragma omp parallel num_threads(nt) if (nt > 1 && !omp_in_parallel())
    {
        omp_set_num_threads(1);
        for (size_t i; (i = atomic_fetch_add(&next, 1)) < n;) fn(ctx, i);
    }
}

/* Calls fn(ctx) with the nthreads ICV set to `threads` (0: unchanged), so the
 * fills fn makes use that many threads, without changing the caller's ICV:
 * the setting lives in the implicit task of a one-thread (inactive) region. */
void nninit_with_threads_(int threads, void (*fn)(void *ctx), void *ctx)
{
    if (threads <= 0 || omp_in_parallel()) { fn(ctx); return; }
    #pragma omp parallel num_threads(1)
    {
        omp_set_num_threads(threads);
        fn(ctx);
    }
}

/* ---- the graph executor's driver (src/graph/) ------------------------------ */
int nninit_team_size_(int threads)
{
    if (omp_in_parallel()) return 1;
    return threads > 0 ? threads : omp_get_max_threads();
}

void nninit_parallel_slots_(size_t n, int threads, void (*fn)(void *ctx, size_t i, int slot), void *ctx)
{
    int nt = nninit_team_size_(threads);
    if ((size_t)nt > n) nt = n > 0 ? (int)n : 1;
    if (nt <= 1) {
        for (size_t i = 0; i < n; i++) fn(ctx, i, 0);
        return;
    }
    #pragma omp parallel num_threads(nt)
    {
        const int slot = omp_get_thread_num();
        #pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) fn(ctx, i, slot);
    }
}
