/* The vocabularies, each written once: dtypes, layouts, nonlinearities. The
 * spec parser, the model-spec parser, the command line and the messages all
 * read these tables. */
#include <string.h>
#include "common.h"

/* ---- dtypes ------------------------------------------------------------------- */
static const char *const k_dtype_names[] = {
    [NNINIT_F32] = "f32", [NNINIT_F64] = "f64", [NNINIT_BF16] = "bf16", [NNINIT_F16] = "f16",
};
/* The names PyTorch, NumPy and Hugging Face configs ("torch_dtype") use, read
 * as aliases; nninit writes only the short names above. */
static const char *const k_dtype_aliases[] = {
    [NNINIT_F32] = "float32", [NNINIT_F64] = "float64", [NNINIT_BF16] = "bfloat16", [NNINIT_F16] = "float16",
};
const char nninit_dtype_names_text_[] = "f32, f64, bf16 or f16 (or float32, float64, bfloat16, float16)";

size_t nninit_dtype_size(nninit_dtype dtype)
{
    switch (dtype) {
    case NNINIT_F32: return 4;
    case NNINIT_F64: return 8;
    case NNINIT_BF16: case NNINIT_F16: return 2;
    }
    return 0;
}

const char *nninit_dtype_name(nninit_dtype dtype)
{
    return (unsigned)dtype < sizeof k_dtype_names / sizeof k_dtype_names[0] ? k_dtype_names[dtype] : NULL;
}

int nninit_dtype_lookup_(const char *name, nninit_dtype *out)
{
    /* Exact, case-sensitive names: "Float32" or "fp32" are refused rather
     * than guessed at. */
    for (size_t i = 0; name && i < sizeof k_dtype_names / sizeof k_dtype_names[0]; i++)
        if (strcmp(name, k_dtype_names[i]) == 0 || strcmp(name, k_dtype_aliases[i]) == 0) {
            *out = (nninit_dtype)i;
            return 1;
        }
    return 0;
}

nninit_status nninit_dtype_from_name(const char *name, nninit_dtype *out)
{
    RETURN_ERROR_IF(!name || !out, NNINIT_E_NULL);
    RETURN_ERROR_IF(!nninit_dtype_lookup_(name, out), NNINIT_E_DTYPE);
    return NNINIT_OK;
}

/* ---- layouts ------------------------------------------------------------------------ */
static const char *const k_layouts[] = {
    [NNINIT_LAYOUT_OIHW] = "oihw", [NNINIT_LAYOUT_IOHW] = "iohw",
    [NNINIT_LAYOUT_HWIO] = "hwio", [NNINIT_LAYOUT_HWOI] = "hwoi",
};
const char nninit_layout_names_text_[] = "oihw, iohw, hwio or hwoi";

int nninit_layout_lookup_(const char *name, size_t len, nninit_layout_kind *out)
{
    for (size_t i = 0; i < sizeof k_layouts / sizeof k_layouts[0]; i++)
        if (strlen(k_layouts[i]) == len && memcmp(k_layouts[i], name, len) == 0) {
            *out = (nninit_layout_kind)i;
            return 1;
        }
    return 0;
}

const char *nninit_layout_name_(nninit_layout_kind kind)
{
    return (unsigned)kind < sizeof k_layouts / sizeof k_layouts[0] ? k_layouts[kind] : NULL;
}

/* ---- nonlinearities -------------------------------------------------------------------- */
static const struct { const char *name; nninit_nonlinearity nl; } k_nonlinearities[] = {
    /* the canonical name of each value comes first */
    { "leaky_relu", NNINIT_NL_LEAKY_RELU }, { "linear", NNINIT_NL_LINEAR }, { "sigmoid", NNINIT_NL_SIGMOID },
    { "tanh", NNINIT_NL_TANH }, { "relu", NNINIT_NL_RELU }, { "selu", NNINIT_NL_SELU },
    { "identity", NNINIT_NL_LINEAR },
    { "conv1d", NNINIT_NL_LINEAR }, { "conv2d", NNINIT_NL_LINEAR }, { "conv3d", NNINIT_NL_LINEAR },
    { "conv_transpose1d", NNINIT_NL_LINEAR }, { "conv_transpose2d", NNINIT_NL_LINEAR },
    { "conv_transpose3d", NNINIT_NL_LINEAR },
};
const char nninit_nonlinearity_names_text_[] =
    "linear, identity, conv1d..3d, conv_transpose1d..3d, sigmoid, tanh, relu, leaky_relu or selu";

int nninit_nonlinearity_lookup_(const char *name, size_t len, nninit_nonlinearity *nl)
{
    for (size_t i = 0; i < sizeof k_nonlinearities / sizeof k_nonlinearities[0]; i++)
        if (strlen(k_nonlinearities[i].name) == len && memcmp(k_nonlinearities[i].name, name, len) == 0) {
            *nl = k_nonlinearities[i].nl;
            return 1;
        }
    return 0;
}

const char *nninit_nonlinearity_name_(nninit_nonlinearity nl)
{
    for (size_t i = 0; i < sizeof k_nonlinearities / sizeof k_nonlinearities[0]; i++)
        if (k_nonlinearities[i].nl == nl) return k_nonlinearities[i].name;
    return NULL;
}

/* ---- "did you mean" over each vocabulary ------------------------------------------------ */
const char *nninit_nonlinearity_suggest_(const char *w, size_t len)
{
    enum { N = sizeof k_nonlinearities / sizeof k_nonlinearities[0] };
    const char *names[N];
    for (size_t i = 0; i < N; i++) names[i] = k_nonlinearities[i].name;
    return nninit_suggest_n_(w, len, names, N);
}

const char *nninit_layout_suggest_(const char *w, size_t len)
{
    return nninit_suggest_n_(w, len, k_layouts, sizeof k_layouts / sizeof k_layouts[0]);
}

const char *nninit_dtype_suggest_(const char *w, size_t len)
{
    return nninit_suggest_n_(w, len, k_dtype_names, sizeof k_dtype_names / sizeof k_dtype_names[0]);
}
