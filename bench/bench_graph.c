/* bench_graph: data-dependent initialization and the probe through the public
 * API only, for bench/bench_graph.py.
 *
 *   bench_graph SPEC.json BATCH.npy [--algo "lsuv(...)"] [--threads N] [--repeat R]
 *               [--before FILE.safetensors] [--after FILE.safetensors]
 *
 * Loads the spec, initializes it (nninit_model_init), then times R runs of
 * nninit_graph_data_init, each from the same initialized tensors (restored
 * before the clock starts), and R runs of nninit_graph_probe on the
 * initialized network. --before / --after write the tensors before and after
 * the algorithm (for the PyTorch peer to start from and compare with). Prints
 * one JSON object: {"layers": n, "data_init_seconds": [...], "probe_seconds":
 * [...], "report": [{"name", "iterations", "scale", "std_before",
 * "std_after", "outcome"}, ...]}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define NNINIT_UNSTABLE_API   /* docs/API.md */
#include "nninit.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what, const char *msg, nninit_status st)
{
    fprintf(stderr, "bench_graph: %s: %s\n", what, msg && msg[0] ? msg : nninit_status_str(st));
    return 1;
}

int main(int argc, char **argv)
{
    const char *spec = NULL, *data = NULL, *algo_text = "lsuv", *before = NULL, *after = NULL;
    int threads = 0, repeat = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--algo") == 0 && i + 1 < argc) algo_text = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc) before = argv[++i];
        else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) after = argv[++i];
        else if (!spec && argv[i][0] != '-') spec = argv[i];
        else if (!data && argv[i][0] != '-') data = argv[i];
        else { fprintf(stderr, "bench_graph: bad argument '%s'\n", argv[i]); return 2; }
    }
    if (!spec || !data || repeat < 1) {
        fputs("usage: bench_graph SPEC.json BATCH.npy [--algo SPEC] [--threads N] [--repeat R] "
              "[--before F] [--after F]\n", stderr);
        return 2;
    }
    char msg[1024] = "";
    nninit_model *model = NULL;
    nninit_graph *graph = NULL;
    nninit_arena *arena = NULL;
    nninit_npy_file *npy = NULL;
    nninit_data_init algo;
    nninit_tensor batch;
    nninit_status st;
    if ((st = nninit_model_load(spec, &model, msg, sizeof msg))) return fail(spec, msg, st);
    if ((st = nninit_graph_create(model, &graph, msg, sizeof msg))) return fail(spec, msg, st);
    if ((st = nninit_data_init_parse(algo_text, &algo, msg, sizeof msg))) return fail("--algo", msg, st);
    if ((st = nninit_npy_open(data, &npy, msg, sizeof msg))) return fail(data, msg, st);
    if ((st = nninit_npy_tensor(npy, &batch))) return fail(data, "not a float array", st);
    if ((st = nninit_arena_create(model, &arena))) return fail("arena", NULL, st);
    void *const *t = nninit_arena_pointers(arena);
    nninit_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = threads;
    if ((st = nninit_model_init(model, t, &opt, msg, sizeof msg))) return fail("init", msg, st);
    if (before && (st = nninit_model_save(model, (const void *const *)t, before, NNINIT_FORMAT_SAFETENSORS, NULL, msg,
                                          sizeof msg)))
        return fail(before, msg, st);

    /* a copy of the initialized tensors, restored before each timed run */
    const size_t n = nninit_model_count(model);
    void **saved = calloc(n ? n : 1, sizeof *saved);
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor info;
        nninit_model_tensor_info(model, i, &info);
        saved[i] = malloc(info.nbytes ? info.nbytes : 1);
        memcpy(saved[i], t[i], info.nbytes);
    }
    const size_t layers = nninit_graph_layer_count(graph), ops = nninit_graph_op_count(graph);
    nninit_layer_report *rep = calloc(layers ? layers : 1, sizeof *rep);
    nninit_probe_row *rows = calloc(ops ? ops : 1, sizeof *rows);

    printf("{\"layers\": %zu, \"probe_seconds\": [", layers);
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        if ((st = nninit_graph_probe(graph, (const void *const *)t, &batch, &opt, rows, msg, sizeof msg)))
            return fail("probe", msg, st);
        printf("%s%.6f", r ? ", " : "", now() - t0);
    }
    printf("], \"data_init_seconds\": [");
    for (int r = 0; r < repeat; r++) {
        for (size_t i = 0; i < n; i++) {
            nninit_model_tensor info;
            nninit_model_tensor_info(model, i, &info);
            memcpy(t[i], saved[i], info.nbytes);
        }
        double t0 = now();
        if ((st = nninit_graph_data_init(graph, &algo, t, &batch, &opt, rep, msg, sizeof msg)))
            return fail("data init", msg, st);
        printf("%s%.6f", r ? ", " : "", now() - t0);
    }
    printf("], \"report\": [");
    for (size_t l = 0; l < layers; l++)
        printf("%s{\"name\": \"%s\", \"iterations\": %d, \"scale\": %.17g, \"std_before\": %.17g, "
               "\"std_after\": %.17g, \"outcome\": %d}", l ? ", " : "", rep[l].name, rep[l].iterations,
               rep[l].scale_min, rep[l].std_before, rep[l].std_after, (int)rep[l].outcome);
    printf("], \"probe\": [");
    for (size_t i = 0; i < ops; i++)
        printf("%s{\"path\": \"%s\", \"op\": \"%s\", \"std\": %.9g}", i ? ", " : "", rows[i].path, rows[i].op,
               rows[i].std);
    printf("]}\n");
    if (after && (st = nninit_model_save(model, (const void *const *)t, after, NNINIT_FORMAT_SAFETENSORS, NULL, msg,
                                         sizeof msg)))
        return fail(after, msg, st);
    for (size_t i = 0; i < n; i++) free(saved[i]);
    free(saved);
    free(rep);
    free(rows);
    nninit_npy_close(npy);
    nninit_arena_free(arena);
    nninit_graph_free(graph);
    nninit_model_free(model);
    return 0;
}
