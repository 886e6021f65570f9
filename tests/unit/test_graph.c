/* Layer graphs: the example graphs, the canonical JSON, accessors, every
 * validation error (status, and a message naming the op's index path, the
 * field and the reason), data-init spec strings, and bad batches at run
 * time (a clear error, outputs untouched). Runs from the repository root. */
#include "testutil.h"

/* A spec with these tensors (JSON array body) and this graph (JSON array body). */
static char *spec(const char *tensors, const char *graph, const char *extra)
{
    size_t n = strlen(tensors) + strlen(graph) + (extra ? strlen(extra) : 0) + 256;
    char *s = malloc(n);
    snprintf(s, n, "{\"seed\": 3, \"rules\": {\"*\": \"normal(std=0.5)\"}, \"tensors\": [%s], \"graph\": [%s]%s%s}",
             tensors, graph, extra ? ", " : "", extra ? extra : "");
    return s;
}

static nninit_model *parse_ok(const char *json)
{
    char msg[1024];
    nninit_model *m = NULL;
    ck_assert_msg(nninit_model_parse(json, strlen(json), &m, msg, sizeof msg) == NNINIT_OK, "%s\n%s", msg, json);
    return m;
}

static nninit_model *load_ok(const char *path)
{
    char msg[1024];
    nninit_model *m = NULL;
    ck_assert_msg(nninit_model_load(path, &m, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    return m;
}

static nninit_graph *graph_ok(const nninit_model *m)
{
    char msg[1024] = "x";
    nninit_graph *g = NULL;
    ck_assert_msg(nninit_graph_create(m, &g, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_str_eq(msg, "");
    return g;
}

/* ---- the examples ------------------------------------------------------------------ */
START_TEST(test_examples)
{
    static const struct { const char *path; size_t ops, layers; int in_ndim; int64_t in[3]; int64_t out_last; } ex[] = {
        { "examples/models/mlp.json", 7, 3, 3, { 1, 28, 28 }, 10 },
        { "examples/models/vgg-cifar.json", 21, 8, 3, { 3, 32, 32 }, 10 },
        { "examples/models/resnet20.json", 4 + 9 * 2 + 9 * 5 + 2 * 2 + 3, 22, 3, { 3, 32, 32 }, 10 },
        { "examples/models/resnet50.json", 5 + 16 * 2 + 16 * 8 + 4 * 2 + 3, 54, 3, { 3, 224, 224 }, 1000 },
    };
    for (size_t e = 0; e < sizeof ex / sizeof ex[0]; e++) {
        nninit_model *m = load_ok(ex[e].path);
        nninit_graph *g = graph_ok(m);
        ck_assert_msg(nninit_graph_op_count(g) == ex[e].ops, "%s: %zu ops", ex[e].path, nninit_graph_op_count(g));
        ck_assert_uint_eq(nninit_graph_layer_count(g), ex[e].layers);
        int64_t in[NNINIT_MAX_DIMS], out[NNINIT_MAX_DIMS];
        int nd, od;
        ck_assert_int_eq(nninit_graph_input_shape(g, in, &nd), NNINIT_OK);
        ck_assert_int_eq(nd, ex[e].in_ndim);
        for (int d = 0; d < nd; d++) ck_assert_int_eq(in[d], ex[e].in[d]);
        int64_t batch[4] = { 5, in[0], in[1], in[2] };
        char msg[512];
        ck_assert_msg(nninit_graph_output_shape(g, batch, 4, out, &od, msg, sizeof msg) == NNINIT_OK, "%s", msg);
        ck_assert_int_eq(od, 2);
        ck_assert_int_eq(out[0], 5);
        ck_assert_int_eq(out[1], ex[e].out_last);
        /* every layer is a linear or conv2d op with a weight; ops in execution order */
        for (size_t l = 0; l < nninit_graph_layer_count(g); l++) {
            nninit_graph_op op;
            long i = nninit_graph_layer_op(g, l);
            ck_assert_int_ge(i, 0);
            ck_assert_int_eq(nninit_graph_op_info(g, (size_t)i, &op), NNINIT_OK);
            ck_assert_int_eq(op.layer, (long)l);
            ck_assert_int_ge(op.weight, 0);
            ck_assert(strcmp(op.op, "linear") == 0 || strcmp(op.op, "conv2d") == 0);
        }
        ck_assert_int_eq(nninit_graph_layer_op(g, nninit_graph_layer_count(g)), -1);
        nninit_graph_op op;
        ck_assert_int_eq(nninit_graph_op_info(g, nninit_graph_op_count(g), &op), NNINIT_E_PARAM);
        nninit_graph_free(g);
        nninit_model_free(m);
    }
}
END_TEST

START_TEST(test_paths_and_order)
{
    char *s = spec("{\"name\": \"a\", \"shape\": [4, 4]}, {\"name\": \"b\", \"shape\": [4, 4]},"
                   "{\"name\": \"c\", \"shape\": [4, 4]}",
                   "{\"op\": \"linear\", \"weight\": \"a\"},"
                   "{\"op\": \"residual\", \"body\": [{\"op\": \"relu\"}, {\"op\": \"linear\", \"weight\": \"b\"}],"
                   " \"shortcut\": [{\"op\": \"linear\", \"weight\": \"c\"}]}, {\"op\": \"tanh\"}", NULL);
    nninit_model *m = parse_ok(s);
    nninit_graph *g = graph_ok(m);
    static const char *const paths[] = { "0", "1.body.0", "1.body.1", "1.shortcut.0", "1", "2" };
    static const char *const ops[] = { "linear", "relu", "linear", "linear", "residual", "tanh" };
    static const int depth[] = { 0, 1, 1, 1, 0, 0 };
    static const long layer[] = { 0, -1, 1, 2, -1, -1 };
    ck_assert_uint_eq(nninit_graph_op_count(g), 6);
    for (size_t i = 0; i < 6; i++) {
        nninit_graph_op op;
        ck_assert_int_eq(nninit_graph_op_info(g, i, &op), NNINIT_OK);
        ck_assert_str_eq(op.path, paths[i]);
        ck_assert_str_eq(op.op, ops[i]);
        ck_assert_int_eq(op.depth, depth[i]);
        ck_assert_int_eq(op.layer, layer[i]);
        ck_assert_int_eq(op.bias, -1);
    }
    /* the first op is a linear: one sample is (4) */
    int64_t in[NNINIT_MAX_DIMS];
    int nd;
    ck_assert_int_eq(nninit_graph_input_shape(g, in, &nd), NNINIT_OK);
    ck_assert_int_eq(nd, 1);
    ck_assert_int_eq(in[0], 4);
    nninit_graph_free(g);
    nninit_model_free(m);
    free(s);
}
END_TEST

/* The graph and data_init survive the canonical JSON. */
START_TEST(test_canonical)
{
    char *s = spec("{\"name\": \"w\", \"shape\": [3, 2, 3, 3]}",
                   "{\"op\": \"input\", \"shape\": [2, 5, 5]}, {\"op\": \"conv2d\", \"weight\": \"w\", \"padding\": [1, 1]}",
                   "\"data_init\": \"lsuv(tol=0.05)\"");
    nninit_model *m = parse_ok(s);
    const char *json = nninit_model_json(m);
    ck_assert_ptr_nonnull(strstr(json, "\"graph\":[{\"op\":\"input\",\"shape\":[2,5,5]},{\"op\":\"conv2d\","
                                       "\"weight\":\"w\",\"padding\":[1,1]}]"));
    ck_assert_ptr_nonnull(strstr(json, "\"data_init\":\"lsuv(tol=0.05)\""));
    ck_assert_str_eq(nninit_model_data_init(m), "lsuv(tol=0.05)");
    nninit_model *again = parse_ok(json);
    ck_assert_str_eq(nninit_model_json(again), json);
    nninit_graph *g = graph_ok(again);
    ck_assert_uint_eq(nninit_graph_op_count(g), 2);
    nninit_graph_free(g);
    /* set_data_init: replaced, recorded, removed */
    ck_assert_int_eq(nninit_model_set_data_init(again, "batch_stats(mean=0, std=1)"), NNINIT_OK);
    ck_assert_ptr_nonnull(strstr(nninit_model_json(again), "\"data_init\":\"batch_stats(mean=0, std=1)\""));
    ck_assert_str_eq(nninit_model_metadata(again)[5], nninit_model_json(again));
    ck_assert_int_eq(nninit_model_set_data_init(again, NULL), NNINIT_OK);
    ck_assert_ptr_null(nninit_model_data_init(again));
    ck_assert_ptr_null(strstr(nninit_model_json(again), "data_init"));
    ck_assert_int_eq(nninit_model_set_data_init(NULL, "lsuv"), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_model_find(again, "w"), 0);
    ck_assert_int_eq(nninit_model_find(again, "v"), -1);
    ck_assert_int_eq(nninit_model_find(NULL, "w"), -1);
    nninit_model_free(again);
    nninit_model_free(m);
    free(s);
}
END_TEST

/* ---- validation errors ------------------------------------------------------------------ */
#define T_LIN "{\"name\": \"w\", \"shape\": [4, 6]}, {\"name\": \"b\", \"shape\": [4]}, {\"name\": \"v\", \"shape\": [3, 4]}"
#define T_CONV "{\"name\": \"k\", \"shape\": [8, 3, 3, 3]}, {\"name\": \"kb\", \"shape\": [8]}," \
               "{\"name\": \"g\", \"shape\": [8]}, {\"name\": \"h\", \"shape\": [8]}, {\"name\": \"fc\", \"shape\": [2, 8]}"

static const struct {
    const char *tensors, *graph, *extra;
    nninit_status st;
    const char *msg;      /* a substring of the message */
} k_bad[] = {
    /* structure */
    { T_LIN, "", NULL, NNINIT_E_FORMAT, "field \"graph\": empty" },
    { T_LIN, "3", NULL, NNINIT_E_FORMAT, "graph op 0: expected an object {\"op\": ...}, got a number" },
    { T_LIN, "{\"weight\": \"w\"}", NULL, NNINIT_E_FORMAT, "graph op 0: field \"op\": missing" },
    { T_LIN, "{\"op\": 1}", NULL, NNINIT_E_FORMAT, "graph op 0: field \"op\": expected a string" },
    { T_LIN, "{\"op\": \"conv3d\"}", NULL, NNINIT_E_FORMAT, "graph op 0: field \"op\": unknown op \"conv3d\" (expected input, linear," },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"w\", \"weights\": \"w\"}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (linear): field \"weights\": unknown field (expected op, weight, bias)" },
    { T_LIN, "{\"op\": \"relu\", \"slope\": 1}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (relu): field \"slope\": unknown field (this op takes none besides op)" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"w\", \"weight\": \"w\"}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (linear): field \"weight\": appears twice" },
    { T_LIN, "{\"op\": \"relu\"}, {\"op\": \"input\", \"shape\": [6]}", NULL, NNINIT_E_FORMAT,
      "graph op 1 (input): only the graph's first op may be an input op" },
    { T_LIN, "{\"op\": \"input\", \"shape\": [6, 1]}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (input): field \"shape\": expected one sample's shape" },
    { T_LIN, "{\"op\": \"input\", \"shape\": [0]}", NULL, NNINIT_E_FORMAT, "graph op 0 (input): field \"shape\": expected sizes >= 1" },
    /* tensors */
    { T_LIN, "{\"op\": \"linear\"}", NULL, NNINIT_E_FORMAT, "graph op 0 (linear): field \"weight\": missing" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"x\"}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (linear): field \"weight\": tensor \"x\" is not in the model" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": 3}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (linear): field \"weight\": expected a tensor name, got a number" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"b\"}", NULL, NNINIT_E_SHAPE,
      "graph op 0 (linear): field \"weight\": tensor \"b\" is [4]; a linear weight is 2-D (out_features, in_features)" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"w\", \"bias\": \"v\"}", NULL, NNINIT_E_SHAPE,
      "graph op 0 (linear): field \"bias\": tensor \"v\" is [3, 4]; expected a vector (1-D)" },
    { "{\"name\": \"w\", \"shape\": [4, 6]}, {\"name\": \"b\", \"shape\": [5]}", "{\"op\": \"linear\", \"weight\": \"w\", \"bias\": \"b\"}",
      NULL, NNINIT_E_SHAPE, "graph op 0 (linear): field \"bias\": tensor \"b\" has 5 elements; the weight \"w\" has 4 outputs" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"w\"}, {\"op\": \"relu\"}, {\"op\": \"linear\", \"weight\": \"w\"}", NULL,
      NNINIT_E_FORMAT, "graph op 2 (linear): field \"weight\": tensor \"w\" is already used by graph op 0" },
    { "{\"name\": \"w\", \"shape\": [0, 6]}", "{\"op\": \"linear\", \"weight\": \"w\"}", NULL, NNINIT_E_SHAPE,
      "graph op 0 (linear): field \"weight\": tensor \"w\" is empty" },
    { "{\"name\": \"w\", \"shape\": [4, 6], \"layout\": \"hwio\", \"init\": \"xavier_uniform\"}",
      "{\"op\": \"linear\", \"weight\": \"w\"}", NULL, NNINIT_E_FORMAT, "non-PyTorch layout" },
    /* shapes along the graph */
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"w\"}, {\"op\": \"linear\", \"weight\": \"v\"}, {\"op\": \"linear\", \"weight\": \"b\"}",
      NULL, NNINIT_E_SHAPE, "tensor \"b\" is [4]" },
    { T_LIN, "{\"op\": \"input\", \"shape\": [5]}, {\"op\": \"linear\", \"weight\": \"w\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (linear): field \"weight\": tensor \"w\" is [4, 6] (in_features 6), but the incoming activation [?, 5] has 5 features" },
    { T_LIN, "{\"op\": \"linear\", \"weight\": \"v\"}, {\"op\": \"linear\", \"weight\": \"w\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (linear): field \"weight\": tensor \"w\" is [4, 6] (in_features 6), but the incoming activation [?, ..., 3] has 3" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [3, 8, 8]}, {\"op\": \"conv2d\", \"weight\": \"k\"}, {\"op\": \"linear\", \"weight\": \"fc\"}",
      NULL, NNINIT_E_SHAPE, "graph op 2 (linear): field \"weight\": tensor \"fc\" is [2, 8] (in_features 8), but the incoming "
      "activation [?, 8, 6, 6] has 6 features in its last dimension (a flatten before it?)" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [3, 8, 8]}, {\"op\": \"conv2d\", \"weight\": \"k\"}, {\"op\": \"flatten\"},"
      "{\"op\": \"linear\", \"weight\": \"fc\"}", NULL, NNINIT_E_SHAPE, "graph op 3 (linear): field \"weight\": tensor \"fc\" is [2, 8] "
      "(in_features 8), but the incoming activation [?, 288] has 288" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [4, 8, 8]}, {\"op\": \"conv2d\", \"weight\": \"k\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (conv2d): field \"weight\": tensor \"k\" is [8, 3, 3, 3] with groups 1, so it takes 3 input channels; the "
      "incoming activation [?, 4, 8, 8] has 4" },
    { T_CONV, "{\"op\": \"conv2d\", \"weight\": \"k\"}, {\"op\": \"conv2d\", \"weight\": \"kb\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (conv2d): field \"weight\": tensor \"kb\" is [8]; a conv2d weight is 4-D" },
    { T_CONV, "{\"op\": \"conv2d\", \"weight\": \"k\", \"groups\": 3}", NULL, NNINIT_E_SHAPE,
      "graph op 0 (conv2d): field \"groups\": 3 does not divide the 8 output channels of \"k\"" },
    { "{\"name\": \"k\", \"shape\": [8, 1, 3, 3], \"groups\": 8, \"init\": \"kaiming_normal\"}",
      "{\"op\": \"conv2d\", \"weight\": \"k\", \"groups\": 4}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (conv2d): field \"groups\": 4, but tensor \"k\" is initialized with groups 8" },
    { T_CONV, "{\"op\": \"conv2d\", \"weight\": \"k\", \"stride\": 0}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (conv2d): field \"stride\": expected an integer in 1..16777216 or [h, w] of them" },
    { T_CONV, "{\"op\": \"conv2d\", \"weight\": \"k\", \"padding\": [1]}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (conv2d): field \"padding\": expected an integer in 0..16777216 or [h, w] of them, got an array" },
    { T_CONV, "{\"op\": \"conv2d\", \"weight\": \"k\", \"dilation\": 1.5}", NULL, NNINIT_E_FORMAT,
      "field \"dilation\": expected an integer" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [3, 2, 9]}, {\"op\": \"conv2d\", \"weight\": \"k\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (conv2d): the input [?, 3, 2, 9] is too small along H for a 3-wide window (dilation 1) with padding 0" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [3]}, {\"op\": \"conv2d\", \"weight\": \"k\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (conv2d): needs a 4-D (N, C, H, W) input; the incoming activation is [?, 3]" },
    { T_CONV, "{\"op\": \"maxpool2d\", \"kernel\": 3, \"padding\": 2}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (maxpool2d): field \"padding\": 2 is more than half the kernel (3), which PyTorch refuses" },
    { T_CONV, "{\"op\": \"avgpool2d\"}", NULL, NNINIT_E_FORMAT, "graph op 0 (avgpool2d): field \"kernel\": missing" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [8]}, {\"op\": \"global_avgpool\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (global_avgpool): needs a 4-D (N, C, H, W) input" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [4, 5, 5]}, {\"op\": \"batchnorm\", \"weight\": \"g\", \"bias\": \"h\"}", NULL,
      NNINIT_E_SHAPE, "graph op 1 (batchnorm): field \"weight\": tensor \"g\" is [8], but the incoming activation [?, 4, 5, 5] has 4 channels" },
    { T_CONV, "{\"op\": \"input\", \"shape\": [4, 5, 5]}, {\"op\": \"layernorm\", \"weight\": \"g\"}", NULL, NNINIT_E_SHAPE,
      "graph op 1 (layernorm): field \"weight\": tensor \"g\" is [8], but the incoming activation [?, 4, 5, 5] has 5 in its last dimension" },
    { T_CONV, "{\"op\": \"batchnorm\", \"weight\": \"g\", \"eps\": 0}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (batchnorm): field \"eps\": 0 is out of range" },
    { T_CONV, "{\"op\": \"batchnorm\", \"bias\": \"g\"}", NULL, NNINIT_E_FORMAT, "graph op 0 (batchnorm): field \"weight\": missing" },
    { T_CONV, "{\"op\": \"dropout\", \"p\": 1}", NULL, NNINIT_E_FORMAT, "graph op 0 (dropout): field \"p\": 1 is out of range" },
    { T_CONV, "{\"op\": \"gelu\", \"approximate\": \"fast\"}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (gelu): field \"approximate\": expected \"none\" or \"tanh\"" },
    { T_CONV, "{\"op\": \"leaky_relu\", \"slope\": \"x\"}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (leaky_relu): field \"slope\": expected a number, got a string" },
    /* residuals */
    { T_LIN, "{\"op\": \"residual\"}", NULL, NNINIT_E_FORMAT, "graph op 0 (residual): field \"body\": missing" },
    { T_LIN, "{\"op\": \"residual\", \"body\": []}", NULL, NNINIT_E_FORMAT, "graph op 0 (residual): field \"body\": empty" },
    { T_LIN, "{\"op\": \"residual\", \"body\": [{\"op\": \"relu\"}], \"shortcut\": {}}", NULL, NNINIT_E_FORMAT,
      "graph op 0 (residual): field \"shortcut\": expected an array of ops, got an object" },
    { T_LIN, "{\"op\": \"input\", \"shape\": [6]}, {\"op\": \"residual\", \"body\": [{\"op\": \"linear\", \"weight\": \"w\"}]}", NULL,
      NNINIT_E_SHAPE, "graph op 1 (residual): the body's output [?, 4] and the shortcut's output [?, 6] differ" },
    { T_LIN, "{\"op\": \"residual\", \"body\": [{\"op\": \"relu\"}, {\"op\": \"residual\", \"body\": [{\"op\": \"tanh\"}],"
      " \"shortcut\": [{\"op\": \"linear\", \"weight\": \"q\"}]}]}", NULL, NNINIT_E_FORMAT,
      "graph op 0.body.1.shortcut.0 (linear): field \"weight\": tensor \"q\" is not in the model" },
    /* data_init */
    { T_LIN, "{\"op\": \"relu\"}", "\"data_init\": \"lsuv(tol=-1)\"", NNINIT_E_PARAM,
      "field \"data_init\": data init \"lsuv(tol=-1)\": column 10: tol out of range" },
    { T_LIN, "{\"op\": \"relu\"}", "\"data_init\": \"kaiming\"", NNINIT_E_SPEC,
      "field \"data_init\": data init \"kaiming\": column 1: unknown algorithm 'kaiming' (expected lsuv or batch_stats)" },
};

START_TEST(test_bad_graphs)
{
    for (size_t k = 0; k < sizeof k_bad / sizeof k_bad[0]; k++) {
        char *s = spec(k_bad[k].tensors, k_bad[k].graph, k_bad[k].extra);
        nninit_model *m = parse_ok(s);
        char msg[1024];
        nninit_graph *g = (nninit_graph *)1;
        nninit_status st = nninit_graph_create(m, &g, msg, sizeof msg);
        ck_assert_msg(st == k_bad[k].st, "case %zu: status %d (%s), want %d\n%s", k, st, msg, k_bad[k].st, s);
        ck_assert_ptr_null(g);
        ck_assert_msg(strstr(msg, k_bad[k].msg) != NULL, "case %zu: message\n  %s\nlacks\n  %s", k, msg, k_bad[k].msg);
        nninit_model_free(m);
        free(s);
    }
}
END_TEST

START_TEST(test_bad_model_fields)
{
    static const struct { const char *json, *msg; } bad[] = {
        { "{\"tensors\": [], \"graph\": {}}", "field \"graph\": expected an array of ops, got an object" },
        { "{\"tensors\": [], \"graph\": [], \"data_init\": 3}", "field \"data_init\": expected a string" },
        { "{\"tensors\": [], \"graphs\": []}", "field \"graphs\": unknown field (expected seed, dtype, layout, name, "
                                               "description, metadata, vars, rules, tensors, graph, data_init)" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char msg[512];
        nninit_model *m = NULL;
        ck_assert_int_eq(nninit_model_parse(bad[k].json, strlen(bad[k].json), &m, msg, sizeof msg), NNINIT_E_FORMAT);
        ck_assert_msg(strstr(msg, bad[k].msg) != NULL, "%s", msg);
    }
    /* no graph */
    const char *plain = "{\"tensors\": [{\"name\": \"w\", \"shape\": [2], \"init\": \"zeros\"}]}";
    const char *algo_only = "{\"tensors\": [], \"data_init\": \"lsuv\"}";
    char msg[512];
    nninit_model *m = parse_ok(plain);
    nninit_graph *g = (nninit_graph *)1;
    ck_assert_int_eq(nninit_graph_create(m, &g, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_ptr_null(g);
    ck_assert_str_eq(msg, "the model spec has no \"graph\"");
    nninit_model_free(m);
    m = parse_ok(algo_only);
    ck_assert_int_eq(nninit_graph_create(m, &g, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_str_eq(msg, "the model spec has no \"graph\" (its \"data_init\" needs one)");
    nninit_model_free(m);
    ck_assert_int_eq(nninit_graph_create(NULL, &g, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_graph_create(m, NULL, NULL, 0), NNINIT_E_NULL);
    nninit_graph_free(NULL);
    ck_assert_uint_eq(nninit_graph_op_count(NULL), 0);
    ck_assert_uint_eq(nninit_graph_layer_count(NULL), 0);
}
END_TEST

/* Residuals nested deeper than the parser allows: refused, not a stack overflow. */
START_TEST(test_deep_nesting)
{
    size_t depth = 70, cap = depth * 40 + 256;
    char *g = malloc(cap), *s;
    size_t len = 0;
    for (size_t i = 0; i < depth; i++) len += (size_t)snprintf(g + len, cap - len, "{\"op\": \"residual\", \"body\": [");
    len += (size_t)snprintf(g + len, cap - len, "{\"op\": \"relu\"}");
    for (size_t i = 0; i < depth; i++) len += (size_t)snprintf(g + len, cap - len, "]}");
    s = spec("", g, NULL);
    nninit_model *m = parse_ok(s);
    char msg[1024];
    nninit_graph *gr;
    ck_assert_int_eq(nninit_graph_create(m, &gr, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_ptr_nonnull(strstr(msg, "residuals nested deeper than 64"));
    nninit_model_free(m);
    free(s);
    free(g);
}
END_TEST

/* ---- data-init spec strings ------------------------------------------------------------------ */
START_TEST(test_data_init_strings)
{
    nninit_data_init a;
    char msg[512], buf[128];
    ck_assert_int_eq(nninit_data_init_parse("lsuv", &a, msg, sizeof msg), NNINIT_OK);
    ck_assert_int_eq(a.kind, NNINIT_DATA_LSUV);
    ck_assert(a.tol == 0.1 && a.max_iter == 10 && a.target_var == 1);
    nninit_data_init_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "lsuv(tol=0.1, max_iter=10, target_var=1)");
    ck_assert_int_eq(nninit_data_init_parse(" lsuv ( tol = 0.05 , target_var=sqrt(2) ) ", &a, msg, sizeof msg),
                     NNINIT_OK);
    ck_assert(a.tol == 0.05 && a.max_iter == 10 && a.target_var == sqrt(2.0));
    size_t need = nninit_data_init_format(&a, NULL, 0);
    ck_assert_uint_eq(need, nninit_data_init_format(&a, buf, sizeof buf));
    ck_assert_uint_eq(need, strlen(buf));
    nninit_data_init b;
    ck_assert_int_eq(nninit_data_init_parse(buf, &b, msg, sizeof msg), NNINIT_OK);
    ck_assert(memcmp(&a, &b, sizeof a) == 0);
    ck_assert_int_eq(nninit_data_init_parse("batch_stats()", &a, msg, sizeof msg), NNINIT_OK);
    ck_assert(a.kind == NNINIT_DATA_BATCH_STATS && a.mean == 0 && a.std == 1);
    ck_assert_int_eq(nninit_data_init_parse("batch_stats(std=0.5, mean=-1e-1)", &a, msg, sizeof msg), NNINIT_OK);
    nninit_data_init_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "batch_stats(mean=-0.1, std=0.5)");
    ck_assert_int_eq(nninit_data_init_parse("lsuv(max_iter=0, tol=0)", &a, msg, sizeof msg), NNINIT_OK);
    ck_assert(a.max_iter == 0 && a.tol == 0);
    nninit_data_init d = nninit_data_init_default(NNINIT_DATA_BATCH_STATS);
    ck_assert(d.kind == NNINIT_DATA_BATCH_STATS && d.std == 1);
    d = nninit_data_init_default((nninit_data_init_kind)9);
    ck_assert_int_eq(d.kind, NNINIT_DATA_LSUV);

    static const struct { const char *s; nninit_status st; const char *msg; } bad[] = {
        { "", NNINIT_E_SPEC, "data init \"\": column 1: empty (expected lsuv or batch_stats)" },
        { "lsvu", NNINIT_E_SPEC, "column 1: unknown algorithm 'lsvu'; did you mean 'lsuv'? (expected lsuv or batch_stats)" },
        { "lsuv(mean=1)", NNINIT_E_SPEC, "column 6: unknown parameter 'mean' for lsuv (it takes tol, max_iter, target_var)" },
        { "lsuv(tol=0.1, tol=0.2)", NNINIT_E_SPEC, "column 15: tol given twice" },
        { "lsuv(tol=x)", NNINIT_E_SPEC, "column 10: bad number 'x' for tol" },
        { "lsuv(tol=0.1", NNINIT_E_SPEC, "missing ')'" },
        { "lsuv(tol 0.1)", NNINIT_E_SPEC, "expected '=' after tol" },
        { "lsuv)", NNINIT_E_SPEC, "unexpected text after the algorithm" },
        { "lsuv(tol=-0.5)", NNINIT_E_PARAM, "tol out of range: -0.5" },
        { "lsuv(max_iter=2.5)", NNINIT_E_PARAM, "max_iter out of range: 2.5 (an integer in 0..1000000)" },
        { "lsuv(target_var=0)", NNINIT_E_PARAM, "target_var out of range: 0 (a finite number > 0)" },
        { "lsuv(target_var=1e999)", NNINIT_E_PARAM, "target_var out of range: 1e999 is not a finite number" },
        { "batch_stats(std=-1)", NNINIT_E_PARAM, "std out of range: -1 (a finite number > 0)" },
        { "batch_stats(std=sqrt(-1))", NNINIT_E_PARAM, "sqrt of a negative number" },
        { "batch_stats(tol=1)", NNINIT_E_SPEC, "unknown parameter 'tol' for batch_stats (it takes mean, std)" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        nninit_data_init keep = nninit_data_init_default(NNINIT_DATA_LSUV), out = keep;
        nninit_status st = nninit_data_init_parse(bad[k].s, &out, msg, sizeof msg);
        ck_assert_msg(st == bad[k].st, "\"%s\": status %d (%s)", bad[k].s, st, msg);
        ck_assert_msg(strstr(msg, bad[k].msg) != NULL, "\"%s\": message \"%s\" lacks \"%s\"", bad[k].s, msg, bad[k].msg);
        ck_assert(memcmp(&keep, &out, sizeof out) == 0);
    }
    ck_assert_int_eq(nninit_data_init_parse(NULL, &a, msg, sizeof msg), NNINIT_E_NULL);
    nninit_data_init inv = nninit_data_init_default(NNINIT_DATA_LSUV);
    inv.tol = NAN;
    buf[0] = 'x';
    ck_assert_uint_eq(nninit_data_init_format(&inv, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

/* ---- bad batches at run time --------------------------------------------------------------------- */
typedef struct {
    nninit_model *m;
    nninit_graph *g;
    nninit_arena *a;
} net;

static net make_net(const char *json)
{
    net n;
    char msg[512];
    n.m = parse_ok(json);
    n.g = graph_ok(n.m);
    ck_assert_int_eq(nninit_arena_create(n.m, &n.a), NNINIT_OK);
    ck_assert_msg(nninit_model_init(n.m, nninit_arena_pointers(n.a), NULL, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    return n;
}

static void free_net(net *n)
{
    nninit_arena_free(n->a);
    nninit_graph_free(n->g);
    nninit_model_free(n->m);
}

static nninit_tensor batch4(float *x, int64_t n, int64_t c, int64_t h, int64_t w)
{
    nninit_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = NNINIT_F32;
    t.ndim = 4;
    t.shape[0] = n; t.shape[1] = c; t.shape[2] = h; t.shape[3] = w;
    t.data = x;
    t.nbytes = (size_t)(n * c * h * w) * sizeof(float);
    return t;
}

START_TEST(test_bad_batches)
{
    char *s = spec(T_CONV, "{\"op\": \"conv2d\", \"weight\": \"k\", \"bias\": \"kb\", \"padding\": 1},"
                   "{\"op\": \"batchnorm\", \"weight\": \"g\", \"bias\": \"h\"}, {\"op\": \"relu\"},"
                   "{\"op\": \"global_avgpool\"}, {\"op\": \"flatten\"}, {\"op\": \"linear\", \"weight\": \"fc\"}", NULL);
    net n = make_net(s);
    const void *const *t = (const void *const *)nninit_arena_pointers(n.a);
    float x[2 * 3 * 5 * 5];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)((i * 37) % 11) - 5.0f;
    char msg[1024];
    nninit_probe_row rows[6], keep[6];
    memset(rows, 0x5a, sizeof rows);
    memcpy(keep, rows, sizeof rows);
    struct { nninit_tensor b; nninit_status st; const char *msg; } bad[12];
    size_t nb = 0;
    bad[nb].b = batch4(x, 2, 4, 5, 5);
    bad[nb].b.nbytes = 2 * 4 * 25 * 4;
    bad[nb].st = NNINIT_E_SHAPE;
    bad[nb++].msg = "graph op 0 (conv2d): field \"weight\": tensor \"k\" is [8, 3, 3, 3] with groups 1, so it takes 3 "
                    "input channels; the incoming activation [2, 4, 5, 5] has 4";
    bad[nb].b = batch4(x, 2, 3, 5, 5);
    bad[nb].b.ndim = 3;
    bad[nb].st = NNINIT_E_SHAPE;
    bad[nb++].msg = "the batch is 3-D; expected (N, F) or (N, C, H, W)";
    bad[nb].b = batch4(x, 2, 3, 5, 5);
    bad[nb].b.dtype = (nninit_dtype)7;
    bad[nb].st = NNINIT_E_DTYPE;
    bad[nb++].msg = "the batch's dtype 7 is not f32, f64, bf16 or f16";
    bad[nb].b = batch4(x, 0, 3, 5, 5);
    bad[nb].st = NNINIT_E_DATA;
    bad[nb++].msg = "the batch is empty (N = 0)";
    bad[nb].b = batch4(x, 2, 3, 5, 5);
    bad[nb].b.nbytes -= 4;
    bad[nb].st = NNINIT_E_SHAPE;
    bad[nb++].msg = "the batch's nbytes (596) is not its shape times the element size (600)";
    bad[nb].b = batch4(NULL, 2, 3, 5, 5);
    bad[nb].st = NNINIT_E_NULL;
    bad[nb++].msg = "NULL batch data";
    bad[nb].b = batch4(x, 1, 3, 1, 1);
    bad[nb].st = NNINIT_E_DATA;
    bad[nb++].msg = "graph op 1 (batchnorm): the input [1, 8, 1, 1] has one value per channel; batch statistics need at "
                    "least 2";
    bad[nb].b = batch4(x, 2, 3, 5, 5);
    bad[nb].b.ndim = 2;
    bad[nb].b.shape[1] = 75;
    bad[nb].st = NNINIT_E_SHAPE;
    bad[nb++].msg = "graph op 0 (conv2d): needs a 4-D (N, C, H, W) input; the incoming activation is [2, 75]";
    for (size_t k = 0; k < nb; k++) {
        nninit_status st = nninit_graph_probe(n.g, t, &bad[k].b, NULL, rows, msg, sizeof msg);
        ck_assert_msg(st == bad[k].st, "case %zu: status %d (%s)", k, st, msg);
        ck_assert_msg(strstr(msg, bad[k].msg) != NULL, "case %zu: \"%s\" lacks \"%s\"", k, msg, bad[k].msg);
        ck_assert(memcmp(rows, keep, sizeof rows) == 0);
    }
    /* NaN and infinity in the batch, and f64 values beyond binary32 */
    nninit_tensor b = batch4(x, 2, 3, 5, 5);
    x[31] = NAN;
    ck_assert_int_eq(nninit_graph_probe(n.g, t, &b, NULL, rows, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "the batch holds a NaN at element 31 (sample 0)");
    x[31] = 0;
    x[100] = -INFINITY;
    ck_assert_int_eq(nninit_graph_probe(n.g, t, &b, NULL, rows, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "the batch holds an infinity at element 100 (sample 1)");
    x[100] = 0;
    double x64[150];
    for (int i = 0; i < 150; i++) x64[i] = x[i];
    x64[7] = 1e300;
    nninit_tensor b64 = b;
    b64.dtype = NNINIT_F64; b64.data = x64; b64.nbytes = sizeof x64;
    ck_assert_int_eq(nninit_graph_probe(n.g, t, &b64, NULL, rows, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "the batch holds an infinity at element 7 (sample 0) (a value beyond binary32's range)");
    ck_assert(memcmp(rows, keep, sizeof rows) == 0);

    /* forward: the count must match the output */
    float y[4], ykeep[4] = { 1, 2, 3, 4 };
    memcpy(y, ykeep, sizeof y);
    ck_assert_int_eq(nninit_graph_forward(n.g, t, &b, NULL, y, 3, msg, sizeof msg), NNINIT_E_SHAPE);
    ck_assert_str_eq(msg, "the output is [2, 2] (4 elements); count is 3");
    ck_assert(memcmp(y, ykeep, sizeof y) == 0);
    ck_assert_int_eq(nninit_graph_forward(n.g, t, &b, NULL, y, 4, msg, sizeof msg), NNINIT_OK);
    ck_assert_str_eq(msg, "");

    /* canceled before the first op */
    volatile sig_atomic_t flag = 1;
    nninit_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.cancel = &flag;
    ck_assert_int_eq(nninit_graph_probe(n.g, t, &b, &opt, rows, msg, sizeof msg), NNINIT_E_CANCELED);
    ck_assert(memcmp(rows, keep, sizeof rows) == 0);

    /* an overflowing forward pass: the probe names the first op with non-finite output */
    float *k = nninit_arena_tensor(n.a, 0);
    for (int i = 0; i < 8 * 27; i++) k[i] = 3e38f;
    ck_assert_int_eq(nninit_graph_probe(n.g, t, &b, NULL, rows, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_msg(strstr(msg, "graph op 0 (conv2d): ") && strstr(msg, "values are NaN or infinite"), "%s", msg);
    ck_assert_int_eq(nninit_graph_forward(n.g, t, &b, NULL, y, 4, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert(memcmp(rows, keep, sizeof rows) == 0);

    /* NULL arguments */
    ck_assert_int_eq(nninit_graph_probe(NULL, t, &b, NULL, rows, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_graph_probe(n.g, t, NULL, NULL, rows, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_graph_probe(n.g, NULL, &b, NULL, rows, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_graph_probe(n.g, t, &b, NULL, NULL, msg, sizeof msg), NNINIT_E_NULL);
    int64_t shp[NNINIT_MAX_DIMS];
    int nd;
    int64_t empty[4] = { 0, 3, 5, 5 };
    ck_assert_int_eq(nninit_graph_output_shape(n.g, empty, 4, shp, &nd, msg, sizeof msg), NNINIT_E_DATA);
    free_net(&n);
    free(s);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = nt_tcase("graph");
    tcase_add_test(tc, test_examples);
    tcase_add_test(tc, test_paths_and_order);
    tcase_add_test(tc, test_canonical);
    tcase_add_test(tc, test_bad_graphs);
    tcase_add_test(tc, test_bad_model_fields);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_data_init_strings);
    tcase_add_test(tc, test_bad_batches);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
