/* The streaming writer's output (io.h, "sink.c"): the files of a layout,
 * created whole or not at all.
 *
 * One file (safetensors): outfile.c's temporary beside the target, or the
 * target itself when rename cannot apply ("-", a device, a FIFO: then every
 * byte goes in order, and the head is written by begin). A directory (npy,
 * sharded safetensors): outdir.c's temporary directory, every file created
 * by begin with its head. Data goes in with pwrite, from one writing thread
 * at a time; each directory file is opened when first written and closed
 * when the writer moves to another (the writer goes file by file). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"

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

static nninit_sink_ *sink_new(const nninit_layout_ *L, const char *shown, const nninit_write_options *opt)
{
    nninit_sink_ *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->L = L;
    s->opt = opt;
    s->cur_fd = -1;
    s->file.fd = -1;
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

/* Creates every file of the directory with its head. */
static nninit_status create_files(nninit_sink_ *s, char *msg, size_t msg_size)
{
    for (size_t f = 0; f < s->L->nfiles; f++) {
        const nninit_lfile_ *lf = &s->L->files[f];
        char *path = join(s->dir_path, lf->name);
        RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        free(path);
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
        const nninit_lfile_ *lf = &L->files[0];
        int rc = s->file.seekable ? nninit_pwrite_all_(s->file.fd, lf->head, lf->head_len, 0, opt)
                                  : nninit_write_all_(s->file.fd, lf->head, lf->head_len, opt);
        s->pos = lf->head_len;
        if (rc != 0) {
            int e = errno;
            char name[400];
            nninit_sink_name_(s, 0, name, sizeof name);
            st = e == ECANCELED ? nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing %s canceled", name)
                                : nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write %s: %s", name, strerror(e));
            errno = e;
        }
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

const char *nninit_sink_temp_(const nninit_sink_ *s)
{
    if (s->L->dir) return s->dir_path;
    return s->file.tmp;
}

int nninit_sink_seekable_(const nninit_sink_ *s) { return s->L->dir || s->file.seekable; }

void nninit_sink_name_(const nninit_sink_ *s, size_t f, char *buf, size_t size)
{
    if (s->L->dir) snprintf(buf, size, "'%.300s/%s'", s->shown, s->L->files[f].name);
    else if (strcmp(s->shown, "-") == 0) snprintf(buf, size, "standard output");
    else snprintf(buf, size, "'%.300s'", s->shown);
}

int nninit_sink_write_(nninit_sink_ *s, size_t f, uint64_t offset, const void *data, size_t n)
{
    if (!s->L->dir) {
        if (s->file.seekable) return nninit_pwrite_all_(s->file.fd, data, n, offset, s->opt);
        if (offset != s->pos) { errno = ESPIPE; return -1; }   /* out of order: a bug, never silent */
        if (nninit_write_all_(s->file.fd, data, n, s->opt) != 0) return -1;
        s->pos += n;
        return 0;
    }
    if (s->cur_fd < 0 || s->cur != f) {
        if (s->cur_fd >= 0 && close(s->cur_fd) != 0) { s->cur_fd = -1; return -1; }
        s->cur_fd = -1;
        char *path = join(s->dir_path, s->L->files[f].name);
        if (!path) { errno = ENOMEM; return -1; }
        s->cur_fd = open(path, O_WRONLY | O_CLOEXEC);
        free(path);
        if (s->cur_fd < 0) return -1;
        s->cur = f;
        s->touched[f] = 1;
    }
    return nninit_pwrite_all_(s->cur_fd, data, n, offset, s->opt);
}

int nninit_sink_sync_(nninit_sink_ *s)
{
    if (!s->L->dir) return s->file.seekable ? fsync(s->file.fd) : 0;
    int rc = 0;
    if (s->cur_fd >= 0) {
        rc = close(s->cur_fd);
        s->cur_fd = -1;
    }
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
        if (s->cur_fd >= 0) close(s->cur_fd);
        s->cur_fd = -1;
        return commit_dir(s, msg, msg_size);
    }
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
