/*
 * The document model: text, segmentation, and what passes attach to it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "doc.h"
#include "jsonbuf.h"
#include "lector_limits.h"

static void set_error(lector_error *err, lector_status status, const char *message) {
  if (!err) return;
  err->status = status;
  err->offset = 0;
  snprintf(err->message, sizeof err->message, "%s", message);
}

static char *copy_string(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy) memcpy(copy, s, n);
  return copy;
}

/* Replace *slot with a copy of s; keeps the old value when out of memory. */
static int replace_string(char **slot, const char *s) {
  char *copy = copy_string(s);
  if (s && !copy) return -1;
  free(*slot);
  *slot = copy;
  return 0;
}

static void hash_text(lector_doc *doc) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)doc->text, doc->len);
  sodium_bin2hex(doc->sha256, sizeof doc->sha256, digest, sizeof digest);
}

lector_status lector_doc_new(lector_text *text, const char *id, const char *source,
                             const char *title, const char *meta_json,
                             lector_doc **out, lector_error *err) {
  *out = NULL;
  if (!text || !text->data || !id) {
    set_error(err, LECTOR_EINVAL, "a document needs text and an id");
    return LECTOR_EINVAL;
  }
  if (text->len > LECTOR_HARD_MAX_DOC_BYTES) {
    set_error(err, LECTOR_ETOOLARGE, "too large for one document");
    return LECTOR_ETOOLARGE;
  }
  lector_doc *doc = calloc(1, sizeof *doc);
  if (!doc) goto nomem;
  doc->refs = 1;
  doc->text = text->data;
  doc->len = text->len;
  doc->repairs = text->repairs;
  text->data = NULL;
  text->len = 0;
  doc->id = copy_string(id);
  doc->source = copy_string(source ? source : id);
  if (!doc->id || !doc->source) goto nomem;
  if (replace_string(&doc->title, title) || replace_string(&doc->meta_json, meta_json))
    goto nomem;
  if (lector_segment(doc->text, doc->len, &doc->seg) != LECTOR_OK) goto nomem;
  hash_text(doc);
  *out = doc;
  return LECTOR_OK;
nomem:
  lector_doc_release(doc);
  set_error(err, LECTOR_ENOMEM, "out of memory");
  return LECTOR_ENOMEM;
}

/* ---- the spans' strings --------------------------------------------- */

/* Labels and attributes are packed one after the other into blocks, each
 * larger than the last up to SPAN_STRINGS_MAX_BLOCK: a pass may add tens of
 * thousands of spans, and a malloc and a free for each cost more than
 * copying their strings. The blocks go with the document, or when a pass's
 * spans are dropped and what they held outweighs the rest (compact_strings). */
struct lector_string_block {
  lector_string_block *next;
  size_t used, cap;
  char data[];
};

#define SPAN_STRINGS_FIRST_BLOCK 1024
#define SPAN_STRINGS_MAX_BLOCK (64 * 1024)

static void free_string_blocks(lector_string_block *block) {
  while (block) {
    lector_string_block *next = block->next;
    free(block);
    block = next;
  }
}

/* size bytes in the document's blocks; NULL when out of memory. */
static char *span_string_room(lector_doc *doc, size_t size) {
  lector_string_block *block = doc->span_strings;
  if (!block || block->cap - block->used < size) {
    size_t cap = block ? block->cap * 2 : SPAN_STRINGS_FIRST_BLOCK;
    if (cap > SPAN_STRINGS_MAX_BLOCK) cap = SPAN_STRINGS_MAX_BLOCK;
    if (cap < size) cap = size;
    lector_string_block *fresh = malloc(sizeof *fresh + cap);
    if (!fresh) return NULL;
    fresh->next = block;
    fresh->used = 0;
    fresh->cap = cap;
    doc->span_strings = block = fresh;
  }
  char *room = block->data + block->used;
  block->used += size;
  doc->span_string_bytes += size;
  return room;
}

/* label (label_len bytes) and attrs (attrs_len) copied, each NUL-ended,
 * into span; 0, or -1 when out of memory. */
static int keep_span_strings(lector_doc *doc, lector_span *span, const char *label,
                             size_t label_len, const char *attrs, size_t attrs_len) {
  size_t label_size = label ? label_len + 1 : 0, attrs_size = attrs ? attrs_len + 1 : 0;
  span->label = span->attrs_json = NULL;
  if (!label_size && !attrs_size) return 0;
  char *room = span_string_room(doc, label_size + attrs_size);
  if (!room) return -1;
  if (label) {
    span->label = memcpy(room, label, label_len);
    span->label[label_len] = '\0';
  }
  if (attrs) {
    span->attrs_json = memcpy(room + label_size, attrs, attrs_len);
    span->attrs_json[attrs_len] = '\0';
  }
  return 0;
}

static size_t span_strings_size(const lector_span *span) {
  return (span->label ? strlen(span->label) + 1 : 0) +
         (span->attrs_json ? strlen(span->attrs_json) + 1 : 0);
}

/* Once the strings of dropped spans outweigh those of the spans kept, the
 * kept ones move to new blocks and the old go: a pass run again and again
 * on one document does not grow it. Left as they were when out of memory. */
static void compact_strings(lector_doc *doc) {
  if (doc->dropped_string_bytes <= doc->span_string_bytes - doc->dropped_string_bytes) return;
  lector_doc fresh = {0};            /* only its blocks and their count are used */
  lector_span *moved = malloc((doc->span_count ? doc->span_count : 1) * sizeof *moved);
  if (!moved) return;
  for (size_t i = 0; i < doc->span_count; i++) {
    const lector_span *span = &doc->spans[i];
    moved[i] = *span;
    size_t label_len = span->label ? strlen(span->label) : 0;
    size_t attrs_len = span->attrs_json ? strlen(span->attrs_json) : 0;
    if (keep_span_strings(&fresh, &moved[i], span->label, label_len, span->attrs_json, attrs_len)) {
      free_string_blocks(fresh.span_strings);
      free(moved);
      return;
    }
  }
  for (size_t i = 0; i < doc->span_count; i++) {
    doc->spans[i].label = moved[i].label;
    doc->spans[i].attrs_json = moved[i].attrs_json;
  }
  free(moved);
  free_string_blocks(doc->span_strings);
  doc->span_strings = fresh.span_strings;
  doc->span_string_bytes = fresh.span_string_bytes;
  doc->dropped_string_bytes = 0;
}

void lector_doc_retain(lector_doc *doc) {
  if (doc) doc->refs++;
}

void lector_doc_release(lector_doc *doc) {
  if (!doc || --doc->refs > 0) return;
  free_string_blocks(doc->span_strings);
  for (size_t i = 0; i < doc->value_count; i++) {
    free(doc->values[i].key);
    free(doc->values[i].json);
  }
  for (size_t i = 0; i < doc->layer_count; i++) free(doc->layers[i]);
  for (size_t i = 0; i < doc->producer_count; i++) free(doc->producers[i]);
  for (size_t i = 0; i < doc->error_count; i++) free(doc->errors[i]);
  free(doc->producers);
  free(doc->spans);
  free(doc->values);
  free(doc->layers);
  free(doc->errors);
  lector_segments_free(&doc->seg);
  free(doc->text);
  free(doc->id);
  free(doc->source);
  free(doc->title);
  free(doc->meta_json);
  free(doc);
}

/* Append one pointer-sized slot to a growable array of strings. */
static int push_string(char ***items, size_t *count, const char *s) {
  char *copy = copy_string(s);
  if (!copy) return -1;
  char **grown = realloc(*items, (*count + 1) * sizeof **items);
  if (!grown) {
    free(copy);
    return -1;
  }
  grown[(*count)++] = copy;
  *items = grown;
  return 0;
}

int lector_doc_layer(lector_doc *doc, const char *name) {
  for (size_t i = 0; i < doc->layer_count; i++)
    if (strcmp(doc->layers[i], name) == 0) return (int)i;
  if (push_string(&doc->layers, &doc->layer_count, name)) return -1;
  return (int)doc->layer_count - 1;
}

uint32_t lector_doc_producer(lector_doc *doc, const char *name) {
  for (size_t i = 0; i < doc->producer_count; i++)
    if (strcmp(doc->producers[i], name) == 0) return (uint32_t)i + 1;
  if (push_string(&doc->producers, &doc->producer_count, name)) return 0;
  return (uint32_t)doc->producer_count;
}

size_t lector_doc_drop_spans_of(lector_doc *doc, uint32_t producer, size_t before) {
  if (!producer) return 0;
  /* Most runs are a pass's first on the document: nothing to move. */
  size_t kept = 0;
  while (kept < before && doc->spans[kept].producer != producer) kept++;
  if (kept == before) return 0;
  for (size_t i = kept; i < doc->span_count; i++) {
    lector_span *span = &doc->spans[i];
    if (i < before && span->producer == producer) {
      doc->dropped_string_bytes += span_strings_size(span);
      continue;
    }
    doc->spans[kept++] = *span;
  }
  size_t dropped = doc->span_count - kept;
  doc->span_count = kept;
  if (dropped) doc->span_generation++;
  compact_strings(doc);
  return dropped;
}

lector_status lector_doc_add_span(lector_doc *doc, const char *layer, uint32_t start,
                                  uint32_t stop, const char *label, const double *score,
                                  const char *attrs_json) {
  if (start > stop || stop > doc->len || !layer) return LECTOR_EINVAL;
  int layer_index = lector_doc_layer(doc, layer);
  if (layer_index < 0) return LECTOR_ENOMEM;
  return lector_doc_add_span_in(doc, layer_index, start, stop, label, label ? strlen(label) : 0,
                                score, attrs_json, attrs_json ? strlen(attrs_json) : 0);
}

lector_status lector_doc_add_span_in(lector_doc *doc, int layer, uint32_t start, uint32_t stop,
                                     const char *label, size_t label_len, const double *score,
                                     const char *attrs_json, size_t attrs_len) {
  if (start > stop || stop > doc->len || layer < 0 || (size_t)layer >= doc->layer_count)
    return LECTOR_EINVAL;
  if (doc->span_count == doc->span_cap) {
    size_t cap = doc->span_cap ? doc->span_cap * 2 : 16;
    lector_span *grown = realloc(doc->spans, cap * sizeof *grown);
    if (!grown) return LECTOR_ENOMEM;
    doc->spans = grown;
    doc->span_cap = cap;
  }
  lector_span span = {.start = start, .stop = stop, .layer = (uint32_t)layer,
                      .run_id = doc->current_run, .producer = doc->current_producer};
  if (keep_span_strings(doc, &span, label, label_len, attrs_json, attrs_len)) return LECTOR_ENOMEM;
  if (score) {
    span.score = *score;
    span.has_score = 1;
  }
  doc->spans[doc->span_count++] = span;
  return LECTOR_OK;
}

static lector_value *find_value(const lector_doc *doc, const char *key) {
  for (size_t i = 0; i < doc->value_count; i++)
    if (strcmp(doc->values[i].key, key) == 0) return &doc->values[i];
  return NULL;
}

lector_status lector_doc_set_value(lector_doc *doc, const char *key, const char *json) {
  if (!key || !json) return LECTOR_EINVAL;
  lector_value *existing = find_value(doc, key);
  if (existing) {
    if (replace_string(&existing->json, json)) return LECTOR_ENOMEM;
    existing->run_id = doc->current_run;
    return LECTOR_OK;
  }
  lector_value *grown = realloc(doc->values, (doc->value_count + 1) * sizeof *grown);
  if (!grown) return LECTOR_ENOMEM;
  doc->values = grown;
  lector_value value = {copy_string(key), copy_string(json), doc->current_run};
  if (!value.key || !value.json) {
    free(value.key);
    free(value.json);
    return LECTOR_ENOMEM;
  }
  doc->values[doc->value_count++] = value;
  return LECTOR_OK;
}

const char *lector_doc_get_value(const lector_doc *doc, const char *key) {
  const lector_value *value = find_value(doc, key);
  return value ? value->json : NULL;
}

lector_status lector_doc_add_error(lector_doc *doc, const char *message) {
  return push_string(&doc->errors, &doc->error_count, message) ? LECTOR_ENOMEM : LECTOR_OK;
}

/* ---- JSON output ------------------------------------------------------ */

static void put_slice(jsonbuf *b, const lector_doc *doc, uint32_t start, uint32_t stop) {
  jsonbuf_string(b, doc->text + start, stop - start);
}

static void put_stats(jsonbuf *b, const lector_doc *doc) {
  jsonbuf_raw(b, "{\"bytes\":");
  jsonbuf_uint(b, doc->len);
  jsonbuf_raw(b, ",\"paragraphs\":");
  jsonbuf_uint(b, doc->seg.paragraph_count);
  jsonbuf_raw(b, ",\"sentences\":");
  jsonbuf_uint(b, doc->seg.sentence_count);
  jsonbuf_raw(b, ",\"tokens\":");
  jsonbuf_uint(b, doc->seg.token_count);
  jsonbuf_raw(b, ",\"repairs\":");
  jsonbuf_uint(b, doc->repairs);
  jsonbuf_raw(b, "}");
}

static void put_sentences(jsonbuf *b, const lector_doc *doc) {
  jsonbuf_raw(b, "[");
  for (size_t i = 0; i < doc->seg.sentence_count; i++) {
    const lector_sentence *s = &doc->seg.sentences[i];
    if (i) jsonbuf_raw(b, ",");
    jsonbuf_raw(b, "{\"index\":");
    jsonbuf_uint(b, i + 1);
    jsonbuf_raw(b, ",\"start\":");
    jsonbuf_uint(b, s->start);
    jsonbuf_raw(b, ",\"end\":");
    jsonbuf_uint(b, s->stop);
    jsonbuf_raw(b, ",\"text\":");
    put_slice(b, doc, s->start, s->stop);
    jsonbuf_raw(b, "}");
  }
  jsonbuf_raw(b, "]");
}

static void put_span(jsonbuf *b, const lector_doc *doc, const lector_span *span) {
  jsonbuf_raw(b, "{\"label\":");
  if (span->label) jsonbuf_string(b, span->label, strlen(span->label));
  else jsonbuf_raw(b, "null");
  jsonbuf_raw(b, ",\"start\":");
  jsonbuf_uint(b, span->start);
  jsonbuf_raw(b, ",\"end\":");
  jsonbuf_uint(b, span->stop);
  jsonbuf_raw(b, ",\"text\":");
  put_slice(b, doc, span->start, span->stop);
  if (span->has_score && isfinite(span->score)) {
    jsonbuf_raw(b, ",\"score\":");
    jsonbuf_double(b, span->score);
  }
  jsonbuf_raw(b, ",\"attrs\":");
  jsonbuf_raw(b, span->attrs_json ? span->attrs_json : "{}");
  jsonbuf_raw(b, "}");
}

static int compare_spans(const void *a, const void *b, void *context) {
  const lector_span *spans = context;
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  const lector_span *x = &spans[i], *y = &spans[j];
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->stop != y->stop) return x->stop < y->stop ? -1 : 1;
  return i < j ? -1 : i > j;
}

/* Binary search: sentences are in token order. */
size_t lector_doc_sentence_of_token(const lector_doc *doc, size_t index) {
  size_t low = 0, high = doc->seg.sentence_count;
  while (high - low > 1) {
    size_t mid = low + (high - low) / 2;
    if (doc->seg.sentences[mid].first_token <= index) low = mid;
    else high = mid;
  }
  return low;
}

/* How many tokens, from the first, end at or before offset (by_stop) or
 * start before it: tokens are in text order, so they are a prefix. */
static size_t tokens_before(const lector_doc *doc, uint32_t offset, int by_stop) {
  size_t low = 0, high = doc->seg.token_count;
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    const lector_token *t = &doc->seg.tokens[mid];
    if ((by_stop ? t->stop <= offset : t->start < offset)) low = mid + 1;
    else high = mid;
  }
  return low;
}

void lector_doc_token_range(const lector_doc *doc, uint32_t start, uint32_t stop, size_t *first,
                            size_t *end) {
  *first = tokens_before(doc, start, 1);
  size_t starting_before = tokens_before(doc, stop, 0);
  *end = starting_before > *first ? starting_before : *first;
}

size_t lector_doc_span_order(const lector_doc *doc, int layer, uint32_t *order) {
  size_t count = 0;
  for (size_t i = 0; i < doc->span_count; i++)
    if (layer < 0 || doc->spans[i].layer == (uint32_t)layer) order[count++] = (uint32_t)i;
  /* qsort_r with the GNU argument order (the build defines _GNU_SOURCE). */
  qsort_r(order, count, sizeof *order, compare_spans, doc->spans);
  return count;
}

/* Spans grouped by layer, in the order the layers were first used, each
 * layer in text order. */
static void put_spans(jsonbuf *b, const lector_doc *doc) {
  uint32_t *order = malloc((doc->span_count ? doc->span_count : 1) * sizeof *order);
  if (!order) {
    b->failed = 1;
    return;
  }
  jsonbuf_raw(b, "{");
  for (size_t layer = 0; layer < doc->layer_count; layer++) {
    if (layer) jsonbuf_raw(b, ",");
    jsonbuf_string(b, doc->layers[layer], strlen(doc->layers[layer]));
    jsonbuf_raw(b, ":[");
    size_t count = lector_doc_span_order(doc, (int)layer, order);
    for (size_t i = 0; i < count; i++) {
      if (i) jsonbuf_raw(b, ",");
      put_span(b, doc, &doc->spans[order[i]]);
    }
    jsonbuf_raw(b, "]");
  }
  jsonbuf_raw(b, "}");
  free(order);
}

static void put_values(jsonbuf *b, const lector_doc *doc) {
  jsonbuf_raw(b, "{");
  for (size_t i = 0; i < doc->value_count; i++) {
    if (i) jsonbuf_raw(b, ",");
    jsonbuf_string(b, doc->values[i].key, strlen(doc->values[i].key));
    jsonbuf_raw(b, ":");
    jsonbuf_raw(b, doc->values[i].json);
  }
  jsonbuf_raw(b, "}");
}

static void put_errors(jsonbuf *b, const lector_doc *doc) {
  jsonbuf_raw(b, "[");
  for (size_t i = 0; i < doc->error_count; i++) {
    if (i) jsonbuf_raw(b, ",");
    jsonbuf_string(b, doc->errors[i], strlen(doc->errors[i]));
  }
  jsonbuf_raw(b, "]");
}

static void put_optional_string(jsonbuf *b, const char *s) {
  if (s) jsonbuf_string(b, s, strlen(s));
  else jsonbuf_raw(b, "null");
}

char *lector_doc_json(const lector_doc *doc, size_t *len) {
  jsonbuf b;
  jsonbuf_init(&b, doc->len + doc->len / 4 + 256);
  jsonbuf_raw(&b, "{\"id\":");
  put_optional_string(&b, doc->id);
  jsonbuf_raw(&b, ",\"source\":");
  put_optional_string(&b, doc->source);
  jsonbuf_raw(&b, ",\"title\":");
  put_optional_string(&b, doc->title);
  jsonbuf_raw(&b, ",\"sha256\":");
  put_optional_string(&b, doc->sha256);
  if (doc->meta_json) {
    jsonbuf_raw(&b, ",\"meta\":");
    jsonbuf_raw(&b, doc->meta_json);
  }
  jsonbuf_raw(&b, ",\"stats\":");
  put_stats(&b, doc);
  jsonbuf_raw(&b, ",\"sentences\":");
  put_sentences(&b, doc);
  jsonbuf_raw(&b, ",\"spans\":");
  put_spans(&b, doc);
  jsonbuf_raw(&b, ",\"values\":");
  put_values(&b, doc);
  jsonbuf_raw(&b, ",\"errors\":");
  put_errors(&b, doc);
  jsonbuf_raw(&b, "}");
  return jsonbuf_finish(&b, len);
}

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

char *lector_doc_guess_title(const char *text, size_t len) {
  size_t start = 0;
  while (start < len && is_blank(text[start])) start++;
  size_t stop = start;
  while (stop < len && text[stop] != '\n') stop++;
  if (stop - start > LECTOR_MAX_TITLE_BYTES) return NULL;
  if (text[start] == '#') {
    while (start < stop && text[start] == '#') start++;
    while (start < stop && is_blank(text[start])) start++;
  }
  while (stop > start && is_blank(text[stop - 1])) stop--;
  if (stop == start) return NULL;
  char *title = malloc(stop - start + 1);
  if (!title) return NULL;
  memcpy(title, text + start, stop - start);
  title[stop - start] = '\0';
  return title;
}

static int run_listed(int64_t run_id, const int64_t *run_ids, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (run_ids[i] == run_id) return 1;
  return 0;
}

lector_status lector_doc_copy_results(lector_doc *dst, const lector_doc *src,
                                      const int64_t *run_ids, size_t n) {
  if (strcmp(dst->sha256, src->sha256) != 0) return LECTOR_EINVAL;
  int64_t saved_run = dst->current_run;
  uint32_t saved_producer = dst->current_producer;
  lector_status status = LECTOR_OK;
  for (size_t i = 0; status == LECTOR_OK && i < src->span_count; i++) {
    const lector_span *span = &src->spans[i];
    if (!run_listed(span->run_id, run_ids, n)) continue;
    dst->current_run = span->run_id;
    dst->current_producer =
      span->producer ? lector_doc_producer(dst, src->producers[span->producer - 1]) : 0;
    if (span->producer && !dst->current_producer) status = LECTOR_ENOMEM;
    else status = lector_doc_add_span(dst, src->layers[span->layer], span->start, span->stop,
                                      span->label, span->has_score ? &span->score : NULL,
                                      span->attrs_json);
  }
  dst->current_producer = saved_producer;
  for (size_t i = 0; status == LECTOR_OK && i < src->value_count; i++) {
    if (!run_listed(src->values[i].run_id, run_ids, n)) continue;
    dst->current_run = src->values[i].run_id;
    status = lector_doc_set_value(dst, src->values[i].key, src->values[i].json);
  }
  dst->current_run = saved_run;
  return status;
}
