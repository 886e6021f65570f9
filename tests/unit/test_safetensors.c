/* safetensors: nninit_st_save's bytes read back by a parser written here from
 * the format's description (8-byte little-endian length, JSON, data), round
 * trips through nninit_st_open for every dtype and shape class, metadata,
 * alignment of the data and of every tensor, JSON escaping of names, the
 * dtypes nninit lists but cannot represent, "-" and /dev/null, atomicity,
 * bad writer input, and a table of malformed images, each a precise mutation
 * of a valid one, that the reader must refuse with NNINIT_E_FORMAT and a
 * message naming the reason. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

/* ---- scratch directory (as test_npy.c) ---------------------------------------- */
static char g_dir[256];

static void dir_setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/nninit-st-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(g_dir)) g_dir[0] = '\0';
}

static void dir_teardown(void)
{
    if (!g_dir[0]) return;
    DIR *d = opendir(g_dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
                if (unlink(p) != 0) rmdir(p);
            }
        closedir(d);
    }
    rmdir(g_dir);
}

static const char *in_dir(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    ck_assert_msg(g_dir[0] != '\0', "could not create a scratch directory");
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

static int dir_entries(void)
{
    DIR *d = opendir(g_dir);
    ck_assert(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    ck_assert(fwrite(b, 1, n, f) == n);
    ck_assert(fclose(f) == 0);
}

static uint64_t le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = v << 8 | b[k];
    return v;
}

/* deterministic bytes */
static void fill_bytes(unsigned char *b, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        b[i] = (unsigned char)(x >> 56);
    }
}

static const nninit_dtype all_dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
static const char *const st_names[4] = { "F32", "F64", "BF16", "F16" };

/* ---- round trips ---------------------------------------------------------------- */

/* Opens path, checks it holds exactly tensors[0..n) (header order, names,
 * dtypes, shapes, bytes) and the metadata, and that every tensor's data is
 * aligned to its element size both as an offset and as a mapped address. */
static void check_file(const char *path, const nninit_tensor *t, size_t n, const char *const *meta)
{
    char msg[512];
    nninit_st_file *f = NULL;
    nninit_status st = nninit_st_open(path, &f, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "open %s: %s: %s", path, nninit_status_str(st), msg);
    ck_assert_uint_eq(nninit_st_count(f), n);
    size_t len;
    unsigned char *raw = nt_read_file(path, &len);
    uint64_t hlen = le64(raw);
    ck_assert_msg((8 + hlen) % 64 == 0, "data starts at %llu, not a multiple of 64", (unsigned long long)(8 + hlen));
    const unsigned char *base = NULL;
    for (size_t i = 0; i < n; i++) {
        nninit_tensor got;
        ck_assert_int_eq(nninit_st_tensor(f, i, &got), NNINIT_OK);
        ck_assert_str_eq(got.name, t[i].name);
        ck_assert_int_eq(got.dtype, t[i].dtype);
        ck_assert_int_eq(got.ndim, t[i].ndim);
        for (int d = 0; d < t[i].ndim; d++) ck_assert_int_eq(got.shape[d], t[i].shape[d]);
        ck_assert_uint_eq(got.nbytes, t[i].nbytes);
        if (t[i].nbytes) ck_assert_msg(memcmp(got.data, t[i].data, t[i].nbytes) == 0, "%s: data differs", t[i].name);
        size_t elem = nninit_dtype_size(t[i].dtype);
        ck_assert_msg((uintptr_t)got.data % elem == 0, "%s: mapped at %p, not aligned to %zu", t[i].name, got.data,
                      elem);
        ck_assert_int_eq(nninit_st_find(f, t[i].name), (long)i);
        if (!base || (const unsigned char *)got.data < base) base = got.data;
    }
    /* offsets relative to the buffer, from the file itself */
    for (size_t i = 0; i < n; i++) {
        nninit_tensor got;
        nninit_st_tensor(f, i, &got);
        size_t off = (size_t)((const unsigned char *)got.data - base);
        ck_assert_msg(off % nninit_dtype_size(t[i].dtype) == 0, "%s at buffer offset %zu", t[i].name, off);
        if (t[i].nbytes) ck_assert(memcmp(raw + 8 + hlen + off, t[i].data, t[i].nbytes) == 0 || base != NULL);
    }
    for (size_t k = 0; meta && meta[k]; k += 2) {
        const char *v = nninit_st_metadata(f, meta[k]);
        ck_assert_msg(v != NULL, "metadata %s missing", meta[k]);
        ck_assert_str_eq(v, meta[k + 1]);
    }
    ck_assert_ptr_null(nninit_st_metadata(f, "no such key"));
    ck_assert_int_eq(nninit_st_find(f, "no such tensor"), -1);
    free(raw);
    nninit_st_close(f);
}

static nninit_tensor tensor(const char *name, nninit_dtype dt, const void *data, int ndim, const int64_t *shape)
{
    nninit_tensor t;
    memset(&t, 0, sizeof t);
    t.name = name;
    t.dtype = dt;
    t.ndim = ndim;
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        t.shape[d] = shape[d];
        count *= (size_t)shape[d];
    }
    t.data = data;
    t.nbytes = count * nninit_dtype_size(dt);
    return t;
}

START_TEST(test_round_trip_dtypes_and_shapes)
{
    static unsigned char buf[4][4096 * 8];
    for (int k = 0; k < 4; k++) fill_bytes(buf[k], sizeof buf[k], (uint64_t)k);
    static const struct { int ndim; int64_t shape[8]; } sh[] = {
        { 0, { 0 } }, { 1, { 7 } }, { 1, { 1 } }, { 2, { 3, 5 } }, { 4, { 8, 3, 3, 3 } },
        { 8, { 2, 1, 3, 1, 2, 1, 2, 2 } }, { 1, { 0 } }, { 3, { 3, 0, 2 } },
    };
    const size_t ns = sizeof sh / sizeof sh[0];
    for (int d = 0; d < 4; d++) {
        /* one file per dtype with every shape, then one with every dtype per shape */
        nninit_tensor t[16];
        char names[16][16];
        for (size_t s = 0; s < ns; s++) {
            snprintf(names[s], sizeof names[s], "t%zu", s);
            t[s] = tensor(names[s], all_dtypes[d], buf[d], sh[s].ndim, sh[s].shape);
        }
        char msg[256];
        nninit_status st = nninit_st_save(in_dir("a.safetensors"), t, ns, NULL, NULL, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "%s: %s", nninit_status_str(st), msg);
        check_file(in_dir("a.safetensors"), t, ns, NULL);
    }
    for (size_t s = 0; s < ns; s++) {
        nninit_tensor t[4];
        for (int d = 0; d < 4; d++) t[d] = tensor(st_names[d], all_dtypes[d], buf[d], sh[s].ndim, sh[s].shape);
        char msg[256];
        ck_assert_int_eq(nninit_st_save(in_dir("b.safetensors"), t, 4, NULL, NULL, msg, sizeof msg), NNINIT_OK);
        check_file(in_dir("b.safetensors"), t, 4, NULL);
    }
    /* no tensors at all: "{}" padded, no data */
    ck_assert_int_eq(nninit_st_save(in_dir("e.safetensors"), NULL, 0, NULL, NULL, NULL, 0), NNINIT_OK);
    size_t len;
    unsigned char *raw = nt_read_file(in_dir("e.safetensors"), &len);
    ck_assert_uint_eq(len, 64);
    ck_assert_uint_eq(le64(raw), 56);
    ck_assert(raw[8] == '{' && raw[9] == '}');
    for (size_t i = 10; i < 64; i++) ck_assert_int_eq(raw[i], ' ');
    free(raw);
    check_file(in_dir("e.safetensors"), NULL, 0, NULL);
}
END_TEST

/* Largest element size first, caller's order among equals, no gaps: the
 * exact header of a small mixed file. */
START_TEST(test_layout_and_exact_bytes)
{
    const uint16_t h[3] = { 0x3C00, 0xC000, 0x3800 };  /* f16 1, -2, 0.5 */
    const double g[2] = { 1.5, -0.25 };
    const float f[1] = { 3.0f };
    const uint16_t b[1] = { 0x3F80 };                  /* bf16 1 */
    const int64_t s3[1] = { 3 }, s2[1] = { 2 };
    nninit_tensor t[4] = {
        tensor("h", NNINIT_F16, h, 1, s3), tensor("g", NNINIT_F64, g, 1, s2),
        tensor("f", NNINIT_F32, f, 0, NULL), tensor("b", NNINIT_BF16, b, 0, NULL),
    };
    const char *meta[] = { "format", "pt", "k\"ey", "v\\al", NULL };
    ck_assert_int_eq(nninit_st_save(in_dir("x.safetensors"), t, 4, meta, NULL, NULL, 0), NNINIT_OK);
    const char *json = "{\"__metadata__\":{\"format\":\"pt\",\"k\\\"ey\":\"v\\\\al\"},"
                       "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[20,26]},"
                       "\"g\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                       "\"f\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]},"
                       "\"b\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[26,28]}}";
    size_t jl = strlen(json), hl = (8 + jl + 63) / 64 * 64 - 8;
    size_t len;
    unsigned char *raw = nt_read_file(in_dir("x.safetensors"), &len);
    ck_assert_uint_eq(len, 8 + hl + 28);
    ck_assert_uint_eq(le64(raw), hl);
    ck_assert_msg(memcmp(raw + 8, json, jl) == 0, "header:\n%.*s\nexpected\n%s", (int)jl, raw + 8, json);
    for (size_t i = 8 + jl; i < 8 + hl; i++) ck_assert_int_eq(raw[i], ' ');
    const unsigned char *d = raw + 8 + hl;
    ck_assert(memcmp(d, g, 16) == 0 && memcmp(d + 16, f, 4) == 0 && memcmp(d + 20, h, 6) == 0 &&
              memcmp(d + 26, b, 2) == 0);
    free(raw);
    check_file(in_dir("x.safetensors"), t, 4, meta);
}
END_TEST

/* Names and metadata that need JSON escaping, and non-ASCII UTF-8. */
START_TEST(test_escaping)
{
    const char *names[] = { "quote\"d", "back\\slash", "new\nline", "ctl\x01\x1f", "tab\t", "caf\xc3\xa9",
                            "\xe6\x97\xa5\xe6\x9c\xac", "emoji\xf0\x9f\x98\x80", "/slash", "__metadata", "x" };
    enum { N = sizeof names / sizeof names[0] };
    float v[N];
    nninit_tensor t[N];
    const int64_t one[1] = { 1 };
    for (int i = 0; i < N; i++) {
        v[i] = (float)i;
        t[i] = tensor(names[i], NNINIT_F32, &v[i], 1, one);
    }
    const char *meta[] = { "ctl\x02", "line\nbreak \"q\"", "\xc3\xa9", "\xe2\x82\xac", "", "empty key", NULL };
    char msg[256];
    nninit_status st = nninit_st_save(in_dir("n.safetensors"), t, N, meta, NULL, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s", msg);
    check_file(in_dir("n.safetensors"), t, N, meta);
}
END_TEST

/* ---- images built by hand ------------------------------------------------------ */
static unsigned char *image(const char *json, size_t data_len, size_t *len)
{
    size_t jl = strlen(json);
    *len = 8 + jl + data_len;
    unsigned char *b = malloc(*len ? *len : 1);
    ck_assert(b != NULL);
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)((uint64_t)jl >> (8 * k));
    memcpy(b + 8, json, jl);
    fill_bytes(b + 8 + jl, data_len, 99);
    return b;
}

/* Files from other writers: dtypes nninit cannot hold are listed and their
 * bytes given with NNINIT_E_DTYPE; unpadded headers and unaligned tensors. */
START_TEST(test_foreign_dtypes)
{
    static const struct { const char *dt; int bits; } d[] = {
        { "BOOL", 8 }, { "U8", 8 }, { "I8", 8 }, { "I16", 16 }, { "U16", 16 }, { "I32", 32 }, { "U32", 32 },
        { "I64", 64 }, { "U64", 64 }, { "F8_E4M3", 8 }, { "F8_E5M2", 8 }, { "F8_E8M0", 8 }, { "F6_E2M3", 6 },
        { "F6_E3M2", 6 }, { "F4", 4 }, { "C64", 64 },
    };
    for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) {
        /* 3 x 8 elements: a whole number of bytes for every width */
        size_t nb = (size_t)(24 * d[k].bits / 8);
        char json[256];
        snprintf(json, sizeof json,
                 "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                 "\"step\":{\"dtype\":\"%s\",\"shape\":[3,8],\"data_offsets\":[4,%zu]}}",
                 d[k].dt, 4 + nb);
        size_t len;
        unsigned char *b = image(json, 4 + nb, &len);
        nninit_st_file *f;
        char msg[256];
        nninit_status st = nninit_st_open_memory(b, len, &f, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "%s: %s", d[k].dt, msg);
        ck_assert_uint_eq(nninit_st_count(f), 2);
        nninit_tensor t;
        ck_assert_int_eq(nninit_st_tensor(f, 0, &t), NNINIT_OK);
        ck_assert_int_eq(t.dtype, NNINIT_F32);
        ck_assert_int_eq(nninit_st_tensor(f, 1, &t), NNINIT_E_DTYPE);
        ck_assert_str_eq(t.name, "step");
        ck_assert_int_eq(t.ndim, 2);
        ck_assert(t.shape[0] == 3 && t.shape[1] == 8);
        ck_assert_uint_eq(t.nbytes, nb);
        ck_assert_ptr_eq(t.data, b + 8 + strlen(json) + 4);
        ck_assert_uint_eq(nninit_dtype_size(t.dtype), 0);
        ck_assert_int_eq(nninit_st_find(f, "step"), 1);
        ck_assert_int_eq(nninit_st_tensor(f, 2, &t), NNINIT_E_PARAM);
        nninit_st_close(f);
        free(b);
    }
    /* through the file system too, and an empty header object */
    size_t len;
    unsigned char *b = image("{}", 0, &len);
    write_bytes(in_dir("e.st"), b, len);
    free(b);
    nninit_st_file *f;
    ck_assert_int_eq(nninit_st_open(in_dir("e.st"), &f, NULL, 0), NNINIT_OK);
    ck_assert_uint_eq(nninit_st_count(f), 0);
    nninit_st_close(f);
    nninit_st_close(NULL);
    ck_assert_uint_eq(nninit_st_count(NULL), 0);
}
END_TEST

/* ---- malformed images -------------------------------------------------------------
 * The base image is valid; each case changes one thing: a text substitution
 * in the header (the length field follows), or a byte-level edit. */
static const char base_json[] =
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
    "\"b\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]}}";
#define BASE_DATA 22

enum { M_TEXT, M_LEN, M_TRUNC, M_EXTRA };
typedef struct {
    const char *what;
    int kind;
    const char *from, *to;  /* M_TEXT: first occurrence of from becomes to */
    uint64_t value;         /* M_LEN: header length; M_TRUNC: file length; M_EXTRA: bytes appended */
    const char *reason;     /* must appear in the message */
} mutation;

static const mutation cases[] = {
    { "empty file", M_TRUNC, NULL, NULL, 0, "shorter than the 8-byte header length" },
    { "7 bytes", M_TRUNC, NULL, NULL, 7, "shorter than the 8-byte header length" },
    { "truncated header", M_TRUNC, NULL, NULL, 40, "runs past the end of the file" },
    { "truncated data", M_TRUNC, NULL, NULL, 8 + sizeof base_json - 1 + 10, "out of bounds" },
    { "trailing bytes", M_EXTRA, NULL, NULL, 2, "at its end belong to no tensor" },
    { "header length 0", M_LEN, NULL, NULL, 0, "header length is 0" },
    { "header length > file", M_LEN, NULL, NULL, 4096, "runs past the end of the file" },
    { "header length 2^63", M_LEN, NULL, NULL, (uint64_t)1 << 63, "absurd" },
    { "header length 2^64-1", M_LEN, NULL, NULL, UINT64_MAX, "absurd" },
    { "header one byte short", M_LEN, NULL, NULL, sizeof base_json - 2, "not valid JSON" },
    { "invalid JSON", M_TEXT, "\"b\":{", "\"b\"{", 0, "not valid JSON" },
    { "JSON not an object", M_TEXT, "{\"__metadata__\":{\"format\":\"pt\"},", "[                              ", 0,
      "does not start with '{'" },
    { "text after the object", M_TEXT, "[16,22]}}", "[16,22]}}x", 0, "text after the object" },
    { "a second object", M_TEXT, "[16,22]}}", "[16,22]}}{}", 0, "text after the object" },
    { "byte-order mark", M_TEXT, "{\"__metadata__\"", "\xef\xbb\xbf{\"__metadata__\"", 0, "does not start with '{'" },
    { "entry is a number", M_TEXT, "{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]}", "7", 0,
      "tensor \"b\": entry is not a JSON object" },
    { "entry is an array", M_TEXT, "{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]}", "[]", 0,
      "tensor \"b\": entry is not a JSON object" },
    { "entry is null", M_TEXT, "{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]}", "null", 0,
      "tensor \"b\": entry is not a JSON object" },
    { "metadata not an object", M_TEXT, "{\"format\":\"pt\"}", "\"pt\"", 0, "\"__metadata__\" is not a JSON object" },
    { "metadata value a number", M_TEXT, "\"pt\"", "1", 0, "metadata \"format\": value is not a string" },
    { "duplicate metadata key", M_TEXT, "\"format\":\"pt\"", "\"format\":\"pt\",\"format\":\"x\"", 0,
      "duplicate metadata key \"format\"" },
    { "duplicate __metadata__", M_TEXT, "\"a\":{", "\"__metadata__\":{},\"a\":{", 0, "duplicate \"__metadata__\"" },
    { "unknown dtype", M_TEXT, "F16", "F17", 0, "tensor \"b\": unknown dtype \"F17\"" },
    { "lower-case dtype", M_TEXT, "F16", "f16", 0, "unknown dtype \"f16\"" },
    { "dtype not a string", M_TEXT, "\"F16\"", "16", 0, "dtype is not a string" },
    { "missing dtype", M_TEXT, "\"dtype\":\"F16\",", "", 0, "missing field \"dtype\"" },
    { "missing shape", M_TEXT, "\"shape\":[3],", "", 0, "missing field \"shape\"" },
    { "missing offsets", M_TEXT, ",\"data_offsets\":[16,22]", "", 0, "missing field \"data_offsets\"" },
    { "unknown field", M_TEXT, "\"shape\":[3]", "\"shape\":[3],\"extra\":1", 0, "unknown field \"extra\"" },
    { "duplicate field", M_TEXT, "\"shape\":[3]", "\"shape\":[3],\"shape\":[3]", 0, "duplicate field \"shape\"" },
    { "shape not an array", M_TEXT, "[3]", "3", 0, "shape is not an array" },
    { "negative size", M_TEXT, "[2,2]", "[-2,-2]", 0, "shape[0] is not an integer" },
    { "fractional size", M_TEXT, "[3]", "[2.5]", 0, "shape[0] is not an integer" },
    { "size a string", M_TEXT, "[3]", "[\"3\"]", 0, "shape[0] is not an integer" },
    { "size null", M_TEXT, "[2,2]", "[2,null]", 0, "shape[1] is not an integer" },
    { "size above 2^53", M_TEXT, "[3]", "[9007199254740994]", 0, "shape[0] is not an integer in 0..2^53" },
    { "size 1e300", M_TEXT, "[3]", "[1e300]", 0, "shape[0] is not an integer" },
    { "nine dimensions", M_TEXT, "[3]", "[3,1,1,1,1,1,1,1,1]", 0, "9 dimensions, more than 8" },
    { "element count overflows", M_TEXT, "[3]", "[4294967296,4294967296,16]", 0, "element count of the shape overflows" },
    { "2^53 squared", M_TEXT, "[3]", "[9007199254740992,9007199254740992]", 0, "element count of the shape overflows" },
    { "byte size overflows", M_TEXT, "[3]", "[9007199254740992,256]", 0, "byte size of the shape overflows" },
    { "shape x size != range", M_TEXT, "[3]", "[4]", 0, "hold 6 bytes, but shape and dtype F16 need 8" },
    { "shape x size < range", M_TEXT, "[2,2]", "[3]", 0, "hold 16 bytes, but shape and dtype F32 need 12" },
    { "0-D with 6 bytes", M_TEXT, "[3]", "[]", 0, "hold 6 bytes, but shape and dtype F16 need 2" },
    { "offsets not an array", M_TEXT, "[16,22]", "16", 0, "data_offsets is not an array of two integers" },
    { "three offsets", M_TEXT, "[16,22]", "[16,22,22]", 0, "data_offsets is not an array of two integers" },
    { "negative offset", M_TEXT, "[16,22]", "[-16,22]", 0, "data_offsets is not an array of two integers" },
    { "fractional offset", M_TEXT, "[16,22]", "[16.5,22]", 0, "data_offsets is not an array of two integers" },
    { "end before begin", M_TEXT, "[16,22]", "[22,16]", 0, "end before they begin" },
    { "out of bounds", M_TEXT, "[16,22]", "[18,24]", 0, "out of bounds" },
    { "far out of bounds", M_TEXT, "[16,22]", "[9007199254740986,9007199254740992]", 0, "out of bounds" },
    { "overlap", M_TEXT, "[16,22]", "[14,20]", 0, "overlap tensor \"a\"" },
    { "same range", M_TEXT, "[3],\"data_offsets\":[16,22]", "[8],\"data_offsets\":[0,16]", 0, "overlap tensor" },
    { "gap at the start", M_TEXT, "[0,16]", "[2,18]", 0, "gap in the data buffer: bytes [0, 2)" },
    { "gap between", M_TEXT, "[3],\"data_offsets\":[16,22]", "[2],\"data_offsets\":[18,22]", 0,
      "bytes [16, 18) belong to no tensor" },
    { "gap at the end", M_TEXT, "[3],\"data_offsets\":[16,22]", "[2],\"data_offsets\":[16,20]", 0,
      "bytes [20, 22) at its end" },
    { "duplicate name", M_TEXT, "\"b\":{", "\"a\":{", 0, "duplicate tensor name \"a\"" },
    { "duplicate name, escaped", M_TEXT, "\"b\":{", "\"\\u0061\":{", 0, "duplicate tensor name \"a\"" },
    { "empty name", M_TEXT, "\"b\":{", "\"\":{", 0, "tensor 1 has an empty name" },
    { "name: invalid byte FF", M_TEXT, "\"b\":{", "\"\xff\":{", 0, "name is not valid UTF-8" },
    { "name: lone continuation", M_TEXT, "\"b\":{", "\"b\x80\":{", 0, "name is not valid UTF-8 (byte 1" },
    { "name: overlong '/'", M_TEXT, "\"b\":{", "\"\xc0\xaf\":{", 0, "name is not valid UTF-8" },
    { "name: overlong 3-byte", M_TEXT, "\"b\":{", "\"\xe0\x80\xaf\":{", 0, "name is not valid UTF-8" },
    { "name: overlong 4-byte", M_TEXT, "\"b\":{", "\"\xf0\x80\x80\xaf\":{", 0, "name is not valid UTF-8" },
    { "name: raw surrogate", M_TEXT, "\"b\":{", "\"\xed\xa0\x80\":{", 0, "name is not valid UTF-8" },
    { "name: above U+10FFFF", M_TEXT, "\"b\":{", "\"\xf4\x90\x80\x80\":{", 0, "name is not valid UTF-8" },
    { "name: truncated sequence", M_TEXT, "\"b\":{", "\"b\xe6\x97\":{", 0, "name is not valid UTF-8" },
    { "name: escaped lone surrogate", M_TEXT, "\"b\":{", "\"\\ud800\":{", 0, "not valid JSON" },
    { "name: escaped low surrogate", M_TEXT, "\"b\":{", "\"\\udc00x\":{", 0, "not valid JSON" },
    { "name: escaped NUL", M_TEXT, "\"b\":{", "\"b\\u0000c\":{", 0, "NUL character" },
    { "name: raw control byte", M_TEXT, "\"b\":{", "\"b\x01\":{", 0, "raw control character" },
    { "metadata not UTF-8", M_TEXT, "\"pt\"", "\"p\xfe\"", 0, "metadata \"format\": value is not valid UTF-8" },
};

/* The base image with one mutation applied. */
static unsigned char *mutate(const mutation *m, size_t *len)
{
    char json[1024];
    snprintf(json, sizeof json, "%s", base_json);
    if (m->kind == M_TEXT) {
        char *at = strstr(json, m->from);
        ck_assert_msg(at != NULL, "%s: \"%s\" is not in the base header", m->what, m->from);
        char rest[1024];
        snprintf(rest, sizeof rest, "%s", at + strlen(m->from));
        snprintf(at, sizeof json - (size_t)(at - json), "%s%s", m->to, rest);
    }
    unsigned char *b = image(json, BASE_DATA + (m->kind == M_EXTRA ? m->value : 0), len);
    if (m->kind == M_LEN)
        for (int k = 0; k < 8; k++) b[k] = (unsigned char)(m->value >> (8 * k));
    if (m->kind == M_TRUNC) *len = (size_t)m->value;
    return b;
}

START_TEST(test_base_image_is_valid)
{
    size_t len;
    unsigned char *b = image(base_json, BASE_DATA, &len);
    nninit_st_file *f;
    char msg[256];
    ck_assert_msg(nninit_st_open_memory(b, len, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_uint_eq(nninit_st_count(f), 2);
    ck_assert_str_eq(nninit_st_metadata(f, "format"), "pt");
    nninit_st_close(f);
    free(b);
}
END_TEST

START_TEST(test_malformed)
{
    const mutation *m = &cases[_i];
    size_t len;
    unsigned char *b = mutate(m, &len);
    /* an exact-size heap copy: ASan sees any read past the end */
    unsigned char *exact = malloc(len ? len : 1);
    ck_assert(exact != NULL);
    memcpy(exact, b, len);
    free(b);
    nninit_st_file *f = (nninit_st_file *)(uintptr_t)1;
    char msg[512];
    nninit_status st = nninit_st_open_memory(exact, len, &f, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_E_FORMAT, "%s: %s (%s), expected NNINIT_E_FORMAT", m->what, nninit_status_str(st),
                  msg);
    ck_assert_msg(f == NULL, "%s: handle not NULL on failure", m->what);
    ck_assert_msg(strstr(msg, m->reason) != NULL, "%s: message \"%s\" does not say \"%s\"", m->what, msg, m->reason);
    /* a short message buffer is still NUL-terminated, and no buffer is fine */
    char small[8];
    ck_assert_int_eq(nninit_st_open_memory(exact, len, &f, small, sizeof small), NNINIT_E_FORMAT);
    ck_assert_uint_lt(strlen(small), sizeof small);
    ck_assert_int_eq(nninit_st_open_memory(exact, len, &f, NULL, 0), NNINIT_E_FORMAT);
    /* the same through a file */
    write_bytes(in_dir("bad.st"), exact, len);
    st = nninit_st_open(in_dir("bad.st"), &f, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_E_FORMAT && f == NULL, "%s (file): %s", m->what, nninit_status_str(st));
    ck_assert_msg(strstr(msg, m->reason) && strstr(msg, "bad.st"), "%s (file): message \"%s\"", m->what, msg);
    free(exact);
}
END_TEST

START_TEST(test_open_errors)
{
    nninit_st_file *f = (nninit_st_file *)(uintptr_t)1;
    char msg[512];
    errno = 0;
    ck_assert_int_eq(nninit_st_open(in_dir("missing.st"), &f, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(msg, "missing.st") && strstr(msg, strerror(ENOENT)), "%s", msg);
    ck_assert(mkdir(in_dir("dir"), 0755) == 0);
    ck_assert_int_eq(nninit_st_open(in_dir("dir"), &f, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(nninit_st_open(NULL, &f, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_st_open(in_dir("x"), NULL, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_st_open_memory(NULL, 10, &f, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_st_open_memory(NULL, 0, &f, msg, sizeof msg), NNINIT_E_FORMAT);
    /* a pipe (a FIFO) is not a checkpoint file: refused at once, without
     * waiting for its writer or reading it */
    size_t len;
    unsigned char *b = image(base_json, BASE_DATA, &len);
    int p[2];
    ck_assert(pipe(p) == 0);
    ck_assert(write(p[1], b, len) == (ssize_t)len);
    close(p[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    nninit_status st = nninit_st_open(path, &f, msg, sizeof msg);
    close(p[0]);
    ck_assert_int_eq(st, NNINIT_E_IO);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(msg, "not a regular file (a FIFO)"), "%s", msg);
    free(b);
    nninit_tensor t;
    ck_assert_int_eq(nninit_st_tensor(NULL, 0, &t), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_st_find(NULL, "a"), -1);
    ck_assert_ptr_null(nninit_st_metadata(NULL, "a"));
}
END_TEST

/* ---- writer: special files, atomicity, bad input ------------------------------------ */
START_TEST(test_dev_null_and_stdout)
{
    float v[4] = { 1, 2, 3, 4 };
    const int64_t s[1] = { 4 };
    nninit_tensor t = tensor("v", NNINIT_F32, v, 1, s);
    ck_assert_int_eq(nninit_st_save("/dev/null", &t, 1, NULL, NULL, NULL, 0), NNINIT_OK);
    struct stat sb;
    ck_assert(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode));
    if (access("/dev/full", W_OK) == 0) {
        char msg[256];
        errno = 0;
        ck_assert_int_eq(nninit_st_save("/dev/full", &t, 1, NULL, NULL, msg, sizeof msg), NNINIT_E_IO);
        ck_assert_int_eq(errno, ENOSPC);
        ck_assert_msg(strstr(msg, "/dev/full") != NULL, "%s", msg);
    }

    ck_assert_int_eq(nninit_st_save(in_dir("ref.st"), &t, 1, NULL, NULL, NULL, 0), NNINIT_OK);
    size_t want_len;
    unsigned char *want = nt_read_file(in_dir("ref.st"), &want_len);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(in_dir("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    nninit_status st = nninit_st_save("-", &t, 1, NULL, NULL, NULL, 0);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    ck_assert_int_eq(st, NNINIT_OK);
    size_t len;
    unsigned char *got = nt_read_file(in_dir("out"), &len);
    ck_assert(len == want_len && memcmp(got, want, len) == 0);
    free(got);
    free(want);
}
END_TEST

START_TEST(test_atomic)
{
    static float v[65536];
    const int64_t s[1] = { 65536 };
    nninit_tensor t = tensor("v", NNINIT_F32, v, 1, s);
    const char *path = in_dir("w.st");
    write_bytes(path, "old contents", 12);

    struct rlimit saved_lim, lim;
    ck_assert(getrlimit(RLIMIT_FSIZE, &saved_lim) == 0);
    void (*saved_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = saved_lim;
    lim.rlim_cur = 4096;
    ck_assert(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    char msg[256];
    errno = 0;
    nninit_status st = nninit_st_save(path, &t, 1, NULL, NULL, msg, sizeof msg);
    int err = errno;
    nninit_status st2 = nninit_st_save(in_dir("new.st"), &t, 1, NULL, NULL, NULL, 0);
    setrlimit(RLIMIT_FSIZE, &saved_lim);
    signal(SIGXFSZ, saved_sig);

    ck_assert_int_eq(st, NNINIT_E_IO);
    ck_assert_int_eq(st2, NNINIT_E_IO);
    ck_assert_msg(err == EFBIG, "errno %d (%s)", err, strerror(err));
    ck_assert_msg(strstr(msg, "cannot write") && strstr(msg, strerror(EFBIG)), "%s", msg);
    size_t len;
    unsigned char *b = nt_read_file(path, &len);
    ck_assert(len == 12 && memcmp(b, "old contents", 12) == 0);
    free(b);
    ck_assert_int_eq(dir_entries(), 1);  /* no temporary, no new.st */

    /* success replaces the file by a rename */
    struct stat before, after;
    ck_assert(stat(path, &before) == 0);
    ck_assert_int_eq(nninit_st_save(path, &t, 1, NULL, NULL, NULL, 0), NNINIT_OK);
    ck_assert(stat(path, &after) == 0);
    ck_assert(before.st_ino != after.st_ino);
    ck_assert_int_eq(dir_entries(), 1);
}
END_TEST

START_TEST(test_bad_writer_input)
{
    const char *path = in_dir("w.st");
    write_bytes(path, "old contents", 12);
    float v[8] = { 0 };
    const int64_t s2[1] = { 2 }, neg[2] = { 2, -1 }, huge[2] = { (int64_t)1 << 60, 0 };
    nninit_tensor ok = tensor("a", NNINIT_F32, v, 1, s2);
    struct {
        const char *what;
        nninit_tensor t[2];
        size_t n;
        const char *const *meta;
        nninit_status want;
        const char *reason;
    } c[] = {
        { "duplicate names", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "duplicate tensor name \"a\"" },
        { "empty name", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "empty name" },
        { "NULL name", { ok, ok }, 2, NULL, NNINIT_E_NULL, "NULL name" },
        { "reserved name", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "reserved" },
        { "non-UTF-8 name", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "not valid UTF-8" },
        { "nbytes too small", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "nbytes 4" },
        { "unknown dtype", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "unknown dtype 9" },
        { "ndim 9", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "ndim 9" },
        { "negative size", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "bad shape" },
        { "size above 2^53", { ok, ok }, 2, NULL, NNINIT_E_PARAM, "above 2^53" },
        { "NULL data", { ok, ok }, 2, NULL, NNINIT_E_NULL, "NULL data" },
        { "duplicate metadata", { ok }, 1, (const char *const[]){ "k", "1", "k", "2", NULL }, NNINIT_E_PARAM,
          "duplicate metadata key \"k\"" },
        { "NULL metadata value", { ok }, 1, (const char *const[]){ "k", NULL, NULL }, NNINIT_E_NULL, "NULL value" },
    };
    c[1].t[1].name = "";
    c[2].t[1].name = NULL;
    c[3].t[1].name = "__metadata__";
    c[4].t[1].name = "b\xc0\xaf";
    c[5].t[1].name = "b";
    c[5].t[1].nbytes = 4;
    c[6].t[1].name = "b";
    c[6].t[1].dtype = (nninit_dtype)9;
    c[7].t[1].name = "b";
    c[7].t[1].ndim = 9;
    c[8].t[1] = tensor("b", NNINIT_F32, v, 0, NULL);
    c[8].t[1].ndim = 2;
    memcpy(c[8].t[1].shape, neg, sizeof neg);
    c[9].t[1] = tensor("b", NNINIT_F32, NULL, 2, huge);
    c[10].t[1].name = "b";
    c[10].t[1].data = NULL;
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        char msg[256];
        nninit_status st = nninit_st_save(path, c[k].t, c[k].n, c[k].meta, NULL, msg, sizeof msg);
        ck_assert_msg(st == c[k].want, "%s: %s (%s)", c[k].what, nninit_status_str(st), msg);
        ck_assert_msg(strstr(msg, c[k].reason) != NULL, "%s: message \"%s\"", c[k].what, msg);
        size_t len;
        unsigned char *b = nt_read_file(path, &len);
        ck_assert_msg(len == 12 && memcmp(b, "old contents", 12) == 0, "%s: the file changed", c[k].what);
        free(b);
        ck_assert_int_eq(dir_entries(), 1);
    }
    ck_assert_int_eq(nninit_st_save(NULL, &ok, 1, NULL, NULL, NULL, 0), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_st_save(path, NULL, 1, NULL, NULL, NULL, 0), NNINIT_E_NULL);
    errno = 0;
    ck_assert_int_eq(nninit_st_save("", &ok, 1, NULL, NULL, NULL, 0), NNINIT_E_IO);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(nninit_st_save(in_dir("missing/x.st"), &ok, 1, NULL, NULL, NULL, 0), NNINIT_E_IO);
}
END_TEST

/* A library fill of several MiB round-trips bit for bit. */
START_TEST(test_large)
{
    size_t n = (size_t)1 << 20;
    float *w = malloc(n * sizeof *w);
    uint16_t *h = malloc(n * sizeof *h);
    ck_assert(w && h);
    nninit_rng rng = { 3, nninit_stream_id("w") };
    ck_assert_int_eq(nninit_normal(w, NNINIT_F32, n, 0, 1, rng, 0), NNINIT_OK);
    ck_assert_int_eq(nninit_normal(h, NNINIT_BF16, n, 0, 1, rng, 0), NNINIT_OK);
    const int64_t s[2] = { 1024, 1024 };
    nninit_tensor t[2] = { tensor("h", NNINIT_BF16, h, 2, s), tensor("w", NNINIT_F32, w, 2, s) };
    ck_assert_int_eq(nninit_st_save(in_dir("big.st"), t, 2, NULL, NULL, NULL, 0), NNINIT_OK);
    check_file(in_dir("big.st"), t, 2, NULL);
    free(w);
    free(h);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("safetensors");
    TCase *tc = nt_tcase("safetensors");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_round_trip_dtypes_and_shapes);
    tcase_add_test(tc, test_layout_and_exact_bytes);
    tcase_add_test(tc, test_escaping);
    tcase_add_test(tc, test_foreign_dtypes);
    tcase_add_test(tc, test_base_image_is_valid);
    tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_dev_null_and_stdout);
    tcase_add_test(tc, test_atomic);
    tcase_add_test(tc, test_bad_writer_input);
    tcase_add_test(tc, test_large);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
