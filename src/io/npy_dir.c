/* A directory of .npy files (nninit_npy_save_dir, the streaming writer's npy
 * output): its names, checks and __metadata__.json. layout.c plans it, save.c
 * and the streaming writer write it through the sink and outdir.c's
 * temporary directory: an earlier output at the target (a directory holding
 * only *.npy files, __metadata__.json and config.json) is replaced, any
 * other existing target is refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

