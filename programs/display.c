/* What the program draws: the progress bar, the --stats table, the --from
 * report. */
#include <math.h>
#include <string.h>
#include <time.h>
#include "prog.h"

double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- progress bar: redrawn in place with '\r', at most 10 times a second -------- */
void progress_start(progress_bar *bar)
{
    bar->t0 = now_seconds();
    bar->last_draw = -1;
    bar->drawn = 0;
}

void progress_draw(void *ctx, const nninit_progress *p)
{
    progress_bar *bar = ctx;
    double t = now_seconds() - bar->t0;
    int done = p->tensors_done == p->tensors_total && p->bytes_done == p->bytes_total;
    if (!done && bar->last_draw >= 0 && t - bar->last_draw < 0.1) return;
    bar->last_draw = t;
    bar->drawn = 1;
    enum { WIDTH = 24 };
    double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total
                                 : (p->tensors_total ? (double)p->tensors_done / (double)p->tensors_total : 1.0);
    int cells_done = (int)(frac * WIDTH);
    char cells[WIDTH + 1];
    for (int k = 0; k < WIDTH; k++) cells[k] = k < cells_done ? '#' : '.';
    cells[WIDTH] = '\0';
    double rate = t > 0 ? (double)p->bytes_done / t : 0;
    char eta[32] = "--";
    if (rate > 0) {
        double left = (double)(p->bytes_total - p->bytes_done) / rate;
        snprintf(eta, sizeof eta, "%d:%02d", (int)(left / 60), (int)fmod(left, 60));
    }
    fprintf(stderr, "\r[%s] %zu/%zu tensors  %.2f/%.2f GB  %.2f GB/s  ETA %s\033[K", cells, p->tensors_done,
            p->tensors_total, 1e-9 * (double)p->bytes_done, 1e-9 * (double)p->bytes_total, 1e-9 * rate, eta);
    fflush(stderr);
}

void progress_clear(progress_bar *bar)
{
    if (bar->drawn) fputs("\r\033[K", stderr);
    bar->drawn = 0;
}

/* ---- --stats ------------------------------------------------------------------------ */
/* Characters in a UTF-8 string (bytes that do not continue a sequence), so
 * columns line up on a terminal. */
static int utf8_width(const char *s)
{
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* ---- text for the terminal ------------------------------------------------------------ */
/* Length of the well-formed UTF-8 sequence at s (RFC 3629), 0 if none. */
static size_t utf8_seq(const unsigned char *s)
{
    const unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0;   /* overlong, surrogate */
    if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;   /* overlong, > U+10FFFF */
    return n;
}

const char *display_text(const char *s, char *buf, size_t size)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    if (size == 0) return "";
    while (*p) {
        size_t n = utf8_seq(p);
        /* C0 controls, DEL, C1 controls (U+0080..U+009F: CSI and friends) and
         * bytes that are not UTF-8 are shown as \xNN, the backslash as \\ */
        int c1 = n == 2 && p[0] == 0xC2 && p[1] < 0xA0;
        if (n == 0 || c1 || *p < 0x20 || *p == 0x7F || *p == '\\') {
            size_t k = c1 ? 2 : 1;
            for (size_t b = 0; b < k; b++) {
                char esc[8];
                int len = *p == '\\' ? snprintf(esc, sizeof esc, "\\\\") : snprintf(esc, sizeof esc, "\\x%02x", p[b]);
                if (o + (size_t)len >= size) goto full;
                memcpy(buf + o, esc, (size_t)len);
                o += (size_t)len;
            }
            p += k;
            continue;
        }
        if (o + n >= size) goto full;
        memcpy(buf + o, p, n);
        o += n;
        p += n;
    }
    buf[o] = '\0';
    return buf;
full:
    buf[o] = '\0';
    if (size >= 4 && o + 3 >= size) memcpy(buf + size - 4, "...", 4);
    return buf;
}

int print_stats(FILE *f, const nninit_model *model, const nninit_stats *stats, const nninit_source *source)
{
    size_t n = nninit_model_count(model);
    int wn = 4, ws = 5;
    char shape[256];
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(model, i, &t);
        nninit_shape_format(t.shape, t.ndim, shape, sizeof shape);
        char nb[NAME_SHOWN];
        if (utf8_width(display_text(t.name, nb, sizeof nb)) > wn) wn = utf8_width(nb);
        if ((int)strlen(shape) > ws) ws = (int)strlen(shape);
    }
    if (wn > 60) wn = 60;   /* longer names push their row's columns right */
    fprintf(f, "%-*s  %-4s  %-*s  %13s  %13s  %13s  %13s  %13s  %s\n", wn, "name", "type", ws, "shape", "mean",
            "std", "min", "max", "expected_std", "init");
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(model, i, &t);
        nninit_shape_format(t.shape, t.ndim, shape, sizeof shape);
        int loaded = source && (source[i] == NNINIT_FROM_LOADED || source[i] == NNINIT_FROM_RENAMED);
        const nninit_stats s = stats[i];
        char expected[32] = "-";
        nninit_plan plan;
        if (!loaded && nninit_scheme_plan(&t.scheme, t.shape, t.ndim, &plan, NULL, 0) == NNINIT_OK)
            snprintf(expected, sizeof expected, "%.6g", plan.expected_std);
        char nb[NAME_SHOWN], ib[NAME_SHOWN];
        display_text(t.name, nb, sizeof nb);
        int pad = wn - utf8_width(nb);
        fprintf(f, "%s%*s  %-4s  %-*s  %13.6g  %13.6g  %13.6g  %13.6g  %13s  %s\n", nb, pad > 0 ? pad : 0, "",
                nninit_dtype_name(t.dtype), ws, shape, s.mean, s.std, s.min, s.max, expected,
                loaded ? "(loaded)" : display_text(t.init, ib, sizeof ib));
        if (s.nonfinite)
            fprintf(f, "  (%zu elements of '%s' are NaN or infinite and left out of the statistics)\n", s.nonfinite,
                    nb);
    }
    return 0;
}

/* ---- --from report ------------------------------------------------------------------------- */
/* The checkpoint tensor that provided (or would provide) spec tensor `name`,
 * by the library's own rule; its name into buf. */
static long ckpt_source(const nninit_st_file *ck, const char *const *renames, const char *name, char *buf,
                        size_t size)
{
    long j = -1;
    int renamed = 0;
    if (nninit_ckpt_lookup(ck, renames, name, &j, &renamed, NULL, 0) != NNINIT_OK || j < 0) {
        display_text(name, buf, size);
        return -1;
    }
    nninit_tensor ct;
    nninit_st_tensor(ck, (size_t)j, &ct);
    display_text(ct.name, buf, size);
    return j;
}

void print_from_report(const char *from, const nninit_model *model, const nninit_st_file *ck,
                       const char *const *renames, const nninit_source *source, const unsigned char *used)
{
    size_t n = nninit_model_count(model), nck = nninit_st_count(ck);
    size_t count[4] = { 0 }, unused = 0;
    for (size_t i = 0; i < n; i++) count[source[i] <= 3 ? source[i] : 0]++;
    for (size_t j = 0; j < nck; j++) unused += !used[j];
    char buf[1024], s1[256], s2[256], nb[NAME_SHOWN], ib[NAME_SHOWN];
    fprintf(stderr, "nninit: init: from '%s': %zu loaded, %zu renamed, %zu reinitialized (shape mismatch), "
                    "%zu initialized (not in the checkpoint); %zu of its %zu tensors unused\n",
            display_text(from, buf, sizeof buf), count[NNINIT_FROM_LOADED], count[NNINIT_FROM_RENAMED], count[NNINIT_FROM_MISMATCHED],
            count[NNINIT_FROM_INIT], unused, nck);
    /* Each kind is listed up to LIST_MAX tensors (a renamed prefix can cover a
     * whole model), then counted. */
    enum { LIST_MAX = 10 };
    static const nninit_source kinds[] = { NNINIT_FROM_RENAMED, NNINIT_FROM_MISMATCHED, NNINIT_FROM_INIT };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t listed = 0;
        for (size_t i = 0; i < n; i++) {
            if (source[i] != kinds[k] || listed++ >= LIST_MAX) continue;
            nninit_model_tensor t;
            nninit_model_tensor_info(model, i, &t);
            if (kinds[k] == NNINIT_FROM_RENAMED) {
                ckpt_source(ck, renames, t.name, buf, sizeof buf);
                fprintf(stderr, "  renamed       %s <- %s\n", display_text(t.name, nb, sizeof nb), buf);
            } else if (kinds[k] == NNINIT_FROM_MISMATCHED) {
                long j = ckpt_source(ck, renames, t.name, buf, sizeof buf);
                nninit_tensor ct;
                nninit_shape_format(t.shape, t.ndim, s1, sizeof s1);
                if (j >= 0) {
                    nninit_st_tensor(ck, (size_t)j, &ct);
                    nninit_shape_format(ct.shape, ct.ndim, s2, sizeof s2);
                } else snprintf(s2, sizeof s2, "?");
                fprintf(stderr, "  reinitialized %s: spec %s, checkpoint '%s' %s\n", display_text(t.name, nb, sizeof nb), s1,
                        buf, s2);
            } else {
                fprintf(stderr, "  initialized   %s (%s)\n", display_text(t.name, nb, sizeof nb),
                        display_text(t.init, ib, sizeof ib));
            }
        }
        if (listed > LIST_MAX)
            fprintf(stderr, "  ... and %zu more %s\n", listed - LIST_MAX,
                    kinds[k] == NNINIT_FROM_RENAMED ? "renamed" : kinds[k] == NNINIT_FROM_INIT ? "initialized"
                                                                                                : "reinitialized");
    }
    size_t listed = 0;
    for (size_t j = 0; j < nck; j++) {
        if (used[j] || listed++ >= LIST_MAX) continue;
        nninit_tensor ct;
        nninit_status st = nninit_st_tensor(ck, j, &ct);
        nninit_shape_format(ct.shape, ct.ndim, s2, sizeof s2);
        fprintf(stderr, "  unused        %s %s%s\n", display_text(ct.name, nb, sizeof nb), s2, st == NNINIT_E_DTYPE ? " (dtype nninit does not read)" : "");
    }
    if (listed > LIST_MAX) fprintf(stderr, "  ... and %zu more unused\n", listed - LIST_MAX);
}
