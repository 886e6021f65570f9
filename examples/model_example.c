/* A program a training engine would write: initialize a whole model from its
 * JSON spec into memory, check each tensor's statistics against what its
 * scheme promises, and save it as a safetensors file with the metadata that
 * reproduces it.
 *
 *   cc model_example.c $(pkg-config --cflags --libs nninit) -o model_example
 *   ./model_example examples/models/mlp.json mlp.safetensors
 */
#include <math.h>
#include <stdio.h>
#include <nninit.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SPEC.json OUT.safetensors\n", argv[0]);
        return 2;
    }
    char msg[512];
    nninit_model *model = NULL;
    nninit_arena *arena = NULL;
    int rc = 1;
    if (nninit_model_load(argv[1], &model, msg, sizeof msg) != NNINIT_OK) {
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    nninit_status st = nninit_arena_create(model, &arena);
    if (st != NNINIT_OK) {
        fprintf(stderr, "arena: %s\n", nninit_status_str(st));
        goto done;
    }
    void *const *data = nninit_arena_pointers(arena);
    nninit_run_options opt = { .threads = 2 };
    if (nninit_model_init(model, data, &opt, msg, sizeof msg) != NNINIT_OK) {
        fprintf(stderr, "%s\n", msg);
        goto done;
    }
    /* Every tensor's std is within 5% of its scheme's (tensors of a few
     * hundred elements or more, where sampling noise is smaller than that). */
    for (size_t i = 0; i < nninit_model_count(model); i++) {
        nninit_model_tensor t;
        nninit_plan plan;
        nninit_stats s;
        nninit_model_tensor_info(model, i, &t);
        if (nninit_scheme_plan(&t.scheme, t.shape, t.ndim, &plan, msg, sizeof msg) != NNINIT_OK ||
            nninit_tensor_stats(data[i], t.dtype, t.count, &s) != NNINIT_OK) {
            fprintf(stderr, "%s: %s\n", t.name, msg);
            goto done;
        }
        int ok = t.count < 500 || fabs(s.std - plan.expected_std) <= 0.05 * plan.expected_std;
        printf("%-12s %-24s std %.5f (expected %.5f) %s\n", t.name, t.init, s.std, plan.expected_std,
               ok ? "ok" : "OFF");
        if (!ok) goto done;
    }
    if (nninit_model_save(model, (const void *const *)data, argv[2], NNINIT_FORMAT_SAFETENSORS, NULL, msg,
                          sizeof msg) != NNINIT_OK) {
        fprintf(stderr, "%s\n", msg);
        goto done;
    }
    printf("wrote %s: %zu tensors, %llu bytes, seed %llu\n", argv[2], nninit_model_count(model),
           (unsigned long long)nninit_model_bytes(model), (unsigned long long)nninit_model_seed(model));
    rc = 0;
done:
    nninit_arena_free(arena);
    nninit_model_free(model);
    return rc;
}
