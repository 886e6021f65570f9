/* bench_model: whole-model initialization into memory, through the public API
 * only (no file is written), for bench/bench_model.py.
 *
 *   bench_model SPEC.json [--dtype D] [--threads N] [--repeat R]
 *       times R runs of nninit_arena_create + nninit_model_init (a fresh arena
 *       each run: allocation and first-touch page faults are part of the cost,
 *       as for torch.empty + init) and prints one JSON line:
 *       {"tensors": n, "bytes": b, "seconds": [s1, ...], "warm_seconds": [w1, ...]}
 *       The arena is freed after the clock stops. warm_seconds: a second
 *       nninit_model_init into the same, already touched arena (no page faults):
 *       the init alone.
 *   bench_model SPEC.json [--dtype D] [--threads N] --save PATH
 *       the in-memory path to a file, whole: nninit_arena_create +
 *       nninit_model_init + nninit_model_save (how `nninit init` wrote before it
 *       streamed), for bench/bench_stream.py to time beside the streaming writer.
 *   bench_model SPEC.json [--dtype D] --list
 *       one line per tensor, tab-separated: name, dtype, shape (comma-separated),
 *       init (canonical spec string), and the plan: kind mean std low high fan_in
 *       gain rows cols -- what bench_model.py maps to torch.nn.init calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "nninit.h"

static int fail(const char *what, const char *msg, nninit_status st)
{
    fprintf(stderr, "bench_model: %s: %s\n", what, msg && msg[0] ? msg : nninit_status_str(st));
    return 1;
}

int main(int argc, char **argv)
{
    const char *spec = NULL, *dtype = NULL, *save = NULL;
    int threads = 0, repeat = 3, list = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dtype") == 0 && i + 1 < argc) dtype = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--list") == 0) list = 1;
        else if (strcmp(argv[i], "--save") == 0 && i + 1 < argc) save = argv[++i];
        else if (!spec && argv[i][0] != '-') spec = argv[i];
        else { fprintf(stderr, "bench_model: bad argument '%s'\n", argv[i]); return 2; }
    }
    if (!spec || repeat < 1) {
        fputs("usage: bench_model SPEC.json [--dtype f32|bf16|f16|f64] [--threads N] [--repeat R | --list | --save PATH]\n",
              stderr);
        return 2;
    }
    char msg[1024] = "";
    nninit_model *model = NULL;
    nninit_status st = nninit_model_load(spec, &model, msg, sizeof msg);
    if (st) return fail(spec, msg, st);
    if (dtype) {
        static const char *const names[] = { "f32", "f64", "bf16", "f16" };
        int k = 0;
        while (k < 4 && strcmp(names[k], dtype) != 0) k++;
        if (k == 4 || (st = nninit_model_set_dtype(model, (nninit_dtype)k)) != NNINIT_OK)
            return fail("--dtype", dtype, NNINIT_E_DTYPE);
    }
    size_t n = nninit_model_count(model);
    if (list) {
        for (size_t i = 0; i < n; i++) {
            nninit_model_tensor t;
            nninit_model_tensor_info(model, i, &t);
            printf("%s\t%s\t", t.name, nninit_dtype_name(t.dtype));
            for (int d = 0; d < t.ndim; d++) printf("%s%lld", d ? "," : "", (long long)t.shape[d]);
            nninit_plan p;
            if ((st = nninit_scheme_plan(&t.scheme, t.shape, t.ndim, &p, msg, sizeof msg)) != NNINIT_OK)
                return fail(t.name, msg, st);
            printf("\t%s\t%d %.17g %.17g %.17g %.17g %lld %.17g %lld %lld\n", t.init, (int)p.kind, p.mean, p.std,
                   p.low, p.high, (long long)p.fan_in, p.gain, (long long)p.rows, (long long)p.cols);
        }
        nninit_model_free(model);
        return 0;
    }
    nninit_run_options opt = { .threads = threads };
    if (save) {
        nninit_arena *arena = NULL;
        if ((st = nninit_arena_create(model, &arena)) != NNINIT_OK) return fail("arena", NULL, st);
        if ((st = nninit_model_init(model, nninit_arena_pointers(arena), &opt, msg, sizeof msg)) != NNINIT_OK)
            return fail("init", msg, st);
        st = nninit_model_save(model, (const void *const *)nninit_arena_pointers(arena), save,
                               NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg);
        if (st != NNINIT_OK) return fail("save", msg, st);
        nninit_arena_free(arena);
        nninit_model_free(model);
        return 0;
    }
    double *cold = calloc((size_t)repeat, sizeof *cold), *warm = calloc((size_t)repeat, sizeof *warm);
    if (!cold || !warm) return fail("bench", "out of memory", NNINIT_E_NOMEM);
    for (int r = 0; r < repeat; r++) {
        struct timespec t0, t1, t2;
        nninit_arena *arena = NULL;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if ((st = nninit_arena_create(model, &arena)) != NNINIT_OK) return fail("arena", NULL, st);
        st = nninit_model_init(model, nninit_arena_pointers(arena), &opt, msg, sizeof msg);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (st == NNINIT_OK) st = nninit_model_init(model, nninit_arena_pointers(arena), &opt, msg, sizeof msg);
        clock_gettime(CLOCK_MONOTONIC, &t2);
        nninit_arena_free(arena);
        if (st) return fail("init", msg, st);
        cold[r] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        warm[r] = (double)(t2.tv_sec - t1.tv_sec) + 1e-9 * (double)(t2.tv_nsec - t1.tv_nsec);
    }
    printf("{\"tensors\": %zu, \"bytes\": %llu, \"seconds\": [", n, (unsigned long long)nninit_model_bytes(model));
    for (int r = 0; r < repeat; r++) printf("%s%.6f", r ? ", " : "", cold[r]);
    printf("], \"warm_seconds\": [");
    for (int r = 0; r < repeat; r++) printf("%s%.6f", r ? ", " : "", warm[r]);
    printf("]}\n");
    free(cold);
    free(warm);
    nninit_model_free(model);
    return 0;
}
