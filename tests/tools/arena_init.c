/* arena_init: the in-memory path of whole-model initialization, for the tests
 * that compare it with the streaming writer (tests/cli/cli_stream.sh):
 * nninit_arena_create + nninit_model_init + nninit_model_save, the way
 * `nninit init` wrote before it streamed.
 *
 *   arena_init SPEC.json [--dtype D] [--seed N] [--format npy] -o OUT|-
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nninit.h"

static int fail(const char *what, const char *msg, nninit_status st)
{
    fprintf(stderr, "arena_init: %s: %s\n", what, msg && msg[0] ? msg : nninit_status_str(st));
    return 1;
}

int main(int argc, char **argv)
{
    const char *spec = NULL, *dtype = NULL, *out = NULL, *seed = NULL;
    int npy = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dtype") == 0 && i + 1 < argc) dtype = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) seed = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) npy = strcmp(argv[++i], "npy") == 0;
        else if (!spec && argv[i][0] != '-') spec = argv[i];
        else { fprintf(stderr, "arena_init: bad argument '%s'\n", argv[i]); return 2; }
    }
    if (!spec || !out) {
        fputs("usage: arena_init SPEC.json [--dtype D] [--seed N] [--format npy] -o OUT|-\n", stderr);
        return 2;
    }
    char msg[1024] = "";
    nninit_model *m = NULL;
    nninit_arena *a = NULL;
    nninit_dtype dt;
    nninit_status st = nninit_model_load(spec, &m, msg, sizeof msg);
    if (st) return fail(spec, msg, st);
    if (dtype && ((st = nninit_dtype_from_name(dtype, &dt)) || (st = nninit_model_set_dtype(m, dt))))
        return fail("--dtype", dtype, st);
    if (seed && (st = nninit_model_set_seed(m, strtoull(seed, NULL, 0)))) return fail("--seed", seed, st);
    if ((st = nninit_arena_create(m, &a))) return fail("arena", NULL, st);
    if ((st = nninit_model_init(m, nninit_arena_pointers(a), NULL, msg, sizeof msg))) return fail("init", msg, st);
    st = nninit_model_save(m, (const void *const *)nninit_arena_pointers(a), out,
                           npy ? NNINIT_FORMAT_NPY_DIR : NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg);
    if (st) return fail("save", msg, st);
    nninit_arena_free(a);
    nninit_model_free(m);
    return 0;
}
