/* Slices: nninit_scheme_apply_slice against the whole tensor.
 *
 * The expectation is always the whole tensor written by nninit_scheme_apply
 * (verified by test_schemes, test_scheme_refs and test_orthogonal; sparse's
 * zero selection is re-derived here from CONTRACT.md), with the block cut out
 * of it by plain index arithmetic written here. Every scheme, every dtype,
 * 0-D to 5-D odd shapes and layouts; every dimension split at several
 * degrees, grid partitions stitched back together, random hyperslabs with a
 * fixed seed, the whole tensor as a slice; large slices at several thread
 * counts; empty slices; bad input, with dst untouched on every failure. */
#include <omp.h>
#include <stdio.h>
#include "testutil.h"

static const nninit_dtype k_dtypes[] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
static const nninit_rng k_rng = { 0x5eed, 0x1234 };

/* Bytes after every slice buffer that must keep their pattern. */
#define GUARD 64

/* ---- the expectation: a block of the whole tensor, by plain index arithmetic ---- */
static size_t count_of(const int64_t *shape, int ndim)
{
    size_t n = 1;
    for (int d = 0; d < ndim; d++) n *= (size_t)shape[d];
    return n;
}

/* Tensor index of the local element `i` of the block (start, count). */
static size_t global_index(const int64_t *shape, int ndim, const int64_t *start, const int64_t *count, size_t i)
{
    int64_t at[NNINIT_MAX_DIMS];
    for (int d = ndim - 1; d >= 0; d--) {
        at[d] = start[d] + (int64_t)(i % (size_t)count[d]);
        i /= (size_t)count[d];
    }
    size_t g = 0;
    for (int d = 0; d < ndim; d++) g = g * (size_t)shape[d] + (size_t)at[d];
    return g;
}

typedef struct {
    const char *spec;
    nninit_scheme scheme;
    nninit_dtype dt;
    size_t esz;
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS];
    unsigned char *full;        /* nninit_scheme_apply's whole tensor */
    size_t n;
} tensor;

static void tensor_make(tensor *t, const char *spec, nninit_dtype dt, const int64_t *shape, int ndim)
{
    char msg[256];
    t->spec = spec;
    ck_assert_msg(nninit_scheme_parse(spec, &t->scheme, msg, sizeof msg) == NNINIT_OK, "%s: %s", spec, msg);
    t->dt = dt;
    t->esz = nninit_dtype_size(dt);
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
    t->n = count_of(shape, ndim);
    t->full = malloc(t->n * t->esz + 1);
    ck_assert_msg(nninit_scheme_apply(t->full, dt, shape, ndim, &t->scheme, k_rng, msg, sizeof msg) == NNINIT_OK,
                  "%s: %s", spec, msg);
}

static void tensor_free(tensor *t) { free(t->full); }

static const char *box_str(const int64_t *start, const int64_t *count, int ndim)
{
    static char buf[256];
    size_t len = 0;
    buf[0] = '\0';
    for (int d = 0; d < ndim; d++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld:%lld", d ? "," : "", (long long)start[d],
                                (long long)(start[d] + count[d]));
    return buf;
}

/* The slice (start, count) of t, written by nninit_scheme_apply_slice, equals
 * the block of the whole tensor, and nothing past it is written. If stitch is
 * not NULL the slice is also copied to its place there. */
static void expect_slice(const tensor *t, const int64_t *start, const int64_t *count, unsigned char *stitch)
{
    size_t n = count_of(count, t->ndim), bytes = n * t->esz;
    unsigned char *got = malloc(bytes + GUARD);
    memset(got, 0xA5, bytes + GUARD);
    char msg[256] = "junk";
    nninit_status st = nninit_scheme_apply_slice(got, t->dt, t->shape, t->ndim, start, count, &t->scheme, k_rng,
                                                 msg, sizeof msg);
    if (st != NNINIT_OK || msg[0] != '\0')
        ck_abort_msg("%s %s slice %s: status %d, message '%s'", t->spec, nninit_dtype_name(t->dt),
                     box_str(start, count, t->ndim), st, msg);
    for (size_t i = 0; i < n; i++) {
        size_t g = global_index(t->shape, t->ndim, start, count, i);
        /* ck_abort_msg only on failure: every passing ck_assert costs Check a write(2) */
        if (memcmp(got + i * t->esz, t->full + g * t->esz, t->esz) != 0)
            ck_abort_msg("%s %s on %dD: slice %s: element %zu (tensor index %zu) differs from the whole tensor",
                         t->spec, nninit_dtype_name(t->dt), t->ndim, box_str(start, count, t->ndim), i, g);
        if (stitch) memcpy(stitch + g * t->esz, got + i * t->esz, t->esz);
    }
    for (size_t i = 0; i < GUARD; i++)
        if (got[bytes + i] != 0xA5)
            ck_abort_msg("%s: slice %s wrote past its %zu bytes", t->spec, box_str(start, count, t->ndim), bytes);
    free(got);
}

/* Part k of `size` cut into `parts` nearly equal parts (the first ones one larger). */
static void part(int64_t size, int64_t parts, int64_t k, int64_t *start, int64_t *count)
{
    int64_t base = size / parts, extra = size % parts;
    *start = k * base + (k < extra ? k : extra);
    *count = base + (k < extra ? 1 : 0);
}

/* A grid partition, parts[d] blocks along dimension d (each <= shape[d]):
 * every block equals the whole tensor's, and the blocks stitched together
 * are the whole tensor. */
static void expect_partition(const tensor *t, const int64_t *parts)
{
    size_t bytes = t->n * t->esz;
    unsigned char *stitch = malloc(bytes + 1);
    memset(stitch, 0xA5, bytes);
    int64_t k[NNINIT_MAX_DIMS] = { 0 }, start[NNINIT_MAX_DIMS], count[NNINIT_MAX_DIMS];
    size_t blocks = count_of(parts, t->ndim);
    for (size_t b = 0; b < blocks; b++) {
        size_t q = b;
        for (int d = t->ndim - 1; d >= 0; d--) {
            k[d] = (int64_t)(q % (size_t)parts[d]);
            q /= (size_t)parts[d];
            part(t->shape[d], parts[d], k[d], &start[d], &count[d]);
        }
        expect_slice(t, start, count, stitch);
    }
    ck_assert_msg(memcmp(stitch, t->full, bytes) == 0, "%s %s: the stitched partition differs from the tensor",
                  t->spec, nninit_dtype_name(t->dt));
    free(stitch);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Every check above on one tensor: the whole tensor as a slice, every
 * dimension split alone at degrees 2, 3, 5 and its size, a grid of every
 * dimension split at once, and random hyperslabs. */
static void check_tensor(const char *spec, const int64_t *shape, int ndim)
{
    for (int di = 0; di < 4; di++) {
        tensor t;
        tensor_make(&t, spec, k_dtypes[di], shape, ndim);
        int64_t zero[NNINIT_MAX_DIMS] = { 0 }, parts[NNINIT_MAX_DIMS];
        expect_slice(&t, zero, t.shape, NULL);
        for (int d = 0; d < ndim; d++) {
            const int64_t degrees[] = { 2, 3, 5, shape[d] };
            for (int k = 0; k < 4; k++) {
                if (degrees[k] > shape[d] || (k == 3 && (shape[d] == 2 || shape[d] == 3 || shape[d] == 5))) continue;
                for (int e = 0; e < ndim; e++) parts[e] = e == d ? degrees[k] : 1;
                expect_partition(&t, parts);
            }
        }
        /* a grid: 3 x 5 for 2-D, every dimension cut at once in general */
        static const int64_t grid[] = { 3, 5, 2, 4, 3 };
        for (int d = 0; d < ndim; d++) parts[d] = grid[d] < shape[d] ? grid[d] : shape[d];
        expect_partition(&t, parts);
        uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)ndim ^ (uint64_t)di << 8;
        for (int r = 0; r < 12; r++) {
            int64_t start[NNINIT_MAX_DIMS], count[NNINIT_MAX_DIMS];
            for (int d = 0; d < ndim; d++) {
                start[d] = (int64_t)(xorshift(&seed) % (uint64_t)shape[d]);
                count[d] = 1 + (int64_t)(xorshift(&seed) % (uint64_t)(shape[d] - start[d]));
            }
            expect_slice(&t, start, count, NULL);
        }
        tensor_free(&t);
    }
}

/* ---- every scheme ------------------------------------------------------------ */
static const struct { int ndim; int64_t shape[5]; } k_shapes[] = {
    { 1, { 13 } }, { 2, { 7, 11 } }, { 3, { 5, 3, 9 } }, { 4, { 3, 4, 5, 7 } }, { 5, { 2, 3, 3, 5, 4 } },
};

START_TEST(fills_any_shape)
{
    /* Every scheme that reduces to a fill, on 1-D to 5-D odd shapes. */
    static const char *const specs[] = {
        "zeros", "ones", "constant(value=-2.5)", "uniform(low=-1, high=3)", "normal(mean=1, std=2)",
        "trunc_normal(mean=0.1, std=0.5, low=-0.3, high=0.9)", "trunc_normal_sigma(std=0.02)",
        "xavier_uniform", "xavier_normal(gain=2)", "kaiming_uniform(nonlinearity=relu)",
        "kaiming_normal(mode=fan_out)", "lecun_uniform", "lecun_normal",
        "variance_scaling(scale=2, mode=fan_avg)", "variance_scaling(distribution=uniform)",
        "variance_scaling(distribution=normal)", "variance_scaling", "pytorch_default",
        "pytorch_default_bias(fan_in=7)",
    };
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
        for (size_t s = 0; s < sizeof k_shapes / sizeof k_shapes[0]; s++)
            check_tensor(specs[k], k_shapes[s].shape, k_shapes[s].ndim);
}
END_TEST

START_TEST(fills_layouts)
{
    /* Layouts and groups change the parameters, not the slicing: still checked. */
    static const struct { const char *spec; int ndim; int64_t shape[5]; } cases[] = {
        { "xavier_uniform(layout=hwio)", 4, { 3, 5, 4, 7 } },
        { "kaiming_normal(layout=iohw, groups=2)", 4, { 6, 3, 3, 5 } },
        { "kaiming_uniform(groups=3, mode=fan_out)", 3, { 9, 2, 5 } },
        { "lecun_normal(layout=hwoi)", 5, { 3, 3, 2, 4, 5 } },
        { "variance_scaling(in_axis=0, out_axis=-1)", 3, { 7, 3, 5 } },
        { "pytorch_default(layout=hwio, groups=2)", 4, { 3, 3, 5, 6 } },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_tensor(cases[k].spec, cases[k].shape, cases[k].ndim);
}
END_TEST

START_TEST(orthogonal_slices)
{
    static const struct { const char *spec; int ndim; int64_t shape[5]; } cases[] = {
        { "orthogonal", 2, { 7, 11 } }, { "orthogonal", 2, { 11, 7 } }, { "orthogonal(gain=2)", 2, { 6, 6 } },
        { "orthogonal", 3, { 5, 3, 4 } }, { "orthogonal", 4, { 3, 4, 5, 2 } }, { "orthogonal", 5, { 2, 3, 2, 3, 2 } },
        { "orthogonal(layout=hwio)", 4, { 3, 3, 4, 5 } }, { "orthogonal(gain=0.5, layout=hwio)", 2, { 4, 9 } },
        { "orthogonal(in_axis=1, out_axis=-1)", 3, { 3, 4, 5 } },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_tensor(cases[k].spec, cases[k].shape, cases[k].ndim);
}
END_TEST

START_TEST(eye_dirac_slices)
{
    static const struct { const char *spec; int ndim; int64_t shape[5]; } cases[] = {
        { "eye", 2, { 7, 11 } }, { "eye", 2, { 11, 7 } }, { "eye", 2, { 5, 5 } }, { "eye", 2, { 1, 9 } },
        { "eye", 2, { 9, 1 } },
        { "dirac", 3, { 5, 3, 3 } }, { "dirac", 4, { 4, 6, 3, 3 } }, { "dirac", 5, { 3, 3, 3, 5, 3 } },
        { "dirac(groups=2)", 3, { 6, 3, 5 } }, { "dirac(groups=2)", 4, { 8, 2, 3, 3 } },
        { "dirac(layout=hwio)", 4, { 3, 3, 4, 5 } }, { "dirac(groups=2, layout=iohw)", 4, { 6, 2, 3, 3 } },
        { "dirac(groups=3, layout=hwoi)", 5, { 3, 1, 3, 2, 9 } },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_tensor(cases[k].spec, cases[k].shape, cases[k].ndim);
}
END_TEST

START_TEST(sparse_slices)
{
    static const struct { const char *spec; int64_t shape[2]; } cases[] = {
        { "sparse(sparsity=0.3)", { 13, 7 } }, { "sparse(sparsity=0.3)", { 7, 13 } },
        { "sparse(sparsity=0.5)", { 1, 5 } }, { "sparse(sparsity=0.9, std=2)", { 20, 9 } },
        { "sparse(sparsity=0)", { 6, 6 } }, { "sparse(sparsity=1)", { 5, 8 } },
        { "sparse(sparsity=0.25)", { 70, 130 } },     /* more than one block of columns, rows past 64 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) check_tensor(cases[k].spec, cases[k].shape, 2);
}
END_TEST

/* ---- sparse's whole tensor, independently: CONTRACT.md "Sparse" -------------------- */
static uint64_t splitmix_finalizer(uint64_t h)
{
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27; h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

/* floor(u * (r + 1) / 2^64) by long multiplication in 16-bit limbs. */
static uint64_t scaled(uint64_t u, uint64_t m)
{
    uint32_t a[4], b[4], prod[8] = { 0 };
    for (int i = 0; i < 4; i++) { a[i] = (uint32_t)(u >> (16 * i)) & 0xFFFF; b[i] = (uint32_t)(m >> (16 * i)) & 0xFFFF; }
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            uint64_t v = (uint64_t)a[i] * b[j] + prod[i + j] + carry;
            prod[i + j] = (uint32_t)(v & 0xFFFF);
            carry = v >> 16;
        }
        for (int k = i + 4; carry; k++) {
            uint64_t v = prod[k] + carry;
            prod[k] = (uint32_t)(v & 0xFFFF);
            carry = v >> 16;
        }
    }
    return (uint64_t)prod[4] | (uint64_t)prod[5] << 16 | (uint64_t)prod[6] << 32 | (uint64_t)prod[7] << 48;
}

START_TEST(sparse_whole_tensor_is_the_contract)
{
    const int64_t rows = 37, cols = 70, shape[2] = { 37, 70 };
    const double sparsity = 0.4;
    const int64_t k = (int64_t)ceil(sparsity * (double)rows);
    for (int di = 0; di < 4; di++) {
        nninit_dtype dt = k_dtypes[di];
        size_t esz = nninit_dtype_size(dt), n = (size_t)(rows * cols);
        unsigned char *want = malloc(n * esz), *got = malloc(n * esz);
        ck_assert_int_eq(nninit_normal(want, dt, n, 0.0, 0.5, k_rng, 0), NNINIT_OK);
        uint64_t s = splitmix_finalizer(k_rng.stream ^ 0x7370617273650000ull);
        uint32_t key[2] = { (uint32_t)k_rng.seed, (uint32_t)(k_rng.seed >> 32) };
        for (int64_t c = 0; c < cols; c++) {
            unsigned char picked[37] = { 0 };
            for (int64_t r = rows - k; r < rows; r++) {
                uint32_t ctr[4] = { (uint32_t)r, (uint32_t)c, (uint32_t)s, (uint32_t)(s >> 32) }, out[4];
                nninit_philox4x32_10(ctr, key, out);
                uint64_t t = scaled((uint64_t)out[0] | (uint64_t)out[1] << 32, (uint64_t)r + 1);
                if (picked[t]) t = (uint64_t)r;
                picked[t] = 1;
                memset(want + ((size_t)t * (size_t)cols + (size_t)c) * esz, 0, esz);
            }
        }
        ck_assert_int_eq(nninit_sparse(got, dt, shape, 2, sparsity, 0.5, k_rng), NNINIT_OK);
        ck_assert_msg(memcmp(got, want, n * esz) == 0, "sparse %s differs from CONTRACT.md", nninit_dtype_name(dt));
        free(want);
        free(got);
    }
}
END_TEST

/* ---- large slices: several units of work, several thread counts ------------------ */
START_TEST(large_slices_any_thread_count)
{
    static const struct { const char *spec; int ndim; int64_t shape[3]; int64_t start[3], count[3]; } cases[] = {
        { "normal(std=2)", 2, { 600, 1100 }, { 0, 100 }, { 600, 900 } },         /* column band: 600 runs */
        { "trunc_normal_sigma(std=0.02)", 2, { 600, 1100 }, { 7, 1 }, { 590, 1097 } },
        { "uniform", 2, { 600, 1100 }, { 123, 0 }, { 400, 1100 } },              /* rows: one run */
        { "kaiming_normal", 3, { 40, 130, 129 }, { 3, 1, 0 }, { 35, 127, 129 } }, /* runs of whole rows */
        { "xavier_uniform", 3, { 40, 130, 129 }, { 0, 0, 64 }, { 40, 130, 65 } }, /* 5200 short runs */
        { "sparse(sparsity=0.3)", 2, { 600, 1100 }, { 50, 300 }, { 500, 700 } },
    };
    const int threads[] = { 1, 2, 3 };
    int saved = omp_get_max_threads();
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int di = 0; di < 4; di += 2) {   /* f32 and bf16 */
            tensor t;
            tensor_make(&t, cases[k].spec, k_dtypes[di], cases[k].shape, cases[k].ndim);
            for (int th = 0; th < 3; th++) {
                omp_set_num_threads(threads[th]);
                expect_slice(&t, cases[k].start, cases[k].count, NULL);
            }
            omp_set_num_threads(saved);
            tensor_free(&t);
        }
}
END_TEST

/* ---- 0-D, empty slices, the spec-string form ------------------------------------ */
START_TEST(zero_d_and_spec_form)
{
    static const char *const specs[] = { "normal(std=3)", "constant(value=3)", "xavier_uniform", "uniform" };
    for (size_t k = 0; k < 4; k++)
        for (int di = 0; di < 4; di++) {
            unsigned char a[8] = { 0 }, b[8] = { 0 };
            char msg[128] = "junk";
            ck_assert_int_eq(nninit_init(a, k_dtypes[di], NULL, 0, specs[k], k_rng), NNINIT_OK);
            ck_assert_int_eq(nninit_init_slice(b, k_dtypes[di], NULL, 0, NULL, NULL, specs[k], k_rng, msg, sizeof msg),
                             NNINIT_OK);
            ck_assert_str_eq(msg, "");
            ck_assert_msg(memcmp(a, b, 8) == 0, "%s: the 0-D slice differs from the tensor", specs[k]);
        }
    /* the spec-string form is parse + apply_slice */
    const int64_t shape[2] = { 9, 10 }, start[2] = { 2, 3 }, count[2] = { 5, 4 };
    float a[20], b[20];
    nninit_scheme s;
    ck_assert_int_eq(nninit_scheme_parse("kaiming_uniform(mode=fan_out)", &s, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(nninit_scheme_apply_slice(a, NNINIT_F32, shape, 2, start, count, &s, k_rng, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(nninit_init_slice(b, NNINIT_F32, shape, 2, start, count, "kaiming_uniform(mode=fan_out)", k_rng,
                                       NULL, 0), NNINIT_OK);
    ck_assert(memcmp(a, b, sizeof a) == 0);
}
END_TEST

START_TEST(empty_slices_write_nothing)
{
    static const struct { const char *spec; int64_t shape[3]; int ndim; } cases[] = {
        { "normal", { 4, 6 }, 2 }, { "zeros", { 4, 6 }, 2 }, { "orthogonal", { 4, 6 }, 2 }, { "eye", { 4, 6 }, 2 },
        { "sparse(sparsity=0.5)", { 4, 6 }, 2 }, { "dirac", { 4, 6, 3 }, 3 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int d = 0; d < cases[k].ndim; d++) {
            int64_t start[3] = { 0, 0, 0 }, count[3];
            for (int e = 0; e < cases[k].ndim; e++) count[e] = cases[k].shape[e];
            count[d] = 0;
            start[d] = cases[k].shape[d];          /* an empty slice may start at the end, as a[n:n] */
            unsigned char buf[64], before[64];
            memset(buf, 0xA5, sizeof buf);
            memcpy(before, buf, sizeof buf);
            char msg[128] = "junk";
            ck_assert_int_eq(nninit_init_slice(buf, NNINIT_F32, cases[k].shape, cases[k].ndim, start, count,
                                               cases[k].spec, k_rng, msg, sizeof msg), NNINIT_OK);
            ck_assert_str_eq(msg, "");
            ck_assert_msg(memcmp(buf, before, sizeof buf) == 0, "%s: an empty slice wrote", cases[k].spec);
            ck_assert_int_eq(nninit_init_slice(NULL, NNINIT_BF16, cases[k].shape, cases[k].ndim, start, count,
                                               cases[k].spec, k_rng, NULL, 0), NNINIT_OK);
        }
    /* an empty tensor's (empty) slice */
    ck_assert_int_eq(nninit_init_slice(NULL, NNINIT_F32, (int64_t[]){ 0, 5 }, 2, (int64_t[]){ 0, 1 },
                                       (int64_t[]){ 0, 3 }, "kaiming_normal", k_rng, NULL, 0), NNINIT_OK);
    /* the scheme's rules still apply to empty slices */
    ck_assert_int_eq(nninit_init_slice(NULL, NNINIT_F32, (int64_t[]){ 4, 5, 1 }, 3, (int64_t[]){ 0, 0, 0 },
                                       (int64_t[]){ 0, 5, 1 }, "eye", k_rng, NULL, 0), NNINIT_E_SHAPE);
}
END_TEST

/* ---- bad input ---------------------------------------------------------------------- */
START_TEST(bad_input_leaves_dst_untouched)
{
    static const int64_t shape[2] = { 4, 6 };
    static const struct {
        const char *spec;
        int64_t start[2], count[2];
        nninit_dtype dt;
        nninit_status st;
        const char *says;
    } cases[] = {
        { "normal", { -1, 0 }, { 1, 1 }, NNINIT_F32, NNINIT_E_SHAPE, "dimension 0" },
        { "normal", { 0, 0 }, { 5, 1 }, NNINIT_F32, NNINIT_E_SHAPE, "dimension 0" },
        { "normal", { 0, 7 }, { 1, 0 }, NNINIT_F32, NNINIT_E_SHAPE, "dimension 1" },
        { "normal", { 3, 2 }, { 1, 5 }, NNINIT_F32, NNINIT_E_SHAPE, "dimension 1" },
        { "normal", { 0, 0 }, { 1, -1 }, NNINIT_F32, NNINIT_E_SHAPE, "negative count" },
        { "normal", { 0, INT64_MAX }, { 1, INT64_MAX }, NNINIT_F32, NNINIT_E_SHAPE, "dimension 1" },
        { "normal", { 1, 1 }, { INT64_MAX, 1 }, NNINIT_F32, NNINIT_E_SHAPE, "dimension 0" },
        { "orthogonal", { 0, 5 }, { 4, 2 }, NNINIT_F64, NNINIT_E_SHAPE, "out of bounds" },
        { "eye", { 4, 0 }, { 1, 1 }, NNINIT_F16, NNINIT_E_SHAPE, "dimension 0" },
        { "normal", { 0, 0 }, { 2, 2 }, (nninit_dtype)9, NNINIT_E_DTYPE, "dtype" },
        { "constant(value=1e6)", { 0, 1 }, { 2, 2 }, NNINIT_F16, NNINIT_E_PARAM, "out of range for this dtype" },
        { "normal(std=1e300)", { 0, 1 }, { 2, 2 }, NNINIT_F32, NNINIT_E_PARAM, "slice [0:2, 1:3] of shape [4, 6]" },
        { "sparse(sparsity=0.5, std=1e300)", { 1, 1 }, { 2, 2 }, NNINIT_BF16, NNINIT_E_PARAM, "out of range" },
        { "trunc_normal(low=50, high=60)", { 0, 1 }, { 4, 2 }, NNINIT_F32, NNINIT_E_MASS, "mass" },
        { "orthogonal(gain=1e6)", { 0, 1 }, { 2, 2 }, NNINIT_F16, NNINIT_E_PARAM, "out of range" },
        { "eye(gain=2)", { 0, 0 }, { 1, 1 }, NNINIT_F32, NNINIT_E_SPEC, "does not take" },
        { "dirac", { 0, 0 }, { 1, 1 }, NNINIT_F32, NNINIT_E_SHAPE, "3-D" },
    };
    unsigned char buf[4 * 6 * 8], before[sizeof buf];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char msg[256] = "unchanged";
        memset(buf, 0xA5, sizeof buf);
        memcpy(before, buf, sizeof buf);
        nninit_status st = nninit_init_slice(buf, cases[k].dt, shape, 2, cases[k].start, cases[k].count,
                                             cases[k].spec, k_rng, msg, sizeof msg);
        ck_assert_msg(st == cases[k].st, "%s case %zu: status %d, expected %d (%s)", cases[k].spec, k, st,
                      cases[k].st, msg);
        ck_assert_msg(memcmp(buf, before, sizeof buf) == 0, "%s case %zu wrote into dst", cases[k].spec, k);
        ck_assert_msg(strstr(msg, cases[k].says) != NULL, "%s case %zu: message '%s' lacks '%s'", cases[k].spec, k,
                      msg, cases[k].says);
    }
    /* NULL arguments */
    const int64_t start[2] = { 0, 0 }, count[2] = { 2, 2 };
    char msg[256];
    nninit_scheme s;
    ck_assert_int_eq(nninit_scheme_parse("normal", &s, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, shape, 2, NULL, count, &s, k_rng, msg, sizeof msg),
                     NNINIT_E_NULL);
    ck_assert_ptr_nonnull(strstr(msg, "NULL slice"));
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, shape, 2, start, NULL, &s, k_rng, msg, sizeof msg),
                     NNINIT_E_NULL);
    ck_assert_int_eq(nninit_scheme_apply_slice(NULL, NNINIT_F32, shape, 2, start, count, &s, k_rng, msg, sizeof msg),
                     NNINIT_E_NULL);
    ck_assert_ptr_nonnull(strstr(msg, "NULL destination"));
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, NULL, 2, start, count, &s, k_rng, NULL, 0),
                     NNINIT_E_NULL);
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, shape, 2, start, count, NULL, k_rng, NULL, 0),
                     NNINIT_E_NULL);
    ck_assert_int_eq(nninit_init_slice(buf, NNINIT_F32, shape, 2, start, count, NULL, k_rng, NULL, 0), NNINIT_E_NULL);
    /* ndim outside 0..NNINIT_MAX_DIMS, negative sizes */
    int64_t nine[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, nine, 9, nine, nine, &s, k_rng, NULL, 0),
                     NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, shape, -1, start, count, &s, k_rng, NULL, 0),
                     NNINIT_E_SHAPE);
    ck_assert_int_eq(nninit_scheme_apply_slice(buf, NNINIT_F32, (int64_t[]){ 4, -6 }, 2, start, count, &s, k_rng,
                                               NULL, 0), NNINIT_E_SHAPE);
    ck_assert(memcmp(buf, before, sizeof buf) == 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("slices");
    TCase *tc = nt_tcase("slices");
    tcase_add_test(tc, fills_any_shape);
    tcase_add_test(tc, fills_layouts);
    tcase_add_test(tc, orthogonal_slices);
    tcase_add_test(tc, eye_dirac_slices);
    tcase_add_test(tc, sparse_slices);
    tcase_add_test(tc, sparse_whole_tensor_is_the_contract);
    tcase_add_test(tc, large_slices_any_thread_count);
    tcase_add_test(tc, zero_d_and_spec_form);
    tcase_add_test(tc, empty_slices_write_nothing);
    tcase_add_test(tc, bad_input_leaves_dst_untouched);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
