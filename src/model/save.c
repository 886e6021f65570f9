/* Saving an initialized model with the metadata that reproduces it. */
#include <stdlib.h>
#include <string.h>
#include "model.h"

void nninit_st_metadata_(const char *const *meta, const char **out)
{
    /* format=pt: what Hugging Face loaders look for. */
    size_t k = 0;
    out[k++] = "format";
    out[k++] = "pt";
    for (size_t m = 0; meta[m] && k + 2 < NNINIT_ST_META_; m += 2, k += 2) {
        out[k] = meta[m];
        out[k + 1] = meta[m + 1];
    }
    out[k] = NULL;
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
    const char *const *meta = nninit_model_metadata(model);
    nninit_status st;
    if (format == NNINIT_FORMAT_NPY_DIR) {
        st = nninit_npy_save_dir(path, tensors, n, meta, opt, msg, msg_size);
    } else {
        const char *st_meta[NNINIT_ST_META_];
        nninit_st_metadata_(meta, st_meta);
        st = nninit_st_save(path, tensors, n, st_meta, opt, msg, msg_size);
    }
    free(tensors);
    return st;
}
