/* NumPy .npy writer (format 1.0, 2.0 when the header needs it).
 *
 * The format (numpy/lib/format.py, "NEP 1"): the magic "\x93NUMPY", a major
 * and minor version byte, the header length as a little-endian uint16 (1.0)
 * or uint32 (2.0), then the header: a Python dict literal padded with spaces
 * and ended by '\n' so that magic + version + length + header is a multiple
 * of 64 bytes (the data then starts aligned for memory mapping). The data
 * follows, row-major, in the byte order the descr names: always
 * little-endian here ('<'), byte-swapped on a big-endian host.
 *
 * Atomicity: a regular file (or a path that does not exist yet) is written as
 * a temporary file in the same directory (mkostemp), fsync'ed, given the mode
 * a normally created file would have, and renamed over the path, so the path
 * holds either the old file or the complete new one. A path that exists and
 * is not a regular file (a device such as /dev/null, a FIFO) and "-" (standard
 * output) are written directly: rename cannot apply to them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "internal.h"

/* Largest header we build: the dict with NNINIT_MAX_DIMS 19-digit sizes is
 * under 256 bytes, padded to at most 64 more. Format 2.0 (header over 65535
 * bytes) is therefore never needed at today's NNINIT_MAX_DIMS; the branch is
 * kept so that raising the limit cannot produce a wrong file. */
#define NPY_ALIGN 64
#define NPY_HEADER_MAX 1024

static const char *npy_descr(nninit_dtype dtype)
{
    switch (dtype) {
    case NNINIT_F32: return "<f4";
    case NNINIT_F64: return "<f8";
    case NNINIT_F16: return "<f2";
    case NNINIT_BF16: return "<u2";  /* NumPy has no bfloat16: the raw bits */
    }
    return NULL;
}

/* Builds magic + version + length + padded header into buf; returns its
 * length (a multiple of NPY_ALIGN), or 0 if it would not fit. */
static size_t npy_header(unsigned char *buf, size_t cap, const char *descr, const int64_t *shape, int ndim)
{
    char dict[NPY_HEADER_MAX];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int d = 0; d < ndim && len > 0 && (size_t)len < sizeof dict; d++)
        len += snprintf(dict + len, sizeof dict - (size_t)len, d == 0 ? "%" PRId64 : ", %" PRId64, shape[d]);
    /* a 1-tuple needs its trailing comma: (n,) */
    if (len > 0 && (size_t)len < sizeof dict)
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", ndim == 1 ? "," : "");
    if (len <= 0 || (size_t)len >= sizeof dict) return 0;

    /* prefix: 6 magic + 2 version + 2 (1.0) or 4 (2.0) length bytes; the
     * dict, spaces and '\n' fill up to the next multiple of NPY_ALIGN */
    size_t dict_len = (size_t)len;
    size_t prefix = 10;
    size_t total = (prefix + dict_len + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    if (total - prefix > 65535) {
        prefix = 12;
        total = (prefix + dict_len + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    }
    if (total > cap) return 0;
    size_t hlen = total - prefix;

    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = prefix == 10 ? 1 : 2;
    buf[7] = 0;
    for (size_t b = 0; b < prefix - 8; b++) buf[8 + b] = (unsigned char)(hlen >> (8 * b));
    memcpy(buf + prefix, dict, dict_len);
    memset(buf + prefix + dict_len, ' ', total - prefix - dict_len - 1);
    buf[total - 1] = '\n';
    return total;
}

/* write(2) until done: retries short writes and EINTR. Chunks stay below
 * Linux's per-call limit (0x7ffff000 bytes). */
static int write_all(int fd, const void *data, size_t n)
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
/* Big-endian host: the file says '<', so each element is reversed on its
 * way out, through a bounded buffer (the caller's data stays const). */
static int write_data(int fd, const void *data, size_t bytes, size_t elem)
{
    unsigned char buf[1 << 16];
    const unsigned char *p = data;
    while (bytes > 0) {
        size_t n = bytes < sizeof buf ? bytes : sizeof buf;  /* a multiple of elem: 64 KiB and bytes are */
        for (size_t i = 0; i < n; i += elem)
            for (size_t b = 0; b < elem; b++) buf[i + b] = p[i + elem - 1 - b];
        if (write_all(fd, buf, n) != 0) return -1;
        p += n;
        bytes -= n;
    }
    return 0;
}
#else
static int write_data(int fd, const void *data, size_t bytes, size_t elem)
{
    (void)elem;
    return write_all(fd, data, bytes);
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

/* Writes header and data to an already open descriptor. */
static int write_npy(int fd, const unsigned char *header, size_t hlen, const void *data, size_t bytes, size_t elem)
{
    if (write_all(fd, header, hlen) != 0) return -1;
    return write_data(fd, data, bytes, elem);
}

/* Direct write to something rename cannot replace. The descriptor is closed
 * here unless it is standard output. */
static nninit_status save_direct(int fd, int close_it, const unsigned char *header, size_t hlen, const void *data,
                                 size_t bytes, size_t elem)
{
    int rc = write_npy(fd, header, hlen, data, bytes, elem);
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
static nninit_status save_atomic(const char *target, long mode, const unsigned char *header, size_t hlen,
                                 const void *data, size_t bytes, size_t elem)
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
    int rc = write_npy(fd, header, hlen, data, bytes, elem);
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

nninit_status nninit_npy_save(const char *path, const void *data, nninit_dtype dtype, const int64_t *shape, int ndim)
{
    RETURN_ERROR_IF(!path, NNINIT_E_NULL);
    const char *descr = npy_descr(dtype);
    RETURN_ERROR_IF(!descr, NNINIT_E_DTYPE);
    RETURN_ERROR_IF(ndim < 0 || ndim > NNINIT_MAX_DIMS, NNINIT_E_SHAPE);
    RETURN_ERROR_IF(ndim > 0 && !shape, NNINIT_E_NULL);

    /* element count: a zero size makes the tensor empty whatever the others */
    int empty = 0;
    for (int d = 0; d < ndim; d++) {
        RETURN_ERROR_IF(shape[d] < 0, NNINIT_E_SHAPE);
        if (shape[d] == 0) empty = 1;
    }
    size_t count = 1;
    if (empty) count = 0;
    else
        for (int d = 0; d < ndim; d++) {
            RETURN_ERROR_IF((uint64_t)shape[d] > SIZE_MAX / count, NNINIT_E_SHAPE);
            count *= (size_t)shape[d];
        }
    size_t elem = nninit_dtype_size(dtype);
    RETURN_ERROR_IF(count > SIZE_MAX / elem, NNINIT_E_OVERFLOW);
    size_t bytes = count * elem;
    RETURN_ERROR_IF(count > 0 && !data, NNINIT_E_NULL);

    unsigned char header[NPY_HEADER_MAX];
    size_t hlen = npy_header(header, sizeof header, descr, shape, ndim);
    RETURN_ERROR_IF(hlen == 0, NNINIT_E_SHAPE);  /* unreachable: NNINIT_MAX_DIMS sizes always fit */

    if (path[0] == '\0') { errno = ENOENT; return NNINIT_E_IO; }
    if (strcmp(path, "-") == 0) return save_direct(STDOUT_FILENO, 0, header, hlen, data, bytes, elem);

    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            /* no O_CREAT, no O_TRUNC: only what already exists is opened */
            int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
            if (fd < 0) return NNINIT_E_IO;
            struct stat fst;
            if (fstat(fd, &fst) == 0 && !S_ISREG(fst.st_mode))
                return save_direct(fd, 1, header, hlen, data, bytes, elem);
            close(fd);  /* became a regular file meanwhile: replace it atomically below */
            if (stat(path, &st) != 0) return NNINIT_E_IO;
        }
        /* Write through symbolic links: the temporary goes beside the file
         * the link points to, and the link itself stays. */
        char *real = realpath(path, NULL);
        if (!real) return NNINIT_E_IO;
        nninit_status s = save_atomic(real, (long)(st.st_mode & 0777), header, hlen, data, bytes, elem);
        int saved = errno;
        free(real);
        errno = saved;
        return s;
    }
    /* Nothing there (a dangling symbolic link is replaced by the file). */
    if (errno != ENOENT) return NNINIT_E_IO;
    return save_atomic(path, -1, header, hlen, data, bytes, elem);
}
