/*
 * The name finder's rules, one family per test, on hand-made texts with a
 * small hand-made gazetteer and the word lists of the entities plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lexicon.h"
#include "names.h"

static const char GAZETTEER[] =
  "president\tTITLE\nminister\tTITLE\nforeign\tTITLEMOD\n"
  "john\tGIVEN\npedro\tGIVEN\nvictoria\tGIVEN\nvictoria\tGPE\n"
  "ministry\tORGHEAD\nbank\tORGHEAD\nfund\tORGHEAD\ncorp\tORGHEAD\n"
  "russia\tGPE\nrussia\tCOUNTRY\nchina\tGPE\nchina\tCOUNTRY\nleeds\tGPE\n"
  "uss\tSHIP\nmonday\tDATEWORD\nsaturday\tDATEWORD\nunited nations\tORG\n";

static const char *const CONNECTORS[] = {"of", "the", "for", "on", "and", "de", "la", "van",
                                         "der", "&", NULL};
static const char *const PAIRS[] = {"the", "la", "der", NULL};
static const char *const ABBREVIATIONS[] = {"Mr", "Dr", "Gen", "Corp", "Inc", NULL};
static const char *const SPEAKS[] = {"said", "says", "told", NULL};
static const char *const PLACE_PREP[] = {"in", "at", "from", "to", NULL};
static const char *const PARTICLES[] = {"de", "la", "van", "der", NULL};
static const char *const SUFFIXES[] = {"Corp", "Inc", "Ltd", "Holdings", NULL};
static const char *const SPORT_WORDS[] = {"SOCCER", "RUGBY", "LEAGUE", NULL};
static const char *const TEAM_AFTER[] = {"beat", "beats", "v", NULL};

/* An allocator that refuses once `left` allocations have been made. */
static int left = -1;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  if (left == 0) return NULL;
  if (left > 0) left--;
  return realloc(ptr, nsize);
}

typedef struct fixture {
  lector_lexicon *gaz;
  lector_names *nf;
  const char *text;
  lector_segments seg;
  const lector_names_mention *found;
  size_t n;
} fixture;

static void add_list(lector_names *nf, lector_names_list list, const char *const *words) {
  for (; *words; words++)
    assert_int_equal(lector_names_add_word(nf, list, *words, strlen(*words)), LECTOR_OK);
}

/* A finder with the lists of the tests, its memory from failing_alloc. */
static lector_names *configured(const lector_lexicon *gaz) {
  lector_names *nf = lector_names_new(gaz, failing_alloc, NULL);
  assert_non_null(nf);
  static const char *const priority[] = {"PERSON", "ORG", "GPE", "NORP", "PRODUCT"};
  for (size_t k = 0; k < sizeof priority / sizeof *priority; k++)
    assert_int_equal(lector_names_add_priority(nf, priority[k]), LECTOR_OK);
  assert_int_equal(lector_names_add_head(nf, "ORGHEAD", "ORG"), LECTOR_OK);
  add_list(nf, LECTOR_NAMES_CONNECTORS, CONNECTORS);
  add_list(nf, LECTOR_NAMES_CONNECTOR_PAIRS, PAIRS);
  add_list(nf, LECTOR_NAMES_ABBREVIATIONS, ABBREVIATIONS);
  add_list(nf, LECTOR_NAMES_SPEAKS, SPEAKS);
  add_list(nf, LECTOR_NAMES_SPEAKS_BEFORE, SPEAKS);
  add_list(nf, LECTOR_NAMES_PLACE_PREP, PLACE_PREP);
  add_list(nf, LECTOR_NAMES_NAME_PARTICLE, PARTICLES);
  add_list(nf, LECTOR_NAMES_COMPANY_SUFFIX, SUFFIXES);
  add_list(nf, LECTOR_NAMES_SPORT_WORDS, SPORT_WORDS);
  add_list(nf, LECTOR_NAMES_TEAM_AFTER, TEAM_AFTER);
  return nf;
}

static int setup(void **state) {
  static fixture f;
  memset(&f, 0, sizeof f);
  left = -1;
  f.gaz = lector_lexicon_new(1, NULL, NULL, NULL);
  assert_non_null(f.gaz);
  assert_int_equal(lector_lexicon_load(f.gaz, GAZETTEER, strlen(GAZETTEER), "gaz", NULL, NULL),
                   LECTOR_OK);
  f.nf = configured(f.gaz);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  lector_segments_free(&f->seg);
  lector_names_free(f->nf);
  lector_lexicon_free(f->gaz);
  return 0;
}

/* Find the names of text (segmented by lector's segmenter). */
static void find(fixture *f, const char *text) {
  lector_segments_free(&f->seg);
  memset(&f->seg, 0, sizeof f->seg);
  f->text = text;
  assert_int_equal(lector_segment(text, strlen(text), &f->seg), LECTOR_OK);
  assert_int_equal(lector_names_find(f->nf, text, strlen(text), f->seg.sentences,
                                     f->seg.sentence_count, &f->found, &f->n),
                   LECTOR_OK);
}

static int same(const fixture *f, uint32_t start, uint32_t stop, const char *s) {
  return stop - start == strlen(s) && memcmp(f->text + start, s, stop - start) == 0;
}

/* The mention of text `name` (the first), or NULL. */
static const lector_names_mention *mention(const fixture *f, const char *name) {
  for (size_t i = 0; i < f->n; i++)
    if (same(f, f->found[i].start, f->found[i].stop, name)) return &f->found[i];
  return NULL;
}

static void expect(const fixture *f, const char *name, const char *label) {
  const lector_names_mention *m = mention(f, name);
  if (!m) fail_msg("no mention '%s'", name);
  assert_string_equal(lector_names_label(f->nf, m->label), label);
}

static void expect_none(const fixture *f, const char *name) {
  if (mention(f, name)) fail_msg("unexpected mention '%s'", name);
}

/* Two mentions of one entity, whose canonical name is canonical. */
static void expect_linked(const fixture *f, const char *a, const char *b, const char *canonical) {
  const lector_names_mention *ma = mention(f, a), *mb = mention(f, b);
  assert_non_null(ma);
  assert_non_null(mb);
  assert_int_equal(ma->entity, mb->entity);
  assert_true(same(f, mb->canonical_start, mb->canonical_stop, canonical));
}

static void test_title_makes_a_person(void **state) {
  fixture *f = *state;
  find(f, "Talks were led by President Zuma on Monday.");
  expect(f, "Zuma", "PERSON");
  expect_none(f, "President Zuma");
  expect_none(f, "Monday");
}

static void test_given_name_starts_a_person(void **state) {
  fixture *f = *state;
  find(f, "Officials met John Smithers in Kravia.");
  expect(f, "John Smithers", "PERSON");
  /* after a place preposition an unknown name is a place */
  expect(f, "Kravia", "GPE");
}

static void test_head_labels_a_name(void **state) {
  fixture *f = *state;
  find(f, "Officials of the Kravia Ministry met officials of the Bank of Ostrava.");
  expect(f, "Kravia Ministry", "ORG");
  expect(f, "Bank of Ostrava", "ORG");
}

static void test_connectors_kept_or_split(void **state) {
  fixture *f = *state;
  find(f, "Officials from Russia and China met Pedro de la Vega.");
  expect(f, "Russia", "GPE");
  expect(f, "China", "GPE");
  expect_none(f, "Russia and China");
  /* particles in pairs belong to a person's name */
  expect(f, "Pedro de la Vega", "PERSON");
}

static void test_caps_headline_trusts_the_gazetteer(void **state) {
  fixture *f = *state;
  find(f, "RUSSIA WINS VOTE\n\nDelegates from Russia met in the capital.");
  const lector_names_mention *m = mention(f, "RUSSIA");
  assert_non_null(m);
  assert_string_equal(lector_names_label(f->nf, m->label), "GPE");
  expect_none(f, "WINS");
  expect_none(f, "WINS VOTE");
}

static void test_dateline_place(void **state) {
  fixture *f = *state;
  find(f, "KRAVOGRAD 1996-08-22\n\nPrices of grain rose sharply this week.");
  expect(f, "KRAVOGRAD", "GPE");
}

static void test_ship_is_a_product(void **state) {
  fixture *f = *state;
  find(f, "The crew of the USS Gerald Ford was told to wait.");
  expect(f, "USS Gerald Ford", "PRODUCT");
}

static void test_city_in_a_result_is_a_club(void **state) {
  fixture *f = *state;
  find(f, "On the weekend Leeds beat Orvanto at home.");
  expect(f, "Leeds", "ORG");
  find(f, "Prices fell in Leeds on Monday.");
  expect(f, "Leeds", "GPE");
}

static void test_acronym_after_an_organization(void **state) {
  fixture *f = *state;
  find(f, "Loans from the Kravian Credit Fund (KCF) rose, and the KCF said more would come.");
  expect(f, "Kravian Credit Fund", "ORG");
  expect(f, "KCF", "ORG");
  expect_linked(f, "Kravian Credit Fund", "KCF", "Kravian Credit Fund");
}

static void test_company_short_names(void **state) {
  fixture *f = *state;
  find(f, "Shares of Zorvex Holdings Corp rose after the sale. Analysts expect Zorvex to grow.");
  expect(f, "Zorvex Holdings Corp", "ORG");
  expect(f, "Zorvex", "ORG");
  expect_linked(f, "Zorvex Holdings Corp", "Zorvex", "Zorvex Holdings Corp");
}

static void test_surname_links_to_the_full_name(void **state) {
  fixture *f = *state;
  find(f, "Officials met John Smithers on Monday. Later, officials said Smithers left.");
  expect(f, "Smithers", "PERSON");
  expect_linked(f, "John Smithers", "Smithers", "John Smithers");
}

static void test_sentence_initial_common_word_dropped(void **state) {
  fixture *f = *state;
  find(f, "Military leaders met. The military said little.");
  expect_none(f, "Military");
}

static void test_empty_text_and_bad_words(void **state) {
  fixture *f = *state;
  const lector_names_mention *out;
  size_t n = 7;
  assert_int_equal(lector_names_find(f->nf, "", 0, NULL, 0, &out, &n), LECTOR_OK);
  assert_int_equal(n, 0);
  assert_int_equal(lector_names_add_word(f->nf, LECTOR_NAMES_SPEAKS, "", 0), LECTOR_EINVAL);
  assert_int_equal(lector_names_add_word(f->nf, LECTOR_NAMES_SPEAKS, "a\0b", 3), LECTOR_EINVAL);
  assert_int_equal(lector_names_add_priority(f->nf, ""), LECTOR_EINVAL);
  lector_status st = LECTOR_OK;
  for (int k = 0; k < 100 && st == LECTOR_OK; k++) st = lector_names_add_priority(f->nf, "ORG");
  assert_int_equal(st, LECTOR_EINVAL);     /* a list of priorities is bounded too */
  assert_int_equal(lector_names_list_of("speaks"), LECTOR_NAMES_SPEAKS);
  assert_int_equal(lector_names_list_of("nonsense"), LECTOR_NAMES_LIST_COUNT);
}

/* Every allocation of a find may fail: the find then says so, and frees
 * nothing it still needs (the sanitizer build checks the rest). */
static void test_find_survives_allocation_failures(void **state) {
  fixture *f = *state;
  const char *text = "RUSSIA WINS VOTE\n\nOfficials from Russia met John Smithers of the "
                     "Kravian Credit Fund (KCF) on Monday. Later Smithers said the KCF would lend.";
  lector_segments seg = {0};
  assert_int_equal(lector_segment(text, strlen(text), &seg), LECTOR_OK);
  lector_status st = LECTOR_ENOMEM;
  size_t n = 0, expected = 0;
  const lector_names_mention *out;
  assert_int_equal(lector_names_find(f->nf, text, strlen(text), seg.sentences,
                                     seg.sentence_count, &out, &expected), LECTOR_OK);
  for (int budget = 0; budget < 200 && st != LECTOR_OK; budget++) {
    left = -1;
    lector_names *nf = configured(f->gaz);
    left = budget;
    st = lector_names_find(nf, text, strlen(text), seg.sentences, seg.sentence_count, &out, &n);
    assert_true(st == LECTOR_OK || st == LECTOR_ENOMEM);
    left = -1;
    lector_names_free(nf);
  }
  assert_int_equal(st, LECTOR_OK);
  assert_int_equal(n, expected);
  lector_segments_free(&seg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_title_makes_a_person, setup, teardown),
    cmocka_unit_test_setup_teardown(test_given_name_starts_a_person, setup, teardown),
    cmocka_unit_test_setup_teardown(test_head_labels_a_name, setup, teardown),
    cmocka_unit_test_setup_teardown(test_connectors_kept_or_split, setup, teardown),
    cmocka_unit_test_setup_teardown(test_caps_headline_trusts_the_gazetteer, setup, teardown),
    cmocka_unit_test_setup_teardown(test_dateline_place, setup, teardown),
    cmocka_unit_test_setup_teardown(test_ship_is_a_product, setup, teardown),
    cmocka_unit_test_setup_teardown(test_city_in_a_result_is_a_club, setup, teardown),
    cmocka_unit_test_setup_teardown(test_acronym_after_an_organization, setup, teardown),
    cmocka_unit_test_setup_teardown(test_company_short_names, setup, teardown),
    cmocka_unit_test_setup_teardown(test_surname_links_to_the_full_name, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sentence_initial_common_word_dropped, setup, teardown),
    cmocka_unit_test_setup_teardown(test_empty_text_and_bad_words, setup, teardown),
    cmocka_unit_test_setup_teardown(test_find_survives_allocation_failures, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
