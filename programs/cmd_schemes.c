/* nninit schemes: every init scheme with a spec at its defaults. Names,
 * defaults and parameters come from the library (nninit_scheme_name,
 * _default, _format), so the list cannot drift from it; only the one-line
 * summaries live here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "prog.h"

const char schemes_help[] =
    "usage: nninit schemes\n"
    "\n"
    "Lists every init scheme: its name, what it draws, and a spec with every parameter at its\n"
    "default. docs/SCHEMES.md has the grammar and the formulas.\n";

static const char *const scheme_summary[] = {
    [NNINIT_SCHEME_ZEROS] = "every element 0",
    [NNINIT_SCHEME_ONES] = "every element 1",
    [NNINIT_SCHEME_CONSTANT] = "every element = value (value is required)",
    [NNINIT_SCHEME_UNIFORM] = "U[low, high)",
    [NNINIT_SCHEME_NORMAL] = "N(mean, std^2)",
    [NNINIT_SCHEME_TRUNC_NORMAL] = "N(mean, std^2) on [low, high], absolute bounds (PyTorch trunc_normal_)",
    [NNINIT_SCHEME_TRUNC_NORMAL_SIGMA] = "N(mean, std^2) on [mean + lower*std, mean + upper*std] (jax truncated_normal)",
    [NNINIT_SCHEME_XAVIER_UNIFORM] = "U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)); alias glorot_uniform",
    [NNINIT_SCHEME_XAVIER_NORMAL] = "N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out)); alias glorot_normal",
    [NNINIT_SCHEME_KAIMING_UNIFORM] = "U(-b, b), b = gain(nonlinearity, a) * sqrt(3 / fan); alias he_uniform",
    [NNINIT_SCHEME_KAIMING_NORMAL] = "N(0, s^2), s = gain(nonlinearity, a) / sqrt(fan); alias he_normal",
    [NNINIT_SCHEME_LECUN_UNIFORM] = "U(-b, b), b = sqrt(3 / fan_in)",
    [NNINIT_SCHEME_LECUN_NORMAL] = "N(0, 1 / fan_in)",
    [NNINIT_SCHEME_VARIANCE_SCALING] = "variance scale / fan, from the distribution (Keras/jax VarianceScaling)",
    [NNINIT_SCHEME_ORTHOGONAL] = "(semi-)orthogonal matrix times gain, Haar-distributed (Householder reflections of Gaussian vectors)",
    [NNINIT_SCHEME_EYE] = "2-D identity matrix",
    [NNINIT_SCHEME_DIRAC] = "3-D to 5-D identity convolution (per group)",
    [NNINIT_SCHEME_SPARSE] = "2-D N(0, std^2) with ceil(sparsity * rows) zeros per column (sparsity is required, std=0.01)",
    [NNINIT_SCHEME_PYTORCH_DEFAULT] = "nn.Linear / nn.Conv weight default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))",
    [NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS] = "nn.Linear/nn.Conv bias default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); "
                                           "needs fan_in=N, the weight's",
};
enum { N_SUMMARIES = sizeof scheme_summary / sizeof scheme_summary[0] };

/* Whether the scheme reads a layout / channel groups: ask the formatter,
 * which writes exactly the parameters a scheme takes. */
static int takes(nninit_scheme s, int layout)
{
    if (layout) s.layout.kind = NNINIT_LAYOUT_HWIO;
    else s.layout.groups = 2;
    char buf[512];
    size_t n = nninit_scheme_format(&s, buf, sizeof buf);
    return n > 0 && n < sizeof buf && strstr(buf, layout ? "layout=" : "groups=") != NULL;
}

int cmd_schemes(int argc, char **argv)
{
    args a = { "schemes", NULL, 0, 0, { 0 }, 0, 0 };
    int rc = args_parse(&a, argc, argv);
    if (rc) return rc;
    if (a.help) { fputs(schemes_help, stdout); return 0; }
    printf("Init schemes. A spec is NAME or NAME(param=value, ...); the second line of each\n"
           "shows every parameter at its default. [layout] marks schemes that read the\n"
           "shape through a layout: layout=oihw (default), iohw, hwio, hwoi, or in_axis=I,\n"
           "out_axis=O; [groups] those that also take groups=G.\n\n");
    char small[256];
    for (int k = 0; k < nninit_scheme_count(); k++) {
        nninit_scheme_kind kind = (nninit_scheme_kind)k;
        const char *name = nninit_scheme_name(kind);
        if (!name) return fail("schemes", "the library has no name for scheme %d", k);
        nninit_scheme s = nninit_scheme_default(kind);
        char *spec = small;
        size_t need = nninit_scheme_format(&s, small, sizeof small);
        if (need >= sizeof small) {
            spec = malloc(need + 1);
            if (!spec) return fail("schemes", "out of memory");
            nninit_scheme_format(&s, spec, need + 1);
        }
        const char *summary = k < N_SUMMARIES && scheme_summary[k] ? scheme_summary[k] : "";
        /* a default that does not format has a required parameter */
        printf("%-22s %s\n    %s%s%s%s\n", name, summary, need ? spec : name,
               need ? "" : "(...): see above for the required parameter", need && takes(s, 1) ? "  [layout]" : "",
               need && takes(s, 0) ? " [groups]" : "");
        if (spec != small) free(spec);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) return fail("schemes", "cannot write the list: %s", strerror(errno));
    return 0;
}
