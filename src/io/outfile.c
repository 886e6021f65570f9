/* Writing a file that appears whole or not at all: the sink's one-file
 * outputs (every safetensors file and .npy file nninit writes, through
 * nninit_outfile_begin_/commit_), and the write loops every writer uses.
 *
 * A regular file (or a path that does not exist yet) is written as a
 * temporary file in the same directory (an unnamed O_TMPFILE where the file
 * system has it, else a hidden mkostemp name), fsync'ed, given the mode a
 * normally created file would have, and linked or renamed over the path, so
 * the path holds either the old file or the complete new one. A path that exists and
 * is not a regular file (a device such as /dev/null, a FIFO) and "-"
 * (standard output) are written directly: rename cannot apply to them.
 * Symbolic links are written through: the temporary goes beside the file the
 * link points to, and the link itself stays. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include "io.h"

/* Chunks stay below Linux's per-call limit (0x7ffff000 bytes) and small
 * enough that a cancel request is seen within a fraction of a second. */
#define WRITE_CHUNK ((size_t)64 << 20)

int nninit_canceled_(const nninit_write_options *opt) { return opt && opt->cancel && *opt->cancel; }

int nninit_write_all_(int fd, const void *data, size_t n, const nninit_write_options *opt)
{
    const unsigned char *p = data;
    while (n > 0) {
        if (nninit_canceled_(opt)) { errno = ECANCELED; return -1; }
        size_t chunk = n < WRITE_CHUNK ? n : WRITE_CHUNK;
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR) continue;   /* a signal: the loop looks at the cancel flag */
            return -1;
        }
        if (w == 0) { errno = EIO; return -1; }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int nninit_pwrite_all_(int fd, const void *data, size_t n, uint64_t offset, const nninit_write_options *opt)
{
    const unsigned char *p = data;
    while (n > 0) {
        if (nninit_canceled_(opt)) { errno = ECANCELED; return -1; }
        size_t chunk = n < WRITE_CHUNK ? n : WRITE_CHUNK;
        if (offset > (uint64_t)INT64_MAX - chunk) { errno = EFBIG; return -1; }
        ssize_t w = pwrite(fd, p, chunk, (off_t)offset);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (w == 0) { errno = EIO; return -1; }
        p += w;
        n -= (size_t)w;
        offset += (uint64_t)w;
    }
    return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
void nninit_le_inplace_(void *data, size_t bytes, size_t elem)
{
    unsigned char *p = data;
    for (size_t i = 0; i + elem <= bytes; i += elem)
        for (size_t b = 0; b < elem / 2; b++) {
            unsigned char t = p[i + b];
            p[i + b] = p[i + elem - 1 - b];
            p[i + elem - 1 - b] = t;
        }
}
#else
void nninit_le_inplace_(void *data, size_t bytes, size_t elem) { (void)data; (void)bytes; (void)elem; }
#endif

/* The process umask without changing it: umask(2) can only be read by
 * setting it, which races with other threads creating files, so Linux's
 * /proc/self/status ("Umask:", since 4.7) is asked first. */
unsigned nninit_umask_(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        unsigned mask;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &mask) == 1) {
                fclose(f);
                return mask & 0777;
            }
        fclose(f);
    }
    mode_t m = umask(022);
    umask(m);
    return (unsigned)m;
}

int nninit_rename_into_place_(const char *tmp, const char *target, int no_replace)
{
    if (!no_replace) return rename(tmp, target);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    /* A filesystem without RENAME_NOREPLACE: link(2) also refuses an existing
     * name (files only; directories are always renamed on such systems). */
    struct stat st;
    if (lstat(tmp, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (lstat(target, &st) == 0) { errno = EEXIST; return -1; }
        return rename(tmp, target);
    }
    if (link(tmp, target) != 0) return -1;
    unlink(tmp);
    return 0;
}

/* Best effort throughout: the names are in place already, and some
 * filesystems refuse to fsync a directory (EINVAL), which is no reason to
 * report a failure. */
void nninit_fsync_dir_(const char *dir)
{
    int saved = errno, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    errno = saved;
}

void nninit_fsync_parent_(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    if (dir_len == 0) { nninit_fsync_dir_("."); return; }
    char *dir = malloc(dir_len + 1);
    if (!dir) return;
    memcpy(dir, path, dir_len);
    dir[dir_len] = '\0';
    nninit_fsync_dir_(dir);
    free(dir);
}

/* The directory part of target ("" for a bare name) and its length. */
static size_t dir_part(const char *target) {
    const char *slash = strrchr(target, '/');
    return slash ? (size_t)(slash - target) + 1 : 0;
}

/* "/proc/self/fd/N": the name through which an unnamed file is linked and reopened. */
static void fd_path(int fd, char buf[40]) { snprintf(buf, 40, "/proc/self/fd/%d", fd); }

/* Creates the temporary beside target. mode < 0: a new file (0666 & ~umask,
 * as open(O_CREAT, 0666) would give); else the replaced file's permission
 * bits, as a write through open(O_TRUNC) would keep them (set-id bits
 * dropped, as the kernel drops them on such a write). The new file belongs to
 * the caller even if the old one did not.
 *
 * First an unnamed file (O_TMPFILE, Linux 3.11, on file systems that support
 * it: ext4, xfs, btrfs, tmpfs): it has no name until commit links it, so a
 * process killed outright (SIGKILL, a crash) leaves nothing behind. Elsewhere
 * a named temporary ".nninit-XXXXXX" (mkostemp), which such a kill leaves;
 * docs/DESIGN.md, "Leftovers of a killed run", says how to recognize it. */
static int begin_atomic(nninit_outfile_ *f, const char *target, long mode, int no_replace)
{
    /* "<dir>/.nninit-XXXXXX": a short fixed name cannot exceed NAME_MAX
     * however long the target's own name is. */
    size_t dir_len = dir_part(target);
    static const char stem[] = ".nninit-XXXXXX";
    f->tmp = malloc(dir_len + sizeof stem);
    f->target = strdup(target);
    if (!f->tmp || !f->target) { nninit_outfile_abort_(f); errno = ENOMEM; return -1; }
    memcpy(f->tmp, target, dir_len);
    f->tmp[dir_len] = '\0';
#ifdef O_TMPFILE
    f->fd = open(dir_len ? f->tmp : ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (f->fd >= 0) {
        free(f->tmp);
        f->tmp = NULL;
        f->anon = 1;
    }
#else
    f->fd = -1;
#endif
    if (f->fd < 0) {   /* EOPNOTSUPP, EISDIR (old kernels), ...: a named temporary */
        memcpy(f->tmp + dir_len, stem, sizeof stem);
        f->fd = mkostemp(f->tmp, O_CLOEXEC);
    }
    if (f->fd < 0) {
        int saved = errno;
        free(f->tmp);
        f->tmp = NULL;
        nninit_outfile_abort_(f);
        errno = saved;
        return -1;
    }
    f->own_fd = 1;
    f->seekable = 1;
    f->mode = mode;
    f->no_replace = no_replace;
    return 0;
}

/* Links the unnamed temporary under a fresh hidden name beside the target
 * (".nninit-" and 6 characters, as mkostemp would pick). 0, or -1 with errno. */
static int link_named(nninit_outfile_ *f)
{
    size_t dir_len = dir_part(f->target);
    char *name = malloc(dir_len + sizeof ".nninit-XXXXXX");
    if (!name) { errno = ENOMEM; return -1; }
    memcpy(name, f->target, dir_len);
    char src[40];
    fd_path(f->fd, src);
    static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t x = nninit_mix64_((uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)f ^ (uint64_t)time(NULL));
    for (int attempt = 0; attempt < 100; attempt++) {
        x = nninit_mix64_(x + (uint64_t)attempt);
        char *p = name + dir_len;
        memcpy(p, ".nninit-", 8);
        for (int k = 0; k < 6; k++) p[8 + k] = digits[(x >> (6 * k)) % 62];
        p[14] = '\0';
        if (linkat(AT_FDCWD, src, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0) {
            f->tmp = name;
            f->anon = 0;
            return 0;
        }
        if (errno != EEXIST) break;
    }
    int saved = errno;
    free(name);
    errno = saved;
    return -1;
}

int nninit_outfile_name_(nninit_outfile_ *f)
{
    if (!f->anon) return 0;
    return link_named(f);
}

const char *nninit_outfile_path_(const nninit_outfile_ *f, char buf[40])
{
    if (f->tmp) return f->tmp;
    if (!f->anon) return NULL;
    fd_path(f->fd, buf);
    return buf;
}

int nninit_outfile_begin_(nninit_outfile_ *f, const char *path, int no_replace)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (path[0] == '\0') { errno = ENOENT; return -1; }
    if (strcmp(path, "-") == 0) { f->fd = STDOUT_FILENO; return 0; }

    struct stat st;
    if (stat(path, &st) == 0) {
        /* a block device, a socket or a directory holds data a write would
         * destroy: like a regular file, only written when replacing is allowed
         * (character devices such as /dev/null and FIFOs are written as a
         * shell redirection would) */
        if (!S_ISREG(st.st_mode) && no_replace && nninit_output_needs_force_(st.st_mode)) { errno = EEXIST; return -1; }
        if (!S_ISREG(st.st_mode)) {
            /* no O_CREAT, no O_TRUNC: only what already exists is opened */
            int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
            if (fd < 0) return -1;
            struct stat fst;
            if (fstat(fd, &fst) == 0 && !S_ISREG(fst.st_mode)) {
                f->fd = fd;
                f->own_fd = 1;
                return 0;
            }
            close(fd);  /* became a regular file meanwhile: replace it atomically below */
            if (stat(path, &st) != 0) return -1;
        }
        if (no_replace) { errno = EEXIST; return -1; }
        char *real = realpath(path, NULL);
        if (!real) return -1;
        int rc = begin_atomic(f, real, (long)(st.st_mode & 0777), 0);
        int saved = errno;
        free(real);
        errno = saved;
        return rc;
    }
    /* Nothing there (a dangling symbolic link is replaced by the file, unless
     * no_replace, where the link counts as existing). */
    if (errno != ENOENT) return -1;
    return begin_atomic(f, path, -1, no_replace);
}

int nninit_outfile_attach_(nninit_outfile_ *f, const char *tmp)
{
    memset(f, 0, sizeof *f);
    f->fd = open(tmp, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (f->fd < 0) return -1;
    struct stat st;
    if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int saved = errno ? errno : EINVAL;
        close(f->fd);
        f->fd = -1;
        errno = S_ISREG(st.st_mode) ? saved : EINVAL;
        return -1;
    }
    f->own_fd = 1;
    f->seekable = 1;
    return 0;
}

int nninit_outfile_commit_(nninit_outfile_ *f)
{
    int rc = 0, saved = 0;
    if (f->anon) {
        /* the unnamed file gets its name: linked in place (no_replace: link
         * refuses an existing name), or linked beside it and renamed over it */
        mode_t m = f->mode < 0 ? (mode_t)(0666 & ~nninit_umask_()) : (mode_t)f->mode;
        rc = fsync(f->fd);
        if (rc == 0) rc = fchmod(f->fd, m);
        if (rc == 0 && f->no_replace) {
            char src[40];
            fd_path(f->fd, src);
            rc = linkat(AT_FDCWD, src, AT_FDCWD, f->target, AT_SYMLINK_FOLLOW);
            saved = errno;
            if (rc == 0) {
                close(f->fd);
                f->own_fd = 0;
                nninit_fsync_parent_(f->target);
                nninit_outfile_abort_(f);
                errno = 0;
                return 0;
            }
            nninit_outfile_abort_(f);
            errno = saved;
            return -1;
        }
        if (rc == 0) rc = link_named(f);   /* then on as a named temporary */
        if (rc != 0) {
            saved = errno;
            nninit_outfile_abort_(f);
            errno = saved;
            return -1;
        }
    }
    if (f->tmp) {
        mode_t m = f->mode < 0 ? (mode_t)(0666 & ~nninit_umask_()) : (mode_t)f->mode;
        rc = fsync(f->fd);
        if (rc == 0) rc = fchmod(f->fd, m);
        saved = errno;
    }
    if (f->own_fd && close(f->fd) != 0 && rc == 0) { rc = -1; saved = errno; }
    f->own_fd = 0;
    f->fd = -1;
    if (f->tmp && rc == 0 && nninit_rename_into_place_(f->tmp, f->target, f->no_replace) != 0) { rc = -1; saved = errno; }
    if (f->tmp && rc == 0) {
        free(f->tmp);   /* renamed: nothing left to remove */
        f->tmp = NULL;
        nninit_fsync_parent_(f->target);
    }
    nninit_outfile_abort_(f);
    errno = saved;
    return rc;
}

void nninit_outfile_abort_(nninit_outfile_ *f)
{
    int saved = errno;
    if (f->own_fd && f->fd >= 0) close(f->fd);
    if (f->tmp) unlink(f->tmp);
    free(f->tmp);
    free(f->target);
    memset(f, 0, sizeof *f);
    f->fd = -1;
    errno = saved;
}
