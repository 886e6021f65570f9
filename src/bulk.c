/* Whole-model initialization: the scheduler that spreads every tensor of a
 * model over one team of threads, the arena, and loading from a checkpoint
 * (docs/DESIGN.md, "Bulk initialization"). */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "internal.h"
#include "scalar/vec_scalar.h"

/* Work unit: this many elements. Large enough that handing one out (an atomic
 * increment) is noise next to filling it (~1 ms for 4 MiB of f32), small
 * enough that 2-3 threads finish within one unit of each other on models of a
 * few hundred MiB. A multiple of 2048 elements (the fill driver's split), so a
 * unit boundary inside a tensor is a whole number of kernel chunks and, in an
 * arena, of 4 KiB pages: no two threads write one cache line or fault one page. */
#define UNIT_ELEMS ((size_t)1 << 20)

/* Progress reports at most this often (the end is always reported). */
#define PROGRESS_NS 100000000ll

/* Arena: tensors of at least this many bytes start on a page, the rest on a
 * cache line. Page starts keep each large tensor's units on pages of their
 * own; the padding costs below 0.4% of such a tensor. */
#define ARENA_PAGE_MIN ((size_t)1 << 20)
#define ARENA_PAGE ((size_t)4096)
#define ARENA_LINE ((size_t)64)
#define HUGE_PAGE ((size_t)2 << 20)

/* ---- jobs ------------------------------------------------------------------ */
enum { JOB_SKIP = 0, JOB_FILL, JOB_COPY, JOB_STRUCTURED };

typedef struct {
    int kind;
    nninit_model_tensor t;
    nninit_plan plan;
    unsigned char *dst;
    const unsigned char *src;    /* JOB_COPY: checkpoint data */
    nninit_dtype src_dtype;
    long ckpt_index;             /* JOB_COPY: its index in the checkpoint */
    atomic_size_t pieces_left;   /* tensor done when it reaches 0 */
} job;

typedef struct { size_t tensor; size_t begin, n; } piece;

typedef struct {
    job *jobs;
    size_t njobs;
    piece *pieces;
    size_t *unit_start;          /* unit u is pieces [unit_start[u], unit_start[u + 1]) */
    size_t nunits;
    const nninit_run_options *opt;
    atomic_size_t tensors_done;
    atomic_uint_least64_t bytes_done;
    atomic_flag reporting;       /* held by the one thread calling the callback */
    long long last_report_ns;    /* read and written only by the flag's holder */
    size_t tensors_total;
    uint64_t bytes_total;
    atomic_int status;           /* first failure inside the region (none expected after validation) */
} run;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void report(run *r, int final)
{
    if (!r->opt || !r->opt->progress) return;
    if (atomic_flag_test_and_set_explicit(&r->reporting, memory_order_acquire)) return;
    long long t = now_ns();
    if (final || t - r->last_report_ns >= PROGRESS_NS) {
        nninit_progress p;
        p.tensors_done = atomic_load(&r->tensors_done);
        p.tensors_total = r->tensors_total;
        p.bytes_done = atomic_load(&r->bytes_done);
        p.bytes_total = r->bytes_total;
        r->last_report_ns = t;
        r->opt->progress(r->opt->progress_ctx, &p);
    }
    atomic_flag_clear_explicit(&r->reporting, memory_order_release);
}

/* ---- conversions (checkpoint -> tensor dtype) ---------------------------------
 * 16-bit results are rounded to nearest even from the exact source value; NaN
 * stays NaN, infinities stay infinite. */
static uint16_t bf16_from_f32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40u);   /* quiet NaN */
    return vh_from_f_bf16(f);
}
static uint16_t f16_from_f32(float f) { return vh_from_f_f16(f); }

/* binary64 -> binary32 rounded to odd: a later rounding to a 16-bit format
 * (at most 11 significant bits, 24 >= 11 + 2) then equals one direct rounding
 * of the binary64 value (Boldo & Melquiond, "Emulation of FMA and correctly
 * rounded sums: proved algorithms using rounding to odd", 2008). */
static float f32_odd_from_f64(double d)
{
    float f = (float)d;
    if (d != d || (double)f == d) return f;
    uint32_t u;
    memcpy(&u, &f, 4);
    if (fabs((double)f) > fabs(d)) u -= 1;   /* rounded away from zero (or to inf): step back */
    u |= 1;
    memcpy(&f, &u, 4);
    return f;
}

static double load_elem(const unsigned char *s, nninit_dtype dt, size_t i, float *f32)
{
    /* Returns the value in binary64; *f32 is the same value in binary32 when
     * the source is a 32-bit-or-narrower format (exact). */
    switch (dt) {
    case NNINIT_F64: { double d; memcpy(&d, s + i * 8, 8); return d; }
    case NNINIT_F32: memcpy(f32, s + i * 4, 4); return *f32;
    case NNINIT_BF16: { uint16_t h; memcpy(&h, s + i * 2, 2); *f32 = vf_from_vh_bf16(h); return *f32; }
    default: { uint16_t h; memcpy(&h, s + i * 2, 2); *f32 = vf_from_vh_f16(h); return *f32; }
    }
}

static void convert(unsigned char *d, nninit_dtype dd, const unsigned char *s, nninit_dtype sd, size_t n)
{
    if (dd == sd) { memcpy(d, s, n * nninit_dtype_size(dd)); return; }
    for (size_t i = 0; i < n; i++) {
        float f = 0;
        double v = load_elem(s, sd, i, &f);
        if (sd == NNINIT_F64 && dd != NNINIT_F64) f = dd == NNINIT_F32 ? (float)v : f32_odd_from_f64(v);
        switch (dd) {
        case NNINIT_F64: memcpy(d + i * 8, &v, 8); break;
        case NNINIT_F32: memcpy(d + i * 4, &f, 4); break;
        case NNINIT_BF16: { uint16_t h = bf16_from_f32(f); memcpy(d + i * 2, &h, 2); break; }
        default: { uint16_t h = f16_from_f32(f); memcpy(d + i * 2, &h, 2); break; }
        }
    }
}

/* ---- the units --------------------------------------------------------------- */
static nninit_status run_piece(const job *j, const piece *p)
{
    const size_t esz = nninit_dtype_size(j->t.dtype);
    unsigned char *d = j->dst + p->begin * esz;
    const nninit_plan *pl = &j->plan;
    const nninit_dtype dt = j->t.dtype;
    switch (j->kind) {
    case JOB_COPY:
        convert(d, dt, j->src + p->begin * nninit_dtype_size(j->src_dtype), j->src_dtype, p->n);
        return NNINIT_OK;
    case JOB_FILL: return nninit_plan_fill_(d, dt, p->n, pl, j->t.rng, p->begin);
    default: return NNINIT_OK;
    }
}

static void run_unit(void *ctx, size_t u)
{
    run *r = (run *)ctx;
    uint64_t bytes = 0;
    size_t done = 0;
    for (size_t k = r->unit_start[u]; k < r->unit_start[u + 1]; k++) {
        const piece *p = &r->pieces[k];
        job *j = &r->jobs[p->tensor];
        nninit_status st = run_piece(j, p);
        if (st != NNINIT_OK) {
            int ok = NNINIT_OK;
            atomic_compare_exchange_strong(&r->status, &ok, (int)st);
        }
        bytes += (uint64_t)p->n * nninit_dtype_size(j->t.dtype);
        if (atomic_fetch_sub(&j->pieces_left, 1) == 1) done++;
    }
    atomic_fetch_add(&r->bytes_done, bytes);
    if (done) atomic_fetch_add(&r->tensors_done, done);
    report(r, 0);
}

/* Cuts every JOB_FILL / JOB_COPY tensor into pieces of at most UNIT_ELEMS
 * elements and groups consecutive pieces into units of at most UNIT_ELEMS in
 * total: a large tensor gives one unit per piece, small ones share units. */
static nninit_status plan_units(run *r)
{
    size_t npieces = 0;
    for (size_t i = 0; i < r->njobs; i++) {
        job *j = &r->jobs[i];
        if (j->kind != JOB_FILL && j->kind != JOB_COPY) continue;
        size_t k = (j->t.count + UNIT_ELEMS - 1) / UNIT_ELEMS;
        atomic_init(&j->pieces_left, k);
        npieces += k;
    }
    r->pieces = (piece *)malloc((npieces ? npieces : 1) * sizeof *r->pieces);
    r->unit_start = (size_t *)malloc((npieces + 1) * sizeof *r->unit_start);
    RETURN_ERROR_IF(!r->pieces || !r->unit_start, NNINIT_E_NOMEM);
    size_t k = 0, u = 0, in_unit = 0;
    for (size_t i = 0; i < r->njobs; i++) {
        job *j = &r->jobs[i];
        if (j->kind != JOB_FILL && j->kind != JOB_COPY) continue;
        for (size_t b = 0; b < j->t.count; b += UNIT_ELEMS) {
            size_t n = j->t.count - b < UNIT_ELEMS ? j->t.count - b : UNIT_ELEMS;
            if (k == 0 || in_unit + n > UNIT_ELEMS) { r->unit_start[u++] = k; in_unit = 0; }
            r->pieces[k].tensor = i; r->pieces[k].begin = b; r->pieces[k].n = n;
            in_unit += n;
            k++;
        }
    }
    r->unit_start[u] = k;
    r->nunits = u;
    return NNINIT_OK;
}

typedef struct { run *r; nninit_status st; char *msg; size_t msg_size; } structured_ctx;

/* Orthogonal first: OpenBLAS's threads then find the cores free, not taken by
 * an OpenMP team still spinning after a parallel fill. */
static void run_structured(void *ctx)
{
    structured_ctx *c = (structured_ctx *)ctx;
    run *r = c->r;
    for (int pass = 0; pass < 2 && c->st == NNINIT_OK; pass++) {
        for (size_t i = 0; i < r->njobs && c->st == NNINIT_OK; i++) {
            job *j = &r->jobs[i];
            if (j->kind != JOB_STRUCTURED || (j->plan.kind == NNINIT_PLAN_ORTHOGONAL) != (pass == 0)) continue;
            char why[256];
            nninit_status st = nninit_scheme_apply(j->dst, j->t.dtype, j->t.shape, j->t.ndim, &j->t.scheme,
                                                   j->t.rng, why, sizeof why);
            if (st != NNINIT_OK) {
                c->st = nninit_fail_(st, c->msg, c->msg_size, "tensor '%s': %s", j->t.name, why);
                return;
            }
            atomic_fetch_add(&r->bytes_done, (uint64_t)j->t.nbytes);
            atomic_fetch_add(&r->tensors_done, 1);
            report(r, 0);
        }
    }
}

/* Runs validated jobs: structured tensors, then every unit in one parallel loop. */
static nninit_status execute(run *r, char *msg, size_t msg_size)
{
    int threads = r->opt ? r->opt->threads : 0;
    atomic_init(&r->tensors_done, 0);
    atomic_init(&r->bytes_done, 0);
    atomic_flag_clear(&r->reporting);
    atomic_init(&r->status, NNINIT_OK);
    r->last_report_ns = now_ns();
    for (size_t i = 0; i < r->njobs; i++)
        if (r->jobs[i].kind == JOB_SKIP) atomic_fetch_add(&r->tensors_done, 1);

    structured_ctx c = { r, NNINIT_OK, msg, msg_size };
    nninit_with_threads_(threads, run_structured, &c);
    FORWARD_IF_ERROR(c.st);
    nninit_parallel_units_(r->nunits, threads, run_unit, r);
    nninit_status st = (nninit_status)atomic_load(&r->status);
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "%s", nninit_status_str(st));
    report(r, 1);
    if (msg && msg_size) msg[0] = '\0';
    return NNINIT_OK;
}

/* ---- validation ----------------------------------------------------------------- */
/* Fills one element into a scratch buffer: the fill's own checks of the
 * parameters against the dtype (range, probability mass), without writing
 * the caller's memory. */
static nninit_status probe_fill(const nninit_plan *pl, nninit_dtype dt, nninit_rng rng)
{
    double scratch[1];
    switch (pl->kind) {
    case NNINIT_PLAN_ORTHOGONAL: case NNINIT_PLAN_EYE: case NNINIT_PLAN_DIRAC: return NNINIT_OK;
    default: return nninit_plan_fill_(scratch, dt, 1, pl, rng, 0);
    }
}

/* Tensor i as a job initialized from its spec. */
static nninit_status prepare_init(job *j, char *msg, size_t msg_size)
{
    char why[256];
    nninit_status st = nninit_scheme_plan(&j->t.scheme, j->t.shape, j->t.ndim, &j->plan, why, sizeof why);
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "tensor '%s': %s", j->t.name, why);
    if (j->t.count == 0) { j->kind = JOB_SKIP; return NNINIT_OK; }
    st = probe_fill(&j->plan, j->t.dtype, j->t.rng);
    if (st != NNINIT_OK)
        return nninit_fail_(st, msg, msg_size, "tensor '%s': %s as %s: %s", j->t.name, j->t.init,
                            nninit_dtype_name(j->t.dtype),
                            st == NNINIT_E_PARAM ? "a parameter is out of range for this dtype" : nninit_status_str(st));
    switch (j->plan.kind) {
    case NNINIT_PLAN_CONSTANT: case NNINIT_PLAN_UNIFORM: case NNINIT_PLAN_NORMAL: case NNINIT_PLAN_TRUNC_NORMAL:
        j->kind = JOB_FILL; break;
    default: j->kind = JOB_STRUCTURED; break;
    }
    return NNINIT_OK;
}

/* Reads every tensor's description and checks its destination. */
static nninit_status prepare_run(run *r, const nninit_model *model, void *const *dst,
                                 const nninit_run_options *opt, char *msg, size_t msg_size)
{
    memset(r, 0, sizeof *r);
    RETURN_ERROR_IF(!model, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL model"));
    r->opt = opt;
    r->njobs = r->tensors_total = nninit_model_count(model);
    r->bytes_total = nninit_model_bytes(model);
    RETURN_ERROR_IF(r->njobs && !dst, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL destination array"));
    r->jobs = (job *)calloc(r->njobs ? r->njobs : 1, sizeof *r->jobs);
    RETURN_ERROR_IF(!r->jobs, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    for (size_t i = 0; i < r->njobs; i++) {
        job *j = &r->jobs[i];
        nninit_status st = nninit_model_tensor_info(model, i, &j->t);
        if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "tensor %zu: %s", i, nninit_status_str(st));
        j->dst = (unsigned char *)dst[i];
        if (j->t.nbytes > 0 && !j->dst)
            return nninit_fail_(NNINIT_E_NULL, msg, msg_size, "tensor '%s': NULL destination", j->t.name);
    }
    return NNINIT_OK;
}

static void free_run(run *r)
{
    free(r->jobs);
    free(r->pieces);
    free(r->unit_start);
}

nninit_status nninit_model_init(const nninit_model *model, void *const *dst, const nninit_run_options *opt,
                                char *msg, size_t msg_size)
{
    run r;
    nninit_status st = prepare_run(&r, model, dst, opt, msg, msg_size);
    for (size_t i = 0; st == NNINIT_OK && i < r.njobs; i++) st = prepare_init(&r.jobs[i], msg, msg_size);
    if (st == NNINIT_OK) {
        st = plan_units(&r);
        if (st != NNINIT_OK) st = nninit_fail_(st, msg, msg_size, "out of memory");
    }
    if (st == NNINIT_OK) st = execute(&r, msg, msg_size);
    free_run(&r);
    return st;
}

/* ---- pretrained weights ---------------------------------------------------------- */

/* The checkpoint tensor that provides spec tensor `name`: the first rename
 * whose new prefix `name` starts with and whose old name the checkpoint has,
 * else the same name. -1 if none; *renamed says which. */
static nninit_status find_source(const nninit_st_file *ckpt, const char *const *renames, const char *name,
                                 long *found, int *renamed, char *msg, size_t msg_size)
{
    *found = -1; *renamed = 0;
    size_t nlen = strlen(name);
    for (size_t k = 0; renames && renames[k]; k++) {
        const char *eq = strchr(renames[k], '=');
        RETURN_ERROR_IF(!eq, nninit_fail_(NNINIT_E_PARAM, msg, msg_size,
                                          "rename '%s': expected old_prefix=new_prefix", renames[k]));
        size_t olen = (size_t)(eq - renames[k]);
        const char *newp = eq + 1;
        size_t plen = strlen(newp);
        if (plen > nlen || memcmp(name, newp, plen) != 0) continue;
        char *cand = (char *)malloc(olen + (nlen - plen) + 1);
        RETURN_ERROR_IF(!cand, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
        memcpy(cand, renames[k], olen);
        memcpy(cand + olen, name + plen, nlen - plen + 1);
        long j = nninit_st_find(ckpt, cand);
        free(cand);
        if (j >= 0) { *found = j; *renamed = 1; return NNINIT_OK; }
    }
    *found = nninit_st_find(ckpt, name);
    return NNINIT_OK;
}

nninit_status nninit_model_init_from(const nninit_model *model, const nninit_st_file *ckpt,
                                     const nninit_load_options *load, void *const *dst,
                                     const nninit_run_options *opt, nninit_source *source,
                                     unsigned char *ckpt_used, char *msg, size_t msg_size)
{
    run r;
    nninit_status st = prepare_run(&r, model, dst, opt, msg, msg_size);
    if (st == NNINIT_OK && !ckpt) st = nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL checkpoint");
    nninit_source *src_of = NULL;
    if (st == NNINIT_OK && !(src_of = (nninit_source *)calloc(r.njobs ? r.njobs : 1, sizeof *src_of)))
        st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");

    for (size_t i = 0; st == NNINIT_OK && i < r.njobs; i++) {
        job *j = &r.jobs[i];
        long c;
        int renamed;
        st = find_source(ckpt, load ? load->renames : NULL, j->t.name, &c, &renamed, msg, msg_size);
        if (st != NNINIT_OK) break;
        src_of[i] = NNINIT_FROM_INIT;
        if (c >= 0) {
            nninit_tensor ct;
            st = nninit_st_tensor(ckpt, (size_t)c, &ct);
            if (st == NNINIT_E_DTYPE) {
                st = nninit_fail_(st, msg, msg_size, "tensor '%s': checkpoint tensor '%s' has a dtype nninit "
                                  "cannot read", j->t.name, ct.name ? ct.name : "?");
                break;
            }
            if (st != NNINIT_OK) {
                st = nninit_fail_(st, msg, msg_size, "tensor '%s': checkpoint tensor %ld: %s", j->t.name, c,
                                  nninit_status_str(st));
                break;
            }
            int same = ct.ndim == j->t.ndim;
            for (int d = 0; same && d < ct.ndim; d++) same = ct.shape[d] == j->t.shape[d];
            if (same) {
                if (ct.nbytes != j->t.count * nninit_dtype_size(ct.dtype) || (ct.nbytes && !ct.data)) {
                    st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "tensor '%s': checkpoint tensor '%s' "
                                      "holds %zu bytes for its shape", j->t.name, ct.name, ct.nbytes);
                    break;
                }
                src_of[i] = renamed ? NNINIT_FROM_RENAMED : NNINIT_FROM_LOADED;
                j->kind = j->t.count ? JOB_COPY : JOB_SKIP;
                j->src = (const unsigned char *)ct.data;
                j->src_dtype = ct.dtype;
                j->ckpt_index = c;
                continue;
            }
            if (!load || !load->reinit_mismatched) {
                char a[200], b[200];
                nninit_shape_str_(a, sizeof a, j->t.shape, j->t.ndim);
                nninit_shape_str_(b, sizeof b, ct.shape, ct.ndim);
                st = nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "tensor '%s': shape %s in the spec, %s in the "
                                  "checkpoint ('%s')", j->t.name, a, b, ct.name);
                break;
            }
            src_of[i] = NNINIT_FROM_MISMATCHED;
        }
        st = prepare_init(j, msg, msg_size);
    }
    if (st == NNINIT_OK) {
        st = plan_units(&r);
        if (st != NNINIT_OK) st = nninit_fail_(st, msg, msg_size, "out of memory");
    }
    if (st == NNINIT_OK) st = execute(&r, msg, msg_size);
    if (st == NNINIT_OK) {
        if (source) memcpy(source, src_of, r.njobs * sizeof *source);
        if (ckpt_used) {
            memset(ckpt_used, 0, nninit_st_count(ckpt));
            for (size_t i = 0; i < r.njobs; i++) {
                if (src_of[i] == NNINIT_FROM_LOADED || src_of[i] == NNINIT_FROM_RENAMED)
                    ckpt_used[r.jobs[i].ckpt_index] = 1;
            }
        }
    }
    free(src_of);
    free_run(&r);
    return st;
}

/* ---- arena ------------------------------------------------------------------------ */
struct nninit_arena {
    unsigned char *base;
    size_t map_bytes;
    size_t count;
    void **ptrs;
};

nninit_status nninit_arena_create(const nninit_model *model, nninit_arena **out)
{
    RETURN_ERROR_IF(!out, NNINIT_E_NULL);
    *out = NULL;
    RETURN_ERROR_IF(!model, NNINIT_E_NULL);
    nninit_arena *a = (nninit_arena *)calloc(1, sizeof *a);
    RETURN_ERROR_IF(!a, NNINIT_E_NOMEM);
    a->count = nninit_model_count(model);
    a->ptrs = (void **)calloc(a->count ? a->count : 1, sizeof *a->ptrs);
    size_t *off = (size_t *)calloc(a->count ? a->count : 1, sizeof *off);
    nninit_status st = a->ptrs && off ? NNINIT_OK : NNINIT_E_NOMEM;
    size_t total = 0;
    for (size_t i = 0; st == NNINIT_OK && i < a->count; i++) {
        nninit_model_tensor t;
        st = nninit_model_tensor_info(model, i, &t);
        if (st != NNINIT_OK) break;
        size_t align = t.nbytes >= ARENA_PAGE_MIN ? ARENA_PAGE : ARENA_LINE;
        if (total > SIZE_MAX - align || (total = (total + align - 1) & ~(align - 1)) > SIZE_MAX - t.nbytes) {
            st = NNINIT_E_OVERFLOW;
            break;
        }
        off[i] = total;
        total += t.nbytes;
    }
    if (st == NNINIT_OK && total > 0) {
        /* Map a huge page more than needed and keep a 2 MiB-aligned window, so
         * transparent huge pages can back the whole arena. */
        size_t bytes = (total + ARENA_PAGE - 1) & ~(ARENA_PAGE - 1);
        size_t slack = bytes >= HUGE_PAGE ? HUGE_PAGE : 0;
        if (bytes < total || bytes > SIZE_MAX - slack) st = NNINIT_E_OVERFLOW;
        void *m = st == NNINIT_OK ? mmap(NULL, bytes + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                         -1, 0) : MAP_FAILED;
        if (st == NNINIT_OK && m == MAP_FAILED) st = NNINIT_E_NOMEM;
        if (st == NNINIT_OK) {
            uintptr_t p = (uintptr_t)m, q = slack ? (p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1) : p;
            if (q > p) munmap(m, q - p);
            if (p + slack > q) munmap((void *)(q + bytes), p + slack - q);
            a->base = (unsigned char *)q;
            a->map_bytes = bytes;
#ifdef MADV_HUGEPAGE
            madvise(a->base, bytes, MADV_HUGEPAGE);   /* advice only: failure leaves 4 KiB pages */
#endif
        }
    }
    if (st == NNINIT_OK)
        for (size_t i = 0; i < a->count; i++) a->ptrs[i] = a->base ? a->base + off[i] : NULL;
    free(off);
    if (st != NNINIT_OK) { nninit_arena_free(a); return st; }
    *out = a;
    return NNINIT_OK;
}

void *nninit_arena_tensor(const nninit_arena *arena, size_t i)
{
    return arena && i < arena->count ? arena->ptrs[i] : NULL;
}

void *const *nninit_arena_pointers(const nninit_arena *arena)
{
    return arena ? (void *const *)arena->ptrs : NULL;
}

void nninit_arena_free(nninit_arena *arena)
{
    if (!arena) return;
    if (arena->base) munmap(arena->base, arena->map_bytes);
    free(arena->ptrs);
    free(arena);
}
