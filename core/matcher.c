/*
 * The token matcher (matcher.h).
 *
 * Matching is dynamic programming shared by every start token. For element
 * i of a pattern and token p, reach(i, p) is the set of lengths (0..MAX
 * tokens, a bitmap) with which elements i.. can match the tokens from p
 * on. It does not depend on where the match started, so it is computed
 * once per (i, p), lazily (a test is only evaluated where an earlier
 * element led), and a match from s ends at the highest bit of reach(0, s).
 * Captures are recovered by walking forward with the end known, taking
 * the most repetitions that can still reach it (greedy).
 *
 * Lengths are capped at LECTOR_MATCH_MAX_TOKENS, so computing reach(i, p)
 * looks at most that many tokens ahead, and a sentence is processed in
 * windows of start tokens: the work is linear in tokens x elements x that
 * cap, and the scratch memory does not grow with the sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "lector_limits.h"
#include "matcher.h"

#define MAX_LEN LECTOR_MATCH_MAX_TOKENS
#define WINDOW LECTOR_MATCH_WINDOW_TOKENS
#define WORDS ((MAX_LEN + 64) / 64)            /* bits for lengths 0..MAX_LEN */
#define TOP_MASK (MAX_LEN % 64 == 63 ? ~(uint64_t)0 : ((uint64_t)1 << (MAX_LEN % 64 + 1)) - 1)
#define MAX_TESTS 8                            /* one per field */
#define SHAPE_BYTES 128                        /* as Token.shape */
#define FOLD_BYTES 256
#define LEX_UNKNOWN 0xFFFF
/* Entries of the per-test cache of call answers by token text: a call
 * into Lua costs more than the rest of a token's tests together, and the
 * same words come back all the time. */
#define CALL_CACHE 1024

/* ---- compiled patterns ---------------------------------------------------- */

/* A set of strings in one block: the interning key holds the strings,
 * offs/lens find them, table is an open-addressing hash of index + 1. */
typedef struct strset {
  uint32_t count, mask;
  const uint32_t *offs, *lens, *table;
  const char *bytes;
} strset;

typedef struct mpred {
  lector_match_field field;
  int flag;
  uint32_t kinds;
  const lector_lexicon *lex;
  uint32_t slot;           /* SPAN: cover index; LEXICON: memo index; CALL: cache index */
  strset set;
  const char *name;        /* SPAN: the layer, NUL-terminated */
  char *key;               /* the block: key, then the set's arrays */
  size_t key_len, block_size;
} mpred;

typedef struct melem {
  uint32_t min, max;
  int negate, capture;
  int32_t lexpred;
  uint32_t ntests;
  uint32_t tests[MAX_TESTS];
} melem;

typedef struct mpattern {
  melem *elems;
  uint32_t nelems, captures, base;  /* base: index of elems[0] among all elements */
} mpattern;

struct lector_matcher {
  lector_matcher_alloc alloc;
  void *ud;
  mpred *preds;
  uint32_t npreds, pred_cap;
  mpattern *patterns;
  uint32_t npatterns, pattern_cap;
  uint32_t nelems, nspans, nlex, ncalls;
  size_t bytes;
  melem pending[LECTOR_MATCH_MAX_ELEMENTS];
  uint32_t npending;
};

static void *mx_realloc(lector_matcher *m, void *p, size_t osize, size_t nsize) {
  void *q;
  if (m->alloc) q = m->alloc(m->ud, p, osize, nsize);
  else if (nsize) q = realloc(p, nsize);
  else {
    free(p);
    q = NULL;
  }
  if (q || nsize == 0) m->bytes = m->bytes - osize + nsize;
  return q;
}

static void mx_free(lector_matcher *m, void *p, size_t size) {
  if (p) mx_realloc(m, p, size, 0);
}

lector_matcher *lector_matcher_new(lector_matcher_alloc alloc, void *ud) {
  lector_matcher *m = alloc ? alloc(ud, NULL, 0, sizeof *m) : malloc(sizeof *m);
  if (!m) return NULL;
  memset(m, 0, sizeof *m);
  m->alloc = alloc;
  m->ud = ud;
  m->bytes = sizeof *m;
  return m;
}

void lector_matcher_free(lector_matcher *m) {
  if (!m) return;
  for (uint32_t i = 0; i < m->npreds; i++) mx_free(m, m->preds[i].key, m->preds[i].block_size);
  mx_free(m, m->preds, m->pred_cap * sizeof *m->preds);
  for (uint32_t i = 0; i < m->npatterns; i++)
    mx_free(m, m->patterns[i].elems, m->patterns[i].nelems * sizeof(melem));
  mx_free(m, m->patterns, m->pattern_cap * sizeof *m->patterns);
  if (m->alloc) m->alloc(m->ud, m, sizeof *m, 0);
  else free(m);
}

uint32_t lector_matcher_patterns(const lector_matcher *m) {
  return m->npatterns;
}

size_t lector_matcher_bytes(const lector_matcher *m) {
  return m->bytes;
}

void lector_matcher_begin(lector_matcher *m) {
  m->npending = 0;
}

lector_status lector_matcher_element(lector_matcher *m, uint32_t min, uint32_t max, int negate,
                                     int capture) {
  if (m->npending >= LECTOR_MATCH_MAX_ELEMENTS || min > max || max == 0) return LECTOR_EINVAL;
  melem *el = &m->pending[m->npending++];
  memset(el, 0, sizeof *el);
  el->min = min;
  el->max = max;
  el->negate = negate != 0;
  el->capture = capture;
  el->lexpred = -1;
  return LECTOR_OK;
}

/* ---- interning a test ------------------------------------------------------- */

static uint32_t hash_bytes(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static int set_has_hashed(const strset *set, const char *s, size_t n, uint32_t hash) {
  uint32_t i = hash & set->mask;
  for (uint32_t slot; (slot = set->table[i]) != 0; i = (i + 1) & set->mask) {
    uint32_t k = slot - 1;
    if (set->lens[k] == n && memcmp(set->bytes + set->offs[k], s, n) == 0) return 1;
  }
  return 0;
}

static int set_has(const strset *set, const char *s, size_t n) {
  return set_has_hashed(set, s, n, hash_bytes(s, n));
}

typedef struct piece {
  const char *s;
  size_t len;
} piece;

static int piece_cmp(const void *a, const void *b) {
  const piece *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->s, y->s, n);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The test's strings, folded when the field compares folded text, sorted
 * and without repeats, so the same set always makes the same key. The
 * folded copies are malloc'd and listed in *owned. */
static lector_status sorted_strings(const lector_match_test *t, piece **out, size_t *count,
                                    char ***owned) {
  *out = NULL;
  *owned = NULL;
  *count = 0;
  if (t->count == 0) return LECTOR_OK;
  piece *p = malloc(t->count * sizeof *p);
  char **folded = t->field == LECTOR_MATCH_LOWER ? calloc(t->count, sizeof *folded) : NULL;
  if (!p || (t->field == LECTOR_MATCH_LOWER && !folded)) {
    free(p);
    free(folded);
    return LECTOR_ENOMEM;
  }
  *out = p;
  *owned = folded;
  for (size_t i = 0; i < t->count; i++) {
    p[i].s = t->strings[i];
    p[i].len = t->lens[i];
    if (!folded) continue;
    folded[i] = lector_token_fold(t->strings[i], t->lens[i], &p[i].len);
    if (!folded[i]) return LECTOR_ENOMEM;
    p[i].s = folded[i];
  }
  qsort(p, t->count, sizeof *p, piece_cmp);
  size_t n = 1;
  for (size_t i = 1; i < t->count; i++)
    if (piece_cmp(&p[i], &p[n - 1]) != 0) p[n++] = p[i];
  *count = n;
  return LECTOR_OK;
}

static void put(char **w, const void *data, size_t n) {
  memcpy(*w, data, n);
  *w += n;
}

static void put_u32(char **w, size_t v) {
  uint32_t u = (uint32_t)v;
  put(w, &u, sizeof u);
}

/* Lay out the key (every parameter of the test, so equal keys are equal
 * tests) and the set's arrays in block; returns the key's length. */
static size_t build_block(const lector_match_test *t, const piece *p, size_t n, char *block,
                          mpred *pr) {
  char *w = block;
  put(&w, &t->field, sizeof t->field);
  put(&w, &t->flag, sizeof t->flag);
  put(&w, &t->kinds, sizeof t->kinds);
  put(&w, &t->lexicon, sizeof t->lexicon);
  put_u32(&w, t->name_len);
  pr->name = w;
  if (t->name_len) put(&w, t->name, t->name_len);
  *w++ = '\0';
  put_u32(&w, n);
  size_t key_len = (size_t)(w - block) + n * sizeof(uint32_t);
  for (size_t i = 0; i < n; i++) key_len += p[i].len;
  uint32_t *offs = (uint32_t *)(void *)(block + ((key_len + 7) & ~(size_t)7));
  uint32_t *lens = offs + n, *table = lens + n;
  uint32_t cap = 2;
  while (cap < 2 * n) cap *= 2;
  memset(table, 0, cap * sizeof *table);
  for (size_t i = 0; i < n; i++) {
    put_u32(&w, p[i].len);
    offs[i] = (uint32_t)(w - block);
    lens[i] = (uint32_t)p[i].len;
    put(&w, p[i].s, p[i].len);
    uint32_t h = hash_bytes(p[i].s, p[i].len) & (cap - 1);
    while (table[h]) h = (h + 1) & (cap - 1);
    table[h] = (uint32_t)i + 1;
  }
  pr->set = (strset){(uint32_t)n, cap - 1, offs, lens, table, block};
  return key_len;
}

static size_t block_bytes(const lector_match_test *t, const piece *p, size_t n) {
  size_t key = sizeof t->field + sizeof t->flag + sizeof t->kinds + sizeof t->lexicon +
               2 * sizeof(uint32_t) + t->name_len + 1 + n * sizeof(uint32_t);
  for (size_t i = 0; i < n; i++) key += p[i].len;
  size_t cap = 2;
  while (cap < 2 * n) cap *= 2;
  return ((key + 7) & ~(size_t)7) + (2 * n + cap) * sizeof(uint32_t);
}

/* The id of an interned predicate equal to the test, adding it if new. */
static lector_status intern(lector_matcher *m, const lector_match_test *t, const piece *p,
                            size_t n, uint32_t *id) {
  size_t size = block_bytes(t, p, n);
  char *block = mx_realloc(m, NULL, 0, size);
  if (!block) return LECTOR_ENOMEM;
  mpred pr = {.field = t->field, .flag = t->flag != 0, .kinds = t->kinds, .lex = t->lexicon,
              .key = block, .block_size = size};
  pr.key_len = build_block(t, p, n, block, &pr);
  for (uint32_t i = 0; i < m->npreds; i++) {
    if (m->preds[i].key_len == pr.key_len && memcmp(m->preds[i].key, block, pr.key_len) == 0) {
      mx_free(m, block, size);
      *id = i;
      return LECTOR_OK;
    }
  }
  if (m->npreds == m->pred_cap) {
    uint32_t cap = m->pred_cap ? 2 * m->pred_cap : 16;
    mpred *grown = mx_realloc(m, m->preds, m->pred_cap * sizeof *grown, cap * sizeof *grown);
    if (!grown) {
      mx_free(m, block, size);
      return LECTOR_ENOMEM;
    }
    m->preds = grown;
    m->pred_cap = cap;
  }
  if (pr.field == LECTOR_MATCH_SPAN) pr.slot = m->nspans++;
  if (pr.field == LECTOR_MATCH_LEXICON) pr.slot = m->nlex++;
  if (pr.field == LECTOR_MATCH_CALL) pr.slot = m->ncalls++;
  *id = m->npreds;
  m->preds[m->npreds++] = pr;
  return LECTOR_OK;
}

lector_status lector_matcher_test(lector_matcher *m, const lector_match_test *test,
                                  uint32_t *pred) {
  if (m->npending == 0) return LECTOR_EINVAL;
  melem *el = &m->pending[m->npending - 1];
  int lexicon = test->field == LECTOR_MATCH_LEXICON;
  if (lexicon ? (el->lexpred >= 0 || el->negate || !test->lexicon) : el->ntests >= MAX_TESTS)
    return LECTOR_EINVAL;
  piece *p;
  char **owned;
  size_t n;
  lector_status status = sorted_strings(test, &p, &n, &owned);
  uint32_t id = 0;
  if (status == LECTOR_OK) status = intern(m, test, p, n, &id);
  for (size_t i = 0; owned && i < test->count; i++) free(owned[i]);
  free(owned);
  free(p);
  if (status != LECTOR_OK) return status;
  if (lexicon) el->lexpred = (int32_t)id;
  else el->tests[el->ntests++] = id;
  if (pred) *pred = id;
  return LECTOR_OK;
}

/* Cheap tests first; a call into Lua only when everything else held. */
static int field_cost(lector_match_field f) {
  switch (f) {
  case LECTOR_MATCH_KIND: case LECTOR_MATCH_STARTS: return 0;
  case LECTOR_MATCH_TEXT: case LECTOR_MATCH_SPAN: return 1;
  case LECTOR_MATCH_SHAPE: case LECTOR_MATCH_LOWER: return 2;
  default: return 3;
  }
}

static void order_tests(const lector_matcher *m, melem *el) {
  for (uint32_t i = 1; i < el->ntests; i++) {
    uint32_t id = el->tests[i], j = i;
    int cost = field_cost(m->preds[id].field);
    for (; j > 0 && field_cost(m->preds[el->tests[j - 1]].field) > cost; j--)
      el->tests[j] = el->tests[j - 1];
    el->tests[j] = id;
  }
}

lector_status lector_matcher_commit(lector_matcher *m, uint32_t captures, uint32_t *pattern) {
  if (m->npending == 0) return LECTOR_EINVAL;
  for (uint32_t i = 0; i < m->npending; i++) {
    const melem *el = &m->pending[i];
    if (el->capture >= (int)captures || (el->negate && el->ntests == 0)) return LECTOR_EINVAL;
  }
  if (m->npatterns == m->pattern_cap) {
    uint32_t cap = m->pattern_cap ? 2 * m->pattern_cap : 16;
    mpattern *grown = mx_realloc(m, m->patterns, m->pattern_cap * sizeof *grown,
                                 cap * sizeof *grown);
    if (!grown) return LECTOR_ENOMEM;
    m->patterns = grown;
    m->pattern_cap = cap;
  }
  melem *elems = mx_realloc(m, NULL, 0, m->npending * sizeof *elems);
  if (!elems) return LECTOR_ENOMEM;
  memcpy(elems, m->pending, m->npending * sizeof *elems);
  for (uint32_t i = 0; i < m->npending; i++) order_tests(m, &elems[i]);
  m->patterns[m->npatterns] = (mpattern){elems, m->npending, captures, m->nelems};
  m->nelems += m->npending;
  m->npending = 0;
  if (pattern) *pattern = m->npatterns;
  m->npatterns++;
  return LECTOR_OK;
}

/* ---- running ------------------------------------------------------------------ */

/* A call's answer for the text of the token at start (len bytes). */
typedef struct call_entry {
  uint32_t start, len;   /* len 0: empty */
  int answer;
} call_entry;

struct lector_match_run {
  const lector_matcher *m;
  const lector_doc *doc;
  lector_match_call call;
  void *ud;
  int all;
  uint32_t npatterns, E, P, nlex;     /* what the matcher held when the run began */
  uint32_t sent, sent_end;            /* next sentence, end of the range */
  uint32_t s_first, s_end, s;         /* the current sentence's tokens, next start */
  uint32_t pat_cursor;                /* all = true: next pattern at start s */
  int in_sentence, window;
  uint32_t ws, limit, npos_max;       /* window: first start, token limit */
  uint32_t cover_first;               /* token of the cover bitmaps' bit 0 */
  size_t cover_words;
  /* One-token caches of the forms sets are looked up by, and their
   * hashes, since every pattern tends to ask about the same token in turn
   * (UINT32_MAX: none). */
  uint32_t text_token, fold_token, shape_token;
  uint32_t text_hash, fold_hash, shape_hash;
  size_t fold_len, shape_len;
  char fold[FOLD_BYTES], shape[SHAPE_BYTES];
  uint64_t *bits;                     /* [pos][element][WORDS] */
  uint8_t *known;                     /* [pos][element] */
  uint8_t *pmemo;                     /* [pos][pred]: 0 unknown, 1 false, 2 true */
  uint16_t *lexlen;                   /* [pos][lexicon test]: LEX_UNKNOWN or a length */
  uint64_t *cover;                    /* [span test][token bit] */
  call_entry *calls;                  /* [call test][CALL_CACHE] */
  uint32_t *qs;                       /* MAX_LEN + 2 positions */
  uint32_t cap_first[LECTOR_MATCH_MAX_ELEMENTS], cap_end[LECTOR_MATCH_MAX_ELEMENTS];
};

static size_t align8(size_t n) {
  return (n + 7) & ~(size_t)7;
}

typedef struct run_layout {
  size_t npos, cover_words, bits, known, pmemo, lexlen, cover, calls, order, qs, total;
} run_layout;

static void layout(const lector_matcher *m, const lector_doc *doc, uint32_t first, uint32_t end,
                   run_layout *l) {
  uint32_t longest = 0, tokens = 0;
  if (end > doc->seg.sentence_count) end = (uint32_t)doc->seg.sentence_count;
  for (uint32_t i = first; i < end; i++) {
    uint32_t n = doc->seg.sentences[i].token_count;
    if (n > longest) longest = n;
  }
  if (first < end) {   /* the tokens from the first sentence's to the last's end */
    const lector_sentence *a = &doc->seg.sentences[first], *b = &doc->seg.sentences[end - 1];
    tokens = b->first_token + b->token_count - a->first_token;
  }
  l->npos = (longest < WINDOW + MAX_LEN ? longest : WINDOW + MAX_LEN) + 1;
  l->cover_words = ((size_t)tokens + 63) / 64;
  size_t E = m->nelems;
  l->bits = align8(sizeof(struct lector_match_run));
  l->known = l->bits + align8(l->npos * E * WORDS * sizeof(uint64_t));
  l->pmemo = l->known + align8(l->npos * E);
  l->lexlen = l->pmemo + align8(l->npos * m->npreds);
  l->cover = l->lexlen + align8(l->npos * m->nlex * sizeof(uint16_t));
  l->calls = l->cover + align8(m->nspans * l->cover_words * sizeof(uint64_t));
  l->order = l->calls + align8((size_t)m->ncalls * CALL_CACHE * sizeof(call_entry));
  l->qs = l->order + (m->nspans ? align8(doc->span_count * sizeof(uint32_t)) : 0);
  l->total = l->qs + align8((MAX_LEN + 2) * sizeof(uint32_t));
}

size_t lector_matcher_run_bytes(const lector_matcher *m, const lector_doc *doc, uint32_t first,
                                uint32_t end) {
  run_layout l;
  layout(m, doc, first, end, &l);
  return l.total;
}

static int label_in(const strset *set, const char *label) {
  if (set->count == 0) return 1;
  return label && set_has(set, label, strlen(label));
}

/* Mark the tokens of [cover_first, ...) that lie inside a span of the
 * test's layer (with one of its labels): sweeping spans by start, a token
 * is covered when the furthest stop among spans starting at or before it
 * reaches its end. */
static void build_cover(lector_match_run *run, const mpred *pr, uint32_t *order,
                        uint32_t tokens) {
  const lector_doc *doc = run->doc;
  uint64_t *bits = run->cover + pr->slot * run->cover_words;
  memset(bits, 0, run->cover_words * sizeof *bits);
  int layer = -1;
  for (size_t i = 0; i < doc->layer_count; i++)
    if (strcmp(doc->layers[i], pr->name) == 0) layer = (int)i;
  if (layer < 0) return;
  size_t n = lector_doc_span_order(doc, layer, order), j = 0;
  uint32_t reach = 0;
  for (uint32_t k = 0; k < tokens; k++) {
    const lector_token *t = &doc->seg.tokens[run->cover_first + k];
    for (; j < n && doc->spans[order[j]].start <= t->start; j++) {
      const lector_span *sp = &doc->spans[order[j]];
      if (sp->stop > reach && label_in(&pr->set, sp->label)) reach = sp->stop;
    }
    if (reach >= t->stop) bits[k / 64] |= (uint64_t)1 << (k % 64);
  }
}

lector_match_run *lector_matcher_run_init(void *mem, const lector_matcher *m,
                                          const lector_doc *doc, uint32_t first, uint32_t end,
                                          int all, lector_match_call call, void *ud) {
  run_layout l;
  layout(m, doc, first, end, &l);
  char *base = mem;
  lector_match_run *run = mem;
  memset(run, 0, sizeof *run);
  *run = (lector_match_run){.m = m, .doc = doc, .call = call, .ud = ud, .all = all != 0,
    .npatterns = m->npatterns, .E = m->nelems, .P = m->npreds, .nlex = m->nlex,
    .sent = first, .sent_end = end < doc->seg.sentence_count ? end : (uint32_t)doc->seg.sentence_count,
    .npos_max = (uint32_t)l.npos, .cover_words = l.cover_words,
    .text_token = UINT32_MAX, .fold_token = UINT32_MAX, .shape_token = UINT32_MAX,
    .bits = (uint64_t *)(void *)(base + l.bits), .known = (uint8_t *)(base + l.known),
    .pmemo = (uint8_t *)(base + l.pmemo), .lexlen = (uint16_t *)(void *)(base + l.lexlen),
    .cover = (uint64_t *)(void *)(base + l.cover),
    .calls = (call_entry *)(void *)(base + l.calls), .qs = (uint32_t *)(void *)(base + l.qs)};
  memset(run->calls, 0, (size_t)m->ncalls * CALL_CACHE * sizeof(call_entry));
  if (run->sent < run->sent_end) {
    const lector_sentence *a = &doc->seg.sentences[run->sent];
    const lector_sentence *b = &doc->seg.sentences[run->sent_end - 1];
    run->cover_first = a->first_token;
    uint32_t tokens = b->first_token + b->token_count - a->first_token;
    for (uint32_t i = 0; i < m->npreds; i++)
      if (m->preds[i].field == LECTOR_MATCH_SPAN)
        build_cover(run, &m->preds[i], (uint32_t *)(void *)(base + l.order), tokens);
  }
  return run;
}

static void start_window(lector_match_run *run, uint32_t ws) {
  run->ws = ws;
  run->limit = ws + WINDOW + MAX_LEN < run->s_end ? ws + WINDOW + MAX_LEN : run->s_end;
  size_t npos = run->limit - ws + 1;
  memset(run->known, 0, npos * run->E);
  memset(run->pmemo, 0, npos * run->P);
  memset(run->lexlen, 0xFF, npos * run->nlex * sizeof *run->lexlen);
  run->window = 1;
}

static int fold_has(lector_match_run *run, const strset *set, uint32_t q) {
  if (run->fold_token != q) {
    const lector_token *t = &run->doc->seg.tokens[q];
    const char *s = run->doc->text + t->start;
    size_t len = t->stop - t->start, i = 0;
    while (i < len && i < FOLD_BYTES && (unsigned char)s[i] < 0x80) {
      unsigned char c = (unsigned char)s[i];
      run->fold[i++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    if (i < len) {
      size_t n = 0;
      char *folded = lector_token_fold(s, len, &n);
      if (!folded) return 0;
      if (n > FOLD_BYTES) {   /* too long to keep: answer this one directly */
        int found = set_has(set, folded, n);
        free(folded);
        return found;
      }
      memcpy(run->fold, folded, n);
      free(folded);
      i = n;
    }
    run->fold_len = i;
    run->fold_hash = hash_bytes(run->fold, i);
    run->fold_token = q;
  }
  return set_has_hashed(set, run->fold, run->fold_len, run->fold_hash);
}

static int shape_has(lector_match_run *run, const strset *set, uint32_t q) {
  if (run->shape_token != q) {
    const lector_token *t = &run->doc->seg.tokens[q];
    run->shape_len = lector_token_shape(run->doc->text + t->start, t->stop - t->start,
                                        run->shape, sizeof run->shape);
    run->shape_hash = hash_bytes(run->shape, run->shape_len);
    run->shape_token = q;
  }
  return set_has_hashed(set, run->shape, run->shape_len, run->shape_hash);
}

static int text_has(lector_match_run *run, const strset *set, uint32_t q) {
  const lector_token *t = &run->doc->seg.tokens[q];
  const char *s = run->doc->text + t->start;
  if (run->text_token != q) {
    run->text_hash = hash_bytes(s, t->stop - t->start);
    run->text_token = q;
  }
  return set_has_hashed(set, s, t->stop - t->start, run->text_hash);
}

/* The callback's answer for token q, from the cache when a token with
 * the same text was asked about before. */
static int call_cached(lector_match_run *run, uint32_t id, const mpred *pr, uint32_t q) {
  if (!run->call) return 0;
  const lector_token *t = &run->doc->seg.tokens[q];
  const char *s = run->doc->text + t->start;
  uint32_t len = t->stop - t->start;
  if (run->text_token != q) {
    run->text_hash = hash_bytes(s, len);
    run->text_token = q;
  }
  call_entry *e = &run->calls[(size_t)pr->slot * CALL_CACHE + (run->text_hash & (CALL_CACHE - 1))];
  if (e->len == len && memcmp(run->doc->text + e->start, s, len) == 0) return e->answer;
  int answer = run->call(run->ud, id, q) != 0;
  *e = (call_entry){t->start, len, answer};
  return answer;
}

static int compute(lector_match_run *run, uint32_t id, const mpred *pr, uint32_t q) {
  switch (pr->field) {
  case LECTOR_MATCH_TEXT: return text_has(run, &pr->set, q);
  case LECTOR_MATCH_LOWER: return fold_has(run, &pr->set, q);
  case LECTOR_MATCH_SHAPE: return shape_has(run, &pr->set, q);
  case LECTOR_MATCH_SPAN: {
    uint32_t k = q - run->cover_first;
    return (int)((run->cover[pr->slot * run->cover_words + k / 64] >> (k % 64)) & 1);
  }
  case LECTOR_MATCH_CALL: return call_cached(run, id, pr, q);
  default: return 0;
  }
}

static int eval(lector_match_run *run, uint32_t id, uint32_t q) {
  const mpred *pr = &run->m->preds[id];
  if (pr->field == LECTOR_MATCH_KIND) return (int)((pr->kinds >> run->doc->seg.tokens[q].kind) & 1);
  if (pr->field == LECTOR_MATCH_STARTS) return (q == run->s_first) == pr->flag;
  uint8_t *memo = &run->pmemo[(size_t)(q - run->ws) * run->P + id];
  if (!*memo) *memo = (uint8_t)(1 + compute(run, id, pr, q));
  return *memo - 1;
}

static int tests_hold(lector_match_run *run, const melem *el, uint32_t q) {
  for (uint32_t i = 0; i < el->ntests; i++)
    if (!eval(run, el->tests[i], q)) return 0;
  return 1;
}

/* The longest phrase of the lexicon test at q that ends before `end`, has
 * one of the test's labels and whose tokens all pass el's other tests
 * (el NULL: no other tests). */
static uint32_t lex_search(lector_match_run *run, const mpred *pr, const melem *el, uint32_t q,
                           uint32_t end) {
  while (end > q) {
    const lector_lexicon_entry *e = NULL;
    uint32_t n = lector_lexicon_longest(pr->lex, run->doc, q, end, &e);
    if (n == 0) return 0;
    int labelled = pr->set.count == 0;
    for (; e && !labelled; e = e->next) labelled = label_in(&pr->set, e->label);
    int ok = labelled && (!el || q + n <= run->limit);
    for (uint32_t k = 0; ok && el && k < n; k++) ok = tests_hold(run, el, q + k);
    if (ok) return n;
    end = q + n - 1;
  }
  return 0;
}

static uint32_t lex_unit(lector_match_run *run, const melem *el, uint32_t q) {
  const mpred *pr = &run->m->preds[el->lexpred];
  uint16_t *memo = &run->lexlen[(size_t)(q - run->ws) * run->nlex + pr->slot];
  if (*memo == LEX_UNKNOWN) {
    uint32_t n = lex_search(run, pr, NULL, q, run->s_end);
    *memo = (uint16_t)(n > MAX_LEN ? MAX_LEN + 1 : n);
  }
  uint32_t n = *memo;
  /* A phrase past the window's limit is past every match's length cap. */
  if (n == 0 || q + n > run->limit) return 0;
  if (el->ntests == 0) return n;
  for (uint32_t k = 0; k < n; k++)
    if (!tests_hold(run, el, q + k)) return lex_search(run, pr, el, q, q + n - 1);
  return n;
}

/* Tokens one repetition of el consumes at q: 0 when it does not match. */
static uint32_t unit(lector_match_run *run, const melem *el, uint32_t q) {
  if (q >= run->limit) return 0;
  if (el->lexpred >= 0) return lex_unit(run, el, q);
  return (uint32_t)(tests_hold(run, el, q) != el->negate);
}

static void or_shifted(uint64_t *dst, const uint64_t *src, uint32_t shift) {
  uint32_t ws = shift / 64, bs = shift % 64;
  for (int w = WORDS - 1; w >= (int)ws; w--) {
    uint64_t v = src[w - (int)ws] << bs;
    if (bs && w - (int)ws - 1 >= 0) v |= src[w - (int)ws - 1] >> (64 - bs);
    dst[w] |= v;
  }
  dst[WORDS - 1] &= TOP_MASK;
}

static int has_bit(const uint64_t *r, uint32_t k) {
  return (int)((r[k / 64] >> (k % 64)) & 1);
}

static const uint64_t EMPTY_MATCH[WORDS] = {1};

static const uint64_t *reach(lector_match_run *run, const mpattern *pat, uint32_t i, uint32_t p);

static void reach_compute(lector_match_run *run, const mpattern *pat, uint32_t i, uint32_t p,
                          uint64_t *out) {
  const melem *el = &pat->elems[i];
  memset(out, 0, WORDS * sizeof *out);
  uint32_t q = p;
  for (uint32_t k = 0;; k++) {
    if (k >= el->min) or_shifted(out, reach(run, pat, i + 1, q), q - p);
    if (k == el->max) break;
    uint32_t u = unit(run, el, q);
    if (u == 0 || q + u - p > MAX_LEN) break;
    q += u;
  }
}

static const uint64_t *reach(lector_match_run *run, const mpattern *pat, uint32_t i, uint32_t p) {
  if (i == pat->nelems) return EMPTY_MATCH;
  size_t idx = (size_t)(p - run->ws) * run->E + pat->base + i;
  uint64_t *r = &run->bits[idx * WORDS];
  if (!run->known[idx]) {
    uint64_t tmp[WORDS];
    reach_compute(run, pat, i, p, tmp);
    memcpy(r, tmp, sizeof tmp);
    run->known[idx] = 1;
  }
  return r;
}

static uint32_t top_bit(const uint64_t *r) {
  for (int w = WORDS - 1; w >= 0; w--) {
    if (!r[w]) continue;
    uint32_t b = 63;
    while (!((r[w] >> b) & 1)) b--;
    return (uint32_t)w * 64 + b;
  }
  return 0;
}

/* Length of pattern's longest match at s (0: none). Element 0 is asked
 * once per start, so its answer is not kept. */
static uint32_t longest(lector_match_run *run, uint32_t pattern, uint32_t s) {
  const mpattern *pat = &run->m->patterns[pattern];
  uint64_t r[WORDS];
  reach_compute(run, pat, 0, s, r);
  return top_bit(r);
}

/* Walk the match [s, e) forward, giving each element the most
 * repetitions that still let the rest reach e, and note the captures. */
static void recover(lector_match_run *run, uint32_t pattern, uint32_t s, uint32_t e,
                    lector_match_hit *hit) {
  const mpattern *pat = &run->m->patterns[pattern];
  memset(run->cap_first, 0, pat->captures * sizeof *run->cap_first);
  memset(run->cap_end, 0, pat->captures * sizeof *run->cap_end);
  uint32_t p = s;
  for (uint32_t i = 0; i < pat->nelems; i++) {
    const melem *el = &pat->elems[i];
    uint32_t nq = 0, q = p;
    run->qs[nq++] = p;
    for (uint32_t k = 0; k < el->max; k++) {
      uint32_t u = unit(run, el, q);
      if (u == 0 || q + u > e) break;
      q += u;
      run->qs[nq++] = q;
    }
    uint32_t k = nq - 1;
    while (k > el->min && !has_bit(reach(run, pat, i + 1, run->qs[k]), e - run->qs[k])) k--;
    q = run->qs[k];
    if (el->capture >= 0 && q > p) {
      uint32_t c = (uint32_t)el->capture;
      if (run->cap_first[c] == run->cap_end[c]) run->cap_first[c] = p;
      run->cap_end[c] = q;
    }
    p = q;
  }
  *hit = (lector_match_hit){pattern, s, e, pat->captures, run->cap_first, run->cap_end};
}

int lector_matcher_next(lector_match_run *run, lector_match_hit *hit) {
  const lector_doc *doc = run->doc;
  for (;;) {
    if (!run->in_sentence) {
      if (run->sent >= run->sent_end) return 0;
      const lector_sentence *sen = &doc->seg.sentences[run->sent];
      run->s_first = run->s = sen->first_token;
      run->s_end = sen->first_token + sen->token_count;
      run->pat_cursor = 0;
      run->window = 0;
      run->in_sentence = 1;
    }
    uint32_t s = run->s;
    if (s >= run->s_end) {
      run->sent++;
      run->in_sentence = 0;
      continue;
    }
    if (!run->window || s >= run->ws + WINDOW) start_window(run, s);
    if (run->all) {
      while (run->pat_cursor < run->npatterns) {
        uint32_t pattern = run->pat_cursor++;
        uint32_t n = longest(run, pattern, s);
        if (n == 0) continue;
        recover(run, pattern, s, s + n, hit);
        return 1;
      }
      run->pat_cursor = 0;
      run->s = s + 1;
      continue;
    }
    uint32_t best = 0, best_pattern = 0;
    for (uint32_t pattern = 0; pattern < run->npatterns; pattern++) {
      uint32_t n = longest(run, pattern, s);
      if (n > best) {
        best = n;
        best_pattern = pattern;
      }
    }
    if (best == 0) {
      run->s = s + 1;
      continue;
    }
    recover(run, best_pattern, s, s + best, hit);
    run->s = s + best;
    return 1;
  }
}
