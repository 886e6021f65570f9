/* The output every writer writes through (io.h, "sink.c"): the files of a
 * layout, created whole or not at all, by the streaming writer or from
 * memory (save.c).
 *
 * One file (safetensors): outfile.c's temporary beside the target, or the
 * target itself when rename cannot apply ("-", a device, a FIFO: then every
 * byte goes in order, and the head is written by begin). A directory (npy,
 * sharded safetensors): outdir.c's temporary directory, every file created
 * by begin with its head. Data goes in with pwrite, from one writing thread
 * at a time; each directory file is opened when first written and closed
 * when the writer moves to another (the writer goes file by file).
 *
 * Direct I/O. Through the page cache, writing costs this process (and a
 * 2-core machine) a kernel copy into freshly allocated cache pages: measured
 * 21 s of system time for 13.5 GB, more than filling them. So data bound for
 * a regular file is staged in an aligned buffer of DIRECT_BYTES and written
 * with O_DIRECT (the device reads the buffer itself); only the partial pages
 * at the edges of a contiguous run (after the head, at the end, where an MPI
 * rank's byte range starts or ends) go through the page cache. Direct and
 * cached writes never share a page. A file system that refuses O_DIRECT
 * (tmpfs) gets every byte through the page cache, as does a direct write the
 * device refuses (EINVAL: an alignment above DIRECT_ALIGN). The direct writes
 * are made by the sink's I/O thread, so the caller stages the next run while
 * one is written (dstage below). docs/DESIGN.md, "Streaming", has the
 * measurements. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"

#define DIRECT_ALIGN ((size_t)4096)
#define DIRECT_BYTES ((size_t)8 << 20)
#define DIRECT_NBUF 3

/* One staged run of a file: buf[skip, fill) holds file bytes
 * [base + skip, base + fill), base a multiple of DIRECT_ALIGN. */
typedef struct {
    int fd;                     /* the O_DIRECT descriptor */
    int plain;                  /* the cached descriptor of the same file */
    unsigned char *buf;
    uint64_t base;
    size_t skip, fill;
} drun;

/* Staging for O_DIRECT, in DIRECT_NBUF buffers used in turn: the writer
 * stages into one while the sink's I/O thread writes the runs queued in the
 * others, in order, so a write is in flight while the next run is copied in
 * (measured: the copy left the disk idle for 30% of a synchronous writer's
 * time) and the next run is queued when a write ends (the hand-over costs
 * two thread wake-ups). The thread starts with the first run; a failure is
 * kept and reported by the next flush or drain. */
typedef struct {
    int fd;                     /* O_DIRECT descriptor of the file being written, or -1 */
    int plain;                  /* the cached descriptor of the same file */
    int refused;                /* O_DIRECT failed once: the cache from now on (the I/O thread's while busy) */
    unsigned char *bufs[DIRECT_NBUF];   /* DIRECT_BYTES each, DIRECT_ALIGN-aligned (NULL until needed) */
    int cur;                    /* the buffer being staged */
    uint64_t base;
    size_t skip, fill;
    const nninit_write_options *opt;
    /* the I/O thread */
    pthread_t thread;
    int started, quit, err;     /* err: the first failure's errno, 0 if none */
    int head, queued;           /* runs[head] is being written; queued runs, that one included */
    pthread_mutex_t mu;
    pthread_cond_t wake, idle;
    drun runs[DIRECT_NBUF - 1];
} dstage;

struct nninit_sink_ {
    const nninit_layout_ *L;
    const nninit_write_options *opt;
    char *shown;                /* the output's path, for messages */
    int creator;                /* begin made the temporaries (only the creator commits) */
    nninit_outfile_ file;       /* one-file outputs */
    nninit_outdir_ dir;         /* directory outputs (creator) */
    char *dir_path;             /* the directory being written into */
    size_t cur;                 /* directory: the file open as cur_fd */
    int cur_fd;
    unsigned char *touched;     /* directory: files this process wrote */
    uint64_t pos;               /* direct output: bytes written so far */
    dstage ds;                  /* staging for O_DIRECT */
};

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

/* ---- direct I/O ---------------------------------------------------------------------- */
/* buf[a, b) of run r to its file: aligned, by O_DIRECT; the cache if the
 * device refuses. */
static int direct_put(const drun *r, int *refused, size_t a, size_t b, const nninit_write_options *opt)
{
    while (a < b) {
        if (nninit_canceled_(opt)) { errno = ECANCELED; return -1; }
        ssize_t w = pwrite(r->fd, r->buf + a, b - a, (off_t)(r->base + a));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EINVAL) {   /* stricter alignment than DIRECT_ALIGN */
            *refused = 1;
            return nninit_pwrite_all_(r->plain, r->buf + a, b - a, r->base + a, opt);
        }
        if (w < 0) return -1;
        if (w == 0) { errno = EIO; return -1; }
        a += (size_t)w;
        if (a % DIRECT_ALIGN && a < b)   /* a short write off the alignment: finish through the cache */
            return nninit_pwrite_all_(r->plain, r->buf + a, b - a, r->base + a, opt);
    }
    return 0;
}

/* Writes a run out: its whole pages directly, partial edge pages through the
 * cache. Returns 0, or -1 with errno. */
static int run_write(const drun *r, int *refused, const nninit_write_options *opt)
{
    const size_t skip = r->skip, fill = r->fill;
    const size_t lo = (skip + DIRECT_ALIGN - 1) / DIRECT_ALIGN * DIRECT_ALIGN, hi = fill / DIRECT_ALIGN * DIRECT_ALIGN;
    if (lo >= hi) return nninit_pwrite_all_(r->plain, r->buf + skip, fill - skip, r->base + skip, opt);
    int rc = skip < lo ? nninit_pwrite_all_(r->plain, r->buf + skip, lo - skip, r->base + skip, opt) : 0;
    if (rc == 0) rc = *refused ? nninit_pwrite_all_(r->plain, r->buf + lo, hi - lo, r->base + lo, opt)
                               : direct_put(r, refused, lo, hi, opt);
    if (rc == 0 && hi < fill) rc = nninit_pwrite_all_(r->plain, r->buf + hi, fill - hi, r->base + hi, opt);
    return rc;
}

static void *io_thread(void *ctx)
{
    dstage *d = (dstage *)ctx;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        while (!d->queued && !d->quit) pthread_cond_wait(&d->wake, &d->mu);
        if (!d->queued) break;
        const drun r = d->runs[d->head];
        int refused = d->refused;
        pthread_mutex_unlock(&d->mu);
        int rc = run_write(&r, &refused, d->opt), e = errno;
        pthread_mutex_lock(&d->mu);
        d->refused = refused;
        if (rc != 0 && !d->err) d->err = e ? e : EIO;
        d->head = (d->head + 1) % (DIRECT_NBUF - 1);
        d->queued--;
        pthread_cond_broadcast(&d->idle);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Waits until no run is being written. Returns 0, or -1 with the errno of
 * the first run that failed. */
static int direct_drain(dstage *d)
{
    if (!d->started) {
        if (d->err) { errno = d->err; return -1; }
        return 0;
    }
    pthread_mutex_lock(&d->mu);
    while (d->queued) pthread_cond_wait(&d->idle, &d->mu);
    const int e = d->err;
    pthread_mutex_unlock(&d->mu);
    if (e) { errno = e; return -1; }
    return 0;
}

/* Opens path for O_DIRECT beside the cached descriptor plain (-1 when the file
 * system refuses it: everything then goes through plain). No run is in
 * flight (the previous file was drained). */
static void direct_open(dstage *d, const char *path, int plain)
{
    d->plain = plain;
    d->fd = -1;
    d->skip = d->fill = 0;
    if (d->refused || d->err || !path) return;
    d->fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
    if (d->fd < 0) { d->refused = 1; return; }
    for (int i = 0; i < DIRECT_NBUF; i++)
        if (!d->bufs[i] && posix_memalign((void **)&d->bufs[i], DIRECT_ALIGN, DIRECT_BYTES) != 0) {
            d->bufs[i] = NULL;
            close(d->fd);
            d->fd = -1;
            return;
        }
}

/* Hands what is staged to the I/O thread (written here when the thread
 * cannot start) and goes on in the next buffer. Returns -1 with errno when
 * this or an earlier run failed. */
static int direct_flush(dstage *d)
{
    const size_t skip = d->skip, fill = d->fill;
    const drun r = { d->fd, d->plain, d->bufs[d->cur], d->base, skip, fill };
    d->skip = d->fill = 0;
    d->base += fill / DIRECT_ALIGN * DIRECT_ALIGN;   /* a full buffer's run goes on from here, aligned */
    if (skip >= fill) return 0;   /* an earlier failure shows at the drain */
    if (!d->started && !d->err) {
        pthread_mutex_init(&d->mu, NULL);
        pthread_cond_init(&d->wake, NULL);
        pthread_cond_init(&d->idle, NULL);
        d->started = pthread_create(&d->thread, NULL, io_thread, d) == 0;
        if (!d->started) {
            pthread_mutex_destroy(&d->mu);
            pthread_cond_destroy(&d->wake);
            pthread_cond_destroy(&d->idle);
        }
    }
    if (!d->started) {
        if (d->err) { errno = d->err; return -1; }
        if (run_write(&r, &d->refused, d->opt) != 0) { d->err = errno ? errno : EIO; return -1; }
        return 0;
    }
    pthread_mutex_lock(&d->mu);
    while (d->queued == DIRECT_NBUF - 1) pthread_cond_wait(&d->idle, &d->mu);
    const int e = d->err;
    if (!e) {   /* the buffers go in turn and runs finish in order: the next one is free */
        d->runs[(d->head + d->queued) % (DIRECT_NBUF - 1)] = r;
        d->queued++;
        pthread_cond_signal(&d->wake);
        d->cur = (d->cur + 1) % DIRECT_NBUF;
    }
    pthread_mutex_unlock(&d->mu);
    if (e) { errno = e; return -1; }
    return 0;
}

/* What is staged, written out and waited for. */
static int direct_finish(dstage *d)
{
    int rc = direct_flush(d);
    return direct_drain(d) != 0 || rc != 0 ? -1 : 0;
}

/* The file's descriptor closed once nothing is in flight. */
static void direct_close(dstage *d)
{
    int e = errno;
    direct_drain(d);
    errno = e;
    if (d->fd >= 0) close(d->fd);
    d->fd = -1;
    d->skip = d->fill = 0;
}

/* The thread stopped and the buffers freed. */
static void direct_free(dstage *d)
{
    direct_close(d);
    if (d->started) {
        pthread_mutex_lock(&d->mu);
        d->quit = 1;
        pthread_cond_signal(&d->wake);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->thread, NULL);
        pthread_mutex_destroy(&d->mu);
        pthread_cond_destroy(&d->wake);
        pthread_cond_destroy(&d->idle);
        d->started = 0;
    }
    for (int i = 0; i < DIRECT_NBUF; i++) free(d->bufs[i]);
}

/* n bytes at offset of the file open in d: appended to the staged run when
 * they continue it, else the run is written out and a new one starts. */
static int direct_write(dstage *d, const void *data, size_t n, uint64_t offset)
{
    if (d->fill > d->skip && offset != d->base + d->fill && direct_flush(d) != 0) return -1;
    if (d->fill == d->skip) {
        d->base = offset / DIRECT_ALIGN * DIRECT_ALIGN;
        d->skip = d->fill = (size_t)(offset - d->base);
    }
    const unsigned char *p = data;
    while (n > 0) {
        size_t k = DIRECT_BYTES - d->fill < n ? DIRECT_BYTES - d->fill : n;
        memcpy(d->bufs[d->cur] + d->fill, p, k);
        d->fill += k;
        p += k;
        n -= k;
        if (d->fill == DIRECT_BYTES && direct_flush(d) != 0) return -1;
    }
    return 0;
}

/* A write to file f failed with errno: the status and message (errno kept). */
static nninit_status write_failed(const nninit_sink_ *s, size_t f, char *msg, size_t msg_size)
{
    int e = errno;
    char name[400];
    nninit_sink_name_(s, f, name, sizeof name);
    nninit_status st = e == ECANCELED ? nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing %s canceled", name)
                                      : nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write %s: %s", name, strerror(e));
    errno = e;
    return st;
}

static nninit_sink_ *sink_new(const nninit_layout_ *L, const char *shown, const nninit_write_options *opt)
{
    nninit_sink_ *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->L = L;
    s->opt = opt;
    s->cur_fd = -1;
    s->file.fd = -1;
    s->ds.fd = -1;
    s->ds.opt = opt;
    s->shown = strdup(shown);
    s->touched = calloc(L->nfiles ? L->nfiles : 1, 1);
    if (!s->shown || !s->touched) {
        free(s->shown);
        free(s->touched);
        free(s);
        return NULL;
    }
    return s;
}

/* Reserves a new file's blocks, its whole size, before any data is written
 * (fallocate, which also sets the size). A disk too small fails here, before
 * the run, rather than gigabytes in; and the direct writes then allocate
 * nothing: allocating as they went, each file after the first stalled the
 * writes for 1-2 s (ext4 on virtio; docs/DESIGN.md, "Streaming"). A file
 * system without fallocate writes as before. 0, or -1 with errno. */
static int reserve(int fd, uint64_t size)
{
    if (size == 0) return 0;
    for (;;) {
        if (fallocate(fd, 0, 0, (off_t)size) == 0) return 0;
        if (errno == EINTR) continue;
        return errno == ENOSPC || errno == EDQUOT || errno == EFBIG ? -1 : 0;
    }
}

/* The message for a file whose size reserve could not reserve (errno kept). */
static nninit_status reserve_failed(const nninit_sink_ *s, const char *name, char *msg, size_t msg_size)
{
    int e = errno;
    uint64_t total = 0;
    for (size_t f = 0; f < s->L->nfiles; f++) total += s->L->files[f].size;
    nninit_status st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write '%.300s%s%s': %s (the output needs "
                                    "%.3f GB; nothing was written)", s->shown, name ? "/" : "", name ? name : "",
                                    strerror(e), 1e-9 * (double)total);
    errno = e;
    return st;
}

/* Creates every file of the directory with its head, its size reserved. */
static nninit_status create_files(nninit_sink_ *s, char *msg, size_t msg_size)
{
    for (size_t f = 0; f < s->L->nfiles; f++) {
        const nninit_lfile_ *lf = &s->L->files[f];
        char *path = join(s->dir_path, lf->name);
        RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        free(path);
        if (fd >= 0 && reserve(fd, lf->size) != 0) {
            nninit_status st = reserve_failed(s, lf->name, msg, msg_size);
            close(fd);
            return st;
        }
        int rc = fd < 0 ? -1 : nninit_write_all_(fd, lf->head, lf->head_len, s->opt);
        int e = errno;
        if (fd >= 0 && close(fd) != 0 && rc == 0) { rc = -1; e = errno; }
        if (rc != 0) {
            if (e == ECANCELED)
                return nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing '%.300s' canceled (nothing was "
                                    "written)", s->shown);
            errno = e;
            return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write '%.300s/%s': %s", s->shown, lf->name,
                                strerror(e));
        }
    }
    return NNINIT_OK;
}

nninit_status nninit_sink_begin_(nninit_sink_ **out, const nninit_layout_ *L, const char *path,
                                 const nninit_write_options *opt, char *msg, size_t msg_size)
{
    *out = NULL;
    const int no_replace = opt && opt->no_replace;
    nninit_sink_ *s = sink_new(L, path, opt);
    RETURN_ERROR_IF(!s, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    s->creator = 1;
    nninit_status st = NNINIT_OK;
    if (L->dir) {
        st = nninit_outdir_begin_(&s->dir, path, L->member, L->what, no_replace, msg, msg_size);
        if (st == NNINIT_OK) {
            s->dir_path = s->dir.tmp;
            st = create_files(s, msg, msg_size);
        }
    } else if (nninit_outfile_begin_(&s->file, path, no_replace) != 0) {
        int e = errno;
        if (e == EEXIST && no_replace) st = nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "'%.300s' exists (not replaced)", path);
        else if (strcmp(path, "-") == 0) st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write standard output: %s", strerror(e));
        else st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write '%.300s': %s", path, strerror(e));
        errno = e;
    } else {
        char proc[40];
        const char *tmp = nninit_outfile_path_(&s->file, proc);
        if (tmp) direct_open(&s->ds, tmp, s->file.fd);
        const nninit_lfile_ *lf = &L->files[0];
        if (s->file.seekable && reserve(s->file.fd, lf->size) != 0) st = reserve_failed(s, NULL, msg, msg_size);
        int rc = st != NNINIT_OK ? 0
                 : s->file.seekable ? nninit_pwrite_all_(s->file.fd, lf->head, lf->head_len, 0, opt)
                                    : nninit_write_all_(s->file.fd, lf->head, lf->head_len, opt);
        s->pos = lf->head_len;
        if (rc != 0) st = write_failed(s, 0, msg, msg_size);
    }
    if (st != NNINIT_OK) {
        nninit_sink_free_(s);
        return st;
    }
    *out = s;
    return NNINIT_OK;
}

nninit_status nninit_sink_attach_(nninit_sink_ **out, const nninit_layout_ *L, const char *temp,
                                  const nninit_write_options *opt, char *msg, size_t msg_size)
{
    *out = NULL;
    nninit_sink_ *s = sink_new(L, temp, opt);
    RETURN_ERROR_IF(!s, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    struct stat sb;
    int rc;
    if (L->dir) {
        rc = stat(temp, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
        if (rc != 0 && errno == 0) errno = ENOTDIR;
        if (rc == 0 && !(s->dir_path = strdup(temp))) { rc = -1; errno = ENOMEM; }
    } else {
        rc = nninit_outfile_attach_(&s->file, temp);
        if (rc == 0) direct_open(&s->ds, temp, s->file.fd);
    }
    if (rc != 0) {
        int e = errno;
        nninit_sink_free_(s);
        errno = e;
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot open the temporary output '%.300s': %s", temp,
                            strerror(e));
    }
    *out = s;
    return NNINIT_OK;
}

const char *nninit_sink_temp_(nninit_sink_ *s)
{
    if (s->L->dir) return s->dir_path;
    /* another process attaches by name: an unnamed temporary gets one now */
    if (s->file.anon && nninit_outfile_name_(&s->file) != 0) return NULL;
    return s->file.tmp;
}

int nninit_sink_seekable_(const nninit_sink_ *s) { return s->L->dir || s->file.seekable; }

void nninit_sink_name_(const nninit_sink_ *s, size_t f, char *buf, size_t size)
{
    if (s->L->dir) snprintf(buf, size, "'%.300s/%s'", s->shown, s->L->files[f].name);
    else if (strcmp(s->shown, "-") == 0) snprintf(buf, size, "standard output");
    else snprintf(buf, size, "'%.300s'", s->shown);
}

/* Directory: the open file's staged bytes out, both its descriptors closed. */
static int close_current(nninit_sink_ *s)
{
    int rc = s->ds.fd >= 0 ? direct_finish(&s->ds) : 0, e = errno;
    direct_close(&s->ds);
    if (s->cur_fd >= 0 && close(s->cur_fd) != 0 && rc == 0) { rc = -1; e = errno; }
    s->cur_fd = -1;
    errno = e;
    return rc;
}

int nninit_sink_write_(nninit_sink_ *s, size_t f, uint64_t offset, const void *data, size_t n)
{
    if (!s->L->dir) {
        if (s->ds.fd >= 0) return direct_write(&s->ds, data, n, offset);
        if (s->file.seekable) return nninit_pwrite_all_(s->file.fd, data, n, offset, s->opt);
        if (offset != s->pos) { errno = ESPIPE; return -1; }   /* out of order: a bug, never silent */
        if (nninit_write_all_(s->file.fd, data, n, s->opt) != 0) return -1;
        s->pos += n;
        return 0;
    }
    if (s->cur_fd < 0 || s->cur != f) {
        if (close_current(s) != 0) return -1;
        char *path = join(s->dir_path, s->L->files[f].name);
        if (!path) { errno = ENOMEM; return -1; }
        s->cur_fd = open(path, O_WRONLY | O_CLOEXEC);
        if (s->cur_fd >= 0) direct_open(&s->ds, path, s->cur_fd);
        free(path);
        if (s->cur_fd < 0) return -1;
        s->cur = f;
        s->touched[f] = 1;
    }
    if (s->ds.fd >= 0) return direct_write(&s->ds, data, n, offset);
    return nninit_pwrite_all_(s->cur_fd, data, n, offset, s->opt);
}

int nninit_sink_sync_(nninit_sink_ *s)
{
    if (!s->L->dir) {
        if (s->ds.fd >= 0 && direct_finish(&s->ds) != 0) return -1;
        return s->file.seekable ? fsync(s->file.fd) : 0;
    }
    int rc = close_current(s);
    /* every file this process wrote reaches the disk (or the file server)
     * before its part is reported done */
    for (size_t f = 0; rc == 0 && f < s->L->nfiles; f++) {
        if (!s->touched[f]) continue;
        char *path = join(s->dir_path, s->L->files[f].name);
        if (!path) { errno = ENOMEM; return -1; }
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        free(path);
        if (fd < 0) return -1;
        rc = fsync(fd);
        int e = errno;
        close(fd);
        errno = e;
    }
    return rc;
}

/* Directory: every file flushed (begin's heads included), then the rename. */
static nninit_status commit_dir(nninit_sink_ *s, char *msg, size_t msg_size)
{
    for (size_t f = 0; f < s->L->nfiles; f++) {
        char *path = join(s->dir_path, s->L->files[f].name);
        RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
        int fd = open(path, O_WRONLY | O_CLOEXEC), rc = fd < 0 ? -1 : fsync(fd), e = errno;
        if (fd >= 0) close(fd);
        free(path);
        if (rc != 0)
            return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write '%.300s/%s': %s", s->shown,
                                s->L->files[f].name, strerror(e));
    }
    nninit_status st = nninit_outdir_commit_(&s->dir, s->opt, msg, msg_size);   /* frees dir */
    s->dir_path = NULL;
    s->creator = 0;
    return st;
}

nninit_status nninit_sink_commit_(nninit_sink_ *s, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!s->creator, nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "only the process that created the "
                                              "output commits it"));
    if (s->L->dir) {
        if (close_current(s) != 0) return write_failed(s, s->cur, msg, msg_size);
        return commit_dir(s, msg, msg_size);
    }
    if (s->ds.fd >= 0 && direct_finish(&s->ds) != 0) {
        nninit_status st = write_failed(s, 0, msg, msg_size);
        nninit_outfile_abort_(&s->file);
        return st;
    }
    direct_close(&s->ds);
    if (nninit_canceled_(s->opt)) {
        nninit_outfile_abort_(&s->file);
        return nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing '%.300s' canceled (nothing was written)", s->shown);
    }
    const int no_replace = s->file.no_replace;
    if (nninit_outfile_commit_(&s->file) != 0) {
        int e = errno;
        char name[400];
        nninit_sink_name_(s, 0, name, sizeof name);
        if (e == EEXIST && no_replace) return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "%s exists (not replaced)", name);
        errno = e;
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write %s: %s", name, strerror(e));
    }
    s->creator = 0;
    return NNINIT_OK;
}

void nninit_sink_free_(nninit_sink_ *s)
{
    if (!s) return;
    int saved = errno;
    direct_free(&s->ds);
    if (s->cur_fd >= 0) close(s->cur_fd);
    if (s->L->dir) {
        if (s->creator) nninit_outdir_abort_(&s->dir);   /* removes the temporary directory */
        else free(s->dir_path);
    } else {
        nninit_outfile_abort_(&s->file);   /* closes; removes the temporary if ours */
    }
    free(s->shown);
    free(s->touched);
    free(s);
    errno = saved;
}
