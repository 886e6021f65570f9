/* safetensors: the format's dtypes, and the reader (the writer: st_write.c).
 *
 * The format (huggingface/safetensors, "Format" in its README): an 8-byte
 * little-endian unsigned header length N, N bytes of UTF-8 JSON, then the
 * byte buffer. The JSON is an object; "__metadata__" (optional) maps strings
 * to strings, every other key is a tensor name mapping to
 *   {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
 * with offsets relative to the byte buffer. The tensors tile the buffer
 * exactly: no overlap, no hole, nothing left over.
 *
 * The reader trusts nothing: every check listed in nninit.h runs before
 * a handle is returned, so accessors never fail on a handle they are given. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "io.h"

/* The reference implementation refuses headers over 100 MB; so do we, which
 * also bounds the allocation a hostile length field can cause. */
#define ST_HEADER_MAX 100000000u
#define ST_META_KEY "__metadata__"

/* ---- dtypes ---------------------------------------------------------------
 * Every dtype the format defines, with its size in bits (F4 and F6 pack
 * below a byte). Only four have an nninit_dtype; the rest are listed so a
 * valid file with, say, an I64 step counter opens, and nninit_st_tensor says
 * NNINIT_E_DTYPE for them. */
typedef struct {
    const char *name;
    unsigned bits;
    int dtype;  /* nninit_dtype, or -1 */
} st_dtype;

static const st_dtype st_dtypes[] = {
    { "F32", 32, NNINIT_F32 },   { "F64", 64, NNINIT_F64 },     { "BF16", 16, NNINIT_BF16 },
    { "F16", 16, NNINIT_F16 },   { "BOOL", 8, -1 },             { "U8", 8, -1 },
    { "I8", 8, -1 },             { "I16", 16, -1 },             { "U16", 16, -1 },
    { "I32", 32, -1 },           { "U32", 32, -1 },             { "I64", 64, -1 },
    { "U64", 64, -1 },           { "F8_E4M3", 8, -1 },          { "F8_E5M2", 8, -1 },
    { "F8_E8M0", 8, -1 },        { "F6_E2M3", 6, -1 },          { "F6_E3M2", 6, -1 },
    { "F4", 4, -1 },             { "C64", 64, -1 },
};
#define ST_N_DTYPES (sizeof st_dtypes / sizeof st_dtypes[0])

const char *nninit_st_dtype_name_(nninit_dtype dtype)
{
    for (size_t i = 0; i < ST_N_DTYPES; i++)
        if (st_dtypes[i].dtype == (int)dtype) return st_dtypes[i].name;
    return NULL;
}

/* ---- reader -------------------------------------------------------------------- */
typedef struct {
    char *name;
    const st_dtype *dt;
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS];
    uint64_t begin, end;
    const unsigned char *base;  /* the byte buffer of the file holding it */
} st_entry;

struct nninit_st_file {
    void *map;                  /* nninit_st_open of a regular file: the mapping */
    size_t map_len;
    int fd;                     /* the mapped file, read with pread (nninit_st_read_); -1 if none */
    char *path;                 /* nninit_st_open's path (NULL for a memory image) */
    const unsigned char *data;  /* the byte buffer after the header */
    uint64_t data_len;
    size_t count;
    st_entry *t;                /* header order */
    size_t *by_name;            /* indices sorted by name (nninit_st_find) */
    size_t n_meta;
    char **meta;                /* key, value, key, value, ... */
    nninit_st_file **shards;    /* a sharded checkpoint: the files its entries point into */
    size_t nshards;
};

static void st_free(nninit_st_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->count; i++) free(f->t[i].name);
    for (size_t i = 0; i < 2 * f->n_meta; i++) free(f->meta[i]);
    free(f->t);
    free(f->by_name);
    free(f->meta);
    if (f->map) munmap(f->map, f->map_len);
    if (f->fd >= 0) close(f->fd);
    free(f->path);
    for (size_t k = 0; k < f->nshards; k++) st_free(f->shards[k]);
    free(f->shards);
    free(f);
}

/* A name fit for a message: at most ~60 bytes, control characters escaped,
 * never cut inside a UTF-8 sequence (names are checked UTF-8 before they are
 * shown this way). */
static const char *shown(const char *s, char buf[96])
{
    size_t o = 0, i = 0;
    while (s[i] && o < 60) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, 96 - o, "\\x%02x", c);
            i++;
            continue;
        }
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        memcpy(buf + o, s + i, n);
        o += n;
        i += n;
    }
    if (s[i]) { memcpy(buf + o, "...", 3); o += 3; }
    buf[o] = '\0';
    return buf;
}

/* Every string in the header is checked as UTF-8 where it is used; what
 * cJSON cannot show us is checked on the raw text first: a control character
 * (raw, or escaped as \u0000, which cJSON would silently cut the string at)
 * inside a string. Returns the offset of the offence, or len. */
static size_t raw_string_check(const char *h, size_t len, const char **why)
{
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!in) {
            if (c == '"') in = 1;
            continue;
        }
        if (c == '"') in = 0;
        else if (c < 0x20) { *why = "a raw control character inside a string"; return i; }
        else if (c == '\\') {
            if (i + 5 < len && h[i + 1] == 'u' && memcmp(h + i + 2, "0000", 4) == 0) {
                *why = "a NUL character (\\u0000) inside a string";
                return i;
            }
            i++;  /* the escaped character cannot end the string */
        }
    }
    return len;
}

/* A JSON number that is an exact non-negative integer JSON readers agree on. */
static int json_uint(const cJSON *v, uint64_t *out)
{
    int64_t i;
    if (!nninit_json_int_(v, 0, NNINIT_JSON_INT_MAX_, &i)) return 0;
    *out = (uint64_t)i;
    return 1;
}

/* qsort has no context argument: the entries travel with the indices. */
typedef struct {
    const st_entry *e;
    size_t idx;
} entry_ref;

static int cmp_ref_offsets(const void *a, const void *b)
{
    const entry_ref *x = a, *y = b;
    if (x->e->begin != y->e->begin) return x->e->begin < y->e->begin ? -1 : 1;
    if (x->e->end != y->e->end) return x->e->end < y->e->end ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_ref_names(const void *a, const void *b)
{
    const entry_ref *x = a, *y = b;
    int c = strcmp(x->e->name, y->e->name);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

#define BAD_FORMAT(...) RETURN_FAIL(NNINIT_E_FORMAT, __VA_ARGS__)

/* One tensor entry of the header into *e (name already set and checked). */
static nninit_status parse_entry(const cJSON *v, st_entry *e, uint64_t data_len, const char *what, char *msg,
                                 size_t msg_size)
{
    char nb[96];
    const char *nm = shown(e->name, nb);
    if (!cJSON_IsObject(v)) BAD_FORMAT("%s: tensor \"%s\": entry is not a JSON object", what, nm);
    const cJSON *dtype = NULL, *shape = NULL, *offs = NULL;
    for (const cJSON *c = v->child; c; c = c->next) {
        const cJSON **slot = NULL;
        if (c->string && strcmp(c->string, "dtype") == 0) slot = &dtype;
        else if (c->string && strcmp(c->string, "shape") == 0) slot = &shape;
        else if (c->string && strcmp(c->string, "data_offsets") == 0) slot = &offs;
        else {
            char fb[96];
            const char *f = c->string && nninit_utf8_ok_(c->string) ? shown(c->string, fb) : "(not UTF-8)";
            BAD_FORMAT("%s: tensor \"%s\": unknown field \"%s\"", what, nm, f);
        }
        if (*slot) BAD_FORMAT("%s: tensor \"%s\": duplicate field \"%s\"", what, nm, c->string);
        *slot = c;
    }
    if (!dtype) BAD_FORMAT("%s: tensor \"%s\": missing field \"dtype\"", what, nm);
    if (!shape) BAD_FORMAT("%s: tensor \"%s\": missing field \"shape\"", what, nm);
    if (!offs) BAD_FORMAT("%s: tensor \"%s\": missing field \"data_offsets\"", what, nm);

    if (!cJSON_IsString(dtype)) BAD_FORMAT("%s: tensor \"%s\": dtype is not a string", what, nm);
    for (size_t k = 0; k < ST_N_DTYPES && !e->dt; k++)
        if (strcmp(dtype->valuestring, st_dtypes[k].name) == 0) e->dt = &st_dtypes[k];
    if (!e->dt) {
        char db[96];
        BAD_FORMAT("%s: tensor \"%s\": unknown dtype \"%s\"", what, nm,
            nninit_utf8_ok_(dtype->valuestring) ? shown(dtype->valuestring, db) : "(not UTF-8)");
    }

    if (!cJSON_IsArray(shape)) BAD_FORMAT("%s: tensor \"%s\": shape is not an array", what, nm);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > NNINIT_MAX_DIMS) BAD_FORMAT("%s: tensor \"%s\": shape has %d dimensions, more than %d", what, nm, ndim,
                                    NNINIT_MAX_DIMS);
    e->ndim = ndim;
    uint64_t count = 1;
    int zero = 0, overflow = 0;
    int d = 0;
    for (const cJSON *c = shape->child; c; c = c->next, d++) {
        uint64_t s;
        if (!json_uint(c, &s))
            BAD_FORMAT("%s: tensor \"%s\": shape[%d] is not an integer in 0..2^53", what, nm, d);
        e->shape[d] = (int64_t)s;
        if (s == 0) zero = 1;
        else if (count > UINT64_MAX / s) overflow = 1;
        else count *= s;
    }
    if (zero) count = 0;
    else if (overflow) BAD_FORMAT("%s: tensor \"%s\": the element count of the shape overflows 64 bits", what, nm);
    if (count > UINT64_MAX / e->dt->bits)
        BAD_FORMAT("%s: tensor \"%s\": the byte size of the shape overflows 64 bits", what, nm);
    uint64_t bits = count * e->dt->bits;
    if (bits % 8) BAD_FORMAT("%s: tensor \"%s\": %" PRIu64 " %s elements do not fill whole bytes", what, nm, count,
                      e->dt->name);

    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        BAD_FORMAT("%s: tensor \"%s\": data_offsets is not an array of two integers", what, nm);
    if (!json_uint(offs->child, &e->begin) || !json_uint(offs->child->next, &e->end))
        BAD_FORMAT("%s: tensor \"%s\": data_offsets is not an array of two integers in 0..2^53", what, nm);
    if (e->begin > e->end)
        BAD_FORMAT("%s: tensor \"%s\": data_offsets [%" PRIu64 ", %" PRIu64 "] end before they begin", what, nm,
            e->begin, e->end);
    if (e->end > data_len)
        BAD_FORMAT("%s: tensor \"%s\": data_offsets [%" PRIu64 ", %" PRIu64 "] out of bounds: the data buffer has %" PRIu64
            " bytes", what, nm, e->begin, e->end, data_len);
    if (e->end - e->begin != bits / 8)
        BAD_FORMAT("%s: tensor \"%s\": data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64 " bytes, but shape and dtype "
            "%s need %" PRIu64, what, nm, e->begin, e->end, e->end - e->begin, e->dt->name, bits / 8);
    return NNINIT_OK;
}

static nninit_status parse_metadata(const cJSON *v, nninit_st_file *f, const char *what, char *msg, size_t msg_size)
{
    if (!cJSON_IsObject(v)) BAD_FORMAT("%s: \"" ST_META_KEY "\" is not a JSON object", what);
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n == 0) return NNINIT_OK;
    f->meta = calloc(2 * n, sizeof *f->meta);
    if (!f->meta) RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
    for (const cJSON *c = v->child; c; c = c->next) {
        char kb[96];
        if (!c->string || !nninit_utf8_ok_(c->string)) BAD_FORMAT("%s: a metadata key is not valid UTF-8", what);
        const char *k = shown(c->string, kb);
        if (!cJSON_IsString(c)) BAD_FORMAT("%s: metadata \"%s\": value is not a string", what, k);
        if (!nninit_utf8_ok_(c->valuestring)) BAD_FORMAT("%s: metadata \"%s\": value is not valid UTF-8", what, k);
        for (size_t j = 0; j < f->n_meta; j++)
            if (strcmp(f->meta[2 * j], c->string) == 0) BAD_FORMAT("%s: duplicate metadata key \"%s\"", what, k);
        char *key = strdup(c->string), *val = strdup(c->valuestring);
        if (key) f->meta[2 * f->n_meta] = key;
        if (val) f->meta[2 * f->n_meta + 1] = val;
        if (!key || !val) {
            free(key);
            free(val);
            f->meta[2 * f->n_meta] = f->meta[2 * f->n_meta + 1] = NULL;
            RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
        }
        f->n_meta++;
    }
    return NNINIT_OK;
}

static nninit_status parse_header(const cJSON *root, nninit_st_file *f, const char *what, char *msg,
                                  size_t msg_size)
{
    if (!cJSON_IsObject(root)) BAD_FORMAT("%s: the header is not a JSON object", what);
    size_t n = 0;
    const cJSON *meta = NULL;
    for (const cJSON *c = root->child; c; c = c->next) {
        if (c->string && strcmp(c->string, ST_META_KEY) == 0) {
            if (meta) BAD_FORMAT("%s: duplicate \"" ST_META_KEY "\"", what);
            meta = c;
        } else n++;
    }
    if (meta) FORWARD_IF_ERROR(parse_metadata(meta, f, what, msg, msg_size));
    if (n == 0) return NNINIT_OK;

    f->t = calloc(n, sizeof *f->t);
    f->by_name = malloc(n * sizeof *f->by_name);
    entry_ref *refs = malloc(n * sizeof *refs);
    if (!f->t || !f->by_name || !refs) {
        free(refs);
        RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
    }
    nninit_status st = NNINIT_OK;
    for (const cJSON *c = root->child; c && st == NNINIT_OK; c = c->next) {
        if (c == meta) continue;
        size_t i = f->count;
        if (!c->string || !c->string[0]) {
            st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: tensor %zu has an empty name", what, i);
            break;
        }
        size_t len = strlen(c->string), bad = nninit_utf8_check_((const unsigned char *)c->string, len);
        if (bad != len) {
            st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size,
                              "%s: tensor %zu: name is not valid UTF-8 (byte %zu of the name, 0x%02x)", what, i, bad,
                              (unsigned char)c->string[bad]);
            break;
        }
        f->t[i].name = strdup(c->string);
        if (!f->t[i].name) {
            st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "%s: out of memory", what);
            break;
        }
        f->count++;
        f->t[i].base = f->data;
        st = parse_entry(c, &f->t[i], f->data_len, what, msg, msg_size);
    }

    /* duplicate names: neighbours once sorted */
    if (st == NNINIT_OK) {
        for (size_t i = 0; i < n; i++) refs[i] = (entry_ref){ &f->t[i], i };
        qsort(refs, n, sizeof *refs, cmp_ref_names);
        for (size_t i = 0; i < n; i++) f->by_name[i] = refs[i].idx;
        for (size_t i = 1; i < n && st == NNINIT_OK; i++)
            if (strcmp(refs[i - 1].e->name, refs[i].e->name) == 0) {
                char nb[96];
                st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: duplicate tensor name \"%s\" (entries %zu and %zu)",
                                  what, shown(refs[i].e->name, nb), refs[i - 1].idx, refs[i].idx);
            }
    }

    /* the tensors must tile [0, data_len): sorted by offsets, each begins
     * where the previous one ended, and the last ends at the buffer's end */
    if (st == NNINIT_OK) {
        for (size_t i = 0; i < n; i++) refs[i] = (entry_ref){ &f->t[i], i };
        qsort(refs, n, sizeof *refs, cmp_ref_offsets);
        uint64_t pos = 0;
        const st_entry *prev = NULL;
        for (size_t i = 0; i < n && st == NNINIT_OK; i++) {
            const st_entry *e = refs[i].e;
            char nb[96], pb[96];
            if (e->begin < pos)
                st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size,
                                  "%s: tensor \"%s\": data_offsets [%" PRIu64 ", %" PRIu64 "] overlap tensor \"%s\" [%"
                                  PRIu64 ", %" PRIu64 "]", what, shown(e->name, nb), e->begin, e->end,
                                  shown(prev->name, pb), prev->begin, prev->end);
            else if (e->begin > pos)
                st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size,
                                  "%s: gap in the data buffer: bytes [%" PRIu64 ", %" PRIu64 ") belong to no tensor "
                                  "(before tensor \"%s\")", what, pos, e->begin, shown(e->name, nb));
            if (e->end > pos) {
                pos = e->end;
                prev = e;
            } else if (!prev) prev = e;
        }
        if (st == NNINIT_OK && pos != f->data_len)
            st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size,
                              "%s: gap in the data buffer: bytes [%" PRIu64 ", %" PRIu64 ") at its end belong to no tensor",
                              what, pos, f->data_len);
    }
    free(refs);
    return st;
}

/* Validates the image b[0..size) into f (whose map/owned fields the caller
 * has set). */
static nninit_status parse_image(const unsigned char *b, size_t size, nninit_st_file *f, const char *what, char *msg,
                                 size_t msg_size)
{
    if (size < 8) BAD_FORMAT("%s: %zu bytes, shorter than the 8-byte header length", what, size);
    uint64_t n = 0;
    for (int k = 7; k >= 0; k--) n = n << 8 | b[k];
    if (n == 0) BAD_FORMAT("%s: header length is 0 (the header must be a JSON object)", what);
    if (n > ST_HEADER_MAX)
        BAD_FORMAT("%s: header length %" PRIu64 " is absurd (the limit is %u bytes)", what, n, ST_HEADER_MAX);
    if (n > size - 8)
        BAD_FORMAT("%s: header length %" PRIu64 " runs past the end of the file (%zu bytes follow the length)", what, n,
            size - 8);
    const char *h = (const char *)b + 8;
    if (h[0] != '{') BAD_FORMAT("%s: the header does not start with '{'", what);
    const char *why = NULL;
    size_t at = raw_string_check(h, (size_t)n, &why);
    if (at != n) BAD_FORMAT("%s: header byte %zu: %s", what, at, why);
    f->data = b + 8 + n;
    f->data_len = size - 8 - n;

    /* cJSON reads a NUL-terminated copy: a length-bounded parse of bytes
     * we do not own would be one library bug away from reading past them. */
    char *copy = malloc((size_t)n + 1);
    if (!copy) RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
    memcpy(copy, h, (size_t)n);
    copy[n] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, (size_t)n, &end, 0);
    nninit_status st = NNINIT_OK;
    if (!root) {
        size_t pos = end && end >= copy && end <= copy + n ? (size_t)(end - copy) : 0;
        st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: the header is not valid JSON (near header byte %zu)",
                          what, pos);
    } else {
        size_t pos = end ? (size_t)(end - copy) : (size_t)n;
        while (pos < n && (copy[pos] == ' ' || copy[pos] == '\t' || copy[pos] == '\n' || copy[pos] == '\r')) pos++;
        if (pos < n)
            st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size,
                              "%s: the header is not valid JSON (text after the object at header byte %zu)", what, pos);
        else st = parse_header(root, f, what, msg, msg_size);
    }
    cJSON_Delete(root);
    free(copy);
    return st;
}

nninit_status nninit_st_open_memory(const void *bytes, size_t size, nninit_st_file **out, char *msg,
                                    size_t msg_size)
{
    if (msg && msg_size) msg[0] = '\0';
    if (!out) RETURN_FAIL(NNINIT_E_NULL, "safetensors: NULL output handle");
    *out = NULL;
    if (!bytes && size) RETURN_FAIL(NNINIT_E_NULL, "safetensors: NULL bytes");
    nninit_st_file *f = calloc(1, sizeof *f);
    if (!f) RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
    f->fd = -1;
    nninit_status st = parse_image(bytes ? bytes : "", size, f, "safetensors image", msg, msg_size);
    if (st != NNINIT_OK) {
        st_free(f);
        return st;
    }
    *out = f;
    return NNINIT_OK;
}

/* A regular file (or a symbolic link to one), mapped; the descriptor stays
 * open: the library's own reads of tensor data (loading, checking) go
 * through pread (nninit_st_read_), so a file truncated meanwhile is an
 * error, not a SIGBUS. The map serves the header and nninit_st_tensor. */
static nninit_status open_file(const char *path, nninit_st_file **out, char *msg, size_t msg_size)
{
    *out = NULL;
    char what[300];
    char pb[96];
    snprintf(what, sizeof what, "safetensors \"%s\"", nninit_utf8_ok_(path) ? shown(path, pb) : "(path not UTF-8)");

    const char *why;
    int fd = nninit_open_input_(path, &why);
    if (fd < 0) {
        int e = errno;
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "%s: cannot open: %s", what, why);
        errno = e;
        return NNINIT_E_IO;
    }
    nninit_st_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
    }
    f->fd = fd;
    struct stat st;
    const unsigned char *bytes = NULL;
    size_t size = 0;
    int e = 0;
    if (!(f->path = strdup(path))) e = ENOMEM;
    else if (fstat(fd, &st) != 0) e = errno;
    else {
        if ((uint64_t)st.st_size > SIZE_MAX) e = EFBIG;
        size = (size_t)st.st_size;
        if (!e && size >= 8) {
            void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) e = errno;
            else {
                f->map = m;
                f->map_len = size;
                bytes = m;
            }
        } else if (!e) bytes = (const unsigned char *)"";  /* too short: parse_image says so */
    }
    if (e) {
        st_free(f);
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "%s: cannot read: %s", what, strerror(e));
        errno = e;
        return NNINIT_E_IO;
    }
    nninit_status s = parse_image(bytes, size, f, what, msg, msg_size);
    if (s != NNINIT_OK) {
        st_free(f);
        return s;
    }
    *out = f;
    return NNINIT_OK;
}

/* ---- sharded checkpoints ------------------------------------------------------------
 * A Hugging Face index (model.safetensors.index.json): {"metadata": {...},
 * "weight_map": {tensor: file}}, the files beside the index. The handle is
 * one view of every shard: entries in the order of the files' first mention
 * in the weight map, each file's in its header order; the metadata is the
 * first such file's. Every tensor of the weight map must be in its file and
 * every tensor of a file in the weight map under that file's name. */
#define INDEX_MAX ((size_t)NNINIT_ST_INDEX_MAX_BYTES)

static nninit_status read_small(const char *path, const char *what, char **text, char *msg, size_t msg_size)
{
    const char *why;
    char *buf;
    size_t n;
    int opened;
    if (nninit_read_input_(path, 0, INDEX_MAX, &buf, &n, &opened, &why) != 0) {
        int e = errno;
        if (e == EFBIG) BAD_FORMAT("%s: larger than %zu bytes", what, INDEX_MAX);
        if (e == ENOMEM) RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "%s: cannot %s: %s", what, opened ? "read" : "open", why);
        errno = e;
        return NNINIT_E_IO;
    }
    if (strlen(buf) != n) { free(buf); BAD_FORMAT("%s: a NUL byte in the JSON", what); }
    *text = buf;
    return NNINIT_OK;
}

/* A file name an index may give: a plain name in the index's directory. */
static int plain_name(const char *s)
{
    return s[0] && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/') && nninit_utf8_ok_(s);
}

/* Moves shard k's entries (and the first shard's metadata) into m. */
static void take_entries(nninit_st_file *m, nninit_st_file *sh, int first)
{
    for (size_t i = 0; i < sh->count; i++) m->t[m->count++] = sh->t[i];
    sh->count = 0;   /* the names are m's now */
    if (first) {
        m->meta = sh->meta;
        m->n_meta = sh->n_meta;
        sh->meta = NULL;
        sh->n_meta = 0;
    }
}

static nninit_status merge_shards(nninit_st_file *m, const cJSON *wm, const char *const *files, const char *what,
                                  char *msg, size_t msg_size)
{
    size_t total = 0;
    for (size_t k = 0; k < m->nshards; k++) total += m->shards[k]->count;
    m->t = calloc(total ? total : 1, sizeof *m->t);
    m->by_name = malloc((total ? total : 1) * sizeof *m->by_name);
    if (!m->t || !m->by_name) RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
    /* every weight_map entry is in the file it names */
    size_t listed = 0;
    for (const cJSON *c = wm->child; c; c = c->next, listed++) {
        size_t k = 0;
        while (strcmp(files[k], c->valuestring) != 0) k++;
        char nb[96];
        if (nninit_st_find(m->shards[k], c->string) < 0)
            BAD_FORMAT("%s: weight_map puts tensor \"%s\" in %s, which does not hold it", what, shown(c->string, nb),
                files[k]);
    }
    for (size_t k = 0; k < m->nshards; k++) {
        /* and every tensor of a file is listed, under that file */
        const nninit_st_file *sh = m->shards[k];
        for (size_t i = 0; i < sh->count; i++) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(wm, sh->t[i].name);
            char nb[96];
            if (!e || strcmp(e->valuestring, files[k]) != 0)
                BAD_FORMAT("%s: %s holds tensor \"%s\", which the weight_map %s", what, files[k], shown(sh->t[i].name, nb),
                    e ? "puts in another file" : "does not list");
        }
        take_entries(m, m->shards[k], k == 0);
    }
    if (m->count != listed) BAD_FORMAT("%s: the weight_map lists a tensor twice", what);
    entry_ref *refs = malloc((m->count ? m->count : 1) * sizeof *refs);
    if (!refs) RETURN_FAIL(NNINIT_E_NOMEM, "%s: out of memory", what);
    for (size_t i = 0; i < m->count; i++) refs[i] = (entry_ref){ &m->t[i], i };
    if (m->count) qsort(refs, m->count, sizeof *refs, cmp_ref_names);
    for (size_t i = 0; i < m->count; i++) m->by_name[i] = refs[i].idx;
    free(refs);
    return NNINIT_OK;
}

static nninit_status open_index(const char *path, nninit_st_file **out, char *msg, size_t msg_size)
{
    *out = NULL;
    char what[300], pb[96];
    snprintf(what, sizeof what, "sharded checkpoint \"%s\"", nninit_utf8_ok_(path) ? shown(path, pb) : "(path not UTF-8)");
    char *text = NULL;
    FORWARD_IF_ERROR(read_small(path, what, &text, msg, msg_size));
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    free(text);
    if (!root) BAD_FORMAT("%s: not valid JSON", what);
    nninit_status st = NNINIT_OK;
    const cJSON *wm = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    if (!cJSON_IsObject(root)) st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: not a JSON object", what);
    else if (!cJSON_IsObject(wm))
        st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: no \"weight_map\" object", what);
    else if (meta && !cJSON_IsObject(meta))
        st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: \"metadata\" is not an object", what);
    /* the files, in the order of their first mention */
    size_t nfiles = 0, n = st == NNINIT_OK ? (size_t)cJSON_GetArraySize(wm) : 0;
    const char **files = calloc(n ? n : 1, sizeof *files);
    if (st == NNINIT_OK && !files) st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "%s: out of memory", what);
    for (const cJSON *c = st == NNINIT_OK ? wm->child : NULL; c && st == NNINIT_OK; c = c->next) {
        char nb[96];
        if (!c->string || !nninit_utf8_ok_(c->string))
            st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: a weight_map name is not valid UTF-8", what);
        else if (!cJSON_IsString(c) || !plain_name(c->valuestring))
            st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "%s: weight_map \"%s\": not the name of a file beside "
                              "the index", what, shown(c->string, nb));
        size_t k = 0;
        while (st == NNINIT_OK && k < nfiles && strcmp(files[k], c->valuestring) != 0) k++;
        if (st == NNINIT_OK && k == nfiles) files[nfiles++] = c->valuestring;
    }
    nninit_st_file *m = st == NNINIT_OK ? calloc(1, sizeof *m) : NULL;
    if (st == NNINIT_OK && !m) st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "%s: out of memory", what);
    if (m) m->fd = -1;
    if (m && !(m->shards = calloc(nfiles ? nfiles : 1, sizeof *m->shards)))
        st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "%s: out of memory", what);
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    for (size_t k = 0; st == NNINIT_OK && k < nfiles; k++) {
        size_t len = dir_len + strlen(files[k]) + 1;
        char *fp = malloc(len);
        if (!fp) { st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "%s: out of memory", what); break; }
        snprintf(fp, len, "%.*s%s", (int)dir_len, path, files[k]);
        st = open_file(fp, &m->shards[k], msg, msg_size);
        free(fp);
        if (st == NNINIT_OK) m->nshards++;
    }
    if (st == NNINIT_OK) st = merge_shards(m, wm, files, what, msg, msg_size);
    free(files);
    cJSON_Delete(root);
    if (st != NNINIT_OK) { st_free(m); return st; }
    *out = m;
    return NNINIT_OK;
}

nninit_status nninit_st_open(const char *path, nninit_st_file **out, char *msg, size_t msg_size)
{
    if (msg && msg_size) msg[0] = '\0';
    if (!out) RETURN_FAIL(NNINIT_E_NULL, "safetensors: NULL output handle");
    *out = NULL;
    if (!path) RETURN_FAIL(NNINIT_E_NULL, "safetensors: NULL path");
    size_t len = strlen(path);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        /* a checkpoint directory: its model.safetensors, else its index (the
         * order of transformers' from_pretrained, which looks for the single
         * file before the index) */
        char *p = malloc(len + sizeof "/" NNINIT_SHARD_INDEX_);
        if (!p) RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
        snprintf(p, len + sizeof "/" NNINIT_SHARD_INDEX_, "%s/" NNINIT_SHARD_SINGLE_, path);
        int has_single = access(p, F_OK) == 0;
        if (!has_single) snprintf(p, len + sizeof "/" NNINIT_SHARD_INDEX_, "%s/" NNINIT_SHARD_INDEX_, path);
        nninit_status st;
        if (has_single) st = open_file(p, out, msg, msg_size);
        else if (access(p, F_OK) == 0) st = open_index(p, out, msg, msg_size);
        else {
            char pb[96];
            st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "safetensors \"%s\": a directory with neither "
                              NNINIT_SHARD_SINGLE_ " nor " NNINIT_SHARD_INDEX_, nninit_utf8_ok_(path) ? shown(path, pb) : "?");
            errno = ENOENT;
        }
        free(p);
        if (st == NNINIT_OK && !(*out)->path && !((*out)->path = strdup(path))) {
            st_free(*out);
            *out = NULL;
            RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
        }
        return st;
    }
    if (len >= 5 && strcmp(path + len - 5, ".json") == 0) {
        nninit_status st = open_index(path, out, msg, msg_size);
        if (st == NNINIT_OK && !((*out)->path = strdup(path))) {
            st_free(*out);
            *out = NULL;
            RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
        }
        return st;
    }
    return open_file(path, out, msg, msg_size);
}

void nninit_st_close(nninit_st_file *file) { st_free(file); }

/* The file whose mapping holds [p, p + n), or NULL. */
static const nninit_st_file *mapped_at(const nninit_st_file *f, const unsigned char *p, size_t n)
{
    for (size_t k = 0; k < f->nshards; k++) {
        const nninit_st_file *g = mapped_at(f->shards[k], p, n);
        if (g) return g;
    }
    const unsigned char *lo = (const unsigned char *)f->map;
    if (f->map && f->fd >= 0 && p >= lo && (size_t)(p - lo) <= f->map_len && n <= f->map_len - (size_t)(p - lo))
        return f;
    return NULL;
}

int nninit_st_read_(const nninit_st_file *f, const void *p, void *dst, size_t n)
{
    const nninit_st_file *g = mapped_at(f, (const unsigned char *)p, n);
    if (!g) {
        memcpy(dst, p, n);   /* a memory image: the caller's bytes */
        return 0;
    }
    uint64_t off = (uint64_t)((const unsigned char *)p - (const unsigned char *)g->map);
    unsigned char *d = (unsigned char *)dst;
    while (n > 0) {
        ssize_t r = pread(g->fd, d, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) { errno = ESTALE; return -1; }   /* shorter than when it was opened */
        d += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return 0;
}

const char *nninit_st_path_(const nninit_st_file *f) { return f->path; }

uint64_t nninit_st_index_max_bytes(void) { return NNINIT_ST_INDEX_MAX_BYTES; }

size_t nninit_st_count(const nninit_st_file *file) { return file ? file->count : 0; }

nninit_status nninit_st_tensor(const nninit_st_file *file, size_t i, nninit_tensor *out)
{
    RETURN_ERROR_IF(!file || !out, NNINIT_E_NULL);
    RETURN_ERROR_IF(i >= file->count, NNINIT_E_PARAM);
    const st_entry *e = &file->t[i];
    memset(out, 0, sizeof *out);
    out->name = e->name;
    /* a dtype nninit has no enum for: a value no nninit_dtype has */
    out->dtype = e->dt->dtype >= 0 ? (nninit_dtype)e->dt->dtype : (nninit_dtype)-1;
    out->ndim = e->ndim;
    memcpy(out->shape, e->shape, sizeof e->shape);
    out->data = e->base + e->begin;
    out->nbytes = (size_t)(e->end - e->begin);
    return e->dt->dtype >= 0 ? NNINIT_OK : NNINIT_E_DTYPE;
}

long nninit_st_find(const nninit_st_file *file, const char *name)
{
    if (!file || !name) return -1;
    size_t lo = 0, hi = file->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(file->t[file->by_name[mid]].name, name);
        if (c == 0) return (long)file->by_name[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

const char *nninit_st_metadata(const nninit_st_file *file, const char *key)
{
    if (!file || !key) return NULL;
    for (size_t j = 0; j < file->n_meta; j++)
        if (strcmp(file->meta[2 * j], key) == 0) return file->meta[2 * j + 1];
    return NULL;
}
