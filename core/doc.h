/*
 * The document: normalized text, its segmentation, and the results passes
 * attach to it (spans, document values, errors). Reference counted, because
 * Lua objects and the store may hold it at once.
 */
#ifndef LECTOR_DOC_H
#define LECTOR_DOC_H

#include <stdatomic.h>

#include "lector.h"

typedef struct lector_span {
  uint32_t start, stop;
  uint32_t layer;          /* index into doc->layers */
  char *label;             /* may be NULL */
  double score;
  int has_score;
  uint32_t producer;       /* 1 + index into doc->producers; 0 for none */
  char *attrs_json;        /* a JSON object, or NULL; label and attrs_json are
                            * kept in the document's span_strings */
  int64_t run_id;          /* the pass run that added it; 0 for none */
} lector_span;

typedef struct lector_value {
  char *key;
  char *json;              /* any JSON value */
  int64_t run_id;          /* the pass run that set it; 0 for none */
} lector_value;

/* Where the spans' labels and attributes are kept (doc.c). */
typedef struct lector_string_block lector_string_block;

typedef struct lector_doc {
  atomic_int refs;            /* atomic: worker threads retain and release */
  char *id, *source, *title;  /* title may be NULL */
  char *meta_json;            /* a JSON object, or NULL */
  char *text;                 /* normalized, NUL-terminated */
  size_t len;
  size_t repairs;             /* invalid UTF-8 sequences replaced on load */
  char sha256[65];            /* hex of the normalized text */
  lector_segments seg;
  char **layers; size_t layer_count;
  lector_span *spans; size_t span_count, span_cap;
  lector_string_block *span_strings;          /* their labels and attrs, freed with the document */
  size_t span_string_bytes, dropped_string_bytes;   /* held in span_strings; of spans dropped */
  lector_value *values; size_t value_count;
  char **errors; size_t error_count;
  int64_t current_run;        /* stamped on spans and values added from now on */
  char **producers; size_t producer_count;   /* names of the passes that added spans */
  uint32_t current_producer;  /* stamped on spans added from now on (0: none) */
  uint32_t span_generation;   /* changes whenever spans are dropped: their indices move */
} lector_doc;

/* Take ownership of normalized text (from lector_text_normalize), segment it
 * and hash it. id, source and title are copied; title and meta may be NULL. */
lector_status lector_doc_new(lector_text *text, const char *id, const char *source,
                             const char *title, const char *meta_json,
                             lector_doc **out, lector_error *err);
void lector_doc_retain(lector_doc *doc);
void lector_doc_release(lector_doc *doc);

/* The layer's index, created on first use; -1 when out of memory. */
int lector_doc_layer(lector_doc *doc, const char *name);
lector_status lector_doc_add_span(lector_doc *doc, const char *layer, uint32_t start,
                                  uint32_t stop, const char *label, const double *score,
                                  const char *attrs_json);
/* lector_doc_add_span into the layer of that index (lector_doc_layer's),
 * with the lengths of label and attrs_json known (each without its NUL;
 * ignored when NULL). */
lector_status lector_doc_add_span_in(lector_doc *doc, int layer, uint32_t start, uint32_t stop,
                                     const char *label, size_t label_len, const double *score,
                                     const char *attrs_json, size_t attrs_len);
/* The number that stands for the pass called name on this document's spans
 * (from 1), made on first use; 0 when out of memory. */
uint32_t lector_doc_producer(lector_doc *doc, const char *name);
/* Drop the spans among the first `before` that the producer added (a pass
 * that ran again replaces what it added before). The spans after them move
 * down, and span_generation changes when any is dropped. Returns how many. */
size_t lector_doc_drop_spans_of(lector_doc *doc, uint32_t producer, size_t before);
/* Set (or replace) a document-level value. */
lector_status lector_doc_set_value(lector_doc *doc, const char *key, const char *json);
const char *lector_doc_get_value(const lector_doc *doc, const char *key);
lector_status lector_doc_add_error(lector_doc *doc, const char *message);

/* Copy to dst the spans and values of src that one of the n runs produced,
 * keeping their run ids. Both documents must hold the same text
 * (LECTOR_EINVAL otherwise). */
lector_status lector_doc_copy_results(lector_doc *dst, const lector_doc *src,
                                      const int64_t *run_ids, size_t n);

/* Fill order (room for span_count entries) with the indices of the spans
 * of one layer (-1: all), in text order: by start, then stop, then the
 * order they were added. Returns how many. */
size_t lector_doc_span_order(const lector_doc *doc, int layer, uint32_t *order);

/* The index of the sentence holding token index (both 0-based); 0 when
 * the document has no sentences. */
size_t lector_doc_sentence_of_token(const lector_doc *doc, size_t index);

/* The tokens a byte range [start, stop) touches, 0-based: *first is the
 * first token ending after start, *end one past the last token starting
 * before stop. A range inside white space gives *end == *first (no
 * tokens); tokens are in text order, so both are found by bisection. */
void lector_doc_token_range(const lector_doc *doc, uint32_t start, uint32_t stop, size_t *first,
                            size_t *end);

/* The document in lector's public JSON shape, as one line without a newline;
 * malloc'd, length in *len. NULL when out of memory. */
char *lector_doc_json(const lector_doc *doc, size_t *len);

/* A title for plain text: its first non-blank line, without a Markdown "#"
 * heading mark, when that line is at most LECTOR_MAX_TITLE_BYTES long.
 * malloc'd, or NULL when there is none (or no memory). */
char *lector_doc_guess_title(const char *text, size_t len);

#endif
