/* src/common/: what every layer may use (docs/ARCHITECTURE.md).
 *
 * Errors and messages, the name tables (dtypes, layouts, nonlinearities),
 * shapes, half-precision conversions, a growable text buffer with JSON
 * string literals and UTF-8 checks, and the 64-bit mixer. Nothing here knows
 * about kernels, schemes, files or models, and nothing here is exported. */
#ifndef NNINIT_COMMON_H
#define NNINIT_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "nninit.h"

/* zstd-style one-line checks: each fallible step stays one line. */
#define RETURN_ERROR_IF(cond, err) do { if (cond) return (err); } while (0)
#define FORWARD_IF_ERROR(expr) do { nninit_status s_ = (expr); if (s_ != NNINIT_OK) return s_; } while (0)
/* In a function with the (msg, msg_size) parameters of the message
 * convention: return status with the reason formatted into msg. Each error
 * macro name has this one meaning across the library; a file's own helpers
 * are named for what they add (BAD_FORMAT: NNINIT_E_FORMAT; BAD_PARAM:
 * NNINIT_E_PARAM naming the parameter at fault; CTX_FAIL: a parse context's
 * message buffer, as an expression). */
#define RETURN_FAIL(st, ...) return nninit_fail_((st), msg, msg_size, __VA_ARGS__)

#if defined(__GNUC__)
#define NNINIT_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define NNINIT_PRINTF_(f, a)
#endif

/* ---- json.c: integers in JSON ----------------------------------------------
 * The largest integer every JSON reader agrees on: 2^53 (doubles are exact
 * up to it). */
#define NNINIT_JSON_INT_MAX_ ((int64_t)1 << 53)
struct cJSON;
/* v is a JSON number holding an integer in [lo, hi] (hi capped at 2^53):
 * 1 and *out, else 0 (*out untouched). */
int nninit_json_int_(const struct cJSON *v, int64_t lo, int64_t hi, int64_t *out);

/* ---- messages.c: the one message convention ------------------------------
 * A call that can explain a failure takes (char *msg, size_t msg_size) last:
 * msg receives "" on success and a NUL-terminated reason on failure; NULL or
 * 0 means "no message". Numbers are always formatted in the "C" locale. */

/* Formats the reason into msg (if msg_size > 0) and returns status. */
nninit_status nninit_fail_(nninit_status status, char *msg, size_t msg_size, const char *fmt, ...)
    NNINIT_PRINTF_(4, 5);
/* msg = "" (if msg_size > 0). */
void nninit_msg_clear_(char *msg, size_t msg_size);
/* vsnprintf / snprintf in the "C" locale; the latter returns the length it
 * needs (0 on an encoding error), like snprintf. */
void nninit_vformat_c_(char *buf, size_t size, const char *fmt, va_list ap);
size_t nninit_format_c_(char *buf, size_t size, const char *fmt, ...) NNINIT_PRINTF_(3, 4);
/* strtod in the "C" locale. */
double nninit_strtod_c_(const char *s, char **end);

/* ---- names.c: the one table of each vocabulary ---------------------------- */
/* dtype by its one name: f32, f64, bf16, f16. */
int nninit_dtype_lookup_(const char *name, nninit_dtype *out);
/* Layout kinds that have a name: oihw iohw hwio hwoi (not AXES). len bytes,
 * not NUL-terminated. */
int nninit_layout_lookup_(const char *name, size_t len, nninit_layout_kind *out);
const char *nninit_layout_name_(nninit_layout_kind kind);   /* NULL for AXES or unknown */
/* Nonlinearity names as torch.nn.init.calculate_gain spells them (len bytes). */
int nninit_nonlinearity_lookup_(const char *name, size_t len, nninit_nonlinearity *nl);
const char *nninit_nonlinearity_name_(nninit_nonlinearity nl);
/* The same lists as text for messages: "f32, f64, bf16 or f16", ... */
extern const char nninit_dtype_names_text_[];
extern const char nninit_layout_names_text_[];
extern const char nninit_nonlinearity_names_text_[];

/* ---- suggest.c: "did you mean" (nninit_suggest is the public entry) --------- */
/* The optimal string alignment distance between a[0..la) and b[0..lb) (ASCII
 * letters case-insensitive); (size_t)-1 if either is over 64 bytes. */
size_t nninit_edit_distance_(const char *a, size_t la, const char *b, size_t lb);
/* nninit_suggest for the word w[0..len), not NUL-terminated. */
const char *nninit_suggest_n_(const char *w, size_t len, const char *const *candidates, size_t n);
/* The suggestion among the vocabularies of names.c: NULL or the name. */
const char *nninit_nonlinearity_suggest_(const char *w, size_t len);
const char *nninit_layout_suggest_(const char *w, size_t len);
const char *nninit_dtype_suggest_(const char *w, size_t len);

/* ---- shape.c ---------------------------------------------------------------- */
/* Element count (NNINIT_E_SHAPE: ndim outside 0..NNINIT_MAX_DIMS, a negative
 * size, a count beyond SIZE_MAX; NNINIT_E_NULL: shape NULL with ndim > 0). */
nninit_status nninit_shape_count_(const int64_t *shape, int ndim, size_t *count);
/* "[64, 3, 7, 7]" into buf, for messages (always NUL-terminated when cap > 0);
 * nninit_shape_format is the same with "," between sizes. */
void nninit_shape_str_(char *buf, size_t cap, const int64_t *shape, int ndim);

/* ---- half.c: the storage formats ---------------------------------------------
 * The conversions every kernel's stores follow (kernels/scalar/vec_scalar.h
 * is their specification): binary32 to bf16 or f16 rounded to nearest even,
 * and back exactly. NaN stays NaN (quiet), infinities stay infinite. */
uint16_t nninit_half_from_f32_(nninit_dtype dtype, float f);
float nninit_f32_from_half_(nninit_dtype dtype, uint16_t h);
/* Largest finite value of a dtype (0 for an unknown one). */
double nninit_dtype_max_(nninit_dtype dtype);
/* Element i of data (dtype) as a double, exactly. */
double nninit_load_elem_(const void *data, nninit_dtype dtype, size_t i);
/* value rounded to the dtype (binary64 -> binary32 -> 16 bits for the
 * 16-bit formats, as the fills do) and stored at dst[index]. */
void nninit_store_elem_(void *dst, nninit_dtype dtype, size_t index, double value);

/* ---- mix.c ------------------------------------------------------------------ */
/* The SplitMix64 finalizer (Steele, Lea, Flood 2014): a bijection of 64-bit
 * words that spreads every input bit over the output. */
uint64_t nninit_mix64_(uint64_t x);
/* h with n bytes of data folded in: chained calls hash a sequence of pieces
 * (the pieces' bounds count). Checksums of checkpoints and of plans. */
uint64_t nninit_hash64_(uint64_t h, const void *data, size_t n);

/* ---- text.c: text buffers, JSON string literals, UTF-8 ---------------------- */
typedef struct {
    char *buf;
    size_t len, cap;
    int failed;      /* an allocation failed: later appends do nothing */
} nninit_text_;
void nninit_text_add_(nninit_text_ *t, const char *s, size_t n);
void nninit_text_str_(nninit_text_ *t, const char *s);
void nninit_text_fmt_(nninit_text_ *t, const char *fmt, ...) NNINIT_PRINTF_(2, 3);  /* "C" locale */
/* A JSON string literal of the NUL-terminated UTF-8 s: '"' and '\' escaped,
 * control characters as \n \t \r or \u00XX, everything else as is. */
void nninit_text_json_str_(nninit_text_ *t, const char *s);
/* NUL-terminates and hands over the buffer (NULL if an append failed). */
char *nninit_text_take_(nninit_text_ *t);
void nninit_text_free_(nninit_text_ *t);
/* Offset of the first byte of s[0..len) that is not well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or len. */
size_t nninit_utf8_check_(const unsigned char *s, size_t len);
int nninit_utf8_ok_(const char *s);

/* ---- scan.c: the tokenizer of the call-syntax parsers (init specs, data-init
 * algorithms): NAME [ '(' KEY '=' VALUE, ... ')' ] ------------------------------ */
typedef struct {
    const char *s;      /* the whole text, NUL-terminated */
    size_t pos;         /* the next byte to read */
    char *msg;          /* where errors go (may be NULL) */
    size_t msg_size;
    const char *what;   /* what the text is, for messages: "init spec", "data init" */
} nninit_scan_;
/* Writes `WHAT "TEXT": column AT+1: REASON` to msg; returns st. */
nninit_status nninit_scan_fail_(const nninit_scan_ *p, nninit_status st, size_t at, const char *fmt, ...)
    NNINIT_PRINTF_(4, 5);
void nninit_scan_ws_(nninit_scan_ *p);                /* skips white space */
int nninit_ident0_(char c);                          /* [A-Za-z_] */
int nninit_ident_char_(char c);                      /* [A-Za-z_0-9] */
size_t nninit_scan_ident_(const nninit_scan_ *p);     /* identifier length at pos, 0 if none */
/* Length of the number token at s: [+-] digits [. digits] [e [+-] digits]
 * (integer_only: [+-] digits); 0 if none. */
size_t nninit_number_len_(const char *s, int integer_only);
/* Length of the value token at `at` for messages: up to ',' ')' or space, at most 40. */
int nninit_scan_extent_(const nninit_scan_ *p, size_t at);
int nninit_word_is_(const char *w, size_t len, const char *name);   /* w[0..len) == name */

/* ---- expr.c: arithmetic in spec strings (docs/SCHEMES.md, "Arithmetic") ------
 * Reads one expression at p->pos (it stops before anything that cannot
 * continue it: ',' ')' or the end) and evaluates it in binary64 as C would.
 * vars[0..n_vars) are searched in order (the caller keeps names unique); a
 * variable whose value is NaN is unknown and makes what depends on it NaN,
 * unchecked. pname names the value in messages ("std"), or NULL. Errors:
 * NNINIT_E_SPEC for syntax and unknown names, NNINIT_E_PARAM for values
 * (division by zero, sqrt/log out of domain, NaN or infinite results). */
nninit_status nninit_scan_expr_(nninit_scan_ *p, const nninit_var *vars, size_t n_vars, const char *pname,
                                double *out);
/* The function of that name (len bytes): an index >= 0, or -1. */
int nninit_expr_function_(const char *w, size_t len);
extern const char nninit_expr_functions_text_[];    /* "sqrt, exp, log, min, max" */
/* name is [A-Za-z_][A-Za-z0-9_]* (and not NULL). */
int nninit_var_name_ok_(const char *name);
/* A caller's variables: names, not functions, each once, finite values
 * (NNINIT_E_NULL, NNINIT_E_PARAM; the reason in why). */
nninit_status nninit_vars_check_(const nninit_var *vars, size_t n, char *why, size_t why_size);

#endif
