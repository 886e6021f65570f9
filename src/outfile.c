/* Writing a file that appears whole or not at all (nninit_npy_save,
 * nninit_st_save).
 *
 * A regular file (or a path that does not exist yet) is written as a
 * temporary file in the same directory (mkostemp), fsync'ed, given the mode a
 * normally created file would have, and renamed over the path, so the path
 * holds either the old file or the complete new one. A path that exists and
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
#include <unistd.h>
#include "internal.h"

/* Chunks stay below Linux's per-call limit (0x7ffff000 bytes). */
int nninit_write_all_(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n > 0) {
        size_t chunk = n < ((size_t)1 << 30) ? n : ((size_t)1 << 30);
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (w == 0) { errno = EIO; return -1; }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
/* Big-endian host: files are little-endian, so each element is reversed on
 * its way out, through a bounded buffer (the caller's data stays const). */
int nninit_write_le_(int fd, const void *data, size_t bytes, size_t elem)
{
    unsigned char buf[1 << 16];
    const unsigned char *p = data;
    while (bytes > 0) {
        size_t n = bytes < sizeof buf ? bytes : sizeof buf;  /* a multiple of elem: 64 KiB and bytes are */
        for (size_t i = 0; i < n; i += elem)
            for (size_t b = 0; b < elem; b++) buf[i + b] = p[i + elem - 1 - b];
        if (nninit_write_all_(fd, buf, n) != 0) return -1;
        p += n;
        bytes -= n;
    }
    return 0;
}
#else
int nninit_write_le_(int fd, const void *data, size_t bytes, size_t elem)
{
    (void)elem;
    return nninit_write_all_(fd, data, bytes);
}
#endif

/* The process umask without changing it: umask(2) can only be read by
 * setting it, which races with other threads creating files, so Linux's
 * /proc/self/status ("Umask:", since 4.7) is asked first. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        unsigned mask;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &mask) == 1) {
                fclose(f);
                return (mode_t)(mask & 0777);
            }
        fclose(f);
    }
    mode_t m = umask(022);
    umask(m);
    return m;
}

/* Direct write to something rename cannot replace. The descriptor is closed
 * here unless it is standard output. */
static nninit_status write_direct(int fd, int close_it, nninit_emit_fn_ emit, void *ctx)
{
    int rc = emit(fd, ctx);
    int saved = errno;
    if (close_it && close(fd) != 0 && rc == 0) { rc = -1; saved = errno; }
    errno = saved;
    return rc == 0 ? NNINIT_OK : NNINIT_E_IO;
}

/* Temporary file beside target, fsync, mode, rename. mode < 0: a new file
 * (0666 & ~umask, as open(O_CREAT, 0666) would give); else the replaced
 * file's permission bits, as a write through open(O_TRUNC) would keep them
 * (set-id bits dropped, as the kernel drops them on such a write). The new
 * file belongs to the caller even if the old one did not. */
static nninit_status write_atomic(const char *target, long mode, nninit_emit_fn_ emit, void *ctx)
{
    /* "<dir>/.nninit-XXXXXX": a short fixed name cannot exceed NAME_MAX
     * however long the target's own name is. */
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    static const char stem[] = ".nninit-XXXXXX";
    char *tmp = malloc(dir_len + sizeof stem);
    if (!tmp) { errno = ENOMEM; return NNINIT_E_IO; }
    memcpy(tmp, target, dir_len);
    memcpy(tmp + dir_len, stem, sizeof stem);

    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int saved = errno;
        free(tmp);
        errno = saved;
        return NNINIT_E_IO;
    }
    mode_t m = mode < 0 ? (mode_t)(0666 & ~current_umask()) : (mode_t)mode;
    int rc = emit(fd, ctx);
    if (rc == 0) rc = fsync(fd);
    if (rc == 0) rc = fchmod(fd, m);
    int saved = errno;
    if (close(fd) != 0 && rc == 0) { rc = -1; saved = errno; }
    if (rc == 0 && rename(tmp, target) != 0) { rc = -1; saved = errno; }
    if (rc != 0) {
        unlink(tmp);
        free(tmp);
        errno = saved;
        return NNINIT_E_IO;
    }
    free(tmp);

    /* Make the rename itself durable. Best effort: the file is complete
     * under its name already, and some filesystems refuse to fsync a
     * directory (EINVAL), which is no reason to report a failure. */
    int dfd = -1;
    if (dir_len == 0) dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    else {
        char *dir = malloc(dir_len + 1);
        if (dir) {
            memcpy(dir, target, dir_len);
            dir[dir_len] = '\0';
            dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            free(dir);
        }
    }
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    errno = saved;
    return NNINIT_OK;
}

nninit_status nninit_write_file_(const char *path, nninit_emit_fn_ emit, void *ctx)
{
    if (path[0] == '\0') { errno = ENOENT; return NNINIT_E_IO; }
    if (strcmp(path, "-") == 0) return write_direct(STDOUT_FILENO, 0, emit, ctx);

    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            /* no O_CREAT, no O_TRUNC: only what already exists is opened */
            int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
            if (fd < 0) return NNINIT_E_IO;
            struct stat fst;
            if (fstat(fd, &fst) == 0 && !S_ISREG(fst.st_mode)) return write_direct(fd, 1, emit, ctx);
            close(fd);  /* became a regular file meanwhile: replace it atomically below */
            if (stat(path, &st) != 0) return NNINIT_E_IO;
        }
        char *real = realpath(path, NULL);
        if (!real) return NNINIT_E_IO;
        nninit_status s = write_atomic(real, (long)(st.st_mode & 0777), emit, ctx);
        int saved = errno;
        free(real);
        errno = saved;
        return s;
    }
    /* Nothing there (a dangling symbolic link is replaced by the file). */
    if (errno != ENOENT) return NNINIT_E_IO;
    return write_atomic(path, -1, emit, ctx);
}
