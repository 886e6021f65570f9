/* Saving an initialized model with the metadata that reproduces it. */
#include <stdlib.h>
#include <string.h>
#include "model.h"

const char **nninit_file_metadata_(const char *const *meta, int st, size_t extra)
{
    size_t n = 0;
    while (meta[n]) n++;
    const char **out = (const char **)malloc((n + 2 * extra + 3) * sizeof *out);
    if (!out) return NULL;
    size_t k = 0;
    if (st) {   /* format=pt: what Hugging Face loaders look for */
        out[k++] = "format";
        out[k++] = "pt";
    }
    for (size_t m = 0; m < n; m++) out[k++] = meta[m];
    out[k] = NULL;
    return out;
}

nninit_status nninit_model_save(const nninit_model *model, const void *const *data, const char *path,
                                nninit_file_format format, const nninit_write_options *opt, char *msg,
                                size_t msg_size)
{
    RETURN_ERROR_IF(!model || !path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL model or path"));
    const size_t n = nninit_model_count(model);
    RETURN_ERROR_IF(n && !data, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL data array"));
    RETURN_ERROR_IF(format != NNINIT_FORMAT_SAFETENSORS && format != NNINIT_FORMAT_NPY_DIR,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "unknown file format %d", (int)format));
    nninit_tensor *tensors = (nninit_tensor *)calloc(n ? n : 1, sizeof *tensors);
    RETURN_ERROR_IF(!tensors, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(model, i, &t);
        tensors[i] = (nninit_tensor){ .name = t.name, .dtype = t.dtype, .ndim = t.ndim, .data = data[i],
                                      .nbytes = t.nbytes };
        memcpy(tensors[i].shape, t.shape, sizeof t.shape);
    }
    const char **meta = nninit_file_metadata_(nninit_model_metadata(model), format == NNINIT_FORMAT_SAFETENSORS, 0);
    nninit_status st;
    if (!meta) st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    else if (format == NNINIT_FORMAT_NPY_DIR) st = nninit_npy_save_dir(path, tensors, n, meta, opt, msg, msg_size);
    else st = nninit_st_save(path, tensors, n, meta, opt, msg, msg_size);
    free(meta);
    free(tensors);
    return st;
}
