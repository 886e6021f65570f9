/* src/io/: files that appear whole or not at all, and the formats written
 * through them (npy, npy directories, safetensors). io uses src/common/ and
 * nothing else: reading a checkpoint never links the schemes or LAPACK
 * (docs/ARCHITECTURE.md; tests/arch/layers.sh checks it on the objects). */
#ifndef NNINIT_IO_H
#define NNINIT_IO_H

#include "../common/common.h"

/* ---- outfile.c -------------------------------------------------------------- */

/* write(2) until done: retries short writes and EINTR, in chunks of at most
 * 64 MiB, checking opt->cancel before each (opt may be NULL). 0, or -1 with
 * errno set (ECANCELED when canceled). */
int nninit_write_all_(int fd, const void *data, size_t n, const nninit_write_options *opt);
/* bytes of elem-byte elements, little-endian in the file whatever the host
 * (reversed per element on a big-endian one). As nninit_write_all_. */
int nninit_write_le_(int fd, const void *data, size_t bytes, size_t elem, const nninit_write_options *opt);
/* 1 if opt asks to stop now. */
int nninit_canceled_(const nninit_write_options *opt);

/* Writes the whole file content to fd: 0, or -1 with errno set. */
typedef int (*nninit_emit_fn_)(int fd, void *ctx);
/* Creates path with what emit writes: atomically (temporary file in the same
 * directory, fsync, the mode open(O_CREAT) or the replaced file would give,
 * rename; symbolic links written through) for a regular file or a new path;
 * directly for "-" (standard output) and existing non-regular files (devices,
 * FIFOs). Statuses: NNINIT_E_IO (errno kept), NNINIT_E_EXISTS (no_replace),
 * NNINIT_E_CANCELED (emit failed with ECANCELED); on any failure no
 * temporary is left. msg as the public writers'; `what` names the format in
 * it ("npy", "safetensors"). */
nninit_status nninit_write_file_(const char *path, nninit_emit_fn_ emit, void *ctx, const nninit_write_options *opt,
                                 const char *what, char *msg, size_t msg_size);

/* Moves the finished temporary tmp (file or directory) to target: rename, or
 * with no_replace a rename that fails with EEXIST rather than replace.
 * 0, or -1 with errno. */
int nninit_rename_into_place_(const char *tmp, const char *target, int no_replace);
/* fsync of a directory, or of the directory holding path (best effort). */
void nninit_fsync_dir_(const char *dir);
void nninit_fsync_parent_(const char *path);
/* The process umask, read without changing it where the system allows. */
unsigned nninit_umask_(void);

/* ---- npy.c -------------------------------------------------------------------- */
/* The .npy header for (dtype, shape) into buf: its length (a multiple of 64),
 * or 0 if it does not fit cap or the dtype is unknown. */
size_t nninit_npy_header_(unsigned char *buf, size_t cap, nninit_dtype dtype, const int64_t *shape, int ndim);
#define NNINIT_NPY_HEADER_MAX_ 1088

/* ---- safetensors.c ------------------------------------------------------------- */
/* The safetensors dtype string of an nninit dtype ("F32", ...), NULL if none. */
const char *nninit_st_dtype_name_(nninit_dtype dtype);

#endif
