/* The init spec string: parser and formatter (grammar in docs/SCHEMES.md).
 *
 *   spec   := ws name ws [ '(' ws [ param { ws ',' ws param } ] ws ')' ] ws
 *   param  := name ws '=' ws value
 *   value  := expr | word            (expr: common/expr.c; integer parameters need an integer value)
 *
 * Numbers are read and written in the "C" locale whatever the process's
 * locale, so a spec means the same thing everywhere. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "schemes.h"

#define format_c nninit_format_c_
#define strtod_c nninit_strtod_c_

/* ---- vocabularies ------------------------------------------------------------ */
static const struct { const char *name; nninit_scheme_kind kind; } k_aliases[] = {
    { "glorot_uniform", NNINIT_SCHEME_XAVIER_UNIFORM }, { "glorot_normal", NNINIT_SCHEME_XAVIER_NORMAL },
    { "he_uniform", NNINIT_SCHEME_KAIMING_UNIFORM }, { "he_normal", NNINIT_SCHEME_KAIMING_NORMAL },
};

enum vtype { V_NUMBER, V_INT, V_WORD };
/* Spec parameter names. Several names may set one scheme field (in_axis and
 * out_axis both make the layout explicit), hence ids beside the NNP_ bits. */
enum param_id {
    P_VALUE, P_MEAN, P_STD, P_LOW, P_HIGH, P_LOWER, P_UPPER, P_GAIN, P_A, P_MODE, P_NONLINEARITY, P_SCALE,
    P_DISTRIBUTION, P_SPARSITY, P_FAN_IN, P_LAYOUT, P_IN_AXIS, P_OUT_AXIS, P_GROUPS, N_PARAMS
};
static const struct { const char *name; unsigned bit; enum vtype type; } k_params[N_PARAMS] = {
    [P_VALUE] = { "value", NNP_VALUE, V_NUMBER }, [P_MEAN] = { "mean", NNP_MEAN, V_NUMBER },
    [P_STD] = { "std", NNP_STD, V_NUMBER }, [P_LOW] = { "low", NNP_LOW, V_NUMBER },
    [P_HIGH] = { "high", NNP_HIGH, V_NUMBER }, [P_LOWER] = { "lower", NNP_LOWER, V_NUMBER },
    [P_UPPER] = { "upper", NNP_UPPER, V_NUMBER }, [P_GAIN] = { "gain", NNP_GAIN, V_NUMBER },
    [P_A] = { "a", NNP_A, V_NUMBER }, [P_MODE] = { "mode", NNP_MODE, V_WORD },
    [P_NONLINEARITY] = { "nonlinearity", NNP_NONLINEARITY, V_WORD }, [P_SCALE] = { "scale", NNP_SCALE, V_NUMBER },
    [P_DISTRIBUTION] = { "distribution", NNP_DISTRIBUTION, V_WORD },
    [P_SPARSITY] = { "sparsity", NNP_SPARSITY, V_NUMBER }, [P_FAN_IN] = { "fan_in", NNP_FAN_IN, V_INT },
    [P_LAYOUT] = { "layout", NNP_LAYOUT, V_WORD }, [P_IN_AXIS] = { "in_axis", NNP_LAYOUT, V_INT },
    [P_OUT_AXIS] = { "out_axis", NNP_LAYOUT, V_INT }, [P_GROUPS] = { "groups", NNP_GROUPS, V_INT },
};

static const char *const k_modes[] = {
    [NNINIT_FAN_IN] = "fan_in", [NNINIT_FAN_OUT] = "fan_out", [NNINIT_FAN_AVG] = "fan_avg",
};
static const struct { const char *name; nninit_distribution d; } k_dists[] = {
    { "truncated_normal", NNINIT_DIST_TRUNCATED_NORMAL }, { "normal", NNINIT_DIST_NORMAL },
    { "untruncated_normal", NNINIT_DIST_NORMAL }, { "uniform", NNINIT_DIST_UNIFORM },
};

/* The canonical name of a distribution: its first entry in k_dists. */
static const char *dist_name(nninit_distribution d)
{
    for (size_t i = 0; i < sizeof k_dists / sizeof k_dists[0]; i++)
        if (k_dists[i].d == d) return k_dists[i].name;
    return NULL;
}

/* ---- "did you mean" in the parser's messages (src/common/suggest.c) ------------- */
/* "; did you mean 'NAME'?" into buf, or "" for no suggestion. */
static const char *did_you_mean(char *buf, size_t cap, const char *name)
{
    if (!name) return "";
    format_c(buf, cap, "; did you mean '%s'?", name);
    return buf;
}

static const char *scheme_suggest(const char *w, size_t len)
{
    enum { N_ALIASES = sizeof k_aliases / sizeof k_aliases[0] };
    const char *names[NNINIT_SCHEME_COUNT_ + N_ALIASES];
    for (int k = 0; k < NNINIT_SCHEME_COUNT_; k++) names[k] = nninit_schemes_[k].name;
    for (size_t i = 0; i < N_ALIASES; i++) names[NNINIT_SCHEME_COUNT_ + i] = k_aliases[i].name;
    return nninit_suggest_n_(w, len, names, NNINIT_SCHEME_COUNT_ + N_ALIASES);
}

/* Among the parameters the scheme takes (params: its NNP_ bits). */
static const char *param_suggest(const char *w, size_t len, unsigned params)
{
    const char *names[N_PARAMS];
    for (size_t i = 0; i < N_PARAMS; i++) names[i] = params & k_params[i].bit ? k_params[i].name : NULL;
    return nninit_suggest_n_(w, len, names, N_PARAMS);
}

static const char *dist_suggest(const char *w, size_t len)
{
    enum { N = sizeof k_dists / sizeof k_dists[0] };
    const char *names[N];
    for (size_t i = 0; i < N; i++) names[i] = k_dists[i].name;
    return nninit_suggest_n_(w, len, names, N);
}

/* ---- the parser (the tokenizer is common/scan.c, arithmetic common/expr.c) ---- */
typedef nninit_scan_ parser;

/* What a value may refer to: the caller's variables. NaN values are unknown:
 * values computed from them are NaN and left unchecked. */
typedef struct {
    const nninit_var *vars;
    size_t n_vars;
    int unknown;        /* a value came out unknown */
} scope;

static nninit_status parse_number(parser *p, scope *sc, const char *pname, double *out)
{
    double v;
    FORWARD_IF_ERROR(nninit_scan_expr_(p, sc->vars, sc->n_vars, pname, &v));
    if (isnan(v)) sc->unknown = 1;
    *out = v;
    return NNINIT_OK;
}

/* [ws] [+-] digits [ws]: an integer written out, read exactly (all of int64). */
static int int_literal(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    while (i < len && isspace((unsigned char)s[i])) i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') { i++; digits++; }
    while (i < len && isspace((unsigned char)s[i])) i++;
    return digits > 0 && i == len;
}

/* An integer parameter: an expression whose value is an integer of at most
 * 2^53 in magnitude (where doubles hold every integer, so the arithmetic that
 * led to it was exact), or a plain integer literal, read exactly. */
static nninit_status parse_int(parser *p, scope *sc, const char *pname, long long *out)
{
    size_t start = p->pos;
    double v;
    FORWARD_IF_ERROR(nninit_scan_expr_(p, sc->vars, sc->n_vars, pname, &v));
    if (int_literal(p->s + start, p->pos - start)) {
        char buf[32];
        size_t i = start, n = 0;
        while (isspace((unsigned char)p->s[i])) i++;
        while (n + 1 < sizeof buf && i < p->pos && !isspace((unsigned char)p->s[i])) buf[n++] = p->s[i++];
        buf[n] = '\0';
        if (i < p->pos && !isspace((unsigned char)p->s[i]))
            return nninit_scan_fail_(p, NNINIT_E_PARAM, start, "%s out of range: too many digits", pname);
        errno = 0;
        long long iv = strtoll(buf, NULL, 10);
        if (errno == ERANGE) return nninit_scan_fail_(p, NNINIT_E_PARAM, start, "%s out of range: %s", pname, buf);
        *out = iv;
        return NNINIT_OK;
    }
    if (isnan(v)) { sc->unknown = 1; *out = 0; return NNINIT_OK; }
    if (v != floor(v))
        return nninit_scan_fail_(p, NNINIT_E_PARAM, start, "%s out of range: %.17g is not an integer", pname, v);
    if (fabs(v) > 9007199254740992.0)
        return nninit_scan_fail_(p, NNINIT_E_PARAM, start, "%s out of range: %.17g is beyond 2^53 (an integer this "
                                 "large must be written out)", pname, v);
    *out = (long long)v;
    return NNINIT_OK;
}

static nninit_status parse_word(parser *p, const char *pname, const char *scheme_name, nninit_scheme *s)
{
    size_t at = p->pos, len = nninit_scan_ident_(p);
    const char *w = p->s + at;
    char hint[96];
    if (len == 0)
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "unknown value '%.*s' for %s", nninit_scan_extent_(p, at), w, pname);
    p->pos += len;
    if (strcmp(pname, "mode") == 0) {
        int vs = s->kind == NNINIT_SCHEME_VARIANCE_SCALING;
        for (int i = 0; i < (vs ? 3 : 2); i++)
            if (nninit_word_is_(w, len, k_modes[i])) { s->mode = (nninit_fan_mode)i; return NNINIT_OK; }
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "unknown value '%.*s' for mode of %s%s (expected %s)", (int)len,
                    w, scheme_name, did_you_mean(hint, sizeof hint, nninit_suggest_n_(w, len, k_modes, vs ? 3 : 2)),
                    vs ? "fan_in, fan_out or fan_avg" : "fan_in or fan_out");
    }
    if (strcmp(pname, "nonlinearity") == 0) {
        if (nninit_nonlinearity_lookup_(w, len, &s->nonlinearity)) return NNINIT_OK;
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "unknown value '%.*s' for nonlinearity%s (expected %s)", (int)len,
                    w, did_you_mean(hint, sizeof hint, nninit_nonlinearity_suggest_(w, len)),
                    nninit_nonlinearity_names_text_);
    }
    if (strcmp(pname, "distribution") == 0) {
        for (size_t i = 0; i < sizeof k_dists / sizeof k_dists[0]; i++)
            if (nninit_word_is_(w, len, k_dists[i].name)) { s->distribution = k_dists[i].d; return NNINIT_OK; }
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "unknown value '%.*s' for distribution%s (expected "
                    "truncated_normal, normal, untruncated_normal or uniform)", (int)len, w,
                    did_you_mean(hint, sizeof hint, dist_suggest(w, len)));
    }
    /* layout */
    if (nninit_layout_lookup_(w, len, &s->layout.kind)) return NNINIT_OK;
    return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "unknown value '%.*s' for layout%s (expected %s; "
                "or give in_axis and out_axis)", (int)len, w, did_you_mean(hint, sizeof hint, nninit_layout_suggest_(w, len)),
                nninit_layout_names_text_);
}

nninit_status nninit_scheme_parse_(const char *spec, const nninit_var *vars, size_t n_vars, unsigned *named,
                                   int *unknown, nninit_scheme *out, char *msg, size_t msg_size)
{
    parser p = { spec ? spec : "", 0, msg, msg_size, "init spec" };
    scope sc = { vars, n_vars, 0 };
    unsigned seen_bits = 0;
    size_t at_param[N_PARAMS], end_col;
    int seen[N_PARAMS] = { 0 };
    if (msg && msg_size > 0) msg[0] = '\0';
    if (!spec || !out) return nninit_scan_fail_(&p, NNINIT_E_NULL, 0, "NULL spec or output");

    nninit_scan_ws_(&p);
    size_t at = p.pos, len = nninit_scan_ident_(&p);
    if (len == 0)
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, p.s[at] ? "syntax error: expected a scheme name"
                                                   : "syntax error: empty spec (expected a scheme name)");
    int kind = -1;
    for (int k = 0; k < NNINIT_SCHEME_COUNT_; k++)
        if (nninit_word_is_(p.s + at, len, nninit_schemes_[k].name)) kind = k;
    for (size_t i = 0; i < sizeof k_aliases / sizeof k_aliases[0]; i++)
        if (nninit_word_is_(p.s + at, len, k_aliases[i].name)) kind = k_aliases[i].kind;
    if (kind < 0) {
        char hint[96];
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, "unknown scheme '%.*s'%s (`nninit schemes` lists them)", (int)len,
                                 p.s + at, did_you_mean(hint, sizeof hint, scheme_suggest(p.s + at, len)));
    }
    p.pos += len;
    const char *sname = nninit_schemes_[kind].name;
    const nninit_scheme_info_ *info = &nninit_schemes_[kind];
    nninit_scheme s = nninit_scheme_default(kind);
    long long in_axis = 0, out_axis = 0;

    nninit_scan_ws_(&p);
    if (p.s[p.pos] == '(') {
        p.pos++;
        nninit_scan_ws_(&p);
        if (p.s[p.pos] == ')') p.pos++;
        else for (;;) {
            nninit_scan_ws_(&p);
            at = p.pos;
            len = nninit_scan_ident_(&p);
            if (len == 0) return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, "syntax error: expected a parameter name");
            size_t pi = N_PARAMS;
            for (size_t i = 0; i < N_PARAMS; i++) if (nninit_word_is_(p.s + at, len, k_params[i].name)) pi = i;
            if (pi == N_PARAMS) {
                char hint[96];
                return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, "unknown parameter '%.*s'%s", (int)len, p.s + at,
                                         did_you_mean(hint, sizeof hint, param_suggest(p.s + at, len, info->params)));
            }
            if (!(info->params & k_params[pi].bit))
                return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, "%s does not take parameter '%s'", sname, k_params[pi].name);
            if (seen[pi]) return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, "duplicate parameter '%s'", k_params[pi].name);
            seen[pi] = 1;
            at_param[pi] = at;
            p.pos += len;
            nninit_scan_ws_(&p);
            if (p.s[p.pos] != '=')
                return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: expected '=' after '%s'", k_params[pi].name);
            p.pos++;
            nninit_scan_ws_(&p);
            if (p.s[p.pos] == ',' || p.s[p.pos] == ')' || !p.s[p.pos])
                return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: expected a value after '%s='", k_params[pi].name);
            const char *pn = k_params[pi].name;
            nninit_status st = NNINIT_OK;
            double v = 0;
            long long iv = 0;
            int unknown_before = sc.unknown;
            sc.unknown = 0;
            switch (k_params[pi].type) {
            case V_NUMBER: st = parse_number(&p, &sc, pn, &v); break;
            case V_INT: st = parse_int(&p, &sc, pn, &iv); break;
            case V_WORD: st = parse_word(&p, pn, sname, &s); break;
            }
            if (st != NNINIT_OK) return st;
            seen_bits |= k_params[pi].bit;
            int known = !sc.unknown;
            sc.unknown |= unknown_before;
            switch (k_params[pi].bit) {
            case NNP_VALUE: s.value = v; break;
            case NNP_MEAN: s.mean = v; break;
            case NNP_STD: s.std = v; break;
            case NNP_LOW: case NNP_LOWER: s.low = v; break;
            case NNP_HIGH: case NNP_UPPER: s.high = v; break;
            case NNP_GAIN: s.gain = v; break;
            case NNP_A: s.a = v == 0 ? 0.0 : v; break;   /* a slope of -0 is 0: only its square is read */
            case NNP_SCALE: s.scale = v; break;
            case NNP_SPARSITY: s.sparsity = v; break;
            case NNP_FAN_IN: s.fan_in = iv; break;
            case NNP_GROUPS:
                if (known && iv < 1) return nninit_scan_fail_(&p, NNINIT_E_PARAM, at, "groups out of range: must be >= 1 (got %lld)", iv);
                s.layout.groups = iv;
                break;
            case NNP_LAYOUT:
                if (pi == P_IN_AXIS || pi == P_OUT_AXIS) {
                    if (known && (iv < -NNINIT_MAX_DIMS || iv >= NNINIT_MAX_DIMS))
                        return nninit_scan_fail_(&p, NNINIT_E_PARAM, at, "%s out of range: must be in -%d..%d", pn,
                                    NNINIT_MAX_DIMS, NNINIT_MAX_DIMS - 1);
                    *(pi == P_IN_AXIS ? &in_axis : &out_axis) = iv;
                }
                break;
            default: break;
            }
            nninit_scan_ws_(&p);
            if (p.s[p.pos] == ',') { p.pos++; continue; }
            if (p.s[p.pos] == ')') { p.pos++; break; }
            return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, p.s[p.pos] ? "syntax error: expected ',' or ')' but found '%c'"
                                                             : "syntax error: expected ',' or ')' before the end%c",
                        p.s[p.pos] ? p.s[p.pos] : ' ');
        }
    }
    nninit_scan_ws_(&p);
    if (p.s[p.pos])
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: unexpected '%c' after the spec", p.s[p.pos]);
    end_col = p.pos;

    /* Required parameters and the explicit-axes pair. */
    for (size_t i = 0; i < N_PARAMS; i++)
        if ((info->required & k_params[i].bit) && !seen[i])
            return nninit_scan_fail_(&p, NNINIT_E_SPEC, end_col, "missing parameter '%s' (%s needs it)", k_params[i].name, sname);
    if (seen[P_IN_AXIS] != seen[P_OUT_AXIS])
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, at_param[seen[P_IN_AXIS] ? P_IN_AXIS : P_OUT_AXIS],
                    "missing parameter '%s' (in_axis and out_axis go together)",
                    seen[P_IN_AXIS] ? "out_axis" : "in_axis");
    if (seen[P_IN_AXIS]) {
        if (seen[P_LAYOUT])
            return nninit_scan_fail_(&p, NNINIT_E_SPEC, at_param[P_LAYOUT],
                        "conflicting parameters: layout= and in_axis/out_axis both set the layout");
        if (seen[P_GROUPS])
            return nninit_scan_fail_(&p, NNINIT_E_SPEC, at_param[P_GROUPS],
                        "conflicting parameters: explicit in_axis/out_axis take no groups");
        s.layout.kind = NNINIT_LAYOUT_AXES;
        s.layout.in_axis = (int)in_axis;
        s.layout.out_axis = (int)out_axis;
        if (in_axis == out_axis && !sc.unknown)
            return nninit_scan_fail_(&p, NNINIT_E_PARAM, at_param[P_OUT_AXIS], "out_axis out of range: equals in_axis");
    }

    /* Ranges, with the column of the parameter at fault (not knowable while
     * a value is unknown). */
    unsigned bad;
    char why[200];
    nninit_status st = sc.unknown ? NNINIT_OK : nninit_scheme_check_(&s, &bad, why, sizeof why);
    if (st != NNINIT_OK) {
        size_t col = end_col;
        for (size_t i = 0; i < N_PARAMS; i++) if ((k_params[i].bit & bad) && seen[i]) { col = at_param[i]; break; }
        return nninit_scan_fail_(&p, st, col, "%s", why);
    }
    if (named) *named = seen_bits;
    if (unknown) *unknown = sc.unknown;
    *out = s;
    return NNINIT_OK;
}

nninit_status nninit_scheme_parse(const char *spec, nninit_scheme *out, char *msg, size_t msg_size)
{
    return nninit_scheme_parse_(spec, NULL, 0, NULL, NULL, out, msg, msg_size);
}

nninit_status nninit_scheme_parse_vars(const char *spec, const nninit_var *vars, size_t n_vars, nninit_scheme *out,
                                       char *msg, size_t msg_size)
{
    char why[200];
    nninit_msg_clear_(msg, msg_size);
    nninit_status st = nninit_vars_check_(vars, n_vars, why, sizeof why);
    if (st != NNINIT_OK) {
        size_t len = spec ? strlen(spec) : 0;
        return nninit_fail_(st, msg, msg_size, "init spec \"%.*s%s\": %s", len > 120 ? 117 : (int)len, spec ? spec : "",
                            len > 120 ? "..." : "", why);
    }
    return nninit_scheme_parse_(spec, vars, n_vars, NULL, NULL, out, msg, msg_size);
}

/* ---- the formatter ---------------------------------------------------------------- */
/* Shortest %.Ng that reads back as the same double. */
static void fmt_double(char *buf, size_t cap, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        format_c(buf, cap, "%.*g", prec, v);
        if (strtod_c(buf, NULL) == v) return;
    }
}

typedef struct { char *buf; size_t cap, len; int nparams; } outbuf;

static void emit(outbuf *o, const char *key, const char *val)
{
    size_t n = format_c(o->len < o->cap ? o->buf + o->len : NULL, o->len < o->cap ? o->cap - o->len : 0, "%s%s=%s",
                        o->nparams ? ", " : "(", key, val);
    o->len += n;
    o->nparams++;
}

static void emit_num(outbuf *o, const char *key, double v)
{
    char num[40];
    fmt_double(num, sizeof num, v);
    emit(o, key, num);
}

static void emit_int(outbuf *o, const char *key, long long v)
{
    char num[32];
    format_c(num, sizeof num, "%lld", v);
    emit(o, key, num);
}

size_t nninit_scheme_format(const nninit_scheme *s, char *buf, size_t buf_size)
{
    unsigned bad;
    if (!s || nninit_scheme_check_(s, &bad, NULL, 0) != NNINIT_OK) {
        if (buf && buf_size) buf[0] = '\0';
        return 0;
    }
    const nninit_scheme_info_ *info = &nninit_schemes_[s->kind];
    outbuf o = { buf, buf ? buf_size : 0, 0, 0 };
    o.len = format_c(o.cap ? o.buf : NULL, o.cap, "%s", info->name);
    unsigned p = info->params;
    if (p & NNP_VALUE) emit_num(&o, "value", s->value);
    if (p & NNP_MEAN) emit_num(&o, "mean", s->mean);
    if (p & NNP_SPARSITY) emit_num(&o, "sparsity", s->sparsity);
    if (p & NNP_STD) emit_num(&o, "std", s->std);
    if (p & NNP_LOW) { emit_num(&o, "low", s->low); emit_num(&o, "high", s->high); }
    if (p & NNP_LOWER) { emit_num(&o, "lower", s->low); emit_num(&o, "upper", s->high); }
    if (p & NNP_GAIN) emit_num(&o, "gain", s->gain);
    if ((p & NNP_A) && s->nonlinearity == NNINIT_NL_LEAKY_RELU) emit_num(&o, "a", s->a);
    if (p & NNP_SCALE) emit_num(&o, "scale", s->scale);
    if (p & NNP_MODE) emit(&o, "mode", k_modes[s->mode]);
    if (p & NNP_NONLINEARITY) emit(&o, "nonlinearity", nninit_nonlinearity_name_(s->nonlinearity));
    if (p & NNP_DISTRIBUTION) emit(&o, "distribution", dist_name(s->distribution));
    if (p & NNP_FAN_IN) emit_int(&o, "fan_in", s->fan_in);
    if (p & NNP_LAYOUT) {
        if (s->layout.kind == NNINIT_LAYOUT_AXES) {
            emit_int(&o, "in_axis", s->layout.in_axis);
            emit_int(&o, "out_axis", s->layout.out_axis);
        } else if (s->layout.kind != NNINIT_LAYOUT_OIHW) {
            emit(&o, "layout", nninit_layout_name_(s->layout.kind));
        }
    }
    if ((p & NNP_GROUPS) && s->layout.groups > 1) emit_int(&o, "groups", s->layout.groups);
    if (o.nparams) o.len += format_c(o.len < o.cap ? o.buf + o.len : NULL, o.len < o.cap ? o.cap - o.len : 0, ")");
    return o.len;
}
