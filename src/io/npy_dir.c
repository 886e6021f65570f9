/* A directory of .npy files that appears whole or not at all
 * (nninit_npy_save_dir).
 *
 * The files are written into a hidden temporary directory beside the target
 * (".NAME.tmp-XXXXXX"), then the directory is renamed into place. An earlier
 * output at the target (a directory holding only *.npy files and
 * __metadata__.json) is swapped out with RENAME_EXCHANGE and removed; any
 * other existing target is refused. On every failure, and on a cancel, the
 * temporary is removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"

#define META_FILE "__metadata__.json"

/* A tensor name as a file name: every byte outside [A-Za-z0-9._-], and a
 * leading '.', percent-encoded, so names with '/', spaces or UTF-8 map one to
 * one onto file names, none is "." or "..", and URL-unquoting reverses it.
 * 0 if it does not fit size bytes. */
static int npy_file_name(const char *name, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    for (size_t i = 0; name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                   c == '-' || (c == '.' && i > 0);
        if (j + 4 >= size) return 0;
        if (keep) buf[j++] = (char)c;
        else { buf[j++] = '%'; buf[j++] = hex[c >> 4]; buf[j++] = hex[c & 15]; }
    }
    if (j + 5 > size) return 0;
    memcpy(buf + j, ".npy", 5);
    return 1;
}

/* Whether an existing directory looks like an earlier output (only *.npy
 * files and __metadata__.json): only such a directory is replaced. */
static int is_npy_output_dir(const char *path, char *odd, size_t odd_size)
{
    DIR *d = opendir(path);
    if (!d) { snprintf(odd, odd_size, "%s", strerror(errno)); return 0; }
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, META_FILE) == 0) continue;
        if (len > 4 && strcmp(n + len - 4, ".npy") == 0) continue;
        snprintf(odd, odd_size, "it holds '%.200s'", n);
        ok = 0;
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

/* Whether path can become the directory: absent, or an earlier output we may
 * replace. */
static nninit_status check_target(const char *path, int no_replace, char *msg, size_t msg_size)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT) return NNINIT_OK;
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "'%.300s': %s", path, strerror(errno));
    }
    if (no_replace) return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "'%.300s' exists (not replaced)", path);
    if (!S_ISDIR(sb.st_mode))
        return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "npy output is a directory, and '%.300s' exists and is "
                            "not one", path);
    char odd[300];
    if (!is_npy_output_dir(path, odd, sizeof odd))
        return nninit_fail_(NNINIT_E_EXISTS, msg, msg_size, "'%.300s' is a directory nninit did not write (%s); not "
                            "replacing it", path, odd);
    return NNINIT_OK;
}

/* __metadata__.json: {"key": "value", ...} in the given order. */
static char *metadata_json(const char *const *metadata)
{
    nninit_text_ t = { 0 };
    nninit_text_str_(&t, "{");
    for (size_t k = 0; metadata && metadata[2 * k]; k++) {
        if (k) nninit_text_str_(&t, ", ");
        nninit_text_json_str_(&t, metadata[2 * k]);
        nninit_text_str_(&t, ": ");
        nninit_text_json_str_(&t, metadata[2 * k + 1]);
    }
    nninit_text_str_(&t, "}\n");
    return nninit_text_take_(&t);
}

typedef struct { const char *text; const nninit_write_options *opt; } text_out;

static int emit_text(int fd, void *ctx)
{
    const text_out *o = ctx;
    return nninit_write_all_(fd, o->text, strlen(o->text), o->opt);
}

/* Checks every name and the metadata before anything is created. */
static nninit_status check_inputs(const nninit_tensor *tensors, size_t n, const char *const *metadata, char *msg,
                                  size_t msg_size)
{
    char file[256];
    for (size_t i = 0; i < n; i++) {
        const nninit_tensor *t = &tensors[i];
        if (!t->name) return nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: tensor %zu has a NULL name", i);
        if (!t->name[0])
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "npy directory: tensor %zu has an empty name", i);
        if (!npy_file_name(t->name, file, sizeof file))
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "tensor '%.200s': the name is too long for a file "
                                "name", t->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(tensors[j].name, t->name) == 0)
                return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "npy directory: duplicate tensor name '%.200s' "
                                    "(tensors %zu and %zu)", t->name, j, i);
    }
    for (size_t k = 0; metadata && metadata[2 * k]; k++) {
        if (!metadata[2 * k + 1])
            return nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: metadata key '%.100s' has a NULL value",
                                metadata[2 * k]);
        if (!nninit_utf8_ok_(metadata[2 * k]) || !nninit_utf8_ok_(metadata[2 * k + 1]))
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "npy directory: metadata %zu is not valid UTF-8", k);
    }
    return NNINIT_OK;
}

/* Writes the files into the temporary directory tmp. */
static nninit_status fill_dir(const char *tmp, const char *target, const nninit_tensor *tensors, size_t n,
                              const char *const *metadata, const nninit_write_options *opt, char *msg, size_t msg_size)
{
    size_t cap = strlen(tmp) + 300;
    char *path = malloc(cap), why[600];
    if (!path) return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    nninit_status st = NNINIT_OK;
    for (size_t i = 0; i < n && st == NNINIT_OK; i++) {
        char file[256];
        npy_file_name(tensors[i].name, file, sizeof file);   /* fits: checked */
        snprintf(path, cap, "%s/%s", tmp, file);
        st = nninit_npy_save(path, tensors[i].data, tensors[i].dtype, tensors[i].shape, tensors[i].ndim, opt, why,
                             sizeof why);
        if (st == NNINIT_E_CANCELED) st = nninit_fail_(st, msg, msg_size, "writing '%.300s' canceled (nothing was "
                                                      "written)", target);
        else if (st == NNINIT_E_IO) st = nninit_fail_(st, msg, msg_size, "cannot write '%.300s/%s': %s", target, file,
                                                     strerror(errno));
        else if (st != NNINIT_OK) st = nninit_fail_(st, msg, msg_size, "tensor '%.200s': %s", tensors[i].name, why);
    }
    char *meta = st == NNINIT_OK ? metadata_json(metadata) : NULL;
    if (st == NNINIT_OK && !meta) st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    if (st == NNINIT_OK) {
        snprintf(path, cap, "%s/" META_FILE, tmp);
        text_out o = { meta, opt };
        st = nninit_write_file_(path, emit_text, &o, opt, "npy directory", why, sizeof why);
        if (st == NNINIT_E_IO) st = nninit_fail_(st, msg, msg_size, "cannot write '%.300s/" META_FILE "': %s", target,
                                                 strerror(errno));
        else if (st != NNINIT_OK) st = nninit_fail_(st, msg, msg_size, "%s", why);
    }
    free(meta);
    free(path);
    if (st == NNINIT_OK) nninit_fsync_dir_(tmp);
    return st;
}

/* Renames the finished temporary into place; an earlier output there is
 * exchanged with it and removed. */
static nninit_status move_into_place(const char *tmp, const char *target, int no_replace, char *msg, size_t msg_size)
{
    if (nninit_rename_into_place_(tmp, target, 1) == 0) return NNINIT_OK;
    if (errno != EEXIST && errno != ENOTEMPTY)
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot rename the new directory to '%.300s': %s", target,
                            strerror(errno));
    /* the target appeared or was there: replace it only if it still looks like ours */
    FORWARD_IF_ERROR(check_target(target, no_replace, msg, msg_size));
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) != 0)
        return nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot replace '%.300s': %s", target, strerror(errno));
    remove_flat_dir(tmp);   /* now the old output */
    return NNINIT_OK;
}

nninit_status nninit_npy_save_dir(const char *path, const nninit_tensor *tensors, size_t n,
                                  const char *const *metadata, const nninit_write_options *opt, char *msg,
                                  size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: NULL path"));
    RETURN_ERROR_IF(n && !tensors, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: NULL tensor array"));
    RETURN_ERROR_IF(!path[0] || strcmp(path, "-") == 0,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "npy directory: '%s' is not a directory path", path));
    FORWARD_IF_ERROR(check_inputs(tensors, n, metadata, msg, msg_size));
    const int no_replace = opt && opt->no_replace;

    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;   /* "dir/" names dir */
    char *target = malloc(len + 1), *tmp = malloc(len + 32);
    nninit_status st = target && tmp ? NNINIT_OK : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    if (st == NNINIT_OK) {
        memcpy(target, path, len);
        target[len] = '\0';
        const char *slash = strrchr(target, '/');
        size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
        snprintf(tmp, len + 32, "%.*s.%s.tmp-XXXXXX", (int)dir_len, target, target + dir_len);
        st = check_target(target, no_replace, msg, msg_size);
    }
    if (st == NNINIT_OK && !mkdtemp(tmp))
        st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot create a directory next to '%.300s': %s", target,
                          strerror(errno));
    else if (st == NNINIT_OK) {
        chmod(tmp, 0777 & ~nninit_umask_());   /* mkdtemp makes it 0700; the output gets a plain mkdir's mode */
        st = fill_dir(tmp, target, tensors, n, metadata, opt, msg, msg_size);
        if (st == NNINIT_OK && nninit_canceled_(opt))
            st = nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing '%.300s' canceled (nothing was written)",
                              target);
        if (st == NNINIT_OK) st = move_into_place(tmp, target, no_replace, msg, msg_size);
        if (st == NNINIT_OK) nninit_fsync_parent_(target);
        else remove_flat_dir(tmp);
    }
    free(target);
    free(tmp);
    return st;
}
