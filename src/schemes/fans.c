/* Layouts, fans and gains (docs/SCHEMES.md, "Layouts and fans"). */
#include <math.h>
#include <string.h>
#include "schemes.h"

/* Normalizes an axis (negative counts from the end); -1 if out of range. */
static int norm_axis(int axis, int ndim)
{
    int a = axis < 0 ? axis + ndim : axis;
    return a >= 0 && a < ndim ? a : -1;
}

nninit_status nninit_channel_axes_(const nninit_layout *layout, int ndim, nninit_axes_ *ax)
{
    RETURN_ERROR_IF(layout->groups < 0, NNINIT_E_PARAM);
    ax->groups = layout->groups > 1 ? layout->groups : 1;
    switch (layout->kind) {
    case NNINIT_LAYOUT_OIHW: ax->out = 0; ax->in = 1; ax->total = 0; break;
    case NNINIT_LAYOUT_IOHW: ax->in = 0; ax->out = 1; ax->total = 0; break;
    case NNINIT_LAYOUT_HWIO: ax->in = ndim - 2; ax->out = ndim - 1; ax->total = ndim - 1; break;
    case NNINIT_LAYOUT_HWOI: ax->out = ndim - 2; ax->in = ndim - 1; ax->total = ndim - 1; break;
    case NNINIT_LAYOUT_AXES:
        ax->in = norm_axis(layout->in_axis, ndim);
        ax->out = norm_axis(layout->out_axis, ndim);
        RETURN_ERROR_IF(ax->in < 0 || ax->out < 0 || ax->in == ax->out, NNINIT_E_SHAPE);
        RETURN_ERROR_IF(ax->groups != 1, NNINIT_E_SHAPE);
        ax->total = ax->out;
        break;
    default:
        return NNINIT_E_PARAM;
    }
    return NNINIT_OK;
}

nninit_status nninit_fans(const int64_t *shape, int ndim, nninit_layout layout, int64_t *fan_in, int64_t *fan_out)
{
    size_t count;
    RETURN_ERROR_IF(!fan_in || !fan_out, NNINIT_E_NULL);
    FORWARD_IF_ERROR(nninit_shape_count_(shape, ndim, &count));
    nninit_axes_ ax;
    if (ndim < 2) {
        /* No in/out split: Keras's rule (a scalar counts 1, a vector its length). */
        RETURN_ERROR_IF(layout.kind > NNINIT_LAYOUT_AXES || layout.groups < 0, NNINIT_E_PARAM);
        *fan_in = *fan_out = ndim == 0 ? 1 : shape[0];
        return NNINIT_OK;
    }
    FORWARD_IF_ERROR(nninit_channel_axes_(&layout, ndim, &ax));
    int64_t receptive = 1;
    for (int i = 0; i < ndim; i++)
        if (i != ax.in && i != ax.out) receptive *= shape[i];   /* <= count: no overflow */
    int64_t in = shape[ax.in], out = shape[ax.out];
    /* The total channel axis holds every group; the other axis one group's worth. */
    int64_t *total = ax.total == ax.in ? &in : &out;
    RETURN_ERROR_IF(*total % ax.groups != 0, NNINIT_E_SHAPE);
    *total /= ax.groups;
    *fan_in = in * receptive;
    *fan_out = out * receptive;
    return NNINIT_OK;
}

/* ---- gains ------------------------------------------------------------ */
double nninit_gain_of_(nninit_nonlinearity nl, double slope)
{
    switch (nl) {
    case NNINIT_NL_LINEAR: case NNINIT_NL_SIGMOID: return 1.0;
    case NNINIT_NL_TANH: return 5.0 / 3.0;
    case NNINIT_NL_RELU: return sqrt(2.0);
    /* A leaky ReLU with slope s keeps E[y^2] = (1 + s^2) / 2 E[x^2]. */
    case NNINIT_NL_LEAKY_RELU: return sqrt(2.0 / (1.0 + slope * slope));
    /* PyTorch's value, chosen empirically for SELU networks (not 1, the
     * self-normalizing choice with LeCun normal). */
    case NNINIT_NL_SELU: return 0.75;
    }
    return NAN;
}

nninit_status nninit_gain(const char *nonlinearity, double param, double *gain)
{
    nninit_nonlinearity nl;
    RETURN_ERROR_IF(!nonlinearity || !gain, NNINIT_E_NULL);
    RETURN_ERROR_IF(!nninit_nonlinearity_lookup_(nonlinearity, strlen(nonlinearity), &nl), NNINIT_E_SPEC);
    if (nl == NNINIT_NL_LEAKY_RELU) {
        if (isnan(param)) param = 0.01;
        RETURN_ERROR_IF(!isfinite(param), NNINIT_E_PARAM);
    }
    *gain = nninit_gain_of_(nl, param);
    return NNINIT_OK;
}
