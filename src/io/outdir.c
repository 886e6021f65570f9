/* A directory that appears whole or not at all: the npy directories
 * (nninit_npy_save_dir, the streaming writer) and sharded safetensors
 * checkpoints.
 *
 * The files are written into a hidden temporary directory beside the target
 * (".NAME.tmp-XXXXXX"), then the directory is renamed into place. An earlier
 * output of the same kind at the target (a directory holding only regular
 * files of names the kind's `member` function accepts) is swapped out with
 * RENAME_EXCHANGE and removed; any other existing target is refused. On every
 * failure, and on a cancel, the temporary is removed. A temporary survives
 * only a process killed outright (SIGKILL, a crash, a power cut): a hidden
 * directory ".NAME.tmp-XXXXXX" beside NAME holding only such files, which
 * is safe to remove once no nninit process runs (docs/DESIGN.md,
 * "Leftovers of a killed run"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"

/* Whether an existing directory looks like an earlier output of the kind:
 * only regular files (not symbolic links: removing one would not remove
 * what it points to, and following it could reach anything) of the names
 * the kind writes. Only such a directory is replaced; anything else in it (a
 * subdirectory named like an output file, a file of another name) makes it
 * someone else's, and nothing of it is touched. */
static int is_output_dir(const char *path, nninit_dir_member_fn_ member, char *odd, size_t odd_size)
{
    DIR *d = opendir(path);
    if (!d) { snprintf(odd, odd_size, "%s", strerror(errno)); return 0; }
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
        struct stat sb;
        if (!member(n)) {
            snprintf(odd, odd_size, "it holds '%.200s'", n);
            ok = 0;
        } else if (fstatat(dirfd(d), n, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            snprintf(odd, odd_size, "'%.200s': %s", n, strerror(errno));
            ok = 0;
        } else if (!S_ISREG(sb.st_mode)) {
            snprintf(odd, odd_size, "its '%.200s' is %s, not a file nninit wrote", n, nninit_file_kind_(sb.st_mode));
            ok = 0;
        }
    }
    closedir(d);
    return ok;
}

/* Removes a directory holding only files (the temporary, or a replaced output). */
static void remove_flat_dir(const char *path)
{
    int saved = errno;
    DIR *d = opendir(path);
    if (d) {
        int fd = dirfd(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(fd, e->d_name, 0);
        closedir(d);
    }
    rmdir(path);
    errno = saved;
}

/* Whether the target can become the directory: absent, or an earlier output
 * we may replace. */
static nninit_status check_target(const nninit_outdir_ *d, char *msg, size_t msg_size)
{
    struct stat sb;
    if (lstat(d->target, &sb) != 0) {
        if (errno == ENOENT) return NNINIT_OK;
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "'%.300s': %s", d->target, strerror(errno));
    }
    if (d->no_replace)
        return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "'%.300s' exists (not replaced)", d->target);
    if (!S_ISDIR(sb.st_mode))
        return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "%s output is a directory, and '%.300s' exists and is "
                            "not one", d->what, d->target);
    char odd[300];
    if (!is_output_dir(d->target, d->member, odd, sizeof odd))
        return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "'%.300s' is a directory nninit did not write (%s); not "
                            "replacing it", d->target, odd);
    return NNINIT_OK;
}

nninit_status nninit_outdir_begin_(nninit_outdir_ *d, const char *path, nninit_dir_member_fn_ member, const char *what,
                                   int no_replace, char *msg, size_t msg_size)
{
    memset(d, 0, sizeof *d);
    RETURN_ERROR_IF(!path[0] || strcmp(path, "-") == 0,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "%s: '%s' is not a directory path", what, path));
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;   /* "dir/" names dir */
    d->target = malloc(len + 1);
    d->tmp = malloc(len + 32);
    d->member = member;
    d->what = what;
    d->no_replace = no_replace;
    if (!d->target || !d->tmp) {
        nninit_outdir_abort_(d);
        return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    }
    memcpy(d->target, path, len);
    d->target[len] = '\0';
    const char *slash = strrchr(d->target, '/');
    size_t dir_len = slash ? (size_t)(slash - d->target) + 1 : 0;
    snprintf(d->tmp, len + 32, "%.*s.%s.tmp-XXXXXX", (int)dir_len, d->target, d->target + dir_len);
    nninit_status st = check_target(d, msg, msg_size);
    if (st == NNINIT_OK && !mkdtemp(d->tmp))
        st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot create a directory next to '%.300s': %s", d->target,
                          strerror(errno));
    if (st != NNINIT_OK) {
        free(d->tmp);   /* nothing was created */
        d->tmp = NULL;
        nninit_outdir_abort_(d);
        return st;
    }
    d->created = 1;
    chmod(d->tmp, 0777 & ~nninit_umask_());   /* mkdtemp makes it 0700; the output gets a plain mkdir's mode */
    return NNINIT_OK;
}

/* Renames the finished temporary into place; an earlier output there is
 * exchanged with it and removed. */
static nninit_status move_into_place(const nninit_outdir_ *d, char *msg, size_t msg_size)
{
    if (nninit_rename_into_place_(d->tmp, d->target, 1) == 0) return NNINIT_OK;
    if (errno != EEXIST && errno != ENOTEMPTY)
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot rename the new directory to '%.300s': %s", d->target,
                            strerror(errno));
    /* the target appeared or was there: replace it only if it still looks like ours */
    FORWARD_IF_ERROR(check_target(d, msg, msg_size));
    if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->target, RENAME_EXCHANGE) != 0)
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot replace '%.300s': %s", d->target, strerror(errno));
    remove_flat_dir(d->tmp);   /* now the old output */
    return NNINIT_OK;
}

nninit_status nninit_outdir_commit_(nninit_outdir_ *d, const nninit_write_options *opt, char *msg, size_t msg_size)
{
    nninit_status st = NNINIT_OK;
    if (nninit_canceled_(opt))
        st = nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing '%.300s' canceled (nothing was written)",
                          d->target);
    if (st == NNINIT_OK) {
        nninit_fsync_dir_(d->tmp);
        st = move_into_place(d, msg, msg_size);
    }
    if (st == NNINIT_OK) {
        nninit_fsync_parent_(d->target);
        d->created = 0;   /* in place: nothing to remove */
    }
    nninit_outdir_abort_(d);
    return st;
}

void nninit_outdir_abort_(nninit_outdir_ *d)
{
    if (d->created && d->tmp) remove_flat_dir(d->tmp);
    free(d->target);
    free(d->tmp);
    memset(d, 0, sizeof *d);
}
