// Google Benchmark harness for the orthogonal scheme (src/schemes/orthogonal.c).
//
// Names read  orthogonal/f32/ROWSxCOLS : the whole public call
// nninit_orthogonal(dst, f32, {rows, cols}, OIHW, gain 1): Gaussian vectors,
// reflectors, Q, signs, gain. For comparison, lapack_qr/f32/ROWSxCOLS does
// what the factor-a-Gaussian way does (nninit's contract version 1, PyTorch):
// a Gaussian, LAPACKE_sgeqrf + LAPACKE_sorgqr on the row-major matrix, and the
// sign fix; only for tall or square shapes up to 4096 x 4096 (8192^2 would
// take about a minute per case).
//
// The products run on OpenBLAS's threads (OPENBLAS_NUM_THREADS, default: every
// core). Every case makes one untimed call first: the first OpenBLAS call of
// a process starts its threads, and the first write faults dst's pages in.
// Counters: seconds (mean wall time of one call) and orth_err, max |Q^T Q - I|
// (tall, square) or max |Q Q^T - I| (wide) of the result, computed in binary64
// after timing.
//
// Extra flag, after Google Benchmark's own (--benchmark_filter=REGEX, ...):
//   --iterations=N   timed calls per case (default 3)

#include <benchmark/benchmark.h>
#include <cblas.h>
#include <lapacke.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "nninit.h"

namespace {

int g_iterations = 3;
constexpr nninit_rng kRng = {0x6e6e696e6974ULL, 3};  // "nninit"

// max |Q^T Q - I| for a row-major rows x cols Q with rows >= cols (columns
// orthonormal), max |Q Q^T - I| for rows < cols (rows orthonormal), in
// binary64: the float result is widened first, so the figure is the result's
// error, not the check's.
double orth_error(const float *q, int rows, int cols) {
    const int k = rows < cols ? rows : cols;
    std::vector<double> qd((size_t)rows * cols), g((size_t)k * k);
    for (size_t i = 0; i < qd.size(); i++) qd[i] = q[i];
    if (rows >= cols)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, cols, rows, 1.0, qd.data(), cols, 0.0, g.data(), cols);
    else
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, rows, cols, 1.0, qd.data(), cols, 0.0, g.data(), rows);
    double e = 0;
    for (int i = 0; i < k; i++)
        for (int j = i; j < k; j++) e = std::fmax(e, std::fabs(g[(size_t)i * k + j] - (i == j)));
    return e;
}

nninit_status run_nninit(float *dst, int rows, int cols) {
    const int64_t shape[2] = {rows, cols};
    const nninit_layout oihw = {NNINIT_LAYOUT_OIHW, 0, 0, 0};
    return nninit_orthogonal(dst, NNINIT_F32, shape, 2, oihw, 1.0, kRng);
}

// The baseline: LAPACK's own routines. As PyTorch does, W0 (row-major) is
// copied to column-major, factored with geqrf + orgqr, and Q is copied back
// with the signs of R's diagonal.
nninit_status run_lapack(float *dst, int rows, int cols, std::vector<float> &a, std::vector<float> &tau) {
    nninit_status st = nninit_normal(dst, NNINIT_F32, (size_t)rows * cols, 0.0, 1.0, kRng, 0);
    if (st != NNINIT_OK) return st;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) a[i + (size_t)j * rows] = dst[(size_t)i * cols + j];
    if (LAPACKE_sgeqrf(LAPACK_COL_MAJOR, rows, cols, a.data(), rows, tau.data()) != 0) return NNINIT_E_LAPACK;
    std::vector<float> sign(cols);
    for (int j = 0; j < cols; j++) sign[j] = a[j + (size_t)j * rows] < 0 ? -1.0f : 1.0f;
    if (LAPACKE_sorgqr(LAPACK_COL_MAJOR, rows, cols, cols, a.data(), rows, tau.data()) != 0) return NNINIT_E_LAPACK;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) dst[(size_t)i * cols + j] = a[i + (size_t)j * rows] * sign[j];
    return NNINIT_OK;
}

void bm_orthogonal(benchmark::State &state, int rows, int cols, bool lapack) {
    std::vector<float> dst((size_t)rows * cols), a, tau;
    if (lapack) {
        a.resize(dst.size());
        tau.resize(cols);
    }
    auto call = [&]() { return lapack ? run_lapack(dst.data(), rows, cols, a, tau) : run_nninit(dst.data(), rows, cols); };
    nninit_status st = call();  // warm-up: OpenBLAS threads, page faults
    for (auto _ : state) {
        if (st != NNINIT_OK) break;
        st = call();
        benchmark::ClobberMemory();
    }
    if (st != NNINIT_OK) {
        state.SkipWithError((std::string("orthogonal: ") + nninit_status_str(st)).c_str());
        return;
    }
    state.counters["seconds"] = benchmark::Counter((double)state.iterations(),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["orth_err"] = orth_error(dst.data(), rows, cols);
}

}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (std::strncmp(argv[i], "--iterations=", 13) == 0) {
            g_iterations = std::atoi(argv[i] + 13);
            if (g_iterations < 1) {
                std::fprintf(stderr, "bench_orthogonal: bad value in %s\n", argv[i]);
                return 2;
            }
            continue;
        }
        argv[kept++] = argv[i];
    }
    argc = kept;
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    benchmark::AddCustomContext("nninit_version", nninit_version_string());
    benchmark::AddCustomContext("openblas", openblas_get_config());
    benchmark::AddCustomContext("openblas_core", openblas_get_corename());
    benchmark::AddCustomContext("openblas_threads", std::to_string(openblas_get_num_threads()));

    static const int kShapes[][2] = {{1024, 1024}, {2048, 2048}, {4096, 4096}, {4096, 1024},
                                     {8192, 8192}, {4096, 16384}};
    for (const auto &s : kShapes)
        for (bool lapack : {false, true}) {
            if (lapack && (s[0] < s[1] || (double)s[0] * s[1] > 4096.0 * 4096.0)) continue;
            const std::string name = std::string(lapack ? "lapack_qr" : "orthogonal") + "/f32/" +
                                     std::to_string(s[0]) + "x" + std::to_string(s[1]);
            benchmark::RegisterBenchmark(name.c_str(), bm_orthogonal, s[0], s[1], lapack)
                ->Iterations(g_iterations)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
        }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
