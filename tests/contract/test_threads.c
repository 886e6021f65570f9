/* Thread safety and thread-count independence (include/nninit.h:
 * "may be called from many threads at once, including from inside the
 * caller's own OpenMP parallel region"; every value is a pure function of
 * (seed, stream, index), so no thread count or schedule may change a bit).
 *
 * References are always computed on one thread (omp_set_num_threads(1)). */
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include "testutil.h"

/* ---- fill jobs ------------------------------------------------------------- */
enum { J_UNIFORM, J_NORMAL, J_TRUNC, J_CONSTANT, N_KINDS };
static const char *const kind_name[N_KINDS] = { "uniform", "normal", "trunc_normal", "constant" };
static const nninit_dtype all_dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };

typedef struct {
    int kind;
    nninit_dtype dt;
    size_t n;
    nninit_rng rng;
    uint64_t offset;
} job;

static nninit_status run_job(const job *j, void *dst)
{
    switch (j->kind) {
    case J_UNIFORM: return nninit_uniform(dst, j->dt, j->n, -0.25, 0.75, j->rng, j->offset);
    case J_NORMAL: return nninit_normal(dst, j->dt, j->n, 0.1, 0.02, j->rng, j->offset);
    case J_TRUNC: return nninit_trunc_normal(dst, j->dt, j->n, 0.0, 1.0, -2.0, 2.0, j->rng, j->offset);
    default: return nninit_constant(dst, j->dt, j->n, 0.3);
    }
}

static size_t job_bytes(const job *j) { return j->n * nninit_dtype_size(j->dt); }

static const char *job_str(const job *j)
{
    static _Thread_local char buf[160];
    snprintf(buf, sizeof buf, "%s %s n=%zu seed=%llu stream=%#llx offset=%llu", kind_name[j->kind],
             nninit_dtype_name(j->dt), j->n, (unsigned long long)j->rng.seed, (unsigned long long)j->rng.stream,
             (unsigned long long)j->offset);
    return buf;
}

/* Reference: the same job on a single thread. */
static void *reference(const job *j)
{
    void *ref = malloc(job_bytes(j));
    ck_assert_msg(ref != NULL, "out of memory (%zu bytes)", job_bytes(j));
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    nninit_status st = run_job(j, ref);
    omp_set_num_threads(saved);
    ck_assert_msg(st == NNINIT_OK, "%s: serial fill returned %s", job_str(j), nninit_status_str(st));
    return ref;
}

/* First differing element, or -1. */
static long first_diff(const job *j, const void *a, const void *b)
{
    size_t esz = nninit_dtype_size(j->dt);
    if (memcmp(a, b, j->n * esz) == 0) return -1;
    for (size_t i = 0; i < j->n; i++)
        if (memcmp((const char *)a + i * esz, (const char *)b + i * esz, esz) != 0) return (long)i;
    return -1;
}

/* ---- 1. many tensors filled from the caller's own OpenMP region ------------ */
#define N_TENSORS 64

static job tensor_job(int i)
{
    char name[48];
    snprintf(name, sizeof name, "model.layers.%d.weight", i);
    job j;
    j.kind = i % N_KINDS;
    j.dt = all_dtypes[(i / N_KINDS) % 4];
    /* sizes from tiny to well past the library's 64 KiB parallel threshold */
    j.n = (i % 8 == 7) ? (size_t)100003 + (size_t)i * 1000 : (size_t)(i * 2654435761u % 20000u) + 1;
    j.rng.seed = 0xC0FFEE00u + (uint64_t)i * 7919u;
    j.rng.stream = nninit_stream_id(name);
    j.offset = (uint64_t)i * 977u;
    return j;
}

static void many_tensors(int nested)
{
    job jobs[N_TENSORS];
    void *ref[N_TENSORS], *out[N_TENSORS];
    for (int i = 0; i < N_TENSORS; i++) {
        jobs[i] = tensor_job(i);
        ref[i] = reference(&jobs[i]);
        out[i] = malloc(job_bytes(&jobs[i]));
        ck_assert_msg(out[i] != NULL, "out of memory");
        memset(out[i], 0xEE, job_bytes(&jobs[i]));
    }
    nninit_status st[N_TENSORS];
    int saved_levels = omp_get_max_active_levels();
    if (nested) omp_set_max_active_levels(2);
    int team = 0;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(4) reduction(max : team)
    for (int i = 0; i < N_TENSORS; i++) {
        st[i] = run_job(&jobs[i], out[i]);
        team = omp_get_num_threads();
    }
    omp_set_max_active_levels(saved_levels);
    /* 4 unless the environment caps teams (OMP_THREAD_LIMIT, OMP_DYNAMIC) */
    ck_assert_msg(team >= 2, "the caller's parallel region ran with %d thread(s): nothing concurrent was tested", team);
    for (int i = 0; i < N_TENSORS; i++) {
        ck_assert_msg(st[i] == NNINIT_OK, "%s (in a parallel region%s): %s", job_str(&jobs[i]),
                      nested ? ", nesting on" : "", nninit_status_str(st[i]));
        long d = first_diff(&jobs[i], ref[i], out[i]);
        ck_assert_msg(d < 0, "%s: filled inside an OpenMP parallel region%s, element %ld differs from the serial fill",
                      job_str(&jobs[i]), nested ? " (nesting on)" : "", d);
        free(ref[i]);
        free(out[i]);
    }
}

START_TEST(test_inside_omp_parallel_for)
{
    many_tensors(0);
}
END_TEST

START_TEST(test_inside_nested_omp_parallel)
{
    many_tensors(1);
}
END_TEST

/* ---- 2. plain pthreads, each running large (library-parallel) fills -------- */
#define N_PTHREADS 4
#define JOBS_PER_THREAD 6

typedef struct {
    int t;
    pthread_barrier_t *start;
    job jobs[JOBS_PER_THREAD];
    void *out[JOBS_PER_THREAD];
    nninit_status st[JOBS_PER_THREAD];
} pt_arg;

static void *pt_main(void *p)
{
    pt_arg *a = (pt_arg *)p;
    pthread_barrier_wait(a->start); /* all four start together, racing for the first kernel resolution too */
    for (int k = 0; k < JOBS_PER_THREAD; k++) a->st[k] = run_job(&a->jobs[k], a->out[k]);
    return NULL;
}

START_TEST(test_concurrent_pthreads)
{
    static pt_arg args[N_PTHREADS];
    pthread_t th[N_PTHREADS];
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, N_PTHREADS), 0);
    for (int t = 0; t < N_PTHREADS; t++) {
        args[t].t = t;
        args[t].start = &start;
        for (int k = 0; k < JOBS_PER_THREAD; k++) {
            job *j = &args[t].jobs[k];
            j->kind = (t + k) % N_KINDS;
            j->dt = all_dtypes[(t + 2 * k) % 4];
            /* 300 KiB .. 2 MiB: above the 64 KiB threshold, so each call
             * runs the library's own OpenMP team from this pthread */
            j->n = ((size_t)(300 + 150 * k + 37 * t) << 10) / nninit_dtype_size(j->dt) + (size_t)t;
            j->rng.seed = 1000u + (uint64_t)t;
            j->rng.stream = 77u + (uint64_t)k;
            j->offset = (uint64_t)(t * 4099 + k * 65536);
            args[t].out[k] = malloc(job_bytes(j));
            ck_assert_msg(args[t].out[k] != NULL, "out of memory");
        }
    }
    for (int t = 0; t < N_PTHREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, pt_main, &args[t]), 0);
    for (int t = 0; t < N_PTHREADS; t++) ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    pthread_barrier_destroy(&start);

    for (int t = 0; t < N_PTHREADS; t++)
        for (int k = 0; k < JOBS_PER_THREAD; k++) {
            const job *j = &args[t].jobs[k];
            ck_assert_msg(job_bytes(j) > (size_t)256 * 1024, "job too small to exercise the parallel path");
            ck_assert_msg(args[t].st[k] == NNINIT_OK, "pthread %d, %s: %s", t, job_str(j),
                          nninit_status_str(args[t].st[k]));
            void *ref = reference(j);
            long d = first_diff(j, ref, args[t].out[k]);
            ck_assert_msg(d < 0, "pthread %d, %s: element %ld differs from the serial fill", t, job_str(j), d);
            free(ref);
            free(args[t].out[k]);
        }
}
END_TEST

/* ---- 3. the library's own team size never changes a bit ------------------- */
START_TEST(test_thread_counts)
{
    static const int counts[4] = { 1, 2, 3, 7 };
    const int saved = omp_get_max_threads();
    for (int kind = 0; kind < N_KINDS; kind++)
        for (int d = 0; d < 4; d++) {
            job j;
            j.kind = kind;
            j.dt = all_dtypes[d];
            /* ~6 MiB, an odd length, and an offset off every internal boundary */
            j.n = ((size_t)6 << 20) / nninit_dtype_size(j.dt) + 12345;
            j.rng.seed = 0x5EED5EEDull;
            j.rng.stream = nninit_stream_id(kind_name[kind]);
            j.offset = 1000003;
            void *ref = reference(&j);
            void *out = malloc(job_bytes(&j));
            ck_assert_msg(out != NULL, "out of memory");
            for (int c = 0; c < 4; c++) {
                memset(out, 0xEE, job_bytes(&j));
                omp_set_num_threads(counts[c]);
                nninit_status st = run_job(&j, out);
                omp_set_num_threads(saved);
                ck_assert_msg(st == NNINIT_OK, "%s with %d threads: %s", job_str(&j), counts[c], nninit_status_str(st));
                long diff = first_diff(&j, ref, out);
                ck_assert_msg(diff < 0, "%s with %d OpenMP threads: element %ld differs from the 1-thread fill",
                              job_str(&j), counts[c], diff);
            }
            free(ref);
            free(out);
        }
}
END_TEST

/* ---- 4. the top of the index space --------------------------------------
 * offset + n may reach 2^64 - 1 (nninit.h rejects only an overflow). A fill
 * large enough to be split among threads must still write every element:
 * compare with the same range filled in serial pieces. */
START_TEST(test_parallel_fill_at_top_of_index_space)
{
    const size_t n = (size_t)1 << 20; /* 4 MiB of f32: split among threads */
    const uint64_t offs[3] = { UINT64_MAX - n, UINT64_MAX - n - 1000, UINT64_MAX - n - 4096 };
    float *a = malloc(n * 4), *b = malloc(n * 4);
    ck_assert_msg(a && b, "out of memory");
    const int saved = omp_get_max_threads();
    for (int k = 0; k < 3; k++)
        for (int threads = 2; threads <= 3; threads++) {
            nninit_rng rng = { 9, 9 };
            job j = { J_UNIFORM, NNINIT_F32, n, rng, offs[k] };
            memset(a, 0xEE, n * 4);
            omp_set_num_threads(threads);
            nninit_status st = run_job(&j, a);
            omp_set_num_threads(saved);
            ck_assert_msg(st == NNINIT_OK, "%s: %s", job_str(&j), nninit_status_str(st));
            /* serial pieces of 4096 elements (16 KiB, below the parallel threshold) */
            for (size_t i = 0; i < n; i += 4096) {
                job p = { J_UNIFORM, NNINIT_F32, 4096, rng, offs[k] + i };
                ck_assert_int_eq(run_job(&p, b + i), NNINIT_OK);
            }
            long d = first_diff(&j, b, a);
            size_t missing = 0;
            for (size_t i = 0; i < n; i++) missing += memcmp(&a[i], &b[i], 4) != 0;
            double got = d < 0 ? 0.0 : (double)a[d], want = d < 0 ? 0.0 : (double)b[d];
            if (d >= 0) { free(a); free(b); }
            ck_assert_msg(d < 0,
                          "%s with %d threads: %zu of %zu elements differ from the same range filled in serial "
                          "pieces, the first at %ld (value %a, expected %a)",
                          job_str(&j), threads, missing, n, d, got, want);
        }
    free(a);
    free(b);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = nt_tcase("threads");
    /* first, so its threads race for the library's one-time kernel choice */
    tcase_add_test(tc, test_concurrent_pthreads);
    tcase_add_test(tc, test_inside_omp_parallel_for);
    tcase_add_test(tc, test_inside_nested_omp_parallel);
    tcase_add_test(tc, test_thread_counts);
    tcase_add_test(tc, test_parallel_fill_at_top_of_index_space);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
