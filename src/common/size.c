/* Sizes written by people: "5GB", "500MB", "2GiB", "1.5TB", "1048576B".
 *
 * The unit is required: "200" alone is refused rather than read as 200 bytes
 * (a sharded checkpoint of 148 files where 200MB was meant). Hugging Face's
 * convert_file_size_to_int (transformers, accelerate) has the same rule: an
 * integer is bytes, text needs a unit; the Python binding passes ints as
 * bytes and text here. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "common.h"

static const struct { const char *unit; uint64_t mult; } units[] = {
    { "b", 1 },
    { "kb", 1000ull },  { "mb", 1000000ull },  { "gb", 1000000000ull }, { "tb", 1000000000000ull },
    { "kib", 1ull << 10 }, { "mib", 1ull << 20 }, { "gib", 1ull << 30 }, { "tib", 1ull << 40 },
};

nninit_status nninit_size_parse(const char *text, uint64_t *bytes, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!text || !bytes, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL size or result"));
    const char *p = text;
    if (*p == '-') return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s': a size cannot be negative", text);
    /* digits, an optional fraction: exact integer arithmetic on both */
    uint64_t whole = 0, frac_num = 0, frac_den = 1;
    int digits = 0;
    for (; isdigit((unsigned char)*p); p++, digits++) {
        const uint64_t d = (uint64_t)(*p - '0');
        if (whole > (UINT64_MAX - d) / 10)
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s': too large", text);
        whole = whole * 10 + d;
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            if (frac_den <= UINT64_MAX / 100) {   /* later digits are below a byte of any unit */
                frac_num = frac_num * 10 + (uint64_t)(*p - '0');
                frac_den *= 10;
            }
    }
    if (!digits)
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s' is not a size (a number and a unit: "
                            "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", text);
    while (*p == ' ' || *p == '\t') p++;   /* "500 MB" as well as "500MB" */
    if (*p == '\0')
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s' has no unit: write %.60sB for bytes, or %.60sMB, "
                            "%.60sGB, %.60sMiB, ... (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", text, text, text, text, text);
    uint64_t mult = 0;
    for (size_t k = 0; k < sizeof units / sizeof units[0] && !mult; k++)
        if (strcasecmp(p, units[k].unit) == 0) mult = units[k].mult;
    if (!mult)
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s': unknown unit '%.20s' (B, KB, MB, GB, TB, KiB, "
                            "MiB, GiB, TiB)", text, p);
    if (whole > UINT64_MAX / mult) return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s': too large", text);
    uint64_t v = whole * mult;
    /* the fraction's bytes, rounded down, exactly: mult * frac_num < 2^40 * 10^18 fits 128 bits */
    __extension__ typedef unsigned __int128 u128;
    uint64_t extra = (uint64_t)((u128)mult * frac_num / frac_den);
    if (v > UINT64_MAX - extra) return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s': too large", text);
    v += extra;
    if (v == 0) return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%.100s' is zero bytes", text);
    *bytes = v;
    nninit_msg_clear_(msg, msg_size);
    return NNINIT_OK;
}
