/*
 * The tone of the clauses about each entity (see valence_targets.h). The
 * bundled sentiment pass reports it per entity; the rules are in
 * docs/sentiment.md.
 */
#include "valence_targets.h"

#include <stdlib.h>
#include <string.h>

enum { NO_ENTRY = UINT32_MAX };

static size_t seen_capacity(size_t n) {
  size_t cap = 4;
  while (cap < 2 * n) cap *= 2;
  return cap;
}

size_t lector_targets_bytes(size_t n) {
  size_t cap = seen_capacity(n);
  return cap * sizeof(uint64_t) + n * sizeof(lector_target_row) + cap * sizeof(uint32_t)
         + 3 * n * sizeof(uint32_t);
}

void lector_targets_init(lector_targets *t, const uint32_t *start, const uint32_t *key, size_t n,
                         void *memory) {
  size_t cap = seen_capacity(n);
  char *p = memory;
  *t = (lector_targets){.start = start, .key = key, .n = n, .seen_mask = cap - 1};
  t->seen = (uint64_t *)p;                 /* the widest first: everything stays aligned */
  p += cap * sizeof(uint64_t);
  t->rows = (lector_target_row *)p;
  p += n * sizeof(lector_target_row);
  t->seen_stamp = (uint32_t *)p;
  memset(t->seen_stamp, 0, cap * sizeof(uint32_t));
  p += cap * sizeof(uint32_t);
  t->row_of_key = (uint32_t *)p;
  memset(t->row_of_key, 0, n * sizeof(uint32_t));
  p += n * sizeof(uint32_t);
  t->entry_sentence = (uint32_t *)p;
  t->entry_next = t->entry_sentence + n;
}

int lector_targets_in_sentence(lector_targets *t, uint32_t sstart, uint32_t sstop) {
  while (t->next < t->n && t->start[t->next] < sstart) t->next++;
  return t->next < t->n && t->start[t->next] < sstop;
}

/* An en or em dash (U+2013, U+2014) at p, with end after it. */
static int dash_at(const char *p, const char *end) {
  return end - p >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80
         && ((unsigned char)p[2] == 0x93 || (unsigned char)p[2] == 0x94);
}

static int clause_mark(char c) {
  return c == ',' || c == ';' || c == ':' || c == '(' || c == ')';
}

size_t lector_targets_clause_count(const char *text, uint32_t sstart, uint32_t sstop,
                                   size_t ncuts) {
  size_t n = 1 + ncuts;
  const char *end = text + sstop;
  for (const char *p = text + sstart; p < end; p++) {
    if (clause_mark(*p)) n++;
    else if (dash_at(p, end)) {
      n++;
      p += 2;
    }
  }
  return n;
}

static int by_offset(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Where clauses start: the sentence's start, after each mark and dash, at
 * each cut. Returns how many (sorted). */
static size_t clause_starts(const char *text, uint32_t sstart, uint32_t sstop,
                            const uint32_t *cuts, size_t ncuts, uint32_t *starts) {
  size_t n = 0;
  starts[n++] = sstart;
  const char *end = text + sstop;
  for (const char *p = text + sstart; p < end; p++)
    if (clause_mark(*p)) starts[n++] = (uint32_t)(p - text) + 1;
  int unsorted = 0;
  for (const char *p = text + sstart; p < end; p++) {
    if (!dash_at(p, end)) continue;
    starts[n++] = (uint32_t)(p - text) + 3;
    p += 2;
    unsorted = 1;
  }
  for (size_t i = 0; i < ncuts; i++) starts[n++] = cuts[i];
  if (unsorted || ncuts > 0) qsort(starts, n, sizeof *starts, by_offset);
  return n;
}

/* The clause (from 0) at offset at: the last start not after it. */
static size_t clause_of(const uint32_t *starts, size_t n, uint32_t at) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    size_t mid = (lo + hi + 1) / 2;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/* Whether (row, clause) is met for the first time in this sentence. */
static int first_in_clause(lector_targets *t, uint32_t row, size_t clause) {
  uint64_t pair = ((uint64_t)row << 32) | (uint64_t)clause;
  size_t i = (size_t)((pair * 0x9E3779B97F4A7C15ull) >> 17) & t->seen_mask;
  while (t->seen_stamp[i] == t->stamp) {
    if (t->seen[i] == pair) return 0;
    i = (i + 1) & t->seen_mask;
  }
  t->seen_stamp[i] = t->stamp;
  t->seen[i] = pair;
  return 1;
}

static lector_target_row *row_of(lector_targets *t, size_t mention) {
  uint32_t key = t->key[mention];
  if (t->row_of_key[key]) return &t->rows[t->row_of_key[key] - 1];
  lector_target_row *row = &t->rows[t->nrows++];
  *row = (lector_target_row){.mention = (uint32_t)mention, .created = (uint32_t)(t->nrows - 1),
                             .first_entry = NO_ENTRY, .last_entry = NO_ENTRY};
  t->row_of_key[key] = (uint32_t)t->nrows;
  return row;
}

static void add_sentence_to_row(lector_targets *t, lector_target_row *row, uint32_t sentence) {
  if (row->last_entry != NO_ENTRY && t->entry_sentence[row->last_entry] == sentence) return;
  uint32_t e = (uint32_t)t->nentries++;
  t->entry_sentence[e] = sentence;
  t->entry_next[e] = NO_ENTRY;
  if (row->last_entry == NO_ENTRY) row->first_entry = e;
  else t->entry_next[row->last_entry] = e;
  row->last_entry = e;
  row->nsentences++;
}

static void count_clause(lector_targets *t, const lector_valence_config *cfg,
                         lector_target_row *row, double clause_sum, uint32_t sentence) {
  double compound = lector_valence_compound(cfg, (lector_vnum){clause_sum, 0}).v;
  double neutral = cfg->k[LECTOR_VK_NEUTRAL].v;
  row->clauses++;
  row->sum += compound;
  if (compound >= neutral) row->positive++;
  else if (compound <= -neutral) row->negative++;
  else row->neutral++;
  add_sentence_to_row(t, row, sentence);
}

void lector_targets_add_sentence(lector_targets *t, const lector_valence_config *cfg,
                                 const char *text, uint32_t sstart, uint32_t sstop,
                                 uint32_t sentence, const uint32_t *cuts, size_t ncuts,
                                 const lector_target_item *items, size_t nitems, uint32_t *starts,
                                 double *sums) {
  if (!lector_targets_in_sentence(t, sstart, sstop)) return;
  size_t nclauses = clause_starts(text, sstart, sstop, cuts, ncuts, starts);
  for (size_t c = 0; c < nclauses; c++) sums[c] = 0;
  for (size_t i = 0; i < nitems; i++) sums[clause_of(starts, nclauses, items[i].at)] += items[i].value.v;
  if (++t->stamp == 0) {            /* wrapped: forget every stamp */
    memset(t->seen_stamp, 0, (t->seen_mask + 1) * sizeof *t->seen_stamp);
    t->stamp = 1;
  }
  for (; t->next < t->n && t->start[t->next] < sstop; t->next++) {
    lector_target_row *row = row_of(t, t->next);
    row->mentions++;
    size_t c = clause_of(starts, nclauses, t->start[t->next]);
    if (first_in_clause(t, (uint32_t)(row - t->rows), c)) count_clause(t, cfg, row, sums[c], sentence);
  }
}

static int by_report_order(const void *a, const void *b) {
  const lector_target_row *x = a, *y = b;
  if (x->mentions != y->mentions) return x->mentions > y->mentions ? -1 : 1;
  return (x->created > y->created) - (x->created < y->created);
}

void lector_targets_sort(lector_targets *t) {
  if (t->nrows > 1) qsort(t->rows, t->nrows, sizeof *t->rows, by_report_order);
}
