/* Input files (specs, checkpoints and their indexes, .npy batches): regular
 * files only, or symbolic links to them (Hugging Face's cache links every
 * shard). A FIFO, a device or a socket named as an input would block the
 * open or the first read forever (a FIFO without a writer), or read
 * something that is not a file's bytes; the open itself is non-blocking, so
 * asking what the path is never hangs. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"

const char *nninit_file_kind_(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    default: return "not a file";
    }
}

int nninit_open_input_(const char *path, const char **why)
{
    *why = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) { *why = strerror(errno); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        *why = strerror(e);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        static const char *const reasons[] = {
            "not a regular file (a directory)", "not a regular file (a FIFO)",
            "not a regular file (a character device)", "not a regular file (a block device)",
            "not a regular file (a socket)", "not a regular file",
        };
        *why = S_ISDIR(st.st_mode) ? reasons[0] : S_ISFIFO(st.st_mode) ? reasons[1] : S_ISCHR(st.st_mode) ? reasons[2]
             : S_ISBLK(st.st_mode) ? reasons[3] : S_ISSOCK(st.st_mode) ? reasons[4] : reasons[5];
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        *why = strerror(e);
        return -1;
    }
    return fd;
}

int nninit_output_needs_force_(unsigned mode)
{
    /* a character device (/dev/null, a terminal) and a FIFO are written to,
     * as shells redirect; everything else holds data the write would destroy */
    return !S_ISCHR(mode) && !S_ISFIFO(mode);
}

int nninit_read_input_(const char *path, int allow_stdin, size_t max_bytes, char **out, size_t *len, int *opened,
                       const char **why)
{
    *out = NULL;
    *len = 0;
    *opened = 0;
    const int std_in = allow_stdin && strcmp(path, "-") == 0;
    int fd = std_in ? STDIN_FILENO : nninit_open_input_(path, why);
    if (fd < 0) return -1;
    *opened = 1;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    int e = buf ? 0 : ENOMEM;
    while (!e) {
        if (n == cap) {
            char *q = cap <= (SIZE_MAX - 1) / 2 && (!max_bytes || cap < max_bytes) ? realloc(buf, 2 * cap + 1) : NULL;
            if (!q) { e = cap <= (SIZE_MAX - 1) / 2 && (!max_bytes || cap < max_bytes) ? ENOMEM : EFBIG; break; }
            buf = q;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { e = errno; break; }
        if (r == 0) break;
        n += (size_t)r;
    }
    if (!e && max_bytes && n > max_bytes) e = EFBIG;
    if (!std_in) close(fd);
    if (e) {
        free(buf);
        *why = e == EFBIG ? "larger than the limit" : strerror(e);
        errno = e;
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}
