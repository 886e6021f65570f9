/* Schemes: fans and gains from hand-derived cases, each scheme's bits equal
 * to the fill it reduces to (parameters computed here from the formulas),
 * the C functions equal their spec strings, eye/dirac structure, sparse's
 * exact zero counts, uniform selection and thread invariance, statistics of
 * large tensors, empty tensors, and dst untouched on failure.
 * (PyTorch-derived expectations: test_scheme_refs.c; the parser: test_spec.c;
 * orthogonal: test_orthogonal.c.) */
#include <omp.h>
#include <stdio.h>
#include "testutil.h"

static const nninit_dtype k_dtypes[] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
static const nninit_rng k_rng = { 0x5eed, 0x1234 };

/* Element i of a buffer of the dtype, as a double. */
static double elem(const void *buf, nninit_dtype dt, size_t i)
{
    const unsigned char *b = (const unsigned char *)buf;
    switch (dt) {
    case NNINIT_F32: { float f; memcpy(&f, b + 4 * i, 4); return f; }
    case NNINIT_F64: { double d; memcpy(&d, b + 8 * i, 8); return d; }
    case NNINIT_BF16: { uint16_t h; memcpy(&h, b + 2 * i, 2); return nt_bf16_to_f32(h); }
    case NNINIT_F16: { uint16_t h; memcpy(&h, b + 2 * i, 2); return nt_f16_to_f32(h); }
    }
    return NAN;
}

/* ---- fans --------------------------------------------------------------- */
static nninit_layout lay(nninit_layout_kind k, int64_t groups)
{
    nninit_layout l = { k, 0, 0, groups };
    return l;
}

static void expect_fans(const int64_t *shape, int ndim, nninit_layout l, int64_t fi, int64_t fo)
{
    int64_t a = -1, b = -1;
    ck_assert_int_eq(nninit_fans(shape, ndim, l, &a, &b), NNINIT_OK);
    ck_assert_int_eq(a, fi);
    ck_assert_int_eq(b, fo);
}

START_TEST(fans_by_hand)
{
    /* nn.Linear(3, 5): weight (5, 3). */
    expect_fans((int64_t[]){ 5, 3 }, 2, lay(NNINIT_LAYOUT_OIHW, 0), 3, 5);
    /* nn.Conv2d(4, 8, 3x3): (8, 4, 3, 3); each output sees 4*9 inputs, each input feeds 8*9 outputs. */
    expect_fans((int64_t[]){ 8, 4, 3, 3 }, 4, lay(NNINIT_LAYOUT_OIHW, 1), 36, 72);
    /* nn.Conv2d(8, 8, 3x3, groups=2): (8, 4, 3, 3); per group 4 in, 4 out. */
    expect_fans((int64_t[]){ 8, 4, 3, 3 }, 4, lay(NNINIT_LAYOUT_OIHW, 2), 36, 36);
    /* nn.ConvTranspose2d(4, 8, 3x3): (4, 8, 3, 3): in = axis 0. */
    expect_fans((int64_t[]){ 4, 8, 3, 3 }, 4, lay(NNINIT_LAYOUT_IOHW, 0), 36, 72);
    /* nn.ConvTranspose2d(6, 4, 3x3, groups=2): (6, 2, 3, 3): per group 3 in, 2 out. */
    expect_fans((int64_t[]){ 6, 2, 3, 3 }, 4, lay(NNINIT_LAYOUT_IOHW, 2), 27, 18);
    /* Keras Conv2D(8, 3x3) on 4 channels: (3, 3, 4, 8); with groups=2 the kernel is (3, 3, 2, 8). */
    expect_fans((int64_t[]){ 3, 3, 4, 8 }, 4, lay(NNINIT_LAYOUT_HWIO, 0), 36, 72);
    expect_fans((int64_t[]){ 3, 3, 2, 8 }, 4, lay(NNINIT_LAYOUT_HWIO, 2), 18, 36);
    /* Keras Dense(5) on 3 inputs: (3, 5). */
    expect_fans((int64_t[]){ 3, 5 }, 2, lay(NNINIT_LAYOUT_HWIO, 0), 3, 5);
    /* Keras Conv2DTranspose(8, 3x3) on 4 channels: (3, 3, 8, 4). */
    expect_fans((int64_t[]){ 3, 3, 8, 4 }, 4, lay(NNINIT_LAYOUT_HWOI, 0), 36, 72);
    /* Explicit axes: in = 0, out = 2 of (4, 5, 8): receptive 5. */
    nninit_layout ax = { NNINIT_LAYOUT_AXES, 0, -1, 1 };
    expect_fans((int64_t[]){ 4, 5, 8 }, 3, ax, 20, 40);
    /* 0-D and 1-D: Keras's rule. */
    expect_fans(NULL, 0, lay(NNINIT_LAYOUT_OIHW, 0), 1, 1);
    expect_fans((int64_t[]){ 7 }, 1, lay(NNINIT_LAYOUT_HWIO, 0), 7, 7);
    /* Conv3d(2, 6, (3,4,5)): receptive 60. */
    expect_fans((int64_t[]){ 6, 2, 3, 4, 5 }, 5, lay(NNINIT_LAYOUT_OIHW, 0), 120, 360);
}
END_TEST

START_TEST(fans_errors)
{
    int64_t a = 99, b = 99;
    nninit_layout l0 = lay(NNINIT_LAYOUT_OIHW, 0);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4, 3 }, 3, lay(NNINIT_LAYOUT_OIHW, 3), &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, -4 }, 2, l0, &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 9, l0, &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, -1, l0, &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_fans(NULL, 2, l0, &a, &b), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, 2, l0, NULL, &b), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, 2, lay((nninit_layout_kind)99, 0), &a, &b), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, 2, lay(NNINIT_LAYOUT_OIHW, -1), &a, &b), NNINIT_E_PARAM);
    nninit_layout same = { NNINIT_LAYOUT_AXES, 1, -1, 1 }, far = { NNINIT_LAYOUT_AXES, 0, 2, 1 },
                  grouped = { NNINIT_LAYOUT_AXES, 0, 1, 2 };
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, 2, same, &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, 2, far, &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_fans((int64_t[]){ 8, 4 }, 2, grouped, &a, &b), NNINIT_E_SHAPE);
    ck_assert_int_eq(a, 99);
    ck_assert_int_eq(b, 99);
}
END_TEST

/* ---- gains --------------------------------------------------------------- */
START_TEST(gains)
{
    static const struct { const char *name; double param, want; } cases[] = {
        { "linear", NAN, 1 }, { "identity", NAN, 1 }, { "conv1d", NAN, 1 }, { "conv2d", NAN, 1 },
        { "conv3d", NAN, 1 }, { "conv_transpose1d", NAN, 1 }, { "conv_transpose2d", NAN, 1 },
        { "conv_transpose3d", NAN, 1 }, { "sigmoid", NAN, 1 }, { "tanh", 7, 1.6666666666666667 },
        { "relu", 0.5, 1.4142135623730951 }, { "selu", NAN, 0.75 },
        /* sqrt(2 / (1 + s^2)), evaluated by hand: s = 0.01 -> sqrt(2/1.0001), s = 0.2 -> sqrt(2/1.04) */
        { "leaky_relu", NAN, 1.4141428569978354 }, { "leaky_relu", 0.2, 1.3867504905630728 },
        { "leaky_relu", 0, 1.4142135623730951 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double g = 0;
        ck_assert_int_eq(nninit_gain(cases[i].name, cases[i].param, &g), NNINIT_OK);
        ck_assert_msg(fabs(g - cases[i].want) <= 2e-16 * cases[i].want, "%s: %.17g", cases[i].name, g);
    }
    double g = 42;
    ck_assert_int_eq(nninit_gain("relu6", NAN, &g), NNINIT_E_SPEC);
    ck_assert_int_eq(nninit_gain("leaky_relu", INFINITY, &g), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_gain(NULL, NAN, &g), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_gain("tanh", NAN, NULL), NNINIT_E_NULL);
    ck_assert(g == 42);
}
END_TEST

/* ---- schemes are their fills ----------------------------------------------- */
enum { RND_UNIFORM, RND_NORMAL, RND_TRUNC };
static void expect_fill(const char *spec, const int64_t *shape, int ndim, int kind, double p0, double p1,
                        double p2, double p3)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)shape[i];
    for (int d = 0; d < 4; d++) {
        nninit_dtype dt = k_dtypes[d];
        size_t bytes = n * nninit_dtype_size(dt);
        unsigned char *a = malloc(bytes), *b = malloc(bytes);
        char msg[256];
        ck_assert_msg(nninit_init_msg(a, dt, shape, ndim, spec, k_rng, msg, sizeof msg) == NNINIT_OK, "%s", msg);
        nninit_status st = kind == RND_UNIFORM ? nninit_uniform(b, dt, n, p0, p1, k_rng, 0)
                         : kind == RND_NORMAL ? nninit_normal(b, dt, n, p0, p1, k_rng, 0)
                         : nninit_trunc_normal(b, dt, n, p0, p1, p2, p3, k_rng, 0);
        ck_assert_int_eq(st, NNINIT_OK);
        ck_assert_msg(memcmp(a, b, bytes) == 0, "%s as %s differs from its fill", spec, nninit_dtype_name(dt));
        free(a);
        free(b);
    }
}

START_TEST(schemes_are_fills)
{
    const int64_t conv[4] = { 16, 8, 3, 3 };      /* fan_in 72, fan_out 144 */
    const int64_t hwio[4] = { 3, 3, 8, 16 };      /* the same conv, Keras layout */
    double b, s;
    b = sqrt(6.0 / (72 + 144));
    expect_fill("xavier_uniform", conv, 4, RND_UNIFORM, -b, b, 0, 0);
    expect_fill("glorot_uniform(layout=hwio)", hwio, 4, RND_UNIFORM, -b, b, 0, 0);
    b = 2.0 * sqrt(6.0 / (72 + 144));
    expect_fill("xavier_uniform(gain=2)", conv, 4, RND_UNIFORM, -b, b, 0, 0);
    s = 5.0 / 3.0 * sqrt(2.0 / (72 + 144));
    expect_fill("xavier_normal(gain=1.6666666666666667)", conv, 4, RND_NORMAL, 0, s, 0, 0);
    s = sqrt(2.0) / sqrt(144.0);
    expect_fill("kaiming_normal(mode=fan_out, nonlinearity=relu)", conv, 4, RND_NORMAL, 0, s, 0, 0);
    s = sqrt(2.0 / (1 + 0.01)) / sqrt(72.0);   /* a = 0.1: 1 + a^2 */
    b = sqrt(3.0) * s;
    expect_fill("he_uniform(a=0.1)", conv, 4, RND_UNIFORM, -b, b, 0, 0);
    b = sqrt(3.0 / 72);
    expect_fill("lecun_uniform(layout=oihw)", conv, 4, RND_UNIFORM, -b, b, 0, 0);
    expect_fill("lecun_normal", conv, 4, RND_NORMAL, 0, 1 / sqrt(72.0), 0, 0);
    s = sqrt(2.0 / 108) / 0.87962566103423978;   /* fan_avg = (72 + 144) / 2 */
    expect_fill("variance_scaling(scale=2, mode=fan_avg)", conv, 4, RND_TRUNC, 0, s, -2 * s, 2 * s);
    expect_fill("variance_scaling(mode=fan_out, distribution=normal)", conv, 4, RND_NORMAL, 0, sqrt(1.0 / 144), 0, 0);
    b = sqrt(3 * 0.5 / 72);
    expect_fill("variance_scaling(scale=0.5, distribution=uniform, in_axis=-2, out_axis=-1)", hwio, 4, RND_UNIFORM,
                -b, b, 0, 0);
    b = 1 / sqrt(72.0);
    expect_fill("pytorch_default", conv, 4, RND_UNIFORM, -b, b, 0, 0);
    expect_fill("pytorch_default_bias(fan_in=72)", (int64_t[]){ 16 }, 1, RND_UNIFORM, -b, b, 0, 0);
    expect_fill("uniform(low=-3, high=0.5)", conv, 4, RND_UNIFORM, -3, 0.5, 0, 0);
    expect_fill("normal(mean=1, std=0.02)", conv, 4, RND_NORMAL, 1, 0.02, 0, 0);
    expect_fill("trunc_normal(std=0.02)", conv, 4, RND_TRUNC, 0, 0.02, -2, 2);
    expect_fill("trunc_normal_sigma(mean=1, std=0.5, lower=-1, upper=3)", conv, 4, RND_TRUNC, 1, 0.5, 0.5, 2.5);
}
END_TEST

/* The C functions give the bits of their spec strings. */
static void expect_same(const char *spec, const int64_t *shape, int ndim, nninit_status (*call)(void *dst))
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)shape[i];
    float *a = malloc(n * 4), *b = malloc(n * 4);
    ck_assert_int_eq(nninit_init(a, NNINIT_F32, shape, ndim, spec, k_rng), NNINIT_OK);
    ck_assert_int_eq(call(b), NNINIT_OK);
    ck_assert_msg(memcmp(a, b, n * 4) == 0, "%s: C function differs", spec);
    free(a);
    free(b);
}

static const int64_t g_shape[4] = { 3, 3, 6, 12 };   /* hwio: 3x3 kernel, 6 in per group, 12 out */
static const nninit_layout g_hwio = { NNINIT_LAYOUT_HWIO, 0, 0, 2 };
static nninit_status c_xu(void *d) { return nninit_xavier_uniform(d, NNINIT_F32, g_shape, 4, g_hwio, 1.5, k_rng); }
static nninit_status c_xn(void *d) { return nninit_xavier_normal(d, NNINIT_F32, g_shape, 4, g_hwio, 1.5, k_rng); }
static nninit_status c_ku(void *d)
{
    return nninit_kaiming_uniform(d, NNINIT_F32, g_shape, 4, g_hwio, 0.2, NNINIT_FAN_OUT, "leaky_relu", k_rng);
}
static nninit_status c_kn(void *d)
{
    return nninit_kaiming_normal(d, NNINIT_F32, g_shape, 4, g_hwio, 0, NNINIT_FAN_IN, "tanh", k_rng);
}
static nninit_status c_lu(void *d) { return nninit_lecun_uniform(d, NNINIT_F32, g_shape, 4, g_hwio, k_rng); }
static nninit_status c_ln(void *d) { return nninit_lecun_normal(d, NNINIT_F32, g_shape, 4, g_hwio, k_rng); }
static nninit_status c_vs(void *d)
{
    return nninit_variance_scaling(d, NNINIT_F32, g_shape, 4, g_hwio, 3, NNINIT_FAN_AVG, NNINIT_DIST_UNIFORM, k_rng);
}
static nninit_status c_pd(void *d) { return nninit_pytorch_default(d, NNINIT_F32, g_shape, 4, g_hwio, k_rng); }
static nninit_status c_pb(void *d) { return nninit_pytorch_default_bias(d, NNINIT_F32, 12, 54, k_rng, 0); }
static nninit_status c_tn(void *d)
{
    return nninit_trunc_normal_sigma(d, NNINIT_F32, 12 * 6 * 9, 0, 2, -1, 1, k_rng, 0);
}
static nninit_status c_sp(void *d)
{
    return nninit_sparse(d, NNINIT_F32, (int64_t[]){ 12, 54 }, 2, 0.3, 0.5, k_rng);
}
static nninit_status c_dirac(void *d) { return nninit_dirac(d, NNINIT_F32, g_shape, 4, g_hwio); }
static nninit_status c_eye(void *d) { return nninit_eye(d, NNINIT_F32, (int64_t[]){ 12, 54 }, 2); }
static nninit_status c_zeros(void *d) { return nninit_zeros(d, NNINIT_F32, 12 * 54); }
static nninit_status c_ones(void *d) { return nninit_ones(d, NNINIT_F32, 12 * 54); }

START_TEST(c_functions_match_specs)
{
    expect_same("xavier_uniform(gain=1.5, layout=hwio, groups=2)", g_shape, 4, c_xu);
    expect_same("glorot_normal(gain=1.5, layout=hwio, groups=2)", g_shape, 4, c_xn);
    expect_same("kaiming_uniform(a=0.2, mode=fan_out, layout=hwio, groups=2)", g_shape, 4, c_ku);
    expect_same("he_normal(nonlinearity=tanh, layout=hwio, groups=2)", g_shape, 4, c_kn);
    expect_same("lecun_uniform(layout=hwio, groups=2)", g_shape, 4, c_lu);
    expect_same("lecun_normal(layout=hwio, groups=2)", g_shape, 4, c_ln);
    expect_same("variance_scaling(scale=3, mode=fan_avg, distribution=uniform, layout=hwio, groups=2)", g_shape, 4,
                c_vs);
    expect_same("pytorch_default(layout=hwio, groups=2)", g_shape, 4, c_pd);
    expect_same("pytorch_default_bias(fan_in=54)", (int64_t[]){ 12 }, 1, c_pb);
    expect_same("trunc_normal_sigma(std=2, lower=-1, upper=1)", g_shape, 4, c_tn);
    expect_same("sparse(sparsity=0.3, std=0.5)", (int64_t[]){ 12, 54 }, 2, c_sp);
    expect_same("dirac(layout=hwio, groups=2)", g_shape, 4, c_dirac);
    expect_same("eye", (int64_t[]){ 12, 54 }, 2, c_eye);
    expect_same("zeros", (int64_t[]){ 12, 54 }, 2, c_zeros);
    expect_same("ones", (int64_t[]){ 12, 54 }, 2, c_ones);
    expect_same("constant(value=1)", (int64_t[]){ 12, 54 }, 2, c_ones);
}
END_TEST

/* ---- structure -------------------------------------------------------------- */
START_TEST(eye_structure)
{
    const int64_t shapes[][2] = { { 5, 5 }, { 3, 7 }, { 7, 3 }, { 1, 1 } };
    for (int d = 0; d < 4; d++)
        for (int k = 0; k < 4; k++) {
            size_t n = (size_t)(shapes[k][0] * shapes[k][1]);
            unsigned char buf[49 * 8];
            ck_assert_int_eq(nninit_init(buf, k_dtypes[d], shapes[k], 2, "eye", k_rng), NNINIT_OK);
            for (size_t i = 0; i < n; i++) {
                size_t r = i / (size_t)shapes[k][1], c = i % (size_t)shapes[k][1];
                ck_assert(elem(buf, k_dtypes[d], i) == (r == c ? 1.0 : 0.0));
            }
        }
}
END_TEST

/* dirac: the convolution it defines copies channel d of each group to output
 * d of that group. Checked by evaluating the convolution at the kernel centre
 * from the weights, with index arithmetic written out per layout. */
START_TEST(dirac_structure)
{
    /* out 6, in/groups 4, kernel 3x5, groups 2: out per group 3, so min(3, 4) = 3 ones per group. */
    const int O = 6, I = 4, H = 3, W = 5, G = 2;
    float buf[6 * 4 * 3 * 5];
    for (int layout = 0; layout < 2; layout++) {
        int64_t shape[4];
        const char *spec = layout ? "dirac(groups=2, layout=hwio)" : "dirac(groups=2)";
        if (layout) { shape[0] = H; shape[1] = W; shape[2] = I; shape[3] = O; }
        else { shape[0] = O; shape[1] = I; shape[2] = H; shape[3] = W; }
        ck_assert_int_eq(nninit_init(buf, NNINIT_F32, shape, 4, spec, k_rng), NNINIT_OK);
        int ones = 0;
        for (int o = 0; o < O; o++)
            for (int i = 0; i < I; i++)
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++) {
                        size_t idx = layout ? (size_t)(((h * W + w) * I + i) * O + o)
                                            : (size_t)(((o * I + i) * H + h) * W + w);
                        int want = h == H / 2 && w == W / 2 && (o % (O / G)) == i;
                        ck_assert_msg(buf[idx] == (float)want, "layout %d o=%d i=%d h=%d w=%d", layout, o, i, h, w);
                        ones += want;
                    }
        ck_assert_int_eq(ones, G * 3);
    }
    /* 3-D and 5-D; bf16. */
    uint16_t b16[4 * 4 * 3 * 3 * 3];
    ck_assert_int_eq(nninit_init(b16, NNINIT_BF16, (int64_t[]){ 4, 4, 3 }, 3, "dirac", k_rng), NNINIT_OK);
    for (int o = 0; o < 4; o++)
        for (int i = 0; i < 4; i++)
            for (int k = 0; k < 3; k++)
                ck_assert(nt_bf16_to_f32(b16[(o * 4 + i) * 3 + k]) == (o == i && k == 1 ? 1.0f : 0.0f));
    ck_assert_int_eq(nninit_init(b16, NNINIT_BF16, (int64_t[]){ 4, 4, 3, 3, 3 }, 5, "dirac", k_rng), NNINIT_OK);
    int ones = 0;
    for (size_t i = 0; i < 4 * 4 * 27; i++) ones += nt_bf16_to_f32(b16[i]) == 1.0f;
    ck_assert_int_eq(ones, 4);
    ck_assert(nt_bf16_to_f32(b16[(2 * 4 + 2) * 27 + 13]) == 1.0f);
}
END_TEST

/* Every column has exactly ceil(sparsity * rows) zeros; the other entries are
 * the normal fill's values. */
START_TEST(sparse_counts)
{
    const int64_t rows = 37, cols = 53;
    const double sp[] = { 0, 0.1, 0.25, 0.5, 0.999, 1 };
    const int zeros[] = { 0, 4, 10, 19, 37, 37 };     /* ceil(sparsity * 37), by hand */
    for (int d = 0; d < 4; d++) {
        nninit_dtype dt = k_dtypes[d];
        size_t esz = nninit_dtype_size(dt), n = (size_t)(rows * cols);
        unsigned char *w = malloc(n * esz), *ref = malloc(n * esz);
        ck_assert_int_eq(nninit_normal(ref, dt, n, 0, 0.5, k_rng, 0), NNINIT_OK);
        for (int k = 0; k < 6; k++) {
            ck_assert_int_eq(nninit_sparse(w, dt, (int64_t[]){ rows, cols }, 2, sp[k], 0.5, k_rng), NNINIT_OK);
            for (int64_t c = 0; c < cols; c++) {
                int z = 0;
                for (int64_t r = 0; r < rows; r++) {
                    size_t i = (size_t)(r * cols + c);
                    if (memcmp(w + i * esz, ref + i * esz, esz) == 0 && elem(ref, dt, i) != 0) continue;
                    ck_assert(elem(w, dt, i) == 0);
                    z++;
                }
                ck_assert_msg(z == zeros[k], "%s sparsity %g column %lld: %d zeros", nninit_dtype_name(dt), sp[k],
                              (long long)c, z);
            }
        }
        free(w);
        free(ref);
    }
}
END_TEST

/* The zero rows of a column are a uniform random subset: over 40000 columns
 * of 10 rows with 3 zeros, each row is zero with probability 3/10 and each of
 * the 120 possible subsets with probability 1/120. Chi-square bounds at
 * p ~ 1e-6 for a fixed seed: deterministic, and wrong selection (e.g. biased
 * to low rows) exceeds them by far. */
START_TEST(sparse_uniform_selection)
{
    const int64_t rows = 10, cols = 40000;
    float *w = malloc((size_t)(rows * cols) * 4);
    ck_assert_int_eq(nninit_sparse(w, NNINIT_F32, (int64_t[]){ rows, cols }, 2, 0.3, 1, k_rng), NNINIT_OK);
    double row_count[10] = { 0 };
    static double subset[1024];
    memset(subset, 0, sizeof subset);
    for (int64_t c = 0; c < cols; c++) {
        unsigned mask = 0;
        for (int r = 0; r < rows; r++)
            if (w[r * cols + c] == 0) { row_count[r]++; mask |= 1u << r; }
        subset[mask]++;
    }
    double chi_rows = 0, e = cols * 0.3;
    for (int r = 0; r < 10; r++) chi_rows += (row_count[r] - e) * (row_count[r] - e) / (e * 0.7);
    ck_assert_msg(chi_rows < 45, "row chi-square %g (9 dof)", chi_rows);   /* p ~ 1e-6 */
    double chi_sub = 0, es = cols / 120.0;
    int nsub = 0;
    for (unsigned m = 0; m < 1024; m++) {
        if (__builtin_popcount(m) != 3) { ck_assert(subset[m] == 0); continue; }
        nsub++;
        chi_sub += (subset[m] - es) * (subset[m] - es) / es;
    }
    ck_assert_int_eq(nsub, 120);
    ck_assert_msg(chi_sub < 215, "subset chi-square %g (119 dof)", chi_sub);  /* p ~ 1e-6 */
    free(w);
}
END_TEST

START_TEST(sparse_thread_invariant)
{
    const int64_t shape[2] = { 300, 1000 };
    float *a = malloc(300000 * 4), *b = malloc(300000 * 4);
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    ck_assert_int_eq(nninit_sparse(a, NNINIT_F32, shape, 2, 0.9, 1, k_rng), NNINIT_OK);
    omp_set_num_threads(3);
    ck_assert_int_eq(nninit_sparse(b, NNINIT_F32, shape, 2, 0.9, 1, k_rng), NNINIT_OK);
    omp_set_num_threads(saved);
    ck_assert(memcmp(a, b, 300000 * 4) == 0);
    /* A different stream gives a different selection. */
    nninit_rng other = { k_rng.seed, k_rng.stream + 1 };
    ck_assert_int_eq(nninit_sparse(b, NNINIT_F32, shape, 2, 0.9, 1, other), NNINIT_OK);
    ck_assert(memcmp(a, b, 300000 * 4) != 0);
    free(a);
    free(b);
}
END_TEST

/* ---- statistics of large tensors --------------------------------------------- */
/* Sample mean and RMS about it agree with the plan within 5 standard errors
 * (4th moments bounded generously: kurtosis <= 3 for every draw here, so
 * var(x^2) <= 2 sigma^4 plus the mean's part). 2^21 samples per case. */
START_TEST(plan_statistics)
{
    static const char *specs[] = {
        "xavier_uniform", "xavier_normal(gain=2)", "kaiming_uniform(nonlinearity=relu)",
        "kaiming_normal(mode=fan_out)", "lecun_uniform(layout=hwio)", "lecun_normal",
        "variance_scaling(scale=2, mode=fan_avg)", "variance_scaling(distribution=uniform)",
        "pytorch_default", "trunc_normal(mean=0.01, std=0.02, low=0, high=0.05)",
        "trunc_normal_sigma(std=3, lower=-0.5, upper=2)", "normal(mean=-1, std=0.1)", "uniform(low=2, high=3)",
        "eye", "sparse(sparsity=0.7, std=2)",
    };
    const int64_t shape[2] = { 1024, 2048 };
    const size_t n = 1024 * 2048;
    void *buf = malloc(n * 8);
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
        for (int d = 0; d < 4; d++) {
            nninit_dtype dt = k_dtypes[d];
            nninit_scheme s;
            nninit_plan pl;
            ck_assert_int_eq(nninit_scheme_parse(specs[k], &s, NULL, 0), NNINIT_OK);
            ck_assert_int_eq(nninit_scheme_plan(&s, shape, 2, &pl, NULL, 0), NNINIT_OK);
            ck_assert_int_eq(nninit_scheme_apply(buf, dt, shape, 2, &s, k_rng, NULL, 0), NNINIT_OK);
            double sum = 0, sq = 0;
            for (size_t i = 0; i < n; i++) sum += elem(buf, dt, i);
            double m = sum / (double)n;
            for (size_t i = 0; i < n; i++) { double x = elem(buf, dt, i) - m; sq += x * x; }
            double sd = sqrt(sq / (double)n);
            double em = pl.expected_mean, es = pl.expected_std;
            /* 16-bit rounding adds at most half an ulp (2^-8 relative for bf16) per element. */
            double rnd = dt == NNINIT_BF16 ? 0x1p-8 : dt == NNINIT_F16 ? 0x1p-11 : 0;
            double tol_m = 5 * es / sqrt((double)n) + rnd * (fabs(em) + es);
            double tol_s = 5 * es * sqrt(2.0 / (double)n) + rnd * (fabs(em) + es);
            if (pl.kind == NNINIT_PLAN_EYE) tol_m = tol_s = 1e-12;   /* exact counts */
            if (pl.kind == NNINIT_PLAN_SPARSE) tol_s *= 2;          /* kurtosis of a 30% mixture */
            ck_assert_msg(fabs(m - em) <= tol_m, "%s %s: mean %.9g expected %.9g", specs[k], nninit_dtype_name(dt), m, em);
            ck_assert_msg(fabs(sd - es) <= tol_s, "%s %s: std %.9g expected %.9g (tol %.3g)", specs[k],
                          nninit_dtype_name(dt), sd, es, tol_s);
        }
    free(buf);
}
END_TEST

/* ---- empty tensors, failures -------------------------------------------------- */
START_TEST(empty_tensors)
{
    const char *specs[] = { "kaiming_normal", "xavier_uniform", "orthogonal", "sparse(sparsity=0.5)", "eye", "zeros" };
    for (size_t k = 0; k < 6; k++) {
        ck_assert_int_eq(nninit_init(NULL, NNINIT_F32, (int64_t[]){ 0, 5 }, 2, specs[k], k_rng), NNINIT_OK);
        ck_assert_int_eq(nninit_init(NULL, NNINIT_BF16, (int64_t[]){ 7, 0 }, 2, specs[k], k_rng), NNINIT_OK);
    }
    /* Rank rules still apply to empty tensors. */
    ck_assert_int_eq(nninit_init(NULL, NNINIT_F32, (int64_t[]){ 0, 5, 1 }, 3, "eye", k_rng), NNINIT_E_SHAPE);
    /* A NULL destination with elements is refused. */
    ck_assert_int_eq(nninit_init(NULL, NNINIT_F32, (int64_t[]){ 2, 5 }, 2, "zeros", k_rng), NNINIT_E_NULL);
}
END_TEST

START_TEST(failures_leave_dst_untouched)
{
    static const struct { const char *spec; int64_t shape[5]; int ndim; nninit_dtype dt; nninit_status st; } cases[] = {
        { "eye", { 4, 4, 4 }, 3, NNINIT_F32, NNINIT_E_SHAPE },
        { "dirac", { 4, 4 }, 2, NNINIT_F32, NNINIT_E_SHAPE },
        { "dirac(groups=3)", { 4, 4, 3 }, 3, NNINIT_F32, NNINIT_E_SHAPE },
        { "sparse(sparsity=0.5)", { 4, 4, 4 }, 3, NNINIT_F32, NNINIT_E_SHAPE },
        { "orthogonal", { 16 }, 1, NNINIT_F32, NNINIT_E_SHAPE },
        { "orthogonal(in_axis=0, out_axis=1)", { 4, 4, 4 }, 3, NNINIT_F32, NNINIT_E_SHAPE },
        { "kaiming_normal(groups=3)", { 4, 4, 4 }, 3, NNINIT_F32, NNINIT_E_SHAPE },
        { "kaiming_normal(in_axis=0, out_axis=5)", { 4, 4, 4 }, 3, NNINIT_F32, NNINIT_E_SHAPE },
        { "constant(value=1e6)", { 4, 4 }, 2, NNINIT_F16, NNINIT_E_PARAM },
        { "normal(std=1e300)", { 4, 4 }, 2, NNINIT_F32, NNINIT_E_PARAM },
        { "kaiming_normal", { 4, 4 }, 2, (nninit_dtype)9, NNINIT_E_DTYPE },
        { "kaiming_normal(mode=fan_ot)", { 4, 4 }, 2, NNINIT_F32, NNINIT_E_SPEC },
        { "xavier_uniform", { 4, -4 }, 2, NNINIT_F32, NNINIT_E_SHAPE },
    };
    unsigned char buf[4 * 4 * 4 * 8], before[sizeof buf];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char msg[256] = "unchanged";
        memset(buf, 0xA5, sizeof buf);
        memcpy(before, buf, sizeof buf);
        nninit_status st = nninit_init_msg(buf, cases[k].dt, cases[k].shape, cases[k].ndim, cases[k].spec, k_rng,
                                           msg, sizeof msg);
        ck_assert_msg(st == cases[k].st, "%s: status %d (%s)", cases[k].spec, st, msg);
        ck_assert_msg(memcmp(buf, before, sizeof buf) == 0, "%s wrote into dst", cases[k].spec);
        ck_assert_msg(strlen(msg) > 10 && strstr(msg, "unchanged") == NULL, "%s: no message", cases[k].spec);
    }
    /* ndim beyond the limit */
    int64_t nine[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    ck_assert_int_eq(nninit_init(buf, NNINIT_F32, nine, 9, "zeros", k_rng), NNINIT_E_SHAPE);
}
END_TEST

START_TEST(plan_facts)
{
    nninit_plan pl;
    nninit_scheme s = nninit_scheme_default(NNINIT_SCHEME_ORTHOGONAL);
    s.gain = 2;
    ck_assert_int_eq(nninit_scheme_plan(&s, (int64_t[]){ 6, 2, 5 }, 3, &pl, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(pl.rows, 6);
    ck_assert_int_eq(pl.cols, 10);
    ck_assert(fabs(pl.expected_std - 2 / sqrt(10.0)) < 1e-15);
    s.layout.kind = NNINIT_LAYOUT_HWIO;
    ck_assert_int_eq(nninit_scheme_plan(&s, (int64_t[]){ 6, 2, 5 }, 3, &pl, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(pl.rows, 12);
    ck_assert_int_eq(pl.cols, 5);
    s = nninit_scheme_default(NNINIT_SCHEME_SPARSE);
    s.sparsity = 0.1;
    ck_assert_int_eq(nninit_scheme_plan(&s, (int64_t[]){ 25, 3 }, 2, &pl, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(pl.zeros, 3);     /* ceil(2.5) */
    /* variance_scaling's truncated normal: expected std is sqrt(scale / n) (the correction's purpose). */
    s = nninit_scheme_default(NNINIT_SCHEME_VARIANCE_SCALING);
    ck_assert_int_eq(nninit_scheme_plan(&s, (int64_t[]){ 10, 40 }, 2, &pl, NULL, 0), NNINIT_OK);
    ck_assert_msg(fabs(pl.expected_std - sqrt(1 / 40.0)) < 1e-9 * sqrt(1 / 40.0), "%.17g", pl.expected_std);
    /* names and defaults */
    for (int k = 0; k < NT_SCHEME_COUNT; k++) {
        ck_assert_ptr_nonnull(nninit_scheme_name((nninit_scheme_kind)k));
        ck_assert_int_eq(nninit_scheme_default((nninit_scheme_kind)k).kind, k);
    }
    ck_assert_ptr_null(nninit_scheme_name((nninit_scheme_kind)NT_SCHEME_COUNT));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("schemes");
    TCase *tc = nt_tcase("schemes");
    tcase_add_test(tc, fans_by_hand);
    tcase_add_test(tc, fans_errors);
    tcase_add_test(tc, gains);
    tcase_add_test(tc, schemes_are_fills);
    tcase_add_test(tc, c_functions_match_specs);
    tcase_add_test(tc, eye_structure);
    tcase_add_test(tc, dirac_structure);
    tcase_add_test(tc, sparse_counts);
    tcase_add_test(tc, sparse_uniform_selection);
    tcase_add_test(tc, sparse_thread_invariant);
    tcase_add_test(tc, plan_statistics);
    tcase_add_test(tc, empty_tensors);
    tcase_add_test(tc, failures_leave_dst_untouched);
    tcase_add_test(tc, plan_facts);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
