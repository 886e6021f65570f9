/* A directory of .npy files that appears whole or not at all
 * (nninit_npy_save_dir), through outdir.c's temporary directory: an earlier
 * output at the target (a directory holding only *.npy files and
 * __metadata__.json) is replaced, any other existing target is refused. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"

/* The names an earlier npy directory holds: NAME.npy files and __metadata__.json. */
int nninit_npy_dir_member_(const char *name)
{
    size_t len = strlen(name);
    return strcmp(name, NNINIT_META_FILE_) == 0 || strcmp(name, NNINIT_CONFIG_FILE_) == 0 || (len > 4 && strcmp(name + len - 4, ".npy") == 0);
}

/* __metadata__.json: {"key": "value", ...} in the given order. */
char *nninit_npy_metadata_json_(const char *const *metadata)
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
nninit_status nninit_npy_dir_check_(const nninit_tensor *tensors, size_t n, const char *const *metadata, char *msg,
                                  size_t msg_size)
{
    char file[256];
    for (size_t i = 0; i < n; i++) {
        const nninit_tensor *t = &tensors[i];
        if (!t->name) return nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: tensor %zu has a NULL name", i);
        if (!t->name[0])
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "npy directory: tensor %zu has an empty name", i);
        if (!nninit_npy_file_name_(t->name, file, sizeof file))
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
        nninit_npy_file_name_(tensors[i].name, file, sizeof file);   /* fits: checked */
        snprintf(path, cap, "%s/%s", tmp, file);
        st = nninit_npy_save(path, tensors[i].data, tensors[i].dtype, tensors[i].shape, tensors[i].ndim, opt, why,
                             sizeof why);
        if (st == NNINIT_E_CANCELED) st = nninit_fail_(st, msg, msg_size, "writing '%.300s' canceled (nothing was "
                                                      "written)", target);
        else if (st == NNINIT_E_IO) st = nninit_fail_(st, msg, msg_size, "cannot write '%.300s/%s': %s", target, file,
                                                     strerror(errno));
        else if (st != NNINIT_OK) st = nninit_fail_(st, msg, msg_size, "tensor '%.200s': %s", tensors[i].name, why);
    }
    char *meta = st == NNINIT_OK ? nninit_npy_metadata_json_(metadata) : NULL;
    if (st == NNINIT_OK && !meta) st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    if (st == NNINIT_OK) {
        snprintf(path, cap, "%s/" NNINIT_META_FILE_, tmp);
        text_out o = { meta, opt };
        st = nninit_write_file_(path, emit_text, &o, opt, "npy directory", why, sizeof why);
        if (st == NNINIT_E_IO) st = nninit_fail_(st, msg, msg_size, "cannot write '%.300s/" NNINIT_META_FILE_ "': %s", target,
                                                 strerror(errno));
        else if (st != NNINIT_OK) st = nninit_fail_(st, msg, msg_size, "%s", why);
    }
    free(meta);
    free(path);
    if (st == NNINIT_OK) nninit_fsync_dir_(tmp);
    return st;
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
    FORWARD_IF_ERROR(nninit_npy_dir_check_(tensors, n, metadata, msg, msg_size));
    nninit_outdir_ d;
    FORWARD_IF_ERROR(nninit_outdir_begin_(&d, path, nninit_npy_dir_member_, "npy", opt && opt->no_replace, msg,
                                          msg_size));
    nninit_status st = fill_dir(d.tmp, d.target, tensors, n, metadata, opt, msg, msg_size);
    if (st == NNINIT_OK) return nninit_outdir_commit_(&d, opt, msg, msg_size);
    nninit_outdir_abort_(&d);
    return st;
}
