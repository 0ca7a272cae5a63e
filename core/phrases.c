/*
 * Key phrases (phrases.h): candidate runs of content words, their words'
 * PageRank on the co-occurrence graph, phrases grouped by stems, scored,
 * and variants merged into their hosts.
 *
 * Strings are kept in string maps: a hash index over keys copied into one
 * byte pool, each key with an optional second string (its "aux": a folded
 * word's content form, a word's stem) and flags. The engine keeps two
 * memos across documents (folded word -> its tests; content word -> its
 * stem), each started afresh at LECTOR_PHRASES_MEMO_WORDS words; a call's
 * own maps and arrays are emptied, not freed, at the next call.
 */
#include "phrases.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "graph.h"
#include "hash.h"
#include "lector_limits.h"
#include "token.h"

/* A phrase's variant has at most this many more words than its host. */
#define MERGE_EXTRA_WORDS 2
/* An edge suffix counts when at least this many bytes come before it. */
#define EDGE_SUFFIX_REST 3

/* A failure with a message that names no input. */
static lector_status fail(lector_error *err, lector_status status, const char *message) {
  if (err) {
    err->status = status;
    err->offset = 0;
    snprintf(err->message, sizeof err->message, "%s", message);
  }
  return status;
}

/* ---- growable arrays ------------------------------------------------------- */

typedef struct vec {
  void *p;
  size_t n, cap;   /* items */
} vec;

#define AT(v, type) ((type *)(v).p)

/* Grow v to room for need items of size bytes; 0 when refused (v is as
 * it was). */
static int vec_grow(lector_phrases *ph, vec *v, size_t size, size_t need);

/* Room for need items: the check is inline, the growth (rare) is not. */
static inline int vec_reserve(lector_phrases *ph, vec *v, size_t size, size_t need) {
  return need <= v->cap || vec_grow(ph, v, size, need);
}

static void vec_free(lector_phrases *ph, vec *v, size_t size);

/* Append one item; NULL when refused. */
static void *vec_push(lector_phrases *ph, vec *v, size_t size) {
  if (!vec_reserve(ph, v, size, v->n + 1)) return NULL;
  return (char *)v->p + size * v->n++;
}

/* ---- string maps ------------------------------------------------------------ */

typedef struct strkey {
  uint32_t off, len, hash;
  uint32_t aux_off, aux_len;
  uint32_t flags;
} strkey;

typedef struct strmap {
  uint32_t *slots;      /* id + 1, 0 for empty; slot_cap is a power of two */
  uint32_t slot_cap;
  vec keys;             /* strkey */
  vec pool;             /* char */
} strmap;

#define NONE UINT32_MAX

static uint32_t hash_bytes(const char *s, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return (uint32_t)lector_mix64(h ^ len);
}

static const strkey *key_at(const strmap *m, uint32_t id) { return AT(m->keys, strkey) + id; }
static const char *key_text(const strmap *m, uint32_t id) {
  return AT(m->pool, char) + key_at(m, id)->off;
}
static const char *aux_text(const strmap *m, uint32_t id) {
  return AT(m->pool, char) + key_at(m, id)->aux_off;
}

static uint32_t map_find(const strmap *m, const char *s, size_t len, uint32_t hash) {
  if (!m->slot_cap) return NONE;
  for (uint32_t at = hash & (m->slot_cap - 1);; at = (at + 1) & (m->slot_cap - 1)) {
    uint32_t slot = m->slots[at];
    if (!slot) return NONE;
    const strkey *k = key_at(m, slot - 1);
    if (k->hash == hash && k->len == len && memcmp(AT(m->pool, char) + k->off, s, len) == 0)
      return slot - 1;
  }
}

static void map_place(strmap *m, uint32_t id) {
  uint32_t at = key_at(m, id)->hash & (m->slot_cap - 1);
  while (m->slots[at]) at = (at + 1) & (m->slot_cap - 1);
  m->slots[at] = id + 1;
}

/* Keep the table at most half full. */
static int map_grow(lector_phrases *ph, strmap *m) {
  if ((m->keys.n + 1) * 2 <= m->slot_cap) return 1;
  uint32_t cap = m->slot_cap ? m->slot_cap * 2 : 64;
  vec fresh = {NULL, 0, 0};
  if (!vec_reserve(ph, &fresh, sizeof(uint32_t), cap)) return 0;
  uint32_t old_cap = m->slot_cap;
  vec old = {m->slots, old_cap, old_cap};
  m->slots = fresh.p;
  m->slot_cap = cap;
  memset(m->slots, 0, cap * sizeof *m->slots);
  for (uint32_t id = 0; id < m->keys.n; id++) map_place(m, id);
  vec_free(ph, &old, sizeof(uint32_t));
  return 1;
}

/* Copy len bytes to the pool; its offset in *off. s must not point into it. */
static int pool_add(lector_phrases *ph, strmap *m, const char *s, size_t len, uint32_t *off) {
  if (m->pool.n + len > UINT32_MAX) return 0;
  if (!vec_reserve(ph, &m->pool, 1, m->pool.n + len)) return 0;
  memcpy(AT(m->pool, char) + m->pool.n, s, len);
  *off = (uint32_t)m->pool.n;
  m->pool.n += len;
  return 1;
}

/* The id of s, added when missing (*added says which); NONE when refused. */
static uint32_t map_intern(lector_phrases *ph, strmap *m, const char *s, size_t len, int *added) {
  uint32_t hash = hash_bytes(s, len);
  uint32_t id = map_find(m, s, len, hash);
  if (added) *added = id == NONE;
  if (id != NONE) return id;
  if (!map_grow(ph, m) || !vec_reserve(ph, &m->keys, sizeof(strkey), m->keys.n + 1)) return NONE;
  uint32_t off;
  if (!pool_add(ph, m, s, len, &off)) return NONE;
  id = (uint32_t)m->keys.n++;
  AT(m->keys, strkey)[id] = (strkey){off, (uint32_t)len, hash, 0, 0, 0};
  map_place(m, id);
  return id;
}

/* Room for one more key and bytes more bytes: the next map_intern of a
 * missing key, and map_set_aux, cannot fail then. */
static int map_reserve(lector_phrases *ph, strmap *m, size_t bytes) {
  return map_grow(ph, m) && vec_reserve(ph, &m->keys, sizeof(strkey), m->keys.n + 1) &&
         m->pool.n + bytes <= UINT32_MAX && vec_reserve(ph, &m->pool, 1, m->pool.n + bytes);
}

static int map_set_aux(lector_phrases *ph, strmap *m, uint32_t id, const char *s, size_t len) {
  uint32_t off;
  if (!pool_add(ph, m, s, len, &off)) return 0;
  strkey *k = AT(m->keys, strkey) + id;
  k->aux_off = off;
  k->aux_len = (uint32_t)len;
  return 1;
}

/* Empty the map. A map sized for a long document is mostly empty for the
 * next, short one: its keys' slots are cleared one by one then, found
 * from their hash as a look-up would (skipping the slots already cleared,
 * which the look-up's probing may pass). */
static void map_clear(strmap *m) {
  if (m->slots && m->keys.n * 8 < m->slot_cap) {
    uint32_t mask = m->slot_cap - 1;
    for (uint32_t id = 0; id < m->keys.n; id++) {
      uint32_t at = key_at(m, id)->hash & mask;
      while (m->slots[at] != id + 1) at = (at + 1) & mask;
      m->slots[at] = 0;
    }
  } else if (m->slots) {
    memset(m->slots, 0, m->slot_cap * sizeof *m->slots);
  }
  m->keys.n = 0;
  m->pool.n = 0;
}

static int map_has(const strmap *m, const char *s, size_t len) {
  return map_find(m, s, len, hash_bytes(s, len)) != NONE;
}

/* ---- the engine --------------------------------------------------------------- */

/* A folded word's tests (its key's flags in the tests memo). */
enum { TEST_CONTENT = 1, TEST_POSSESSIVE = 2, TEST_VERB = 4 };

typedef struct word_info {   /* per word of the document */
  uint32_t stem;             /* in stem_ids; NONE until stemmed */
  uint8_t distinct;          /* a content word of the sequences */
  uint8_t weak;              /* WEAK_*: whether it may not stand at an edge */
} word_info;

enum { WEAK_UNKNOWN, WEAK_NO, WEAK_YES };

/* The document word a folded word's content form was last found as: a
 * memo of the tests memo's, valid in the call it was set in. */
typedef struct test_word {
  uint32_t call, word;
} test_word;

typedef struct run_item {    /* a word of the run being read */
  uint32_t word, token;
  uint8_t capital, connector;
} run_item;

typedef struct occurrence {
  uint32_t first, last;      /* tokens */
  uint32_t words, nwords;    /* into occ_words */
  uint32_t next;             /* the group's next occurrence, NONE at the end */
  uint8_t capital;
} occurrence;

typedef struct group {
  uint32_t stems, nstems;    /* into group_stems */
  uint32_t count, own, capitals;
  uint32_t head, tail;       /* its own occurrences */
  uint32_t parent;           /* host, NONE when none */
  uint32_t variants, next_variant;  /* a root's variants, listed in order */
  uint32_t last_variant;
  double score;
  int name;
} group;

struct lector_phrases {
  lector_phrases_alloc alloc;
  void *ud;
  lector_phrases_config cfg;
  const lector_lexicon *stopwords, *verbs;   /* the call's */
  lector_stemmer *stemmer;
  size_t bytes;
  strmap lists[LECTOR_PHRASES_LIST_COUNT];
  strmap tests;              /* memo: folded word -> flags, aux: its content form */
  vec test_words;            /* test_word per entry of tests */
  uint32_t call;             /* calls of lector_phrases_extract, from 1 */
  strmap stems;              /* memo: content word -> aux: its stem */
  strmap word_terms;         /* memo: folded word token -> aux: its term (TERM_* flags) */
  strmap number_terms;       /* memo: folded number token -> aux: its term */
  vec term_ranges, term_numbers, term_like;   /* lector_phrases_terms's result */
  vec term_text;             /* char */
  /* one call's */
  strmap words;              /* content words and connectors */
  vec info;                  /* word_info per word */
  strmap stem_ids;           /* the words' stems, and connectors' own forms */
  vec stem_node;             /* uint32 per stem: its graph node, NONE when none */
  vec seq, seq_bounds;       /* uint32 words (NONE: a stop word); sentences' starts */
  vec skip;                  /* lector_phrases_range: the input's, sorted and merged */
  vec run;                   /* run_item */
  vec occs, occ_words;       /* occurrence; uint32 */
  strmap group_keys;
  vec groups, group_stems;   /* group; uint32 stem ids */
  vec prior, scores;         /* double per node */
  vec keybuf, fold[2];       /* char */
  vec best;                  /* uint32 groups */
  vec out_phrases, out_occurrences, out_parts;
  strmap forms, listed;      /* a part's forms (counts in flags); the forms listed */
  vec order;                 /* uint32: a part's forms in byte order */
  vec out_variants;          /* lector_phrases_range into out_text */
  vec out_text;              /* char */
};

static int vec_grow(lector_phrases *ph, vec *v, size_t size, size_t need) {
  size_t cap = v->cap ? v->cap : 16;
  while (cap < need) {
    if (cap > SIZE_MAX / 2 / size) return 0;
    cap *= 2;
  }
  void *p = ph->alloc(ph->ud, v->p, v->p ? v->cap * size : 0, cap * size);
  if (!p) return 0;
  ph->bytes += (cap - v->cap) * size;
  v->p = p;
  v->cap = cap;
  return 1;
}

static void vec_free(lector_phrases *ph, vec *v, size_t size) {
  if (v->p) ph->alloc(ph->ud, v->p, v->cap * size, 0);
  ph->bytes -= v->cap * size;
  *v = (vec){NULL, 0, 0};
}

static void map_free(lector_phrases *ph, strmap *m) {
  vec slots = {m->slots, m->slot_cap, m->slot_cap};
  vec_free(ph, &slots, sizeof(uint32_t));
  vec_free(ph, &m->keys, sizeof(strkey));
  vec_free(ph, &m->pool, 1);
  m->slots = NULL;
  m->slot_cap = 0;
}

lector_phrases *lector_phrases_new(const lector_phrases_config *cfg, lector_phrases_alloc alloc,
                                   void *ud) {
  if (!alloc) alloc = lector_default_alloc;
  lector_phrases *ph = alloc(ud, NULL, 0, sizeof *ph);
  if (!ph) return NULL;
  memset(ph, 0, sizeof *ph);
  ph->alloc = alloc;
  ph->ud = ud;
  ph->cfg = *cfg;
  ph->bytes = sizeof *ph;
  return ph;
}

void lector_phrases_free(lector_phrases *ph) {
  if (!ph) return;
  for (int i = 0; i < LECTOR_PHRASES_LIST_COUNT; i++) map_free(ph, &ph->lists[i]);
  strmap *maps[] = {&ph->tests,    &ph->stems,        &ph->words,       &ph->stem_ids,
                    &ph->group_keys, &ph->word_terms, &ph->number_terms};
  for (size_t i = 0; i < sizeof maps / sizeof *maps; i++) map_free(ph, maps[i]);
  vec_free(ph, &ph->info, sizeof(word_info));
  vec_free(ph, &ph->test_words, sizeof(test_word));
  vec_free(ph, &ph->stem_node, sizeof(uint32_t));
  vec_free(ph, &ph->seq, sizeof(uint32_t));
  vec_free(ph, &ph->seq_bounds, sizeof(uint32_t));
  vec_free(ph, &ph->skip, sizeof(lector_phrases_range));
  vec_free(ph, &ph->run, sizeof(run_item));
  vec_free(ph, &ph->occs, sizeof(occurrence));
  vec_free(ph, &ph->occ_words, sizeof(uint32_t));
  vec_free(ph, &ph->groups, sizeof(group));
  vec_free(ph, &ph->group_stems, sizeof(uint32_t));
  vec_free(ph, &ph->prior, sizeof(double));
  vec_free(ph, &ph->scores, sizeof(double));
  vec_free(ph, &ph->keybuf, 1);
  vec_free(ph, &ph->fold[0], 1);
  vec_free(ph, &ph->fold[1], 1);
  vec_free(ph, &ph->best, sizeof(uint32_t));
  vec_free(ph, &ph->out_phrases, sizeof(lector_phrase));
  vec_free(ph, &ph->out_occurrences, sizeof(lector_phrases_range));
  vec_free(ph, &ph->out_parts, sizeof(uint32_t));
  map_free(ph, &ph->forms);
  map_free(ph, &ph->listed);
  vec_free(ph, &ph->order, sizeof(uint32_t));
  vec_free(ph, &ph->out_variants, sizeof(lector_phrases_range));
  vec_free(ph, &ph->out_text, 1);
  vec_free(ph, &ph->term_ranges, sizeof(lector_phrases_range));
  vec_free(ph, &ph->term_numbers, sizeof(uint32_t));
  vec_free(ph, &ph->term_like, sizeof(lector_phrases_range));
  vec_free(ph, &ph->term_text, 1);
  ph->alloc(ph->ud, ph, sizeof *ph, 0);
}

size_t lector_phrases_bytes(const lector_phrases *ph) { return ph->bytes; }

lector_status lector_phrases_add(lector_phrases *ph, lector_phrases_list list, const char *word,
                                 size_t len, lector_error *err) {
  if ((unsigned)list >= LECTOR_PHRASES_LIST_COUNT)
    return fail(err, LECTOR_EINVAL, "unknown word list");
  if (len == 0) return fail(err, LECTOR_EINVAL, "an empty word");
  if (map_intern(ph, &ph->lists[list], word, len, NULL) == NONE)
    return fail(err, LECTOR_ENOMEM, "out of memory");
  return LECTOR_OK;
}

/* ---- word tests ------------------------------------------------------------------ */

/* Whether s ends in 's or ’s, compared bytewise as the plugin's patterns
 * always did: the byte before the s is one of ' and the bytes of ’. */
static int ends_possessive(const char *s, size_t len) {
  if (len < 2 || s[len - 1] != 's') return 0;
  unsigned char c = (unsigned char)s[len - 2];
  return c == '\'' || c == 0xE2 || c == 0x80 || c == 0x99;
}

static int is_stop(const lector_phrases *ph, const char *w, size_t len) {
  if (map_has(&ph->lists[LECTOR_PHRASES_STOPWORD], w, len)) return 1;
  return ph->stopwords && lector_lexicon_get(ph->stopwords, w, len) != NULL;
}

/* A folded word with every ’ made ' and a final 's dropped, into buf
 * (room for len bytes); its length. */
static size_t plain_form(const char *folded, size_t len, char *buf) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (i + 2 < len && memcmp(folded + i, "\xE2\x80\x99", 3) == 0) {
      buf[n++] = '\'';
      i += 2;
    } else {
      buf[n++] = folded[i];
    }
  }
  if (n >= 2 && buf[n - 2] == '\'' && buf[n - 1] == 's') n -= 2;
  return n;
}

/* The content form of a folded word into buf (room for len bytes): its
 * plain form. Its length, or 0 when it is no content word: it must start
 * with a letter (any non-ASCII byte counts as one), hold no digit, have
 * two characters or more, and be no stop word. */
static size_t content_form(const lector_phrases *ph, const char *folded, size_t len, char *buf) {
  size_t n = plain_form(folded, len, buf);
  unsigned char first = n ? (unsigned char)buf[0] : 0;
  int letter = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first >= 0x80;
  if (!letter) return 0;
  size_t chars = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c >= '0' && c <= '9') return 0;
    chars += (c & 0xC0) != 0x80;
  }
  if (chars < 2 || is_stop(ph, buf, n)) return 0;
  return n;
}

/* The tests memo's entry for a folded word, made on first sight. NONE
 * when out of memory. */
static uint32_t word_test(lector_phrases *ph, const char *folded, size_t len) {
  strmap *m = &ph->tests;
  uint32_t hash = hash_bytes(folded, len);
  uint32_t id = map_find(m, folded, len, hash);
  if (id != NONE) return id;
  if (m->keys.n >= LECTOR_PHRASES_MEMO_WORDS) map_clear(m);
  if (!vec_reserve(ph, &ph->keybuf, 1, len + 1)) return NONE;
  char *form = ph->keybuf.p;
  size_t n = content_form(ph, folded, len, form);
  /* a memo entry is made whole or not at all */
  if (!map_reserve(ph, m, len + n) ||
      !vec_reserve(ph, &ph->test_words, sizeof(test_word), m->keys.n + 1))
    return NONE;
  id = map_intern(ph, m, folded, len, NULL);
  map_set_aux(ph, m, id, form, n);
  AT(ph->test_words, test_word)[id] = (test_word){0, NONE};
  uint32_t flags = 0;
  if (n) {
    flags |= TEST_CONTENT;
    if (ends_possessive(folded, len)) flags |= TEST_POSSESSIVE;
    if (ph->verbs && lector_lexicon_get(ph->verbs, folded, len)) flags |= TEST_VERB;
  }
  AT(m->keys, strkey)[id].flags = flags;
  return id;
}

/* Whether a word may not stand at a phrase's edge. */
static int weak_edge(const lector_phrases *ph, const char *w, size_t len) {
  if (map_has(&ph->lists[LECTOR_PHRASES_EDGE_WORD], w, len)) return 1;
  const strmap *suffixes = &ph->lists[LECTOR_PHRASES_EDGE_SUFFIX];
  for (uint32_t i = 0; i < suffixes->keys.n; i++) {
    size_t n = key_at(suffixes, i)->len;
    if (len >= n + EDGE_SUFFIX_REST && memcmp(w + len - n, key_text(suffixes, i), n) == 0)
      return 1;
  }
  return 0;
}

/* ---- reading the tokens --------------------------------------------------------- */

typedef struct reader {
  lector_phrases *ph;
  const lector_phrases_input *in;
  const lector_token *tokens;
  const lector_phrases_range *skip;   /* disjoint, in order */
  size_t skip_count, next_skip;       /* the first range that ends after the last token read */
  uint32_t distinct;
} reader;

static int capital(const reader *r, uint32_t k) {
  const lector_token *t = r->tokens + k;
  /* an ASCII first character is never a mark its shape would skip */
  unsigned char first = (unsigned char)r->in->doc->text[t->start];
  if (first < 0x80) return first >= 'A' && first <= 'Z';
  char shape[2];
  lector_token_shape(r->in->doc->text + t->start, t->stop - t->start, shape, sizeof shape);
  return shape[0] == 'X';
}

/* Whether a token starting at `at` lies in a range to skip. Tokens are
 * read in text order, so the ranges already behind stay behind. */
static int skipped(reader *r, uint32_t at) {
  while (r->next_skip < r->skip_count && r->skip[r->next_skip].stop <= at) r->next_skip++;
  return r->next_skip < r->skip_count && r->skip[r->next_skip].start <= at;
}

static int by_start(const void *a, const void *b) {
  const lector_phrases_range *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

/* The input's ranges to skip, sorted and merged into disjoint ones, in
 * ph->skip. 0 when out of memory. */
static int sort_skip(lector_phrases *ph, const lector_phrases_input *in) {
  ph->skip.n = 0;
  if (!vec_reserve(ph, &ph->skip, sizeof(lector_phrases_range), in->skip_count)) return 0;
  lector_phrases_range *out = ph->skip.p;
  for (size_t i = 0; i < in->skip_count; i++)
    if (in->skip[i].start < in->skip[i].stop) out[ph->skip.n++] = in->skip[i];
  if (ph->skip.n > 1) qsort(out, ph->skip.n, sizeof *out, by_start);
  size_t merged = 0;
  for (size_t i = 0; i < ph->skip.n; i++) {
    if (merged > 0 && out[i].start <= out[merged - 1].stop) {
      if (out[i].stop > out[merged - 1].stop) out[merged - 1].stop = out[i].stop;
    } else {
      out[merged++] = out[i];
    }
  }
  ph->skip.n = merged;
  return 1;
}

/* Token k's folded form, in fold buffer b; NULL when out of memory. */
static const char *folded(reader *r, uint32_t k, int b, size_t *len) {
  const lector_token *t = r->tokens + k;
  const char *s = r->in->doc->text + t->start;
  size_t n = t->stop - t->start;
  vec *buf = &r->ph->fold[b];
  if (!vec_reserve(r->ph, buf, 1, n + 1)) return NULL;
  if (lector_token_fold_ascii(s, n, buf->p)) {
    *len = n;
    return buf->p;
  }
  char *f = lector_token_fold(s, n, &n);
  if (!f) return NULL;
  int ok = vec_reserve(r->ph, buf, 1, n + 1);
  if (ok) memcpy(buf->p, f, n);
  free(f);
  *len = n;
  return ok ? buf->p : NULL;
}

static int push_seq(lector_phrases *ph, uint32_t word) {
  uint32_t *slot = vec_push(ph, &ph->seq, sizeof *slot);
  if (!slot) return 0;
  *slot = word;
  return 1;
}

static int push_run(lector_phrases *ph, uint32_t word, uint32_t token, int cap, int connector) {
  run_item *it = vec_push(ph, &ph->run, sizeof *it);
  if (!it) return 0;
  *it = (run_item){word, token, (uint8_t)cap, (uint8_t)connector};
  return 1;
}

static int weak_item(lector_phrases *ph, const run_item *it) {
  if (it->connector) return 1;
  word_info *info = AT(ph->info, word_info) + it->word;
  if (info->weak == WEAK_UNKNOWN)
    info->weak = weak_edge(ph, key_text(&ph->words, it->word), key_at(&ph->words, it->word)->len)
                   ? WEAK_YES : WEAK_NO;
  return info->weak == WEAK_YES;
}

/* The run read so far as phrases: cut into pieces of max_words, each
 * trimmed of connectors and weak words at its edges. */
static int flush(lector_phrases *ph) {
  const run_item *run = ph->run.p;
  size_t nr = ph->run.n, max = ph->cfg.max_words;
  for (size_t start = 0; start < nr; start += max) {
    size_t from = start, to = start + max < nr ? start + max : nr;   /* [from, to) */
    while (from < to && weak_item(ph, run + from)) from++;
    while (to > from && weak_item(ph, run + to - 1)) to--;
    if (from == to) continue;
    if (!vec_reserve(ph, &ph->occ_words, sizeof(uint32_t), ph->occ_words.n + (to - from)))
      return 0;
    occurrence *o = vec_push(ph, &ph->occs, sizeof *o);
    if (!o) return 0;
    *o = (occurrence){run[from].token, run[to - 1].token, (uint32_t)ph->occ_words.n,
                      (uint32_t)(to - from), NONE, 1};
    for (size_t k = from; k < to; k++) {
      AT(ph->occ_words, uint32_t)[ph->occ_words.n++] = run[k].word;
      if (!run[k].capital) o->capital = 0;
    }
  }
  ph->run.n = 0;
  return 1;
}

/* The id of s in m, with its item (initialized from init) appended to
 * items when s is new; NONE when out of memory. */
static uint32_t intern_with_item(lector_phrases *ph, strmap *m, const char *s, size_t len,
                                 vec *items, size_t size, const void *init) {
  if (!vec_reserve(ph, items, size, m->keys.n + 1)) return NONE;
  int added;
  uint32_t id = map_intern(ph, m, s, len, &added);
  if (id != NONE && added) memcpy((char *)items->p + size * items->n++, init, size);
  return id;
}

/* The document's word s: a content word or a connector. */
static uint32_t doc_word(lector_phrases *ph, const char *s, size_t len) {
  static const word_info fresh = {NONE, 0, WEAK_UNKNOWN};
  return intern_with_item(ph, &ph->words, s, len, &ph->info, sizeof fresh, &fresh);
}

/* One token of a sentence whose last token read is `last`. 0 when out of
 * memory. */
static int read_token(reader *r, uint32_t k, uint32_t last) {
  lector_phrases *ph = r->ph;
  const lector_token *t = r->tokens + k;
  int is_word = t->kind == LECTOR_TOKEN_WORD;
  const char *f = NULL;
  size_t flen = 0;
  uint32_t test = NONE, flags = 0;
  if (is_word && !skipped(r, t->start)) {
    if (!(f = folded(r, k, 0, &flen)) || (test = word_test(ph, f, flen)) == NONE) return 0;
    flags = key_at(&ph->tests, test)->flags;
    const lector_phrases_range *h = &r->in->headline;
    if ((flags & TEST_CONTENT) && (flags & TEST_VERB) &&
        (!capital(r, k) || (t->start >= h->start && t->start < h->stop)))
      flags = 0;
  }
  int content = (flags & TEST_CONTENT) != 0;
  size_t nr = ph->run.n;
  if (!content && nr > 0 && AT(ph->run, run_item)[nr - 1].capital) {
    if (!f && !(f = folded(r, k, 0, &flen))) return 0;
    if (map_has(&ph->lists[LECTOR_PHRASES_CONNECTOR], f, flen) && k < last &&
        r->tokens[k + 1].kind == LECTOR_TOKEN_WORD && capital(r, k + 1)) {
      size_t alen;
      const char *after = folded(r, k + 1, 1, &alen);
      uint32_t at = after ? word_test(ph, after, alen) : NONE;
      if (at == NONE) return 0;
      if (key_at(&ph->tests, at)->flags & TEST_CONTENT) {
        /* a connector inside a name: part of the phrase, not of the graph */
        uint32_t w = doc_word(ph, f, flen);
        return w != NONE && push_run(ph, w, k, 1, 1) && push_seq(ph, NONE);
      }
      /* a connector is a word: it keeps distance */
      return (nr == 0 || flush(ph)) && push_seq(ph, NONE);
    }
  }
  if (content) {
    test_word *tw = AT(ph->test_words, test_word) + test;
    if (tw->call != ph->call) {
      const strkey *tk = key_at(&ph->tests, test);
      uint32_t w = doc_word(ph, aux_text(&ph->tests, test), tk->aux_len);
      if (w == NONE) return 0;
      tw = AT(ph->test_words, test_word) + test;
      *tw = (test_word){ph->call, w};
    }
    uint32_t w = tw->word;
    word_info *info = AT(ph->info, word_info) + w;
    if (info->distinct || r->distinct < ph->cfg.max_distinct) {
      if (!info->distinct) {
        info->distinct = 1;
        r->distinct++;
      }
      if (!push_run(ph, w, k, capital(r, k), 0) || !push_seq(ph, w)) return 0;
      /* a possessive ends a phrase: "Russia’s military" is two */
      if ((flags & TEST_POSSESSIVE) &&
          ends_possessive(r->in->doc->text + t->start, t->stop - t->start))
        return flush(ph);
      return 1;
    }
  }
  if (nr > 0 && !flush(ph)) return 0;
  return !is_word || push_seq(ph, NONE);   /* a stop word keeps distance */
}

/* Runs of content words in each sentence, up to max_tokens tokens and
 * max_distinct words: the occurrences, and each sentence's sequence of
 * words (NONE for stop words) for the graph. */
static int collect(lector_phrases *ph, const lector_phrases_input *in) {
  const lector_doc *doc = in->doc;
  if (!sort_skip(ph, in)) return 0;
  reader r = {ph, in, doc->seg.tokens, ph->skip.p, ph->skip.n, 0, 0};
  size_t read = 0;
  for (size_t si = 0; si < doc->seg.sentence_count; si++) {
    if (read >= ph->cfg.max_tokens || r.distinct >= ph->cfg.max_distinct) break;
    const lector_sentence *s = doc->seg.sentences + si;
    size_t take = s->token_count < ph->cfg.max_tokens - read ? s->token_count
                                                             : ph->cfg.max_tokens - read;
    read += take + (take < s->token_count);
    uint32_t *bound = vec_push(ph, &ph->seq_bounds, sizeof *bound);
    if (!bound) return 0;
    *bound = (uint32_t)ph->seq.n;
    for (uint32_t k = s->first_token; k < s->first_token + take; k++)
      if (!read_token(&r, k, s->first_token + (uint32_t)take - 1)) return 0;
    if (ph->run.n > 0 && !flush(ph)) return 0;
  }
  uint32_t *end = vec_push(ph, &ph->seq_bounds, sizeof *end);
  if (!end) return 0;
  *end = (uint32_t)ph->seq.n;
  return 1;
}

/* ---- a summary's terms ------------------------------------------------------------ */

/* A term memo entry's flags: the token has a term; a word token's word
 * could also be a number's (see lector_phrases_terms). */
enum { TERM_SOME = 1, TERM_NUMBER_LIKE = 2 };

/* The word of a folded token for terms into buf (room for len bytes): its
 * plain form. Its length, or 0 when it has no ASCII letter or digit nor
 * any non-ASCII byte, or is a stop word. */
static size_t term_word(const lector_phrases *ph, const char *folded, size_t len, char *buf) {
  size_t n = plain_form(folded, len, buf);
  size_t i = 0;
  for (; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80) break;
  }
  if (i == n || is_stop(ph, buf, n)) return 0;
  return n;
}

/* A number's word starts with a digit, which folds to an ASCII digit or
 * stays a non-ASCII character. */
static int number_like(const char *w) {
  unsigned char c = (unsigned char)w[0];
  return (c >= '0' && c <= '9') || c >= 0x80;
}

/* The memo m's entry for a folded token, made on first sight: its term is
 * its word, stemmed when stem is set. NONE when out of memory. */
static uint32_t term_entry(lector_phrases *ph, strmap *m, const char *folded, size_t len,
                           int stem) {
  uint32_t id = map_find(m, folded, len, hash_bytes(folded, len));
  if (id != NONE) return id;
  if (m->keys.n >= LECTOR_PHRASES_TERM_MEMO_WORDS) map_clear(m);
  if (!vec_reserve(ph, &ph->keybuf, 1, len + 1)) return NONE;
  const char *term = ph->keybuf.p;
  size_t n = term_word(ph, folded, len, ph->keybuf.p), term_len = n;
  uint32_t flags = n ? TERM_SOME : 0;
  if (n && stem) {
    if (number_like(term)) flags |= TERM_NUMBER_LIKE;
    term = lector_stemmer_stem(ph->stemmer, term, n, &term_len);
    if (!term) return NONE;
  }
  if (!map_reserve(ph, m, len + term_len)) return NONE;
  id = map_intern(ph, m, folded, len, NULL);
  map_set_aux(ph, m, id, term, term_len);
  AT(m->keys, strkey)[id].flags = flags;
  return id;
}

/* Append s to the result's text, its range to list. */
static int add_term_text(lector_phrases *ph, vec *list, const char *s, size_t len) {
  lector_phrases_range *r = vec_push(ph, list, sizeof *r);
  if (!r || ph->term_text.n + len > UINT32_MAX ||
      !vec_reserve(ph, &ph->term_text, 1, ph->term_text.n + len))
    return 0;
  memcpy(AT(ph->term_text, char) + ph->term_text.n, s, len);
  *r = (lector_phrases_range){(uint32_t)ph->term_text.n, (uint32_t)(ph->term_text.n + len)};
  ph->term_text.n += len;
  return 1;
}

/* Token k's term, if it has one, into the result. */
static int read_term(reader *r, uint32_t k, uint32_t *words) {
  lector_phrases *ph = r->ph;
  int kind = r->tokens[k].kind;
  if (kind != LECTOR_TOKEN_WORD && kind != LECTOR_TOKEN_NUMBER) return 1;
  ++*words;
  size_t len;
  const char *f = folded(r, k, 0, &len);
  if (!f) return 0;
  strmap *m = kind == LECTOR_TOKEN_WORD ? &ph->word_terms : &ph->number_terms;
  uint32_t id = term_entry(ph, m, f, len, kind == LECTOR_TOKEN_WORD);
  if (id == NONE) return 0;
  uint32_t flags = key_at(m, id)->flags;
  if (!(flags & TERM_SOME)) return 1;
  if (kind == LECTOR_TOKEN_NUMBER) {
    uint32_t *at = vec_push(ph, &ph->term_numbers, sizeof *at);
    if (!at) return 0;
    *at = (uint32_t)ph->term_ranges.n;
  }
  if (!add_term_text(ph, &ph->term_ranges, aux_text(m, id), key_at(m, id)->aux_len)) return 0;
  if (!(flags & TERM_NUMBER_LIKE)) return 1;
  if (!vec_reserve(ph, &ph->keybuf, 1, len + 1)) return 0;
  return add_term_text(ph, &ph->term_like, ph->keybuf.p, plain_form(f, len, ph->keybuf.p));
}

lector_status lector_phrases_terms(lector_phrases *ph, const lector_phrases_input *in,
                                   uint32_t first, uint32_t count, lector_phrases_term_list *out,
                                   lector_error *err) {
  *out = (lector_phrases_term_list){0};
  vec *vecs[] = {&ph->term_ranges, &ph->term_numbers, &ph->term_like, &ph->term_text};
  for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++) vecs[i]->n = 0;
  if (first > in->doc->seg.token_count || count > in->doc->seg.token_count - first)
    return fail(err, LECTOR_EINVAL, "tokens out of range");
  ph->stopwords = in->stopwords;
  ph->stemmer = in->stemmer;
  reader r = {ph, in, in->doc->seg.tokens, NULL, 0, 0, 0};   /* terms skip nothing */
  for (uint32_t k = first; k < first + count; k++)
    if (!read_term(&r, k, &out->words)) return fail(err, LECTOR_ENOMEM, "out of memory");
  out->terms = ph->term_ranges.p;
  out->count = (uint32_t)ph->term_ranges.n;
  out->numbers = ph->term_numbers.p;
  out->number_count = (uint32_t)ph->term_numbers.n;
  out->number_like = ph->term_like.p;
  out->number_like_count = (uint32_t)ph->term_like.n;
  out->text = ph->term_text.p;
  return LECTOR_OK;
}

/* ---- stems and the graph --------------------------------------------------------- */

/* The stem id of a string, made with no graph node; NONE when out of memory. */
static uint32_t stem_id(lector_phrases *ph, const char *s, size_t len) {
  static const uint32_t no_node = NONE;
  return intern_with_item(ph, &ph->stem_ids, s, len, &ph->stem_node, sizeof no_node, &no_node);
}

/* The stem of the document's word w, through the stems memo. */
static uint32_t stem_of_word(lector_phrases *ph, uint32_t w) {
  const strkey *k = key_at(&ph->words, w);
  const char *word = key_text(&ph->words, w);
  strmap *m = &ph->stems;
  uint32_t id = map_find(m, word, k->len, k->hash);
  if (id == NONE) {
    size_t len;
    const char *stem = lector_stemmer_stem(ph->stemmer, word, k->len, &len);
    if (!stem) return NONE;
    if (m->keys.n >= LECTOR_PHRASES_MEMO_WORDS) map_clear(m);
    if (!map_reserve(ph, m, k->len + len)) return NONE;
    id = map_intern(ph, m, word, k->len, NULL);
    map_set_aux(ph, m, id, stem, len);
  }
  return stem_id(ph, aux_text(m, id), key_at(m, id)->aux_len);
}

/* Stem every word of the sequences and make a node for each stem, in the
 * order met; a node's prior is the sum of 1 / position of its words. */
static int make_nodes(lector_phrases *ph, uint32_t *n) {
  *n = 0;
  const uint32_t *seq = ph->seq.p;
  for (size_t i = 0; i < ph->seq.n; i++) {
    if (seq[i] == NONE) continue;
    word_info *info = AT(ph->info, word_info) + seq[i];
    if (info->stem == NONE) {
      uint32_t stem = stem_of_word(ph, seq[i]);
      if (stem == NONE) return 0;
      AT(ph->info, word_info)[seq[i]].stem = stem;
    }
    uint32_t stem = AT(ph->info, word_info)[seq[i]].stem;
    uint32_t *node = AT(ph->stem_node, uint32_t) + stem;
    if (*node == NONE) {
      double *prior = vec_push(ph, &ph->prior, sizeof *prior);
      if (!prior) return 0;
      *prior = 0;
      *node = (*n)++;
    }
    AT(ph->prior, double)[*node] += 1.0 / (double)(i + 1);
  }
  return 1;
}

static uint32_t node_of(const lector_phrases *ph, uint32_t word) {
  if (word == NONE) return NONE;
  return AT(ph->stem_node, uint32_t)[AT(ph->info, word_info)[word].stem];
}

/* Link the words of each sentence closer than the window, one unit of
 * weight per meeting, and rank the nodes. */
static lector_status rank_nodes(lector_phrases *ph, uint32_t n, lector_error *err) {
  lector_graph *g = lector_graph_new(n, ph->alloc, ph->ud);
  if (!g) return fail(err, LECTOR_ENOMEM, "out of memory");
  const uint32_t *seq = ph->seq.p, *bounds = ph->seq_bounds.p;
  lector_status status = LECTOR_OK;
  for (size_t s = 0; s + 1 < ph->seq_bounds.n && status == LECTOR_OK; s++) {
    for (uint32_t i = bounds[s]; i < bounds[s + 1] && status == LECTOR_OK; i++) {
      uint32_t a = node_of(ph, seq[i]);
      if (a == NONE) continue;
      for (uint32_t j = i + 1; j < i + ph->cfg.window && j < bounds[s + 1]; j++) {
        uint32_t b = node_of(ph, seq[j]);
        if (b == NONE || a == b) continue;
        status = lector_graph_add(g, a < b ? a : b, a < b ? b : a, 1.0, err);
        if (status != LECTOR_OK) break;
      }
    }
  }
  if (status == LECTOR_OK && !vec_reserve(ph, &ph->scores, sizeof(double), n))
    status = fail(err, LECTOR_ENOMEM, "out of memory");
  if (status == LECTOR_OK) {
    lector_graph_rank_opts opts = {0.85, 1e-6, 100, ph->prior.p};
    status = lector_graph_rank(g, &opts, ph->scores.p, NULL, err);
  }
  lector_graph_free(g);
  return status;
}

/* ---- groups ---------------------------------------------------------------------- */

/* The stems of words[0..n) joined by spaces, in keybuf; its length, or
 * SIZE_MAX when out of memory. */
static size_t join_stems(lector_phrases *ph, const uint32_t *stems, uint32_t n) {
  size_t len = 0;
  for (uint32_t i = 0; i < n; i++) len += key_at(&ph->stem_ids, stems[i])->len + 1;
  if (!vec_reserve(ph, &ph->keybuf, 1, len + 1)) return SIZE_MAX;
  char *p = ph->keybuf.p;
  for (uint32_t i = 0; i < n; i++) {
    if (i) *p++ = ' ';
    size_t l = key_at(&ph->stem_ids, stems[i])->len;
    memcpy(p, key_text(&ph->stem_ids, stems[i]), l);
    p += l;
  }
  return (size_t)(p - (char *)ph->keybuf.p);
}

/* The stem of an occurrence's word: its own for a content word of the
 * sequences, else (a connector) its folded form. */
static uint32_t word_stem(lector_phrases *ph, uint32_t w) {
  const word_info *info = AT(ph->info, word_info) + w;
  if (info->distinct) return info->stem;
  const strkey *k = key_at(&ph->words, w);
  if (!vec_reserve(ph, &ph->fold[0], 1, k->len + 1)) return NONE;
  memcpy(ph->fold[0].p, key_text(&ph->words, w), k->len);
  return stem_id(ph, ph->fold[0].p, k->len);
}

/* The occurrences grouped by their stems, in the order first met. */
static int make_groups(lector_phrases *ph) {
  for (uint32_t oi = 0; oi < ph->occs.n; oi++) {
    occurrence *o = AT(ph->occs, occurrence) + oi;
    uint32_t stems_at = (uint32_t)ph->group_stems.n;
    if (!vec_reserve(ph, &ph->group_stems, sizeof(uint32_t), stems_at + o->nwords)) return 0;
    for (uint32_t i = 0; i < o->nwords; i++) {
      uint32_t stem = word_stem(ph, AT(ph->occ_words, uint32_t)[o->words + i]);
      if (stem == NONE) return 0;
      AT(ph->group_stems, uint32_t)[stems_at + i] = stem;
    }
    size_t len = join_stems(ph, AT(ph->group_stems, uint32_t) + stems_at, o->nwords);
    int added;
    uint32_t gi = len == SIZE_MAX ? NONE
                                  : map_intern(ph, &ph->group_keys, ph->keybuf.p, len, &added);
    if (gi == NONE) return 0;
    if (added) {
      group *g = vec_push(ph, &ph->groups, sizeof *g);
      if (!g) return 0;
      memset(g, 0, sizeof *g);
      g->stems = stems_at;
      g->nstems = o->nwords;
      ph->group_stems.n += o->nwords;
      g->head = g->tail = g->parent = g->variants = g->next_variant = g->last_variant = NONE;
    }
    group *g = AT(ph->groups, group) + gi;
    g->count++;
    g->capitals += o->capital;
    if (g->tail == NONE) g->head = oi;
    else AT(ph->occs, occurrence)[g->tail].next = oi;
    g->tail = oi;
  }
  return 1;
}

/* A phrase met again is more likely a key one; a single word must earn it
 * and a long phrase is not better for having more words. */
static void score_groups(lector_phrases *ph) {
  for (uint32_t gi = 0; gi < ph->groups.n; gi++) {
    group *g = AT(ph->groups, group) + gi;
    double sum = 0;
    for (uint32_t i = 0; i < g->nstems; i++) {
      uint32_t node = AT(ph->stem_node, uint32_t)[AT(ph->group_stems, uint32_t)[g->stems + i]];
      if (node != NONE) sum += AT(ph->scores, double)[node];
    }
    g->score = sum / sqrt((double)g->nstems) * (1 + log((double)g->count));
    g->name = g->capitals * 2 > g->count;
    g->own = g->count;
  }
}

typedef enum edge { EDGE_NONE, EDGE_START, EDGE_END } edge;

/* Where the stems of a lie in those of b, with at most MERGE_EXTRA_WORDS
 * more. */
static edge edge_of(const lector_phrases *ph, const group *a, const group *b) {
  if (a->nstems >= b->nstems || b->nstems - a->nstems > MERGE_EXTRA_WORDS) return EDGE_NONE;
  const uint32_t *sa = AT(ph->group_stems, uint32_t) + a->stems;
  const uint32_t *sb = AT(ph->group_stems, uint32_t) + b->stems;
  uint32_t shift = b->nstems - a->nstems;
  int head = 1, tail = 1;
  for (uint32_t k = 0; k < a->nstems; k++) {
    if (sa[k] != sb[k]) head = 0;
    if (sa[k] != sb[shift + k]) tail = 0;
  }
  return head ? EDGE_START : tail ? EDGE_END : EDGE_NONE;
}

/* Whether the group keyed by keybuf[0..len) hosts long better than *host. */
static void consider(lector_phrases *ph, size_t len, const group *long_g, uint32_t *host) {
  if (len == SIZE_MAX) return;
  uint32_t si = map_find(&ph->group_keys, ph->keybuf.p, len, hash_bytes(ph->keybuf.p, len));
  if (si == NONE) return;
  const group *s = AT(ph->groups, group) + si;
  edge e = edge_of(ph, s, long_g);
  if (e == EDGE_NONE || !(s->nstems > 1 || (s->name && e == EDGE_START))) return;
  if (*host == NONE || si < *host) *host = si;
}

/* The phrase a longer one is a variant of: a name it starts with, or a
 * phrase of several words it starts or ends with; the longest such
 * phrase, the first met among equally long ones. Only the groups keyed by
 * the long phrase's first or last words can be one. NONE when none (or out
 * of memory, which only loses a merge the caller then refuses). */
static uint32_t host_of(lector_phrases *ph, uint32_t gi, int *ok) {
  const group *g = AT(ph->groups, group) + gi;
  uint32_t n = g->nstems;
  for (uint32_t m = n - 1; m >= 1 && m + MERGE_EXTRA_WORDS >= n; m--) {
    uint32_t host = NONE;
    g = AT(ph->groups, group) + gi;
    const uint32_t *stems = AT(ph->group_stems, uint32_t) + g->stems;
    size_t head = join_stems(ph, stems, m);
    consider(ph, head, g, &host);
    size_t tail = join_stems(ph, stems + n - m, m);
    consider(ph, tail, g, &host);
    if (head == SIZE_MAX || tail == SIZE_MAX) *ok = 0;
    if (host != NONE) return host;
  }
  return NONE;
}

/* Merge each variant into its host's root: the root keeps the higher
 * score and takes the counts and occurrences. */
static int merge_variants(lector_phrases *ph) {
  int ok = 1;
  for (uint32_t gi = 0; gi < ph->groups.n; gi++)
    AT(ph->groups, group)[gi].parent = host_of(ph, gi, &ok);
  if (!ok) return 0;
  group *groups = ph->groups.p;
  for (uint32_t gi = 0; gi < ph->groups.n; gi++) {
    uint32_t root = groups[gi].parent;
    while (root != NONE && groups[root].parent != NONE) root = groups[root].parent;
    if (root == NONE) continue;
    group *r = groups + root;
    if (r->last_variant == NONE) r->variants = gi;
    else groups[r->last_variant].next_variant = gi;
    r->last_variant = gi;
    if (groups[gi].score > r->score) r->score = groups[gi].score;
    r->count += groups[gi].count;
  }
  return 1;
}

/* Whether group a ranks before b: the higher score, then the first met. */
static int ranks_before(const group *groups, uint32_t a, uint32_t b) {
  if (groups[a].score != groups[b].score) return groups[a].score > groups[b].score;
  return a < b;
}

/* The count best kept groups, best first (an insertion into a short list). */
static int best_groups(lector_phrases *ph, uint32_t count) {
  if (count > ph->groups.n) count = (uint32_t)ph->groups.n;
  if (!vec_reserve(ph, &ph->best, sizeof(uint32_t), count)) return 0;
  const group *groups = ph->groups.p;
  uint32_t *best = ph->best.p, n = 0;
  for (uint32_t gi = 0; gi < ph->groups.n; gi++) {
    if (groups[gi].parent != NONE) continue;
    if (n == count && !ranks_before(groups, gi, best[n - 1])) continue;
    uint32_t at = n < count ? n++ : n - 1;
    while (at > 0 && ranks_before(groups, gi, best[at - 1])) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = gi;
  }
  ph->best.n = n;
  return 1;
}

/* ---- the result ------------------------------------------------------------------ */

/* A group's own occurrences, as text ranges, and their number as a part. */
static int emit(lector_phrases *ph, const lector_doc *doc, const group *g) {
  uint32_t *part = vec_push(ph, &ph->out_parts, sizeof *part);
  if (!part) return 0;
  *part = g->own;
  for (uint32_t oi = g->head; oi != NONE; oi = AT(ph->occs, occurrence)[oi].next) {
    const occurrence *o = AT(ph->occs, occurrence) + oi;
    lector_phrases_range *r = vec_push(ph, &ph->out_occurrences, sizeof *r);
    if (!r) return 0;
    *r = (lector_phrases_range){doc->seg.tokens[o->first].start, doc->seg.tokens[o->last].stop};
  }
  return 1;
}

/* ---- names and variants ---------------------------------------------------------- */

static int is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The form of text[0..len) into out (room for len bytes); its length. */
static size_t form_of(const char *text, size_t len, char *out) {
  if (len >= 4 && memcmp(text + len - 4, "\xE2\x80\x99s", 4) == 0) len -= 4;
  if (len >= 2 && memcmp(text + len - 2, "'s", 2) == 0) len -= 2;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (!is_space((unsigned char)text[i])) out[n++] = text[i];
    else if (i == 0 || !is_space((unsigned char)text[i - 1])) out[n++] = ' ';
  }
  return n;
}

/* Whether form a comes before form b in byte order. */
static int bytes_before(const strmap *m, uint32_t a, uint32_t b) {
  size_t la = key_at(m, a)->len, lb = key_at(m, b)->len;
  int c = memcmp(key_text(m, a), key_text(m, b), la < lb ? la : lb);
  return c < 0 || (c == 0 && la < lb);
}

/* The forms of occurrences [from, from + n) counted in ph->forms, and
 * listed in byte order in ph->order. */
static int count_forms(lector_phrases *ph, const lector_doc *doc, uint32_t from, uint32_t n) {
  map_clear(&ph->forms);
  for (uint32_t i = from; i < from + n; i++) {
    const lector_phrases_range *r = AT(ph->out_occurrences, lector_phrases_range) + i;
    size_t len = r->stop - r->start;
    if (!vec_reserve(ph, &ph->keybuf, 1, len + 1)) return 0;
    len = form_of(doc->text + r->start, len, ph->keybuf.p);
    uint32_t id = map_intern(ph, &ph->forms, ph->keybuf.p, len, NULL);
    if (id == NONE) return 0;
    AT(ph->forms.keys, strkey)[id].flags++;
  }
  uint32_t count = (uint32_t)ph->forms.keys.n;
  if (!vec_reserve(ph, &ph->order, sizeof(uint32_t), count)) return 0;
  uint32_t *order = ph->order.p;
  for (uint32_t id = 0; id < count; id++) {   /* an insertion sort: a part has few forms */
    uint32_t at = id;
    for (; at > 0 && bytes_before(&ph->forms, id, order[at - 1]); at--) order[at] = order[at - 1];
    order[at] = id;
  }
  ph->order.n = count;
  return 1;
}

/* The most frequent form counted; of equal counts, the shortest, then the
 * first in byte order. */
static uint32_t best_form(const lector_phrases *ph) {
  uint32_t best = NONE;
  for (uint32_t i = 0; i < ph->order.n; i++) {
    uint32_t id = AT(ph->order, uint32_t)[i];
    const strkey *k = key_at(&ph->forms, id);
    if (best == NONE || k->flags > key_at(&ph->forms, best)->flags ||
        (k->flags == key_at(&ph->forms, best)->flags && k->len < key_at(&ph->forms, best)->len))
      best = id;
  }
  return best;
}

/* Copy form id to the result's text, in *where; mark it listed. */
static int add_text(lector_phrases *ph, uint32_t id, lector_phrases_range *where) {
  const strkey *k = key_at(&ph->forms, id);
  if (!vec_reserve(ph, &ph->out_text, 1, ph->out_text.n + k->len) ||
      map_intern(ph, &ph->listed, key_text(&ph->forms, id), k->len, NULL) == NONE)
    return 0;
  memcpy(AT(ph->out_text, char) + ph->out_text.n, key_text(&ph->forms, id), k->len);
  *where = (lector_phrases_range){(uint32_t)ph->out_text.n, (uint32_t)(ph->out_text.n + k->len)};
  ph->out_text.n += k->len;
  return 1;
}

/* The forms counted that are not listed yet, as variants, in byte order. */
static int add_variants(lector_phrases *ph) {
  for (uint32_t i = 0; i < ph->order.n; i++) {
    uint32_t id = AT(ph->order, uint32_t)[i];
    if (map_has(&ph->listed, key_text(&ph->forms, id), key_at(&ph->forms, id)->len)) continue;
    lector_phrases_range *v = vec_push(ph, &ph->out_variants, sizeof *v);
    if (!v || !add_text(ph, id, v)) return 0;
  }
  return 1;
}

/* Name phrase i and list its variants. */
static int name_phrase(lector_phrases *ph, const lector_doc *doc, uint32_t i) {
  lector_phrase *p = AT(ph->out_phrases, lector_phrase) + i;
  uint32_t at = p->first_occurrence, parts = p->part_count, first_part = p->first_part;
  p->first_variant = (uint32_t)ph->out_variants.n;
  map_clear(&ph->listed);
  lector_phrases_range name;
  for (uint32_t k = 0; k < parts; k++) {
    uint32_t n = AT(ph->out_parts, uint32_t)[first_part + k];
    if (!count_forms(ph, doc, at, n)) return 0;
    if (k == 0 && !add_text(ph, best_form(ph), &name)) return 0;
    if (!add_variants(ph)) return 0;
    at += n;
  }
  p = AT(ph->out_phrases, lector_phrase) + i;
  p->name = name;
  p->variant_count = (uint32_t)ph->out_variants.n - p->first_variant;
  return 1;
}

static int make_result(lector_phrases *ph, const lector_doc *doc, lector_phrases_result *out) {
  const group *groups = ph->groups.p;
  for (uint32_t i = 0; i < ph->best.n; i++) {
    const group *g = groups + AT(ph->best, uint32_t)[i];
    lector_phrase *p = vec_push(ph, &ph->out_phrases, sizeof *p);
    if (!p) return 0;
    memset(p, 0, sizeof *p);
    p->score = g->score;
    p->count = g->count;
    p->first_occurrence = (uint32_t)ph->out_occurrences.n;
    p->first_part = (uint32_t)ph->out_parts.n;
    if (!emit(ph, doc, g)) return 0;
    for (uint32_t v = g->variants; v != NONE; v = groups[v].next_variant)
      if (!emit(ph, doc, groups + v)) return 0;
    p = AT(ph->out_phrases, lector_phrase) + i;
    p->part_count = (uint32_t)ph->out_parts.n - p->first_part;
    if (!name_phrase(ph, doc, i)) return 0;
  }
  out->phrases = ph->out_phrases.p;
  out->count = (uint32_t)ph->out_phrases.n;
  out->occurrences = ph->out_occurrences.p;
  out->parts = ph->out_parts.p;
  out->variants = ph->out_variants.p;
  out->text = ph->out_text.p;
  return 1;
}

static void reset(lector_phrases *ph) {
  map_clear(&ph->words);
  map_clear(&ph->stem_ids);
  map_clear(&ph->group_keys);
  vec *vecs[] = {&ph->info, &ph->stem_node, &ph->seq, &ph->seq_bounds, &ph->run, &ph->occs,
                 &ph->occ_words, &ph->groups, &ph->group_stems, &ph->prior, &ph->best,
                 &ph->out_phrases, &ph->out_occurrences, &ph->out_parts,
                 &ph->out_variants, &ph->out_text};
  for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++) vecs[i]->n = 0;
}

lector_status lector_phrases_extract(lector_phrases *ph, const lector_phrases_input *in,
                                     lector_phrases_result *out, lector_error *err) {
  reset(ph);
  if (++ph->call == 0) {   /* the memo's stamps would be taken for this call's */
    map_clear(&ph->tests);
    ph->call = 1;
  }
  ph->stopwords = in->stopwords;
  ph->verbs = in->verbs;
  ph->stemmer = in->stemmer;
  *out = (lector_phrases_result){NULL, 0, NULL, NULL, NULL, NULL};
  if (in->count == 0) return fail(err, LECTOR_EINVAL, "no phrases wanted");
  uint32_t n;
  if (!collect(ph, in) || !make_nodes(ph, &n)) return fail(err, LECTOR_ENOMEM, "out of memory");
  if (n == 0) return LECTOR_OK;
  lector_status status = rank_nodes(ph, n, err);
  if (status != LECTOR_OK) return status;
  if (!make_groups(ph)) return fail(err, LECTOR_ENOMEM, "out of memory");
  score_groups(ph);
  if (!merge_variants(ph) || !best_groups(ph, in->count) || !make_result(ph, in->doc, out))
    return fail(err, LECTOR_ENOMEM, "out of memory");
  return LECTOR_OK;
}
