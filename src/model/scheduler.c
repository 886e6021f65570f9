/* The scheduler: spreads every tensor of a model over one team of threads
 * (docs/DESIGN.md, "Bulk initialization"). Used by nninit_model_init and
 * nninit_model_init_from (checkpoint.c). */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "model.h"

/* Work unit: this many elements. Large enough that handing one out (an atomic
 * increment) is noise next to filling it (~1 ms for 4 MiB of f32), small
 * enough that 2-3 threads finish within one unit of each other on models of a
 * few hundred MiB. A multiple of 2048 elements (the fill driver's split), so a
 * unit boundary inside a tensor is a whole number of kernel chunks and, in an
 * arena, of 4 KiB pages: no two threads write one cache line or fault one page. */
#define UNIT_ELEMS ((size_t)1 << 20)

/* Progress reports at most this often (the end is always reported). */
#define PROGRESS_NS 100000000ll

/* ---- jobs ------------------------------------------------------------------ */
enum { JOB_SKIP = NNINIT_JOB_SKIP_, JOB_FILL = NNINIT_JOB_FILL_, JOB_COPY = NNINIT_JOB_COPY_,
       JOB_STRUCTURED = NNINIT_JOB_WHOLE_ };

typedef struct {
    int kind;
    nninit_model_tensor t;
    nninit_plan plan;
    unsigned char *dst;
    const unsigned char *src;    /* JOB_COPY: source data, in ckpt */
    nninit_dtype src_dtype;
    int64_t zero_row;            /* the spec's "zero_row" (-1: none), cleared after the init */
    const nninit_st_file *ckpt;
    atomic_size_t pieces_left;   /* tensor done when it reaches 0 */
} job;

typedef struct { size_t tensor; size_t begin, n; } piece;

struct nninit_sched_ {
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
};
typedef nninit_sched_ run;

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

/* ---- the units --------------------------------------------------------------- */
/* The part of the zero row that falls in elements [begin, begin + n) of job j,
 * held at d, set to zeros (all-zero bits are +0 in every dtype). Applied to
 * any element range, so the streaming writer's pieces and the arena's units
 * give the same bytes; the draws of the other rows are untouched, since each
 * element's draw depends on its position only. */
static void clear_zero_row(const job *j, size_t begin, size_t n, unsigned char *d)
{
    if (j->zero_row < 0 || j->t.ndim < 1 || j->t.shape[0] == 0) return;
    const size_t row = j->t.count / (size_t)j->t.shape[0];
    const size_t lo = (size_t)j->zero_row * row, hi = lo + row;
    const size_t a = lo > begin ? lo : begin, b = hi < begin + n ? hi : begin + n;
    if (a < b) memset(d + (a - begin) * nninit_dtype_size(j->t.dtype), 0, (b - a) * nninit_dtype_size(j->t.dtype));
}

/* Elements [begin, begin + n) of job j into d. */
static nninit_status job_piece(const job *j, size_t begin, size_t n, unsigned char *d)
{
    const nninit_plan *pl = &j->plan;
    const nninit_dtype dt = j->t.dtype;
    nninit_status st;
    switch (j->kind) {
    case JOB_COPY: {
        /* read with pread (nninit_st_read_), never through the mapping: a
         * checkpoint truncated meanwhile fails the run instead of SIGBUS */
        const size_t ssz = nninit_dtype_size(j->src_dtype), dsz = nninit_dtype_size(dt);
        const unsigned char *src = j->src + begin * ssz;
        if (j->src_dtype == dt)
            return nninit_st_read_(j->ckpt, src, d, n * ssz) == 0 ? NNINIT_OK : NNINIT_E_IO;
        unsigned char tmp[32768];
        for (size_t k = 0; k < n;) {
            size_t m = n - k < sizeof tmp / ssz ? n - k : sizeof tmp / ssz;
            if (nninit_st_read_(j->ckpt, src + k * ssz, tmp, m * ssz) != 0) return NNINIT_E_IO;
            nninit_convert_(d + k * dsz, dt, tmp, j->src_dtype, m);
            k += m;
        }
        return NNINIT_OK;
    }
    case JOB_FILL:
        st = nninit_plan_range_(d, dt, pl, &j->t.scheme, j->t.shape, j->t.ndim, j->t.rng, begin, n);
        if (st == NNINIT_OK) clear_zero_row(j, begin, n, d);
        return st;
    default: return NNINIT_OK;
    }
}

static nninit_status run_piece(const job *j, const piece *p)
{
    return job_piece(j, p->begin, p->n, j->dst + p->begin * nninit_dtype_size(j->t.dtype));
}

static void run_unit(void *ctx, size_t u)
{
    run *r = (run *)ctx;
    const nninit_run_options *opt = r->opt;
    if (opt && opt->cancel && *opt->cancel) {
        int ok = NNINIT_OK;
        atomic_compare_exchange_strong(&r->status, &ok, (int)NNINIT_E_CANCELED);
        return;
    }
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
            if (j->kind != JOB_STRUCTURED || (nninit_plan_writer_of_(&j->plan) == NNINIT_WRITE_WHOLE_BLAS_) != (pass == 0))
                continue;
            if (r->opt && r->opt->cancel && *r->opt->cancel) {
                c->st = nninit_fail_(NNINIT_E_CANCELED, c->msg, c->msg_size, "canceled");
                return;
            }
            char why[256];
            nninit_status st = nninit_scheme_apply(j->dst, j->t.dtype, j->t.shape, j->t.ndim, &j->t.scheme,
                                                   j->t.rng, why, sizeof why);
            if (st != NNINIT_OK) {
                c->st = nninit_fail_(st, c->msg, c->msg_size, "tensor '%s': %s", j->t.name, why);
                return;
            }
            clear_zero_row(j, 0, j->t.count, j->dst);
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
    if (st == NNINIT_E_CANCELED) return nninit_fail_(st, msg, msg_size, "canceled");
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "%s", nninit_status_str(st));
    report(r, 1);
    if (msg && msg_size) msg[0] = '\0';
    return NNINIT_OK;
}

/* ---- validation ----------------------------------------------------------------- */
/* Tensor i as a job initialized from its spec. */
nninit_status nninit_sched_init_(nninit_sched_ *s, size_t i, char *msg, size_t msg_size)
{
    job *j = &s->jobs[i];
    char why[256];
    nninit_status st = nninit_scheme_plan(&j->t.scheme, j->t.shape, j->t.ndim, &j->plan, why, sizeof why);
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "tensor '%s': %s", j->t.name, why);
    if (j->t.count == 0) { j->kind = JOB_SKIP; return NNINIT_OK; }
    st = nninit_plan_probe_(&j->plan, j->t.dtype, j->t.rng);
    if (st != NNINIT_OK)
        return nninit_fail_(st, msg, msg_size, "tensor '%s': %s as %s: %s", j->t.name, j->t.init,
                            nninit_dtype_name(j->t.dtype),
                            st == NNINIT_E_PARAM ? "a parameter is out of range for this dtype" : nninit_status_str(st));
    j->kind = nninit_plan_writer_of_(&j->plan) == NNINIT_WRITE_RANGE_ ? JOB_FILL : JOB_STRUCTURED;
    return NNINIT_OK;
}

void nninit_sched_copy_(nninit_sched_ *s, size_t i, const nninit_st_file *ckpt, const void *src,
                        nninit_dtype src_dtype)
{
    job *j = &s->jobs[i];
    j->ckpt = ckpt;
    j->kind = j->t.count ? JOB_COPY : JOB_SKIP;
    j->src = (const unsigned char *)src;
    j->src_dtype = src_dtype;
}

const nninit_model_tensor *nninit_sched_tensor_(const nninit_sched_ *s, size_t i) { return &s->jobs[i].t; }

/* Reads every tensor's description and checks its destination. */
static nninit_status prepare_run(run *r, const nninit_model *model, void *const *dst,
                                 const nninit_run_options *opt, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!model, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL model"));
    r->opt = opt;
    r->njobs = r->tensors_total = nninit_model_count(model);
    r->bytes_total = nninit_model_bytes(model);
    r->jobs = (job *)calloc(r->njobs ? r->njobs : 1, sizeof *r->jobs);
    RETURN_ERROR_IF(!r->jobs, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    for (size_t i = 0; i < r->njobs; i++) {
        job *j = &r->jobs[i];
        nninit_status st = nninit_model_tensor_info(model, i, &j->t);
        if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "tensor %zu: %s", i, nninit_status_str(st));
        j->zero_row = nninit_model_zero_row_(model, i);
        if (!dst) continue;   /* streaming: pieces are asked for */
        j->dst = (unsigned char *)dst[i];
        if (j->t.nbytes > 0 && !j->dst)
            return nninit_fail_(NNINIT_E_NULL, msg, msg_size, "tensor '%s': NULL destination", j->t.name);
    }
    return NNINIT_OK;
}

void nninit_sched_free_(nninit_sched_ *r)
{
    if (!r) return;
    free(r->jobs);
    free(r->pieces);
    free(r->unit_start);
    free(r);
}

nninit_status nninit_sched_begin_(nninit_sched_ **out, const nninit_model *model, void *const *dst,
                                  const nninit_run_options *opt, char *msg, size_t msg_size)
{
    *out = NULL;
    run *r = (run *)calloc(1, sizeof *r);
    RETURN_ERROR_IF(!r, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    nninit_status st = prepare_run(r, model, dst, opt, msg, msg_size);
    if (st != NNINIT_OK) { nninit_sched_free_(r); return st; }
    *out = r;
    return NNINIT_OK;
}

nninit_status nninit_sched_run_(nninit_sched_ *r, char *msg, size_t msg_size)
{
    nninit_status st = plan_units(r);
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "out of memory");
    return execute(r, msg, msg_size);
}

int nninit_sched_kind_(const nninit_sched_ *s, size_t i) { return s->jobs[i].kind; }

nninit_status nninit_sched_piece_(const nninit_sched_ *s, size_t i, size_t begin, size_t n, void *buf)
{
    return job_piece(&s->jobs[i], begin, n, (unsigned char *)buf);
}

nninit_status nninit_sched_whole_(const nninit_sched_ *s, size_t i, void *buf, char *msg, size_t msg_size)
{
    const job *j = &s->jobs[i];
    char why[256];
    nninit_status st = nninit_scheme_apply(buf, j->t.dtype, j->t.shape, j->t.ndim, &j->t.scheme, j->t.rng, why,
                                           sizeof why);
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "tensor '%s': %s", j->t.name, why);
    clear_zero_row(j, 0, j->t.count, (unsigned char *)buf);
    return NNINIT_OK;
}

nninit_status nninit_model_init(const nninit_model *model, void *const *dst, const nninit_run_options *opt,
                                char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(nninit_model_count(model) && !dst,
                    nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL destination array"));
    nninit_sched_ *s;
    FORWARD_IF_ERROR(nninit_sched_begin_(&s, model, dst, opt, msg, msg_size));
    nninit_status st = NNINIT_OK;
    for (size_t i = 0; st == NNINIT_OK && i < s->njobs; i++) st = nninit_sched_init_(s, i, msg, msg_size);
    if (st == NNINIT_OK) st = nninit_sched_run_(s, msg, msg_size);
    nninit_sched_free_(s);
    return st;
}
