/* OpenBLAS on one thread while a graph runs.
 *
 * OpenBLAS's gemm splits its work by its own thread count, and the split
 * changes the rounding: cblas_sgemm gives different last bits with 1 and 2
 * threads on most shapes (docs/DESIGN.md, "Orthogonal"). The executor cuts
 * its work into units by shape and runs each unit's gemm on one thread, so
 * its results depend on nothing else; OpenBLAS's own threads must then stay
 * out of it. OpenBLAS (0.3.21, Debian 12) has no per-call thread count, so
 * the process-wide one is set to 1 for the duration of a run and restored by
 * the last run to finish (runs may overlap on several threads). Other BLAS
 * builds have no such setting, and nothing is done. */
#include <cblas.h>
#include <pthread.h>
#include "graph.h"

#if defined(OPENBLAS_VERSION)
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_runs, g_saved;

void nninit_blas_serial_begin_(void)
{
    pthread_mutex_lock(&g_lock);
    if (g_runs++ == 0) {
        g_saved = openblas_get_num_threads();
        if (g_saved != 1) openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&g_lock);
}

void nninit_blas_serial_end_(void)
{
    pthread_mutex_lock(&g_lock);
    if (--g_runs == 0 && g_saved != 1) openblas_set_num_threads(g_saved);
    pthread_mutex_unlock(&g_lock);
}
#else
void nninit_blas_serial_begin_(void) {}
void nninit_blas_serial_end_(void) {}
#endif
