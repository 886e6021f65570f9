/* src/io/: files and directories that appear whole or not at all, the
 * formats written through them (npy, npy directories, safetensors, sharded
 * safetensors checkpoints), their layout, and the sink every writer writes
 * through. io uses src/common/ and nothing else: reading or writing a
 * checkpoint never links the schemes or LAPACK (docs/ARCHITECTURE.md;
 * tests/arch/layers.sh checks it on the objects). */
#ifndef NNINIT_IO_H
#define NNINIT_IO_H

#include "../common/common.h"

/* ---- infile.c: what may be read, and what may be replaced ---------------------
 * Opens an input file: a regular file or a symbolic link to one, checked
 * without blocking (O_NONBLOCK for the open, fstat, then blocking reads). The
 * descriptor, or -1 with errno set and *why saying why ("not a regular file
 * (a FIFO)", or strerror). */
int nninit_open_input_(const char *path, const char **why);
/* The one whole-file reader: the input path (nninit_open_input_'s rules) or,
 * when allow_stdin, "-" for standard input, read to its end (EINTR retried)
 * into *out, malloc'd, with a NUL after the last of its *len bytes. At most
 * max_bytes (0: no limit). 0, or -1 with errno set (EFBIG past max_bytes,
 * ENOMEM) and *why saying why; *opened is 1 when the failure came after the
 * open (a read error, the limit, memory). */
int nninit_read_input_(const char *path, int allow_stdin, size_t max_bytes, char **out, size_t *len, int *opened,
                       const char **why);
/* "a FIFO", "a block device", ... for a st_mode. */
const char *nninit_file_kind_(unsigned mode);
/* 1 if an existing output of this st_mode is only replaced or written when
 * the caller allows it (regular files, directories, block devices, sockets),
 * 0 for the ones written as they stand (character devices such as /dev/null,
 * FIFOs). */
int nninit_output_needs_force_(unsigned mode);

/* ---- outfile.c -------------------------------------------------------------- */

/* write(2) until done: retries short writes and EINTR, in chunks of at most
 * 64 MiB, checking opt->cancel before each (opt may be NULL). 0, or -1 with
 * errno set (ECANCELED when canceled). */
int nninit_write_all_(int fd, const void *data, size_t n, const nninit_write_options *opt);
/* pwrite(2) of n bytes at offset, as nninit_write_all_. */
int nninit_pwrite_all_(int fd, const void *data, size_t n, uint64_t offset, const nninit_write_options *opt);
/* bytes of elem-byte elements made little-endian in place (nothing to do on
 * a little-endian host). */
void nninit_le_inplace_(void *data, size_t bytes, size_t elem);
/* 1 if opt asks to stop now. */
int nninit_canceled_(const nninit_write_options *opt);

/* A file that appears whole or not at all (outfile.c's top comment), in
 * steps. begin opens path: fd is the temporary (seekable = 1, data
 * may go anywhere with pwrite) or, for "-", devices and FIFOs, the target
 * itself (seekable = 0: bytes must go in order). commit makes it appear
 * (fsync, mode, rename); abort removes the temporary. attach opens the
 * temporary another process's begin created (tmp is its path), to write a
 * part of it; only the creator commits. 0, or -1 with errno; after commit
 * and abort the structure holds nothing. */
typedef struct {
    int fd;
    int seekable;
    int own_fd;
    char *tmp;        /* the named temporary (NULL: unnamed, written directly, or attached) */
    int anon;         /* the temporary is an unnamed O_TMPFILE file (fd) */
    char *target;
    long mode;        /* < 0: a new file */
    int no_replace;
} nninit_outfile_;
int nninit_outfile_begin_(nninit_outfile_ *f, const char *path, int no_replace);
int nninit_outfile_attach_(nninit_outfile_ *f, const char *tmp);
int nninit_outfile_commit_(nninit_outfile_ *f);
/* An unnamed temporary gets a hidden name beside the target (f->tmp), for
 * another process to attach to; nothing to do for a named one. 0 or -1. */
int nninit_outfile_name_(nninit_outfile_ *f);
/* A path that opens the temporary again (its name, or /proc/self/fd/N for an
 * unnamed one, into buf), NULL for a direct output. */
const char *nninit_outfile_path_(const nninit_outfile_ *f, char buf[40]);
void nninit_outfile_abort_(nninit_outfile_ *f);

/* Moves the finished temporary tmp (file or directory) to target: rename, or
 * with no_replace a rename that fails with EEXIST rather than replace.
 * 0, or -1 with errno. */
int nninit_rename_into_place_(const char *tmp, const char *target, int no_replace);
/* fsync of a directory, or of the directory holding path (best effort). */
void nninit_fsync_dir_(const char *dir);
void nninit_fsync_parent_(const char *path);
/* The process umask, read without changing it where the system allows. */
unsigned nninit_umask_(void);

/* ---- outdir.c: a directory that appears whole or not at all ---------------------
 * begin checks the target (absent, or with !no_replace an earlier output of
 * the same kind: a directory of names `member` accepts) and creates the
 * hidden temporary d->tmp beside it; the caller writes files into it; commit
 * renames it into place (replacing the earlier output), abort removes it.
 * `what` names the kind in messages ("npy"). Both commit and abort free d. */
typedef int (*nninit_dir_member_fn_)(const char *name);
typedef struct {
    char *target, *tmp;
    nninit_dir_member_fn_ member;
    const char *what;
    int no_replace;
    int created;      /* tmp exists and is ours to remove */
} nninit_outdir_;
nninit_status nninit_outdir_begin_(nninit_outdir_ *d, const char *path, nninit_dir_member_fn_ member, const char *what,
                                   int no_replace, char *msg, size_t msg_size);
nninit_status nninit_outdir_commit_(nninit_outdir_ *d, const nninit_write_options *opt, char *msg, size_t msg_size);
void nninit_outdir_abort_(nninit_outdir_ *d);

/* ---- npy.c -------------------------------------------------------------------- */
/* The .npy header for (dtype, shape) into buf: its length (a multiple of 64),
 * or 0 if it does not fit cap or the dtype is unknown. */
size_t nninit_npy_header_(unsigned char *buf, size_t cap, nninit_dtype dtype, const int64_t *shape, int ndim);
#define NNINIT_NPY_HEADER_MAX_ 1088
/* What nninit_npy_save checks (dtype, shape, data): its byte count to
 * *bytes, or the status and message ("npy: ..."). */
nninit_status nninit_npy_check_(const void *data, nninit_dtype dtype, const int64_t *shape, int ndim, size_t *bytes,
                                char *msg, size_t msg_size);
/* A tensor name as a file name NAME.npy (percent-encoded): 1, or 0 if it does
 * not fit size bytes. */
int nninit_npy_file_name_(const char *name, char *buf, size_t size);

/* ---- npy_dir.c ------------------------------------------------------------------ */
#define NNINIT_META_FILE_ "__metadata__.json"
/* Names of a tensor directory: NAME.npy and __metadata__.json. */
int nninit_npy_dir_member_(const char *name);
/* Names, duplicates, file-name lengths and metadata of a directory's tensors. */
nninit_status nninit_npy_dir_check_(const nninit_tensor *tensors, size_t n, const char *const *metadata, char *msg,
                                    size_t msg_size);
/* __metadata__.json's text (NULL when out of memory). */
char *nninit_npy_metadata_json_(const char *const *metadata);

/* ---- safetensors.c ------------------------------------------------------------- */
/* The safetensors dtype string of an nninit dtype ("F32", ...), NULL if none. */
const char *nninit_st_dtype_name_(nninit_dtype dtype);
/* Copies n bytes at p, inside the data of checkpoint f (a pointer
 * nninit_st_tensor gave), into dst: with pread from the file when p lies in a
 * file's mapping (so a file truncated since it was opened is an error, ESTALE,
 * and never a SIGBUS), memcpy for a memory image. 0, or -1 with errno. */
int nninit_st_read_(const nninit_st_file *f, const void *p, void *dst, size_t n);
/* The path nninit_st_open was given (NULL for a memory image). */
const char *nninit_st_path_(const nninit_st_file *f);

/* ---- st_write.c ------------------------------------------------------------------ */
/* What nninit_st_save checks (names, dtypes, shapes and nbytes, duplicates,
 * metadata), without looking at the data. */
nninit_status nninit_st_check_(const nninit_tensor *tensors, size_t n, const char *const *metadata, char *msg,
                               size_t msg_size);
/* The header (8-byte length, JSON, spaces up to a multiple of 64) of a file
 * holding tensors[sel[0..k)], listed in that order, laid out largest element
 * first: off[j] is tensor sel[j]'s offset in the data (after the header),
 * order[q] the j of the q-th tensor in the data. Checked tensors only. */
nninit_status nninit_st_header_(const nninit_tensor *tensors, const size_t *sel, size_t k, const char *const *metadata,
                                nninit_text_ *h, uint64_t *off, size_t *order, char *msg, size_t msg_size);

/* ---- layout.c: where every byte of an output goes ----------------------------------
 * The files of an output, each with the bytes it starts with (its header, or
 * all of a small file such as an index), and where each tensor's data goes.
 *  - NNINIT_FORMAT_SAFETENSORS, max_shard_bytes 0: one file (name NULL: the
 *    output path itself), laid out as nninit_st_save does.
 *  - NNINIT_FORMAT_SAFETENSORS, max_shard_bytes > 0: a directory of shards
 *    model-00001-of-0000N.safetensors (huggingface_hub's rule, layout.c) and
 *    model.safetensors.index.json; one shard: model.safetensors alone.
 *  - NNINIT_FORMAT_NPY_DIR: a directory of NAME.npy and __metadata__.json. */
typedef struct {
    char *name;                /* in the output directory; NULL: the output path */
    unsigned char *head;       /* the file's first head_len bytes */
    size_t head_len;
    uint64_t size;             /* its whole size */
    uint64_t data_bytes;       /* tensor bytes in it */
} nninit_lfile_;
typedef struct {
    int dir;                   /* a directory of files[], else one file */
    nninit_dir_member_fn_ member;
    const char *what;          /* "npy", "sharded safetensors", "safetensors" */
    size_t nfiles;
    nninit_lfile_ *files;
    size_t n;                  /* tensors */
    size_t *file_of;           /* tensor -> its file */
    uint64_t *offset;          /* tensor -> where its data starts in its file */
    size_t *order;             /* tensors in output order: file by file, by offset */
} nninit_layout_;
nninit_status nninit_layout_plan_(nninit_layout_ *L, const nninit_tensor *tensors, size_t n,
                                  const char *const *metadata, nninit_file_format format, uint64_t max_shard_bytes,
                                  char *msg, size_t msg_size);
void nninit_layout_free_(nninit_layout_ *L);
/* st_sharded.c: NNINIT_E_PARAM when a sharded checkpoint's directory path
 * ends in ".safetensors" (any case, trailing '/' ignored): that names a single
 * file, and a directory of that name would mislead every reader; msg suggests
 * the name without the suffix. */
nninit_status nninit_shard_dir_name_check_(const char *path, char *msg, size_t msg_size);
/* The shard files' names: model.safetensors alone, or model-%05zu-of-%05zu. */
#define NNINIT_SHARD_INDEX_ "model.safetensors.index.json"
#define NNINIT_SHARD_SINGLE_ "model.safetensors"
/* A Hugging Face config.json that nninit_model_write may put in a directory output. */
#define NNINIT_CONFIG_FILE_ "config.json"
/* One .npy file (the output path itself) holding the checked tensor t, as
 * nninit_npy_save writes it. */
nninit_status nninit_layout_npy_file_(nninit_layout_ *L, const nninit_tensor *t, char *msg, size_t msg_size);
/* A small file `name` holding bytes[0..size), added to a directory layout
 * (a Hugging Face config.json beside the weights): the sink writes it with
 * the heads, so it appears with the directory or not at all. */
nninit_status nninit_layout_add_file_(nninit_layout_ *L, const char *name, const void *bytes, size_t size, char *msg,
                                      size_t msg_size);

/* ---- sink.c: the output every writer writes through -----------------------------------
 * begin creates the output's temporaries (the file, or the directory with
 * every file in it) and writes each file's head; a direct output (standard
 * output, a device, a FIFO) gets its head now and its data in order. write
 * puts n bytes at offset of file f: pwrite into a temporary, in order to a
 * direct output (the offsets must then follow each other). sync flushes and
 * closes what this process wrote (call it before reporting the part done);
 * commit makes the output appear; free without commit removes what begin
 * created. attach opens the temporary another process's begin created (its
 * path: nninit_sink_temp_) to write a part of it. One thread writes at a time. */
typedef struct nninit_sink_ nninit_sink_;
nninit_status nninit_sink_begin_(nninit_sink_ **out, const nninit_layout_ *L, const char *path,
                                 const nninit_write_options *opt, char *msg, size_t msg_size);
nninit_status nninit_sink_attach_(nninit_sink_ **out, const nninit_layout_ *L, const char *temp,
                                  const nninit_write_options *opt, char *msg, size_t msg_size);
/* NULL for a direct output (or if an unnamed temporary could not be named) */
const char *nninit_sink_temp_(nninit_sink_ *s);
int nninit_sink_seekable_(const nninit_sink_ *s);
/* 0, or -1 with errno (ECANCELED when canceled). */
int nninit_sink_write_(nninit_sink_ *s, size_t f, uint64_t offset, const void *data, size_t n);
int nninit_sink_sync_(nninit_sink_ *s);
/* "'OUT'" or "'OUT/model-00001-of-00002.safetensors'" (or "standard output"),
 * for messages about file f. */
void nninit_sink_name_(const nninit_sink_ *s, size_t f, char *buf, size_t size);
nninit_status nninit_sink_commit_(nninit_sink_ *s, char *msg, size_t msg_size);
void nninit_sink_free_(nninit_sink_ *s);   /* NULL is allowed */

/* ---- save.c: tensors in memory to disk ---------------------------------------------------
 * One safetensors file (max_shard_bytes 0) or a sharded checkpoint of
 * tensors in memory: checked as nninit_st_save checks them (`what` names the
 * output in the NULL-path message), planned by layout.c, written through the
 * sink. The public savers' statuses; errno kept on NNINIT_E_IO. */
nninit_status nninit_st_write_(const char *what, const char *path, const nninit_tensor *tensors, size_t n,
                               const char *const *metadata, uint64_t max_shard_bytes, const nninit_write_options *opt,
                               char *msg, size_t msg_size);

#endif

