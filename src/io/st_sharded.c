/* Tensors already in memory as a sharded safetensors checkpoint
 * (nninit_st_save_sharded): the plan layout.c makes for the streaming writer,
 * written through the same sink (save.c), so the files equal what nninit
 * init --max-shard-size writes for the same tensors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "io.h"

nninit_status nninit_shard_dir_name_check_(const char *path, char *msg, size_t msg_size)
{
    static const char ext[] = ".safetensors";
    const size_t e = sizeof ext - 1;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    if (len < e || strncasecmp(path + len - e, ext, e) != 0) return NNINIT_OK;
    const size_t stem = len - e;
    /* "x.safetensors" -> "x"; ".safetensors" or "d/.safetensors" -> "model" in its directory */
    const int bare = stem == 0 || path[stem - 1] == '/';
    return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%s': a sharded checkpoint is a directory (holding "
                        "model-00001-of-0000N.safetensors ... and " NNINIT_SHARD_INDEX_ "), and a name ending in "
                        ".safetensors says a single file; name the directory '%.*s%s' instead", path, (int)stem, path,
                        bare ? "model" : "");
}

nninit_status nninit_st_save_sharded(const char *path, const nninit_tensor *tensors, size_t n,
                                     const char *const *metadata, uint64_t max_shard_bytes,
                                     const nninit_write_options *opt, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "sharded safetensors: NULL path"));
    RETURN_ERROR_IF(max_shard_bytes == 0,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "sharded safetensors: the shard size must be > 0"));
    FORWARD_IF_ERROR(nninit_shard_dir_name_check_(path, msg, msg_size));
    return nninit_st_write_("sharded safetensors", path, tensors, n, metadata, max_shard_bytes, opt, msg, msg_size);
}
