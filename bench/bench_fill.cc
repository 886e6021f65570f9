// Google Benchmark harness for nninit's fills, beside two memory-write ceilings.
//
// Every case writes one large buffer (1 GiB by default) so the figures are
// memory-bound numbers a user sees when initialising a big tensor, not cache
// numbers. Names read  op/dtype/isa/threads:N/mode[/SIZEMiB], for example
// uniform/f32/avx512/threads:2/warm; the ceilings are
// ceiling/memset/threads:N/mode and ceiling/ntstore/threads:N/mode.
//
//   warm: the buffer is allocated and written once before timing, then reused,
//         so no page fault is timed.
//   cold: every iteration maps a fresh anonymous region, fills it and unmaps
//         it; mmap and the first-touch page faults are timed (they are what a
//         freshly allocated tensor costs), munmap is not.
//
// Extra flags, after Google Benchmark's own (--benchmark_filter=REGEX, ...):
//   --size_mib=N         buffer size for every case (default 256: the size the
//                        speed floors are stated for; warm fills are compute
//                        bound, so a larger buffer changes nothing but time)
//   --scalar_size_mib=N  buffer size for the scalar path (default 64: the
//                        portable path computes normals 20-50x slower than
//                        AVX-512, and the whole run has to stay within
//                        minutes on two cores; it is compute bound, so the
//                        smaller buffer does not flatter it)
//   --iterations=N       timed iterations per case (default 3)

#include <benchmark/benchmark.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "nninit.h"

namespace {

struct Config {
    size_t size_mib = 256;
    size_t scalar_size_mib = 64;
    int iterations = 3;
};
Config g_config;

// Fixed inputs: the numbers do not depend on them, but a rerun should do
// exactly the same work.
constexpr nninit_rng kRng = {0x6e6e696e6974ULL, 1};  // "nninit"
constexpr double kTruncLow = -2.0;
constexpr double kTruncHigh = 2.0;

enum class Op { Uniform, Normal, TruncNormal };
enum class Ceiling { Memset, NtStore };

const char *op_name(Op op) {
    switch (op) {
    case Op::Uniform: return "uniform";
    case Op::Normal: return "normal";
    case Op::TruncNormal: return "trunc_normal";
    }
    return "?";
}

nninit_status run_fill(Op op, void *dst, nninit_dtype dtype, size_t n) {
    switch (op) {
    case Op::Uniform: return nninit_uniform(dst, dtype, n, 0.0, 1.0, kRng, 0);
    case Op::Normal: return nninit_normal(dst, dtype, n, 0.0, 1.0, kRng, 0);
    case Op::TruncNormal:
        return nninit_trunc_normal(dst, dtype, n, 0.0, 1.0, kTruncLow, kTruncHigh, kRng, 0);
    }
    return NNINIT_E_PARAM;
}

// ---- memory -----------------------------------------------------------------

void *map_region(size_t bytes) {
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

// One warm buffer shared by every warm case, sized for the largest of them:
// mapping and faulting 1 GiB again per case would only cost time.
struct WarmBuffer {
    void *ptr = nullptr;
    size_t bytes = 0;
};
WarmBuffer g_warm;

void *warm_buffer(size_t bytes) {
    if (g_warm.bytes < bytes) {
        if (g_warm.ptr) munmap(g_warm.ptr, g_warm.bytes);
        g_warm.ptr = map_region(bytes);
        g_warm.bytes = g_warm.ptr ? bytes : 0;
        if (g_warm.ptr) std::memset(g_warm.ptr, 0, bytes);  // fault every page in once, untimed
    }
    return g_warm.ptr;
}

// ---- ceilings ---------------------------------------------------------------

// Static partition on 64-byte boundaries so each thread's stores stay within
// whole cache lines of its own.
void thread_range(size_t bytes, size_t *begin, size_t *end) {
    const size_t nthreads = (size_t)omp_get_num_threads();
    const size_t tid = (size_t)omp_get_thread_num();
    const size_t lines = bytes / 64;
    *begin = lines * tid / nthreads * 64;
    *end = (tid + 1 == nthreads) ? bytes : lines * (tid + 1) / nthreads * 64;
}

void parallel_memset(void *dst, size_t bytes) {
#pragma omp parallel
    {
        size_t b, e;
        thread_range(bytes, &b, &e);
        std::memset((char *)dst + b, 0x3c, e - b);
    }
}

#if defined(__SSE2__)
// Non-temporal stores bypass the cache, so no line is read before it is
// written: the best a pure writer can do. Chosen at run time from what the CPU
// has; the widest store is not much faster once DRAM is the bottleneck, but it
// is what nninit's own AVX-512 path would use.
__attribute__((target("avx512f"))) void ntstore_avx512(char *p, size_t bytes) {
    const __m512i v = _mm512_set1_epi32(0x3c3c3c3c);
    size_t i = 0;
    for (; i + 64 <= bytes; i += 64) _mm512_stream_si512((__m512i *)(p + i), v);
    if (i < bytes) std::memset(p + i, 0x3c, bytes - i);
}

__attribute__((target("avx2"))) void ntstore_avx2(char *p, size_t bytes) {
    const __m256i v = _mm256_set1_epi8(0x3c);
    size_t i = 0;
    for (; i + 64 <= bytes; i += 64) {
        _mm256_stream_si256((__m256i *)(p + i), v);
        _mm256_stream_si256((__m256i *)(p + i + 32), v);
    }
    if (i < bytes) std::memset(p + i, 0x3c, bytes - i);
}

void ntstore_sse2(char *p, size_t bytes) {
    const __m128i v = _mm_set1_epi8(0x3c);
    size_t i = 0;
    for (; i + 64 <= bytes; i += 64) {
        _mm_stream_si128((__m128i *)(p + i), v);
        _mm_stream_si128((__m128i *)(p + i + 16), v);
        _mm_stream_si128((__m128i *)(p + i + 32), v);
        _mm_stream_si128((__m128i *)(p + i + 48), v);
    }
    if (i < bytes) std::memset(p + i, 0x3c, bytes - i);
}

typedef void (*ntstore_fn)(char *, size_t);

ntstore_fn pick_ntstore(const char **name) {
    if (__builtin_cpu_supports("avx512f")) { *name = "avx512"; return ntstore_avx512; }
    if (__builtin_cpu_supports("avx2")) { *name = "avx2"; return ntstore_avx2; }
    *name = "sse2";
    return ntstore_sse2;
}

// dst is page aligned and every partition starts on a 64-byte boundary, so
// every stream store is aligned.
void parallel_ntstore(void *dst, size_t bytes) {
    static const char *name;
    static const ntstore_fn fn = pick_ntstore(&name);
#pragma omp parallel
    {
        size_t b, e;
        thread_range(bytes, &b, &e);
        fn((char *)dst + b, e - b);
        _mm_sfence();  // stream stores are weakly ordered: drain before the region ends
    }
}
#endif

// ---- benchmark bodies ---------------------------------------------------------

using Clock = std::chrono::steady_clock;

// Runs `work(dst)` over a buffer of `bytes` in the requested mode and reports
// `values` elements per iteration.
template <typename Work>
void run_case(benchmark::State &state, bool cold, size_t bytes, size_t values, Work work) {
    if (!cold) {
        void *buf = warm_buffer(bytes);
        if (!buf) {
            state.SkipWithError("mmap failed for the warm buffer");
            return;
        }
        // One untimed pass: thread pool up, the chosen path's code paged in.
        if (!work(state, buf)) return;
        for (auto _ : state) {
            if (!work(state, buf)) break;
        }
    } else {
        for (auto _ : state) {
            const auto t0 = Clock::now();
            void *buf = map_region(bytes);
            if (!buf) {
                state.SkipWithError("mmap failed");
                break;
            }
            const bool ok = work(state, buf);
            const auto t1 = Clock::now();
            munmap(buf, bytes);  // not timed: manual time stops at t1
            if (!ok) break;
            state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
        }
    }
    const int64_t iters = state.iterations();
    state.SetItemsProcessed(iters * (int64_t)values);
    state.SetBytesProcessed(iters * (int64_t)bytes);
    state.counters["values/s"] = benchmark::Counter((double)iters * (double)values, benchmark::Counter::kIsRate);
    state.counters["buffer_MiB"] = (double)(bytes >> 20);
}

void bm_fill(benchmark::State &state, Op op, nninit_dtype dtype, const char *isa, int threads, bool cold,
             size_t bytes) {
    const nninit_status set = nninit_set_isa(isa);
    if (set != NNINIT_OK) {
        state.SkipWithError((std::string("nninit_set_isa: ") + nninit_status_str(set)).c_str());
        return;
    }
    if (std::strcmp(nninit_isa(), isa) != 0) {
        state.SkipWithError((std::string("nninit_isa() reports ") + nninit_isa()).c_str());
        nninit_set_isa("auto");
        return;
    }
    omp_set_num_threads(threads);
    const size_t n = bytes / nninit_dtype_size(dtype);
    run_case(state, cold, bytes, n, [&](benchmark::State &st, void *dst) {
        const nninit_status s = run_fill(op, dst, dtype, n);
        if (s != NNINIT_OK) {
            st.SkipWithError((std::string(op_name(op)) + ": " + nninit_status_str(s)).c_str());
            return false;
        }
        return true;
    });
    nninit_set_isa("auto");
}

void bm_ceiling(benchmark::State &state, Ceiling which, int threads, bool cold, size_t bytes) {
    omp_set_num_threads(threads);
    // Values counted as f32 elements, so the ceiling reads on the same scale as an f32 fill.
    run_case(state, cold, bytes, bytes / 4, [&](benchmark::State &, void *dst) {
        if (which == Ceiling::Memset) {
            parallel_memset(dst, bytes);
        } else {
#if defined(__SSE2__)
            parallel_ntstore(dst, bytes);
#endif
        }
        benchmark::ClobberMemory();
        return true;
    });
}

// Serial threshold: below PARALLEL_MIN_BYTES (src/engine/fill.c) the library fills
// on the calling thread because waking a team costs more than it saves. The
// public API cannot force a team under that size, so this does what the
// driver does by hand: an OpenMP team whose threads each fill their share
// (a multiple of 2048 elements, with the matching offset). Inside a parallel
// region the library stays on the calling thread, so each call is serial.
void bm_split(benchmark::State &state, size_t bytes, int threads) {
    const size_t n = bytes / 4;
    void *buf = map_region(bytes);
    if (!buf) {
        state.SkipWithError("mmap failed");
        return;
    }
    std::memset(buf, 0, bytes);
    omp_set_num_threads(threads);  // threads:1 must not let the library's own driver spread the work
    float *dst = static_cast<float *>(buf);
    nninit_status failed = NNINIT_OK;
    for (auto _ : state) {
        if (threads == 1) {
            failed = nninit_uniform(dst, NNINIT_F32, n, 0.0, 1.0, kRng, 0);
        } else {
#pragma omp parallel num_threads(threads)
            {
                const size_t nt = (size_t)omp_get_num_threads(), t = (size_t)omp_get_thread_num();
                const size_t blocks = (n + 2047) / 2048;
                const size_t b = std::min(n, blocks * t / nt * 2048);
                const size_t e = std::min(n, blocks * (t + 1) / nt * 2048);
                const nninit_status s = nninit_uniform(dst + b, NNINIT_F32, e - b, 0.0, 1.0, kRng, b);
                if (s != NNINIT_OK) {
#pragma omp critical
                    failed = s;
                }
            }
        }
        benchmark::ClobberMemory();
        if (failed != NNINIT_OK) {
            state.SkipWithError((std::string("uniform: ") + nninit_status_str(failed)).c_str());
            break;
        }
    }
    munmap(buf, bytes);
    state.SetItemsProcessed(state.iterations() * (int64_t)n);
    state.SetBytesProcessed(state.iterations() * (int64_t)bytes);
    state.counters["values/s"] =
        benchmark::Counter((double)state.iterations() * (double)n, benchmark::Counter::kIsRate);
}

// ---- registration -------------------------------------------------------------

benchmark::internal::Benchmark *timed(benchmark::internal::Benchmark *b, bool cold) {
    b->Iterations(g_config.iterations)->Unit(benchmark::kMillisecond);
    return cold ? b->UseManualTime() : b->UseRealTime();
}

std::string size_suffix(size_t mib) {
    return mib == g_config.size_mib ? std::string() : "/" + std::to_string(mib) + "MiB";
}

void register_all() {
    static const char *const kIsas[] = {"scalar", "avx2", "avx512", "neon"};
    static const Op kOps[] = {Op::Uniform, Op::Normal, Op::TruncNormal};
    static const nninit_dtype kDtypes[] = {NNINIT_F32, NNINIT_BF16};
    static const int kThreads[] = {1, 2};
    static const bool kCold[] = {false, true};

    std::vector<const char *> isas;
    for (const char *isa : kIsas)
        if (nninit_isa_supported(isa)) isas.push_back(isa);

    for (Op op : kOps)
        for (nninit_dtype dt : kDtypes)
            for (const char *isa : isas)
                for (int t : kThreads)
                    for (bool cold : kCold) {
                        const size_t mib =
                            std::strcmp(isa, "scalar") == 0 ? g_config.scalar_size_mib : g_config.size_mib;
                        const std::string name = std::string(op_name(op)) + "/" + nninit_dtype_name(dt) + "/" + isa +
                                                 "/threads:" + std::to_string(t) + (cold ? "/cold" : "/warm") +
                                                 size_suffix(mib);
                        timed(benchmark::RegisterBenchmark(name.c_str(), bm_fill, op, dt, isa, t, cold, mib << 20),
                              cold);
                    }

    for (size_t kib : {16, 32, 64, 128, 256, 512, 1024, 4096})
        for (int t : kThreads) {
            const std::string name =
                "threshold/uniform/f32/KiB:" + std::to_string(kib) + "/threads:" + std::to_string(t);
            benchmark::RegisterBenchmark(name.c_str(), bm_split, kib << 10, t)
                ->MinTime(0.05)
                ->UseRealTime()
                ->Unit(benchmark::kMicrosecond);
        }

    std::vector<std::pair<Ceiling, const char *>> ceilings = {{Ceiling::Memset, "memset"}};
#if defined(__SSE2__)
    ceilings.push_back({Ceiling::NtStore, "ntstore"});
#endif
    for (const auto &c : ceilings)
        for (int t : kThreads)
            for (bool cold : kCold) {
                const std::string name = std::string("ceiling/") + c.second + "/threads:" + std::to_string(t) +
                                         (cold ? "/cold" : "/warm");
                timed(benchmark::RegisterBenchmark(name.c_str(), bm_ceiling, c.first, t, cold, g_config.size_mib << 20),
                      cold);
            }
}

bool parse_size(const char *arg, const char *flag, size_t *out) {
    const size_t len = std::strlen(flag);
    if (std::strncmp(arg, flag, len) != 0) return false;
    char *end = nullptr;
    const unsigned long long v = std::strtoull(arg + len, &end, 10);
    if (end == arg + len || *end != '\0' || v == 0) {
        std::fprintf(stderr, "bench_fill: bad value in %s\n", arg);
        std::exit(2);
    }
    *out = (size_t)v;
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        size_t v = 0;
        if (parse_size(argv[i], "--size_mib=", &g_config.size_mib)) continue;
        if (parse_size(argv[i], "--scalar_size_mib=", &g_config.scalar_size_mib)) continue;
        if (parse_size(argv[i], "--iterations=", &v)) {
            g_config.iterations = (int)v;
            continue;
        }
        argv[kept++] = argv[i];
    }
    argc = kept;
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    benchmark::AddCustomContext("nninit_version", nninit_version_string());
    benchmark::AddCustomContext("nninit_auto_isa", nninit_isa());
    {
        std::string isas;
        for (const char *isa : {"scalar", "avx2", "avx512", "neon"})
            if (nninit_isa_supported(isa)) isas += (isas.empty() ? "" : ",") + std::string(isa);
        benchmark::AddCustomContext("nninit_isas", isas);
    }
#if defined(__SSE2__)
    {
        const char *nt = "none";
        pick_ntstore(&nt);
        benchmark::AddCustomContext("ntstore_isa", nt);
    }
#endif
    benchmark::AddCustomContext("size_mib", std::to_string(g_config.size_mib));
    benchmark::AddCustomContext("scalar_size_mib", std::to_string(g_config.scalar_size_mib));

    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (g_warm.ptr) munmap(g_warm.ptr, g_warm.bytes);
    return 0;
}
