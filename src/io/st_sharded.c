/* Tensors already in memory as a sharded safetensors checkpoint
 * (nninit_st_save_sharded): the plan layout.c makes for the streaming writer,
 * written through the same sink (save.c), so the files equal what nninit
 * init --max-shard-size writes for the same tensors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "io.h"

nninit_status nninit_st_save_sharded(const char *path, const nninit_tensor *tensors, size_t n,
                                     const char *const *metadata, uint64_t max_shard_bytes,
                                     const nninit_write_options *opt, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "sharded safetensors: NULL path"));
    RETURN_ERROR_IF(max_shard_bytes == 0,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "sharded safetensors: the shard size must be > 0"));
    return nninit_st_write_("sharded safetensors", path, tensors, n, metadata, max_shard_bytes, opt, msg, msg_size);
}
