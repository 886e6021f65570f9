/* The .npy reader: files nninit wrote read back, images written here byte by
 * byte from NumPy's format description (versions 1.0 to 3.0, big-endian,
 * Fortran order, keys in any order, misaligned data), dtypes it opens but
 * does not hand out as tensors, and every malformed header with its message. */
#include "testutil.h"

static char g_path[256];

static void setup(void)
{
    snprintf(g_path, sizeof g_path, "/tmp/nninit_npy_read_%ld.npy", (long)getpid());
}

static void teardown(void) { unlink(g_path); }

/* magic, version, header length, the dict padded to a multiple of `align` with '\n' last, then data */
static unsigned char *image(int major, const char *dict, size_t align, const void *data, size_t nbytes, size_t *len)
{
    const size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = pre + dl + 1;
    if (align) total = (total + align - 1) / align * align;
    unsigned char *b = malloc(total + nbytes + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    const size_t hlen = total - pre;
    for (size_t k = 0; k < pre - 8; k++) b[8 + k] = (unsigned char)(hlen >> (8 * k));
    memcpy(b + pre, dict, dl);
    memset(b + pre + dl, ' ', total - pre - dl - 1);
    b[total - 1] = '\n';
    if (nbytes) memcpy(b + total, data, nbytes);
    *len = total + nbytes;
    return b;
}

static nninit_npy_file *open_ok(const unsigned char *b, size_t len)
{
    char msg[512] = "x";
    nninit_npy_file *f = NULL;
    ck_assert_msg(nninit_npy_open_memory(b, len, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_str_eq(msg, "");
    return f;
}

START_TEST(test_round_trip)
{
    static const nninit_dtype dts[3] = { NNINIT_F32, NNINIT_F64, NNINIT_F16 };
    static const char *const descr[3] = { "<f4", "<f8", "<f2" };
    static const int64_t shapes[][4] = { { 0 }, { 7 }, { 3, 5 }, { 2, 3, 4, 5 }, { 4, 0, 2 } };
    static const int ndims[] = { 0, 1, 2, 4, 3 };
    unsigned char buf[2 * 3 * 4 * 5 * 8];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 7 + 1);
    for (int d = 0; d < 3; d++)
        for (size_t s = 0; s < sizeof ndims / sizeof ndims[0]; s++) {
            char msg[512];
            nninit_rng rng = { 1, (uint64_t)s };
            size_t count = 1;
            for (int k = 0; k < ndims[s]; k++) count *= (size_t)shapes[s][k];
            ck_assert_int_eq(nninit_normal(buf, dts[d], count, 0, 1, rng, 0), NNINIT_OK);
            ck_assert_msg(nninit_npy_save(g_path, buf, dts[d], shapes[s], ndims[s], NULL, msg, sizeof msg) == NNINIT_OK,
                          "%s", msg);
            nninit_npy_file *f = NULL;
            ck_assert_msg(nninit_npy_open(g_path, &f, msg, sizeof msg) == NNINIT_OK, "%s", msg);
            nninit_tensor t;
            ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_OK);
            ck_assert_str_eq(t.name, g_path);
            ck_assert_str_eq(nninit_npy_descr(f), descr[d]);
            ck_assert_int_eq(t.dtype, dts[d]);
            ck_assert_int_eq(t.ndim, ndims[s]);
            for (int k = 0; k < ndims[s]; k++) ck_assert_int_eq(t.shape[k], shapes[s][k]);
            ck_assert_uint_eq(t.nbytes, count * nninit_dtype_size(dts[d]));
            ck_assert(count == 0 || memcmp(t.data, buf, t.nbytes) == 0);
            ck_assert_uint_eq((uintptr_t)t.data % nninit_dtype_size(dts[d]), 0);
            nninit_npy_close(f);
        }
    /* bf16 is written as '<u2': it opens, but as an integer array */
    uint16_t h[3] = { 0x3f80, 0x4000, 0xc040 };
    int64_t n3 = 3;
    ck_assert_int_eq(nninit_npy_save(g_path, h, NNINIT_BF16, &n3, 1, NULL, NULL, 0), NNINIT_OK);
    nninit_npy_file *f = NULL;
    ck_assert_int_eq(nninit_npy_open(g_path, &f, NULL, 0), NNINIT_OK);
    nninit_tensor t;
    ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_E_DTYPE);
    ck_assert_int_eq((int)t.dtype, -1);
    ck_assert_str_eq(nninit_npy_descr(f), "<u2");
    ck_assert_uint_eq(t.nbytes, 6);
    ck_assert(memcmp(t.data, h, 6) == 0);
    nninit_npy_close(f);
}
END_TEST

START_TEST(test_variants)
{
    size_t len;
    nninit_tensor t;
    /* big-endian float32 */
    const unsigned char be[8] = { 0x3f, 0x80, 0x00, 0x00, 0xc0, 0x40, 0x00, 0x00 };   /* 1, -3 */
    unsigned char *b = image(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 64, be, 8, &len);
    nninit_npy_file *f = open_ok(b, len);
    ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_OK);
    ck_assert(((const float *)t.data)[0] == 1.0f && ((const float *)t.data)[1] == -3.0f);
    nninit_npy_close(f);
    free(b);
    /* Fortran order, version 2.0, keys in another order, double quotes, no trailing comma */
    const double fo[6] = { 0, 3, 1, 4, 2, 5 };   /* column-major 2 x 3 of [[0, 1, 2], [3, 4, 5]] */
    b = image(2, "{\"shape\": (2, 3), \"fortran_order\": True, \"descr\": \"<f8\"}", 64, fo, sizeof fo, &len);
    f = open_ok(b, len);
    ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_OK);
    for (int i = 0; i < 6; i++) ck_assert(((const double *)t.data)[i] == i);
    nninit_npy_close(f);
    free(b);
    /* a 3-D Fortran-ordered big-endian array */
    int64_t sh[3] = { 2, 3, 4 };
    unsigned char fb[24 * 4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) {
                float v = (float)(100 * i + 10 * j + k);
                uint32_t u;
                memcpy(&u, &v, 4);
                size_t at = (size_t)(i + 2 * j + 6 * k) * 4;
                for (int q = 0; q < 4; q++) fb[at + (size_t)q] = (unsigned char)(u >> (24 - 8 * q));
            }
    b = image(3, "{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3, 4), }", 64, fb, sizeof fb, &len);
    f = open_ok(b, len);
    ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_OK);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) ck_assert(((const float *)t.data)[(i * 3 + j) * 4 + k] == 100 * i + 10 * j + k);
    ck_assert_int_eq(t.shape[0], sh[0]);
    nninit_npy_close(f);
    free(b);
    /* misaligned data (header not a multiple of 8): copied to an aligned buffer */
    const double two[2] = { 1.5, -2.25 };
    b = image(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", 0, two, 16, &len);
    f = open_ok(b, len);
    ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_OK);
    ck_assert_uint_eq((uintptr_t)t.data % 8, 0);
    ck_assert(((const double *)t.data)[0] == 1.5 && ((const double *)t.data)[1] == -2.25);
    nninit_npy_close(f);
    free(b);
    /* other dtypes open without becoming tensors */
    static const char *const others[] = { "<i8", "|u1", "|b1", "<c8", "<U3" };
    static const size_t sizes[] = { 8, 1, 1, 8, 12 };
    for (int k = 0; k < 5; k++) {
        char dict[128];
        unsigned char z[24] = { 0 };
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (2,), }", others[k]);
        b = image(1, dict, 64, z, 2 * sizes[k], &len);
        f = open_ok(b, len);
        ck_assert_int_eq(nninit_npy_tensor(f, &t), NNINIT_E_DTYPE);
        ck_assert_int_eq((int)t.dtype, -1);
        ck_assert_str_eq(nninit_npy_descr(f), others[k]);
        nninit_npy_close(f);
        free(b);
    }
}
END_TEST

START_TEST(test_malformed)
{
    static const struct { int major; const char *dict; long extra; const char *msg; } bad[] = {
        { 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 0, "npy: format version 4.0 is not supported" },
        { 1, "'descr': '<f4'", 0, "npy: the header is not a dict" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 0, "npy: unknown header key 'x'" },
        { 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 0,
          "npy: header key 'descr' appears twice" },
        { 1, "{'descr': '<f4', 'shape': (1,)}", 0, "npy: header key 'fortran_order' missing" },
        { 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", 0,
          "npy: 'descr' is not a plain type string (structured arrays are not supported)" },
        { 1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", 0, "npy: unknown dtype '|O'" },
        { 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", 0, "npy: 'fortran_order' is not True or False" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 0, "npy: 'shape' is not a tuple" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", 0, "npy: 'shape' is not a tuple" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 0, "at most 8 sizes" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 0, "npy: text after the header dict" },
        { 1, "{'descr': '<f4', 'fortran_order': False 'shape': (1,)}", 0, "npy: malformed header" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", -4,
          "npy: the data holds 8 bytes; shape [3] of '<f4' needs 12" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 4,
          "npy: the data holds 16 bytes; shape [3] of '<f4' needs 12" },
        { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", 0,
          "npy: the shape has too many elements" },
    };
    unsigned char data[64] = { 0 };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        size_t len;
        unsigned char *b = image(bad[k].major, bad[k].dict, 64, data, (size_t)(12 + bad[k].extra), &len);
        char msg[512];
        nninit_npy_file *f = (nninit_npy_file *)1;
        ck_assert_int_eq(nninit_npy_open_memory(b, len, &f, msg, sizeof msg), NNINIT_E_FORMAT);
        ck_assert_ptr_null(f);
        ck_assert_msg(strstr(msg, bad[k].msg) != NULL, "case %zu: \"%s\" lacks \"%s\"", k, msg, bad[k].msg);
        free(b);
    }
    /* the prefix */
    char msg[512];
    nninit_npy_file *f;
    ck_assert_int_eq(nninit_npy_open_memory("\x93NUMPX\x01\x00\x00\x00", 10, &f, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_str_eq(msg, "npy: not a .npy file (no \\x93NUMPY magic)");
    ck_assert_int_eq(nninit_npy_open_memory("\x93NUMPY\x01\x00\xff\x00", 10, &f, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_str_eq(msg, "npy: the header runs past the end of the file");
    ck_assert_int_eq(nninit_npy_open_memory("\x93NUMPY\x02\x00\x00", 9, &f, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_int_eq(nninit_npy_open_memory("", 0, &f, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_int_eq(nninit_npy_open_memory(NULL, 3, &f, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_npy_open_memory("x", 1, NULL, msg, sizeof msg), NNINIT_E_NULL);
    /* files */
    ck_assert_int_eq(nninit_npy_open("/nonexistent/batch.npy", &f, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_str_eq(msg, "cannot open \"/nonexistent/batch.npy\": No such file or directory");
    FILE *fp = fopen(g_path, "wb");
    fputs("not npy", fp);
    fclose(fp);
    ck_assert_int_eq(nninit_npy_open(g_path, &f, msg, sizeof msg), NNINIT_E_FORMAT);
    char want[512];
    snprintf(want, sizeof want, "%s: npy: not a .npy file (no \\x93NUMPY magic)", g_path);
    ck_assert_str_eq(msg, want);
    ck_assert_int_eq(nninit_npy_open(NULL, &f, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_npy_tensor(NULL, NULL), NNINIT_E_NULL);
    ck_assert_ptr_null(nninit_npy_descr(NULL));
    nninit_npy_close(NULL);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("npy_read");
    TCase *tc = nt_tcase("npy_read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_variants);
    tcase_add_test(tc, test_malformed);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
