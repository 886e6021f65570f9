/* The random stream: stream ids and the public generator. */
#include <string.h>
#include "engine.h"
#include "philox.h"

/* FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) spreads
 * every byte; the SplitMix64 finalizer (Steele, Lea, Flood 2014) then makes
 * names differing in one character land far apart in all 64 bits. */
uint64_t nninit_stream_id(const char *tensor_name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (tensor_name)
        for (const unsigned char *s = (const unsigned char *)tensor_name; *s; s++)
            h = (h ^ *s) * 0x100000001b3ull;
    return nninit_mix64_(h);
}

void nninit_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    nnk_philox4x32(10, ctr, key, out);
}

nninit_status nninit_philox4x32_r(unsigned rounds, const uint32_t ctr[4], const uint32_t key[2],
                                  uint32_t out[4])
{
    RETURN_ERROR_IF(!ctr || !key || !out, NNINIT_E_NULL);
    RETURN_ERROR_IF(rounds < 1 || rounds > 16, NNINIT_E_PARAM);
    nnk_philox4x32(rounds, ctr, key, out);
    return NNINIT_OK;
}
