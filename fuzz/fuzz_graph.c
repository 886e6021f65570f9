/* libFuzzer target: model specs with a "graph", through nninit_graph_create.
 * A graph that validates is walked (every op's info, the input shape, the
 * output shape for a batch drawn from it) and, when it is small (no number
 * of three digits or more in the input, at most 64 KiB of tensors), run:
 * the spec's init, the probe, and one LSUV step with its write-back, on a
 * batch of two samples. Anything but a clean status is a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define NNINIT_UNSTABLE_API   /* docs/API.md */
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small enough to execute: every number in the text has at most two digits. */
static int small_numbers(const uint8_t *d, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        run = d[i] >= '0' && d[i] <= '9' ? run + 1 : 0;
        if (run >= 3) return 0;
    }
    return 1;
}

static void run(const nninit_model *m, const nninit_graph *g)
{
    int64_t in[NNINIT_MAX_DIMS], out[NNINIT_MAX_DIMS];
    int nd, od;
    if (nninit_graph_input_shape(g, in, &nd) != NNINIT_OK || nd > 3) abort();
    nninit_tensor b;
    memset(&b, 0, sizeof b);
    b.dtype = NNINIT_F32;
    b.ndim = nd == 0 ? 2 : nd + 1;
    b.shape[0] = 2;
    size_t count = 2;
    for (int d = 1; d < b.ndim; d++) {
        b.shape[d] = nd == 0 || in[d - 1] < 0 ? 5 : in[d - 1];
        count *= (size_t)b.shape[d];
    }
    char msg[512];
    if (nninit_graph_output_shape(g, b.shape, b.ndim, out, &od, msg, sizeof msg) != NNINIT_OK) return;
    if (count > 4096 || nninit_model_bytes(m) > 65536) return;
    nninit_arena *a = NULL;
    if (nninit_arena_create(m, &a) != NNINIT_OK) return;
    void *const *t = nninit_arena_pointers(a);
    float *x = malloc(count * sizeof *x);
    nninit_rng rng = { 1, 2 };
    size_t ops = nninit_graph_op_count(g), layers = nninit_graph_layer_count(g);
    nninit_probe_row *rows = calloc(ops ? ops : 1, sizeof *rows);
    nninit_layer_report *rep = calloc(layers ? layers : 1, sizeof *rep);
    if (x && rows && rep && nninit_model_init(m, t, NULL, msg, sizeof msg) == NNINIT_OK &&
        nninit_normal(x, NNINIT_F32, count, 0, 1, rng, 0) == NNINIT_OK) {
        b.data = x;
        b.nbytes = count * sizeof *x;
        nninit_status st = nninit_graph_probe(g, (const void *const *)t, &b, NULL, rows, msg, sizeof msg);
        if (st != NNINIT_OK && st != NNINIT_E_DATA && st != NNINIT_E_NOMEM && st != NNINIT_E_SHAPE) abort();
        nninit_data_init algo = nninit_data_init_default(NNINIT_DATA_LSUV);
        algo.max_iter = 1;
        st = nninit_graph_data_init(g, &algo, t, &b, NULL, rep, msg, sizeof msg);
        if (st != NNINIT_OK && st != NNINIT_E_DATA && st != NNINIT_E_NOMEM && st != NNINIT_E_SHAPE) abort();
    }
    free(rep);
    free(rows);
    free(x);
    nninit_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    nninit_model *m = NULL;
    char msg[512];
    nninit_status st = nninit_model_parse(copy, size, &m, msg, sizeof msg);
    free(copy);
    if (st != NNINIT_OK) return 0;
    nninit_graph *g = NULL;
    st = nninit_graph_create(m, &g, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (g || !msg[0]) abort();
        nninit_model_free(m);
        return 0;
    }
    size_t n = nninit_graph_op_count(g), layers = 0;
    for (size_t i = 0; i < n; i++) {
        nninit_graph_op op;
        if (nninit_graph_op_info(g, i, &op) != NNINIT_OK || !op.path || !op.op) abort();
        if (op.layer >= 0 && (size_t)nninit_graph_layer_op(g, (size_t)op.layer) != i) abort();
        layers += op.layer >= 0;
    }
    if (layers != nninit_graph_layer_count(g)) abort();
    if (small_numbers(data, size)) run(m, g);
    nninit_graph_free(g);
    nninit_model_free(m);
    return 0;
}
