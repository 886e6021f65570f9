/* Versions, status strings, dtype facts, stream ids and the public generator. */
#include <string.h>
#include "internal.h"
#include "philox.h"

unsigned nninit_version_number(void) { return NNINIT_VERSION_NUMBER; }
const char *nninit_version_string(void) { return NNINIT_VERSION_STRING; }

const char *nninit_status_str(nninit_status status)
{
    switch (status) {
    case NNINIT_OK: return "ok";
    case NNINIT_E_NULL: return "NULL pointer where data is required";
    case NNINIT_E_DTYPE: return "unknown dtype";
    case NNINIT_E_PARAM: return "invalid parameter (NaN/inf, std < 0, low >= high, or outside the dtype's range)";
    case NNINIT_E_MASS: return "truncation bounds hold almost no probability mass";
    case NNINIT_E_OVERFLOW: return "size overflow (n * element size, or offset + n)";
    case NNINIT_E_ISA: return "instruction-set path unknown or not supported on this CPU";
    case NNINIT_E_NOMEM: return "out of memory";
    case NNINIT_E_SPEC: return "bad init spec (syntax, unknown scheme, parameter or value)";
    case NNINIT_E_SHAPE: return "bad shape, or a shape the scheme cannot take";
    case NNINIT_E_LAPACK: return "LAPACK reported a failure";
    case NNINIT_E_IO: return "file I/O failed";
    case NNINIT_E_FORMAT: return "malformed file or model spec";
    }
    return "unknown status";
}

size_t nninit_dtype_size(nninit_dtype dtype)
{
    switch (dtype) {
    case NNINIT_F32: return 4;
    case NNINIT_F64: return 8;
    case NNINIT_BF16: case NNINIT_F16: return 2;
    }
    return 0;
}

const char *nninit_dtype_name(nninit_dtype dtype)
{
    switch (dtype) {
    case NNINIT_F32: return "f32";
    case NNINIT_F64: return "f64";
    case NNINIT_BF16: return "bf16";
    case NNINIT_F16: return "f16";
    }
    return NULL;
}

/* FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) spreads
 * every byte; the SplitMix64 finalizer (Steele, Lea, Flood 2014) then makes
 * names differing in one character land far apart in all 64 bits. */
uint64_t nninit_stream_id(const char *tensor_name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (tensor_name)
        for (const unsigned char *s = (const unsigned char *)tensor_name; *s; s++)
            h = (h ^ *s) * 0x100000001b3ull;
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27; h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
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
