/*
 * The token matcher's C core: interning, repetition, captures, overlap
 * modes, sentence bounds and the callback tests, without Lua.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lector_limits.h"
#include "matcher.h"

static lector_doc *make_doc(const char *raw) {
  lector_text t = {0};
  lector_error err = {0};
  assert_int_equal(lector_text_normalize(raw, strlen(raw), NULL, &t, &err), LECTOR_OK);
  lector_doc *doc = NULL;
  assert_int_equal(lector_doc_new(&t, "t", NULL, NULL, NULL, &doc, &err), LECTOR_OK);
  return doc;
}

static uint32_t add_strings(lector_matcher *m, lector_match_field field, const char *a,
                            const char *b) {
  const char *s[2] = {a, b};
  size_t lens[2] = {strlen(a), b ? strlen(b) : 0};
  lector_match_test t = {.field = field, .strings = s, .lens = lens, .count = b ? 2 : 1};
  uint32_t id = 0;
  assert_int_equal(lector_matcher_test(m, &t, &id), LECTOR_OK);
  return id;
}

/* Hits as "first-end" token pairs (with the first capture when any). */
static char *run_all(const lector_matcher *m, const lector_doc *doc, int all,
                     lector_match_call call, void *ud) {
  size_t bytes = lector_matcher_run_bytes(m, doc, 0, (uint32_t)doc->seg.sentence_count);
  void *mem = malloc(bytes);
  assert_non_null(mem);
  lector_match_run *run = lector_matcher_run_init(mem, m, doc, 0,
                                                  (uint32_t)doc->seg.sentence_count, all, call, ud);
  static char out[1024];
  out[0] = '\0';
  lector_match_hit hit;
  while (lector_matcher_next(run, &hit)) {
    char one[64];
    if (hit.captures && hit.cap_first[0] != hit.cap_end[0])
      snprintf(one, sizeof one, "%u:%u-%u(%u-%u) ", hit.pattern, hit.first, hit.end,
               hit.cap_first[0], hit.cap_end[0]);
    else snprintf(one, sizeof one, "%u:%u-%u ", hit.pattern, hit.first, hit.end);
    strncat(out, one, sizeof out - strlen(out) - 1);
  }
  free(mem);
  return out;
}

static void test_titles_and_names(void **state) {
  (void)state;
  /* tokens: 0 Kremlin 1 spokesperson 2 Dmitry 3 Peskov 4 told 5 Tass 6 . */
  lector_doc *doc = make_doc("Kremlin spokesperson Dmitry Peskov told Tass.");
  lector_matcher *m = lector_matcher_new(NULL, NULL);
  lector_matcher_begin(m);
  assert_int_equal(lector_matcher_element(m, 1, 1, 0, -1), LECTOR_OK);
  add_strings(m, LECTOR_MATCH_LOWER, "SPOKESPERSON", NULL);
  assert_int_equal(lector_matcher_element(m, 1, UINT32_MAX, 0, 0), LECTOR_OK);
  add_strings(m, LECTOR_MATCH_SHAPE, "Xxxxx", NULL);
  uint32_t pattern = 9;
  assert_int_equal(lector_matcher_commit(m, 1, &pattern), LECTOR_OK);
  assert_int_equal(pattern, 0);
  assert_string_equal(run_all(m, doc, 0, NULL, NULL), "0:1-4(2-4) ");
  lector_matcher_free(m);
  lector_doc_release(doc);
}

static void test_interning(void **state) {
  (void)state;
  lector_matcher *m = lector_matcher_new(NULL, NULL);
  lector_matcher_begin(m);
  assert_int_equal(lector_matcher_element(m, 1, 1, 0, -1), LECTOR_OK);
  uint32_t a = add_strings(m, LECTOR_MATCH_TEXT, "b", "a");
  assert_int_equal(lector_matcher_element(m, 1, 1, 0, -1), LECTOR_OK);
  uint32_t b = add_strings(m, LECTOR_MATCH_TEXT, "a", "b");   /* same set, other order */
  uint32_t c = add_strings(m, LECTOR_MATCH_LOWER, "a", "b");  /* another field */
  assert_int_equal(lector_matcher_element(m, 1, 1, 0, -1), LECTOR_OK);
  uint32_t d = add_strings(m, LECTOR_MATCH_LOWER, "A", "B");  /* folds to the same */
  assert_int_equal(a, b);
  assert_int_not_equal(a, c);
  assert_int_equal(c, d);
  /* min > max, max 0 and a capture index past the count are refused */
  assert_int_equal(lector_matcher_element(m, 2, 1, 0, -1), LECTOR_EINVAL);
  assert_int_equal(lector_matcher_element(m, 0, 0, 0, -1), LECTOR_EINVAL);
  assert_int_equal(lector_matcher_element(m, 1, 1, 0, 3), LECTOR_OK);
  assert_int_equal(lector_matcher_commit(m, 1, NULL), LECTOR_EINVAL);
  assert_int_equal(lector_matcher_patterns(m), 0);
  lector_matcher_free(m);
}

static void test_overlaps_and_sentences(void **state) {
  (void)state;
  /* 0 the 1 United 2 Nations 3 Security 4 Council 5 met 6 . | 7 Nations 8 met 9 . */
  lector_doc *doc = make_doc("the United Nations Security Council met. Nations met.");
  lector_matcher *m = lector_matcher_new(NULL, NULL);
  lector_matcher_begin(m);
  lector_matcher_element(m, 1, 1, 0, -1);
  add_strings(m, LECTOR_MATCH_TEXT, "United", NULL);
  lector_matcher_element(m, 1, 1, 0, -1);
  add_strings(m, LECTOR_MATCH_TEXT, "Nations", NULL);
  assert_int_equal(lector_matcher_commit(m, 0, NULL), LECTOR_OK);
  lector_matcher_begin(m);
  lector_matcher_element(m, 1, UINT32_MAX, 0, -1);
  add_strings(m, LECTOR_MATCH_SHAPE, "Xxxxx", NULL);
  assert_int_equal(lector_matcher_commit(m, 0, NULL), LECTOR_OK);
  assert_string_equal(run_all(m, doc, 0, NULL, NULL), "1:1-5 1:7-8 ");
  assert_string_equal(run_all(m, doc, 1, NULL, NULL),
                      "0:1-3 1:1-5 1:2-5 1:3-5 1:4-5 1:7-8 ");
  lector_matcher_free(m);
  lector_doc_release(doc);
}

static int calls;

static int is_digits(void *ud, uint32_t pred, uint32_t token) {
  (void)pred;
  const lector_doc *doc = ud;
  const lector_token *t = &doc->seg.tokens[token];
  calls++;
  for (uint32_t i = t->start; i < t->stop; i++)
    if (doc->text[i] < '0' || doc->text[i] > '9') return 0;
  return 1;
}

static void test_calls_are_asked_once_per_text(void **state) {
  (void)state;
  lector_doc *doc = make_doc("in 2025 and 2025 and 1999 we");
  lector_matcher *m = lector_matcher_new(NULL, NULL);
  lector_matcher_begin(m);
  lector_matcher_element(m, 1, 1, 0, -1);
  lector_match_test t = {.field = LECTOR_MATCH_CALL, .name = "digits", .name_len = 6};
  assert_int_equal(lector_matcher_test(m, &t, NULL), LECTOR_OK);
  assert_int_equal(lector_matcher_commit(m, 0, NULL), LECTOR_OK);
  calls = 0;
  assert_string_equal(run_all(m, doc, 0, is_digits, doc), "0:1-2 0:3-4 0:5-6 ");
  assert_int_equal(calls, 5);   /* in, 2025, and, 1999, we */
  lector_matcher_free(m);
  lector_doc_release(doc);
}

static void test_long_sentence_is_capped(void **state) {
  (void)state;
  size_t n = 1000;
  char *raw = malloc(n * 6 + 1);
  assert_non_null(raw);
  raw[0] = '\0';
  for (size_t i = 0; i < n; i++) strcat(raw, "Alpha ");
  lector_doc *doc = make_doc(raw);
  free(raw);
  lector_matcher *m = lector_matcher_new(NULL, NULL);
  lector_matcher_begin(m);
  lector_matcher_element(m, 1, UINT32_MAX, 0, -1);
  add_strings(m, LECTOR_MATCH_TEXT, "Alpha", NULL);
  lector_matcher_commit(m, 0, NULL);
  size_t bytes = lector_matcher_run_bytes(m, doc, 0, 1);
  void *mem = malloc(bytes);
  lector_match_run *run = lector_matcher_run_init(mem, m, doc, 0, 1, 0, NULL, NULL);
  lector_match_hit hit;
  uint32_t expect = 0, hits = 0;
  while (lector_matcher_next(run, &hit)) {
    assert_int_equal(hit.first, expect);
    assert_true(hit.end - hit.first <= LECTOR_MATCH_MAX_TOKENS);
    expect = hit.end;
    hits++;
  }
  assert_int_equal(expect, n);
  assert_int_equal(hits, (n + LECTOR_MATCH_MAX_TOKENS - 1) / LECTOR_MATCH_MAX_TOKENS);
  free(mem);
  lector_matcher_free(m);
  lector_doc_release(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_titles_and_names),
    cmocka_unit_test(test_interning),
    cmocka_unit_test(test_overlaps_and_sentences),
    cmocka_unit_test(test_calls_are_asked_once_per_text),
    cmocka_unit_test(test_long_sentence_is_capped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
