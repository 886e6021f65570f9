/* The graph executor against PyTorch 1.13: every op in its variants and the
 * whole CIFAR ResNet-20, on the weights and batches tools/gen_graph_refs.py
 * saved in tests/data/graph/ with the float64 outputs of its PyTorch module
 * (tools/torch_graph.py). Each case checks:
 *  - the output to 1e-4: |y - ref| <= 1e-4 (|ref| + rms(ref)) per element;
 *  - the probe: every op's path and name, and its output's mean and std
 *    within 1e-4 of the op's std (the zero fraction within 1e-3);
 *  - nninit_graph_output_shape against the reference's shape;
 *  - the same bits with 1 and 2 threads, and with the batch given as f32,
 *    f64 and f16 (the batches are f16 values, so the three are equal).
 * Runs from the repository root. */
#include <cjson/cJSON.h>
#include "testutil.h"

#define DATA "tests/data/graph/"

static cJSON *g_manifest;

static cJSON *manifest(void)
{
    if (!g_manifest) {
        size_t len;
        unsigned char *text = nt_read_file(DATA "refs.json", &len);
        g_manifest = cJSON_ParseWithLength((const char *)text, len);
        free(text);
        ck_assert_msg(g_manifest != NULL, "refs.json does not parse");
    }
    return g_manifest;
}

typedef struct {
    const char *name;
    nninit_model *model;
    nninit_graph *graph;
    nninit_st_file *file;
    const void **tensors;
    nninit_tensor batch, output;
    const cJSON *probe;
} refcase;

static void open_case(const cJSON *c, refcase *rc)
{
    char msg[1024];
    memset(rc, 0, sizeof *rc);
    rc->name = cJSON_GetObjectItem(c, "name")->valuestring;
    const cJSON *spec = cJSON_GetObjectItem(c, "spec"), *spec_file = cJSON_GetObjectItem(c, "spec_file");
    nninit_status st;
    if (spec) {
        char *text = cJSON_PrintUnformatted(spec);
        st = nninit_model_parse(text, strlen(text), &rc->model, msg, sizeof msg);
        free(text);
    } else {
        st = nninit_model_load(spec_file->valuestring, &rc->model, msg, sizeof msg);
    }
    ck_assert_msg(st == NNINIT_OK, "%s: %s", rc->name, msg);
    st = nninit_graph_create(rc->model, &rc->graph, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s: %s", rc->name, msg);
    char path[512];
    snprintf(path, sizeof path, DATA "%s", cJSON_GetObjectItem(c, "file")->valuestring);
    st = nninit_st_open(path, &rc->file, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s: %s", path, msg);
    size_t n = nninit_model_count(rc->model);
    rc->tensors = calloc(n ? n : 1, sizeof *rc->tensors);
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_tensor ft;
        ck_assert_int_eq(nninit_model_tensor_info(rc->model, i, &t), NNINIT_OK);
        long k = nninit_st_find(rc->file, t.name);
        ck_assert_msg(k >= 0, "%s: tensor %s is not in %s", rc->name, t.name, path);
        ck_assert_int_eq(nninit_st_tensor(rc->file, (size_t)k, &ft), NNINIT_OK);
        ck_assert_int_eq(ft.nbytes, t.nbytes);
        rc->tensors[i] = ft.data;
    }
    ck_assert_int_eq(nninit_st_tensor(rc->file, (size_t)nninit_st_find(rc->file, "__batch__"), &rc->batch), NNINIT_OK);
    ck_assert_int_eq(nninit_st_tensor(rc->file, (size_t)nninit_st_find(rc->file, "__output__"), &rc->output),
                     NNINIT_OK);
    rc->probe = cJSON_GetObjectItem(c, "probe");
}

static void close_case(refcase *rc)
{
    free(rc->tensors);
    nninit_st_close(rc->file);
    nninit_graph_free(rc->graph);
    nninit_model_free(rc->model);
}

static size_t count_of(const nninit_tensor *t)
{
    size_t n = 1;
    for (int d = 0; d < t->ndim; d++) n *= (size_t)t->shape[d];
    return n;
}

static float *forward(const refcase *rc, const nninit_tensor *batch, int threads)
{
    char msg[1024];
    size_t n = count_of(&rc->output);
    float *y = malloc(n * sizeof *y);
    nninit_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = threads;
    nninit_status st = nninit_graph_forward(rc->graph, rc->tensors, batch, &opt, y, n, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s: forward: %s", rc->name, msg);
    return y;
}

START_TEST(test_outputs)
{
    const cJSON *cases = cJSON_GetObjectItem(manifest(), "cases");
    int checked = 0;
    for (const cJSON *c = cases->child; c; c = c->next, checked++) {
        refcase rc;
        open_case(c, &rc);
        const size_t n = count_of(&rc.output);
        const float *ref = rc.output.data;

        /* the shape */
        int64_t shape[NNINIT_MAX_DIMS];
        int ndim;
        char msg[512];
        ck_assert_msg(nninit_graph_output_shape(rc.graph, rc.batch.shape, rc.batch.ndim, shape, &ndim, msg,
                                                sizeof msg) == NNINIT_OK, "%s: %s", rc.name, msg);
        ck_assert_int_eq(ndim, rc.output.ndim);
        for (int d = 0; d < ndim; d++) ck_assert_int_eq(shape[d], rc.output.shape[d]);

        /* the values */
        float *y = forward(&rc, &rc.batch, 1);
        double rms = 0, worst = 0;
        for (size_t i = 0; i < n; i++) rms += (double)ref[i] * ref[i];
        rms = sqrt(rms / (double)n);
        for (size_t i = 0; i < n; i++) {
            double err = fabs((double)y[i] - ref[i]), tol = 1e-4 * (fabs(ref[i]) + rms);
            ck_assert_msg(err <= tol, "%s: element %zu: %.9g, PyTorch %.9g (error %.3g > %.3g)", rc.name, i, y[i],
                          ref[i], err, tol);
            if (err / (fabs(ref[i]) + rms) > worst) worst = err / (fabs(ref[i]) + rms);
        }

        /* threads and batch dtypes change no bit */
        float *y2 = forward(&rc, &rc.batch, 2);
        ck_assert_msg(memcmp(y, y2, n * sizeof *y) == 0, "%s: 1 and 2 threads differ", rc.name);
        free(y2);
        const size_t bn = count_of(&rc.batch);
        const float *bx = rc.batch.data;
        double *b64 = malloc(bn * sizeof *b64);
        uint16_t *b16 = malloc(bn * sizeof *b16);
        for (size_t i = 0; i < bn; i++) {
            b64[i] = bx[i];
            b16[i] = nt_round16(bx[i], 0);
            ck_assert_msg(nt_f16_to_f32(b16[i]) == bx[i], "%s: the batch is not f16 values", rc.name);
        }
        nninit_tensor alt = rc.batch;
        alt.dtype = NNINIT_F64; alt.data = b64; alt.nbytes = bn * 8;
        y2 = forward(&rc, &alt, 2);
        ck_assert_msg(memcmp(y, y2, n * sizeof *y) == 0, "%s: an f64 batch gives other bits", rc.name);
        free(y2);
        alt.dtype = NNINIT_F16; alt.data = b16; alt.nbytes = bn * 2;
        y2 = forward(&rc, &alt, 0);
        ck_assert_msg(memcmp(y, y2, n * sizeof *y) == 0, "%s: an f16 batch gives other bits", rc.name);
        free(y2);
        free(b64);
        free(b16);
        free(y);
        close_case(&rc);
    }
    ck_assert_int_ge(checked, 40);
}
END_TEST

START_TEST(test_probe)
{
    const cJSON *cases = cJSON_GetObjectItem(manifest(), "cases");
    for (const cJSON *c = cases->child; c; c = c->next) {
        refcase rc;
        open_case(c, &rc);
        size_t n = nninit_graph_op_count(rc.graph);
        ck_assert_int_eq(n, (size_t)cJSON_GetArraySize(rc.probe));
        nninit_probe_row *rows = calloc(n, sizeof *rows), *rows2 = calloc(n, sizeof *rows2);
        char msg[1024];
        nninit_run_options opt;
        memset(&opt, 0, sizeof opt);
        opt.threads = 2;
        ck_assert_msg(nninit_graph_probe(rc.graph, rc.tensors, &rc.batch, &opt, rows, msg, sizeof msg) == NNINIT_OK,
                      "%s: %s", rc.name, msg);
        size_t i = 0;
        for (const cJSON *r = rc.probe->child; r; r = r->next, i++) {
            const char *path = cJSON_GetArrayItem(r, 0)->valuestring, *op = cJSON_GetArrayItem(r, 1)->valuestring;
            double mean = cJSON_GetArrayItem(r, 2)->valuedouble, std = cJSON_GetArrayItem(r, 3)->valuedouble;
            double zeros = cJSON_GetArrayItem(r, 4)->valuedouble;
            ck_assert_str_eq(rows[i].path, path);
            ck_assert_str_eq(rows[i].op, op);
            ck_assert_msg(fabs(rows[i].mean - mean) <= 1e-4 * std + 1e-12, "%s op %s: mean %.9g, PyTorch %.9g",
                          rc.name, path, rows[i].mean, mean);
            ck_assert_msg(fabs(rows[i].std - std) <= 1e-4 * std + 1e-12, "%s op %s: std %.9g, PyTorch %.9g", rc.name,
                          path, rows[i].std, std);
            ck_assert_msg(fabs(rows[i].zero_fraction - zeros) <= 1e-3, "%s op %s: zeros %.6f, PyTorch %.6f", rc.name,
                          path, rows[i].zero_fraction, zeros);
            ck_assert(rows[i].min <= rows[i].mean && rows[i].mean <= rows[i].max);
            nninit_graph_op info;
            ck_assert_int_eq(nninit_graph_op_info(rc.graph, i, &info), NNINIT_OK);
            ck_assert_str_eq(info.path, path);
        }
        /* one thread: the same rows, bit for bit */
        opt.threads = 1;
        ck_assert(nninit_graph_probe(rc.graph, rc.tensors, &rc.batch, &opt, rows2, msg, sizeof msg) == NNINIT_OK);
        for (i = 0; i < n; i++) {
            ck_assert(rows[i].mean == rows2[i].mean && rows[i].std == rows2[i].std);
            ck_assert(rows[i].min == rows2[i].min && rows[i].max == rows2[i].max);
        }
        free(rows);
        free(rows2);
        close_case(&rc);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("graph_refs");
    TCase *tc = nt_tcase("pytorch");
    tcase_add_test(tc, test_outputs);
    tcase_add_test(tc, test_probe);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
