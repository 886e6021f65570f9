/* Shapes: element counts that cannot overflow, and shapes in messages. */
#include <stdio.h>
#include <string.h>
#include "common.h"

nninit_status nninit_shape_count_(const int64_t *shape, int ndim, size_t *count)
{
    RETURN_ERROR_IF(ndim < 0 || ndim > NNINIT_MAX_DIMS, NNINIT_E_SHAPE);
    RETURN_ERROR_IF(ndim > 0 && !shape, NNINIT_E_NULL);
    int empty = 0;
    for (int i = 0; i < ndim; i++) {
        RETURN_ERROR_IF(shape[i] < 0, NNINIT_E_SHAPE);
        empty |= shape[i] == 0;
    }
    size_t n = 1;
    /* An empty tensor is valid whatever its other sizes. */
    for (int i = 0; i < ndim && !empty; i++) {
        RETURN_ERROR_IF((uint64_t)shape[i] > SIZE_MAX / n, NNINIT_E_SHAPE);
        n *= (size_t)shape[i];
    }
    *count = empty ? 0 : n;
    return NNINIT_OK;
}

/* The one shape formatter; sep is "," (JSON's spelling, for tables and
 * files) or ", " (prose, for messages). */
static size_t shape_format(const int64_t *shape, int ndim, const char *sep, char *buf, size_t cap)
{
    char full[NNINIT_MAX_DIMS * 22 + 3];   /* 20 digits, a sign and a separator per size, brackets, NUL */
    size_t len = 0;
    if (ndim < 0 || ndim > NNINIT_MAX_DIMS || (ndim > 0 && !shape)) ndim = 0;
    full[len++] = '[';
    for (int i = 0; i < ndim; i++)
        len += (size_t)snprintf(full + len, sizeof full - len, "%s%lld", i ? sep : "", (long long)shape[i]);
    full[len++] = ']';
    full[len] = '\0';
    if (buf && cap > 0) {
        size_t k = len < cap - 1 ? len : cap - 1;
        memcpy(buf, full, k);
        buf[k] = '\0';
    }
    return len;
}

size_t nninit_shape_format(const int64_t *shape, int ndim, char *buf, size_t cap)
{
    return shape_format(shape, ndim, ",", buf, cap);
}

void nninit_shape_str_(char *buf, size_t cap, const int64_t *shape, int ndim)
{
    shape_format(shape, ndim, ", ", buf, cap);
}
