/* Streaming a model to its output (nninit_model_write, nninit_model_writer_*):
 * the filling side; io's layout.c and sink.c are the format side.
 * docs/DESIGN.md, "Streaming", has the design and its measurements.
 *
 * The output is cut into units: at most UNIT_BYTES of contiguous bytes of one
 * file, each made of pieces (an element range of one tensor: a fill, or a
 * checkpoint copy), in output order. A tensor whose scheme needs all of it at
 * once (orthogonal, sparse) is one unit of its own size. A team of threads
 * takes units in order (nninit_parallel_ordered_) and fills each into a
 * buffer; one writing thread writes the buffers in unit order, each at its
 * place (pwrite; a direct output gets them in order, which is byte order).
 * At most `nbuf` units are between being taken and being written (the
 * window), so at most nbuf buffers exist, and freed buffers are reused last
 * in, first out, so the ones in use stay in cache. Whole-tensor units take a
 * ticket in order: one such buffer exists at a time. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "model.h"

/* Unit size: large enough that a pwrite and the hand-over cost nothing next
 * to filling it (~0.3 ms), small enough that the buffers in flight stay in
 * the caches. A piece of a large tensor starts at a multiple of
 * UNIT_BYTES / element size, a multiple of the statistics block. */
#define UNIT_BYTES ((size_t)NNINIT_WRITE_UNIT_BYTES)
_Static_assert(UNIT_BYTES / 8 % NNINIT_STATS_BLOCK_ == 0, "pieces start on statistics blocks");
#define BUF_ALIGN ((size_t)64)
#define PROGRESS_NS 100000000ll

typedef struct { size_t tensor, begin, n, at; } spiece;   /* elements [begin, begin+n) at byte `at` of the unit */
typedef struct {
    size_t file;
    uint64_t offset, bytes;      /* where in the file */
    size_t first, npieces;       /* its pieces */
    int whole;                   /* one tensor, by its whole-tensor scheme */
    size_t completes;            /* tensors whose last piece is here */
} sunit;

struct nninit_model_writer {
    const nninit_model *model;
    nninit_model_write_options opt;
    nninit_write_options wopt;   /* the sink's: no_replace, cancel */
    char *path;
    nninit_sched_ *sched;
    size_t n;
    nninit_tensor *tensors;
    const char **meta;           /* the file's, plus nninit_from and nninit_from_digest (malloc'ed) */
    char from_digest[40];
    uint64_t digest;             /* nninit_model_writer_digest */
    nninit_layout_ L;
    sunit *units;
    size_t nunits;
    spiece *pieces;
    size_t npieces;
    size_t empty_tensors;        /* tensors with nothing to write */
    uint64_t *file_pos;          /* where each file starts in the output's total byte count */
    nninit_source *src_of;       /* with a checkpoint: where each tensor comes from */
    long *index;                 /* and its checkpoint tensor */
    uint64_t total_pos;
    nninit_sink_ *sink;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* ---- planning ------------------------------------------------------------------------ */
static nninit_status grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return NNINIT_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    RETURN_ERROR_IF(!q, NNINIT_E_NOMEM);
    *p = q;
    *cap = c;
    return NNINIT_OK;
}

static nninit_status plan_units(nninit_model_writer *w)
{
    size_t ucap = 0, pcap = 0;
    sunit *cur = NULL;
    for (size_t q = 0; q < w->n; q++) {
        const size_t i = w->L.order[q];
        const nninit_tensor *t = &w->tensors[i];
        const int kind = nninit_sched_kind_(w->sched, i);
        if (kind == NNINIT_JOB_SKIP_ || t->nbytes == 0) { w->empty_tensors++; continue; }
        const size_t f = w->L.file_of[i], esz = nninit_dtype_size(t->dtype), count = t->nbytes / esz;
        const uint64_t off = w->L.offset[i];
        const size_t pe = kind == NNINIT_JOB_WHOLE_ ? count : UNIT_BYTES / esz;
        for (size_t b = 0; b < count; b += pe) {
            const size_t m = count - b < pe ? count - b : pe;
            const uint64_t po = off + (uint64_t)b * esz, pb = (uint64_t)m * esz;
            if (kind == NNINIT_JOB_WHOLE_ || !cur || cur->whole || cur->file != f || cur->offset + cur->bytes != po ||
                cur->bytes + pb > UNIT_BYTES) {
                FORWARD_IF_ERROR(grow((void **)&w->units, &ucap, w->nunits + 1, sizeof *w->units));
                cur = &w->units[w->nunits++];
                *cur = (sunit){ f, po, 0, w->npieces, 0, kind == NNINIT_JOB_WHOLE_, 0 };
            }
            FORWARD_IF_ERROR(grow((void **)&w->pieces, &pcap, w->npieces + 1, sizeof *w->pieces));
            w->pieces[w->npieces++] = (spiece){ i, b, m, (size_t)(po - cur->offset) };
            cur->npieces++;
            cur->bytes += pb;
            if (b + m == count) cur->completes++;
        }
    }
    w->file_pos = (uint64_t *)calloc(w->L.nfiles ? w->L.nfiles : 1, sizeof *w->file_pos);
    RETURN_ERROR_IF(!w->file_pos, NNINIT_E_NOMEM);
    for (size_t f = 0; f < w->L.nfiles; f++) {
        w->file_pos[f] = w->total_pos;
        w->total_pos += w->L.files[f].size;
    }
    return NNINIT_OK;
}

/* Which part writes unit u: the output's bytes are cut into `parts` equal
 * ranges and a unit goes to the range holding its middle (a directory's
 * file, whole: to the range holding the file's middle). */
static int part_of(const nninit_model_writer *w, const sunit *u, int parts)
{
    const uint64_t mid = w->L.dir ? w->file_pos[u->file] + w->L.files[u->file].size / 2
                                  : w->file_pos[u->file] + u->offset + u->bytes / 2;
    const uint64_t chunk = (w->total_pos + (uint64_t)parts - 1) / (uint64_t)parts;
    const uint64_t p = chunk ? mid / chunk : 0;
    return p >= (uint64_t)parts ? parts - 1 : (int)p;
}

/* ---- the pipeline ------------------------------------------------------------------- */
typedef struct {
    nninit_model_writer *w;
    const size_t *list;          /* the units this run writes, in order */
    size_t nu, nbuf;
    pthread_mutex_t mu;
    pthread_cond_t space, ready;
    size_t written;              /* list[0 .. written) are written */
    size_t whole_written;        /* whole-tensor units written */
    size_t *ticket;              /* list position -> its whole-tensor ticket */
    unsigned char **slot;        /* window position -> filled buffer, or NULL */
    unsigned char **spare;       /* freed unit buffers (a stack) */
    size_t nspare;
    int failed;
    nninit_status st;
    char msg[1024];
    nninit_bstats_ **blocks;     /* per tensor when statistics are asked for */
    nninit_progress prog;        /* the writing thread's */
    long long last_report;
} pipeline;

/* The first failure wins; everyone waiting is woken to give up. Under mu. */
static void fail_locked(pipeline *p, nninit_status st, const char *why)
{
    if (p->failed) return;
    p->failed = 1;
    p->st = st;
    snprintf(p->msg, sizeof p->msg, "%s", why);
    pthread_cond_broadcast(&p->space);
    pthread_cond_broadcast(&p->ready);
}

/* A buffer back to the pool (under mu). */
static void give_back(pipeline *p, const sunit *u, unsigned char *buf)
{
    if (!buf) return;
    if (u->whole) free(buf);
    else p->spare[p->nspare++] = buf;
}

static nninit_status fill_pieces(pipeline *p, const sunit *u, unsigned char *buf, char *why, size_t why_size)
{
    nninit_model_writer *w = p->w;
    if (u->whole)
        return nninit_sched_whole_(w->sched, w->pieces[u->first].tensor, buf, why, why_size);
    for (size_t k = u->first; k < u->first + u->npieces; k++) {
        const spiece *pc = &w->pieces[k];
        nninit_status st = nninit_sched_piece_(w->sched, pc->tensor, pc->begin, pc->n, buf + pc->at);
        if (st == NNINIT_E_IO)   /* a copy's pread: errno is this thread's */
            return nninit_fail_(st, why, why_size, "tensor '%s': cannot read the checkpoint: %s",
                                w->tensors[pc->tensor].name, errno == ESTALE ? "the file became shorter while it "
                                "was read" : strerror(errno));
        if (st != NNINIT_OK)
            return nninit_fail_(st, why, why_size, "tensor '%s': %s", w->tensors[pc->tensor].name,
                                nninit_status_str(st));
    }
    return NNINIT_OK;
}

/* Statistics of the unit's blocks, and little-endian bytes, before it goes out. */
static void finish_pieces(pipeline *p, const sunit *u, unsigned char *buf)
{
    nninit_model_writer *w = p->w;
    for (size_t k = u->first; k < u->first + u->npieces; k++) {
        const spiece *pc = &w->pieces[k];
        const nninit_tensor *t = &w->tensors[pc->tensor];
        const size_t esz = nninit_dtype_size(t->dtype), count = t->nbytes / esz;
        if (p->blocks)
            for (size_t b = pc->begin / NNINIT_STATS_BLOCK_; b * NNINIT_STATS_BLOCK_ < pc->begin + pc->n; b++) {
                const size_t e0 = b * NNINIT_STATS_BLOCK_;
                const size_t m = count - e0 < NNINIT_STATS_BLOCK_ ? count - e0 : NNINIT_STATS_BLOCK_;
                nninit_block_stats_(buf + pc->at + (e0 - pc->begin) * esz, t->dtype, m, &p->blocks[pc->tensor][b]);
            }
        nninit_le_inplace_(buf + pc->at, pc->n * esz, esz);
    }
}

/* One unit, on a thread of the team. */
static void fill_unit(void *ctx, size_t k)
{
    pipeline *p = (pipeline *)ctx;
    nninit_model_writer *w = p->w;
    const sunit *u = &w->units[p->list[k]];
    unsigned char *buf = NULL;
    pthread_mutex_lock(&p->mu);
    while (!p->failed && (k >= p->written + p->nbuf || (u->whole && p->whole_written < p->ticket[k])))
        pthread_cond_wait(&p->space, &p->mu);
    if (!p->failed && !u->whole && p->nspare) buf = p->spare[--p->nspare];
    const int failed = p->failed;
    pthread_mutex_unlock(&p->mu);
    if (failed) return;

    nninit_status st = NNINIT_OK;
    char why[1024] = "";
    if (w->opt.cancel && *w->opt.cancel) st = nninit_fail_(NNINIT_E_CANCELED, why, sizeof why, "canceled");
    if (st == NNINIT_OK && !buf) {
        size_t size = u->whole ? (size_t)((u->bytes + BUF_ALIGN - 1) / BUF_ALIGN * BUF_ALIGN) : UNIT_BYTES;
        buf = (unsigned char *)aligned_alloc(BUF_ALIGN, size);
        if (!buf)
            st = u->whole ? nninit_fail_(NNINIT_E_NOMEM, why, sizeof why, "tensor '%s': no memory for its %.3f GB "
                                         "(its scheme needs the whole tensor at once)",
                                         w->tensors[w->pieces[u->first].tensor].name, 1e-9 * (double)u->bytes)
                          : nninit_fail_(NNINIT_E_NOMEM, why, sizeof why, "out of memory");
    }
    if (st == NNINIT_OK) st = fill_pieces(p, u, buf, why, sizeof why);
    if (st == NNINIT_OK) finish_pieces(p, u, buf);

    pthread_mutex_lock(&p->mu);
    if (st != NNINIT_OK) fail_locked(p, st, why);
    if (p->failed) give_back(p, u, buf);
    else {
        p->slot[k % p->nbuf] = buf;
        pthread_cond_signal(&p->ready);
    }
    pthread_mutex_unlock(&p->mu);
}

static void report(pipeline *p, int final)
{
    const nninit_model_write_options *o = &p->w->opt;
    if (!o->progress) return;
    long long t = now_ns();
    if (!final && t - p->last_report < PROGRESS_NS) return;
    p->last_report = t;
    o->progress(o->progress_ctx, &p->prog);
}

/* The writing thread: every unit in order, each once its buffer is filled. */
static void *write_units(void *ctx)
{
    pipeline *p = (pipeline *)ctx;
    nninit_model_writer *w = p->w;
    for (size_t k = 0; k < p->nu; k++) {
        const sunit *u = &w->units[p->list[k]];
        pthread_mutex_lock(&p->mu);
        while (!p->failed && !p->slot[k % p->nbuf]) pthread_cond_wait(&p->ready, &p->mu);
        unsigned char *buf = p->slot[k % p->nbuf];
        const int failed = p->failed;
        pthread_mutex_unlock(&p->mu);
        if (failed) break;

        int rc = 0, e = 0;
        if (w->opt.cancel && *w->opt.cancel) { rc = -1; e = ECANCELED; }
        else if (nninit_sink_write_(w->sink, u->file, u->offset, buf, (size_t)u->bytes) != 0) { rc = -1; e = errno; }

        pthread_mutex_lock(&p->mu);
        p->slot[k % p->nbuf] = NULL;
        give_back(p, u, buf);
        if (u->whole) p->whole_written++;
        if (rc == 0) p->written++;
        else if (e == ECANCELED) fail_locked(p, NNINIT_E_CANCELED, "canceled");
        else {
            char name[400], why[600];
            nninit_sink_name_(w->sink, u->file, name, sizeof name);
            snprintf(why, sizeof why, "cannot write %s: %s", name, strerror(e));
            fail_locked(p, NNINIT_E_IO, why);
        }
        pthread_cond_broadcast(&p->space);
        pthread_mutex_unlock(&p->mu);
        if (rc != 0) break;
        p->prog.bytes_done += u->bytes;
        p->prog.tensors_done += u->completes;
        report(p, 0);
    }
    return NULL;
}

static void pipeline_free(pipeline *p)
{
    for (size_t k = 0; k < p->nspare; k++) free(p->spare[k]);
    for (size_t k = 0; p->slot && k < p->nbuf; k++)
        if (p->slot[k]) free(p->slot[k]);   /* only after a failure */
    if (p->blocks)
        for (size_t i = 0; i < p->w->n; i++) free(p->blocks[i]);
    free(p->blocks);
    free(p->spare);
    free(p->slot);
    free(p->ticket);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->space);
    pthread_cond_destroy(&p->ready);
}

/* Runs units list[0 .. nu); start: the progress before the first unit. */
static nninit_status run_pipeline(nninit_model_writer *w, const size_t *list, size_t nu, const nninit_progress *start,
                                  int want_stats, char *msg, size_t msg_size)
{
    pipeline p;
    memset(&p, 0, sizeof p);
    p.w = w;
    p.prog = *start;
    p.last_report = now_ns();
    p.list = list;
    p.nu = nu;
    uint64_t mem = w->opt.memory_bytes ? w->opt.memory_bytes : NNINIT_WRITE_MEMORY_DEFAULT;
    p.nbuf = mem / UNIT_BYTES > nu ? (nu ? nu : 1) : (size_t)(mem / UNIT_BYTES);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.space, NULL);
    pthread_cond_init(&p.ready, NULL);
    p.slot = (unsigned char **)calloc(p.nbuf, sizeof *p.slot);
    p.spare = (unsigned char **)calloc(p.nbuf, sizeof *p.spare);
    p.ticket = (size_t *)calloc(nu ? nu : 1, sizeof *p.ticket);
    int ok = p.slot && p.spare && p.ticket;
    if (ok && want_stats) {
        p.blocks = (nninit_bstats_ **)calloc(w->n ? w->n : 1, sizeof *p.blocks);
        ok = p.blocks != NULL;
        for (size_t i = 0; ok && i < w->n; i++) {
            size_t nb = nninit_stats_blocks_(w->tensors[i].nbytes / nninit_dtype_size(w->tensors[i].dtype));
            if (nb && !(p.blocks[i] = (nninit_bstats_ *)calloc(nb, sizeof **p.blocks))) ok = 0;
        }
    }
    if (!ok) {
        pipeline_free(&p);
        return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    }
    for (size_t k = 0, t = 0; k < nu; k++)
        if (w->units[list[k]].whole) p.ticket[k] = t++;

    pthread_t writer;
    if (pthread_create(&writer, NULL, write_units, &p) != 0) {
        pipeline_free(&p);
        return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "cannot start the writing thread");
    }
    nninit_parallel_ordered_(nu, w->opt.threads, fill_unit, &p);
    pthread_join(writer, NULL);

    nninit_status st = p.failed ? p.st : NNINIT_OK;
    if (st != NNINIT_OK) nninit_fail_(st, msg, msg_size, "%s", p.msg);
    if (st == NNINIT_OK && want_stats)
        for (size_t i = 0; i < w->n; i++)
            nninit_stats_combine_(p.blocks[i],
                                  nninit_stats_blocks_(w->tensors[i].nbytes / nninit_dtype_size(w->tensors[i].dtype)),
                                  &w->opt.stats[i]);
    pipeline_free(&p);
    return st;
}

/* ---- the writer ------------------------------------------------------------------------ */
void nninit_model_writer_free(nninit_model_writer *w)
{
    if (!w) return;
    nninit_sink_free_(w->sink);
    nninit_layout_free_(&w->L);
    nninit_sched_free_(w->sched);
    free(w->tensors);
    free(w->units);
    free(w->pieces);
    free(w->file_pos);
    free(w->src_of);
    free(w->index);
    free(w->meta);
    free(w->path);
    free(w);
}

static nninit_status check_options(const nninit_model *model, const char *path, nninit_file_format format,
                                   const nninit_model_write_options *o, char *msg, size_t msg_size)
{
    if (!model || !path) RETURN_FAIL(NNINIT_E_NULL, "NULL model or path");
    if (format != NNINIT_FORMAT_SAFETENSORS && format != NNINIT_FORMAT_NPY_DIR)
        RETURN_FAIL(NNINIT_E_PARAM, "unknown file format %d", (int)format);
    if (o->threads < 0) RETURN_FAIL(NNINIT_E_PARAM, "threads %d: not a thread count", o->threads);
    if (o->memory_bytes && o->memory_bytes < 2 * (uint64_t)UNIT_BYTES)
        RETURN_FAIL(NNINIT_E_PARAM, "memory %llu bytes: the buffers need at least %llu (two of %llu)",
             (unsigned long long)o->memory_bytes, 2ull * UNIT_BYTES, (unsigned long long)UNIT_BYTES);
    if (o->max_shard_bytes && format != NNINIT_FORMAT_SAFETENSORS)
        RETURN_FAIL(NNINIT_E_PARAM, "a maximum shard size applies to safetensors output only");
    if (o->max_shard_bytes && strcmp(path, "-") == 0)
        RETURN_FAIL(NNINIT_E_PARAM, "sharded output is a directory; '-' (standard output) is not one");
    if (o->max_shard_bytes) FORWARD_IF_ERROR(nninit_shard_dir_name_check_(path, msg, msg_size));
    if (format == NNINIT_FORMAT_NPY_DIR && strcmp(path, "-") == 0)
        RETURN_FAIL(NNINIT_E_PARAM, "npy output is a directory; '-' (standard output) is not one");
    if ((o->load || o->source || o->ckpt_used) && !o->ckpt)
        RETURN_FAIL(NNINIT_E_PARAM, "load options, source or ckpt_used without a checkpoint");
    if (o->config_json && format == NNINIT_FORMAT_SAFETENSORS && !o->max_shard_bytes)
        RETURN_FAIL(NNINIT_E_PARAM, "config.json goes into a directory output (sharded or npy), not one file");
    return NNINIT_OK;
}

/* The plan in 64 bits: the path, every file's name, size and head (headers
 * and indexes hold the canonical spec, seed, dtypes, shapes, offsets and the
 * checkpoint's digest), where each tensor goes and where it comes from, and
 * the load options. Two processes with the same digest write the same bytes. */
static uint64_t plan_digest(const nninit_model_writer *w)
{
    uint64_t h = nninit_hash64_(0, NNINIT_VERSION_STRING, sizeof NNINIT_VERSION_STRING);
    h = nninit_hash64_(h, w->path, strlen(w->path) + 1);
    uint64_t v[4] = { (uint64_t)w->L.dir, (uint64_t)w->L.nfiles, (uint64_t)w->n, w->opt.max_shard_bytes };
    h = nninit_hash64_(h, v, sizeof v);
    for (size_t f = 0; f < w->L.nfiles; f++) {
        const nninit_lfile_ *lf = &w->L.files[f];
        h = nninit_hash64_(h, lf->name ? lf->name : "", lf->name ? strlen(lf->name) + 1 : 1);
        uint64_t z[2] = { lf->size, lf->data_bytes };
        h = nninit_hash64_(h, z, sizeof z);
        h = nninit_hash64_(h, lf->head, lf->head_len);
    }
    for (size_t i = 0; i < w->n; i++) {
        uint64_t t[4] = { (uint64_t)w->L.file_of[i], w->L.offset[i], w->src_of ? (uint64_t)w->src_of[i] : 0,
                          w->index ? (uint64_t)w->index[i] : 0 };
        h = nninit_hash64_(h, t, sizeof t);
        h = nninit_hash64_(h, w->tensors[i].name, strlen(w->tensors[i].name) + 1);
    }
    const nninit_load_options *lo = w->opt.load;
    uint64_t l[3] = { w->opt.ckpt != NULL, lo ? (uint64_t)lo->reinit_mismatched : 0,
                      lo ? (uint64_t)lo->allow_nonfinite : 0 };
    h = nninit_hash64_(h, l, sizeof l);
    for (size_t k = 0; lo && lo->renames && lo->renames[k]; k++)
        h = nninit_hash64_(h, lo->renames[k], strlen(lo->renames[k]) + 1);
    return h;
}

/* Every tensor's source (its init or the checkpoint), then the layout and the units. */
static nninit_status prepare(nninit_model_writer *w, nninit_file_format format, char *msg, size_t msg_size)
{
    FORWARD_IF_ERROR(nninit_sched_begin_(&w->sched, w->model, NULL, NULL, msg, msg_size));
    w->n = nninit_model_count(w->model);
    w->tensors = (nninit_tensor *)calloc(w->n ? w->n : 1, sizeof *w->tensors);
    RETURN_ERROR_IF(!w->tensors, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    if (w->opt.ckpt) {
        w->src_of = (nninit_source *)calloc(w->n ? w->n : 1, sizeof *w->src_of);
        w->index = (long *)calloc(w->n ? w->n : 1, sizeof *w->index);
        RETURN_ERROR_IF(!w->src_of || !w->index, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
        uint64_t loaded;
        FORWARD_IF_ERROR(nninit_ckpt_resolve_(w->sched, w->n, w->opt.ckpt, w->opt.load, w->src_of, w->index, &loaded,
                                              msg, msg_size));
        snprintf(w->from_digest, sizeof w->from_digest, "nninit-hash64:%016llx", (unsigned long long)loaded);
    } else {
        for (size_t i = 0; i < w->n; i++) FORWARD_IF_ERROR(nninit_sched_init_(w->sched, i, msg, msg_size));
    }
    for (size_t i = 0; i < w->n; i++) {
        const nninit_model_tensor *t = nninit_sched_tensor_(w->sched, i);
        w->tensors[i] = (nninit_tensor){ .name = t->name, .dtype = t->dtype, .ndim = t->ndim, .nbytes = t->nbytes };
        memcpy(w->tensors[i].shape, t->shape, sizeof t->shape);
    }
    /* the metadata: the spec's (safetensors: after format=pt) and, when a
     * checkpoint provides tensors, which one (the spec alone no longer
     * reproduces the output) */
    w->meta = nninit_file_metadata_(nninit_model_metadata(w->model), format == NNINIT_FORMAT_SAFETENSORS, 2);
    RETURN_ERROR_IF(!w->meta, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    size_t k = 0;
    while (w->meta[k]) k++;
    if (w->opt.ckpt) {
        const char *from = nninit_st_path_(w->opt.ckpt);
        w->meta[k++] = "nninit_from";
        w->meta[k++] = from ? from : "(a memory image)";
        w->meta[k++] = "nninit_from_digest";
        w->meta[k++] = w->from_digest;
    }
    w->meta[k] = NULL;
    FORWARD_IF_ERROR(nninit_layout_plan_(&w->L, w->tensors, w->n, w->meta, format, w->opt.max_shard_bytes, msg,
                                         msg_size));
    RETURN_ERROR_IF(plan_units(w) != NNINIT_OK, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    /* config.json: a file of the layout, written by begin with the heads (no
     * unit, so the parts' byte ranges stay the tensors') */
    if (w->opt.config_json)
        FORWARD_IF_ERROR(nninit_layout_add_file_(&w->L, NNINIT_CONFIG_FILE_, w->opt.config_json,
                                                 w->opt.config_json_size, msg, msg_size));
    w->digest = plan_digest(w);
    /* everything planned: the caller's results, now that the call succeeds */
    if (w->opt.ckpt) nninit_ckpt_report_(w->n, w->opt.ckpt, w->src_of, w->index, w->opt.source, w->opt.ckpt_used);
    return NNINIT_OK;
}

nninit_status nninit_model_writer_create(const nninit_model *model, const char *path, nninit_file_format format,
                                         const nninit_model_write_options *opt, nninit_model_writer **out, char *msg,
                                         size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    if (!out) RETURN_FAIL(NNINIT_E_NULL, "NULL output handle");
    *out = NULL;
    nninit_model_write_options o;
    if (opt) o = *opt;
    else memset(&o, 0, sizeof o);
    FORWARD_IF_ERROR(check_options(model, path, format, &o, msg, msg_size));
    nninit_model_writer *w = (nninit_model_writer *)calloc(1, sizeof *w);
    if (!w) RETURN_FAIL(NNINIT_E_NOMEM, "out of memory");
    w->model = model;
    w->opt = o;
    w->wopt.no_replace = o.no_replace;
    w->wopt.cancel = o.cancel;
    w->path = strdup(path);
    nninit_status st = w->path ? prepare(w, format, msg, msg_size)
                               : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    if (st != NNINIT_OK) {
        nninit_model_writer_free(w);
        return st;
    }
    *out = w;
    return NNINIT_OK;
}

uint64_t nninit_model_writer_digest(const nninit_model_writer *w) { return w ? w->digest : 0; }

nninit_status nninit_model_writer_begin(nninit_model_writer *w, char *msg, size_t msg_size)
{
    if (!w) RETURN_FAIL(NNINIT_E_NULL, "NULL writer");
    if (w->sink) RETURN_FAIL(NNINIT_E_PARAM, "the output is open already");
    nninit_msg_clear_(msg, msg_size);
    return nninit_sink_begin_(&w->sink, &w->L, w->path, &w->wopt, msg, msg_size);
}

const char *nninit_model_writer_temp(const nninit_model_writer *w)
{
    return w && w->sink ? nninit_sink_temp_(w->sink) : NULL;   /* names an unnamed temporary (nninit-mpi) */
}

nninit_status nninit_model_writer_attach(nninit_model_writer *w, const char *temp, char *msg, size_t msg_size)
{
    if (!w || !temp) RETURN_FAIL(NNINIT_E_NULL, "NULL writer or path");
    if (w->sink) RETURN_FAIL(NNINIT_E_PARAM, "the output is open already");
    nninit_msg_clear_(msg, msg_size);
    return nninit_sink_attach_(&w->sink, &w->L, temp, &w->wopt, msg, msg_size);
}

nninit_status nninit_model_writer_run(nninit_model_writer *w, int part, int parts, char *msg, size_t msg_size)
{
    if (!w) RETURN_FAIL(NNINIT_E_NULL, "NULL writer");
    if (!w->sink) RETURN_FAIL(NNINIT_E_PARAM, "no output: call nninit_model_writer_begin or _attach first");
    if (parts < 1 || part < 0 || part >= parts) RETURN_FAIL(NNINIT_E_PARAM, "part %d of %d: not a part", part, parts);
    if (parts > 1 && !nninit_sink_seekable_(w->sink))
        RETURN_FAIL(NNINIT_E_PARAM, "standard output, a device or a FIFO is written in order, by one process");
    if (parts > 1 && w->opt.stats)
        RETURN_FAIL(NNINIT_E_PARAM, "statistics need every part's values: ask for them from a one-part run");
    size_t *list = (size_t *)malloc((w->nunits ? w->nunits : 1) * sizeof *list), nu = 0;
    if (!list) RETURN_FAIL(NNINIT_E_NOMEM, "out of memory");
    nninit_progress total = { 0, 0, 0, 0 };
    total.tensors_done = total.tensors_total = part == 0 ? w->empty_tensors : 0;   /* nothing to write: done */
    for (size_t u = 0; u < w->nunits; u++) {
        if (parts > 1 && part_of(w, &w->units[u], parts) != part) continue;
        list[nu++] = u;
        total.bytes_total += w->units[u].bytes;
        total.tensors_total += w->units[u].completes;
    }
    nninit_status st = run_pipeline(w, list, nu, &total, w->opt.stats != NULL, msg, msg_size);
    free(list);
    if (st == NNINIT_OK && nninit_sink_sync_(w->sink) != 0) {
        int e = errno;
        char name[400];
        nninit_sink_name_(w->sink, 0, name, sizeof name);
        /* the last progress report may cancel the run after every unit was written */
        st = e == ECANCELED ? nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing %s canceled", name)
                            : nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write %s: %s", name, strerror(e));
    }
    if (st == NNINIT_OK && w->opt.progress) {
        total.tensors_done = total.tensors_total;
        total.bytes_done = total.bytes_total;
        w->opt.progress(w->opt.progress_ctx, &total);
    }
    return st;
}

nninit_status nninit_model_writer_commit(nninit_model_writer *w, char *msg, size_t msg_size)
{
    if (!w) RETURN_FAIL(NNINIT_E_NULL, "NULL writer");
    if (!w->sink) RETURN_FAIL(NNINIT_E_PARAM, "no output: call nninit_model_writer_begin first");
    nninit_msg_clear_(msg, msg_size);
    return nninit_sink_commit_(w->sink, msg, msg_size);
}

nninit_status nninit_model_write(const nninit_model *model, const char *path, nninit_file_format format,
                                 const nninit_model_write_options *opt, char *msg, size_t msg_size)
{
    /* results go to the caller only if everything succeeds */
    nninit_model_write_options o;
    if (opt) o = *opt;
    else memset(&o, 0, sizeof o);
    const size_t n = nninit_model_count(model), nck = o.ckpt ? nninit_st_count(o.ckpt) : 0;
    nninit_source *source = o.source ? (nninit_source *)calloc(n ? n : 1, sizeof *source) : NULL;
    unsigned char *used = o.ckpt_used ? (unsigned char *)calloc(nck ? nck : 1, 1) : NULL;
    nninit_stats *stats = o.stats ? (nninit_stats *)calloc(n ? n : 1, sizeof *stats) : NULL;
    nninit_status st = (!o.source || source) && (!o.ckpt_used || used) && (!o.stats || stats)
                           ? NNINIT_OK : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    nninit_model_write_options mine = o;
    mine.source = source;
    mine.ckpt_used = used;
    mine.stats = stats;
    nninit_model_writer *w = NULL;
    if (st == NNINIT_OK) st = nninit_model_writer_create(model, path, format, &mine, &w, msg, msg_size);
    if (st == NNINIT_OK) st = nninit_model_writer_begin(w, msg, msg_size);
    if (st == NNINIT_OK) st = nninit_model_writer_run(w, 0, 1, msg, msg_size);
    if (st == NNINIT_OK) st = nninit_model_writer_commit(w, msg, msg_size);
    nninit_model_writer_free(w);
    if (st == NNINIT_OK) {
        if (o.source) memcpy(o.source, source, n * sizeof *source);
        if (o.ckpt_used) memcpy(o.ckpt_used, used, nck);
        if (o.stats) memcpy(o.stats, stats, n * sizeof *stats);
    }
    free(source);
    free(used);
    free(stats);
    return st;
}
