/*
 * The tone of the clauses about each entity (valence_targets.c): clause
 * cuts, one count per entity and clause, rows in report order, and
 * stamps that survive many sentences.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "valence_targets.h"

static lector_valence_config config(void) {
  lector_valence_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.k[LECTOR_VK_SCALE] = (lector_vnum){4, 1};
  cfg.k[LECTOR_VK_NEUTRAL] = (lector_vnum){0.05, 0};
  return cfg;
}

typedef struct run {
  lector_targets t;
  void *memory;
  uint32_t starts[64];
  double sums[64];
} run;

static void begin(run *r, const uint32_t *start, const uint32_t *key, size_t n) {
  r->memory = malloc(lector_targets_bytes(n));
  assert_non_null(r->memory);
  lector_targets_init(&r->t, start, key, n, r->memory);
}

static void sentence(run *r, const char *text, uint32_t sstart, uint32_t sstop, uint32_t index,
                     const uint32_t *cuts, size_t ncuts, const lector_target_item *items,
                     size_t nitems) {
  lector_valence_config cfg = config();
  assert_true(lector_targets_clause_count(text, sstart, sstop, ncuts) <= 64);
  lector_targets_add_sentence(&r->t, &cfg, text, sstart, sstop, index, cuts, ncuts, items, nitems,
                              r->starts, r->sums);
}

static void clauses_are_cut_at_marks_dashes_and_cuts(void **state) {
  (void)state;
  const char *text = "Acme rose, Bolt fell \xE2\x80\x94 Acme (again) won; Bolt: lost";
  assert_int_equal(lector_targets_clause_count(text, 0, (uint32_t)strlen(text), 0), 7);
  assert_int_equal(lector_targets_clause_count(text, 0, (uint32_t)strlen(text), 2), 9);
  /* a lone 0xE2 at the end of the sentence is no dash */
  assert_int_equal(lector_targets_clause_count("ab\xE2\x80", 0, 4, 0), 1);
}

static void each_entity_counts_a_clause_once(void **state) {
  (void)state;
  /* "Acme and Acme won, but Bolt lost." mentions at 0, 9, 23 */
  const char *text = "Acme and Acme won, but Bolt lost.";
  const uint32_t start[] = {0, 9, 23}, key[] = {0, 0, 1}, cuts[] = {19};
  const lector_target_item items[] = {{14, {2, 1}}, {28, {-3, 1}}};
  run r;
  begin(&r, start, key, 3);
  sentence(&r, text, 0, (uint32_t)strlen(text), 1, cuts, 1, items, 2);
  lector_targets_sort(&r.t);
  assert_int_equal(r.t.nrows, 2);
  const lector_target_row *acme = &r.t.rows[0], *bolt = &r.t.rows[1];
  assert_int_equal(acme->mention, 0);
  assert_int_equal(acme->mentions, 2);
  assert_int_equal(acme->clauses, 1);
  assert_int_equal(acme->positive, 1);
  assert_true(fabs(acme->sum - tanh(2.0 / 4)) < 1e-12);
  assert_int_equal(bolt->mention, 2);
  assert_int_equal(bolt->clauses, 1);
  assert_int_equal(bolt->negative, 1);
  /* "but" cuts before itself: Bolt's clause holds only "lost" */
  assert_true(fabs(bolt->sum - tanh(-3.0 / 4)) < 1e-12);
  free(r.memory);
}

static void rows_come_most_mentioned_first_then_as_made(void **state) {
  (void)state;
  const char *text = "A, B, C. B, C. C.";
  /* A at 0, B at 3, C at 6; B at 9, C at 12; C at 15 */
  const uint32_t start[] = {0, 3, 6, 9, 12, 15}, key[] = {0, 1, 2, 1, 2, 2};
  run r;
  begin(&r, start, key, 6);
  sentence(&r, text, 0, 8, 1, NULL, 0, NULL, 0);
  sentence(&r, text, 9, 14, 2, NULL, 0, NULL, 0);
  sentence(&r, text, 15, 17, 3, NULL, 0, NULL, 0);
  lector_targets_sort(&r.t);
  assert_int_equal(r.t.nrows, 3);
  assert_int_equal(r.t.rows[0].mention, 2);   /* C: 3 mentions */
  assert_int_equal(r.t.rows[1].mention, 1);   /* B: 2 */
  assert_int_equal(r.t.rows[2].mention, 0);   /* A: 1 */
  assert_int_equal(r.t.rows[0].nsentences, 3);
  uint32_t e = r.t.rows[0].first_entry;
  for (uint32_t want = 1; want <= 3; want++, e = r.t.entry_next[e])
    assert_int_equal(r.t.entry_sentence[e], want);
  free(r.memory);
}

static void mentions_outside_sentences_are_passed_over(void **state) {
  (void)state;
  const char *text = "xx Acme. yy";
  const uint32_t start[] = {0, 3, 9}, key[] = {0, 1, 2};
  run r;
  begin(&r, start, key, 3);
  sentence(&r, text, 3, 8, 1, NULL, 0, NULL, 0);       /* the mention at 0 is before it */
  assert_int_equal(r.t.nrows, 1);
  assert_int_equal(r.t.rows[0].mention, 1);
  assert_int_equal(r.t.next, 2);
  free(r.memory);
}

/* The stamps that tell one sentence's pairs from the last's go on across
 * many sentences; every sentence counts its clause again. */
static void many_sentences_each_count_again(void **state) {
  (void)state;
  enum { N = 5000 };
  char *text = malloc(N * 3 + 1);
  uint32_t *start = malloc(N * sizeof *start), *key = malloc(N * sizeof *key);
  assert_non_null(text);
  for (size_t i = 0; i < N; i++) {
    memcpy(text + 3 * i, "A. ", 3);
    start[i] = (uint32_t)(3 * i);
    key[i] = 0;
  }
  text[3 * N] = '\0';
  run r;
  begin(&r, start, key, N);
  for (uint32_t i = 0; i < N; i++) sentence(&r, text, 3 * i, 3 * i + 2, i + 1, NULL, 0, NULL, 0);
  assert_int_equal(r.t.nrows, 1);
  assert_int_equal(r.t.rows[0].mentions, N);
  assert_int_equal(r.t.rows[0].clauses, N);
  assert_int_equal(r.t.rows[0].nsentences, N);
  free(r.memory);
  free(text);
  free(start);
  free(key);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(clauses_are_cut_at_marks_dashes_and_cuts),
      cmocka_unit_test(each_entity_counts_a_clause_once),
      cmocka_unit_test(rows_come_most_mentioned_first_then_as_made),
      cmocka_unit_test(mentions_outside_sentences_are_passed_over),
      cmocka_unit_test(many_sentences_each_count_again),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
