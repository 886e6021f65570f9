/* Batches of data and data-dependent initialization, shared by nninit init
 * (--data, --data-init) and nninit probe: reading a .npy batch, drawing a
 * standard-normal one, choosing the algorithm, running it with a progress
 * bar and printing its report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "prog.h"

/* ---- batches ------------------------------------------------------------------- */
void batch_free(batch *b)
{
    nninit_npy_close(b->npy);
    free(b->drawn);
    memset(b, 0, sizeof *b);
}

/* The batch against the graph: every op takes its shape (the message names
 * the one that does not). */
static int batch_check(const char *cmd, const nninit_graph *g, const batch *b)
{
    int64_t out[NNINIT_MAX_DIMS];
    int od;
    char msg[1024] = "";
    nninit_status st = nninit_graph_output_shape(g, b->tensor.shape, b->tensor.ndim, out, &od, msg, sizeof msg);
    if (st != NNINIT_OK) return fail(cmd, "%s: %s", b->what, msg[0] ? msg : nninit_status_str(st));
    return 0;
}

int batch_load(const char *cmd, const char *path, const nninit_graph *g, batch *b)
{
    char msg[1024] = "", shape[256];
    memset(b, 0, sizeof *b);
    nninit_status st = nninit_npy_open(path, &b->npy, msg, sizeof msg);
    if (st != NNINIT_OK) return fail(cmd, "--data: %s", msg[0] ? msg : nninit_status_str(st));
    st = nninit_npy_tensor(b->npy, &b->tensor);
    nninit_shape_format(b->tensor.shape, b->tensor.ndim, shape, sizeof shape);
    snprintf(b->what, sizeof b->what, "--data %s %s", path, shape);
    if (st == NNINIT_E_DTYPE)
        return fail(cmd, "--data %s: dtype '%s' is not float32, float64 or float16", path, nninit_npy_descr(b->npy));
    if (b->tensor.ndim != 2 && b->tensor.ndim != 4)
        return fail(cmd, "--data %s: the batch is %s; expected (N, features) or (N, channels, height, width)", path,
                    shape);
    if (b->tensor.shape[0] == 0) return fail(cmd, "--data %s: the batch is empty (%s)", path, shape);
    return batch_check(cmd, g, b);
}

int batch_draw(const char *cmd, const nninit_graph *g, uint64_t n, uint64_t seed, batch *b)
{
    int64_t in[NNINIT_MAX_DIMS];
    int nd;
    memset(b, 0, sizeof *b);
    nninit_graph_input_shape(g, in, &nd);
    int open = nd == 0;
    for (int d = 0; d < nd; d++) open |= in[d] < 0;
    if (open)
        return fail(cmd, "the graph does not fix the shape of its input: give --data BATCH.npy, or begin the graph "
                         "with {\"op\": \"input\", \"shape\": [...]}");
    size_t count = (size_t)n;
    b->tensor.dtype = NNINIT_F32;
    b->tensor.ndim = nd + 1;
    b->tensor.shape[0] = (int64_t)n;
    for (int d = 0; d < nd; d++) {
        if ((uint64_t)in[d] > SIZE_MAX / sizeof(float) / count) return fail(cmd, "--batch %llu: too large",
                                                                            (unsigned long long)n);
        b->tensor.shape[d + 1] = in[d];
        count *= (size_t)in[d];
    }
    if (!(b->drawn = malloc(count * sizeof *b->drawn)))
        return fail(cmd, "--batch %llu: out of memory", (unsigned long long)n);
    /* its own stream of the model's seed: the same samples for the same seed */
    nninit_rng rng = { seed, nninit_stream_id("nninit probe batch") };
    nninit_status st = nninit_normal(b->drawn, NNINIT_F32, count, 0.0, 1.0, rng, 0);
    if (st != NNINIT_OK) return fail(cmd, "--batch: %s", nninit_status_str(st));
    b->tensor.data = b->drawn;
    b->tensor.nbytes = count * sizeof *b->drawn;
    char shape[256];
    nninit_shape_format(b->tensor.shape, b->tensor.ndim, shape, sizeof shape);
    snprintf(b->what, sizeof b->what, "--batch %llu: N(0, 1) samples %s (seed %llu)", (unsigned long long)n, shape,
             (unsigned long long)seed);
    return batch_check(cmd, g, b);
}

/* ---- the algorithm -------------------------------------------------------------------- */
int data_init_choose(const char *cmd, const char *option, nninit_model *model, nninit_data_init *algo, int *have)
{
    char msg[512] = "", canon[256];
    const char *text = option ? option : nninit_model_data_init(model);
    *have = 0;
    if (option && strcmp(option, "none") == 0) {
        /* not run: the checkpoint's spec must not say it was */
        if (nninit_model_set_data_init(model, NULL) != NNINIT_OK) return fail(cmd, "out of memory");
        return 0;
    }
    if (!text) return 0;
    nninit_status st = nninit_data_init_parse(text, algo, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (option) return usage_error(cmd, "--data-init: %s", msg);
        return fail(cmd, "the spec's \"data_init\": %s", msg);
    }
    /* what runs, every parameter spelled out, goes into the canonical spec (and the metadata) */
    nninit_data_init_format(algo, canon, sizeof canon);
    if (nninit_model_set_data_init(model, canon) != NNINIT_OK) return fail(cmd, "out of memory");
    *have = 1;
    return 0;
}

/* ---- running it ------------------------------------------------------------------------ */
static void layers_progress(void *ctx, const nninit_progress *p)
{
    progress_bar *bar = ctx;
    double t = now_seconds() - bar->t0;
    if (p->tensors_done < p->tensors_total && bar->last_draw >= 0 && t - bar->last_draw < 0.1) return;
    bar->last_draw = t;
    bar->drawn = 1;
    enum { WIDTH = 24 };
    int cells = p->tensors_total ? (int)(WIDTH * p->tensors_done / p->tensors_total) : WIDTH;
    char bar_text[WIDTH + 1];
    for (int k = 0; k < WIDTH; k++) bar_text[k] = k < cells ? '#' : '.';
    bar_text[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %zu/%zu layers  %.1f s\033[K", bar_text, p->tensors_done, p->tensors_total, t);
    fflush(stderr);
}

static const char *outcome_text(const nninit_layer_report *r)
{
    switch (r->outcome) {
    case NNINIT_LAYER_DONE: return "";
    case NNINIT_LAYER_NOT_CONVERGED: return "not converged (max_iter)";
    case NNINIT_LAYER_DEAD: return "dead: left unchanged";
    case NNINIT_LAYER_NO_BIAS: return "no bias: std set, mean not";
    }
    return "";
}

void print_data_init_report(FILE *f, const nninit_graph *g, const nninit_data_init *algo,
                            const nninit_layer_report *r)
{
    size_t n = nninit_graph_layer_count(g), steps = 0, alone = 0;
    int wn = 5;
    for (size_t l = 0; l < n; l++) {
        int w = (int)strlen(r[l].name);
        if (w > wn) wn = w < 48 ? w : 48;
        steps += (size_t)r[l].iterations;
        alone += r[l].outcome == NNINIT_LAYER_DEAD;
    }
    char text[256];
    nninit_data_init_format(algo, text, sizeof text);
    fprintf(f, "%s: %zu layers, %zu %s, %zu left unchanged\n", text, n, steps,
            algo->kind == NNINIT_DATA_LSUV ? "rescalings" : "layers set", alone);
    fprintf(f, "  %-*s  %10s  %10s  %10s  %10s  %5s  %-17s  note\n", wn, "layer", "mean", "std", "mean after",
            "std after", "steps", "scale");
    for (size_t l = 0; l < n; l++) {
        char scale[40], note[96];
        if (r[l].scale_min == r[l].scale_max) snprintf(scale, sizeof scale, "%.6g", r[l].scale_min);
        else snprintf(scale, sizeof scale, "%.4g..%.4g", r[l].scale_min, r[l].scale_max);
        snprintf(note, sizeof note, "%s", outcome_text(&r[l]));
        if (r[l].dead_channels && r[l].outcome != NNINIT_LAYER_DEAD)
            snprintf(note + strlen(note), sizeof note - strlen(note), "%s%zu of %zu channels dead: left unchanged",
                     note[0] ? "; " : "", r[l].dead_channels, r[l].channels);
        fprintf(f, "  %-*s  %10.4g  %10.4g  %10.4g  %10.4g  %5d  %-*s%s%s\n", wn, r[l].name, r[l].mean_before,
                r[l].std_before, r[l].mean_after, r[l].std_after, r[l].iterations, note[0] ? 17 : 0, scale,
                note[0] ? "  " : "", note);
    }
}

int data_init_run(const char *cmd, const nninit_graph *g, const nninit_data_init *algo, void *const *tensors,
                  const batch *b, int threads, int report_level)
{
    size_t n = nninit_graph_layer_count(g);
    nninit_layer_report *r = calloc(n ? n : 1, sizeof *r);
    if (!r) return fail(cmd, "out of memory");
    progress_bar bar;
    nninit_run_options run = { .threads = threads, .cancel = &g_stop };
    if (progress_wanted()) {
        run.progress = layers_progress;
        run.progress_ctx = &bar;
    }
    char msg[1024] = "";
    progress_start(&bar);
    nninit_status st = nninit_graph_data_init(g, algo, tensors, &b->tensor, &run, r, msg, sizeof msg);
    double seconds = now_seconds() - bar.t0;
    progress_clear(&bar);
    int rc = 0;
    if (st == NNINIT_E_CANCELED) rc = EXIT_FAIL;   /* main re-raises the signal */
    else if (st != NNINIT_OK) rc = fail(cmd, "%s: %s", b->what, msg[0] ? msg : nninit_status_str(st));
    if (!rc && g_prog.verbosity >= report_level) {
        fprintf(stderr, "nninit: %s: ", cmd);
        print_data_init_report(stderr, g, algo, r);
    }
    if (!rc) info(2, cmd, "data-dependent init in %.3f s on %s", seconds, b->what);
    free(r);
    return rc;
}
