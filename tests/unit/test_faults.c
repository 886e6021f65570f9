/* Faults the library must turn into errors (issue 18): a checkpoint
 * truncated while it is loaded (pread, never a SIGBUS through the mapping;
 * Check runs each test in a child, so a SIGBUS fails the test instead of
 * killing the suite), values a load cannot keep, conflicting renames, a
 * block device as the output without leave to replace it. The truncation is
 * made deterministic by the writer's steps: the checkpoint is opened and the
 * writer planned, then the file is cut, then the data is written. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "testutil.h"

enum { N = 1 << 20 };   /* 4 MiB of f32: many pages past the cut */
static char g_dir[64];

static void make_dir(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/nninit-faults-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

/* The names in g_dir, sorted by the shell's rule is not needed: joined with '/'. */
static void dir_holds_only(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = '%s'", g_dir, name);
    ck_assert_msg(system(cmd) == 0, "%s holds more than %s", g_dir, name);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* g_dir/ck.safetensors: one f32 tensor "w" of N values (v, or i * 1e-3). */
static void write_checkpoint(const char *path, float v)
{
    float *data = malloc(N * sizeof *data);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < N; i++) data[i] = v != 0 ? v : (float)i * 1e-3f;
    nninit_tensor t = { .name = "w", .dtype = NNINIT_F32, .ndim = 1, .shape = { N }, .data = data,
                        .nbytes = N * sizeof *data };
    char msg[512];
    ck_assert_int_eq(nninit_st_save(path, &t, 1, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    free(data);
}

static nninit_model *model_of(const char *dtype)
{
    char json[256], msg[512];
    snprintf(json, sizeof json, "{\"seed\": 1, \"dtype\": \"%s\", \"tensors\": [{\"name\": \"w\", \"shape\": [%d], "
             "\"init\": \"zeros\"}]}", dtype, N);
    nninit_model *m = NULL;
    ck_assert_int_eq(nninit_model_parse(json, strlen(json), &m, msg, sizeof msg), NNINIT_OK);
    return m;
}

START_TEST(truncated_while_streamed)
{
    for (int convert = 0; convert < 2; convert++) {   /* a plain copy, and a copy converted to f16 */
        make_dir();
        char ck_path[128], out[128], msg[1024] = "";
        snprintf(ck_path, sizeof ck_path, "%s/ck.safetensors", g_dir);
        snprintf(out, sizeof out, "%s/out.safetensors", g_dir);
        write_checkpoint(ck_path, 0);
        nninit_st_file *ck = NULL;
        ck_assert_int_eq(nninit_st_open(ck_path, &ck, msg, sizeof msg), NNINIT_OK);
        nninit_model *m = model_of(convert ? "f16" : "f32");
        nninit_load_options load = { 0 };
        nninit_model_write_options o = { .ckpt = ck, .load = &load, .threads = 2 };
        nninit_model_writer *w = NULL;
        ck_assert_int_eq(nninit_model_writer_create(m, out, NNINIT_FORMAT_SAFETENSORS, &o, &w, msg, sizeof msg),
                         NNINIT_OK);
        ck_assert_int_eq(truncate(ck_path, 4096), 0);   /* another process cuts the file */
        ck_assert_int_eq(nninit_model_writer_begin(w, msg, sizeof msg), NNINIT_OK);
        nninit_status st = nninit_model_writer_run(w, 0, 1, msg, sizeof msg);
        ck_assert_int_eq(st, NNINIT_E_IO);
        ck_assert_msg(strstr(msg, "tensor 'w'") && strstr(msg, "shorter"), "message: %s", msg);
        nninit_model_writer_free(w);   /* removes the temporary */
        dir_holds_only("ck.safetensors");
        nninit_model_free(m);
        nninit_st_close(ck);
        remove_dir();
    }
}
END_TEST

START_TEST(truncated_before_init_from)
{
    make_dir();
    char ck_path[128], msg[1024] = "";
    snprintf(ck_path, sizeof ck_path, "%s/ck.safetensors", g_dir);
    write_checkpoint(ck_path, 0);
    nninit_st_file *ck = NULL;
    ck_assert_int_eq(nninit_st_open(ck_path, &ck, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(truncate(ck_path, 100), 0);
    nninit_model *m = model_of("f32");
    float *dst = calloc(N, sizeof *dst);
    void *const ptrs[1] = { dst };
    ck_assert_int_eq(nninit_model_init_from(m, ck, NULL, ptrs, NULL, NULL, NULL, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_msg(strstr(msg, "shorter"), "message: %s", msg);
    free(dst);
    nninit_model_free(m);
    nninit_st_close(ck);
    remove_dir();
}
END_TEST

/* f32 70000 does not fit f16 (largest finite 65504; 65519.99 still rounds to
 * it, 65520 would round to infinity); NaN and inf only with allow_nonfinite. */
START_TEST(values_that_do_not_fit)
{
    static const struct { float v; const char *dtype; int allow; nninit_status want; const char *says; } cases[] = {
        { 70000.0f, "f16", 0, NNINIT_E_PARAM, "outside f16's range" },
        { 65520.0f, "f16", 0, NNINIT_E_PARAM, "outside f16's range" },
        { 65519.99f, "f16", 0, NNINIT_OK, "" },
        { 3.0e38f, "bf16", 0, NNINIT_OK, "" },           /* bf16 has f32's range */
        { 3.4028235e38f, "bf16", 0, NNINIT_E_PARAM, "outside bf16's range" },   /* rounds up past bf16's max */
        { 70000.0f, "f64", 0, NNINIT_OK, "" },
        { __builtin_nanf(""), "f32", 0, NNINIT_E_PARAM, "NaN or infinite" },
        { __builtin_inff(), "f16", 0, NNINIT_E_PARAM, "NaN or infinite" },
        { __builtin_nanf(""), "f32", 1, NNINIT_OK, "" },
        { __builtin_inff(), "f16", 1, NNINIT_OK, "" },
    };
    make_dir();
    char ck_path[128], out[128], msg[1024];
    snprintf(ck_path, sizeof ck_path, "%s/ck.safetensors", g_dir);
    snprintf(out, sizeof out, "%s/out.safetensors", g_dir);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        write_checkpoint(ck_path, cases[k].v);
        nninit_st_file *ck = NULL;
        ck_assert_int_eq(nninit_st_open(ck_path, &ck, msg, sizeof msg), NNINIT_OK);
        nninit_model *m = model_of(cases[k].dtype);
        nninit_load_options load = { .allow_nonfinite = cases[k].allow };
        nninit_model_write_options o = { .ckpt = ck, .load = &load };
        nninit_status st = nninit_model_write(m, out, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg);
        ck_assert_msg(st == cases[k].want, "case %zu: status %d, %s", k, (int)st, msg);
        if (st != NNINIT_OK) {
            ck_assert_msg(strstr(msg, cases[k].says) && strstr(msg, "tensor 'w'"), "case %zu: %s", k, msg);
            dir_holds_only("ck.safetensors");
        }
        unlink(out);
        nninit_model_free(m);
        nninit_st_close(ck);
    }
    remove_dir();
}
END_TEST

START_TEST(conflicting_renames)
{
    make_dir();
    char ck_path[128], msg[1024];
    snprintf(ck_path, sizeof ck_path, "%s/ck.safetensors", g_dir);
    write_checkpoint(ck_path, 1);
    nninit_st_file *ck = NULL;
    ck_assert_int_eq(nninit_st_open(ck_path, &ck, msg, sizeof msg), NNINIT_OK);
    nninit_model *m = model_of("f32");
    float *dst = calloc(N, sizeof *dst);
    void *const ptrs[1] = { dst };
    const char *two_to_one[] = { "a.=w", "b.=w", NULL }, *one_to_two[] = { "a.=w", "a.=v", NULL },
               *twice[] = { "a.=w", "a.=w", NULL };
    nninit_load_options load = { .renames = two_to_one };
    ck_assert_int_eq(nninit_model_init_from(m, ck, &load, ptrs, NULL, NULL, NULL, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_msg(strstr(msg, "conflict"), "%s", msg);
    load.renames = one_to_two;
    ck_assert_int_eq(nninit_model_init_from(m, ck, &load, ptrs, NULL, NULL, NULL, msg, sizeof msg), NNINIT_E_PARAM);
    load.renames = twice;
    ck_assert_int_eq(nninit_model_init_from(m, ck, &load, ptrs, NULL, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    ck_assert(dst[0] == 1.0f);
    free(dst);
    nninit_model_free(m);
    nninit_st_close(ck);
    remove_dir();
}
END_TEST

/* A block device exists, and holds data: written only when replacing is
 * allowed. (A loop device number with no backing file: never writable.) */
START_TEST(block_device_needs_replace)
{
    make_dir();
    char dev[128], msg[1024];
    snprintf(dev, sizeof dev, "%s/blk", g_dir);
    if (mknod(dev, S_IFBLK | 0600, makedev(7, 251)) != 0) {
        remove_dir();
        return;   /* not allowed here (no CAP_MKNOD): tests/cli/faults.sh says so too */
    }
    nninit_model *m = model_of("f32");
    nninit_model_write_options o = { .no_replace = 1 };
    ck_assert_int_eq(nninit_model_write(m, dev, NNINIT_FORMAT_SAFETENSORS, &o, msg, sizeof msg), NNINIT_E_EXISTS);
    float x = 1;
    nninit_tensor t = { .name = "x", .dtype = NNINIT_F32, .ndim = 1, .shape = { 1 }, .data = &x, .nbytes = 4 };
    nninit_write_options wo = { .no_replace = 1 };
    ck_assert_int_eq(nninit_st_save(dev, &t, 1, NULL, &wo, msg, sizeof msg), NNINIT_E_EXISTS);
    ck_assert_int_eq(nninit_st_save("/dev/null", &t, 1, NULL, &wo, msg, sizeof msg), NNINIT_OK);   /* exempt */
    nninit_model_free(m);
    remove_dir();
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = nt_tcase("faults");
    tcase_add_test(tc, truncated_while_streamed);
    tcase_add_test(tc, truncated_before_init_from);
    tcase_add_test(tc, values_that_do_not_fit);
    tcase_add_test(tc, conflicting_renames);
    tcase_add_test(tc, block_device_needs_replace);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
