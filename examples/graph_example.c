/* Data-dependent initialization with nninit, both ways:
 *
 *  1. nninit runs the forward pass: a model spec with a "graph" (here the
 *     example MLP), its tensors in an arena, the spec's init, then LSUV on a
 *     batch, with the signal probe before and after.
 *  2. The engine runs the forward pass: a two-layer network computed by the
 *     code below, nninit deciding the scales through callbacks
 *     (batch-statistics init).
 *
 *     cc graph_example.c $(pkg-config --cflags --libs nninit) -o graph_example
 *     ./graph_example [examples/models/mlp.json]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define NNINIT_UNSTABLE_API   /* graphs and data-dependent init: the unstable view (docs/API.md) */
#include <nninit.h>

#define CHECK(call)                                                                  \
    do {                                                                             \
        nninit_status st_ = (call);                                                  \
        if (st_ != NNINIT_OK) {                                                      \
            fprintf(stderr, "%s: %s\n", #call, msg[0] ? msg : nninit_status_str(st_)); \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

static char msg[1024];

static void print_probe(const nninit_graph *g, const void *const *tensors, const nninit_tensor *batch)
{
    size_t n = nninit_graph_op_count(g);
    nninit_probe_row *rows = calloc(n, sizeof *rows);
    CHECK(nninit_graph_probe(g, tensors, batch, NULL, rows, msg, sizeof msg));
    for (size_t i = 0; i < n; i++)
        printf("  %-4s %-8s std %8.4f  zeros %5.1f%%\n", rows[i].path, rows[i].op, rows[i].std,
               100 * rows[i].zero_fraction);
    free(rows);
}

/* ---- 1. nninit's own forward pass ---------------------------------------------------------- */
static void with_graph(const char *spec_path)
{
    nninit_model *model;
    nninit_graph *graph;
    nninit_arena *arena;
    CHECK(nninit_model_load(spec_path, &model, msg, sizeof msg));
    CHECK(nninit_graph_create(model, &graph, msg, sizeof msg));
    CHECK(nninit_arena_create(model, &arena));
    void *const *tensors = nninit_arena_pointers(arena);
    CHECK(nninit_model_init(model, tensors, NULL, msg, sizeof msg));

    /* A batch shaped like the graph's input: 128 samples with a non-zero mean. */
    int64_t in[NNINIT_MAX_DIMS];
    int ndim;
    CHECK(nninit_graph_input_shape(graph, in, &ndim));
    nninit_tensor batch;
    memset(&batch, 0, sizeof batch);
    batch.dtype = NNINIT_F32;
    batch.ndim = ndim + 1;
    batch.shape[0] = 128;
    size_t count = 128;
    for (int d = 0; d < ndim; d++) { batch.shape[d + 1] = in[d]; count *= (size_t)in[d]; }
    float *x = malloc(count * sizeof *x);
    nninit_rng rng = { 7, nninit_stream_id("example batch") };
    CHECK(nninit_normal(x, NNINIT_F32, count, 0.5, 1.0, rng, 0));
    batch.data = x;
    batch.nbytes = count * sizeof *x;

    printf("%s, spec init:\n", spec_path);
    print_probe(graph, (const void *const *)tensors, &batch);

    nninit_data_init lsuv;
    CHECK(nninit_data_init_parse("lsuv(tol=0.01)", &lsuv, msg, sizeof msg));
    size_t layers = nninit_graph_layer_count(graph);
    nninit_layer_report *report = calloc(layers, sizeof *report);
    CHECK(nninit_graph_data_init(graph, &lsuv, tensors, &batch, NULL, report, msg, sizeof msg));
    printf("LSUV:\n");
    for (size_t l = 0; l < layers; l++)
        printf("  %-12s std %.4f -> %.4f in %d step%s (weights x %.4f)\n", report[l].name, report[l].std_before,
               report[l].std_after, report[l].iterations, report[l].iterations == 1 ? "" : "s", report[l].scale_min);
    printf("after LSUV:\n");
    print_probe(graph, (const void *const *)tensors, &batch);

    free(report);
    free(x);
    nninit_arena_free(arena);
    nninit_graph_free(graph);
    nninit_model_free(model);
}

/* ---- 2. the engine's own forward pass ------------------------------------------------------- */
enum { N = 64, IN = 8, HID = 16, OUT = 4 };

typedef struct {
    float x[N * IN];
    float w1[HID * IN], b1[HID], w2[OUT * HID], b2[OUT];
    float h[N * HID], y[N * OUT];   /* layer outputs, before the activation */
} engine;

/* The batch through the network up to layer `layer`'s output. */
static int engine_forward(void *ctx, size_t layer, nninit_layer_output *out)
{
    engine *e = ctx;
    for (int n = 0; n < N; n++)
        for (int o = 0; o < HID; o++) {
            float s = e->b1[o];
            for (int i = 0; i < IN; i++) s += e->w1[o * IN + i] * e->x[n * IN + i];
            e->h[n * HID + o] = s;
        }
    if (layer == 1)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OUT; o++) {
                float s = e->b2[o];
                for (int i = 0; i < HID; i++) s += e->w2[o * HID + i] * tanhf(e->h[n * HID + i]);
                e->y[n * OUT + o] = s;
            }
    out->data = layer ? e->y : e->h;
    out->ndim = 2;
    out->shape[0] = N;
    out->shape[1] = layer ? OUT : HID;
    out->channel_axis = 1;
    return 0;
}

/* Output channel c: weights times scale[c]; bias[c] = bias[c] * scale[c] + shift[c]. */
static int engine_update(void *ctx, size_t layer, const double *scale, const double *shift, size_t channels)
{
    engine *e = ctx;
    float *w = layer ? e->w2 : e->w1, *b = layer ? e->b2 : e->b1;
    const int fan_in = layer ? HID : IN;
    for (size_t c = 0; c < channels; c++) {
        for (int i = 0; i < fan_in; i++) w[c * (size_t)fan_in + (size_t)i] *= (float)scale[c];
        if (shift) b[c] = (float)(b[c] * scale[c] + shift[c]);
    }
    return 0;
}

static void with_engine(void)
{
    static engine e;
    nninit_rng rng = { 1, 0 };
    nninit_normal(e.x, NNINIT_F32, N * IN, 3.0, 2.0, rng, 0);            /* data far from zero mean, unit std */
    int64_t s1[2] = { HID, IN }, s2[2] = { OUT, HID };
    nninit_layout oihw = { NNINIT_LAYOUT_OIHW, 0, 0, 1 };
    rng.stream = 1;
    nninit_xavier_uniform(e.w1, NNINIT_F32, s1, 2, oihw, 1.0, rng);
    rng.stream = 2;
    nninit_xavier_uniform(e.w2, NNINIT_F32, s2, 2, oihw, 1.0, rng);

    static const char *const names[2] = { "hidden", "output" };
    nninit_engine en;
    memset(&en, 0, sizeof en);
    en.layers = 2;
    en.forward = engine_forward;
    en.update = engine_update;
    en.ctx = &e;
    en.names = names;
    nninit_data_init bs = nninit_data_init_default(NNINIT_DATA_BATCH_STATS);
    nninit_layer_report report[2];
    CHECK(nninit_engine_data_init(&en, &bs, report, msg, sizeof msg));
    printf("engine, batch_stats(mean=0, std=1):\n");
    for (int l = 0; l < 2; l++)
        printf("  %-8s mean %7.4f -> %7.4f, std %7.4f -> %7.4f\n", report[l].name, report[l].mean_before,
               report[l].mean_after, report[l].std_before, report[l].std_after);
    /* every hidden channel now has mean 0 and std 1 on the batch */
    nninit_layer_output out;
    engine_forward(&e, 0, &out);
    double worst = 0;
    for (int c = 0; c < HID; c++) {
        double m = 0, v = 0;
        for (int n = 0; n < N; n++) m += e.h[n * HID + c] / (double)N;
        for (int n = 0; n < N; n++) v += (e.h[n * HID + c] - m) * (e.h[n * HID + c] - m) / (double)N;
        worst = fmax(worst, fmax(fabs(m), fabs(sqrt(v) - 1)));
    }
    printf("  hidden channels: largest deviation from mean 0 / std 1: %.2g\n", worst);
    if (worst > 1e-4) exit(1);
}

int main(int argc, char **argv)
{
    with_graph(argc > 1 ? argv[1] : "examples/models/mlp.json");
    with_engine();
    return 0;
}
