/* Options, messages, outputs and signals: what every command of the program
 * shares. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "prog.h"

prog_state g_prog = { 1, 0, -1, "nninit", NULL, 0 };
volatile sig_atomic_t g_stop;

/* ---- messages ----------------------------------------------------------------- */
static void vmessage(const char *cmd, const char *fmt, va_list ap)
{
    if (g_prog.capture) {
        if (g_prog.capture[0]) return;   /* the first message explains the failure */
        int n = snprintf(g_prog.capture, g_prog.capture_size, "%s%s", cmd ? cmd : "", cmd ? ": " : "");
        if (n >= 0 && (size_t)n < g_prog.capture_size) vsnprintf(g_prog.capture + n, g_prog.capture_size - (size_t)n, fmt, ap);
        return;
    }
    /* messages quote names from files and specs: shown escaped (display_text) */
    char text[4096], shown[4 * sizeof text];
    vsnprintf(text, sizeof text, fmt, ap);
    fprintf(stderr, "%s: ", g_prog.name);
    if (cmd) fprintf(stderr, "%s: ", cmd);
    fputs(display_text(text, shown, sizeof shown), stderr);
    fputc('\n', stderr);
}

int fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    return EXIT_FAIL;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    if (!g_prog.capture) fprintf(stderr, "Try '%s %s%s--help'.\n", g_prog.name, cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

void info(int level, const char *cmd, const char *fmt, ...)
{
    if (g_prog.verbosity < level) return;
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
}

int progress_wanted(void)
{
    if (g_prog.progress >= 0) return g_prog.progress;
    return g_prog.verbosity >= 1 && isatty(STDERR_FILENO);
}

/* ---- options -------------------------------------------------------------------- */
static int matches(const opt *o, const char *arg, const char **value)
{
    size_t len = strlen(o->long_name);
    *value = NULL;
    if (strncmp(arg, o->long_name, len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
        if (arg[len] == '=') *value = arg + len + 1;
        return 1;
    }
    return o->short_name && strcmp(arg, o->short_name) == 0;
}

const char *did_you_mean(char *buf, size_t cap, const char *word, const char *const *candidates, size_t n,
                         const char *prefix)
{
    const char *name = nninit_suggest(word, candidates, n);
    if (!name) return "";
    snprintf(buf, cap, " (did you mean '%s%s'?)", prefix, name);
    return buf;
}

/* The unknown option arg, with the long option it most likely meant: its name
 * without dashes and "=value" ("--sed=3", "-seed") against the long names. */
static int unknown_option(const args *a, const char *arg)
{
    char word[80], hint[128];
    const char *w = arg + strspn(arg, "-");
    snprintf(word, sizeof word, "%.*s", (int)strcspn(w, "="), w);
    const char *names[64];
    size_t n = 0;
    for (int k = 0; k < a->n_opts && n < sizeof names / sizeof names[0] - 1; k++) names[n++] = a->opts[k].long_name + 2;
    names[n++] = "help";
    return usage_error(a->cmd, "unknown option '%s'%s", arg, did_you_mean(hint, sizeof hint, word, names, n, "--"));
}

int args_parse(args *a, int argc, char **argv)
{
    a->n_positional = 0;
    a->help = 0;
    for (int k = 0; k < a->n_opts; k++)
        if (a->opts[k].kind == OPT_LIST) {
            a->opts[k].list = calloc((size_t)argc + 1, sizeof *a->opts[k].list);
            if (!a->opts[k].list) return fail(a->cmd, "out of memory");
        }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) { a->help = 1; return 0; }
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->n_positional >= a->max_positional)
                return usage_error(a->cmd, "unexpected argument '%s'", arg);
            a->positional[a->n_positional++] = arg;
            continue;
        }
        opt *o = NULL;
        const char *value = NULL;
        for (int k = 0; k < a->n_opts && !o; k++)
            if (matches(&a->opts[k], arg, &value)) o = &a->opts[k];
        if (!o) return unknown_option(a, arg);
        const char *name = strncmp(arg, "--", 2) == 0 ? o->long_name : o->short_name;
        if (o->kind == OPT_FLAG) {
            if (value) return usage_error(a->cmd, "%s takes no value", o->long_name);
            o->given++;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) return usage_error(a->cmd, "%s needs a value", name);
            value = argv[++i];
        }
        if (o->kind == OPT_LIST) { o->list[o->given++] = value; continue; }
        if (o->value) return usage_error(a->cmd, "%s given twice", o->long_name);
        o->value = value;
        o->given = 1;
    }
    return 0;
}

void args_free(args *a)
{
    for (int k = 0; k < a->n_opts; k++)
        if (a->opts[k].kind == OPT_LIST) { free(a->opts[k].list); a->opts[k].list = NULL; }
}

opt *args_opt(args *a, const char *long_name)
{
    for (int k = 0; k < a->n_opts; k++)
        if (strcmp(a->opts[k].long_name, long_name) == 0) return &a->opts[k];
    return NULL;
}

const char *args_value(args *a, const char *long_name)
{
    opt *o = args_opt(a, long_name);
    return o ? o->value : NULL;
}

int args_given(args *a, const char *long_name)
{
    opt *o = args_opt(a, long_name);
    return o ? o->given : 0;
}

int args_common(args *a)
{
    int quiet = args_given(a, "--quiet"), verbose = args_given(a, "--verbose");
    int on = args_given(a, "--progress"), off = args_given(a, "--no-progress");
    if (quiet && verbose) return usage_error(a->cmd, "-q/--quiet and -v/--verbose contradict each other");
    if (on && off) return usage_error(a->cmd, "--progress and --no-progress contradict each other");
    g_prog.verbosity = quiet ? 0 : verbose ? 2 : 1;
    g_prog.force = args_given(a, "--force") > 0;
    g_prog.progress = on ? 1 : off ? 0 : -1;
    return 0;
}

/* ---- strict values --------------------------------------------------------------
 * strtoull alone accepts leading spaces, a sign ("-1" is 2^64 - 1) and
 * trailing junk; here a number is digits only, consumed entirely, in range. */
int parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    const char *digits = s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; digits = s + 2; }
    if (base == 10 ? !(*digits >= '0' && *digits <= '9')
                   : !((*digits >= '0' && *digits <= '9') || (*digits >= 'a' && *digits <= 'f') ||
                       (*digits >= 'A' && *digits <= 'F')))
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno == ERANGE || *end != '\0' || v > UINT64_MAX) return 0;
    *out = (uint64_t)v;
    return 1;
}

int parse_dtype(const char *s, nninit_dtype *out) { return nninit_dtype_from_name(s, out) == NNINIT_OK; }

int bad_dtype(const char *cmd, const char *value)
{
    const char *names[8];
    char hint[64];
    size_t n = 0;
    for (int k = 0; n < sizeof names / sizeof names[0] && nninit_dtype_name((nninit_dtype)k); k++)
        names[n++] = nninit_dtype_name((nninit_dtype)k);
    return usage_error(cmd, "--dtype: '%s' is not one of f32, f64, bf16, f16%s", value,
                       did_you_mean(hint, sizeof hint, value, names, n, ""));
}

/* One size: decimal digits only, at most INT64_MAX. 0 if [s, s + len) is not
 * one; *too_big says it was digits, but too many. */
static int parse_size(const char *s, size_t len, int64_t *out, int *too_big)
{
    char buf[32];
    *too_big = 0;
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    if (len >= sizeof buf) { *too_big = 1; return 0; }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno == ERANGE || v > INT64_MAX) { *too_big = 1; return 0; }
    *out = (int64_t)v;
    return 1;
}

int parse_shape(const char *cmd, const char *option, const char *s, int64_t shape[NNINIT_MAX_DIMS], int *ndim)
{
    *ndim = 0;
    if (s[0] == '\0' || strcmp(s, "scalar") == 0) return 0;
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",x");
        int64_t v;
        int too_big;
        if (!parse_size(p, len, &v, &too_big)) {
            if (too_big) return usage_error(cmd, "%s: '%s': size '%.*s' is too large", option, s, (int)len, p);
            return usage_error(cmd, "%s: '%s' is not a list of sizes", option, s);
        }
        if (*ndim == NNINIT_MAX_DIMS)
            return usage_error(cmd, "%s: '%s' has more than %d sizes", option, s, NNINIT_MAX_DIMS);
        shape[(*ndim)++] = v;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

/* ---- slices ---------------------------------------------------------------------------- */
/* One bound of a slice entry: an optional '-' and decimal digits, at most
 * INT64_MAX in magnitude. 0 if [s, s + len) is not one; *too_big as parse_size. */
static int parse_bound(const char *s, size_t len, int64_t *out, int *too_big)
{
    int neg = len > 0 && s[0] == '-';
    int64_t v;
    if (!parse_size(s + neg, len - (size_t)neg, &v, too_big)) return 0;
    *out = neg ? -v : v;
    return 1;
}

int parse_slice(const char *cmd, const char *option, const char *s, slice_spec *out)
{
    out->n = 0;
    if (s[0] == '\0') return 0;
    const char *p = s;
    for (;;) {
        int len = (int)strcspn(p, ",");
        if (out->n == NNINIT_MAX_DIMS)
            return usage_error(cmd, "%s: '%s' has more than %d entries", option, s, NNINIT_MAX_DIMS);
        const char *colon = memchr(p, ':', (size_t)len);
        if (!colon)
            return usage_error(cmd, "%s: '%s': entry '%.*s' is not a slice a:b, a:, :b or : (an index i is the "
                               "slice i:i+1)", option, s, len, p);
        if (memchr(colon + 1, ':', (size_t)(p + len - colon - 1)))
            return usage_error(cmd, "%s: '%s': entry '%.*s' has a step; steps are not supported", option, s, len, p);
        int k = out->n, too_big;
        const char *bound[2] = { p, colon + 1 };
        size_t blen[2] = { (size_t)(colon - p), (size_t)(p + len - colon - 1) };
        int64_t *val[2] = { &out->lo[k], &out->hi[k] };
        int *has[2] = { &out->has_lo[k], &out->has_hi[k] };
        for (int b = 0; b < 2; b++) {
            *has[b] = blen[b] > 0;
            *val[b] = 0;
            if (*has[b] && !parse_bound(bound[b], blen[b], val[b], &too_big)) {
                if (too_big)
                    return usage_error(cmd, "%s: '%s': '%.*s' is too large", option, s, (int)blen[b], bound[b]);
                return usage_error(cmd, "%s: '%s': '%.*s' is not an integer", option, s, (int)blen[b], bound[b]);
            }
        }
        out->text[k] = p;
        out->len[k] = len;
        out->n++;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

int resolve_slice(const char *cmd, const char *option, const char *s, const slice_spec *sl, const int64_t *shape,
                  int ndim, int64_t start[NNINIT_MAX_DIMS], int64_t count[NNINIT_MAX_DIMS])
{
    if (sl->n > ndim)
        return fail(cmd, "%s '%s': %d entries for a %d-D tensor", option, s, sl->n, ndim);
    for (int d = 0; d < ndim; d++) {
        int64_t size = shape[d], lo = 0, hi = size;
        if (d < sl->n) {
            /* Python's reading of negative bounds, without its clamping: |bound| <= INT64_MAX, so no overflow */
            if (sl->has_lo[d]) lo = sl->lo[d] < 0 ? sl->lo[d] + size : sl->lo[d];
            if (sl->has_hi[d]) hi = sl->hi[d] < 0 ? sl->hi[d] + size : sl->hi[d];
            if (lo < 0 || lo > size || hi < 0 || hi > size)
                return fail(cmd, "%s '%s': '%.*s' is out of bounds for dimension %d of size %lld", option, s,
                            sl->len[d], sl->text[d], d, (long long)size);
            if (hi <= lo)
                return fail(cmd, "%s '%s': '%.*s' selects nothing of dimension %d (size %lld): the slice is empty",
                            option, s, sl->len[d], sl->text[d], d, (long long)size);
        } else if (size == 0) {
            return fail(cmd, "%s '%s': dimension %d has size 0: the slice is empty", option, s, d);
        }
        start[d] = lo;
        count[d] = hi - lo;
    }
    return 0;
}

/* ---- outputs ------------------------------------------------------------------------- */
int check_output(const char *cmd, const char *path)
{
    struct stat sb;
    if (g_prog.force || strcmp(path, "-") == 0) return 0;
    if (stat(path, &sb) != 0) {
        if (lstat(path, &sb) == 0) return fail(cmd, "'%s' exists (a dangling symbolic link); -f/--force replaces it",
                                               path);
        return 0;   /* absent, or unreachable: the writer says why */
    }
    if (S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))
        return fail(cmd, "'%s' exists; -f/--force replaces it", path);
    if (S_ISBLK(sb.st_mode) || S_ISSOCK(sb.st_mode))
        return fail(cmd, "'%s' exists and is a %s; -f/--force writes it", path,
                    S_ISBLK(sb.st_mode) ? "block device" : "socket");
    return 0;       /* a character device (/dev/null) or a FIFO is written, as a shell redirection would */
}

nninit_write_options write_options(void)
{
    nninit_write_options o = { .no_replace = !g_prog.force, .cancel = &g_stop };
    return o;
}

int report_status(const char *cmd, nninit_status st, const char *msg)
{
    if (st == NNINIT_E_EXISTS && strstr(msg, "(not replaced)")) {
        /* "'OUT' exists (not replaced)": the library's words; ours name the option */
        size_t n = strstr(msg, " (not replaced)") - msg;
        return fail(cmd, "%.*s; -f/--force replaces it", (int)n, msg);
    }
    return fail(cmd, "%s", msg && msg[0] ? msg : nninit_status_str(st));
}

/* ---- signals ---------------------------------------------------------------------------- */
static void note_signal(int sig)
{
    if (!g_stop) g_stop = sig;
}

void catch_stop_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        /* no SA_RESTART: a blocked write returns, and the writer sees the flag */
        struct sigaction sa = { .sa_handler = note_signal };
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[k], &sa, NULL);
    }
}

void reraise_stop_signal(void)
{
    if (!g_stop) return;
    int sig = g_stop;
    struct sigaction sa = { .sa_handler = SIG_DFL };
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    raise(sig);
}
