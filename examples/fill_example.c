/* A program a user would write: initialize a 768 x 3072 weight matrix with a
 * truncated normal (std 0.02, bounds +-2 std), a bias with zeros, and show
 * that a shard filled separately equals the same slice of the whole tensor:
 * a row by its offset in the fill, a block of columns (a tensor-parallel
 * shard) with nninit_init_slice.
 *
 *   cc fill_example.c $(pkg-config --cflags --libs nninit) -lm -o fill_example
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define NNINIT_UNSTABLE_API   /* nninit_init_slice: the unstable view (docs/API.md) */
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

    /* Columns [1024, 2048) of a kaiming_uniform weight, as rank 1 of 3 would
     * hold them, against the same columns of the whole tensor. */
    const int64_t shape[2] = { (int64_t)rows, (int64_t)cols }, start[2] = { 0, 1024 }, count[2] = { (int64_t)rows, 1024 };
    float *part = malloc(rows * 1024 * sizeof *part);
    char msg[256];
    if (!part) return 1;
    st = nninit_init_slice(part, NNINIT_F32, shape, 2, start, count, "kaiming_uniform(a=sqrt(5))", rng, msg, sizeof msg);
    if (st == NNINIT_OK) st = nninit_init_msg(w, NNINIT_F32, shape, 2, "kaiming_uniform(a=sqrt(5))", rng, msg, sizeof msg);
    if (st != NNINIT_OK) { fprintf(stderr, "slice: %s\n", msg); return 1; }
    for (size_t i = 0; i < rows; i++) same &= memcmp(part + i * 1024, w + i * cols + 1024, 1024 * sizeof *part) == 0;
    free(part);
    if (nninit_trunc_normal(w, NNINIT_F32, n, 0.0, 0.02, -0.04, 0.04, rng, 0) != NNINIT_OK) return 1;

    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) { sum += w[i]; sq += (double)w[i] * w[i]; }
    printf("nninit %s (%s path): mean %.6f, std %.6f, w[0] = %.8f, shards equal slices: %s\n",
           nninit_version_string(), nninit_isa(), sum / n, sqrt(sq / n - (sum / n) * (sum / n)), w[0],
           same ? "yes" : "NO");
    free(w); free(shard);
    return same ? 0 : 1;
}
