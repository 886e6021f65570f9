/* The fan-based schemes against independently derived references:
 * tests/data/scheme_refs.txt, written by tools/gen_scheme_refs.py from real PyTorch
 * modules (their weight shapes, permuted into the Keras and explicit-axes layouts, and
 * the per-group forward-pass fans of their hyperparameters), torch's calculate_gain and
 * the schemes' published formulas, each cross-checked there against torch's own
 * initializers. Regenerate with: /usr/bin/python3 tools/gen_scheme_refs.py
 *
 * Every line: the spec parses, nninit_fans gives the fans exactly, nninit_scheme_plan
 * gives the kind, fans, gain and parameters to 1e-12 relative. Lines tagged `stat` are
 * also applied in every dtype and their samples checked against the distribution:
 * range (after rounding to the dtype), mean and std within 5 standard errors (exact
 * SEs from the 4th moment), the fraction beyond one std (which tells the three shapes
 * apart at equal std), and bit-identity with the plain fill the plan names. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "testutil.h"

#ifndef NT_DATA_DIR
#define NT_DATA_DIR "tests/data"
#endif
#define REFS NT_DATA_DIR "/scheme_refs.txt"

/* Floors that an emptied or filtered file cannot meet (the file has ~1800 cases). */
#define MIN_CASES 1500
#define MIN_STATS 40
#define MIN_GAINS 25
#define REL_TOL 1e-12
#define N_SE 5.0

static const nninit_dtype all_dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };

/* ---- failures are collected, so one run lists every discrepancy -------------- */
static int g_nfail;
static void fail_line(int lineno, const char *spec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_line(int lineno, const char *spec, const char *fmt, ...)
{
    if (++g_nfail > 60) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "scheme_refs.txt:%d: %s: ", lineno, spec);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int rel_close(double got, double want, double tol)
{
    if (want == 0) return got == 0;
    return fabs(got - want) <= tol * fabs(want);
}

/* ---- the file ------------------------------------------------------------------ */
enum { MAXF = 6 };
/* Splits line (modified) at " | " into at most MAXF trimmed fields. */
static int split_fields(char *line, char **f)
{
    int n = 0;
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    char *p = line;
    while (n < MAXF) {
        f[n++] = p;
        char *sep = strstr(p, " | ");
        if (!sep) break;
        *sep = '\0';
        p = sep + 3;
    }
    return n;
}

static int parse_shape(const char *s, int64_t *shape, int *ndim)
{
    if (*s != '[') return 0;
    s++;
    *ndim = 0;
    if (*s == ']') return 1;
    for (;;) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || *ndim >= NNINIT_MAX_DIMS) return 0;
        shape[(*ndim)++] = v;
        s = end;
        if (*s == ']') return 1;
        if (*s != ',') return 0;
        s++;
    }
}

typedef struct {
    nninit_plan_kind kind;
    int64_t fan_in, fan_out;
    double gain, mean, std, low, high, ex_mean, ex_std;
    int has_mean, has_std, has_low, has_high;
} expect;

static int parse_expect(char *s, expect *e)
{
    memset(e, 0, sizeof *e);
    char *save = NULL;
    char *tok = strtok_r(s, " ", &save);
    if (!tok) return 0;
    if (strcmp(tok, "uniform") == 0) e->kind = NNINIT_PLAN_UNIFORM;
    else if (strcmp(tok, "normal") == 0) e->kind = NNINIT_PLAN_NORMAL;
    else if (strcmp(tok, "trunc_normal") == 0) e->kind = NNINIT_PLAN_TRUNC_NORMAL;
    else return 0;
    int seen = 0;
    while ((tok = strtok_r(NULL, " ", &save))) {
        char *eq = strchr(tok, '=');
        if (!eq) return 0;
        *eq = '\0';
        const char *k = tok, *v = eq + 1;
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end) return 0;
        if (!strcmp(k, "fan_in")) e->fan_in = (int64_t)d, seen |= 1;
        else if (!strcmp(k, "fan_out")) e->fan_out = (int64_t)d, seen |= 2;
        else if (!strcmp(k, "gain")) e->gain = d, seen |= 4;
        else if (!strcmp(k, "ex_mean")) e->ex_mean = d, seen |= 8;
        else if (!strcmp(k, "ex_std")) e->ex_std = d, seen |= 16;
        else if (!strcmp(k, "mean")) e->mean = d, e->has_mean = 1;
        else if (!strcmp(k, "std")) e->std = d, e->has_std = 1;
        else if (!strcmp(k, "low")) e->low = d, e->has_low = 1;
        else if (!strcmp(k, "high")) e->high = d, e->has_high = 1;
        else return 0;
    }
    if (seen != 31) return 0;
    switch (e->kind) {
    case NNINIT_PLAN_UNIFORM: return e->has_low && e->has_high;
    case NNINIT_PLAN_NORMAL: return e->has_mean && e->has_std;
    default: return e->has_mean && e->has_std && e->has_low && e->has_high;
    }
}

static const char *plan_kind_name(nninit_plan_kind k)
{
    static const char *const n[] = { "constant", "uniform", "normal", "trunc_normal", "orthogonal", "eye", "dirac", "sparse" };
    return (unsigned)k < 8 ? n[k] : "?";
}

/* ---- sampling ------------------------------------------------------------------ */
static double elem(const void *buf, nninit_dtype dt, size_t i)
{
    const unsigned char *d = buf;
    switch (dt) {
    case NNINIT_F32: { float f; memcpy(&f, d + 4 * i, 4); return f; }
    case NNINIT_F64: { double x; memcpy(&x, d + 8 * i, 8); return x; }
    case NNINIT_BF16: { uint16_t h; memcpy(&h, d + 2 * i, 2); return nt_bf16_to_f32(h); }
    default: { uint16_t h; memcpy(&h, d + 2 * i, 2); return nt_f16_to_f32(h); }
    }
}

/* A parameter as the dtype holds it: binary32 first for the f32 family (nninit.h), then
 * nearest even in the 16-bit formats. */
static double to_dtype(double x, nninit_dtype dt)
{
    if (dt == NNINIT_F64) return x;
    float f = (float)x;
    if (dt == NNINIT_F32) return f;
    return dt == NNINIT_BF16 ? nt_bf16_to_f32(nt_round16(f, 1)) : nt_f16_to_f32(nt_round16(f, 0));
}

/* Relative unit roundoff of the dtype (slack for rounding effects on statistics). */
static double dtype_eps(nninit_dtype dt)
{
    switch (dt) {
    case NNINIT_F64: return 0x1p-53;
    case NNINIT_F32: return 0x1p-24;
    case NNINIT_BF16: return 0x1p-8;
    default: return 0x1p-11;
    }
}

/* The distribution's exact moments: mean, std, 4th central moment, P(|X - mean| > std),
 * and the density at the upper bound (0 if unbounded). From the data file's parameters. */
typedef struct { double mean, sd, mu4, p_tail, edge_density; } moments;

static moments dist_moments(const expect *e)
{
    moments m = { 0, 0, 0, 0, 0 };
    if (e->kind == NNINIT_PLAN_UNIFORM) {
        double w = e->high - e->low;
        m.mean = 0.5 * (e->low + e->high);
        m.sd = w / sqrt(12.0);
        m.mu4 = pow(w, 4) / 80.0;
        m.p_tail = 1.0 - 2.0 * m.sd / w;
        m.edge_density = 1.0 / w;
    } else if (e->kind == NNINIT_PLAN_NORMAL) {
        m.mean = e->mean;
        m.sd = e->std;
        m.mu4 = 3.0 * pow(e->std, 4);
        m.p_tail = erfc(1.0 / sqrt(2.0));
    } else {
        /* symmetric truncation [mean - c std, mean + c std]: with I_k = int_{-c}^{c} x^k phi,
         * I_0 = Z, I_2 = Z - 2 c phi(c), I_4 = 3 I_2 - 2 c^3 phi(c) */
        double c = (e->high - e->mean) / e->std;
        double z = erf(c / sqrt(2.0)), phic = exp(-0.5 * c * c) / sqrt(2.0 * M_PI);
        double m2 = 1.0 - 2.0 * c * phic / z, m4 = 3.0 * m2 - 2.0 * c * c * c * phic / z;
        m.mean = e->mean;
        m.sd = e->std * sqrt(m2);
        m.mu4 = pow(e->std, 4) * m4;
        m.p_tail = (z - erf(sqrt(m2) / sqrt(2.0))) / z;
        m.edge_density = phic / (z * e->std);
    }
    return m;
}

/* The plain fill the plan names, for the bit-identity check. */
static nninit_status plan_fill(void *dst, nninit_dtype dt, size_t n, const nninit_plan *p, nninit_rng rng)
{
    switch (p->kind) {
    case NNINIT_PLAN_UNIFORM: return nninit_uniform(dst, dt, n, p->low, p->high, rng, 0);
    case NNINIT_PLAN_NORMAL: return nninit_normal(dst, dt, n, p->mean, p->std, rng, 0);
    default: return nninit_trunc_normal(dst, dt, n, p->mean, p->std, p->low, p->high, rng, 0);
    }
}

static void check_samples(int lineno, const char *spec, const nninit_scheme *sch, const int64_t *shape, int ndim,
                          size_t n, const expect *e, const nninit_plan *plan, unsigned long long seed)
{
    moments m = dist_moments(e);
    for (int d = 0; d < 4; d++) {
        nninit_dtype dt = all_dtypes[d];
        const char *dn = nninit_dtype_name(dt);
        size_t esz = nninit_dtype_size(dt);
        unsigned char *buf = malloc(n * esz), *ref = malloc(n * esz);
        ck_assert(buf && ref);
        nninit_rng rng = { seed, nninit_stream_id(spec) + (uint64_t)d };
        char msg[256] = "";
        nninit_status st = nninit_scheme_apply(buf, dt, shape, ndim, sch, rng, msg, sizeof msg);
        if (st != NNINIT_OK) {
            fail_line(lineno, spec, "%s: nninit_scheme_apply returned %s (%s)", dn, nninit_status_str(st), msg);
            free(buf); free(ref);
            continue;
        }
        /* nninit.h: a scheme that reduces to a fill gives that fill's bits (offset 0) */
        st = plan_fill(ref, dt, n, plan, rng);
        if (st != NNINIT_OK || memcmp(buf, ref, n * esz) != 0)
            fail_line(lineno, spec, "%s: applied values differ from the %s fill of the plan's parameters (%s)", dn,
                      plan_kind_name(plan->kind), nninit_status_str(st));

        /* the range uses the plan's bounds (equal to the file's to 1e-12, checked before):
         * the file's own could sit a rounding step away in binary32 */
        double eps = dtype_eps(dt);
        double lo = -INFINITY, hi = INFINITY;
        int half_open = 0;
        if (e->kind == NNINIT_PLAN_UNIFORM) {
            /* [round(low), high), high as the computation type holds it (CONTRACT.md, uniform) */
            lo = to_dtype(plan->low, dt);
            hi = dt == NNINIT_F64 ? plan->high : (double)(float)plan->high;
            half_open = 1;
        } else if (e->kind == NNINIT_PLAN_TRUNC_NORMAL) {
            lo = to_dtype(plan->low, dt);
            hi = to_dtype(plan->high, dt);
        }
        double sum = 0, vmin = INFINITY, vmax = -INFINITY;
        size_t bad = 0, first_bad = 0;
        for (size_t i = 0; i < n; i++) {
            double v = elem(buf, dt, i);
            if (!(v >= lo && (half_open ? v < hi : v <= hi))) {
                if (!bad) first_bad = i;
                bad++;
            }
            sum += v;
            if (v < vmin) vmin = v;
            if (v > vmax) vmax = v;
        }
        if (bad)
            fail_line(lineno, spec, "%s: %zu of %zu values outside [%.9g, %.9g%c, first [%zu] = %.9g", dn, bad, n, lo, hi,
                      half_open ? ')' : ']', first_bad, elem(buf, dt, first_bad));
        double mean = sum / (double)n, ss = 0;
        size_t tail = 0;
        for (size_t i = 0; i < n; i++) {
            double v = elem(buf, dt, i) - mean;
            ss += v * v;
            if (fabs(elem(buf, dt, i) - m.mean) > m.sd) tail++;
        }
        double sd = sqrt(ss / (double)n);
        double se_mean = m.sd / sqrt((double)n);
        double se_sd = sqrt((m.mu4 - pow(m.sd, 4)) / (double)n) / (2.0 * m.sd);
        if (fabs(mean - m.mean) > N_SE * se_mean + eps * m.sd)
            fail_line(lineno, spec, "%s: sample mean %.6g, expected %.6g (SE %.3g, n=%zu)", dn, mean, m.mean, se_mean, n);
        if (fabs(sd - m.sd) > N_SE * se_sd + 2 * eps * m.sd)
            fail_line(lineno, spec, "%s: sample std %.6g, expected %.6g (SE %.3g, n=%zu)", dn, sd, m.sd, se_sd, n);
        double frac = (double)tail / (double)n, se_frac = sqrt(m.p_tail * (1 - m.p_tail) / (double)n);
        if (fabs(frac - m.p_tail) > N_SE * se_frac + 2 * eps)
            fail_line(lineno, spec, "%s: fraction beyond one std %.5f, expected %.5f (SE %.3g): wrong distribution shape?",
                      dn, frac, m.p_tail, se_frac);
        if (m.edge_density > 0) {
            /* bounded: the extremes come close to the bounds. P(no sample within delta of a
             * bound) = (1 - density * delta)^n ~ exp(-30) */
            double delta = 30.0 / (m.edge_density * (double)n) + 2 * eps * fmax(fabs(lo), fabs(hi));
            if (vmax < hi - delta || vmin > lo + delta)
                fail_line(lineno, spec, "%s: sample range [%.9g, %.9g] stays away from the bounds [%.9g, %.9g]", dn, vmin,
                          vmax, lo, hi);
        }
        free(buf);
        free(ref);
    }
}

/* ---- the test ------------------------------------------------------------------ */

START_TEST(test_scheme_refs)
{
    FILE *f = fopen(REFS, "r");
    ck_assert_msg(f != NULL, "cannot open " REFS " (run from the repo top; regenerate with "
                             "/usr/bin/python3 tools/gen_scheme_refs.py)");
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, n_cases = 0, n_stats = 0, n_gains = 0, end_count = -1;
    int n_scheme[NT_SCHEME_COUNT] = { 0 };
    int n_layout[5] = { 0 }, n_grouped = 0, n_rank[NNINIT_MAX_DIMS + 1] = { 0 };
    g_nfail = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        ck_assert_msg(end_count < 0, "scheme_refs.txt:%d: data after the end line", lineno);
        char *fld[MAXF];
        int nf = split_fields(line, fld);
        if (!strcmp(fld[0], "end")) {
            ck_assert_msg(nf == 2, "scheme_refs.txt:%d: malformed end line", lineno);
            end_count = atoi(fld[1]);
            continue;
        }
        if (!strcmp(fld[0], "gain")) {
            ck_assert_msg(nf == 4, "scheme_refs.txt:%d: malformed gain line", lineno);
            double param = strcmp(fld[2], "nan") == 0 ? NAN : strtod(fld[2], NULL), want = strtod(fld[3], NULL), g = -1;
            nninit_status st = nninit_gain(fld[1], param, &g);
            n_gains++;
            if (st != NNINIT_OK) fail_line(lineno, fld[1], "nninit_gain(param %s) returned %s", fld[2], nninit_status_str(st));
            else if (!rel_close(g, want, REL_TOL))
                fail_line(lineno, fld[1], "nninit_gain(param %s) = %.17g, expected %.17g", fld[2], g, want);
            continue;
        }
        int is_stat = !strcmp(fld[0], "stat");
        ck_assert_msg((is_stat || !strcmp(fld[0], "case")) && nf == 5, "scheme_refs.txt:%d: malformed line", lineno);
        const char *spec = fld[1];
        int64_t shape[NNINIT_MAX_DIMS];
        int ndim;
        expect e;
        ck_assert_msg(parse_shape(fld[2], shape, &ndim), "scheme_refs.txt:%d: bad shape %s", lineno, fld[2]);
        ck_assert_msg(parse_expect(fld[3], &e), "scheme_refs.txt:%d: bad plan field", lineno);
        n_cases++;
        n_stats += is_stat;
        n_rank[ndim]++;

        nninit_scheme sch;
        char msg[256] = "";
        nninit_status st = nninit_scheme_parse(spec, &sch, msg, sizeof msg);
        if (st != NNINIT_OK) {
            fail_line(lineno, spec, "parse: %s (%s)", nninit_status_str(st), msg);
            continue;
        }
        if ((unsigned)sch.kind < NT_SCHEME_COUNT) n_scheme[sch.kind]++;
        if ((unsigned)sch.layout.kind < 5) n_layout[sch.layout.kind]++;
        n_grouped += sch.layout.groups > 1;

        /* the fans of the shape in the spec's layout, exactly */
        int64_t fi = -7, fo = -7;
        st = nninit_fans(shape, ndim, sch.layout, &fi, &fo);
        if (st != NNINIT_OK) fail_line(lineno, spec, "nninit_fans on %s: %s", fld[2], nninit_status_str(st));
        else if (fi != e.fan_in || fo != e.fan_out)
            fail_line(lineno, spec, "nninit_fans on %s = (%lld, %lld), expected (%lld, %lld)", fld[2], (long long)fi,
                      (long long)fo, (long long)e.fan_in, (long long)e.fan_out);

        nninit_plan p;
        st = nninit_scheme_plan(&sch, shape, ndim, &p, msg, sizeof msg);
        if (st != NNINIT_OK) {
            fail_line(lineno, spec, "plan on %s: %s (%s)", fld[2], nninit_status_str(st), msg);
            continue;
        }
        int bias = sch.kind == NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS;
        if (p.kind != e.kind)
            fail_line(lineno, spec, "plan kind %s, expected %s", plan_kind_name(p.kind), plan_kind_name(e.kind));
        /* the plan reports the fans it used: the shape's, except the bias scheme, whose
         * fan_in is its parameter and which uses no fan_out (nninit.h: 0 if none) */
        int64_t want_fi = bias ? sch.fan_in : e.fan_in, want_fo = bias ? 0 : e.fan_out;
        if (p.fan_in != want_fi || p.fan_out != want_fo)
            fail_line(lineno, spec, "plan fans (%lld, %lld), expected (%lld, %lld)", (long long)p.fan_in,
                      (long long)p.fan_out, (long long)want_fi, (long long)want_fo);
        if (!rel_close(p.gain, e.gain, REL_TOL))
            fail_line(lineno, spec, "plan gain %.17g, expected %.17g", p.gain, e.gain);
        struct { const char *name; int has; double got, want; } prm[] = {
            { "mean", e.has_mean, p.mean, e.mean }, { "std", e.has_std, p.std, e.std },
            { "low", e.has_low, p.low, e.low }, { "high", e.has_high, p.high, e.high },
            { "expected_mean", 1, p.expected_mean, e.ex_mean }, { "expected_std", 1, p.expected_std, e.ex_std },
        };
        /* a tensor with no elements has no element statistics: the plan reports 0 there
         * (src/schemes.c; nninit.h is silent), so only its draw parameters are compared */
        size_t numel = 1;
        for (int k = 0; k < ndim; k++) numel *= (size_t)shape[k];
        if (numel == 0) prm[4].has = prm[5].has = 0;
        for (size_t k = 0; k < sizeof prm / sizeof prm[0]; k++)
            if (prm[k].has && !rel_close(prm[k].got, prm[k].want, REL_TOL))
                fail_line(lineno, spec, "plan %s %.17g, expected %.17g (rel. error %.2g)", prm[k].name, prm[k].got,
                          prm[k].want, prm[k].want ? fabs(prm[k].got / prm[k].want - 1) : prm[k].got);
        /* the data file's own consistency: its ex_std is the distribution's std */
        moments m = dist_moments(&e);
        ck_assert_msg(rel_close(m.sd, e.ex_std, 1e-13), "scheme_refs.txt:%d: ex_std %.17g but the parameters give %.17g",
                      lineno, e.ex_std, m.sd);

        if (is_stat) {
            size_t n = numel;
            ck_assert_msg(n >= 4096 && n <= 100000, "scheme_refs.txt:%d: stat line with %zu elements", lineno, n);
            check_samples(lineno, spec, &sch, shape, ndim, n, &e, &p, 0x5EED0000ull + (unsigned)lineno);
        }
    }
    free(line);
    fclose(f);

    ck_assert_msg(end_count == n_cases, "scheme_refs.txt: end line says %d cases, read %d (truncated file?)", end_count,
                  n_cases);
    ck_assert_msg(n_cases >= MIN_CASES && n_stats >= MIN_STATS && n_gains >= MIN_GAINS,
                  "scheme_refs.txt: %d cases, %d sampled, %d gains; expected at least %d, %d, %d", n_cases, n_stats,
                  n_gains, MIN_CASES, MIN_STATS, MIN_GAINS);
    /* coverage the generator promises: every fan-based scheme, layout, rank 0-5, groups */
    if (g_nfail == 0) {
        const nninit_scheme_kind fan_kinds[] = {
            NNINIT_SCHEME_XAVIER_UNIFORM, NNINIT_SCHEME_XAVIER_NORMAL, NNINIT_SCHEME_KAIMING_UNIFORM,
            NNINIT_SCHEME_KAIMING_NORMAL, NNINIT_SCHEME_LECUN_UNIFORM, NNINIT_SCHEME_LECUN_NORMAL,
            NNINIT_SCHEME_VARIANCE_SCALING, NNINIT_SCHEME_PYTORCH_DEFAULT, NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS };
        for (size_t k = 0; k < sizeof fan_kinds / sizeof fan_kinds[0]; k++)
            ck_assert_msg(n_scheme[fan_kinds[k]] >= 5, "scheme_refs.txt: only %d lines of %s", n_scheme[fan_kinds[k]],
                          nninit_scheme_name(fan_kinds[k]));
        for (int k = 0; k < 5; k++) ck_assert_msg(n_layout[k] >= 20, "scheme_refs.txt: only %d lines in layout %d", n_layout[k], k);
        for (int r = 0; r <= 5; r++) ck_assert_msg(n_rank[r] >= 10, "scheme_refs.txt: only %d lines of rank %d", n_rank[r], r);
        ck_assert_msg(n_grouped >= 50, "scheme_refs.txt: only %d grouped lines", n_grouped);
    }
    ck_assert_msg(g_nfail == 0, "%d discrepancies with scheme_refs.txt (listed on stderr%s)", g_nfail,
                  g_nfail > 60 ? ", first 60" : "");
}
END_TEST

/* ---- nninit_fans and nninit_gain errors ---------------------------------------- */
START_TEST(test_fans_errors)
{
    const int64_t s4[4] = { 8, 4, 3, 3 };
    nninit_layout oihw = { NNINIT_LAYOUT_OIHW, 0, 0, 0 };
    int64_t fi = 11, fo = 22;
    /* 0-D: no shape needed */
    ck_assert_int_eq(nninit_fans(NULL, 0, oihw, &fi, &fo), NNINIT_OK);
    ck_assert(fi == 1 && fo == 1);
    /* groups 0 and 1 both mean ungrouped */
    int64_t a, b, c, d;
    nninit_layout g1 = oihw;
    g1.groups = 1;
    ck_assert_int_eq(nninit_fans(s4, 4, oihw, &a, &b), NNINIT_OK);
    ck_assert_int_eq(nninit_fans(s4, 4, g1, &c, &d), NNINIT_OK);
    ck_assert(a == 36 && b == 72 && c == a && d == b);

    struct { const int64_t *shape; int ndim; nninit_layout lay; nninit_status want; const char *what; } bad[] = {
        { NULL, 2, { NNINIT_LAYOUT_OIHW, 0, 0, 0 }, NNINIT_E_NULL, "NULL shape, ndim 2" },
        { (const int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 9, { NNINIT_LAYOUT_OIHW, 0, 0, 0 }, NNINIT_E_SHAPE, "ndim 9" },
        { s4, -1, { NNINIT_LAYOUT_OIHW, 0, 0, 0 }, NNINIT_E_SHAPE, "ndim -1" },
        { (const int64_t[]){ 8, -4, 3 }, 3, { NNINIT_LAYOUT_OIHW, 0, 0, 0 }, NNINIT_E_SHAPE, "negative size" },
        { (const int64_t[]){ -1 }, 1, { NNINIT_LAYOUT_OIHW, 0, 0, 0 }, NNINIT_E_SHAPE, "negative 1-D size" },
        { s4, 4, { NNINIT_LAYOUT_OIHW, 0, 0, 3 }, NNINIT_E_SHAPE, "oihw: 8 out channels, 3 groups" },
        { s4, 4, { NNINIT_LAYOUT_IOHW, 0, 0, 3 }, NNINIT_E_SHAPE, "iohw: 8 in channels, 3 groups" },
        { s4, 4, { NNINIT_LAYOUT_HWIO, 0, 0, 2 }, NNINIT_E_SHAPE, "hwio: 3 out channels, 2 groups" },
        { s4, 4, { NNINIT_LAYOUT_HWOI, 0, 0, 2 }, NNINIT_E_SHAPE, "hwoi: 3 in channels, 2 groups" },
        { s4, 4, { NNINIT_LAYOUT_AXES, 4, 0, 0 }, NNINIT_E_SHAPE, "in_axis 4 of 4-D" },
        { s4, 4, { NNINIT_LAYOUT_AXES, 0, -5, 0 }, NNINIT_E_SHAPE, "out_axis -5 of 4-D" },
        { s4, 4, { NNINIT_LAYOUT_AXES, 2, 2, 0 }, NNINIT_E_SHAPE, "equal axes" },
        { s4, 4, { NNINIT_LAYOUT_AXES, -1, 3, 0 }, NNINIT_E_SHAPE, "equal axes (-1 and 3)" },
        { s4, 4, { (nninit_layout_kind)5, 0, 0, 0 }, NNINIT_E_PARAM, "layout kind 5" },
        { s4, 4, { (nninit_layout_kind)-1, 0, 0, 0 }, NNINIT_E_PARAM, "layout kind -1" },
        { s4, 4, { NNINIT_LAYOUT_OIHW, 0, 0, -2 }, NNINIT_E_PARAM, "groups -2" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        fi = 11, fo = 22;
        nninit_status st = nninit_fans(bad[k].shape, bad[k].ndim, bad[k].lay, &fi, &fo);
        ck_assert_msg(st == bad[k].want, "nninit_fans(%s) returned %s, expected %s", bad[k].what, nninit_status_str(st),
                      nninit_status_str(bad[k].want));
        ck_assert_msg(fi == 11 && fo == 22, "nninit_fans(%s) failed but wrote the fans", bad[k].what);
    }
    ck_assert_int_eq(nninit_fans(s4, 4, oihw, NULL, &fo), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_fans(s4, 4, oihw, &fi, NULL), NNINIT_E_NULL);
    /* explicit axes take no groups */
    nninit_layout ax = { NNINIT_LAYOUT_AXES, 1, 0, 2 };
    fi = 11;
    ck_assert_msg(nninit_fans(s4, 4, ax, &fi, &fo) != NNINIT_OK && fi == 11, "explicit axes with groups 2 accepted");
}
END_TEST

START_TEST(test_gain_errors)
{
    double g = 42;
    const char *bad_names[] = { "", "Relu", "relu ", "gelu", "leaky-relu", "conv4d", "swish" };
    for (size_t k = 0; k < sizeof bad_names / sizeof bad_names[0]; k++) {
        nninit_status st = nninit_gain(bad_names[k], NAN, &g);
        ck_assert_msg(st == NNINIT_E_SPEC, "nninit_gain(\"%s\") returned %s", bad_names[k], nninit_status_str(st));
        ck_assert(g == 42);
    }
    const double bad_slopes[] = { INFINITY, -INFINITY };
    for (int k = 0; k < 2; k++) {
        nninit_status st = nninit_gain("leaky_relu", bad_slopes[k], &g);
        ck_assert_msg(st == NNINIT_E_PARAM, "nninit_gain(leaky_relu, %g) returned %s", bad_slopes[k], nninit_status_str(st));
        ck_assert(g == 42);
    }
    ck_assert_int_eq(nninit_gain(NULL, 0, &g), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_gain("relu", 0, NULL), NNINIT_E_NULL);
    /* the param of the others is ignored */
    ck_assert_int_eq(nninit_gain("tanh", 7.0, &g), NNINIT_OK);
    ck_assert(rel_close(g, 5.0 / 3.0, REL_TOL));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("scheme_refs");
    TCase *tc = nt_tcase("scheme_refs");
    tcase_add_test(tc, test_scheme_refs);
    tcase_add_test(tc, test_fans_errors);
    tcase_add_test(tc, test_gain_errors);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
