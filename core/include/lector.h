/*
 * lector — the public C API for programs that embed lector.
 *
 * Every offset in lector is a byte offset into a document's normalized text
 * (UTF-8, NFC, LF line ends), with the end exclusive.
 */
#ifndef LECTOR_H
#define LECTOR_H

#include <stddef.h>
#include <stdint.h>

#define LECTOR_VERSION_MAJOR 0
#define LECTOR_VERSION_MINOR 1
#define LECTOR_VERSION_PATCH 0
#define LECTOR_VERSION "0.1.0"

/* Outcomes shared by every core function that can fail. */
typedef enum lector_status {
  LECTOR_OK = 0,
  LECTOR_ENOMEM,     /* an allocation failed */
  LECTOR_EIO,        /* a file could not be read or written */
  LECTOR_EEMPTY,     /* the input has no text */
  LECTOR_EBINARY,    /* the input holds a NUL byte */
  LECTOR_EUTF8,      /* the input is not valid UTF-8 */
  LECTOR_ETOOLARGE,  /* the input is over the size limit */
  LECTOR_EDB,        /* SQLite reported an error */
  LECTOR_ENOTDB,     /* the file is not a lector database */
  LECTOR_ESCHEMA,    /* the database's schema is newer than this lector */
  LECTOR_EREADONLY,  /* the database cannot be written */
  LECTOR_EINVAL      /* an argument is out of range */
} lector_status;

/* What went wrong, for a person: `message` never names the input (callers
 * prefix it with the file, line or record they were reading). */
typedef struct lector_error {
  lector_status status;
  size_t offset;     /* byte offset into the input, where it applies */
  char message[256];
} lector_error;

const char *lector_version(void);

/* ---- text: loading and normalization (text.c) ------------------------ */

typedef struct lector_text_opts {
  size_t max_bytes;  /* refuse raw input over this size; 0 means the default */
  int lossy;         /* replace invalid UTF-8 with U+FFFD instead of refusing */
} lector_text_opts;

typedef struct lector_text {
  char *data;        /* normalized, NUL-terminated; owned, free with lector_text_free */
  size_t len;
  size_t repairs;    /* invalid sequences replaced (lossy mode only) */
} lector_text;

/* Turn raw bytes into lector's canonical text: refuse empty input, NUL bytes,
 * input over the size limit and invalid UTF-8 (unless lossy); strip a BOM;
 * CRLF and CR become LF; Unicode NFC. */
lector_status lector_text_normalize(const char *raw, size_t len,
                                    const lector_text_opts *opts,
                                    lector_text *out, lector_error *err);

/* Read a whole file (path "-" is standard input) within the size limit.
 * *raw is malloc'd and NUL-terminated; the caller frees it. */
lector_status lector_text_read_file(const char *path, const lector_text_opts *opts,
                                    char **raw, size_t *len, lector_error *err);

void lector_text_free(lector_text *text);

/* The offset of the first byte of s that is not part of well-formed UTF-8,
 * or len when all of it is. */
size_t lector_utf8_check(const char *s, size_t len);

/* ---- segmentation (segment.c, token.c) ------------------------------- */

typedef enum lector_token_kind {
  LECTOR_TOKEN_WORD = 0,  /* letters, with inner apostrophes, hyphens, digits */
  LECTOR_TOKEN_NUMBER,    /* 16, 3.5, 1,000, 2006, 50% is number + symbol */
  LECTOR_TOKEN_PUNCT,     /* . , ; : ! ? quotes brackets dashes ellipses */
  LECTOR_TOKEN_SYMBOL,    /* $ % & + = # @ and other symbols */
  LECTOR_TOKEN_URL,
  LECTOR_TOKEN_EMAIL,
  LECTOR_TOKEN_EMOJI,
  LECTOR_TOKEN_OTHER,     /* anything else that is not white space */
  LECTOR_TOKEN_KIND_COUNT
} lector_token_kind;

typedef struct lector_token {
  uint32_t start, stop;
  uint8_t kind;           /* lector_token_kind */
} lector_token;

typedef struct lector_sentence {
  uint32_t start, stop;
  uint32_t first_token, token_count;
  uint32_t paragraph;     /* index into paragraphs */
} lector_sentence;

typedef struct lector_paragraph {
  uint32_t start, stop;
  uint32_t first_sentence, sentence_count;
} lector_paragraph;

typedef struct lector_segments {
  lector_paragraph *paragraphs; size_t paragraph_count;
  lector_sentence *sentences;   size_t sentence_count;
  lector_token *tokens;         size_t token_count;
} lector_segments;

/* Split normalized text into paragraphs, sentences and tokens, in time
 * linear in len. On failure *out is left empty. */
lector_status lector_segment(const char *text, size_t len, lector_segments *out);
void lector_segments_free(lector_segments *seg);

const char *lector_token_kind_name(lector_token_kind kind);

/* The token's shape: X for an upper-case letter, x lower, d digit, other
 * characters kept; runs of one class longer than 4 are cut to 4
 * ("Venezuela" -> "Xxxxx", "Su-30" -> "Xx-dd"). Writes at most outsize-1
 * bytes plus a NUL; returns the length written. */
size_t lector_token_shape(const char *s, size_t len, char *out, size_t outsize);

/* Unicode case folding of s (NFC kept); returns a malloc'd NUL-terminated
 * string and its length in *outlen, or NULL when out of memory. */
char *lector_token_fold(const char *s, size_t len, size_t *outlen);

#endif
