/* Bulk initialization: nninit_model_init equals a direct nninit_init of every
 * tensor for any thread count and destination (caller buffers, arena); progress
 * reports; the arena's layout; nninit_model_init_from (loading, conversion,
 * renames, shape mismatches, unreadable dtypes); failures write nothing. */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "testutil.h"

/* Rules, explicit inits, every dtype, structured schemes, an empty tensor, a
 * scalar, small tensors that share units and large ones spanning several
 * (units are 2^20 elements). */
static const char *const k_model =
    "{\"seed\": 1234, \"dtype\": \"f32\","
    " \"rules\": {\"*.bias\": \"zeros\", \"*.weight\": \"kaiming_normal(nonlinearity=relu)\"},"
    " \"tensors\": ["
    "  {\"name\": \"emb.weight\", \"shape\": [1000, 2500], \"init\": \"normal(std=0.02)\"},"
    "  {\"name\": \"fc1.weight\", \"shape\": [300, 1024]},"
    "  {\"name\": \"fc1.bias\", \"shape\": [300]},"
    "  {\"name\": \"fc2.weight\", \"shape\": [700, 900], \"dtype\": \"bf16\", \"init\": \"trunc_normal(std=0.02)\"},"
    "  {\"name\": \"fc2.bias\", \"shape\": [700], \"dtype\": \"f16\", \"init\": \"uniform(low=-0.1, high=0.1)\"},"
    "  {\"name\": \"head.weight\", \"shape\": [1100, 1000], \"dtype\": \"f64\", \"init\": \"xavier_uniform\"},"
    "  {\"name\": \"rnn.weight\", \"shape\": [96, 64], \"init\": \"orthogonal\"},"
    "  {\"name\": \"sp.weight\", \"shape\": [50, 40], \"dtype\": \"f16\", \"init\": \"sparse(sparsity=0.3)\"},"
    "  {\"name\": \"eye.weight\", \"shape\": [30, 40], \"dtype\": \"bf16\", \"init\": \"eye\"},"
    "  {\"name\": \"conv.weight\", \"shape\": [8, 8, 3, 3], \"init\": \"dirac\"},"
    "  {\"name\": \"scale\", \"shape\": [], \"init\": \"constant(value=0.5)\"},"
    "  {\"name\": \"empty.weight\", \"shape\": [0, 5]},"
    "  {\"name\": \"ln.weight\", \"shape\": [333], \"dtype\": \"f16\", \"init\": \"ones\"},"
    "  {\"name\": \"t0.bias\", \"shape\": [97], \"dtype\": \"f64\", \"init\": \"normal(mean=1, std=2)\"},"
    "  {\"name\": \"t1.weight\", \"shape\": [5, 7], \"init\": \"trunc_normal_sigma(std=0.5)\"},"
    "  {\"name\": \"t2.weight\", \"shape\": [3, 3], \"dtype\": \"bf16\", \"init\": \"lecun_uniform\"}"
    " ]}";

static nninit_model *parse(const char *json)
{
    nninit_model *m = NULL;
    char msg[256];
    nninit_status st = nninit_model_parse(json, strlen(json), &m, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "parse: %s", msg);
    return m;
}

/* Caller buffers, one per tensor, filled with a sentinel byte. */
typedef struct { size_t n; void **p; size_t *bytes; } bufs;

static bufs bufs_new(const nninit_model *m, unsigned char fill)
{
    bufs b;
    b.n = nninit_model_count(m);
    b.p = calloc(b.n, sizeof *b.p);
    b.bytes = calloc(b.n, sizeof *b.bytes);
    for (size_t i = 0; i < b.n; i++) {
        nninit_model_tensor t;
        ck_assert_int_eq(nninit_model_tensor_info(m, i, &t), NNINIT_OK);
        b.bytes[i] = t.nbytes;
        b.p[i] = malloc(t.nbytes ? t.nbytes : 1);
        memset(b.p[i], fill, t.nbytes);
    }
    return b;
}
static void bufs_free(bufs *b)
{
    for (size_t i = 0; i < b->n; i++) free(b->p[i]);
    free(b->p); free(b->bytes);
}
static int all_bytes(const void *p, size_t n, unsigned char v)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) if (c[i] != v) return 0;
    return 1;
}

/* Tensor i initialized directly, the way CONTRACT.md defines it. */
static void *direct(const nninit_model *m, size_t i)
{
    nninit_model_tensor t;
    ck_assert_int_eq(nninit_model_tensor_info(m, i, &t), NNINIT_OK);
    nninit_rng rng = { nninit_model_seed(m), nninit_stream_id(t.name) };
    ck_assert(t.rng.seed == rng.seed && t.rng.stream == rng.stream);
    void *ref = malloc(t.nbytes ? t.nbytes : 1);
    ck_assert_int_eq(nninit_init(ref, t.dtype, t.shape, t.ndim, t.init, rng), NNINIT_OK);
    return ref;
}

static void check_equal_direct(const nninit_model *m, void *const *dst, const char *what)
{
    for (size_t i = 0; i < nninit_model_count(m); i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(m, i, &t);
        void *ref = direct(m, i);
        ck_assert_msg(memcmp(ref, dst[i], t.nbytes) == 0, "%s: tensor %s differs from nninit_init", what, t.name);
        free(ref);
    }
}

START_TEST(matches_direct_any_threads)
{
    nninit_model *m = parse(k_model);
    for (int threads = 1; threads <= 3; threads++) {
        bufs b = bufs_new(m, 0xAB);
        nninit_run_options opt = { .threads = threads };
        char msg[256];
        nninit_status st = nninit_model_init(m, b.p, &opt, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "%s", msg);
        ck_assert_str_eq(msg, "");
        char what[32];
        snprintf(what, sizeof what, "%d threads", threads);
        check_equal_direct(m, b.p, what);
        bufs_free(&b);
    }
    /* NULL options: the OpenMP default */
    bufs b = bufs_new(m, 0);
    ck_assert_int_eq(nninit_model_init(m, b.p, NULL, NULL, 0), NNINIT_OK);
    check_equal_direct(m, b.p, "default threads");
    bufs_free(&b);
    nninit_model_free(m);
}
END_TEST

START_TEST(arena_layout_and_fill)
{
    nninit_model *m = parse(k_model);
    nninit_arena *a = NULL;
    ck_assert_int_eq(nninit_arena_create(m, &a), NNINIT_OK);
    void *const *p = nninit_arena_pointers(a);
    size_t n = nninit_model_count(m);
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(m, i, &t);
        ck_assert_ptr_eq(p[i], nninit_arena_tensor(a, i));
        ck_assert_msg(((uintptr_t)p[i] & 63) == 0, "tensor %s not 64-byte aligned", t.name);
        if (t.nbytes >= ((size_t)1 << 20)) ck_assert(((uintptr_t)p[i] & 4095) == 0);
        if (i > 0) {   /* in spec order, without overlap */
            nninit_model_tensor u;
            nninit_model_tensor_info(m, i - 1, &u);
            ck_assert((uintptr_t)p[i - 1] + u.nbytes <= (uintptr_t)p[i]);
        }
    }
    ck_assert_ptr_null(nninit_arena_tensor(a, n));
    nninit_run_options opt = { .threads = 2 };
    ck_assert_int_eq(nninit_model_init(m, p, &opt, NULL, 0), NNINIT_OK);
    check_equal_direct(m, p, "arena");
    nninit_arena_free(a);
    nninit_arena_free(NULL);
    ck_assert_int_eq(nninit_arena_create(NULL, &a), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_arena_create(m, NULL), NNINIT_E_NULL);
    nninit_model_free(m);
}
END_TEST

/* ---- progress ---------------------------------------------------------------- */
typedef struct {
    atomic_int inside;
    int overlapped, calls, decreased;
    nninit_progress last;
} prog_log;

static void on_progress(void *ctx, const nninit_progress *p)
{
    prog_log *l = ctx;
    if (atomic_fetch_add(&l->inside, 1) != 0) l->overlapped = 1;
    usleep(2000);   /* widens the window a concurrent call would need */
    if (l->calls && (p->bytes_done < l->last.bytes_done || p->tensors_done < l->last.tensors_done)) l->decreased = 1;
    l->last = *p;
    l->calls++;
    atomic_fetch_sub(&l->inside, 1);
}

START_TEST(progress_reports)
{
    nninit_model *m = parse(k_model);
    for (int threads = 1; threads <= 3; threads += 2) {
        prog_log l;
        memset(&l, 0, sizeof l);
        atomic_init(&l.inside, 0);
        bufs b = bufs_new(m, 0);
        nninit_run_options opt = { .threads = threads, .progress = on_progress, .progress_ctx = &l };
        ck_assert_int_eq(nninit_model_init(m, b.p, &opt, NULL, 0), NNINIT_OK);
        ck_assert_int_ge(l.calls, 1);
        ck_assert(!l.overlapped);
        ck_assert(!l.decreased);
        ck_assert_uint_eq(l.last.tensors_total, nninit_model_count(m));
        ck_assert_uint_eq(l.last.tensors_done, l.last.tensors_total);
        ck_assert_uint_eq(l.last.bytes_total, nninit_model_bytes(m));
        ck_assert_uint_eq(l.last.bytes_done, l.last.bytes_total);
        bufs_free(&b);
    }
    nninit_model_free(m);
}
END_TEST

/* ---- failures write nothing ----------------------------------------------------- */
START_TEST(errors_dtype_range)
{
    nninit_model *m = parse("{\"seed\": 1, \"tensors\": ["
                            " {\"name\": \"a\", \"shape\": [3000000], \"init\": \"normal\"},"
                            " {\"name\": \"w\", \"shape\": [8, 8], \"init\": \"orthogonal\"},"
                            " {\"name\": \"c\", \"shape\": [10], \"dtype\": \"f16\", \"init\": \"constant(value=100000)\"}]}");
    bufs b = bufs_new(m, 0x5A);
    char msg[256];
    ck_assert_int_eq(nninit_model_init(m, b.p, NULL, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_msg(strstr(msg, "'c'") != NULL, "message: %s", msg);
    for (size_t i = 0; i < b.n; i++) ck_assert(all_bytes(b.p[i], b.bytes[i], 0x5A));
    /* a NULL destination is found before anything is written too */
    nninit_model_set_dtype(m, NNINIT_F32);
    void *keep = b.p[1];
    b.p[1] = NULL;
    ck_assert_int_eq(nninit_model_init(m, b.p, NULL, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_msg(strstr(msg, "'w'") != NULL, "message: %s", msg);
    b.p[1] = keep;
    for (size_t i = 0; i < b.n; i++) ck_assert(all_bytes(b.p[i], b.bytes[i], 0x5A));
    ck_assert_int_eq(nninit_model_init(m, NULL, NULL, NULL, 0), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_model_init(NULL, b.p, NULL, NULL, 0), NNINIT_E_NULL);
    bufs_free(&b);
    nninit_model_free(m);
}
END_TEST

/* ---- pretrained weights ------------------------------------------------------------ */
static int idx(const nninit_model *m, const char *name)
{
    for (size_t i = 0; i < nninit_model_count(m); i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(m, i, &t);
        if (!strcmp(t.name, name)) return (int)i;
    }
    ck_abort_msg("no tensor %s", name);
    return -1;
}

/* Nearest-even rounding of a binary64 to f16, from the candidates around
 * the binary32 rounding, compared in binary64 (no double rounding). */
static uint16_t round_f16_from_f64(double x)
{
    uint16_t c = nt_round16((float)x, 0), best = c;
    if ((c & 0x7FFF) >= 0x7BFF) return c;   /* the largest finite or infinity: as binary32 decided */
    double bd = fabs((double)nt_f16_to_f32(c) - x);
    for (int d = -1; d <= 1; d += 2) {
        uint16_t h = (uint16_t)(c + d);
        double e = fabs((double)nt_f16_to_f32(h) - x);
        if (e < bd || (e == bd && !(h & 1))) { best = h; bd = e; }
    }
    return best;
}

static char g_path[64];

static const nninit_st_file *write_ckpt(const nninit_tensor *t, size_t n, nninit_st_file **f)
{
    strcpy(g_path, "/tmp/nninit_test_bulk_XXXXXX");
    int fd = mkstemp(g_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char msg[256];
    ck_assert_msg(nninit_st_save(g_path, t, n, NULL, NULL, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_msg(nninit_st_open(g_path, f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    unlink(g_path);
    return *f;
}

START_TEST(init_from_checkpoint)
{
    nninit_model *m = parse(k_model);
    const int iemb = idx(m, "emb.weight"), ifc2 = idx(m, "fc2.weight"), ib2 = idx(m, "fc2.bias"),
              ib1 = idx(m, "fc1.bias"), iw1 = idx(m, "fc1.weight");
    /* checkpoint: emb.weight as is (f32, several units), fc2.weight as f32 for
     * a bf16 tensor, fc2.bias as f64 for an f16 tensor, fc1.bias under an old
     * name, an unused tensor, and fc1.weight with another shape. */
    size_t nemb = 1000 * 2500, nfc2 = 700 * 900;
    float *emb = malloc(nemb * 4), *fc2 = malloc(nfc2 * 4), b1[300];
    double b2[700];
    for (size_t i = 0; i < nemb; i++) emb[i] = (float)i * 0.25f - 7.0f;
    for (size_t i = 0; i < nfc2; i++) fc2[i] = ldexpf((float)(i * 2654435761u % 16777216u), -20) - 8.0f;
    for (int i = 0; i < 300; i++) b1[i] = (float)i;
    for (int i = 0; i < 700; i++) b2[i] = (i * 0.731 - 200) * (1 + 0x1p-40);
    b2[0] = 1 + 0x1p-11 + 0x1p-40;    /* binary32 rounding first would make it a tie, rounded down */
    b2[1] = 65519.0;                  /* just below the f16 overflow threshold 65520: 65504 (70000 is refused: test_faults) */
    float other[6] = { 1, 2, 3, 4, 5, 6 }, badw[100] = { 0 };
    nninit_tensor ct[] = {
        { "emb.weight", NNINIT_F32, 2, { 1000, 2500 }, emb, nemb * 4 },
        { "fc2.weight", NNINIT_F32, 2, { 700, 900 }, fc2, nfc2 * 4 },
        { "fc2.bias", NNINIT_F64, 1, { 700 }, b2, sizeof b2 },
        { "old.fc1.bias", NNINIT_F32, 1, { 300 }, b1, sizeof b1 },
        { "unused", NNINIT_F32, 2, { 2, 3 }, other, sizeof other },
        { "fc1.weight", NNINIT_F32, 2, { 10, 10 }, badw, sizeof badw },
    };
    nninit_st_file *f = NULL;
    write_ckpt(ct, 6, &f);
    size_t nck = nninit_st_count(f);
    const char *renames[] = { "old.fc1.=fc1.", NULL };
    nninit_load_options load = { .renames = renames };

    /* the shape mismatch is an error naming the tensor and both shapes; nothing written */
    bufs b = bufs_new(m, 0x77);
    nninit_source *src = malloc(b.n * sizeof *src);
    unsigned char used[16];
    memset(used, 9, sizeof used);
    char msg[512];
    ck_assert_int_eq(nninit_model_init_from(m, f, &load, b.p, NULL, src, used, msg, sizeof msg), NNINIT_E_SHAPE);
    ck_assert_msg(strstr(msg, "fc1.weight") && strstr(msg, "[300, 1024]") && strstr(msg, "[10, 10]"), "%s", msg);
    for (size_t i = 0; i < b.n; i++) ck_assert(all_bytes(b.p[i], b.bytes[i], 0x77));
    ck_assert_int_eq(used[0], 9);

    load.reinit_mismatched = 1;
    for (int threads = 1; threads <= 3; threads++) {
        nninit_run_options opt = { .threads = threads };
        memset(used, 9, sizeof used);
        ck_assert_msg(nninit_model_init_from(m, f, &load, b.p, &opt, src, used, msg, sizeof msg) == NNINIT_OK,
                      "%s", msg);
        for (size_t i = 0; i < b.n; i++) {
            nninit_model_tensor t;
            nninit_model_tensor_info(m, i, &t);
            nninit_source want = (int)i == iemb || (int)i == ifc2 || (int)i == ib2 ? NNINIT_FROM_LOADED
                               : (int)i == ib1 ? NNINIT_FROM_RENAMED
                               : (int)i == iw1 ? NNINIT_FROM_MISMATCHED : NNINIT_FROM_INIT;
            ck_assert_msg(src[i] == want, "%s: source %d, expected %d", t.name, (int)src[i], (int)want);
            if (want == NNINIT_FROM_INIT || want == NNINIT_FROM_MISMATCHED) {
                void *ref = direct(m, i);
                ck_assert_msg(memcmp(ref, b.p[i], t.nbytes) == 0, "%s differs from nninit_init", t.name);
                free(ref);
            }
        }
        ck_assert(memcmp(b.p[iemb], emb, nemb * 4) == 0);
        const uint16_t *h = b.p[ifc2];
        for (size_t i = 0; i < nfc2; i++)
            ck_assert_msg(h[i] == nt_round16(fc2[i], 1), "fc2.weight[%zu]: %04x for %a", i, h[i], fc2[i]);
        h = b.p[ib2];
        for (int i = 0; i < 700; i++)
            ck_assert_msg(h[i] == round_f16_from_f64(b2[i]), "fc2.bias[%d]: %04x for %a", i, h[i], b2[i]);
        ck_assert_uint_eq(h[0], 0x3C01);
        ck_assert_uint_eq(h[1], 0x7BFF);   /* 65504, f16's largest finite value */
        ck_assert(memcmp(b.p[ib1], b1, sizeof b1) == 0);
        for (size_t j = 0; j < nck; j++) {
            nninit_tensor t;
            ck_assert_int_eq(nninit_st_tensor(f, j, &t), NNINIT_OK);
            int want = strcmp(t.name, "unused") && strcmp(t.name, "fc1.weight");
            ck_assert_msg(used[j] == want, "ckpt_used for %s: %d", t.name, used[j]);
        }
        ck_assert_int_eq(used[nck], 9);
    }
    /* without the rename fc1.bias is initialized; NULL source and ckpt_used are allowed */
    load.renames = NULL;
    ck_assert_int_eq(nninit_model_init_from(m, f, &load, b.p, NULL, NULL, NULL, NULL, 0), NNINIT_OK);
    void *ref = direct(m, (size_t)ib1);
    ck_assert(memcmp(ref, b.p[ib1], b.bytes[ib1]) == 0);
    free(ref);
    /* a rename without '=' */
    const char *bad_renames[] = { "nothing", NULL };
    load.renames = bad_renames;
    ck_assert_int_eq(nninit_model_init_from(m, f, &load, b.p, NULL, NULL, NULL, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_model_init_from(m, NULL, NULL, b.p, NULL, NULL, NULL, NULL, 0), NNINIT_E_NULL);

    nninit_st_close(f);
    free(src); free(emb); free(fc2);
    bufs_free(&b);
    nninit_model_free(m);
}
END_TEST

/* A checkpoint tensor of a dtype nninit does not read (I64), built by hand. */
START_TEST(init_from_unreadable_dtype)
{
    static const char hdr[] = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                              "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
    unsigned char img[256];
    size_t hl = sizeof hdr - 1, pad = (8 - (8 + hl) % 8) % 8;
    memset(img, 0, sizeof img);
    uint64_t n = hl + pad;
    for (int i = 0; i < 8; i++) img[i] = (unsigned char)(n >> (8 * i));
    memcpy(img + 8, hdr, hl);
    memset(img + 8 + hl, ' ', pad);
    float w[2] = { 3.5f, -1.25f };
    memcpy(img + 8 + n + 16, w, 8);
    nninit_st_file *f = NULL;
    char msg[256];
    ck_assert_msg(nninit_st_open_memory(img, 8 + n + 24, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);

    /* unmatched, the I64 tensor is ignored */
    nninit_model *m = parse("{\"tensors\": [{\"name\": \"w\", \"shape\": [2], \"init\": \"zeros\"},"
                            " {\"name\": \"x\", \"shape\": [3], \"init\": \"ones\"}]}");
    bufs b = bufs_new(m, 0x11);
    unsigned char used[2];
    ck_assert_int_eq(nninit_model_init_from(m, f, NULL, b.p, NULL, NULL, used, msg, sizeof msg), NNINIT_OK);
    ck_assert(memcmp(b.p[0], w, 8) == 0);
    long wi = nninit_st_find(f, "w");
    ck_assert_int_eq(used[wi], 1);
    ck_assert_int_eq(used[1 - wi], 0);
    bufs_free(&b);
    nninit_model_free(m);

    /* matched, it is an error naming it, and nothing is written */
    m = parse("{\"tensors\": [{\"name\": \"w\", \"shape\": [2], \"init\": \"zeros\"},"
              " {\"name\": \"ids\", \"shape\": [2], \"init\": \"ones\"}]}");
    b = bufs_new(m, 0x11);
    ck_assert_int_eq(nninit_model_init_from(m, f, NULL, b.p, NULL, NULL, NULL, msg, sizeof msg), NNINIT_E_DTYPE);
    ck_assert_msg(strstr(msg, "ids") != NULL, "%s", msg);
    for (size_t i = 0; i < b.n; i++) ck_assert(all_bytes(b.p[i], b.bytes[i], 0x11));
    bufs_free(&b);
    nninit_model_free(m);
    nninit_st_close(f);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("bulk");
    TCase *tc = nt_tcase("bulk");
    tcase_add_test(tc, matches_direct_any_threads);
    tcase_add_test(tc, arena_layout_and_fill);
    tcase_add_test(tc, progress_reports);
    tcase_add_test(tc, errors_dtype_range);
    tcase_add_test(tc, init_from_checkpoint);
    tcase_add_test(tc, init_from_unreadable_dtype);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
