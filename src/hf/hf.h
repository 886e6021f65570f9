/* src/hf/: Hugging Face configs (docs/HF.md). A transformers config.json is
 * read into one resolved description (hf_config.c), the architecture table
 * turns it into the tensors a checkpoint of that model holds, each with a
 * role (hf_table.c), a recipe gives every role its init spec (recipes.c), and
 * hf.c writes the model spec JSON. The layer uses the model layer (a spec it
 * makes parses as any other) and common. */
#ifndef NNINIT_HF_H
#define NNINIT_HF_H

#include "../model/model.h"

/* What a tensor is in the network, whatever the model type calls it: the
 * recipes are rules over these. */
typedef enum {
    NNINIT_HF_EMBED_,        /* token embedding [vocab, hidden] */
    NNINIT_HF_POS_EMBED_,    /* learned position embedding [positions, hidden] */
    NNINIT_HF_ATTN_Q_, NNINIT_HF_ATTN_K_, NNINIT_HF_ATTN_V_,
    NNINIT_HF_ATTN_QKV_,     /* q, k and v fused in one matrix */
    NNINIT_HF_ATTN_OUT_,     /* the attention's output projection */
    NNINIT_HF_MLP_IN_,       /* the input matrix of a non-gated MLP */
    NNINIT_HF_MLP_GATE_, NNINIT_HF_MLP_UP_,
    NNINIT_HF_MLP_GATE_UP_,  /* gate and up fused in one matrix */
    NNINIT_HF_MLP_DOWN_,     /* the MLP's output projection */
    NNINIT_HF_ROUTER_,       /* an MoE router (or a shared expert's gate) */
    NNINIT_HF_NORM_,         /* a norm's weight (scale) */
    NNINIT_HF_NORM_BIAS_,    /* a LayerNorm's bias */
    NNINIT_HF_BIAS_,         /* a linear layer's bias */
    NNINIT_HF_LM_HEAD_,      /* the untied output projection [vocab, hidden] */
    NNINIT_HF_ROLES_
} nninit_hf_role_;

/* The name of a role, as docs/HF.md writes it ("attn_q", "mlp_down", ...). */
const char *nninit_hf_role_name_(nninit_hf_role_ role);

/* Flags of a model type in the architecture table. */
enum {
    NNINIT_HF_ATTN_BIAS_KEY_ = 1 << 0,  /* "attention_bias": biases on q, k, v and o */
    NNINIT_HF_QKV_BIAS_ = 1 << 1,       /* biases on q, k and v always (Qwen2) */
    NNINIT_HF_MLP_BIAS_KEY_ = 1 << 2,   /* "mlp_bias": biases on the MLP */
    NNINIT_HF_QK_NORM_ = 1 << 3,        /* per-head RMSNorm of q and k (q_norm, k_norm) */
    NNINIT_HF_SANDWICH_ = 1 << 4,       /* pre/post feed-forward norms (Gemma 2, 3) */
    NNINIT_HF_FUSED_ = 1 << 5,          /* qkv_proj and gate_up_proj (Phi-3) */
    NNINIT_HF_NORM_OFFSET_ = 1 << 6,    /* norms scale by 1 + w: unit scale is w = 0 (Gemma) */
    NNINIT_HF_PAD_ROW_ = 1 << 7,        /* the embedding has padding_idx = pad_token_id */
    NNINIT_HF_SCALED_PROJ_ = 1 << 8,    /* _init_weights scales c_proj.weight by 1/sqrt(2 n_layer) (GPT-2) */
    NNINIT_HF_QKV_BIAS_KEY_ = 1 << 9    /* "qkv_bias" (default true) gives q, k, v their biases (Qwen2-MoE) */
};
enum { NNINIT_HF_DECODER_, NNINIT_HF_FALCON_, NNINIT_HF_NEOX_, NNINIT_HF_GPT2_ };
enum { NNINIT_HF_DENSE_, NNINIT_HF_MOE_MIXTRAL_, NNINIT_HF_MOE_QWEN2_, NNINIT_HF_MOE_QWEN3_, NNINIT_HF_MOE_GRANITE_ };

typedef struct {
    const char *type;        /* model_type */
    int family, moe;
    unsigned flags;
    int tie_default;         /* tie_word_embeddings when the key is absent */
    int head_dim_default;    /* head_dim when absent; 0: hidden / heads */
    long pad_default;        /* pad_token_id when absent; -1: None */
    const char *source;      /* transformers' modeling file */
} nninit_hf_arch_;

/* The architecture of model_type, NULL if unknown. */
const nninit_hf_arch_ *nninit_hf_arch_find_(const char *type);
/* "llama, mistral, ...": the known model types. */
const char *nninit_hf_types_text_(void);

/* A config read and checked: every size the table needs, defaults applied. */
typedef struct {
    const nninit_hf_arch_ *arch;
    int64_t vocab, hidden, inter, layers, heads, kv_heads, head_dim;
    int64_t positions;               /* GPT-2's n_positions */
    double init_range;               /* initializer_range */
    int tie;
    int64_t pad;                     /* the padding row, -1 for none */
    int attn_bias, mlp_bias;         /* attention_bias / mlp_bias, Falcon's and NeoX's bias */
    int qkv_bias;                    /* Qwen2-MoE's qkv_bias */
    /* MoE */
    int64_t experts, moe_inter, shared_inter, sparse_step;
    unsigned char *mlp_only;         /* [layers]: 1 for a dense layer in an MoE model */
    /* Falcon */
    int new_arch, multi_query, parallel_attn, ln_parallel;
    const char *dtype_name;          /* torch_dtype / dtype as written, NULL if absent */
} nninit_hf_config_;

/* Reads config (a JSON object, len bytes) into c. Errors name the key. */
nninit_status nninit_hf_config_read_(const char *config, size_t len, nninit_hf_config_ *c, char *msg,
                                     size_t msg_size);
void nninit_hf_config_free_(nninit_hf_config_ *c);

/* One tensor of the checkpoint. */
typedef struct {
    char name[160];
    int ndim;
    int64_t shape[3];
    nninit_hf_role_ role;
    int layer;               /* 0-based decoder layer, -1 outside the layers */
    int64_t fan_in;          /* inputs of the matrix (whatever its layout) */
    int64_t zero_row;        /* the padding row of an embedding, -1 for none */
} nninit_hf_tensor_;

/* Every tensor of the model in the order transformers registers them: *out
 * (malloc'ed, *n of them). NNINIT_E_NOMEM only. */
nninit_status nninit_hf_tensors_(const nninit_hf_config_ *c, nninit_hf_tensor_ **out, size_t *n);

/* A recipe parsed from "hf", "megatron", "torchtitan", "olmo", "neox" or
 * "mup(base_hidden=N)". */
typedef struct {
    int kind;
    int64_t base_hidden;     /* mup */
} nninit_hf_recipe_;
nninit_status nninit_hf_recipe_parse_(const char *text, nninit_hf_recipe_ *r, char *msg, size_t msg_size);
/* The recipe's init spec for tensor t of config c into buf ("%.17g" numbers);
 * *zero_row gets the row to zero, -1 for none. NNINIT_E_PARAM (a recipe that
 * does not fit the config, named in msg). */
nninit_status nninit_hf_recipe_init_(const nninit_hf_recipe_ *r, const nninit_hf_config_ *c,
                                     const nninit_hf_tensor_ *t, char *buf, size_t size, int64_t *zero_row,
                                     char *msg, size_t msg_size);
/* The recipe's name and parameters as the spec's description writes them. */
void nninit_hf_recipe_str_(const nninit_hf_recipe_ *r, char *buf, size_t size);

#endif
