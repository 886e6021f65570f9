/* The forward pass and the signal-propagation probe: a batch through the
 * whole graph, the output handed back or every op's output described. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"

nninit_status nninit_graph_forward(const nninit_graph *graph, const void *const *tensors, const nninit_tensor *batch,
                                   const nninit_run_options *opt, float *out, size_t count, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!graph || (!out && count), nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL graph or output"));
    nninit_blas_serial_begin_();
    nninit_exec_ *e = NULL;
    nninit_status st = nninit_exec_create_(graph, tensors, batch, opt, 0, &e, msg, msg_size);
    if (st == NNINIT_OK) {
        nninit_ashape_ shape;
        nninit_exec_value_(e, graph->n, &shape);
        size_t need = nninit_ashape_count_(&shape);
        if (need != count) {
            char s[96];
            nninit_ashape_str_(s, sizeof s, &shape);
            st = nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the output is %s (%zu elements); count is %zu", s, need,
                              count);
        }
        if (st == NNINIT_OK) st = nninit_exec_run_to_(e, graph->n - 1, msg, msg_size);
        if (st == NNINIT_OK) {
            const float *y = nninit_exec_value_(e, graph->n, NULL);
            for (size_t i = 0; i < count && st == NNINIT_OK; i++)
                if (!isfinite(y[i]))
                    st = nninit_fail_(NNINIT_E_DATA, msg, msg_size, "the output holds NaN or infinite values (the "
                                      "forward pass overflows on this batch; nninit_graph_probe shows where)");
            if (st == NNINIT_OK) memcpy(out, y, count * sizeof *out);
        }
    }
    nninit_exec_free_(e);
    nninit_blas_serial_end_();
    return st;
}

nninit_status nninit_graph_probe(const nninit_graph *graph, const void *const *tensors, const nninit_tensor *batch,
                                 const nninit_run_options *opt, nninit_probe_row *rows, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!graph || !rows, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL graph or rows"));
    nninit_probe_row *tmp = calloc(graph->n ? graph->n : 1, sizeof *tmp);
    RETURN_ERROR_IF(!tmp, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    nninit_blas_serial_begin_();
    nninit_exec_ *e = NULL;
    nninit_status st = nninit_exec_create_(graph, tensors, batch, opt, 0, &e, msg, msg_size);
    for (size_t i = 0; st == NNINIT_OK && i < graph->n; i++) {
        st = nninit_exec_run_to_(e, i, msg, msg_size);
        if (st != NNINIT_OK) break;
        nninit_ashape_ s;
        const float *y = nninit_exec_value_(e, i + 1, &s);
        const size_t n = nninit_ashape_count_(&s);
        nninit_moments_ m;
        nninit_act_moments_(y, n, nninit_exec_threads_(e), nninit_exec_scratch_(e), &m);
        const nninit_gop_ *op = &graph->ops[i];
        if (m.nonfinite)
            st = nninit_fail_(NNINIT_E_DATA, msg, msg_size, "graph op %s (%s): %zu of the output's %zu values are "
                              "NaN or infinite (the forward pass overflows on this batch)", op->path, op->name,
                              m.nonfinite, n);
        nninit_probe_row *r = &tmp[i];
        r->path = op->path;
        r->op = op->name;
        r->ndim = s.ndim;
        for (int d = 0; d < NNINIT_MAX_DIMS; d++) r->shape[d] = d < s.ndim ? s.d[d] : 0;
        r->mean = m.mean;
        r->std = sqrt(m.var);
        r->min = m.min;
        r->max = m.max;
        r->zero_fraction = (double)m.zeros / (double)n;
    }
    nninit_exec_free_(e);
    nninit_blas_serial_end_();
    if (st == NNINIT_OK) memcpy(rows, tmp, graph->n * sizeof *tmp);
    free(tmp);
    return st;
}
