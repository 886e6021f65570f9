/* The init spec language: nninit_scheme_parse, nninit_scheme_format, the defaults and
 * names of every scheme, and the shape checks of nninit_scheme_plan / _apply; the
 * arithmetic in values (nninit_scheme_parse_vars, nninit_expr_eval): bits against
 * values computed independently (tools/gen_expr_refs.py), errors with their columns.
 *
 *   spec  := name [ '(' [ param '=' value { ',' param '=' value } ] ')' ]
 *   value := expr | word       (whitespace allowed between tokens; docs/SCHEMES.md)
 *   expr  := + - * / ^, a sign, ( ), numbers, variables, sqrt exp log min max
 *
 * Every failure class is tried with several inputs: its exact status, the phrase its
 * message contains, the message prefix `init spec "<spec>": `, NUL termination and safe
 * truncation (msg_size 1 and 5, NULL with 0), and *out left untouched. */
#include <float.h>
#include <locale.h>
#include <stdio.h>
#include "testutil.h"

#define MSGSZ 512

/* ---- comparing schemes: the fields each kind uses (nninit.h: the others are ignored) -- */
static int same_double(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

static int same_layout(const nninit_layout *a, const nninit_layout *b)
{
    if (a->kind != b->kind) return 0;
    if (a->kind == NNINIT_LAYOUT_AXES && (a->in_axis != b->in_axis || a->out_axis != b->out_axis)) return 0;
    int64_t ga = a->groups == 0 ? 1 : a->groups, gb = b->groups == 0 ? 1 : b->groups;
    return ga == gb;
}

/* Empty string if equal, else the first field that differs. */
static const char *scheme_diff(const nninit_scheme *a, const nninit_scheme *b)
{
    if (a->kind != b->kind) return "kind";
    switch (a->kind) {
    case NNINIT_SCHEME_CONSTANT: return same_double(a->value, b->value) ? "" : "value";
    case NNINIT_SCHEME_UNIFORM:
        return !same_double(a->low, b->low) ? "low" : !same_double(a->high, b->high) ? "high" : "";
    case NNINIT_SCHEME_NORMAL:
        return !same_double(a->mean, b->mean) ? "mean" : !same_double(a->std, b->std) ? "std" : "";
    case NNINIT_SCHEME_TRUNC_NORMAL:
    case NNINIT_SCHEME_TRUNC_NORMAL_SIGMA:
        return !same_double(a->mean, b->mean) ? "mean" : !same_double(a->std, b->std) ? "std"
             : !same_double(a->low, b->low)   ? "low"  : !same_double(a->high, b->high) ? "high" : "";
    case NNINIT_SCHEME_XAVIER_UNIFORM:
    case NNINIT_SCHEME_XAVIER_NORMAL:
        return !same_double(a->gain, b->gain) ? "gain" : !same_layout(&a->layout, &b->layout) ? "layout" : "";
    case NNINIT_SCHEME_KAIMING_UNIFORM:
    case NNINIT_SCHEME_KAIMING_NORMAL:
        return !same_double(a->a, b->a) ? "a" : a->mode != b->mode ? "mode" : a->nonlinearity != b->nonlinearity ? "nonlinearity"
             : !same_layout(&a->layout, &b->layout) ? "layout" : "";
    case NNINIT_SCHEME_LECUN_UNIFORM:
    case NNINIT_SCHEME_LECUN_NORMAL:
    case NNINIT_SCHEME_PYTORCH_DEFAULT:
    case NNINIT_SCHEME_DIRAC:
        return same_layout(&a->layout, &b->layout) ? "" : "layout";
    case NNINIT_SCHEME_VARIANCE_SCALING:
        return !same_double(a->scale, b->scale) ? "scale" : a->mode != b->mode ? "mode"
             : a->distribution != b->distribution ? "distribution" : !same_layout(&a->layout, &b->layout) ? "layout" : "";
    case NNINIT_SCHEME_ORTHOGONAL: {
        /* orthogonal takes a layout but no groups */
        nninit_layout la = a->layout, lb = b->layout;
        la.groups = lb.groups = 1;
        return !same_double(a->gain, b->gain) ? "gain" : !same_layout(&la, &lb) ? "layout" : "";
    }
    case NNINIT_SCHEME_SPARSE:
        return !same_double(a->sparsity, b->sparsity) ? "sparsity" : !same_double(a->std, b->std) ? "std" : "";
    case NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS: return a->fan_in == b->fan_in ? "" : "fan_in";
    default: return "";
    }
}

static nninit_scheme must_parse(const char *spec)
{
    nninit_scheme s;
    char msg[MSGSZ];
    strcpy(msg, "not cleared");
    nninit_status st = nninit_scheme_parse(spec, &s, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "parse(\"%s\") returned %s: %s", spec, nninit_status_str(st), msg);
    ck_assert_msg(msg[0] == '\0', "parse(\"%s\") succeeded but left the message \"%s\"", spec, msg);
    return s;
}

static void assert_same(const char *spec_a, const nninit_scheme *a, const char *spec_b, const nninit_scheme *b)
{
    const char *d = scheme_diff(a, b);
    ck_assert_msg(d[0] == '\0', "\"%s\" and \"%s\" differ in %s", spec_a, spec_b, d);
}

/* ---- the error checker ----------------------------------------------------------- */
static const unsigned char SENTINEL = 0x5A;

/* Column in "... column N ..." (the message's 1-based position), or -1. */
static int msg_column(const char *msg)
{
    const char *p = strstr(msg, "column");
    if (!p) return -1;
    p += 6;
    while (*p == ' ' || *p == ':') p++;
    return (*p >= '0' && *p <= '9') ? atoi(p) : -1;
}

/* Parses spec, which must fail with want; phrase (if not NULL) must appear in the message;
 * the column it gives must lie in [col_lo, col_hi] (if col_lo > 0). */
/* The variables the error cases may use: none, unless a test sets them (the
 * parses then go through nninit_scheme_parse_vars). */
static const nninit_var *g_vars;
static size_t g_n_vars;

static nninit_status parse_with(const char *spec, nninit_scheme *out, char *msg, size_t msg_size)
{
    return g_vars ? nninit_scheme_parse_vars(spec, g_vars, g_n_vars, out, msg, msg_size)
                  : nninit_scheme_parse(spec, out, msg, msg_size);
}

static void expect_parse_fail(const char *spec, nninit_status want, const char *phrase, int col_lo, int col_hi)
{
    nninit_scheme out;
    memset(&out, SENTINEL, sizeof out);
    char msg[MSGSZ];
    memset(msg, 'X', sizeof msg);
    nninit_status st = parse_with(spec, &out, msg, sizeof msg);
    ck_assert_msg(memchr(msg, '\0', sizeof msg) != NULL, "parse(\"%s\"): message not NUL-terminated", spec);
    ck_assert_msg(st == want, "parse(\"%s\") returned %s, expected %s (message: %s)", spec, nninit_status_str(st),
                  nninit_status_str(want), st == NNINIT_OK ? "" : msg);
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_msg(((unsigned char *)&out)[i] == SENTINEL, "parse(\"%s\") failed but wrote *out (byte %zu)", spec, i);
    char prefix[MSGSZ];
    snprintf(prefix, sizeof prefix, "init spec \"%s\": ", spec);
    ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) == 0, "parse(\"%s\"): message \"%s\" does not start with '%s'",
                  spec, msg, prefix);
    if (phrase)
        ck_assert_msg(strstr(msg, phrase) != NULL, "parse(\"%s\"): message \"%s\" lacks \"%s\"", spec, msg, phrase);
    int col = msg_column(msg + strlen(prefix));
    ck_assert_msg(col >= 1 && (size_t)col <= strlen(spec) + 1, "parse(\"%s\"): message \"%s\" gives no column in 1..%zu",
                  spec, msg, strlen(spec) + 1);
    if (col_lo > 0)
        ck_assert_msg(col >= col_lo && col <= col_hi, "parse(\"%s\"): message \"%s\" gives column %d, expected %d..%d",
                      spec, msg, col, col_lo, col_hi);

    /* truncation: the same message cut short, always NUL-terminated */
    const size_t sizes[3] = { 1, 5, 17 };
    for (int k = 0; k < 3; k++) {
        char small[32];
        memset(small, 'X', sizeof small);
        memset(&out, SENTINEL, sizeof out);
        st = parse_with(spec, &out, small, sizes[k]);
        ck_assert_msg(st == want, "parse(\"%s\", msg_size %zu) returned %s", spec, sizes[k], nninit_status_str(st));
        ck_assert_msg(strlen(small) == sizes[k] - 1 && strncmp(small, msg, sizes[k] - 1) == 0,
                      "parse(\"%s\", msg_size %zu): message \"%.*s\" is not the first %zu bytes of \"%s\"", spec,
                      sizes[k], (int)sizes[k], small, sizes[k] - 1, msg);
        for (size_t i = sizes[k]; i < sizeof small; i++)
            ck_assert_msg(small[i] == 'X', "parse(\"%s\", msg_size %zu) wrote past msg_size", spec, sizes[k]);
    }
    memset(&out, SENTINEL, sizeof out);
    st = parse_with(spec, &out, NULL, 0);
    ck_assert_msg(st == want, "parse(\"%s\", NULL msg) returned %s", spec, nninit_status_str(st));
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_msg(((unsigned char *)&out)[i] == SENTINEL, "parse(\"%s\", NULL msg) failed but wrote *out", spec);
}

/* An error case: the spec, and the token (its nth occurrence in the spec) the message's
 * column must point into; NULL where the grammar leaves the position open. */
typedef struct { const char *spec; const char *token; int nth; } errcase;
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void run_class(const errcase *cases, size_t n, nninit_status want, const char *phrase)
{
    for (size_t k = 0; k < n; k++) {
        int lo = 0, hi = 0;
        if (cases[k].token) {
            const char *p = cases[k].spec;
            for (int i = 0; i < (cases[k].nth ? cases[k].nth : 1); i++) {
                p = strstr(i ? p + 1 : p, cases[k].token);
                ck_assert_msg(p != NULL, "test bug: \"%s\" not in \"%s\"", cases[k].token, cases[k].spec);
            }
            lo = (int)(p - cases[k].spec) + 1;
            hi = lo + (int)strlen(cases[k].token) - 1;
        }
        expect_parse_fail(cases[k].spec, want, phrase, lo, hi);
    }
}

/* ---- names and defaults -------------------------------------------------------------- */
static const char *const canonical[NT_SCHEME_COUNT] = {
    "zeros", "ones", "constant", "uniform", "normal", "trunc_normal", "trunc_normal_sigma", "xavier_uniform",
    "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform", "lecun_normal", "variance_scaling",
    "orthogonal", "eye", "dirac", "sparse", "pytorch_default", "pytorch_default_bias",
};

START_TEST(test_names)
{
    ck_assert_int_eq(nninit_scheme_count(), NT_SCHEME_COUNT);
    for (int k = 0; k < NT_SCHEME_COUNT; k++) {
        const char *n = nninit_scheme_name((nninit_scheme_kind)k);
        ck_assert_msg(n && strcmp(n, canonical[k]) == 0, "nninit_scheme_name(%d) = %s, expected %s", k, n ? n : "(null)",
                      canonical[k]);
    }
    ck_assert_msg(nninit_scheme_name((nninit_scheme_kind)NT_SCHEME_COUNT) == NULL, "name of NT_SCHEME_COUNT is not NULL");
    ck_assert_msg(nninit_scheme_name((nninit_scheme_kind)-1) == NULL, "name of kind -1 is not NULL");
    ck_assert_msg(nninit_scheme_default((nninit_scheme_kind)NT_SCHEME_COUNT).kind == NNINIT_SCHEME_ZEROS, "unknown kind: not zeros");
    ck_assert_msg(nninit_scheme_default((nninit_scheme_kind)1000).kind == NNINIT_SCHEME_ZEROS, "unknown kind: not zeros");
}
END_TEST

/* The documented defaults (docs/SCHEMES.md; PyTorch's where PyTorch has the scheme). */
START_TEST(test_default_values)
{
    nninit_scheme d;
    for (int k = 0; k < NT_SCHEME_COUNT; k++) {
        d = nninit_scheme_default((nninit_scheme_kind)k);
        ck_assert_int_eq(d.kind, k);
        ck_assert_msg(d.layout.kind == NNINIT_LAYOUT_OIHW && (d.layout.groups == 0 || d.layout.groups == 1),
                      "%s: default layout not OIHW ungrouped", canonical[k]);
    }
    d = nninit_scheme_default(NNINIT_SCHEME_UNIFORM);
    ck_assert(d.low == 0 && d.high == 1);
    d = nninit_scheme_default(NNINIT_SCHEME_NORMAL);
    ck_assert(d.mean == 0 && d.std == 1);
    d = nninit_scheme_default(NNINIT_SCHEME_TRUNC_NORMAL);
    ck_assert(d.mean == 0 && d.std == 1 && d.low == -2 && d.high == 2);
    d = nninit_scheme_default(NNINIT_SCHEME_TRUNC_NORMAL_SIGMA);
    ck_assert(d.mean == 0 && d.std == 1 && d.low == -2 && d.high == 2);
    d = nninit_scheme_default(NNINIT_SCHEME_XAVIER_UNIFORM);
    ck_assert(d.gain == 1);
    d = nninit_scheme_default(NNINIT_SCHEME_XAVIER_NORMAL);
    ck_assert(d.gain == 1);
    for (int k = NNINIT_SCHEME_KAIMING_UNIFORM; k <= NNINIT_SCHEME_KAIMING_NORMAL; k++) {
        d = nninit_scheme_default((nninit_scheme_kind)k);
        ck_assert(d.a == 0 && d.mode == NNINIT_FAN_IN && d.nonlinearity == NNINIT_NL_LEAKY_RELU);
    }
    d = nninit_scheme_default(NNINIT_SCHEME_VARIANCE_SCALING);
    ck_assert(d.scale == 1 && d.mode == NNINIT_FAN_IN && d.distribution == NNINIT_DIST_TRUNCATED_NORMAL);
    d = nninit_scheme_default(NNINIT_SCHEME_ORTHOGONAL);
    ck_assert(d.gain == 1);
    d = nninit_scheme_default(NNINIT_SCHEME_SPARSE);
    ck_assert(d.std == 0.01);
}
END_TEST

/* parse("name") == nninit_scheme_default(kind); required parameters given explicitly. */
START_TEST(test_parse_defaults)
{
    for (int k = 0; k < NT_SCHEME_COUNT; k++) {
        nninit_scheme d = nninit_scheme_default((nninit_scheme_kind)k);
        char spec[64];
        switch (k) {
        case NNINIT_SCHEME_CONSTANT: snprintf(spec, sizeof spec, "constant(value=0.25)"); d.value = 0.25; break;
        case NNINIT_SCHEME_SPARSE: snprintf(spec, sizeof spec, "sparse(sparsity=0.5)"); d.sparsity = 0.5; break;
        case NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS: snprintf(spec, sizeof spec, "pytorch_default_bias(fan_in=9)"); d.fan_in = 9; break;
        default: snprintf(spec, sizeof spec, "%s", canonical[k]);
        }
        nninit_scheme p = must_parse(spec);
        assert_same(spec, &p, "nninit_scheme_default", &d);
        /* the empty parameter list is the same */
        if (!strchr(spec, '(')) {
            char spec2[80];
            snprintf(spec2, sizeof spec2, "%s()", spec);
            nninit_scheme q = must_parse(spec2);
            assert_same(spec2, &q, spec, &p);
        }
    }
}
END_TEST

START_TEST(test_aliases)
{
    static const char *const pairs[][2] = {
        { "glorot_uniform", "xavier_uniform" },
        { "glorot_normal", "xavier_normal" },
        { "he_uniform", "kaiming_uniform" },
        { "he_normal", "kaiming_normal" },
        { "glorot_uniform(gain=2, layout=hwio)", "xavier_uniform(gain=2, layout=hwio)" },
        { "glorot_normal(gain=sqrt(2), in_axis=0, out_axis=-1)", "xavier_normal(gain=sqrt(2), in_axis=0, out_axis=-1)" },
        { "he_uniform(a=0.2, mode=fan_out, groups=4)", "kaiming_uniform(a=0.2, mode=fan_out, groups=4)" },
        { "he_normal(mode=fan_out, nonlinearity=relu, layout=hwoi)", "kaiming_normal(mode=fan_out, nonlinearity=relu, layout=hwoi)" },
    };
    for (size_t k = 0; k < N_OF(pairs); k++) {
        nninit_scheme a = must_parse(pairs[k][0]), b = must_parse(pairs[k][1]);
        assert_same(pairs[k][0], &a, pairs[k][1], &b);
    }
}
END_TEST

/* Each parameter lands in its field with its value. */
START_TEST(test_parse_values)
{
    nninit_scheme s;
    s = must_parse("constant(value=-3.5)");
    ck_assert(s.kind == NNINIT_SCHEME_CONSTANT && s.value == -3.5);
    s = must_parse("uniform(low=-0.5, high=2)");
    ck_assert(s.low == -0.5 && s.high == 2);
    s = must_parse("uniform(high=0.5)");
    ck_assert(s.low == 0 && s.high == 0.5);
    s = must_parse("normal(mean=1, std=0.02)");
    ck_assert(s.mean == 1 && s.std == 0.02);
    s = must_parse("normal(std=0)");   /* std == 0 is allowed (gives mean) */
    ck_assert(s.std == 0);
    s = must_parse("trunc_normal(std=0.02)");
    ck_assert(s.mean == 0 && s.std == 0.02 && s.low == -2 && s.high == 2);
    s = must_parse("trunc_normal(mean=1, std=3, low=-4, high=5)");
    ck_assert(s.mean == 1 && s.std == 3 && s.low == -4 && s.high == 5);
    s = must_parse("trunc_normal_sigma(mean=1, std=3, lower=-1, upper=2.5)");
    ck_assert(s.kind == NNINIT_SCHEME_TRUNC_NORMAL_SIGMA && s.mean == 1 && s.std == 3 && s.low == -1 && s.high == 2.5);
    s = must_parse("xavier_normal(gain=0.5)");
    ck_assert(s.gain == 0.5);
    s = must_parse("kaiming_uniform(a=0.2)");
    ck_assert(s.a == 0.2 && s.nonlinearity == NNINIT_NL_LEAKY_RELU && s.mode == NNINIT_FAN_IN);
    s = must_parse("kaiming_normal(a=0.1, nonlinearity=leaky_relu, mode=fan_out)");
    ck_assert(s.a == 0.1 && s.nonlinearity == NNINIT_NL_LEAKY_RELU && s.mode == NNINIT_FAN_OUT);
    /* a = 0 (the default) may be written with any nonlinearity */
    s = must_parse("kaiming_uniform(nonlinearity=tanh, a=0)");
    ck_assert(s.a == 0 && s.nonlinearity == NNINIT_NL_TANH);
    s = must_parse("variance_scaling(scale=2, mode=fan_avg, distribution=uniform)");
    ck_assert(s.scale == 2 && s.mode == NNINIT_FAN_AVG && s.distribution == NNINIT_DIST_UNIFORM);
    s = must_parse("orthogonal(gain=0.5)");
    ck_assert(s.gain == 0.5);
    s = must_parse("sparse(sparsity=0.1)");
    ck_assert(s.sparsity == 0.1 && s.std == 0.01);
    s = must_parse("sparse(sparsity=0, std=2)");
    ck_assert(s.sparsity == 0 && s.std == 2);
    s = must_parse("sparse(sparsity=1)");
    ck_assert(s.sparsity == 1);
    s = must_parse("pytorch_default_bias(fan_in=576)");
    ck_assert(s.fan_in == 576);
    s = must_parse("dirac(groups=3)");
    ck_assert(s.kind == NNINIT_SCHEME_DIRAC && s.layout.groups == 3);

    static const struct { const char *word; nninit_nonlinearity nl; } nls[] = {
        { "leaky_relu", NNINIT_NL_LEAKY_RELU }, { "linear", NNINIT_NL_LINEAR }, { "identity", NNINIT_NL_LINEAR },
        { "conv1d", NNINIT_NL_LINEAR }, { "conv2d", NNINIT_NL_LINEAR }, { "conv3d", NNINIT_NL_LINEAR },
        { "conv_transpose1d", NNINIT_NL_LINEAR }, { "conv_transpose2d", NNINIT_NL_LINEAR },
        { "conv_transpose3d", NNINIT_NL_LINEAR }, { "sigmoid", NNINIT_NL_SIGMOID }, { "tanh", NNINIT_NL_TANH },
        { "relu", NNINIT_NL_RELU }, { "selu", NNINIT_NL_SELU },
    };
    for (size_t k = 0; k < N_OF(nls); k++) {
        char spec[96];
        snprintf(spec, sizeof spec, "kaiming_normal(nonlinearity=%s)", nls[k].word);
        s = must_parse(spec);
        ck_assert_msg(s.nonlinearity == nls[k].nl, "%s: nonlinearity %d, expected %d", spec, (int)s.nonlinearity, (int)nls[k].nl);
    }
    static const struct { const char *word; nninit_distribution d; } dists[] = {
        { "truncated_normal", NNINIT_DIST_TRUNCATED_NORMAL }, { "normal", NNINIT_DIST_NORMAL },
        { "untruncated_normal", NNINIT_DIST_NORMAL }, { "uniform", NNINIT_DIST_UNIFORM },
    };
    for (size_t k = 0; k < N_OF(dists); k++) {
        char spec[96];
        snprintf(spec, sizeof spec, "variance_scaling(distribution=%s)", dists[k].word);
        s = must_parse(spec);
        ck_assert_msg(s.distribution == dists[k].d, "%s: distribution %d", spec, (int)s.distribution);
    }
    static const struct { const char *spec; nninit_layout_kind kind; int in, out; int64_t groups; } lays[] = {
        { "xavier_uniform(layout=oihw)", NNINIT_LAYOUT_OIHW, 0, 0, 1 },
        { "xavier_uniform(layout=iohw)", NNINIT_LAYOUT_IOHW, 0, 0, 1 },
        { "xavier_uniform(layout=hwio)", NNINIT_LAYOUT_HWIO, 0, 0, 1 },
        { "xavier_uniform(layout=hwoi)", NNINIT_LAYOUT_HWOI, 0, 0, 1 },
        { "xavier_uniform(layout=hwio, groups=4)", NNINIT_LAYOUT_HWIO, 0, 0, 4 },
        { "xavier_uniform(groups=2)", NNINIT_LAYOUT_OIHW, 0, 0, 2 },
        { "xavier_uniform(groups=1)", NNINIT_LAYOUT_OIHW, 0, 0, 1 },
        { "xavier_uniform(in_axis=0, out_axis=1)", NNINIT_LAYOUT_AXES, 0, 1, 1 },
        { "xavier_uniform(out_axis=-1, in_axis=-2)", NNINIT_LAYOUT_AXES, -2, -1, 1 },
        { "lecun_normal(in_axis=3, out_axis=0)", NNINIT_LAYOUT_AXES, 3, 0, 1 },
        { "variance_scaling(in_axis=-3, out_axis=2)", NNINIT_LAYOUT_AXES, -3, 2, 1 },
        { "pytorch_default(layout=iohw, groups=8)", NNINIT_LAYOUT_IOHW, 0, 0, 8 },
        { "kaiming_normal(layout=hwoi, groups=3)", NNINIT_LAYOUT_HWOI, 0, 0, 3 },
        { "orthogonal(layout=hwio)", NNINIT_LAYOUT_HWIO, 0, 0, 1 },
        { "orthogonal(in_axis=1, out_axis=0)", NNINIT_LAYOUT_AXES, 1, 0, 1 },
        { "dirac(layout=hwio, groups=2)", NNINIT_LAYOUT_HWIO, 0, 0, 2 },
    };
    for (size_t k = 0; k < N_OF(lays); k++) {
        s = must_parse(lays[k].spec);
        int64_t g = s.layout.groups == 0 ? 1 : s.layout.groups;
        ck_assert_msg(s.layout.kind == lays[k].kind && g == lays[k].groups, "%s: layout kind %d groups %lld", lays[k].spec,
                      (int)s.layout.kind, (long long)s.layout.groups);
        if (lays[k].kind == NNINIT_LAYOUT_AXES)
            ck_assert_msg(s.layout.in_axis == lays[k].in && s.layout.out_axis == lays[k].out, "%s: axes %d, %d",
                          lays[k].spec, s.layout.in_axis, s.layout.out_axis);
    }
}
END_TEST

/* Numbers convert exactly as strtod does (correctly rounded), and sqrt(x) is C's sqrt. */
START_TEST(test_numbers)
{
    static const char *const nums[] = {
        "0", "1", "-1", "+2", "0.5", ".5", "0.1", "0.02", "1e-3", "1E-3", "1e+2", "-2.5e1", "3.0", "007", "0.30000000000000004",
        "123456789012345678901234567890", "2.2250738585072014e-308", "1.7976931348623157e308", "4.9e-324",
        "0.1000000000000000055511151231257827", "9007199254740993", "1.00000000000000011102230246251565404236316680908203125",
        "-0", "6.02214076e23", "1e22", "1e23", "5.", "-5.e-1", "+.25", "1E+02",
    };
    setlocale(LC_NUMERIC, "C");
    for (size_t k = 0; k < N_OF(nums); k++) {
        char spec[160];
        snprintf(spec, sizeof spec, "normal(mean=%s)", nums[k]);
        nninit_scheme s;
        char msg[MSGSZ];
        nninit_status st = nninit_scheme_parse(spec, &s, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "parse(\"%s\") returned %s: %s", spec, nninit_status_str(st), msg);
        double want = strtod(nums[k], NULL);
        ck_assert_msg(memcmp(&s.mean, &want, sizeof want) == 0 || (s.mean == want && want != 0),
                      "parse(\"%s\"): mean %a, strtod gives %a", spec, s.mean, want);
    }
    static const struct { const char *arg; double x; } roots[] = {
        { "2", 2.0 }, { "2.0", 2.0 }, { "5", 5.0 }, { "0.5", 0.5 }, { "3", 3.0 }, { "1e-4", 1e-4 }, { "0", 0.0 },
        { "1", 1.0 }, { "6", 6.0 },
    };
    for (size_t k = 0; k < N_OF(roots); k++) {
        char spec[96];
        snprintf(spec, sizeof spec, "normal(mean=sqrt(%s))", roots[k].arg);
        nninit_scheme s = must_parse(spec);
        ck_assert_msg(s.mean == sqrt(roots[k].x), "%s: %a, C's sqrt gives %a", spec, s.mean, sqrt(roots[k].x));
    }
    nninit_scheme a = must_parse("orthogonal(gain=sqrt(2))"), b = must_parse("orthogonal(gain=sqrt(2.0))");
    ck_assert(a.gain == sqrt(2.0) && b.gain == sqrt(2.0));
    nninit_scheme c = must_parse("kaiming_uniform(a=sqrt(5))");
    ck_assert(c.a == sqrt(5.0));
    /* integers: groups, axes, fan_in */
    nninit_scheme d = must_parse("xavier_uniform(groups=12)");
    ck_assert(d.layout.groups == 12);
    nninit_scheme e = must_parse("pytorch_default_bias(fan_in=4294967297)");
    ck_assert(e.fan_in == 4294967297LL);
}
END_TEST

/* ---- arithmetic ------------------------------------------------------------------------ */
/* The variables of EXPR_REFS (tools/gen_expr_refs.py uses the same). */
static const nninit_var k_vars[] = { { "l", 3 }, { "n_layers", 12 }, { "hidden", 768 }, { "initializer_range", 0.02 } };
#define N_VARS N_OF(k_vars)

/* Expected bits: tools/gen_expr_refs.py (Python's binary64 arithmetic, the same
 * operations written by hand; libm = 1: exp, log or pow, whose bits are the
 * platform libm's and are compared with it at run time too). */
static const struct { const char *expr; uint64_t bits; int libm; } EXPR_REFS[] = {
    { "0.02/sqrt(2*12)", 0x3f70b8cb28fd8cf5ULL, 0 },   /* 0.004082482904638631 */
    { "0.02/sqrt(24)", 0x3f70b8cb28fd8cf5ULL, 0 },   /* 0.004082482904638631 */
    { "0.02/sqrt(2*n_layers)", 0x3f70b8cb28fd8cf5ULL, 0 },   /* 0.004082482904638631 */
    { "initializer_range/sqrt(2*(l+1))", 0x3f7cf68d4fff04dcULL, 0 },   /* 0.0070710678118654745 */
    { "0.02 / sqrt(2 * (l + 1))", 0x3f7cf68d4fff04dcULL, 0 },   /* 0.0070710678118654745 */
    { "1/sqrt(hidden)", 0x3fa279a74590331dULL, 0 },   /* 0.036084391824351615 */
    { "1/3", 0x3fd5555555555555ULL, 0 },   /* 0.3333333333333333 */
    { "2/3*3", 0x4000000000000000ULL, 0 },   /* 2.0 */
    { "0.1+0.2", 0x3fd3333333333334ULL, 0 },   /* 0.30000000000000004 */
    { "0.1+0.2+0.3", 0x3fe3333333333334ULL, 0 },   /* 0.6000000000000001 */
    { "0.1+(0.2+0.3)", 0x3fe3333333333333ULL, 0 },   /* 0.6 */
    { "1-0.9", 0x3fb9999999999998ULL, 0 },   /* 0.09999999999999998 */
    { "0.02*3/7", 0x3f818de5ab277f45ULL, 0 },   /* 0.008571428571428572 */
    { "0.02*(3/7)", 0x3f818de5ab277f45ULL, 0 },   /* 0.008571428571428572 */
    { "1e-3*1e-3", 0x3eb0c6f7a0b5ed8dULL, 0 },   /* 1e-06 */
    { "6.02214076e23/1e23", 0x401816ac11406f31ULL, 0 },   /* 6.02214076 */
    { "-2^2", 0xc010000000000000ULL, 0 },   /* -4.0 */
    { "(-2)^2", 0x4010000000000000ULL, 0 },   /* 4.0 */
    { "2^3^2", 0x4080000000000000ULL, 0 },   /* 512.0 */
    { "(2^3)^2", 0x4050000000000000ULL, 0 },   /* 64.0 */
    { "2^-1", 0x3fe0000000000000ULL, 0 },   /* 0.5 */
    { "-(3)", 0xc008000000000000ULL, 0 },   /* -3.0 */
    { "- 0", 0x8000000000000000ULL, 0 },   /* -0.0 */
    { "2*-3", 0xc018000000000000ULL, 0 },   /* -6.0 */
    { "4--1", 0x4014000000000000ULL, 0 },   /* 5.0 */
    { "+.5", 0x3fe0000000000000ULL, 0 },   /* 0.5 */
    { "sqrt(2/(1+0.01^2))", 0x3ff6a05442aad7e4ULL, 1 },   /* 1.4141428569978354 */
    { "sqrt(5)", 0x4001e3779b97f4a8ULL, 0 },   /* 2.23606797749979 */
    { "min(0.1, 0.2, 0.05)", 0x3fa999999999999aULL, 0 },   /* 0.05 */
    { "max(1, 2*l, 5)", 0x4018000000000000ULL, 0 },   /* 6.0 */
    { "min(1, 1+1e-16)", 0x3ff0000000000000ULL, 0 },   /* 1.0 */
    { "hidden^-0.5", 0x3fa279a74590331cULL, 1 },   /* 0.03608439182435161 */
    { "0.02^2", 0x3f3a36e2eb1c432dULL, 1 },   /* 0.0004 */
    { "10^0.1", 0x3ff4248ef8fc2604ULL, 1 },   /* 1.2589254117941673 */
    { "exp(-1)", 0x3fd78b56362cef38ULL, 1 },   /* 0.36787944117144233 */
    { "exp(0.5)*2", 0x400a61298e1e069cULL, 1 },   /* 3.2974425414002564 */
    { "log(2)", 0x3fe62e42fefa39efULL, 1 },   /* 0.6931471805599453 */
    { "log(10)/log(2)", 0x400a934f0979a372ULL, 1 },   /* 3.3219280948873626 */
    { "exp(log(3))", 0x4008000000000001ULL, 1 },   /* 3.0000000000000004 */
    { "log(1e-300)", 0xc085963447f87fb5ULL, 1 },   /* -690.7755278982137 */
};

static double from_bits(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }

/* The value is the double C gives for the same expression: nninit_expr_eval, a
 * spec's value through nninit_scheme_parse_vars, and the literal the formatter
 * writes for it, all have the expected bits. */
START_TEST(test_expr_values)
{
    for (size_t k = 0; k < N_OF(EXPR_REFS); k++) {
        const char *ex = EXPR_REFS[k].expr;
        double want = from_bits(EXPR_REFS[k].bits), got = 12345;
        char msg[MSGSZ] = "x";
        nninit_status st = nninit_expr_eval(ex, k_vars, N_VARS, &got, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK && msg[0] == '\0', "eval(\"%s\"): %s: %s", ex, nninit_status_str(st), msg);
        ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "eval(\"%s\") = %a, expected %a", ex, got, want);
        char spec[160], buf[160];
        snprintf(spec, sizeof spec, "constant(value=%s)", ex);
        nninit_scheme s;
        st = nninit_scheme_parse_vars(spec, k_vars, N_VARS, &s, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "parse_vars(\"%s\"): %s", spec, msg);
        ck_assert_msg(memcmp(&s.value, &want, sizeof want) == 0, "%s: value %a, expected %a", spec, s.value, want);
        /* the formatter writes the number, which reads back without variables to the same bits */
        size_t len = nninit_scheme_format(&s, buf, sizeof buf);
        ck_assert_msg(len > 0 && len < sizeof buf, "format of %s", spec);
        nninit_scheme back = must_parse(buf);
        ck_assert_msg(memcmp(&back.value, &want, sizeof want) == 0, "%s -> %s -> %a", spec, buf, back.value);
    }
    /* the rows that use libm agree with it at run time (volatile: no compile-time folding) */
    volatile double two = 2, three = 3, ten = 10, hidden = 768, minus1 = -1, half = 0.5;
    const double libm[][2] = {
        { log(two), from_bits(0x3fe62e42fefa39efULL) }, { exp(minus1), from_bits(0x3fd78b56362cef38ULL) },
        { pow(hidden, -half), from_bits(0x3fa279a74590331cULL) }, { pow(ten, 0.1), from_bits(0x3ff4248ef8fc2604ULL) },
        { exp(log(three)), from_bits(0x4008000000000001ULL) }, { log(ten) / log(two), from_bits(0x400a934f0979a372ULL) },
    };
    for (size_t k = 0; k < N_OF(libm); k++)
        ck_assert_msg(memcmp(&libm[k][0], &libm[k][1], sizeof(double)) == 0,
                      "this libm gives %a where tools/gen_expr_refs.py recorded %a (row %zu)", libm[k][0], libm[k][1], k);
    /* the example: the bits of the literal it evaluates to, and not those of a neighbour */
    nninit_scheme a, b, c, d;
    ck_assert_int_eq(nninit_scheme_parse("normal(std=0.02/sqrt(2*12))", &a, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(nninit_scheme_parse("normal(std=0.004082482904638631)", &b, NULL, 0), NNINIT_OK);
    /* the doubles either side (Python's math.nextafter) */
    ck_assert_int_eq(nninit_scheme_parse("normal(std=0.00408248290463863)", &c, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(nninit_scheme_parse("normal(std=0.0040824829046386315)", &d, NULL, 0), NNINIT_OK);
    ck_assert(memcmp(&a.std, &b.std, sizeof a.std) == 0);
    ck_assert(a.std != c.std && a.std != d.std && nextafter(c.std, 1) == a.std && nextafter(d.std, 0) == a.std);
    /* a sign, then '^' over it; -0 stays -0 */
    double z = 1;
    ck_assert_int_eq(nninit_expr_eval("-0", NULL, 0, &z, NULL, 0), NNINIT_OK);
    ck_assert(z == 0 && signbit(z));
    ck_assert_int_eq(nninit_expr_eval("0*-1", NULL, 0, &z, NULL, 0), NNINIT_OK);
    ck_assert(z == 0 && signbit(z));
    ck_assert_int_eq(nninit_expr_eval("min(0, -0)", NULL, 0, &z, NULL, 0), NNINIT_OK);
    ck_assert(z == 0 && !signbit(z));   /* the first of the smallest */
    ck_assert_int_eq(nninit_expr_eval("max(-0, 0)", NULL, 0, &z, NULL, 0), NNINIT_OK);
    ck_assert(z == 0 && signbit(z));
}
END_TEST

/* Integer parameters: an expression with an integer value (|v| <= 2^53), or an
 * integer written out (all of int64, read exactly). */
START_TEST(test_expr_integers)
{
    static const struct { const char *spec; int64_t groups, fan_in, in_axis; } ok[] = {
        { "xavier_uniform(groups=2.0)", 2, 0, 0 }, { "xavier_uniform(groups=2e0)", 2, 0, 0 },
        { "xavier_uniform(groups=2*l)", 6, 0, 0 }, { "xavier_uniform(groups=n_layers/4)", 3, 0, 0 },
        { "xavier_uniform(groups=sqrt(16))", 4, 0, 0 }, { "xavier_uniform(groups=max(1, l-5))", 1, 0, 0 },
        { "xavier_uniform(groups = +7 )", 7, 0, 0 }, { "pytorch_default_bias(fan_in=1e3)", 0, 1000, 0 },
        { "pytorch_default_bias(fan_in=hidden*4)", 0, 3072, 0 }, { "pytorch_default_bias(fan_in=2^53)", 0, 9007199254740992LL, 0 },
        { "pytorch_default_bias(fan_in=9223372036854775807)", 0, INT64_MAX, 0 },
        { "pytorch_default_bias(fan_in=9007199254740993)", 0, 9007199254740993LL, 0 },
        { "xavier_uniform(in_axis=-(1+1), out_axis=0)", 0, 0, -2 }, { "xavier_uniform(in_axis=l-4, out_axis=0)", 0, 0, -1 },
        { "xavier_uniform(in_axis=0.0, out_axis=1e0)", 0, 0, 0 },
    };
    for (size_t k = 0; k < N_OF(ok); k++) {
        nninit_scheme s;
        char msg[MSGSZ];
        nninit_status st = nninit_scheme_parse_vars(ok[k].spec, k_vars, N_VARS, &s, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "%s: %s", ok[k].spec, msg);
        if (ok[k].groups) ck_assert_msg(s.layout.groups == ok[k].groups, "%s: groups %lld", ok[k].spec, (long long)s.layout.groups);
        if (ok[k].fan_in) ck_assert_msg(s.fan_in == ok[k].fan_in, "%s: fan_in %lld", ok[k].spec, (long long)s.fan_in);
        if (s.layout.kind == NNINIT_LAYOUT_AXES)
            ck_assert_msg(s.layout.in_axis == ok[k].in_axis, "%s: in_axis %d", ok[k].spec, s.layout.in_axis);
    }
    g_vars = k_vars;
    g_n_vars = N_VARS;
    static const errcase notint[] = {
        { "xavier_uniform(groups=1.5)", "1.5", 1 }, { "dirac(groups=.5)", ".5", 1 }, { "pytorch_default_bias(fan_in=3.5)", "3.5", 1 },
        { "xavier_uniform(groups=l/2)", "l/2", 1 }, { "dirac(groups=sqrt(2))", "sqrt(2)", 1 },
        { "xavier_uniform(in_axis=0.5, out_axis=1)", "0.5", 1 }, { "pytorch_default_bias(fan_in=0.1*3*10)", "0.1*3*10", 1 },
    };
    run_class(notint, N_OF(notint), NNINIT_E_PARAM, "is not an integer");
    static const errcase big[] = {
        { "pytorch_default_bias(fan_in=2^53+2)", "2^53+2", 1 }, { "pytorch_default_bias(fan_in=1e300)", "1e300", 1 },
        { "xavier_uniform(groups=-2^60)", "-2^60", 1 },
    };
    run_class(big, N_OF(big), NNINIT_E_PARAM, "beyond 2^53");
    g_vars = NULL;
    g_n_vars = 0;
}
END_TEST

/* Values that leave the reals or the doubles: an error at the operator or the function. */
START_TEST(test_expr_value_errors)
{
    g_vars = k_vars;
    g_n_vars = N_VARS;
    static const errcase div0[] = {
        { "normal(std=1/0)", "/", 1 }, { "normal(mean=1/(l-3))", "/", 1 }, { "normal(mean=0/0)", "/", 1 },
        { "normal(std=0^-1)", "^", 1 }, { "normal(mean=5/(2-2))", "/", 1 }, { "normal(mean=1/-0)", "/", 1 },
    };
    run_class(div0, N_OF(div0), NNINIT_E_PARAM, "division by zero");
    static const errcase sq[] = { { "normal(std=sqrt(1-2))", "sqrt", 1 }, { "normal(std=2*sqrt(-l))", "sqrt", 1 } };
    run_class(sq, N_OF(sq), NNINIT_E_PARAM, "std out of range: sqrt of a negative number");
    static const errcase lneg[] = { { "normal(std=log(-2))", "log", 1 }, { "normal(mean=1+log(-1e-300))", "log", 1 } };
    run_class(lneg, N_OF(lneg), NNINIT_E_PARAM, "log of a negative number");
    static const errcase l0[] = { { "normal(std=log(0))", "log", 1 }, { "normal(std=log(l-3))", "log", 1 },
                                  { "normal(std=log(-0))", "log", 1 } };
    run_class(l0, N_OF(l0), NNINIT_E_PARAM, "log of zero");
    static const errcase nan[] = { { "normal(std=(-8)^(1/3))", "^", 1 }, { "normal(mean=(0-l)^0.5)", "^", 1 } };
    run_class(nan, N_OF(nan), NNINIT_E_PARAM, "is not a real number");
    static const errcase ovf[] = {
        { "normal(mean=1e308*10)", "*", 1 }, { "normal(mean=exp(1000))", "exp", 1 }, { "normal(mean=10^400)", "^", 1 },
        { "normal(mean=1e308+1e308)", "+", 1 }, { "normal(mean=-1e308-1e308)", "-", 2 }, { "normal(mean=1e300/1e-300)", "/", 1 },
        { "normal(mean=hidden^hidden)", "^", 1 },
    };
    run_class(ovf, N_OF(ovf), NNINIT_E_PARAM, "overflows");
    static const errcase lit[] = { { "normal(mean=1+1e999)", "1e999", 1 }, { "normal(mean=sqrt(2e400))", "2e400", 1 } };
    run_class(lit, N_OF(lit), NNINIT_E_PARAM, "is not a finite number");
    g_vars = NULL;
    g_n_vars = 0;
    /* exp underflows to 0 (finite): allowed, as C gives */
    double z = 1;
    ck_assert_int_eq(nninit_expr_eval("exp(-1000)", NULL, 0, &z, NULL, 0), NNINIT_OK);
    ck_assert(z == 0);
}
END_TEST

/* nninit_scheme_parse_vars and nninit_expr_eval: their own argument checks. */
START_TEST(test_expr_api)
{
    nninit_scheme s;
    char msg[MSGSZ];
    memset(&s, SENTINEL, sizeof s);
    static const struct { nninit_var v[2]; size_t n; const char *phrase; } bad[] = {
        { { { NULL, 1 } }, 1, "is not a name" }, { { { "", 1 } }, 1, "is not a name" },
        { { { "2x", 1 } }, 1, "is not a name" }, { { { "a-b", 1 } }, 1, "is not a name" },
        { { { "sqrt", 1 } }, 1, "the name of a function" }, { { { "max", 1 } }, 1, "the name of a function" },
        { { { "x", 1 }, { "x", 2 } }, 2, "defined twice" }, { { { "x", NAN } }, 1, "not a finite number" },
        { { { "x", 1 }, { "y", INFINITY } }, 2, "not a finite number" },
    };
    for (size_t k = 0; k < N_OF(bad); k++) {
        nninit_status st = nninit_scheme_parse_vars("normal(std=1)", bad[k].v, bad[k].n, &s, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_E_PARAM && strstr(msg, bad[k].phrase), "bad vars %zu: %s: %s", k, nninit_status_str(st), msg);
        const char *prefix = "init spec \"normal(std=1)\": ";
        ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) == 0, "message %s", msg);
        for (size_t i = 0; i < sizeof s; i++) ck_assert(((unsigned char *)&s)[i] == SENTINEL);
        double x = 7;
        st = nninit_expr_eval("1", bad[k].v, bad[k].n, &x, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_E_PARAM && strstr(msg, bad[k].phrase) && x == 7, "eval, bad vars %zu: %s", k, msg);
    }
    ck_assert_int_eq(nninit_scheme_parse_vars("normal(std=1)", NULL, 1, &s, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_scheme_parse_vars("zeros", NULL, 0, &s, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(nninit_scheme_parse_vars(NULL, k_vars, N_VARS, &s, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_scheme_parse_vars("zeros", k_vars, N_VARS, NULL, msg, sizeof msg), NNINIT_E_NULL);
    /* a variable named like a scheme, a parameter or a word is fine */
    static const nninit_var words[] = { { "normal", 0.5 }, { "std", 2 }, { "relu", 3 }, { "e", 4 } };
    ck_assert_int_eq(nninit_scheme_parse_vars("normal(mean=normal, std=std*relu+e)", words, 4, &s, msg, sizeof msg), NNINIT_OK);
    ck_assert(s.mean == 0.5 && s.std == 10);
    ck_assert_int_eq(nninit_scheme_parse_vars("kaiming_normal(nonlinearity=relu)", words, 4, &s, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(s.nonlinearity, NNINIT_NL_RELU);

    double x = 7;
    static const struct { const char *ex; nninit_status st; const char *phrase; int col; } errs[] = {
        { "", NNINIT_E_SPEC, "empty expression", 1 }, { "   ", NNINIT_E_SPEC, "empty expression", 4 },
        { "1 2", NNINIT_E_SPEC, "unexpected '2' after the expression", 3 }, { "1)", NNINIT_E_SPEC, "unexpected ')'", 2 },
        { "(1", NNINIT_E_SPEC, "expected ')' to close the '(' at column 1", 3 }, { "1,2", NNINIT_E_SPEC, "unexpected ','", 2 },
        { "x", NNINIT_E_SPEC, "unknown variable 'x' (variables here: l, n_layers, hidden, initializer_range)", 1 },
        { "l/(l-3)", NNINIT_E_PARAM, "division by zero", 2 }, { "  log(0)", NNINIT_E_PARAM, "log of zero", 3 },
    };
    for (size_t k = 0; k < N_OF(errs); k++) {
        nninit_status st = nninit_expr_eval(errs[k].ex, k_vars, N_VARS, &x, msg, sizeof msg);
        char want[MSGSZ];
        snprintf(want, sizeof want, "expression \"%s\": column %d: ", errs[k].ex, errs[k].col);
        ck_assert_msg(st == errs[k].st && x == 7, "eval(\"%s\"): %s", errs[k].ex, nninit_status_str(st));
        ck_assert_msg(strncmp(msg, want, strlen(want)) == 0 && strstr(msg, errs[k].phrase),
                      "eval(\"%s\"): message \"%s\", expected \"%s...%s\"", errs[k].ex, msg, want, errs[k].phrase);
    }
    ck_assert_int_eq(nninit_expr_eval(NULL, NULL, 0, &x, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_expr_eval("1", NULL, 0, NULL, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_expr_eval("1", NULL, 3, &x, msg, sizeof msg), NNINIT_E_NULL);
    strcpy(msg, "stale");
    ck_assert_int_eq(nninit_expr_eval(" 2 * 3 ", NULL, 0, &x, msg, sizeof msg), NNINIT_OK);
    ck_assert(x == 6 && msg[0] == '\0');
}
END_TEST

/* Under a locale whose decimal separator is ',' numbers still read with '.'. */
START_TEST(test_locale_independent)
{
    static const char *const locs[] = { "de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8" };
    const char *got = NULL;
    for (size_t k = 0; k < N_OF(locs) && !got; k++) {
        if (setlocale(LC_NUMERIC, locs[k]) && strcmp(localeconv()->decimal_point, ",") == 0) got = locs[k];
    }
    if (!got) {
        setlocale(LC_NUMERIC, "C");
        fprintf(stderr, "test_spec: NOTE: no locale with a decimal comma is installed (tried de_DE.UTF-8 ...): "
                        "locale independence not tested\n");
        return;
    }
    /* the locale is live: strtod itself now reads "0.02" as 0 */
    char *end;
    double probe = strtod("0.02", &end);
    nninit_scheme s;
    char msg[MSGSZ];
    nninit_status st = nninit_scheme_parse("trunc_normal(std=0.02, low=-1.5e-1, high=.25)", &s, msg, sizeof msg);
    nninit_scheme o;
    nninit_status st2 = nninit_scheme_parse("orthogonal(gain=sqrt(0.5))", &o, NULL, 0);
    double ex = 0;
    nninit_status st3 = nninit_expr_eval("0.5*0.25+.125e0", NULL, 0, &ex, NULL, 0);
    char buf[256];
    nninit_scheme u = nninit_scheme_default(NNINIT_SCHEME_UNIFORM);
    u.low = -0.125;
    u.high = 0.75;
    size_t len = nninit_scheme_format(&u, buf, sizeof buf);
    setlocale(LC_NUMERIC, "C");
    ck_assert_msg(probe != 0.02 || *end != '\0', "locale %s: strtod still reads '.'?", got);
    ck_assert_msg(st == NNINIT_OK, "under %s: parse returned %s: %s", got, nninit_status_str(st), msg);
    ck_assert_msg(s.std == 0.02 && s.low == -0.15 && s.high == 0.25, "under %s: std %g low %g high %g", got, s.std, s.low,
                  s.high);
    ck_assert_msg(st2 == NNINIT_OK && o.gain == sqrt(0.5), "under %s: sqrt(0.5) -> %s %g", got, nninit_status_str(st2),
                  o.gain);
    ck_assert_msg(st3 == NNINIT_OK && ex == 0.25, "under %s: 0.5*0.25+.125e0 -> %s %g", got, nninit_status_str(st3), ex);
    /* format writes '.' too, so its output parses in the C locale */
    int comma = 0;
    for (size_t i = 1; i + 1 < len && i + 1 < sizeof buf; i++)
        comma |= buf[i] == ',' && buf[i - 1] >= '0' && buf[i - 1] <= '9' && buf[i + 1] >= '0' && buf[i + 1] <= '9';
    ck_assert_msg(len > 0 && len < sizeof buf && !comma, "under %s: format wrote \"%s\"", got, buf);
    nninit_scheme back = must_parse(buf);
    assert_same(buf, &back, "uniform(low=-0.125, high=0.75)", &u);
}
END_TEST

START_TEST(test_whitespace)
{
    static const char *const pairs[][2] = {
        { " zeros", "zeros" },
        { "zeros ", "zeros" },
        { "\tzeros\n", "zeros" },
        { "zeros ( )", "zeros" },
        { "kaiming_normal ( mode = fan_out , nonlinearity = relu )", "kaiming_normal(mode=fan_out, nonlinearity=relu)" },
        { "kaiming_normal(mode=fan_out,nonlinearity=relu)", "kaiming_normal(mode=fan_out, nonlinearity=relu)" },
        { "  kaiming_normal(\tmode\t=\tfan_out,\n nonlinearity=relu\n)  ", "kaiming_normal(mode=fan_out, nonlinearity=relu)" },
        { "normal( mean = -1.5 , std = 2e-3 )", "normal(mean=-1.5, std=2e-3)" },
        { "orthogonal(gain = sqrt(2))", "orthogonal(gain=sqrt(2))" },
        { "xavier_uniform( in_axis = -1 , out_axis = 0 )", "xavier_uniform(in_axis=-1, out_axis=0)" },
        { "variance_scaling (scale=2,mode=fan_avg,distribution=uniform,layout=hwio,groups=2)",
          "variance_scaling(scale=2, mode=fan_avg, distribution=uniform, layout=hwio, groups=2)" },
    };
    for (size_t k = 0; k < N_OF(pairs); k++) {
        nninit_scheme a = must_parse(pairs[k][0]), b = must_parse(pairs[k][1]);
        assert_same(pairs[k][0], &a, pairs[k][1], &b);
    }
}
END_TEST

/* ---- error classes -------------------------------------------------------------------- */
START_TEST(test_syntax_errors)
{
    static const errcase c[] = {
        { "", NULL, 0 }, { "   ", NULL, 0 }, { "(", "(", 1 }, { "()", "(", 1 }, { "zeros(", NULL, 0 },
        { "zeros)", ")", 1 }, { "zeros()x", "x", 1 }, { "zeros x", "x", 1 }, { "zeros()(", "(", 2 }, { "zeros,", ",", 1 },
        { "1zeros", "1", 1 }, { "-zeros", "-", 1 }, { "zeros normal", "normal", 1 }, { "normal(mean)", ")", 1 },
        { "normal(=1)", "=", 1 }, { "normal(mean=1,)", ")", 1 }, { "normal(,mean=1)", ",", 1 },
        { "normal(mean=1 std=2)", "std", 1 }, { "normal(mean=1))", ")", 2 },
        { "normal((mean=1)", "(", 2 }, { "normal(mean=1,,std=2)", ",", 2 }, { "orthogonal(gain=sqrt(2)", NULL, 0 },
        { "orthogonal(gain=sqrt(2)))", ")", 3 }, { "normal(std=0.1) extra", "extra", 1 }, { "xavier_uniform(gain=2", NULL, 0 },
        { "uniform(low=0, high=1", NULL, 0 }, { "zeros(\"x\"=1)", "\"", 1 },
        /* in expressions */
        { "normal(std=+)", ")", 1 }, { "normal(mean=-)", ")", 1 }, { "normal(std=(1)", NULL, 0 }, { "normal(std=1+)", ")", 1 },
        { "normal(std=*2)", "*", 1 }, { "normal(std=2**3)", "*", 2 }, { "normal(std=sqrt 2)", "2", 1 },
        { "normal(std=min(1))", "min", 1 }, { "normal(std=sqrt(1, 2))", ",", 1 }, { "normal(std=max())", ")", 1 },
        { "normal(std=())", ")", 1 }, { "normal(std=2(3))", "(", 2 }, { "normal(std=2 3)", "3", 1 },
        { "normal(std=(1,2))", ",", 1 }, { "normal(mean=1^)", ")", 1 }, { "normal(mean=log)", ")", 1 },
        { "normal(std=sqrt(4)", NULL, 0 }, { "normal(mean=%1)", "%", 1 }, { "normal(mean=1 % 2)", "%", 1 },
        { "normal(mean=[1])", "[", 1 }, { "normal(mean=1=2)", "=", 2 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "syntax error");
    /* nesting is bounded (the parser recurses): 64 levels read, 65 refused */
    char deep[400];
    for (int levels = 64; levels <= 65; levels++) {
        int n = snprintf(deep, sizeof deep, "normal(std=");
        for (int i = 0; i < levels; i++) deep[n++] = '(';
        deep[n++] = '1';
        for (int i = 0; i < levels; i++) deep[n++] = ')';
        snprintf(deep + n, sizeof deep - (size_t)n, ")");
        if (levels == 64) { ck_assert(must_parse(deep).std == 1); continue; }
        /* (the message quotes a spec this long cut short, so expect_parse_fail's prefix check does not apply) */
        nninit_scheme out;
        char msg[MSGSZ];
        ck_assert_int_eq(nninit_scheme_parse(deep, &out, msg, sizeof msg), NNINIT_E_SPEC);
        ck_assert_msg(strstr(msg, "column 76: syntax error: expression nested more than 64 deep"), "%s", msg);
    }
    snprintf(deep, sizeof deep, "normal(std=2");
    for (int i = 0; i < 70; i++) strcat(deep, "^1");
    strcat(deep, ")");
    nninit_scheme out;
    char msg[MSGSZ];
    ck_assert_int_eq(nninit_scheme_parse(deep, &out, msg, sizeof msg), NNINIT_E_SPEC);
    ck_assert_msg(strstr(msg, "nested more than 64 deep"), "%s", msg);
}
END_TEST

/* A value missing after '=' (or inside sqrt()) is not a malformed number or an unknown
 * word: the grammar (docs/SCHEMES.md) has no empty value, so it is a syntax error. */
START_TEST(test_missing_value)
{
    static const errcase c[] = {
        { "normal(mean=)", ")", 1 }, { "normal(mean=, std=1)", ",", 1 }, { "kaiming_normal(mode=)", ")", 1 },
        { "xavier_uniform(layout= )", ")", 1 }, { "orthogonal(gain=sqrt())", ")", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "syntax error");
}
END_TEST

START_TEST(test_unknown_scheme)
{
    static const errcase c[] = {
        { "foo", "foo", 1 }, { "Zeros", "Zeros", 1 }, { "XAVIER_UNIFORM", "X", 1 }, { "xavier", "x", 1 },
        { "kaiming", "k", 1 }, { "xavier_uniform_", "x", 1 }, { "he", "he", 1 }, { "glorot", "g", 1 },
        { "truncated_normal", "t", 1 }, { "identity", "i", 1 }, { "foo(gain=1)", "foo", 1 },
        { "kaiming_norm(mode=fan_in)", "kaiming_norm", 1 }, { "  zero", "zero", 1 }, { "Orthogonal(gain=2)", "O", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "unknown scheme");
}
END_TEST

START_TEST(test_unknown_parameter)
{
    static const errcase c[] = {
        { "xavier_uniform(foo=1)", "foo", 1 }, { "normal(sigma=1)", "sigma", 1 }, { "kaiming_normal(Mode=fan_in)", "Mode", 1 },
        { "uniform(lo=0)", "lo", 1 }, { "zeros(x=1)", "x", 1 }, { "kaiming_uniform(slope=0.1)", "slope", 1 },
        { "variance_scaling(dist=uniform)", "dist", 1 }, { "xavier_uniform(in_axes=0, out_axes=1)", "in_axes", 1 },
        { "normal(mean=0, STD=1)", "STD", 1 }, { "sparse(sparsity=0.5, density=0.5)", "density", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "unknown parameter");
}
END_TEST

START_TEST(test_does_not_take)
{
    static const errcase c[] = {
        { "xavier_uniform(mode=fan_in)", "mode", 1 }, { "zeros(value=1)", "value", 1 }, { "ones(std=1)", "std", 1 },
        { "normal(low=0)", "low", 1 }, { "uniform(mean=0)", "mean", 1 }, { "orthogonal(groups=2)", "groups", 1 },
        { "eye(layout=hwio)", "layout", 1 }, { "eye(groups=2)", "groups", 1 }, { "lecun_uniform(gain=2)", "gain", 1 },
        { "sparse(mean=1, sparsity=0.5)", "mean", 1 }, { "pytorch_default(fan_in=3)", "fan_in", 1 },
        { "pytorch_default_bias(fan_in=3, layout=hwio)", "layout", 1 }, { "trunc_normal(lower=-1)", "lower", 1 },
        { "trunc_normal_sigma(low=-1)", "low", 1 }, { "variance_scaling(gain=2)", "gain", 1 },
        { "kaiming_uniform(gain=2)", "gain", 1 }, { "dirac(gain=2)", "gain", 1 }, { "constant(value=1, std=2)", "std", 1 },
        { "uniform(layout=hwio)", "layout", 1 }, { "kaiming_normal(distribution=uniform)", "distribution", 1 },
        { "xavier_normal(scale=2)", "scale", 1 }, { "normal(in_axis=0, out_axis=1)", "in_axis", 1 },
        { "eye(in_axis=0, out_axis=1)", "in_axis", 1 }, { "sparse(sparsity=0.5, groups=2)", "groups", 1 },
        { "variance_scaling(a=0.1)", "a=", 1 }, { "xavier_uniform(nonlinearity=relu)", "nonlinearity", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "does not take");
}
END_TEST

START_TEST(test_bad_number)
{
    static const errcase c[] = {
        { "normal(std=1e)", "1e", 1 }, { "normal(std=1e+)", "1e+", 1 }, { "normal(std=1.2.3)", "1.2.3", 1 },
        { "normal(std=--1)", "--1", 1 }, { "normal(std=0x10)", "0x10", 1 }, { "normal(std=1..2)", "1..2", 1 },
        { "normal(std=1e5.5)", "1e5.5", 1 }, { "normal(mean=+-1)", "+-1", 1 }, { "normal(mean=2*-+1)", "-+1", 1 },
        { "orthogonal(gain=sqrt(1e))", "sqrt(1e)", 1 }, { "orthogonal(gain=sqrt(1.2.3))", "sqrt(1.2.3)", 1 },
        { "normal(mean=1e5e5)", "1e5e5", 1 }, { "normal(mean=1_000)", "1_000", 1 }, { "normal(mean=.)", ".", 1 },
        { "normal(mean=1+2x)", "2x", 1 }, { "xavier_uniform(groups=2e)", "2e", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "bad number");
}
END_TEST

/* Words where a number goes are variables or functions: without variables, every
 * name is unknown (and inf, nan are names, not numbers). */
START_TEST(test_unknown_names)
{
    static const errcase var[] = {
        { "normal(std=abc)", "abc", 1 }, { "normal(std=inf)", "inf", 1 }, { "normal(mean=nan)", "nan", 1 },
        { "normal(mean=-inf)", "inf", 1 }, { "xavier_uniform(gain=abc)", "abc", 1 }, { "orthogonal(gain=sqrt(x))", "x", 1 },
        { "xavier_uniform(in_axis=a, out_axis=b)", "a", 3 }, { "normal(std=0.02/sqrt(2*l))", "l", 2 },
        { "normal(std=sqrt2)", "sqrt2", 1 }, { "dirac(groups=g)", "g", 2 },
    };
    run_class(var, N_OF(var), NNINIT_E_SPEC, "unknown variable");
    static const errcase fn[] = {
        { "normal(std=foo(2))", "foo", 1 }, { "normal(std=Sqrt(2))", "Sqrt", 1 }, { "normal(std=pow(2, 3))", "pow", 1 },
        { "normal(mean=1+abs (1))", "abs", 1 }, { "dirac(groups=ceil(1.5))", "ceil", 1 },
    };
    run_class(fn, N_OF(fn), NNINIT_E_SPEC, "unknown function");
    /* with variables, the message names the unknown one and lists those there are */
    static const nninit_var v[] = { { "n_layers", 12 }, { "hidden", 768 } };
    g_vars = v;
    g_n_vars = 2;
    static const errcase var2[] = {
        { "normal(std=0.02/sqrt(2*n_layer))", "n_layer", 1 }, { "normal(std=N_layers)", "N_layers", 1 },
        { "xavier_uniform(groups=hidden/heads)", "heads", 1 },
    };
    run_class(var2, N_OF(var2), NNINIT_E_SPEC, "unknown variable");
    run_class(var2, 1, NNINIT_E_SPEC, "'n_layer' in std (variables here: n_layers, hidden)");
    g_vars = NULL;
    g_n_vars = 0;
}
END_TEST

START_TEST(test_unknown_value)
{
    static const errcase c[] = {
        { "kaiming_normal(mode=fan_avg)", "fan_avg", 1 }, { "kaiming_uniform(mode=FAN_IN)", "FAN_IN", 1 },
        { "kaiming_normal(nonlinearity=gelu)", "gelu", 1 }, { "kaiming_normal(nonlinearity=Relu)", "Relu", 1 },
        { "variance_scaling(distribution=gaussian)", "gaussian", 1 }, { "variance_scaling(mode=avg)", "avg", 1 },
        { "xavier_uniform(layout=nchw)", "nchw", 1 }, { "xavier_uniform(layout=OIHW)", "OIHW", 1 },
        { "xavier_uniform(layout=axes)", "axes", 1 }, { "variance_scaling(distribution=truncated)", "truncated", 1 },
        { "he_normal(nonlinearity=leaky)", "leaky", 1 }, { "dirac(layout=nhwc)", "nhwc", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "unknown value");
}
END_TEST

START_TEST(test_duplicate)
{
    static const errcase c[] = {
        { "uniform(low=0, low=1)", "low", 2 }, { "kaiming_normal(mode=fan_in, mode=fan_in)", "mode", 2 },
        { "xavier_uniform(layout=hwio, layout=hwio)", "layout", 2 }, { "glorot_uniform(gain=1, gain=2)", "gain", 2 },
        { "lecun_normal(in_axis=0, out_axis=1, in_axis=0)", "in_axis", 2 }, { "dirac(groups=2, groups=2)", "groups", 2 },
        { "normal(std=1, mean=0, std=1)", "std", 2 }, { "constant(value=1,value=1)", "value", 2 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "duplicate parameter");
}
END_TEST

START_TEST(test_missing)
{
    static const errcase c[] = {
        { "constant", NULL, 0 }, { "constant()", NULL, 0 }, { "sparse", NULL, 0 }, { "sparse(std=0.1)", NULL, 0 },
        { "pytorch_default_bias", NULL, 0 }, { "pytorch_default_bias()", NULL, 0 },
        /* in_axis and out_axis go together */
        { "xavier_uniform(in_axis=0)", NULL, 0 }, { "xavier_uniform(out_axis=1)", NULL, 0 },
        { "orthogonal(in_axis=-1)", NULL, 0 }, { "dirac(out_axis=0, groups=2)", NULL, 0 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "missing parameter");
}
END_TEST

START_TEST(test_out_of_range)
{
    static const errcase c[] = {
        { "normal(std=-1)", "std=-1", 1 }, { "normal(std=-1e-300)", "std=-1e-300", 1 },
        { "trunc_normal(std=-0.5)", "std=-0.5", 1 }, { "sparse(sparsity=0.5, std=-1)", "std=-1", 1 },
        { "uniform(low=1, high=1)", NULL, 0 }, { "uniform(low=2, high=1)", NULL, 0 }, { "uniform(low=2)", NULL, 0 },
        { "trunc_normal(low=1, high=-1)", NULL, 0 }, { "trunc_normal(low=0.5, high=0.5)", NULL, 0 },
        { "trunc_normal(low=3)", NULL, 0 }, { "trunc_normal_sigma(lower=2, upper=-2)", NULL, 0 },
        { "sparse(sparsity=1.5)", "sparsity=1.5", 1 }, { "sparse(sparsity=-0.1)", "sparsity=-0.1", 1 },
        { "xavier_uniform(gain=0)", "gain=0", 1 }, { "xavier_normal(gain=-1)", "gain=-1", 1 },
        { "orthogonal(gain=0)", "gain=0", 1 },
        { "variance_scaling(scale=0)", "scale=0", 1 }, { "variance_scaling(scale=-1)", "scale=-1", 1 },
        { "xavier_uniform(groups=0)", "groups=0", 1 }, { "dirac(groups=-1)", "groups=-1", 1 },
        { "kaiming_normal(groups=-4)", "groups=-4", 1 }, { "pytorch_default_bias(fan_in=0)", "fan_in=0", 1 },
        { "pytorch_default_bias(fan_in=-3)", "fan_in=-3", 1 }, { "normal(mean=1e999)", "mean=1e999", 1 },
        { "constant(value=-1e999)", "value=-1e999", 1 }, { "uniform(high=1e999)", "high=1e999", 1 },
        { "xavier_uniform(gain=1e999)", "gain=1e999", 1 }, { "normal(std=1e400)", "std=1e400", 1 },
        { "kaiming_uniform(a=1e999)", "a=1e999", 1 }, { "orthogonal(gain=sqrt(1e999))", "gain=sqrt(1e999)", 1 },
        /* truncated normals need std > 0 (docs/SCHEMES.md) */
        { "trunc_normal(std=0)", "std=0", 1 }, { "trunc_normal_sigma(std=0)", "std=0", 1 },
        /* axes: within -8..7 and different */
        { "xavier_uniform(in_axis=8, out_axis=0)", "in_axis=8", 1 }, { "xavier_uniform(in_axis=0, out_axis=-9)", "out_axis=-9", 1 },
        { "kaiming_uniform(in_axis=1, out_axis=1)", NULL, 0 }, { "orthogonal(in_axis=-2, out_axis=-2)", NULL, 0 },
        { "orthogonal(gain=sqrt(-1))", "gain=sqrt(-1)", 1 }, { "xavier_uniform(groups=99999999999999999999999)", NULL, 0 },
        /* values computed by an expression: the range checks see the result */
        { "normal(std=0.1-0.2)", "std=0.1-0.2", 1 }, { "orthogonal(gain=-sqrt(2))", "gain=-sqrt(2)", 1 },
        { "uniform(low=1/2, high=2/4)", NULL, 0 }, { "xavier_uniform(groups=1-1)", "groups=1-1", 1 },
        { "xavier_uniform(in_axis=2*4, out_axis=0)", "in_axis=2*4", 1 },
    };
    run_class(c, N_OF(c), NNINIT_E_PARAM, "out of range");
}
END_TEST

START_TEST(test_conflicting)
{
    static const errcase c[] = {
        { "xavier_uniform(layout=hwio, in_axis=0, out_axis=1)", NULL, 0 },
        { "xavier_uniform(in_axis=0, out_axis=1, layout=oihw)", NULL, 0 },
        { "orthogonal(layout=hwio, in_axis=0, out_axis=-1)", NULL, 0 },
        { "lecun_normal(out_axis=0, layout=iohw, in_axis=1)", NULL, 0 },
        { "dirac(in_axis=1, out_axis=0, layout=hwio)", NULL, 0 },
        /* explicit axes take no groups (nninit.h) */
        { "xavier_uniform(in_axis=0, out_axis=1, groups=2)", NULL, 0 },
        { "dirac(groups=2, in_axis=1, out_axis=0)", NULL, 0 },
    };
    run_class(c, N_OF(c), NNINIT_E_SPEC, "conflicting parameters");
}
END_TEST

/* Rejected, but the class is not pinned by the grammar: any E_SPEC/E_PARAM with a proper
 * message. */
START_TEST(test_other_rejections)
{
    static const char *const specs[] = {
        /* a != 0 without leaky_relu (docs/SCHEMES.md: an error; the class is not given) */
        "kaiming_normal(a=0.1, nonlinearity=relu)", "he_uniform(nonlinearity=tanh, a=-1)",
        "kaiming_uniform(a=0.2, nonlinearity=linear)",
        "kaiming_normal(mode=1)", "xavier_uniform(layout=2)", "orthogonal(in_axis=0, out_axis=1, groups=2)",
        "normal(mean=sqrt)", "normal(mean=sqrt(2)x)", "orthogonal(gain=-sqrt(2))", "normal(mean=sqrt(2)", "normal(mean=sqrt2)",
        "normal(mean==1)", "normal(mean=\")",
    };
    for (size_t k = 0; k < N_OF(specs); k++) {
        nninit_scheme out;
        memset(&out, SENTINEL, sizeof out);
        char msg[MSGSZ];
        nninit_status st = nninit_scheme_parse(specs[k], &out, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_E_SPEC || st == NNINIT_E_PARAM, "parse(\"%s\") returned %s", specs[k],
                      nninit_status_str(st));
        char prefix[MSGSZ];
        snprintf(prefix, sizeof prefix, "init spec \"%s\": ", specs[k]);
        ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) == 0 && strlen(msg) > strlen(prefix),
                      "parse(\"%s\"): message \"%s\"", specs[k], msg);
        for (size_t i = 0; i < sizeof out; i++)
            ck_assert_msg(((unsigned char *)&out)[i] == SENTINEL, "parse(\"%s\") failed but wrote *out", specs[k]);
    }
}
END_TEST

START_TEST(test_parse_api_edges)
{
    nninit_scheme s;
    memset(&s, SENTINEL, sizeof s);
    char msg[MSGSZ] = "x";
    ck_assert_int_eq(nninit_scheme_parse(NULL, &s, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_scheme_parse("zeros", NULL, msg, sizeof msg), NNINIT_E_NULL);
    /* success clears the message; NULL msg with size 0 is fine */
    strcpy(msg, "stale");
    ck_assert_int_eq(nninit_scheme_parse("zeros", &s, msg, sizeof msg), NNINIT_OK);
    ck_assert_str_eq(msg, "");
    ck_assert_int_eq(nninit_scheme_parse("normal(std=2)", &s, NULL, 0), NNINIT_OK);
    ck_assert(s.std == 2);
    /* a long spec: the message is cut, not overrun */
    char longspec[2048];
    size_t n = (size_t)snprintf(longspec, sizeof longspec, "normal(mean=0");
    while (n + 20 < sizeof longspec) n += (size_t)snprintf(longspec + n, sizeof longspec - n, ", mean=0");
    snprintf(longspec + n, sizeof longspec - n, ")");
    char small[64];
    memset(small, 'X', sizeof small);
    ck_assert_int_eq(nninit_scheme_parse(longspec, &s, small, 48), NNINIT_E_SPEC);
    ck_assert(strlen(small) == 47 && small[48] == 'X');
}
END_TEST

/* ---- format --------------------------------------------------------------------------- */
START_TEST(test_format_roundtrip)
{
    static const char *const specs[] = {
        "zeros", "ones", "constant(value=-0.125)", "constant(value=0.1)", "constant(value=1e300)",
        "uniform(low=-0.3, high=0.7)", "uniform(low=0.1, high=0.30000000000000004)", "normal(mean=0.5, std=0.02)",
        "normal(std=0)", "trunc_normal(mean=0.1, std=0.02, low=-0.04, high=0.3)",
        "trunc_normal_sigma(mean=-1, std=3, lower=-1.5, upper=2.5)", "xavier_uniform(gain=sqrt(2), layout=hwio)",
        "xavier_normal(gain=1.6666666666666667, groups=4)", "kaiming_uniform(a=sqrt(5), mode=fan_out, layout=iohw, groups=2)",
        "kaiming_normal(mode=fan_out, nonlinearity=relu, layout=hwoi)", "kaiming_normal(nonlinearity=tanh)",
        "kaiming_normal(nonlinearity=selu)", "kaiming_uniform(nonlinearity=sigmoid)", "kaiming_uniform(nonlinearity=linear)",
        "kaiming_normal(nonlinearity=conv2d)", "kaiming_normal(a=0.01)", "lecun_uniform(in_axis=0, out_axis=-1)",
        "lecun_normal(layout=hwio)", "variance_scaling(scale=2, mode=fan_avg, distribution=uniform)",
        "variance_scaling(scale=0.1, mode=fan_out, distribution=normal)", "variance_scaling(distribution=untruncated_normal)",
        "variance_scaling(scale=3, in_axis=-3, out_axis=-1)", "orthogonal(gain=0.5, layout=hwio)",
        "orthogonal(in_axis=1, out_axis=0)", "eye", "dirac(groups=3)", "dirac(layout=hwio, groups=2)",
        "sparse(sparsity=0.9, std=0.5)", "sparse(sparsity=0)", "pytorch_default(layout=hwio, groups=2)",
        "pytorch_default", "pytorch_default_bias(fan_in=300)", "pytorch_default_bias(fan_in=4294967297)",
        "glorot_uniform(gain=0.1)", "he_normal(mode=fan_out)",
        /* found by fuzz_spec: a slope of -0 is read as 0, so the format (which omits a
         * unless leaky_relu) reads back to the same scheme */
        "he_uniform(a=-000,nonlinearity=relu)", "kaiming_normal(a=-0, nonlinearity=leaky_relu)",
        /* expressions: the formatter writes their values */
        "normal(std=0.02/sqrt(2*12))", "uniform(low=-1/sqrt(3), high=1/sqrt(3))", "constant(value=exp(1)^-2)",
        "kaiming_uniform(a=sqrt(5)*(1+1e-16), nonlinearity=leaky_relu)", "xavier_uniform(gain=log(10), groups=2*2)",
        "trunc_normal(std=min(0.02, 1/sqrt(768)), low=-2*0.02, high=max(2*0.02, 0))", "constant(value=-(0))",
        "lecun_normal(in_axis=-1+0, out_axis=2^1)", "pytorch_default_bias(fan_in=3*3*64)",
    };
    for (size_t k = 0; k < N_OF(specs); k++) {
        nninit_scheme a = must_parse(specs[k]);
        char buf[512];
        size_t len = nninit_scheme_format(&a, buf, sizeof buf);
        ck_assert_msg(len > 0 && len < sizeof buf && strlen(buf) == len, "format(\"%s\") returned %zu for \"%s\"", specs[k],
                      len, buf);
        nninit_scheme b = must_parse(buf);
        assert_same(specs[k], &a, buf, &b);
        char buf2[512];
        nninit_scheme_format(&b, buf2, sizeof buf2);
        ck_assert_msg(strcmp(buf, buf2) == 0, "format is not stable: \"%s\" then \"%s\"", buf, buf2);
        /* snprintf-like: the needed length whatever the buffer, output cut and terminated */
        ck_assert_uint_eq(nninit_scheme_format(&a, NULL, 0), len);
        char small[8];
        memset(small, 'X', sizeof small);
        ck_assert_uint_eq(nninit_scheme_format(&a, small, 5), len);
        ck_assert_msg(strlen(small) == (len < 4 ? len : 4) && strncmp(small, buf, strlen(small)) == 0 && small[5] == 'X',
                      "format(\"%s\", size 5) wrote \"%.8s\"", specs[k], small);
    }
    /* the canonical name comes out, aliases included */
    nninit_scheme g = must_parse("glorot_normal");
    char buf[256];
    nninit_scheme_format(&g, buf, sizeof buf);
    ck_assert_msg(strncmp(buf, "xavier_normal", 13) == 0, "format(glorot_normal) = \"%s\"", buf);
    /* an invalid scheme formats to nothing */
    nninit_scheme bad = nninit_scheme_default(NNINIT_SCHEME_ZEROS);
    bad.kind = NT_SCHEME_COUNT;
    ck_assert_uint_eq(nninit_scheme_format(&bad, buf, sizeof buf), 0);
    ck_assert_uint_eq(nninit_scheme_format(NULL, buf, sizeof buf), 0);
    /* every default formats and reads back */
    for (int k = 0; k < NT_SCHEME_COUNT; k++) {
        nninit_scheme d = nninit_scheme_default((nninit_scheme_kind)k);
        if (k == NNINIT_SCHEME_CONSTANT) d.value = 2;
        if (k == NNINIT_SCHEME_SPARSE) d.sparsity = 0.25;
        if (k == NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS) d.fan_in = 10;
        size_t len = nninit_scheme_format(&d, buf, sizeof buf);
        ck_assert_msg(len > 0 && len < sizeof buf, "format(default %s) returned %zu", canonical[k], len);
        nninit_scheme b = must_parse(buf);
        assert_same(canonical[k], &d, buf, &b);
    }
}
END_TEST

/* ---- shapes the schemes cannot take (plan and apply) ------------------------------------ */
static void expect_shape_fail(const char *spec, const int64_t *shape, int ndim, nninit_status want)
{
    nninit_scheme s = must_parse(spec);
    enum { BUFB = 4096 };
    unsigned char *buf = malloc(BUFB);
    ck_assert(buf);
    memset(buf, SENTINEL, BUFB);
    char msg[MSGSZ];
    nninit_rng rng = { 1, 2 };
    for (int d = 0; d < 4; d++) {
        msg[0] = '\0';
        nninit_status st = nninit_scheme_apply(buf, (nninit_dtype)d, shape, ndim, &s, rng, msg, sizeof msg);
        ck_assert_msg(st == want, "apply(\"%s\", ndim %d, dtype %d) returned %s, expected %s (%s)", spec, ndim, d,
                      nninit_status_str(st), nninit_status_str(want), msg);
        if (want == NNINIT_E_SHAPE)
            ck_assert_msg(strstr(msg, "shape") != NULL, "apply(\"%s\"): message \"%s\" lacks \"shape\"", spec, msg);
        for (size_t i = 0; i < BUFB; i++)
            ck_assert_msg(buf[i] == SENTINEL, "apply(\"%s\") failed but wrote the buffer (byte %zu)", spec, i);
    }
    nninit_plan p;
    memset(&p, SENTINEL, sizeof p);
    nninit_status st = nninit_scheme_plan(&s, shape, ndim, &p, msg, sizeof msg);
    ck_assert_msg(st == want, "plan(\"%s\", ndim %d) returned %s, expected %s (%s)", spec, ndim, nninit_status_str(st),
                  nninit_status_str(want), msg);
    if (want == NNINIT_E_SHAPE)
        ck_assert_msg(strstr(msg, "shape") != NULL, "plan(\"%s\"): message \"%s\" lacks \"shape\"", spec, msg);
    for (size_t i = 0; i < sizeof p; i++)
        ck_assert_msg(((unsigned char *)&p)[i] == SENTINEL, "plan(\"%s\") failed but wrote *plan", spec);
    /* nninit_init_msg: parse + apply, same answer */
    st = nninit_init_msg(buf, NNINIT_F32, shape, ndim, spec, rng, msg, sizeof msg);
    ck_assert_msg(st == want, "nninit_init_msg(\"%s\") returned %s", spec, nninit_status_str(st));
    st = nninit_init(buf, NNINIT_F32, shape, ndim, spec, rng);
    ck_assert_msg(st == want, "nninit_init(\"%s\") returned %s", spec, nninit_status_str(st));
    for (size_t i = 0; i < BUFB; i++) ck_assert_msg(buf[i] == SENTINEL, "nninit_init(\"%s\") failed but wrote", spec);
    free(buf);
}

#define SH(...) ((const int64_t[]){ __VA_ARGS__ })
#define NSH(...) (int)(sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))
#define SHAPE_FAIL(spec, ...) expect_shape_fail(spec, SH(__VA_ARGS__), NSH(__VA_ARGS__), NNINIT_E_SHAPE)

START_TEST(test_shape_errors)
{
    /* eye: 2-D only */
    SHAPE_FAIL("eye", 4);
    SHAPE_FAIL("eye", 2, 2, 2);
    expect_shape_fail("eye", NULL, 0, NNINIT_E_SHAPE);
    /* dirac: 3-D to 5-D, out channels divisible by groups */
    SHAPE_FAIL("dirac", 4, 4);
    SHAPE_FAIL("dirac", 4);
    SHAPE_FAIL("dirac", 2, 2, 1, 1, 1, 1);
    SHAPE_FAIL("dirac(groups=2)", 3, 2, 3);
    SHAPE_FAIL("dirac(groups=4)", 6, 2, 3, 3);
    /* sparse: 2-D only */
    SHAPE_FAIL("sparse(sparsity=0.5)", 16);
    SHAPE_FAIL("sparse(sparsity=0.5)", 4, 4, 3);
    /* orthogonal: at least 2-D */
    SHAPE_FAIL("orthogonal", 8);
    expect_shape_fail("orthogonal", NULL, 0, NNINIT_E_SHAPE);
    /* groups that do not divide the layout's channel axis */
    SHAPE_FAIL("xavier_uniform(groups=3)", 4, 2, 3);
    SHAPE_FAIL("kaiming_normal(layout=hwio, groups=3)", 3, 3, 2, 8);
    SHAPE_FAIL("lecun_uniform(layout=iohw, groups=5)", 8, 2, 3, 3);
    SHAPE_FAIL("variance_scaling(layout=hwoi, groups=2)", 3, 4, 5);
    SHAPE_FAIL("pytorch_default(groups=7)", 8, 1, 3);
    /* explicit axes out of range or equal */
    SHAPE_FAIL("xavier_uniform(in_axis=4, out_axis=0)", 2, 3, 4, 5);
    SHAPE_FAIL("xavier_uniform(in_axis=-5, out_axis=0)", 2, 3, 4, 5);
    SHAPE_FAIL("kaiming_uniform(in_axis=-3, out_axis=1)", 2, 3, 4, 5);
    SHAPE_FAIL("variance_scaling(in_axis=-1, out_axis=3)", 2, 3, 4, 5);
    SHAPE_FAIL("lecun_normal(in_axis=0, out_axis=2)", 6, 7);
    SHAPE_FAIL("orthogonal(in_axis=-3, out_axis=0)", 6, 7);
    /* orthogonal flattens around the out axis: it must be the first or the last */
    SHAPE_FAIL("orthogonal(in_axis=0, out_axis=1)", 4, 3, 5);
    SHAPE_FAIL("orthogonal(in_axis=1, out_axis=2)", 8, 4, 3, 3);
    /* every check also holds for tensors with no elements (docs/SCHEMES.md) */
    SHAPE_FAIL("eye", 0, 3, 1);
    SHAPE_FAIL("dirac(groups=3)", 4, 0, 3);
    SHAPE_FAIL("xavier_uniform(groups=3)", 4, 0, 3);
    /* ndim > 8 and negative sizes, for any scheme */
    static const char *const any[] = { "zeros", "normal", "uniform(low=-1, high=1)", "xavier_uniform", "kaiming_normal",
                                       "constant(value=3)", "variance_scaling", "pytorch_default_bias(fan_in=3)" };
    for (size_t k = 0; k < N_OF(any); k++) {
        SHAPE_FAIL(any[k], 1, 1, 1, 1, 1, 1, 1, 1, 1);
        SHAPE_FAIL(any[k], 4, -1);
        SHAPE_FAIL(any[k], -3);
        expect_shape_fail(any[k], SH(2, 2), -1, NNINIT_E_SHAPE);
    }
    /* shape NULL with ndim > 0 */
    nninit_scheme z = must_parse("zeros");
    char b[16];
    ck_assert_int_eq(nninit_scheme_apply(b, NNINIT_F32, NULL, 2, &z, (nninit_rng){ 0, 0 }, NULL, 0), NNINIT_E_NULL);
}
END_TEST

/* Schemes built as structs are checked at apply time too (NNINIT_E_PARAM). */
START_TEST(test_struct_param_errors)
{
    const int64_t shape[2] = { 8, 4 };
    struct { nninit_scheme s; const char *what; } bad[16];
    int n = 0;
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_NORMAL); bad[n].s.std = -1; bad[n++].what = "normal std -1";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_UNIFORM); bad[n].s.low = 1; bad[n].s.high = 0; bad[n++].what = "uniform 1..0";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_XAVIER_UNIFORM); bad[n].s.gain = 0; bad[n++].what = "xavier gain 0";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_XAVIER_NORMAL); bad[n].s.gain = NAN; bad[n++].what = "xavier gain NaN";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_VARIANCE_SCALING); bad[n].s.scale = -2; bad[n++].what = "scale -2";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_SPARSE); bad[n].s.sparsity = 2; bad[n++].what = "sparsity 2";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_CONSTANT); bad[n].s.value = INFINITY; bad[n++].what = "constant inf";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS); bad[n].s.fan_in = 0; bad[n++].what = "bias fan_in 0";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_KAIMING_NORMAL); bad[n].s.layout.kind = (nninit_layout_kind)9;
    bad[n++].what = "layout kind 9";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_LECUN_NORMAL); bad[n].s.layout.groups = -1; bad[n++].what = "groups -1";
    bad[n].s = nninit_scheme_default(NNINIT_SCHEME_KAIMING_UNIFORM); bad[n].s.mode = NNINIT_FAN_AVG;
    bad[n++].what = "kaiming mode fan_avg";
    for (int k = 0; k < n; k++) {
        float buf[32];
        memset(buf, SENTINEL, sizeof buf);
        char msg[MSGSZ];
        nninit_status st = nninit_scheme_apply(buf, NNINIT_F32, shape, 2, &bad[k].s, (nninit_rng){ 3, 4 }, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_E_PARAM, "apply(%s) returned %s (%s)", bad[k].what, nninit_status_str(st), msg);
        for (size_t i = 0; i < sizeof buf; i++)
            ck_assert_msg(((unsigned char *)buf)[i] == SENTINEL, "apply(%s) failed but wrote the buffer", bad[k].what);
        nninit_plan p;
        st = nninit_scheme_plan(&bad[k].s, shape, 2, &p, NULL, 0);
        ck_assert_msg(st == NNINIT_E_PARAM, "plan(%s) returned %s", bad[k].what, nninit_status_str(st));
    }
    /* an unknown scheme kind is rejected, not applied */
    nninit_scheme u = nninit_scheme_default(NNINIT_SCHEME_ZEROS);
    u.kind = NT_SCHEME_COUNT;
    float buf[32];
    memset(buf, SENTINEL, sizeof buf);
    ck_assert_msg(nninit_scheme_apply(buf, NNINIT_F32, shape, 2, &u, (nninit_rng){ 0, 0 }, NULL, 0) != NNINIT_OK,
                  "apply of an unknown kind succeeded");
    for (size_t i = 0; i < sizeof buf; i++) ck_assert(((unsigned char *)buf)[i] == SENTINEL);
    /* a bad spec through nninit_init leaves the buffer alone */
    ck_assert_int_eq(nninit_init(buf, NNINIT_F32, shape, 2, "normal(std=-1)", (nninit_rng){ 0, 0 }), NNINIT_E_PARAM);
    ck_assert_int_eq(nninit_init(buf, NNINIT_F32, shape, 2, "nonsense(", (nninit_rng){ 0, 0 }), NNINIT_E_SPEC);
    for (size_t i = 0; i < sizeof buf; i++) ck_assert(((unsigned char *)buf)[i] == SENTINEL);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("spec");
    TCase *tc = nt_tcase("spec");
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_default_values);
    tcase_add_test(tc, test_parse_defaults);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_parse_values);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_locale_independent);
    tcase_add_test(tc, test_whitespace);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_missing_value);
    tcase_add_test(tc, test_unknown_scheme);
    tcase_add_test(tc, test_unknown_parameter);
    tcase_add_test(tc, test_does_not_take);
    tcase_add_test(tc, test_bad_number);
    tcase_add_test(tc, test_unknown_names);
    tcase_add_test(tc, test_expr_values);
    tcase_add_test(tc, test_expr_integers);
    tcase_add_test(tc, test_expr_value_errors);
    tcase_add_test(tc, test_expr_api);
    tcase_add_test(tc, test_unknown_value);
    tcase_add_test(tc, test_duplicate);
    tcase_add_test(tc, test_missing);
    tcase_add_test(tc, test_out_of_range);
    tcase_add_test(tc, test_conflicting);
    tcase_add_test(tc, test_other_rejections);
    tcase_add_test(tc, test_parse_api_edges);
    tcase_add_test(tc, test_format_roundtrip);
    tcase_add_test(tc, test_shape_errors);
    tcase_add_test(tc, test_struct_param_errors);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
