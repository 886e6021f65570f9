/* src/graph/: layer graphs, the forward executor, data-dependent
 * initialization (docs/ARCHITECTURE.md, docs/GRAPHS.md). The top layer: it
 * uses the model, schemes, engine, io and common layers, and nothing below
 * uses it. Nothing in this header is exported. */
#ifndef NNINIT_GRAPH_H
#define NNINIT_GRAPH_H

#include "../model/model.h"

/* ---- ops (parse.c) ------------------------------------------------------------ */
typedef enum {
    GOP_INPUT, GOP_LINEAR, GOP_CONV2D, GOP_RELU, GOP_LEAKY_RELU, GOP_TANH, GOP_SIGMOID, GOP_GELU, GOP_SILU,
    GOP_SELU, GOP_IDENTITY, GOP_DROPOUT, GOP_MAXPOOL2D, GOP_AVGPOOL2D, GOP_GLOBAL_AVGPOOL, GOP_FLATTEN,
    GOP_BATCHNORM, GOP_LAYERNORM, GOP_RESIDUAL
} nninit_gop_kind_;

/* Activations are 2-D (N, F) or 4-D (N, C, H, W). A size of -1 is not known
 * yet (before a batch is given), and ndim 0 means the rank is not known;
 * `last` then still holds the last size when an op fixed it. */
#define NNINIT_ACT_DIMS 4
typedef struct {
    int ndim;
    int64_t d[NNINIT_ACT_DIMS];
    int64_t last;
} nninit_ashape_;

/* One op. Values are numbered 0 (the batch) and i + 1 (op i's output). */
typedef struct {
    nninit_gop_kind_ kind;
    const char *name;            /* "conv2d", ... (static) */
    char *path;                  /* "5.body.0" */
    int depth;
    long weight, bias;           /* model tensor indices, -1 */
    long layer;                  /* -1 unless linear or conv2d */
    int64_t kernel[2], stride[2], pad[2], dil[2], groups;
    double slope, eps;           /* leaky_relu's slope; the norms' eps */
    int gelu_tanh;               /* gelu(approximate="tanh") */
    nninit_ashape_ input;        /* GOP_INPUT: the declared batch shape (N = -1) */
    size_t in0, in1;             /* input values; in1 only for residual (the shortcut's result) */
} nninit_gop_;

struct nninit_graph {
    const nninit_model *model;
    size_t n;                    /* ops, in execution order */
    nninit_gop_ *ops;
    size_t n_layers;
    size_t *layer_op;            /* op index of each layer */
    nninit_ashape_ input;        /* what the graph fixes of the batch's shape */
};

/* The shapes of every value for a batch shape (values[0] = the batch; n + 1
 * entries). Unknown sizes stay -1; every known size is checked. Errors
 * (NNINIT_E_SHAPE) name the op. */
nninit_status nninit_graph_shapes_(const nninit_graph *g, const nninit_ashape_ *batch, nninit_ashape_ *values,
                                   char *msg, size_t msg_size);
/* "[?, 64, 8, 8]" for messages (unknown sizes as '?'). */
void nninit_ashape_str_(char *buf, size_t cap, const nninit_ashape_ *s);
/* Elements of a fully known shape. */
size_t nninit_ashape_count_(const nninit_ashape_ *s);

/* ---- reductions (reduce.c): fixed blocks, summed in order in binary64 --------- */
typedef struct {
    double mean, var;            /* population variance, two passes */
    double min, max;
    size_t zeros, nonfinite;
} nninit_moments_;
/* Moments of x[0..n) on `threads` threads; scratch holds nninit_moments_scratch_(n) doubles. */
size_t nninit_moments_scratch_(size_t n);
void nninit_act_moments_(const float *x, size_t n, int threads, double *scratch, nninit_moments_ *out);
/* Per-channel mean and population variance of x viewed as (outer, channels,
 * inner); nonfinite counts the non-finite elements over all channels. */
void nninit_channel_moments_(const float *x, size_t outer, size_t channels, size_t inner, int threads, double *mean,
                             double *var, size_t *nonfinite);

/* ---- the executor (exec.c, ops.c) ----------------------------------------------------- */
typedef struct nninit_exec_ nninit_exec_;
/* Plans a run of the batch (shapes, units, memory), allocates its one
 * workspace and loads the batch and the weights. mutable_layers: layers get
 * private binary32 weights that nninit_exec_scale_ may change. */
nninit_status nninit_exec_create_(const nninit_graph *g, const void *const *tensors, const nninit_tensor *batch,
                                  const nninit_run_options *opt, int mutable_layers, nninit_exec_ **out, char *msg,
                                  size_t msg_size);
void nninit_exec_free_(nninit_exec_ *e);
/* Runs the ops up to and including op `last` (from where the run stands; op
 * `last` again if it was the last one run). */
nninit_status nninit_exec_run_to_(nninit_exec_ *e, size_t last, char *msg, size_t msg_size);
/* Value v's data and shape (valid until the op that overwrites it). */
const float *nninit_exec_value_(const nninit_exec_ *e, size_t v, nninit_ashape_ *shape);
/* The threads the run uses. */
int nninit_exec_threads_(const nninit_exec_ *e);
/* Scratch for nninit_act_moments_ of any value of the run (the workspace's). */
double *nninit_exec_scratch_(const nninit_exec_ *e);
/* Layer i: multiplies output channel c's weights by scale[c] and, if shift,
 * sets bias[c] = bias[c] * scale[c] + shift[c]; the binary32 weights become
 * the stored values times the accumulated factors, rounded to the dtype. */
nninit_status nninit_exec_scale_(nninit_exec_ *e, size_t layer, const double *scale, const double *shift);
/* Writes every changed layer's weight and bias back into tensors (the
 * stored value times the factor, rounded once to the dtype). */
void nninit_exec_write_back_(nninit_exec_ *e, void *const *tensors);

/* ops.c: op i's computation, from its input values into its output value. */
typedef struct {
    const nninit_gop_ *op;
    const nninit_ashape_ *in, *in1, *out;
    const float *x, *x1;         /* inputs */
    float *y;                    /* output (may equal x for in-place ops) */
    const float *w, *b;          /* binary32 weight and bias, b NULL if none */
    /* conv2d / linear units (exec.c plans them by shape alone) */
    int64_t samples_per_unit, out_chunk;
    float *scratch;              /* per slot: scratch_floats each */
    size_t scratch_floats;
    int threads;
    double *dscratch;            /* batchnorm / layernorm statistics */
} nninit_opcall_;
nninit_status nninit_op_run_(const nninit_opcall_ *c);
/* What nninit_op_run_ needs per slot (floats) for a conv2d or linear with the
 * chosen units, and the units themselves, chosen from the shapes only. */
void nninit_op_units_(const nninit_gop_ *op, const nninit_ashape_ *in, const nninit_ashape_ *out,
                      int64_t *samples_per_unit, int64_t *out_chunk, size_t *scratch_floats);
/* doubles of dscratch an op needs. */
size_t nninit_op_dscratch_(const nninit_gop_ *op, const nninit_ashape_ *in);

/* ---- blas.c --------------------------------------------------------------------------- */
/* Brackets a run: OpenBLAS on one thread in between (nested and concurrent
 * runs share one count; the last to leave restores the caller's setting). */
void nninit_blas_serial_begin_(void);
void nninit_blas_serial_end_(void);

/* ---- algorithms (algo.c, datainit.c) ------------------------------------------------------ */
/* Range checks of an algorithm; why (may be NULL) says what is wrong. */
nninit_status nninit_data_init_check_(const nninit_data_init *a, char *why, size_t why_size);

/* A source of layer outputs: the executor or a caller's engine. */
typedef struct {
    size_t layers;
    void *ctx;
    nninit_status (*forward)(void *ctx, size_t layer, nninit_layer_output *out, char *msg, size_t msg_size);
    nninit_status (*update)(void *ctx, size_t layer, const double *scale, const double *shift, size_t channels,
                            char *msg, size_t msg_size);
    int (*has_bias)(void *ctx, size_t layer);
    const char *(*name)(void *ctx, size_t layer);
    const char *(*path)(void *ctx, size_t layer);
    int threads;
    const nninit_run_options *opt;   /* progress and cancel, may be NULL */
} nninit_layer_source_;
/* The algorithm over every layer of src; report (may be NULL, src->layers
 * entries) is written only on success. */
nninit_status nninit_data_init_run_(const nninit_layer_source_ *src, const nninit_data_init *algo,
                                    nninit_layer_report *report, char *msg, size_t msg_size);

#endif
