/* Streaming writes (nninit_model_write, nninit_model_writer_*): the bytes
 * equal the in-memory path's (nninit_arena + nninit_model_init +
 * nninit_model_save / nninit_npy_save_dir) for every output kind, thread
 * count, buffer budget and split into parts; the statistics equal
 * nninit_tensor_stats of the whole tensor; --from equals
 * nninit_model_init_from; sharded checkpoints follow the splitting rule and
 * read back through nninit_st_open; every failure leaves nothing behind.
 * Also nninit_size_parse and nninit_tensor_stats against a reference. */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

/* Every kind of tensor: draws in every dtype, tensors of several 1 MiB units
 * and small ones sharing units, whole-tensor schemes (orthogonal, sparse),
 * eye and dirac by range, a scalar, an empty tensor. */
static const char *const k_model =
    "{\"seed\": 77, \"dtype\": \"f32\","
    " \"rules\": {\"*.bias\": \"zeros\", \"*\": \"kaiming_uniform\"},"
    " \"tensors\": ["
    "  {\"name\": \"emb.weight\", \"shape\": [700, 1000], \"init\": \"normal(std=0.02)\"},"
    "  {\"name\": \"fc1.weight\", \"shape\": [300, 1024], \"dtype\": \"bf16\", \"init\": \"trunc_normal(std=0.02)\"},"
    "  {\"name\": \"fc1.bias\", \"shape\": [300]},"
    "  {\"name\": \"rnn.weight\", \"shape\": [200, 96], \"init\": \"orthogonal\"},"
    "  {\"name\": \"big.weight\", \"shape\": [600, 1100], \"dtype\": \"f64\", \"init\": \"uniform(low=-1, high=1)\"},"
    "  {\"name\": \"sp.weight\", \"shape\": [50, 40], \"dtype\": \"f16\", \"init\": \"sparse(sparsity=0.3)\"},"
    "  {\"name\": \"eye.weight\", \"shape\": [700, 800], \"dtype\": \"bf16\", \"init\": \"eye\"},"
    "  {\"name\": \"conv.weight\", \"shape\": [64, 64, 3, 3], \"init\": \"dirac\"},"
    "  {\"name\": \"scale\", \"shape\": [], \"init\": \"constant(value=0.5)\"},"
    "  {\"name\": \"empty.weight\", \"shape\": [0, 5]},"
    "  {\"name\": \"ln.weight\", \"shape\": [333], \"dtype\": \"f16\", \"init\": \"ones\"},"
    "  {\"name\": \"t0.bias\", \"shape\": [97], \"dtype\": \"f64\", \"init\": \"normal(mean=1, std=2)\"},"
    "  {\"name\": \"ortho2.weight\", \"shape\": [64, 300], \"dtype\": \"bf16\", \"init\": \"orthogonal(gain=2)\"},"
    "  {\"name\": \"tail.weight\", \"shape\": [5, 7], \"init\": \"lecun_normal\"}"
    " ]}";

static char g_dir[64];

static void make_dir(void)
{
    strcpy(g_dir, "/tmp/nninit_test_stream_XXXXXX");
    ck_assert(mkdtemp(g_dir) != NULL);
}

/* Names in a directory, sorted, one per line (the test's view of "what is there"). */
static char *listing(const char *path)
{
    DIR *d = opendir(path);
    ck_assert(d != NULL);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j]; names[j] = names[j - 1]; names[j - 1] = t;
        }
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(names[i]) + 1;
    char *out = calloc(len, 1);
    for (size_t i = 0; i < n; i++) { strcat(out, names[i]); strcat(out, "\n"); free(names[i]); }
    return out;
}

static nninit_model *parse(const char *json)
{
    nninit_model *m = NULL;
    char msg[256];
    ck_assert_msg(nninit_model_parse(json, strlen(json), &m, msg, sizeof msg) == NNINIT_OK, "parse: %s", msg);
    return m;
}

static void files_equal(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *x = nt_read_file(a, &la), *y = nt_read_file(b, &lb);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s (%zu bytes) and %s (%zu bytes) differ", a, la, b, lb);
    free(x);
    free(y);
}

/* The in-memory path: arena, init, save. */
static nninit_arena *reference(const nninit_model *m, const char *path, nninit_file_format fmt)
{
    nninit_arena *a;
    char msg[256];
    ck_assert_int_eq(nninit_arena_create(m, &a), NNINIT_OK);
    ck_assert_msg(nninit_model_init(m, nninit_arena_pointers(a), NULL, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    if (path)
        ck_assert_msg(nninit_model_save(m, (const void *const *)nninit_arena_pointers(a), path, fmt, NULL, msg,
                                        sizeof msg) == NNINIT_OK, "%s", msg);
    return a;
}

static void write_ok(const nninit_model *m, const char *path, nninit_file_format fmt,
                     const nninit_model_write_options *o)
{
    char msg[512];
    nninit_status st = nninit_model_write(m, path, fmt, o, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "nninit_model_write(%s): %s: %s", path, nninit_status_str(st), msg);
    ck_assert_str_eq(msg, "");
}

START_TEST(single_file_equals_arena)
{
    make_dir();
    nninit_model *m = parse(k_model);
    char ref[128], out[128];
    snprintf(ref, sizeof ref, "%s/ref.safetensors", g_dir);
    snprintf(out, sizeof out, "%s/out.safetensors", g_dir);
    nninit_arena_free(reference(m, ref, NNINIT_FORMAT_SAFETENSORS));
    /* thread counts, and budgets from the smallest (two buffers: the window
     * is full most of the time) to more than the model */
    const uint64_t mem[] = { 0, 2 << 20, 3 << 20, 1ull << 30 };
    for (int threads = 1; threads <= 3; threads++)
        for (size_t k = 0; k < sizeof mem / sizeof mem[0]; k++) {
            nninit_model_write_options o = { .threads = threads, .memory_bytes = mem[k] };
            write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &o);
            files_equal(ref, out);
        }
    /* every dtype of the whole model */
    for (int dt = 0; dt < 4; dt++) {
        ck_assert_int_eq(nninit_model_set_dtype(m, (nninit_dtype)dt), NNINIT_OK);
        nninit_arena_free(reference(m, ref, NNINIT_FORMAT_SAFETENSORS));
        nninit_model_write_options o = { .threads = 2, .memory_bytes = 4 << 20 };
        write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &o);
        files_equal(ref, out);
    }
    char *names = listing(g_dir);
    ck_assert_str_eq(names, "out.safetensors\nref.safetensors\n");
    free(names);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

START_TEST(npy_dir_equals_arena)
{
    make_dir();
    nninit_model *m = parse(k_model);
    char ref[128], out[128];
    snprintf(ref, sizeof ref, "%s/ref", g_dir);
    snprintf(out, sizeof out, "%s/out", g_dir);
    nninit_arena_free(reference(m, ref, NNINIT_FORMAT_NPY_DIR));
    char *names = listing(ref);
    for (int threads = 1; threads <= 3; threads++) {
        nninit_model_write_options o = { .threads = threads, .memory_bytes = 2 << 20, .no_replace = 0 };
        write_ok(m, out, NNINIT_FORMAT_NPY_DIR, &o);   /* the second and third replace the first */
        char *got = listing(out);
        ck_assert_str_eq(got, names);
        for (char *line = names, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
            char a[400], b[400];
            snprintf(a, sizeof a, "%s/%.*s", ref, (int)(nl - line), line);
            snprintf(b, sizeof b, "%s/%.*s", out, (int)(nl - line), line);
            files_equal(a, b);
        }
        free(got);
    }
    free(names);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

/* Reads back a sharded directory through the library's reader: every
 * tensor's bytes equal the arena's. */
static void shards_equal_arena(const nninit_model *m, const nninit_arena *a, const char *dir)
{
    nninit_st_file *f;
    char msg[512];
    ck_assert_msg(nninit_st_open(dir, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_uint_eq(nninit_st_count(f), nninit_model_count(m));
    for (size_t i = 0; i < nninit_model_count(m); i++) {
        nninit_model_tensor t;
        nninit_tensor ct;
        nninit_model_tensor_info(m, i, &t);
        long j = nninit_st_find(f, t.name);
        ck_assert_msg(j >= 0, "%s missing", t.name);
        ck_assert_int_eq(nninit_st_tensor(f, (size_t)j, &ct), NNINIT_OK);
        ck_assert_uint_eq(ct.nbytes, t.nbytes);
        ck_assert_msg(t.nbytes == 0 || memcmp(ct.data, nninit_arena_tensor(a, i), t.nbytes) == 0, "%s differs",
                      t.name);
    }
    ck_assert_str_eq(nninit_st_metadata(f, "format"), "pt");
    ck_assert_str_eq(nninit_st_metadata(f, "seed"), "77");
    nninit_st_close(f);
}

START_TEST(sharded_equals_arena)
{
    make_dir();
    nninit_model *m = parse(k_model);
    nninit_arena *a = reference(m, NULL, NNINIT_FORMAT_SAFETENSORS);
    char out[128], path[256];
    snprintf(out, sizeof out, "%s/sharded", g_dir);
    /* bytes in spec order: emb 2,800,000; fc1 614,400; fc1.bias 1,200; rnn
     * 76,800; big 5,280,000; sp 4,000; eye 1,120,000; conv 147,456; then 4, 0,
     * 666, 776, 38,400 and 140. With 3,000,000-byte shards: */
    for (int threads = 1; threads <= 3; threads++) {
        nninit_model_write_options o = { .threads = threads, .max_shard_bytes = 3000000, .memory_bytes = 2 << 20 };
        write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &o);
        shards_equal_arena(m, a, out);
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", out);
        shards_equal_arena(m, a, path);
    }
    /* by huggingface_hub's rule, worked by hand: emb opens a shard; fc1 would
     * take it to 3,414,400, so [emb] is shard 1 and fc1 opens the next; big is
     * over the limit: alone, appended at once as shard 2 while [fc1 ...] stays
     * open; sp .. tail fit in it (2,003,838 bytes): shard 3. */
    char *names = listing(out);
    ck_assert_str_eq(names, "model-00001-of-00003.safetensors\nmodel-00002-of-00003.safetensors\n"
                            "model-00003-of-00003.safetensors\nmodel.safetensors.index.json\n");
    free(names);
    nninit_st_file *s1, *s2, *s3;
    char msg[256];
    snprintf(path, sizeof path, "%s/model-00001-of-00003.safetensors", out);
    ck_assert_msg(nninit_st_open(path, &s1, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    snprintf(path, sizeof path, "%s/model-00002-of-00003.safetensors", out);
    ck_assert_msg(nninit_st_open(path, &s2, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    snprintf(path, sizeof path, "%s/model-00003-of-00003.safetensors", out);
    ck_assert_msg(nninit_st_open(path, &s3, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_uint_eq(nninit_st_count(s1), 1);
    ck_assert(nninit_st_find(s1, "emb.weight") == 0);
    ck_assert_uint_eq(nninit_st_count(s2), 1);
    ck_assert(nninit_st_find(s2, "big.weight") == 0);
    ck_assert_uint_eq(nninit_st_count(s3), 12);
    ck_assert(nninit_st_find(s3, "fc1.weight") == 0);   /* the header lists them in spec order */
    ck_assert(nninit_st_find(s3, "tail.weight") == 11);
    ck_assert_uint_eq(nninit_st_count(s1) + nninit_st_count(s2) + nninit_st_count(s3), nninit_model_count(m));
    nninit_st_close(s1);
    nninit_st_close(s2);
    nninit_st_close(s3);

    /* a limit larger than the model: one model.safetensors, no index, equal
     * to the single file */
    nninit_model_write_options o = { .max_shard_bytes = 1ull << 40 };
    write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &o);
    names = listing(out);
    ck_assert_str_eq(names, "model.safetensors\n");
    free(names);
    char one[128];
    snprintf(one, sizeof one, "%s/one.safetensors", g_dir);
    write_ok(m, one, NNINIT_FORMAT_SAFETENSORS, NULL);
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    files_equal(one, path);
    shards_equal_arena(m, a, out);

    /* tensors already in memory (the arena's), saved with nninit_st_save_sharded:
     * the very files the streaming writer made, shard by shard and the index */
    write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &(nninit_model_write_options){ .max_shard_bytes = 3000000 });
    size_t n = nninit_model_count(m);
    nninit_tensor *t = calloc(n, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor mt;
        nninit_model_tensor_info(m, i, &mt);
        t[i] = (nninit_tensor){ .name = mt.name, .dtype = mt.dtype, .ndim = mt.ndim,
                                .data = nninit_arena_tensor(a, i), .nbytes = mt.nbytes };
        memcpy(t[i].shape, mt.shape, sizeof mt.shape);
    }
    const char *const *meta = nninit_model_metadata(m);
    const char *st_meta[] = { "format", "pt", meta[0], meta[1], meta[2], meta[3], meta[4], meta[5], NULL };
    char mem[128];
    snprintf(mem, sizeof mem, "%s/from_memory", g_dir);
    nninit_status st = nninit_st_save_sharded(mem, t, n, st_meta, 3000000, NULL, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "nninit_st_save_sharded: %s", msg);
    names = listing(mem);
    char *want = listing(out);
    ck_assert_str_eq(names, want);
    for (char *line = strtok(want, "\n"); line; line = strtok(NULL, "\n")) {
        char x[256], y[256];
        snprintf(x, sizeof x, "%s/%s", out, line);
        snprintf(y, sizeof y, "%s/%s", mem, line);
        files_equal(x, y);
    }
    free(names);
    free(want);
    /* a zero limit is refused before anything is created */
    ck_assert_int_eq(nninit_st_save_sharded(mem, t, n, NULL, 0, NULL, msg, sizeof msg), NNINIT_E_PARAM);
    free(t);
    nninit_arena_free(a);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

static int same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

START_TEST(stats_equal_tensor_stats)
{
    make_dir();
    nninit_model *m = parse(k_model);
    nninit_arena *a = reference(m, NULL, NNINIT_FORMAT_SAFETENSORS);
    const size_t n = nninit_model_count(m);
    nninit_stats *got = calloc(n, sizeof *got);
    char out[128];
    snprintf(out, sizeof out, "%s/s.safetensors", g_dir);
    for (int threads = 1; threads <= 3; threads += 2) {
        nninit_model_write_options o = { .threads = threads, .stats = got, .memory_bytes = 2 << 20 };
        write_ok(m, "/dev/null", NNINIT_FORMAT_SAFETENSORS, &o);
        for (size_t i = 0; i < n; i++) {
            nninit_model_tensor t;
            nninit_stats want;
            nninit_model_tensor_info(m, i, &t);
            ck_assert_int_eq(nninit_tensor_stats(nninit_arena_tensor(a, i), t.dtype, t.count, &want), NNINIT_OK);
            ck_assert_msg(same_double(got[i].mean, want.mean) && same_double(got[i].std, want.std) &&
                          same_double(got[i].min, want.min) && same_double(got[i].max, want.max) &&
                          got[i].nonfinite == want.nonfinite,
                          "%s: streamed %.17g %.17g %.17g %.17g, whole %.17g %.17g %.17g %.17g", t.name, got[i].mean,
                          got[i].std, got[i].min, got[i].max, want.mean, want.std, want.min, want.max);
        }
    }
    free(got);
    nninit_arena_free(a);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

/* An independent reference: two passes in long double over the whole tensor. */
START_TEST(tensor_stats_reference)
{
    /* ones plus small noise (a one-pass sum of squares loses this std), 3.5
     * blocks of 65536, a NaN and an infinity */
    const size_t n = 65536 * 3 + 32768;
    double *x = malloc(n * sizeof *x);
    nninit_rng rng = { 5, 6 };
    ck_assert_int_eq(nninit_normal(x, NNINIT_F64, n, 1.0, 1e-6, rng, 0), NNINIT_OK);
    x[70000] = NAN;
    x[123] = INFINITY;
    long double s = 0, ss = 0;
    double mn = INFINITY, mx = -INFINITY;
    size_t good = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) { s += x[i]; good++; mn = fmin(mn, x[i]); mx = fmax(mx, x[i]); }
    long double mean = s / good;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) ss += (x[i] - mean) * (x[i] - mean);
    double sd = (double)sqrtl(ss / good);
    nninit_stats st;
    ck_assert_int_eq(nninit_tensor_stats(x, NNINIT_F64, n, &st), NNINIT_OK);
    ck_assert_uint_eq(st.nonfinite, 2);
    ck_assert_double_eq(st.min, mn);
    ck_assert_double_eq(st.max, mx);
    /* a sum of 2^17.8 doubles in order: its rounding errors stay far below 1e-12 */
    ck_assert_msg(fabs(st.mean - (double)mean) <= 1e-12, "mean %.17g vs %.17Lg", st.mean, mean);
    ck_assert_msg(fabs(st.std / sd - 1) < 1e-9, "std %.17g vs %.17g", st.std, sd);
    /* empty and all-NaN tensors */
    ck_assert_int_eq(nninit_tensor_stats(NULL, NNINIT_F32, 0, &st), NNINIT_OK);
    ck_assert(isnan(st.mean) && isnan(st.std) && isnan(st.min) && st.nonfinite == 0);
    x[0] = NAN;
    ck_assert_int_eq(nninit_tensor_stats(x, NNINIT_F64, 1, &st), NNINIT_OK);
    ck_assert(isnan(st.mean) && st.nonfinite == 1);
    free(x);
}
END_TEST

START_TEST(from_checkpoint_equals_init_from)
{
    make_dir();
    nninit_model *m = parse(k_model);
    /* a checkpoint of some tensors: emb.weight (f32, several units) as f64,
     * fc1.weight (bf16) as f32, conv.weight under an old name, an unused one */
    nninit_arena *a = reference(m, NULL, NNINIT_FORMAT_SAFETENSORS);
    const size_t nemb = 700 * 1000, nfc1 = 300 * 1024;
    double *emb = malloc(nemb * 8);
    float *fc1 = malloc(nfc1 * 4), conv[64 * 64 * 9], extra[3] = { 1, 2, 3 };
    for (size_t i = 0; i < nemb; i++) emb[i] = 1e-3 * (double)(i % 1000) + 1e-12 * (double)i;
    for (size_t i = 0; i < nfc1; i++) fc1[i] = (float)i * 0.25f;
    for (size_t i = 0; i < 64 * 64 * 9; i++) conv[i] = -(float)i;
    nninit_tensor ct[4] = {
        { .name = "emb.weight", .dtype = NNINIT_F64, .ndim = 2, .shape = { 700, 1000 }, .data = emb, .nbytes = nemb * 8 },
        { .name = "fc1.weight", .dtype = NNINIT_F32, .ndim = 2, .shape = { 300, 1024 }, .data = fc1, .nbytes = nfc1 * 4 },
        { .name = "old.conv.weight", .dtype = NNINIT_F32, .ndim = 4, .shape = { 64, 64, 3, 3 }, .data = conv,
          .nbytes = sizeof conv },
        { .name = "unused", .dtype = NNINIT_F32, .ndim = 1, .shape = { 3 }, .data = extra, .nbytes = sizeof extra },
    };
    char ck[128], ref[128], out[128], msg[512];
    snprintf(ck, sizeof ck, "%s/ck.safetensors", g_dir);
    snprintf(ref, sizeof ref, "%s/ref.safetensors", g_dir);
    snprintf(out, sizeof out, "%s/out.safetensors", g_dir);
    ck_assert_int_eq(nninit_st_save(ck, ct, 4, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    nninit_st_file *f;
    ck_assert_msg(nninit_st_open(ck, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    const char *renames[] = { "old.=", NULL };
    nninit_load_options load = { .renames = renames };
    const size_t n = nninit_model_count(m);
    nninit_source src_ref[16], src[16];
    unsigned char used_ref[4], used[4];
    ck_assert_int_eq(nninit_model_init_from(m, f, &load, nninit_arena_pointers(a), NULL, src_ref, used_ref, msg,
                                            sizeof msg), NNINIT_OK);
    ck_assert_int_eq(nninit_model_save(m, (const void *const *)nninit_arena_pointers(a), ref,
                                       NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg), NNINIT_OK);
    for (int threads = 1; threads <= 3; threads++) {
        memset(src, 0xEE, sizeof src);
        memset(used, 0xEE, sizeof used);
        nninit_model_write_options o = { .threads = threads, .ckpt = f, .load = &load, .source = src,
                                         .ckpt_used = used, .memory_bytes = 2 << 20 };
        write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &o);
        /* the same tensors and spec; the streamed file also records the checkpoint */
        nninit_st_file *x, *y;
        ck_assert_int_eq(nninit_st_open(ref, &x, msg, sizeof msg), NNINIT_OK);
        ck_assert_int_eq(nninit_st_open(out, &y, msg, sizeof msg), NNINIT_OK);
        ck_assert_uint_eq(nninit_st_count(x), nninit_st_count(y));
        for (size_t i = 0; i < nninit_st_count(x); i++) {
            nninit_tensor tx, ty;
            ck_assert_int_eq(nninit_st_tensor(x, i, &tx), NNINIT_OK);
            ck_assert_int_eq(nninit_st_tensor(y, i, &ty), NNINIT_OK);
            ck_assert_str_eq(tx.name, ty.name);
            ck_assert(tx.nbytes == ty.nbytes && memcmp(tx.data, ty.data, tx.nbytes) == 0);
        }
        ck_assert_str_eq(nninit_st_metadata(x, "spec"), nninit_st_metadata(y, "spec"));
        ck_assert_ptr_null(nninit_st_metadata(x, "nninit_from"));
        ck_assert_str_eq(nninit_st_metadata(y, "nninit_from"), ck);
        ck_assert(strncmp(nninit_st_metadata(y, "nninit_from_digest"), "nninit-hash64:", 14) == 0);
        nninit_st_close(x);
        nninit_st_close(y);
        ck_assert(memcmp(src, src_ref, n * sizeof *src) == 0);
        ck_assert(memcmp(used, used_ref, sizeof used) == 0);
    }
    ck_assert_int_eq(used[3], 0);
    /* a mismatched shape is an error before anything is created */
    ct[0].shape[0] = 701;
    ct[0].nbytes = 701 * 1000 * 8;
    double *emb2 = realloc(emb, ct[0].nbytes);
    ct[0].data = emb2;
    char ck2[128];
    snprintf(ck2, sizeof ck2, "%s/ck2.safetensors", g_dir);
    ck_assert_int_eq(nninit_st_save(ck2, ct, 4, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    nninit_st_file *f2;
    ck_assert_int_eq(nninit_st_open(ck2, &f2, msg, sizeof msg), NNINIT_OK);
    nninit_model_write_options o = { .ckpt = f2 };
    char out2[128];
    snprintf(out2, sizeof out2, "%s/mismatch.safetensors", g_dir);
    ck_assert_int_eq(nninit_model_write(m, out2, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_SHAPE);
    ck_assert_msg(strstr(msg, "emb.weight") != NULL, "%s", msg);
    ck_assert_int_eq(access(out2, F_OK), -1);
    nninit_st_close(f2);
    nninit_st_close(f);
    free(emb2);
    free(fc1);
    nninit_arena_free(a);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

/* The staged API with the work split into parts, as nninit-mpi runs it: each
 * part on its own writer attached to the first one's temporary. */
static void write_in_parts(const nninit_model *m, const char *path, nninit_file_format fmt, uint64_t shard, int parts)
{
    char msg[512];
    nninit_model_write_options o = { .threads = 2, .max_shard_bytes = shard, .memory_bytes = 2 << 20 };
    nninit_model_writer *w0, *w;
    ck_assert_msg(nninit_model_writer_create(m, path, fmt, &o, &w0, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_msg(nninit_model_writer_begin(w0, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    const char *temp = nninit_model_writer_temp(w0);
    ck_assert(temp != NULL);
    /* the parts in reverse order: a part does not depend on another's writes */
    for (int p = parts - 1; p >= 1; p--) {
        ck_assert_msg(nninit_model_writer_create(m, path, fmt, &o, &w, msg, sizeof msg) == NNINIT_OK, "%s", msg);
        ck_assert_msg(nninit_model_writer_attach(w, temp, msg, sizeof msg) == NNINIT_OK, "%s", msg);
        ck_assert_msg(nninit_model_writer_run(w, p, parts, msg, sizeof msg) == NNINIT_OK, "%s", msg);
        ck_assert_int_eq(nninit_model_writer_commit(w, msg, sizeof msg), NNINIT_E_PARAM);   /* not the creator */
        nninit_model_writer_free(w);
        ck_assert_int_eq(access(temp, F_OK), 0);   /* an attached writer leaves the temporary alone */
    }
    ck_assert_msg(nninit_model_writer_run(w0, 0, parts, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_msg(nninit_model_writer_commit(w0, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    nninit_model_writer_free(w0);
}

START_TEST(parts_equal_one_run)
{
    make_dir();
    nninit_model *m = parse(k_model);
    char one[128], parts[128], a[400], b[400];
    const struct { nninit_file_format fmt; uint64_t shard; } kinds[] = {
        { NNINIT_FORMAT_SAFETENSORS, 0 }, { NNINIT_FORMAT_SAFETENSORS, 3000000 }, { NNINIT_FORMAT_NPY_DIR, 0 } };
    for (size_t k = 0; k < 3; k++) {
        snprintf(one, sizeof one, "%s/one%zu", g_dir, k);
        nninit_model_write_options o = { .max_shard_bytes = kinds[k].shard };
        write_ok(m, one, kinds[k].fmt, &o);
        for (int np = 1; np <= 7; np += 1) {
            snprintf(parts, sizeof parts, "%s/parts%zu_%d", g_dir, k, np);
            write_in_parts(m, parts, kinds[k].fmt, kinds[k].shard, np);
            if (kinds[k].fmt == NNINIT_FORMAT_SAFETENSORS && !kinds[k].shard) {
                files_equal(one, parts);
                continue;
            }
            char *names = listing(one), *got = listing(parts);
            ck_assert_str_eq(got, names);
            for (char *line = names, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
                snprintf(a, sizeof a, "%s/%.*s", one, (int)(nl - line), line);
                snprintf(b, sizeof b, "%s/%.*s", parts, (int)(nl - line), line);
                files_equal(a, b);
            }
            free(names);
            free(got);
        }
    }
    /* what is left: the outputs, no temporary */
    char *names = listing(g_dir);
    ck_assert_msg(strchr(names, '.') == NULL || strstr(names, "\n.") == NULL, "%s", names);
    ck_assert_msg(names[0] != '.', "%s", names);
    free(names);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

/* Progress: counts only grow, totals are the model's, the last report has everything done. */
typedef struct { int calls; nninit_progress last; int bad; } prog_log;
static void on_progress(void *ctx, const nninit_progress *p)
{
    prog_log *l = ctx;
    if (l->calls && (p->bytes_done < l->last.bytes_done || p->tensors_done < l->last.tensors_done)) l->bad = 1;
    if (p->bytes_done > p->bytes_total || p->tensors_done > p->tensors_total) l->bad = 1;
    l->last = *p;
    l->calls++;
}

START_TEST(progress_reports)
{
    nninit_model *m = parse(k_model);
    for (int threads = 1; threads <= 2; threads++) {
        prog_log l = { 0, { 0, 0, 0, 0 }, 0 };
        nninit_model_write_options o = { .threads = threads, .progress = on_progress, .progress_ctx = &l };
        write_ok(m, "/dev/null", NNINIT_FORMAT_SAFETENSORS, &o);
        ck_assert(l.calls >= 1 && !l.bad);
        ck_assert_uint_eq(l.last.tensors_total, nninit_model_count(m));
        ck_assert_uint_eq(l.last.tensors_done, nninit_model_count(m));
        ck_assert_uint_eq(l.last.bytes_total, nninit_model_bytes(m));
        ck_assert_uint_eq(l.last.bytes_done, nninit_model_bytes(m));
    }
    nninit_model_free(m);
}
END_TEST

static volatile sig_atomic_t g_cancel;
static void cancel_soon(void *ctx, const nninit_progress *p)
{
    (void)ctx;
    if (p->bytes_done > 0) g_cancel = 1;
}

START_TEST(failures_leave_nothing)
{
    make_dir();
    nninit_model *m = parse(k_model);
    char msg[512], out[256];
    char *before = listing(g_dir);
    /* bad options */
    nninit_model_write_options o = { .memory_bytes = (1 << 20) + 1 };
    snprintf(out, sizeof out, "%s/x.safetensors", g_dir);
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_msg(strstr(msg, "memory") != NULL, "%s", msg);
    o = (nninit_model_write_options){ .max_shard_bytes = 1000 };
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_NPY_DIR, &o, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_model_write(m, "-", NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_PARAM);
    o = (nninit_model_write_options){ .threads = -1 };
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_model_write(m, out, (nninit_file_format)7, NULL, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_model_write(NULL, out, NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg), NNINIT_E_NULL);
    /* a directory that does not exist, or cannot be written */
    snprintf(out, sizeof out, "%s/nodir/x.safetensors", g_dir);
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_msg(strstr(msg, "No such file or directory") != NULL, "%s", msg);
    snprintf(out, sizeof out, "%s/nodir/sharded", g_dir);
    o = (nninit_model_write_options){ .max_shard_bytes = 3000000 };
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_IO);
    /* an existing output with no_replace; an existing directory nninit did not write */
    snprintf(out, sizeof out, "%s/keep", g_dir);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    char *before_keep = listing(g_dir);
    o = (nninit_model_write_options){ .no_replace = 1 };
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_NPY_DIR, &o, msg, sizeof msg), NNINIT_E_EXISTS);
    char notes[300];
    snprintf(notes, sizeof notes, "%s/notes.txt", out);
    FILE *fp = fopen(notes, "w");
    fputs("mine\n", fp);
    fclose(fp);
    o = (nninit_model_write_options){ .max_shard_bytes = 3000000 };
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_EXISTS);
    ck_assert_msg(strstr(msg, "did not write") != NULL, "%s", msg);
    char *after = listing(g_dir);
    ck_assert_str_eq(after, before_keep);
    free(after);
    /* canceled while writing: every output kind leaves nothing */
    for (int k = 0; k < 3; k++) {
        g_cancel = 0;
        snprintf(out, sizeof out, "%s/canceled%d", g_dir, k);
        o = (nninit_model_write_options){ .cancel = &g_cancel, .progress = cancel_soon, .memory_bytes = 2 << 20,
                                          .max_shard_bytes = k == 1 ? 3000000 : 0 };
        nninit_status st = nninit_model_write(m, out, k == 2 ? NNINIT_FORMAT_NPY_DIR : NNINIT_FORMAT_SAFETENSORS, &o,
                                              msg, sizeof msg);
        ck_assert_msg(st == NNINIT_E_CANCELED, "output %d: status %d: %s", k, (int)st, msg);
        after = listing(g_dir);
        ck_assert_str_eq(after, before_keep);
        free(after);
    }
    /* a part larger than the parts, a run before begin, parts of a direct output */
    nninit_model_writer *w;
    ck_assert_int_eq(nninit_model_writer_create(m, "/dev/null", NNINIT_FORMAT_SAFETENSORS, NULL, &w, msg, sizeof msg),
                     NNINIT_OK);
    ck_assert_int_eq(nninit_model_writer_run(w, 0, 1, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_model_writer_begin(w, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(nninit_model_writer_run(w, 2, 2, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_model_writer_run(w, 0, 2, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_msg(strstr(msg, "in order") != NULL, "%s", msg);
    ck_assert(nninit_model_writer_temp(w) == NULL);
    nninit_model_writer_free(w);
    /* a freed writer that began removes its temporary */
    snprintf(out, sizeof out, "%s/abandoned.safetensors", g_dir);
    ck_assert_int_eq(nninit_model_writer_create(m, out, NNINIT_FORMAT_SAFETENSORS, NULL, &w, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(nninit_model_writer_begin(w, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(access(nninit_model_writer_temp(w), F_OK), 0);
    nninit_model_writer_free(w);
    after = listing(g_dir);
    ck_assert_str_eq(after, before_keep);
    free(after);
    free(before);
    free(before_keep);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

START_TEST(size_parse)
{
    const struct { const char *s; uint64_t v; } ok[] = {
        { "5GB", 5000000000ull }, { "500MB", 500000000ull }, { "2GiB", 2147483648ull }, { "1048576B", 1048576 },
        { "10kb", 10000 }, { "3KiB", 3072 }, { "1.5GB", 1500000000ull }, { "0.5MiB", 524288 }, { "7B", 7 },
        { "2TB", 2000000000000ull }, { "1TiB", 1099511627776ull }, { "1.0000001KB", 1000 }, { "4gib", 4294967296ull },
        { "18446744073709551615b", UINT64_MAX }, { "5 GB", 5000000000ull }, { "500\tmb", 500000000ull },
    };
    char msg[256];
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        uint64_t v = 0;
        ck_assert_msg(nninit_size_parse(ok[k].s, &v, msg, sizeof msg) == NNINIT_OK, "%s: %s", ok[k].s, msg);
        ck_assert_msg(v == ok[k].v, "%s: %llu", ok[k].s, (unsigned long long)v);
    }
    const struct { const char *s, *why; } bad[] = {
        { "0", "no unit" }, { "200", "no unit" }, { "1048576", "write 1048576B for bytes" },
        { "1.5", "no unit" }, { "0B", "zero" }, { "0GB", "zero" }, { "0.0000000001KB", "zero" }, { "-1GB", "negative" }, { "", "not a size" },
        { "GB", "not a size" }, { "5 G B", "unknown unit" }, { "5XB", "unknown unit" }, { "5Gb/s", "unknown unit" },
        { "1e9", "unknown unit" }, { "18446744073709551616", "too large" }, { "20000000TB", "too large" },
        { "+5GB", "not a size" }, { " 5GB", "not a size" }, { "5GB ", "unknown unit" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint64_t v = 42;
        ck_assert_msg(nninit_size_parse(bad[k].s, &v, msg, sizeof msg) == NNINIT_E_PARAM, "'%s' accepted", bad[k].s);
        ck_assert_msg(strstr(msg, bad[k].why) != NULL, "'%s': %s", bad[k].s, msg);
        ck_assert_uint_eq(v, 42);
    }
}
END_TEST

/* Malformed indexes: each a clear NNINIT_E_FORMAT (or E_IO) naming the problem. */
START_TEST(sharded_reader_rejects)
{
    make_dir();
    char path[256], shard[256], msg[512];
    float a[4] = { 1, 2, 3, 4 }, b[2] = { 5, 6 };
    nninit_tensor t[2] = {
        { .name = "a", .dtype = NNINIT_F32, .ndim = 1, .shape = { 4 }, .data = a, .nbytes = sizeof a },
        { .name = "b", .dtype = NNINIT_F32, .ndim = 1, .shape = { 2 }, .data = b, .nbytes = sizeof b },
    };
    snprintf(shard, sizeof shard, "%s/s1.safetensors", g_dir);
    ck_assert_int_eq(nninit_st_save(shard, t, 2, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    snprintf(shard, sizeof shard, "%s/s2.safetensors", g_dir);
    ck_assert_int_eq(nninit_st_save(shard, t + 1, 1, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    const struct { const char *json, *why; nninit_status st; } cases[] = {
        { "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\"}}", NULL, NNINIT_OK },
        { "[]", "not a JSON object", NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": \"s1", "not valid JSON", NNINIT_E_FORMAT },
        { "{\"metadata\": {}}", "no \"weight_map\"", NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": \"s1.safetensors\"}}", "does not list", NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}}", "puts in another file",
          NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\", \"c\": \"s1.safetensors\"}}",
          "does not hold it", NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": \"../s1.safetensors\"}}", "not the name of a file", NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": 3}}", "not the name of a file", NNINIT_E_FORMAT },
        { "{\"weight_map\": {\"a\": \"missing.safetensors\"}}", "cannot open", NNINIT_E_IO },
        { "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\"}, \"metadata\": 3}",
          "\"metadata\" is not an object", NNINIT_E_FORMAT },
    };
    snprintf(path, sizeof path, "%s/x.index.json", g_dir);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        FILE *fp = fopen(path, "w");
        fputs(cases[k].json, fp);
        fclose(fp);
        nninit_st_file *f = (nninit_st_file *)1;
        nninit_status st = nninit_st_open(path, &f, msg, sizeof msg);
        ck_assert_msg(st == cases[k].st, "%s: %s (%s)", cases[k].json, nninit_status_str(st), msg);
        if (st == NNINIT_OK) {
            nninit_tensor x;
            ck_assert_uint_eq(nninit_st_count(f), 2);
            ck_assert_int_eq(nninit_st_tensor(f, (size_t)nninit_st_find(f, "b"), &x), NNINIT_OK);
            ck_assert(x.nbytes == sizeof b && memcmp(x.data, b, sizeof b) == 0);
            nninit_st_close(f);
        } else {
            ck_assert(f == NULL);
            ck_assert_msg(strstr(msg, cases[k].why) != NULL, "%s: %s", cases[k].json, msg);
        }
    }
    /* a directory with neither an index nor model.safetensors */
    nninit_st_file *f;
    ck_assert_int_eq(nninit_st_open(g_dir, &f, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_msg(strstr(msg, "neither") != NULL, "%s", msg);
    nt_remove_tree(g_dir);
}
END_TEST

/* A sharded checkpoint named like a file (*.safetensors) is refused by both
 * writers; a checkpoint that provides none of the spec's tensors is refused by
 * both paths unless allow_no_match, and names the rename that would match. */
START_TEST(sharded_name_and_no_match)
{
    make_dir();
    char *before = listing(g_dir);
    nninit_model *m = parse("{\"seed\": 3, \"rules\": {\"*\": \"normal\"}, \"tensors\": ["
                            " {\"name\": \"model.a.weight\", \"shape\": [4, 3]},"
                            " {\"name\": \"model.b.weight\", \"shape\": [5]}, {\"name\": \"head\", \"shape\": [2]}]}");
    char msg[1024], path[256];
    const char *bad[] = { "x.safetensors", "X.SAFETENSORS/", ".safetensors" };
    const char *fix[] = { "'%s/x' instead", "'%s/X' instead", "'%s/model' instead" };
    for (size_t k = 0; k < 3; k++) {
        char want[300];
        snprintf(path, sizeof path, "%s/%s", g_dir, bad[k]);
        snprintf(want, sizeof want, fix[k], g_dir);
        nninit_model_write_options o = { .max_shard_bytes = 1000 };
        ck_assert_int_eq(nninit_model_write(m, path, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_PARAM);
        ck_assert_msg(strstr(msg, "a sharded checkpoint is a directory") && strstr(msg, want), "%s", msg);
        float v[2] = { 1, 2 };
        nninit_tensor t = { .name = "v", .dtype = NNINIT_F32, .ndim = 1, .shape = { 2 }, .data = v, .nbytes = 8 };
        ck_assert_int_eq(nninit_st_save_sharded(path, &t, 1, NULL, 1000, NULL, msg, sizeof msg), NNINIT_E_PARAM);
        ck_assert_msg(strstr(msg, want) != NULL, "%s", msg);
    }
    char *after = listing(g_dir);
    ck_assert_str_eq(after, before);
    free(after);
    free(before);

    /* the checkpoint: a.weight, b.weight (the spec's names without "model.") and other */
    float a[12] = { 0 }, b[5] = { 0 }, other[1] = { 0 };
    nninit_tensor ct[] = {
        { .name = "a.weight", .dtype = NNINIT_F32, .ndim = 2, .shape = { 4, 3 }, .data = a, .nbytes = sizeof a },
        { .name = "b.weight", .dtype = NNINIT_F32, .ndim = 1, .shape = { 5 }, .data = b, .nbytes = sizeof b },
        { .name = "other", .dtype = NNINIT_F32, .ndim = 1, .shape = { 1 }, .data = other, .nbytes = sizeof other },
    };
    char ck[256], out[256];
    snprintf(ck, sizeof ck, "%s/ck.safetensors", g_dir);
    snprintf(out, sizeof out, "%s/out.safetensors", g_dir);
    ck_assert_int_eq(nninit_st_save(ck, ct, 3, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    nninit_st_file *f;
    ck_assert_msg(nninit_st_open(ck, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    before = listing(g_dir);
    nninit_load_options strict = { .renames = NULL }, lax = { .allow_no_match = 1 };
    nninit_model_write_options o = { .ckpt = f, .load = &strict };
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_PARAM);
    const char *parts[] = { "the checkpoint provides none of the spec's 3 tensors",
                            "the rename \"=model.\" would provide 2", "\"a.weight\"", "\"model.a.weight\"" };
    for (size_t k = 0; k < 4; k++) ck_assert_msg(strstr(msg, parts[k]) != NULL, "'%s' lacks '%s'", msg, parts[k]);
    o.load = NULL;   /* no load options: strict too */
    ck_assert_int_eq(nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_PARAM);
    after = listing(g_dir);
    ck_assert_str_eq(after, before);
    free(after);
    nninit_arena *ar;
    ck_assert_int_eq(nninit_arena_create(m, &ar), NNINIT_OK);
    ck_assert_int_eq(nninit_model_init_from(m, f, &strict, nninit_arena_pointers(ar), NULL, NULL, NULL, msg,
                                            sizeof msg), NNINIT_E_PARAM);
    ck_assert_msg(strstr(msg, parts[0]) != NULL, "%s", msg);
    ck_assert_int_eq(nninit_model_init_from(m, f, &lax, nninit_arena_pointers(ar), NULL, NULL, NULL, msg, sizeof msg),
                     NNINIT_OK);
    /* the suggested rename provides them */
    const char *renames[] = { "=model.", NULL };
    nninit_load_options ren = { .renames = renames };
    nninit_source src[3];
    ck_assert_int_eq(nninit_model_init_from(m, f, &ren, nninit_arena_pointers(ar), NULL, src, NULL, msg, sizeof msg),
                     NNINIT_OK);
    ck_assert(src[0] == NNINIT_FROM_RENAMED && src[1] == NNINIT_FROM_RENAMED && src[2] == NNINIT_FROM_INIT);
    o.load = &lax;
    write_ok(m, out, NNINIT_FORMAT_SAFETENSORS, &o);
    nninit_arena_free(ar);
    nninit_st_close(f);
    free(before);
    nninit_model_free(m);
    nt_remove_tree(g_dir);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = nt_tcase("stream");
    tcase_add_test(tc, single_file_equals_arena);
    tcase_add_test(tc, npy_dir_equals_arena);
    tcase_add_test(tc, sharded_equals_arena);
    tcase_add_test(tc, stats_equal_tensor_stats);
    tcase_add_test(tc, tensor_stats_reference);
    tcase_add_test(tc, from_checkpoint_equals_init_from);
    tcase_add_test(tc, parts_equal_one_run);
    tcase_add_test(tc, failures_leave_nothing);
    tcase_add_test(tc, progress_reports);
    tcase_add_test(tc, size_parse);
    tcase_add_test(tc, sharded_name_and_no_match);
    tcase_add_test(tc, sharded_reader_rejects);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
