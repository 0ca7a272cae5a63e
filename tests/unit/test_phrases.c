/*
 * Key phrases: runs of content words cut by stop words, verbs, possessives
 * and max_words; connectors inside names; weak edge words trimmed;
 * variants merged into their hosts; names and variants' forms; ranges
 * left out; the token and word limits; the memos across documents; and
 * allocation failure at every allocation with every byte accounted for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "failing_alloc.h"

#include "phrases.h"

/* ---- helpers ------------------------------------------------------------ */

static lector_doc *doc_of(const char *text) {
  lector_text norm;
  lector_error err;
  assert_int_equal(lector_text_normalize(text, strlen(text), NULL, &norm, &err), LECTOR_OK);
  lector_doc *doc = NULL;
  assert_int_equal(lector_doc_new(&norm, "t", "t", NULL, NULL, &doc, &err), LECTOR_OK);
  return doc;
}

static const char *const STOP[] = {"the", "a", "of", "and", "in", "on", "for", "to", "is",
                                   "was", "with", "it", "said", "at", "by", "would", "fell",
                                   "left", "spoke", "denied", "worried", "recover", NULL};

typedef struct fixture {
  lector_lexicon *stop, *verbs;
  lector_stemmer *stemmer;
} fixture;

static fixture fixture_new(void) {
  fixture fx;
  lector_error err;
  fx.stop = lector_lexicon_new(1, NULL, NULL, &err);
  fx.verbs = lector_lexicon_new(1, NULL, NULL, &err);
  assert_non_null(fx.stop);
  assert_non_null(fx.verbs);
  for (const char *const *w = STOP; *w; w++)
    assert_int_equal(lector_lexicon_add(fx.stop, *w, strlen(*w), "stop", 0, &err), LECTOR_OK);
  assert_int_equal(lector_lexicon_add(fx.verbs, "rose", 4, "verb", 0, &err), LECTOR_OK);
  fx.stemmer = lector_stemmer_new("english");
  assert_non_null(fx.stemmer);
  return fx;
}

static void fixture_free(fixture *fx) {
  lector_lexicon_free(fx->stop);
  lector_lexicon_free(fx->verbs);
  lector_stemmer_free(fx->stemmer);
}

static const lector_phrases_config CONFIG = {4, 3, 20000, 10000};

static void add_list(lector_phrases *ph, lector_phrases_list list, const char *const *words) {
  lector_error err;
  for (; *words; words++)
    assert_int_equal(lector_phrases_add(ph, list, *words, strlen(*words), &err), LECTOR_OK);
}

static lector_phrases *engine(const lector_phrases_config *cfg, lector_phrases_alloc alloc,
                              void *ud) {
  lector_phrases *ph = lector_phrases_new(cfg, alloc, ud);
  assert_non_null(ph);
  static const char *const connectors[] = {"of", "and", NULL};
  static const char *const edge_words[] = {"two", NULL};
  static const char *const suffixes[] = {"ing", NULL};
  add_list(ph, LECTOR_PHRASES_CONNECTOR, connectors);
  add_list(ph, LECTOR_PHRASES_EDGE_WORD, edge_words);
  add_list(ph, LECTOR_PHRASES_EDGE_SUFFIX, suffixes);
  return ph;
}

static lector_phrases_input input(const fixture *fx, const lector_doc *doc, uint32_t count) {
  lector_phrases_input in = {0};
  in.doc = doc;
  in.stopwords = fx->stop;
  in.verbs = fx->verbs;
  in.stemmer = fx->stemmer;
  in.count = count;
  return in;
}

static lector_phrases_result extract(lector_phrases *ph, const lector_phrases_input *in) {
  lector_phrases_result res;
  lector_error err;
  lector_status status = lector_phrases_extract(ph, in, &res, &err);
  if (status != LECTOR_OK) fail_msg("extract: %s", err.message);
  return res;
}

/* The text of occurrence i of the result, in buf. */
static const char *occurrence(const lector_doc *doc, const lector_phrases_result *res,
                              uint32_t i, char *buf, size_t size) {
  const lector_phrases_range *r = res->occurrences + i;
  snprintf(buf, size, "%.*s", (int)(r->stop - r->start), doc->text + r->start);
  return buf;
}

/* Whether some phrase found has text as its first occurrence. */
static int found(const lector_doc *doc, const lector_phrases_result *res, const char *text) {
  char buf[128];
  for (uint32_t i = 0; i < res->count; i++)
    if (strcmp(occurrence(doc, res, res->phrases[i].first_occurrence, buf, sizeof buf), text) == 0)
      return 1;
  return 0;
}

/* Each test's fixture, engine (the default configuration) and document,
 * freed by the teardown. */
typedef struct world {
  fixture fx;
  lector_phrases *ph;
  lector_doc *doc;
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  assert_non_null(w);
  w->fx = fixture_new();
  w->ph = engine(&CONFIG, NULL, NULL);
  *state = w;
  return 0;
}

static int teardown(void **state) {
  world *w = *state;
  if (w->doc) lector_doc_release(w->doc);
  lector_phrases_free(w->ph);
  fixture_free(&w->fx);
  free(w);
  return 0;
}

/* Extract the count best phrases of text with w's engine (its document
 * is then text's). */
static lector_phrases_result run_on(world *w, const char *text, uint32_t count) {
  if (w->doc) lector_doc_release(w->doc);
  w->doc = doc_of(text);
  lector_phrases_input in = input(&w->fx, w->doc, count);
  return extract(w->ph, &in);
}

/* The same with another configuration, which w's engine takes from then on. */
static lector_phrases_result run_with(world *w, const lector_phrases_config *cfg,
                                      const char *text) {
  lector_phrases_free(w->ph);
  w->ph = engine(cfg, NULL, NULL);
  return run_on(w, text, 10);
}

/* ---- phrases ------------------------------------------------------------- */

static void runs_of_content_words_ranked(void **state) {
  world *w = *state;
  lector_phrases_result res = run_on(w, "The oil price fell in the morning. Traders said the oil "
                                     "price would recover. A weak dollar and the oil price "
                                     "worried markets.", 3);
  assert_int_equal(res.count, 3);
  char buf[128];
  /* met three times, it ranks first */
  assert_string_equal(occurrence(w->doc, &res, res.phrases[0].first_occurrence, buf, sizeof buf),
                      "oil price");
  assert_int_equal(res.phrases[0].count, 3);
  assert_int_equal(res.phrases[0].part_count, 1);
  assert_int_equal(res.parts[res.phrases[0].first_part], 3);
  for (uint32_t i = 1; i < res.count; i++)
    assert_true(res.phrases[i].score <= res.phrases[i - 1].score);
  /* "the", "in", "said", "and" never start or end one */
  assert_false(found(w->doc, &res, "the oil price"));
}

static void names_connectors_and_variants(void **state) {
  world *w = *state;
  lector_phrases_result res = run_on(w, "Maduro spoke at the Port of Halden. The Maduro "
                                     "government denied it. Maduro left the Port of Halden by "
                                     "ship.", 10);
  assert_true(found(w->doc, &res, "Port of Halden"));
  /* "Maduro government" starts with the name "Maduro": a variant of it */
  assert_false(found(w->doc, &res, "Maduro government"));
  char buf[128];
  int merged = 0;
  for (uint32_t i = 0; i < res.count; i++) {
    const lector_phrase *p = res.phrases + i;
    if (strcmp(occurrence(w->doc, &res, p->first_occurrence, buf, sizeof buf), "Maduro") != 0)
      continue;
    assert_int_equal(p->part_count, 2);
    assert_int_equal(res.parts[p->first_part], 2);
    assert_int_equal(res.parts[p->first_part + 1], 1);
    assert_int_equal(p->count, 3);
    assert_string_equal(occurrence(w->doc, &res, p->first_occurrence + 2, buf, sizeof buf),
                        "Maduro government");
    merged = 1;
  }
  assert_true(merged);
}

static void edges_possessives_and_verbs(void **state) {
  world *w = *state;
  lector_phrases_result res = run_on(w, "Two escalating border clashes. Russia’s military budget "
                                     "rose. Rose Garden guests.", 10);
  /* weak edge words trimmed: "Two", "escalating" */
  assert_true(found(w->doc, &res, "border clashes"));
  /* a possessive ends a phrase */
  assert_true(found(w->doc, &res, "Russia’s"));
  assert_true(found(w->doc, &res, "military budget"));
  /* a verb in lower case splits; capitalized, it is part of a name */
  assert_false(found(w->doc, &res, "military budget rose"));
  assert_true(found(w->doc, &res, "Rose Garden guests"));
}

static void max_words_cuts_runs(void **state) {
  world *w = *state;
  lector_phrases_config cfg = CONFIG;
  cfg.max_words = 2;
  lector_phrases_result res = run_with(w, &cfg, "Big red farm tractor sales.");
  assert_int_equal(res.count, 3);
  assert_true(found(w->doc, &res, "Big red"));
  assert_true(found(w->doc, &res, "farm tractor"));
  assert_true(found(w->doc, &res, "sales"));
}

static const char LIMITS[] = "Photo credit Jane Smith. Copper prices rose. Zinc output fell.";

static void skipped_ranges(void **state) {
  world *w = *state;
  w->doc = doc_of(LIMITS);
  lector_phrases_input in = input(&w->fx, w->doc, 10);
  lector_phrases_range skip = {0, (uint32_t)strlen("Photo credit Jane Smith.")};
  in.skip = &skip;
  in.skip_count = 1;
  lector_phrases_result res = extract(w->ph, &in);
  assert_false(found(w->doc, &res, "Photo credit Jane Smith"));
  assert_true(found(w->doc, &res, "Copper prices"));
  assert_true(found(w->doc, &res, "Zinc output"));
}

static void token_and_word_limits(void **state) {
  world *w = *state;
  /* only the first sentence's tokens, then only one distinct word */
  lector_phrases_config cfg = CONFIG;
  cfg.max_tokens = 5;
  lector_phrases_result res = run_with(w, &cfg, LIMITS);
  assert_true(found(w->doc, &res, "Photo credit Jane Smith"));
  assert_false(found(w->doc, &res, "Copper prices"));
  cfg = CONFIG;
  cfg.max_distinct = 1;
  res = run_with(w, &cfg, LIMITS);
  assert_int_equal(res.count, 1);
  assert_true(found(w->doc, &res, "Photo"));
}

static void more_stopwords_and_empty_documents(void **state) {
  world *w = *state;
  static const char *const more[] = {"copper", NULL};
  add_list(w->ph, LECTOR_PHRASES_STOPWORD, more);
  lector_error err;
  assert_int_equal(lector_phrases_add(w->ph, LECTOR_PHRASES_STOPWORD, "", 0, &err),
                   LECTOR_EINVAL);
  lector_phrases_result res = run_on(w, "Copper prices rose.", 10);
  assert_true(found(w->doc, &res, "prices"));
  assert_false(found(w->doc, &res, "Copper prices"));
  res = run_on(w, "The 42 of it.", 10);
  assert_int_equal(res.count, 0);
  lector_phrases_input in = input(&w->fx, w->doc, 0);
  assert_int_equal(lector_phrases_extract(w->ph, &in, &res, &err), LECTOR_EINVAL);
}

/* The name and variant k of phrase i, in buf. */
static const char *result_text(const lector_phrases_result *res, lector_phrases_range r, char *buf,
                               size_t size) {
  snprintf(buf, size, "%.*s", (int)(r.stop - r.start), res->text + r.start);
  return buf;
}

static void names_and_variants(void **state) {
  world *w = *state;
  lector_phrases_result res = run_on(w, "Maduro’s aides met. The Maduro \t government denied "
                                     "it. Maduro's rivals and MADURO. Maduro left.", 1);
  assert_int_equal(res.count, 1);
  const lector_phrase *p = res.phrases;
  char buf[128];
  /* "Maduro" three times (’s and 's dropped), "MADURO" once: the most
   * frequent names it */
  assert_string_equal(result_text(&res, p->name, buf, sizeof buf), "Maduro");
  /* its other forms, in byte order, then its variant's, white space made
   * one space */
  assert_int_equal(p->variant_count, 2);
  assert_string_equal(result_text(&res, res.variants[p->first_variant], buf, sizeof buf),
                      "MADURO");
  assert_string_equal(result_text(&res, res.variants[p->first_variant + 1], buf, sizeof buf),
                      "Maduro government");
  /* of equal counts, the shorter form, then the first in byte order */
  res = run_on(w, "Governments met. Government denied it. The governments left. A "
               "government rose.", 1);
  assert_string_equal(result_text(&res, res.phrases[0].name, buf, sizeof buf), "Government");
}

/* The memos start afresh at LECTOR_PHRASES_MEMO_WORDS words: the answers
 * stay the same. */
static void memos_start_afresh(void **state) {
  world *w = *state;
  char *text = malloc(400000);
  assert_non_null(text);
  size_t at = 0;
  for (int i = 0; i < 25000; i++) at += (size_t)sprintf(text + at, "Word%c%c%c%c. ",
                                                        'a' + i % 26, 'a' + i / 26 % 26,
                                                        'a' + i / 676 % 26, 'a' + i / 17576);
  lector_phrase first = run_on(w, "Copper prices rose. Copper mines closed.", 10).phrases[0];
  run_on(w, text, 10);
  free(text);
  lector_phrases_result res = run_on(w, "Copper prices rose. Copper mines closed.", 10);
  assert_memory_equal(&res.phrases[0], &first, sizeof first);
}

static void allocation_failure_at_every_step(void **state) {
  (void)state;
  fixture fx = fixture_new();
  lector_doc *doc = doc_of("Maduro spoke at the Port of Halden. The Maduro government "
                           "denied it. Two escalating border clashes.");
  lector_phrases_input in = input(&fx, doc, 10);
  failing f = {-1, 0, 0};
  lector_phrases *ph = engine(&CONFIG, failing_alloc, &f);
  lector_phrases_result want = extract(ph, &in);
  uint32_t count = want.count;
  double score = want.phrases[0].score;
  lector_phrases_free(ph);
  assert_int_equal(f.held, 0);
  long failures = 0;
  for (long n = 0;; n++) {
    f = (failing){-1, 0, 0};
    ph = engine(&CONFIG, failing_alloc, &f);
    f.allowed = n;
    f.calls = 0;
    lector_phrases_result res;
    lector_error err;
    lector_status status = lector_phrases_extract(ph, &in, &res, &err);
    f.allowed = -1;
    if (status == LECTOR_ENOMEM) {
      failures++;
      /* the engine still works after a failure */
      res = extract(ph, &in);
    } else {
      assert_int_equal(status, LECTOR_OK);
    }
    assert_int_equal(res.count, count);
    assert_true(res.phrases[0].score == score);
    assert_int_equal((long long)lector_phrases_bytes(ph), f.held);
    lector_phrases_free(ph);
    assert_int_equal(f.held, 0);
    if (status == LECTOR_OK) break;
  }
  assert_true(failures > 20);
  lector_doc_release(doc);
  fixture_free(&fx);
}

/* ---- a summary's terms ---------------------------------------------------- */

/* Term i of the list, in buf. */
static const char *term_text(const lector_phrases_term_list *list, const lector_phrases_range *r,
                             char *buf, size_t size) {
  snprintf(buf, size, "%.*s", (int)(r->stop - r->start), list->text + r->start);
  return buf;
}

/* The terms of all the tokens of text (w's document from then on), joined
 * by commas into buf. */
static lector_phrases_term_list all_terms(world *w, const char *text, char *buf, size_t size) {
  if (w->doc) lector_doc_release(w->doc);
  w->doc = doc_of(text);
  lector_phrases_input in = input(&w->fx, w->doc, 0);
  lector_phrases_term_list list;
  lector_error err;
  assert_int_equal(
    lector_phrases_terms(w->ph, &in, 0, (uint32_t)w->doc->seg.token_count, &list, &err),
    LECTOR_OK);
  size_t at = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < list.count && at < size; i++) {   /* cut when buf is full */
    char term[64];
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? "," : "",
                           term_text(&list, list.terms + i, term, sizeof term));
  }
  return list;
}

static void terms_of_words_and_numbers(void **state) {
  world *w = *state;
  static const char *const more[] = {"pct", NULL};
  add_list(w->ph, LECTOR_PHRASES_STOPWORD, more);
  char buf[256], term[64];
  lector_phrases_term_list list =
    all_terms(w, "The Government’s 2 governments rose 10km, up 3.5 pct! Élan 1990s", buf,
              sizeof buf);
  /* stop words and punctuation have none; a word's is its stem, a number's its word */
  assert_string_equal(buf, "govern,2,govern,rose,10km,up,3.5,élan,1990s");
  assert_int_equal(list.words, 11);
  assert_int_equal(list.number_count, 3);
  assert_int_equal(list.numbers[0], 1);
  assert_int_equal(list.numbers[1], 6);
  assert_int_equal(list.numbers[2], 8);
  assert_int_equal(list.number_like_count, 2);
  assert_string_equal(term_text(&list, list.number_like, term, sizeof term), "10km");
  assert_string_equal(term_text(&list, list.number_like + 1, term, sizeof term), "élan");
  /* stop words count as words */
  list = all_terms(w, "It was -- a.", buf, sizeof buf);
  assert_string_equal(buf, "");
  assert_int_equal(list.words, 3);
  assert_int_equal(list.number_count, 0);
}

static void terms_out_of_range(void **state) {
  world *w = *state;
  w->doc = doc_of("Copper prices rose.");
  lector_phrases_input in = input(&w->fx, w->doc, 0);
  lector_phrases_term_list list;
  lector_error err;
  uint32_t n = (uint32_t)w->doc->seg.token_count;
  assert_int_equal(lector_phrases_terms(w->ph, &in, n, 1, &list, &err), LECTOR_EINVAL);
  assert_int_equal(lector_phrases_terms(w->ph, &in, 1, n, &list, &err), LECTOR_EINVAL);
  assert_int_equal(lector_phrases_terms(w->ph, &in, n, 0, &list, &err), LECTOR_OK);
  assert_int_equal(list.count, 0);
  assert_int_equal(list.words, 0);
}

/* The terms memos start afresh too, at LECTOR_PHRASES_TERM_MEMO_WORDS
 * words: the answers stay the same. */
static void term_memos_start_afresh(void **state) {
  world *w = *state;
  char *text = malloc(1400000);
  assert_non_null(text);
  size_t at = 0;
  for (int i = 0; i < 65000; i++) at += (size_t)sprintf(text + at, "Word%c%c%c%c %d. ",
                                                        'a' + i % 26, 'a' + i / 26 % 26,
                                                        'a' + i / 676 % 26, 'a' + i / 17576, i);
  char first[256], again[256], big[64];
  all_terms(w, "Copper prices rose 5 pct.", first, sizeof first);
  all_terms(w, text, big, sizeof big);
  free(text);
  all_terms(w, "Copper prices rose 5 pct.", again, sizeof again);
  assert_string_equal(again, first);
  assert_string_equal(first, "copper,price,rose,5,pct");
}

static void terms_allocation_failure_at_every_step(void **state) {
  (void)state;
  fixture fx = fixture_new();
  lector_doc *doc = doc_of("The Government’s 2 governments rose 10km, up 3.5 pct! Élan 1990s");
  lector_phrases_input in = input(&fx, doc, 0);
  uint32_t n = (uint32_t)doc->seg.token_count;
  long failures = 0;
  for (long k = 0;; k++) {
    failing f = {-1, 0, 0};
    lector_phrases *ph = engine(&CONFIG, failing_alloc, &f);
    f.allowed = k;
    f.calls = 0;
    lector_phrases_term_list list;
    lector_error err;
    lector_status status = lector_phrases_terms(ph, &in, 0, n, &list, &err);
    f.allowed = -1;
    if (status == LECTOR_ENOMEM) {
      failures++;
      /* the engine still works after a failure */
      assert_int_equal(lector_phrases_terms(ph, &in, 0, n, &list, &err), LECTOR_OK);
    } else {
      assert_int_equal(status, LECTOR_OK);
    }
    assert_int_equal(list.count, 10);
    assert_int_equal(list.number_like_count, 2);
    assert_int_equal((long long)lector_phrases_bytes(ph), f.held);
    lector_phrases_free(ph);
    assert_int_equal(f.held, 0);
    if (status == LECTOR_OK) break;
  }
  assert_true(failures > 5);
  lector_doc_release(doc);
  fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(runs_of_content_words_ranked, setup, teardown),
    cmocka_unit_test_setup_teardown(names_connectors_and_variants, setup, teardown),
    cmocka_unit_test_setup_teardown(edges_possessives_and_verbs, setup, teardown),
    cmocka_unit_test_setup_teardown(max_words_cuts_runs, setup, teardown),
    cmocka_unit_test_setup_teardown(skipped_ranges, setup, teardown),
    cmocka_unit_test_setup_teardown(token_and_word_limits, setup, teardown),
    cmocka_unit_test_setup_teardown(more_stopwords_and_empty_documents, setup, teardown),
    cmocka_unit_test_setup_teardown(names_and_variants, setup, teardown),
    cmocka_unit_test_setup_teardown(memos_start_afresh, setup, teardown),
    cmocka_unit_test(allocation_failure_at_every_step),
    cmocka_unit_test_setup_teardown(terms_of_words_and_numbers, setup, teardown),
    cmocka_unit_test_setup_teardown(terms_out_of_range, setup, teardown),
    cmocka_unit_test_setup_teardown(term_memos_start_afresh, setup, teardown),
    cmocka_unit_test(terms_allocation_failure_at_every_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
