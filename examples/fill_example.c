/* A program a user would write: initialize a 768 x 3072 weight matrix with a
 * truncated normal (std 0.02, bounds +-2 std), a bias with zeros, and show
 * that a shard filled separately equals the same slice of the whole tensor.
 *
 *   cc fill_example.c $(pkg-config --cflags --libs nninit) -lm -o fill_example
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nninit.h>

int main(void)
{
    if (nninit_version_number() != NNINIT_VERSION_NUMBER) {
        fprintf(stderr, "header %s but library %s\n", NNINIT_VERSION_STRING, nninit_version_string());
        return 1;
    }
    const size_t rows = 768, cols = 3072, n = rows * cols;
    float *w = malloc(n * sizeof *w), *shard = malloc(cols * sizeof *shard), bias[768];
    if (!w || !shard) return 1;

    nninit_rng rng = { .seed = 1234, .stream = nninit_stream_id("h.0.mlp.c_fc.weight") };
    nninit_status st = nninit_trunc_normal(w, NNINIT_F32, n, 0.0, 0.02, -0.04, 0.04, rng, 0);
    if (st != NNINIT_OK) { fprintf(stderr, "trunc_normal: %s\n", nninit_status_str(st)); return 1; }
    st = nninit_constant(bias, NNINIT_F32, rows, 0.0);
    if (st != NNINIT_OK) { fprintf(stderr, "constant: %s\n", nninit_status_str(st)); return 1; }

    /* Row 100 alone: elements [100 * cols, 101 * cols) of the same sequence. */
    st = nninit_trunc_normal(shard, NNINIT_F32, cols, 0.0, 0.02, -0.04, 0.04, rng, 100 * cols);
    if (st != NNINIT_OK) { fprintf(stderr, "shard: %s\n", nninit_status_str(st)); return 1; }
    int same = memcmp(shard, w + 100 * cols, cols * sizeof *shard) == 0;

    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) { sum += w[i]; sq += (double)w[i] * w[i]; }
    printf("nninit %s (%s path): mean %.6f, std %.6f, w[0] = %.8f, shard equals slice: %s\n",
           nninit_version_string(), nninit_isa(), sum / n, sqrt(sq / n - (sum / n) * (sum / n)), w[0],
           same ? "yes" : "NO");
    free(w); free(shard);
    return same ? 0 : 1;
}
