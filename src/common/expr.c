/* Arithmetic in spec strings (docs/SCHEMES.md, "Arithmetic"):
 *
 *   sum     := term { ('+' | '-') term }
 *   term    := unary { ('*' | '/') unary }
 *   unary   := [ '+' | '-' ] power                  (one sign: "--1" is refused)
 *   power   := primary [ '^' unary ]                (right-associative, above the sign: -2^2 = -4)
 *   primary := number | variable | function '(' sum { ',' sum } ')' | '(' sum ')'
 *
 * The value is the double that C gives for the same expression written over
 * double literals: operands evaluated left to right, each operation rounded
 * once to binary64 (the library is compiled with -ffp-contract=off, so no
 * operation is fused), pow() for '^', libm's sqrt, exp and log. Hence
 * "0.02/sqrt(2*12)" has the bits of the C expression 0.02/sqrt(24.0).
 *
 * A step that leaves the reals or the doubles is an error at its column:
 * division by zero, sqrt or log of a negative number, log of zero, a NaN or
 * an infinite result. A variable whose value is NaN is "unknown" (a rule's
 * capture before a tensor binds it): everything computed from it is NaN and
 * unchecked, so a caller can check a spec's syntax and names without values.
 * The tokenizer is scan.c's. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "common.h"

/* Parentheses, calls and '^' nest at most this deep (the parser recurses). */
#define MAX_DEPTH 64
#define NUM_MAX 64            /* longest number token */

enum { F_SQRT, F_EXP, F_LOG, F_MIN, F_MAX, N_FUNCS };
static const char *const k_funcs[N_FUNCS] = { "sqrt", "exp", "log", "min", "max" };
const char nninit_expr_functions_text_[] = "sqrt, exp, log, min, max";

int nninit_expr_function_(const char *w, size_t len)
{
    for (int f = 0; f < N_FUNCS; f++)
        if (nninit_word_is_(w, len, k_funcs[f])) return f;
    return -1;
}

typedef struct {
    nninit_scan_ *p;
    const nninit_var *vars;
    size_t n_vars;
    const char *pname;   /* what the value is for, in messages ("std"), or NULL */
    int depth;
} ectx;

static nninit_status sum(ectx *e, double *v);
static nninit_status unary(ectx *e, double *v);

/* NNINIT_E_PARAM: the value leaves the reals or the doubles. */
static nninit_status value_fail(const ectx *e, size_t at, const char *fmt, ...) NNINIT_PRINTF_(3, 4);
static nninit_status value_fail(const ectx *e, size_t at, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    nninit_vformat_c_(why, sizeof why, fmt, ap);
    va_end(ap);
    if (e->pname) return nninit_scan_fail_(e->p, NNINIT_E_PARAM, at, "%s out of range: %s", e->pname, why);
    return nninit_scan_fail_(e->p, NNINIT_E_PARAM, at, "%s", why);
}

static const char *for_(const ectx *e) { return e->pname ? " for " : ""; }
static const char *pname_(const ectx *e) { return e->pname ? e->pname : ""; }

static nninit_status enter(ectx *e, size_t at)
{
    if (++e->depth > MAX_DEPTH)
        return nninit_scan_fail_(e->p, NNINIT_E_SPEC, at, "syntax error: expression nested more than %d deep", MAX_DEPTH);
    return NNINIT_OK;
}

/* a OP b, one rounding; errors at the operator's column. */
static nninit_status apply(const ectx *e, char op, size_t at, double a, double b, double *out)
{
    if (isnan(a) || isnan(b)) { *out = NAN; return NNINIT_OK; }
    double r;
    switch (op) {
    case '+': r = a + b; break;
    case '-': r = a - b; break;
    case '*': r = a * b; break;
    case '/':
        if (b == 0) return value_fail(e, at, "division by zero");
        r = a / b;
        break;
    default:   /* '^' */
        if (a == 0 && b < 0) return value_fail(e, at, "division by zero (0 ^ %.17g)", b);
        r = pow(a, b);
        if (isnan(r)) return value_fail(e, at, "%.17g ^ %.17g is not a real number", a, b);
        break;
    }
    if (!isfinite(r)) return value_fail(e, at, "%.17g %c %.17g overflows", a, op, b);
    *out = r;
    return NNINIT_OK;
}

static nninit_status literal(ectx *e, double *v)
{
    nninit_scan_ *p = e->p;
    size_t start = p->pos, len = nninit_number_len_(p->s + start, 0);
    char c = p->s[start + len];
    if (len == 0 || nninit_ident_char_(c) || c == '.')
        return nninit_scan_fail_(p, NNINIT_E_SPEC, start, "bad number '%.*s'%s%s", nninit_scan_extent_(p, start),
                                 p->s + start, for_(e), pname_(e));
    if (len >= NUM_MAX)
        return nninit_scan_fail_(p, NNINIT_E_SPEC, start, "bad number '%.40s...'%s%s (too long)", p->s + start, for_(e),
                                 pname_(e));
    char buf[NUM_MAX];
    memcpy(buf, p->s + start, len);
    buf[len] = '\0';
    char *end;
    double x = nninit_strtod_c_(buf, &end);
    if (end != buf + len)
        return nninit_scan_fail_(p, NNINIT_E_SPEC, start, "bad number '%s'%s%s", buf, for_(e), pname_(e));
    if (!isfinite(x)) return value_fail(e, start, "%s is not a finite number", buf);
    p->pos += len;
    *v = x;
    return NNINIT_OK;
}

static nninit_status unknown_variable(const ectx *e, size_t at, const char *w, size_t len)
{
    char known[160];
    size_t k = 0;
    known[0] = '\0';
    for (size_t i = 0; i < e->n_vars && k + 1 < sizeof known; i++)
        k += nninit_format_c_(known + k, sizeof known - k, "%s%s", i ? ", " : "", e->vars[i].name);
    if (k >= sizeof known) memcpy(known + sizeof known - 4, "...", 4);
    if (e->n_vars)
        return nninit_scan_fail_(e->p, NNINIT_E_SPEC, at, "unknown variable '%.*s'%s%s (variables here: %s)", (int)len,
                                 w, e->pname ? " in " : "", pname_(e), known);
    return nninit_scan_fail_(e->p, NNINIT_E_SPEC, at, "unknown variable '%.*s'%s%s (no variables are defined here)",
                             (int)len, w, e->pname ? " in " : "", pname_(e));
}

/* f '(' args ')': at is the function name's column, p->pos the '('. */
static nninit_status call(ectx *e, int f, size_t at, double *v)
{
    nninit_scan_ *p = e->p;
    const char *name = k_funcs[f];
    FORWARD_IF_ERROR(enter(e, p->pos));
    p->pos++;
    int n = 0, unary_f = f == F_SQRT || f == F_EXP || f == F_LOG;
    double r = 0;
    for (;;) {
        double x;
        FORWARD_IF_ERROR(sum(e, &x));
        if (n++ == 0) r = x;
        else if (isnan(r) || isnan(x)) r = NAN;
        else if (f == F_MIN ? x < r : x > r) r = x;   /* the first of the smallest (largest) */
        nninit_scan_ws_(p);
        char c = p->s[p->pos];
        if (c == ')') { p->pos++; break; }
        if (c == ',' && !unary_f) { p->pos++; continue; }
        if (c == ',')
            return nninit_scan_fail_(p, NNINIT_E_SPEC, p->pos, "syntax error: %s takes one argument", name);
        return nninit_scan_fail_(p, NNINIT_E_SPEC, p->pos, c ? "syntax error: expected ')' to close %s( but found '%c'"
                                                             : "syntax error: expected ')' to close %s(%c",
                                 name, c ? c : ' ');
    }
    e->depth--;
    if (!unary_f && n < 2)
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "syntax error: %s takes two or more arguments", name);
    if (isnan(r)) { *v = NAN; return NNINIT_OK; }
    switch (f) {
    case F_SQRT:
        if (r < 0) return value_fail(e, at, "sqrt of a negative number");
        r = sqrt(r);
        break;
    case F_LOG:
        if (r < 0) return value_fail(e, at, "log of a negative number");
        if (r == 0) return value_fail(e, at, "log of zero");
        r = log(r);
        break;
    case F_EXP: {
        double x = r;
        r = exp(x);
        if (!isfinite(r)) return value_fail(e, at, "exp(%.17g) overflows", x);
        break;
    }
    default: break;
    }
    *v = r;
    return NNINIT_OK;
}

static nninit_status primary(ectx *e, double *v)
{
    nninit_scan_ *p = e->p;
    nninit_scan_ws_(p);
    size_t at = p->pos;
    char c = p->s[at];
    if (c == '(') {
        FORWARD_IF_ERROR(enter(e, at));
        p->pos++;
        FORWARD_IF_ERROR(sum(e, v));
        nninit_scan_ws_(p);
        if (p->s[p->pos] != ')')
            return nninit_scan_fail_(p, NNINIT_E_SPEC, p->pos, "syntax error: expected ')' to close the '(' at column %zu",
                                     at + 1);
        p->pos++;
        e->depth--;
        return NNINIT_OK;
    }
    if ((c >= '0' && c <= '9') || c == '.') return literal(e, v);
    size_t len = nninit_scan_ident_(p);
    if (len == 0)
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, c ? "syntax error: expected a number, a variable or '(' but "
                                                           "found '%c'"
                                                         : "syntax error: expected a number, a variable or '(' "
                                                           "before the end%c",
                                 c ? c : ' ');
    const char *w = p->s + at;
    int f = nninit_expr_function_(w, len);
    p->pos += len;
    size_t after = p->pos;
    nninit_scan_ws_(p);
    if (p->s[p->pos] == '(') {
        if (f < 0)
            return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "unknown function '%.*s' (functions: %s)", (int)len, w,
                                     nninit_expr_functions_text_);
        return call(e, f, at, v);
    }
    if (f >= 0) return nninit_scan_fail_(p, NNINIT_E_SPEC, p->pos, "syntax error: expected '(' after %s", k_funcs[f]);
    p->pos = after;
    for (size_t i = 0; i < e->n_vars; i++)
        if (nninit_word_is_(w, len, e->vars[i].name)) { *v = e->vars[i].value; return NNINIT_OK; }
    return unknown_variable(e, at, w, len);
}

static nninit_status power(ectx *e, double *v)
{
    nninit_scan_ *p = e->p;
    FORWARD_IF_ERROR(primary(e, v));
    nninit_scan_ws_(p);
    if (p->s[p->pos] != '^') return NNINIT_OK;
    size_t at = p->pos++;
    double b;
    FORWARD_IF_ERROR(enter(e, at));
    FORWARD_IF_ERROR(unary(e, &b));
    e->depth--;
    return apply(e, '^', at, *v, b, v);
}

static nninit_status unary(ectx *e, double *v)
{
    nninit_scan_ *p = e->p;
    nninit_scan_ws_(p);
    size_t at = p->pos;
    char sign = p->s[at];
    if (sign != '-' && sign != '+') return power(e, v);
    p->pos++;
    nninit_scan_ws_(p);
    if (p->s[p->pos] == '-' || p->s[p->pos] == '+')
        return nninit_scan_fail_(p, NNINIT_E_SPEC, at, "bad number '%.*s'%s%s (two signs in a row)",
                                 nninit_scan_extent_(p, at), p->s + at, for_(e), pname_(e));
    FORWARD_IF_ERROR(power(e, v));
    if (sign == '-') *v = -*v;
    return NNINIT_OK;
}

/* One left-associative level: operand (op operand)*, ops its two operators. */
static nninit_status level(ectx *e, double *v, const char ops[2], nninit_status (*operand)(ectx *, double *))
{
    nninit_scan_ *p = e->p;
    FORWARD_IF_ERROR(operand(e, v));
    for (;;) {
        nninit_scan_ws_(p);
        char op = p->s[p->pos];
        if (op != ops[0] && op != ops[1]) return NNINIT_OK;
        size_t at = p->pos++;
        double b;
        FORWARD_IF_ERROR(operand(e, &b));
        FORWARD_IF_ERROR(apply(e, op, at, *v, b, v));
    }
}

static nninit_status term(ectx *e, double *v) { return level(e, v, "*/", unary); }
static nninit_status sum(ectx *e, double *v) { return level(e, v, "+-", term); }

nninit_status nninit_scan_expr_(nninit_scan_ *p, const nninit_var *vars, size_t n_vars, const char *pname, double *out)
{
    ectx e = { p, vars, n_vars, pname, 0 };
    double v;
    FORWARD_IF_ERROR(sum(&e, &v));
    *out = v;
    return NNINIT_OK;
}

int nninit_var_name_ok_(const char *name)
{
    if (!name || !nninit_ident0_(name[0])) return 0;
    for (const char *c = name; *c; c++)
        if (!nninit_ident_char_(*c)) return 0;
    return 1;
}

nninit_status nninit_vars_check_(const nninit_var *vars, size_t n, char *why, size_t why_size)
{
    if (!vars && n > 0) return nninit_fail_(NNINIT_E_NULL, why, why_size, "NULL variables");
    for (size_t i = 0; i < n; i++) {
        const char *name = vars[i].name;
        if (!nninit_var_name_ok_(name))
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "variable %zu: %s%.40s%s is not a name ([A-Za-z_][A-Za-z0-9_]*)",
                                i, name ? "\"" : "", name ? name : "NULL", name ? "\"" : "");
        if (nninit_expr_function_(name, strlen(name)) >= 0)
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "variable \"%s\": the name of a function (%s)", name,
                                nninit_expr_functions_text_);
        for (size_t j = 0; j < i; j++)
            if (strcmp(vars[j].name, name) == 0)
                return nninit_fail_(NNINIT_E_PARAM, why, why_size, "variable \"%.40s\" is defined twice", name);
        if (!isfinite(vars[i].value))
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "variable \"%.40s\" is not a finite number", name);
    }
    return NNINIT_OK;
}

nninit_status nninit_expr_eval(const char *expr, const nninit_var *vars, size_t n_vars, double *out, char *msg,
                               size_t msg_size)
{
    nninit_scan_ p = { expr ? expr : "", 0, msg, msg_size, "expression" };
    nninit_msg_clear_(msg, msg_size);
    if (!expr || !out) return nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL expression or output");
    FORWARD_IF_ERROR(nninit_vars_check_(vars, n_vars, msg, msg_size));
    nninit_scan_ws_(&p);
    if (!p.s[p.pos]) return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: empty expression");
    double v;
    FORWARD_IF_ERROR(nninit_scan_expr_(&p, vars, n_vars, NULL, &v));
    nninit_scan_ws_(&p);
    if (p.s[p.pos])
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: unexpected '%c' after the expression",
                                 p.s[p.pos]);
    *out = v;
    return NNINIT_OK;
}
