/* nninit probe --plot: activation std by depth as an SVG chart (log scale),
 * one line per spec, written whole or not at all. No plotting library: the
 * SVG is written here, readable in any browser (axes, ticks, labels, legend). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "prog.h"

/* ---- a growable text ------------------------------------------------------------ */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} text;

static void add(text *t, const char *fmt, ...) PROG_PRINTF(2, 3);
static void add(text *t, const char *fmt, ...)
{
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) { t->failed = 1; return; }
        if (t->s && t->len + (size_t)n < t->cap) { t->len += (size_t)n; return; }
        size_t cap = (t->cap ? 2 * t->cap : 8192) + (size_t)n;
        char *s = realloc(t->s, cap);
        if (!s) { t->failed = 1; return; }
        t->s = s;
        t->cap = cap;
    }
}

/* s with & < > " escaped for XML text and attributes. */
static void add_escaped(text *t, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': add(t, "&amp;"); break;
        case '<': add(t, "&lt;"); break;
        case '>': add(t, "&gt;"); break;
        case '"': add(t, "&quot;"); break;
        default: add(t, "%c", *s);
        }
    }
}

/* ---- the chart ------------------------------------------------------------------------ */
/* The plot area is PLOT_W wide; the legend on its right is as wide as its longest label. */
enum { PLOT_W = 620, H = 540, LEFT = 84, TOP = 64, BOTTOM = 64 };
static const char *const k_colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd" };

static int is_layer(const char *op) { return strcmp(op, "linear") == 0 || strcmp(op, "conv2d") == 0; }

/* A decade's label: 0.001 ... 1000 as decimals, else 1e-5. */
static void decade_label(int e, char *buf, size_t cap)
{
    if (e >= -3 && e <= 3) snprintf(buf, cap, "%g", pow(10.0, e));
    else snprintf(buf, cap, "1e%d", e);
}

static void chart(text *t, const char *title, const char *subtitle, const plot_series *s, int ns)
{
    size_t n = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < ns; k++) {
        if (s[k].n > n) n = s[k].n;
        for (size_t i = 0; i < s[k].n; i++) {
            double v = s[k].rows[i].std;
            if (v > 0 && v < lo) lo = v;
            if (v > 0 && v > hi) hi = v;
        }
    }
    if (!(lo <= hi)) lo = hi = 1;             /* every std 0: an empty chart around 1 */
    int e0 = (int)floor(log10(lo < 1 ? lo : 1)), e1 = (int)ceil(log10(hi > 1 ? hi : 1));
    if (e1 <= e0) e1 = e0 + 1;
    size_t longest = 24;   /* "linear / conv2d output" */
    for (int k = 0; k < ns; k++)
        if (strlen(s[k].label) > longest) longest = strlen(s[k].label);
    const int W = LEFT + PLOT_W + 70 + (int)(6.5 * (double)(longest < 120 ? longest : 120));   /* ~6.5 px a character */
    const double pw = PLOT_W, ph = H - TOP - BOTTOM;
    const double xmax = n > 1 ? (double)(n - 1) : 1;
#define X(i) (LEFT + pw * (double)(i) / xmax)
#define Y(v) (TOP + ph * (1.0 - (log10(v) - e0) / (double)(e1 - e0)))

    add(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    add(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           "font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H);
    add(t, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
    add(t, "<text x=\"%d\" y=\"26\" font-size=\"16\" font-weight=\"bold\">", LEFT);
    add_escaped(t, title);
    add(t, "</text>\n<text x=\"%d\" y=\"46\" fill=\"#555\">", LEFT);
    add_escaped(t, subtitle);
    add(t, "</text>\n");
    /* grid: decades and their 2..9 */
    add(t, "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n");
    for (int e = e0; e < e1; e++)
        for (int m = 2; m <= 9; m++)
            add(t, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", LEFT, LEFT + pw, Y(m * pow(10.0, e)),
                Y(m * pow(10.0, e)));
    add(t, "</g>\n<g stroke=\"#bbb\" stroke-width=\"1\">\n");
    for (int e = e0; e <= e1; e++)
        add(t, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", LEFT, LEFT + pw, Y(pow(10.0, e)),
            Y(pow(10.0, e)));
    add(t, "</g>\n");
    /* std = 1 */
    add(t, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n", LEFT,
        LEFT + pw, Y(1.0), Y(1.0));
    /* axes, ticks, labels */
    add(t, "<g stroke=\"black\" stroke-width=\"1\">\n<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%.1f\"/>\n"
           "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n</g>\n", LEFT, LEFT, TOP, TOP + ph, LEFT,
        LEFT + pw, TOP + ph, TOP + ph);
    char lab[32];
    add(t, "<g text-anchor=\"end\">\n");
    for (int e = e0; e <= e1; e++) {
        decade_label(e, lab, sizeof lab);
        add(t, "<text x=\"%d\" y=\"%.1f\">%s</text>\n", LEFT - 8, Y(pow(10.0, e)) + 4, lab);
    }
    add(t, "</g>\n");
    size_t step = 1;
    while (n / step > 12) step = step < 5 ? step + (step == 1 ? 1 : 3) : step * 2;
    add(t, "<g text-anchor=\"middle\">\n");
    for (size_t i = 0; i < n; i += step)
        add(t, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/><text x=\"%.1f\" "
               "y=\"%.1f\">%zu</text>\n", X(i), X(i), TOP + ph, TOP + ph + 5, X(i), TOP + ph + 19, i);
    add(t, "</g>\n");
    add(t, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">op, in execution order</text>\n", LEFT + pw / 2,
        H - 18);
    add(t, "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">std of the op's output "
           "(log scale)</text>\n", TOP + ph / 2);
    /* the series: a line through every op, a dot on every layer's output */
    for (int k = 0; k < ns; k++) {
        const char *color = k_colors[k % 4];
        add(t, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", color);
        for (size_t i = 0; i < s[k].n; i++) {
            double v = s[k].rows[i].std > 0 ? s[k].rows[i].std : pow(10.0, e0);
            add(t, "%s%.1f,%.1f", i ? " " : "", X(i), Y(v));
        }
        add(t, "\"/>\n");
        for (size_t i = 0; i < s[k].n; i++) {
            if (!is_layer(s[k].rows[i].op)) continue;
            double v = s[k].rows[i].std > 0 ? s[k].rows[i].std : pow(10.0, e0);
            /* the tooltip beside the dot in a group: some renderers skip a circle with children */
            add(t, "<g><title>");
            add_escaped(t, s[k].rows[i].path);
            add(t, " %s: std %.4g</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\" fill=\"%s\"/></g>\n",
                s[k].rows[i].op, s[k].rows[i].std, X(i), Y(v), color);
        }
    }
    /* legend */
    const double lx = LEFT + pw + 20;
    for (int k = 0; k < ns; k++) {
        const double ly = TOP + 10 + 22.0 * k;
        add(t, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"/>"
               "<text x=\"%.1f\" y=\"%.1f\">", lx, lx + 24, ly, ly, k_colors[k % 4], lx + 30, ly + 4);
        add_escaped(t, s[k].label);
        add(t, "</text>\n");
    }
    const double ly = TOP + 10 + 22.0 * ns;
    add(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#444\"/><text x=\"%.1f\" y=\"%.1f\">linear / conv2d output"
           "</text>\n", lx + 12, ly, lx + 30, ly + 4);
    add(t, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>"
           "<text x=\"%.1f\" y=\"%.1f\">std = 1</text>\n", lx, lx + 24, ly + 22, ly + 22, lx + 30, ly + 26);
    add(t, "</svg>\n");
#undef X
#undef Y
}

/* ---- writing it whole ------------------------------------------------------------------- */
static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR && !g_stop) continue;
        if (w <= 0) return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int plot_svg(const char *cmd, const char *path, const char *title, const char *subtitle, const plot_series *s,
             int ns)
{
    text t = { NULL, 0, 0, 0 };
    chart(&t, title, subtitle, s, ns);
    if (t.failed) { free(t.s); return fail(cmd, "--plot: out of memory"); }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        /* a device or FIFO: written, not replaced */
        int fd = open(path, O_WRONLY);
        int err = fd < 0 || write_all(fd, t.s, t.len) != 0 ? errno : 0;
        if (fd >= 0) close(fd);
        free(t.s);
        return err ? fail(cmd, "--plot: cannot write '%s': %s", path, strerror(err)) : 0;
    }
    /* A temporary beside the target, renamed over it: the chart appears whole or not at all. */
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp) { free(t.s); return fail(cmd, "--plot: out of memory"); }
    snprintf(tmp, len + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    int rc = 0;
    if (fd < 0) {
        rc = fail(cmd, "--plot: cannot create a file beside '%s': %s", path, strerror(errno));
    } else {
        mode_t mask = umask(0);   /* the mode a new file gets: 0666 less the umask */
        umask(mask);
        fchmod(fd, 0666 & ~mask);
        int err = write_all(fd, t.s, t.len) != 0 ? errno : 0;
        if (!err && fsync(fd) != 0) err = errno;
        if (close(fd) != 0 && !err) err = errno;
        if (!err && g_stop) err = ECANCELED;
        if (!err && rename(tmp, path) != 0) err = errno;
        if (err) {
            unlink(tmp);
            rc = err == ECANCELED || g_stop ? EXIT_FAIL : fail(cmd, "--plot: cannot write '%s': %s", path, strerror(err));
        }
    }
    free(tmp);
    free(t.s);
    return rc;
}
