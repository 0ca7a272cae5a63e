/*
 * The valence scorer's rules, each on a sentence with hand-made hits, and
 * the records it reports of what fired.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "valence.h"

/* The weights of plugins/sentiment/lib/rules.lua. */
static lector_valence_config config(void) {
  static const double k[LECTOR_VK_COUNT] = {3, -0.75, -0.5, -0.6, 3, 0.85, 0.7, 0.3, 4,
                                            0.5, 1.5, 0.5, -0.5, 0.5, 4, 0.05};
  static const int integer[LECTOR_VK_COUNT] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0};
  lector_valence_config cfg;
  for (int i = 0; i < LECTOR_VK_COUNT; i++) cfg.k[i] = (lector_vnum){k[i], integer[i]};
  return cfg;
}

enum { MAX_HITS = 16, MAX_EVENTS = 64 };

/* A sentence being built: its text, hits and what the scorer reported. */
typedef struct fixture {
  const char *text;
  lector_valence_hit hits[MAX_HITS];
  size_t nhits;
  uint32_t block_start[2], block_stop[2];
  size_t nblocked;
  uint8_t negated[MAX_HITS];
  lector_valence_event events[MAX_EVENTS];
  size_t nevents;
} fixture;

/* Tokens are the words between spaces: token of the byte at offset at. */
static int64_t token_at(const char *text, size_t at) {
  int64_t t = 1;
  for (size_t i = 0; i < at; i++) t += text[i] == ' ';
  return t;
}

/* Add a hit on the first occurrence of word at or after offset from. */
static void hit_from(fixture *f, const char *word, size_t from, lector_valence_role role,
                     lector_vnum value) {
  const char *p = strstr(f->text + from, word);
  assert_non_null(p);
  size_t start = (size_t)(p - f->text), stop = start + strlen(word);
  f->hits[f->nhits++] = (lector_valence_hit){(uint32_t)start, (uint32_t)stop,
                                             token_at(f->text, start),
                                             token_at(f->text, stop - 1), role, value};
}

static void hit(fixture *f, const char *word, lector_valence_role role, double value) {
  hit_from(f, word, 0, role, (lector_vnum){value, 0});
}

static void record(void *ud, const lector_valence_event *ev) {
  fixture *f = ud;
  assert_true(f->nevents < MAX_EVENTS);
  f->events[f->nevents++] = *ev;
}

static lector_valence_score score_of(fixture *f) {
  lector_valence_config cfg = config();
  lector_valence_text t = {f->text, strlen(f->text), f->hits, f->nhits, f->block_start,
                           f->block_stop, f->nblocked, f->negated};
  uint32_t len = (uint32_t)strlen(f->text);
  lector_valence_sentence s = {0, len, token_at(f->text, len - 1), 0, f->nhits,
                               lector_valence_exclamations(f->text, 0, len)};
  lector_valence_score out;
  size_t cursor = 0;
  f->nevents = 0;
  lector_valence_score_sentence(&cfg, &t, &s, &cursor, record, f, &out);
  return out;
}

static double sum_of(fixture *f) {
  return score_of(f).sum.v;
}

/* The first event of a kind, which must be there. */
static const lector_valence_event *event(const fixture *f, lector_valence_event_kind kind) {
  for (size_t i = 0; i < f->nevents; i++)
    if (f->events[i].kind == kind) return &f->events[i];
  fail_msg("no event of kind %d", (int)kind);
  return NULL;
}

static int has_event(const fixture *f, lector_valence_event_kind kind) {
  for (size_t i = 0; i < f->nevents; i++)
    if (f->events[i].kind == kind) return 1;
  return 0;
}

static void test_sum_compound_and_proportions(void **state) {
  (void)state;
  fixture f = {.text = "The film was good."};
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  lector_valence_score s = score_of(&f);
  assert_true(s.sum.v == 1.9);
  assert_true(s.compound.v == tanh(1.9 / 4) || fabs(s.compound.v - tanh(1.9 / 4)) < 1e-15);
  /* 4 tokens, one covered: total 1.9 + 3 */
  assert_true(s.pos.v == 1.9 / 4.9);
  assert_true(s.neg.v == 0);
  assert_true(s.neu.v == 3 / 4.9);
}

static void test_booster_decays_with_distance(void **state) {
  (void)state;
  fixture f = {.text = "It was extremely very good."};
  hit(&f, "extremely", LECTOR_VALENCE_BOOSTER, 0.4);
  hit(&f, "very", LECTOR_VALENCE_BOOSTER, 0.3);
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&f) == 1.9 + (0.3 + 0.4 * 0.85));
  const lector_valence_event *b = event(&f, LECTOR_VE_BOOSTER);
  assert_int_equal(b->cue, 1);       /* the nearest booster first */
  assert_true(b->factor.v == 0.3 && !b->factor.integer);
}

static void test_negation_flips_and_weakens(void **state) {
  (void)state;
  fixture f = {.text = "The film was not good."};
  hit(&f, "not", LECTOR_VALENCE_NEGATION, 0);
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&f) == 1.9 * -0.75);
  assert_int_equal(event(&f, LECTOR_VE_NEGATED)->cue, 0);
  assert_false(has_event(&f, LECTOR_VE_BARE_NEGATION));
  fixture g = {.text = "It is not bad."};
  hit(&g, "not", LECTOR_VALENCE_NEGATION, 0);
  hit(&g, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&g) == -2.5 * -0.5);    /* "not bad" is weaker than "good" */
}

static void test_negation_stops_at_a_boundary_and_is_bare(void **state) {
  (void)state;
  fixture f = {.text = "It was not, in the end, good."};
  hit(&f, "not", LECTOR_VALENCE_NEGATION, 0);
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&f) == 1.9 + -0.6);
  assert_int_equal(event(&f, LECTOR_VE_BARE_NEGATION)->cue, 0);
  /* out of scope: three tokens between */
  fixture g = {.text = "It was not what anyone expected good."};
  hit(&g, "not", LECTOR_VALENCE_NEGATION, 0);
  hit(&g, "good", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&g) == 1.9 + -0.6);
}

static void test_capitals_only_in_a_sentence_with_lower_case(void **state) {
  (void)state;
  fixture f = {.text = "The film was GOOD."};
  hit(&f, "GOOD", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&f) == 1.9 + 0.7);
  assert_int_equal(event(&f, LECTOR_VE_CAPITALS)->flag, 1);
  fixture g = {.text = "THE FILM WAS GOOD."};
  hit(&g, "GOOD", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&g) == 1.9);
  fixture h = {.text = "The film was Good."};
  hit(&h, "Good", LECTOR_VALENCE_WORD, 1.9);
  assert_true(sum_of(&h) == 1.9);
}

static void test_scare_words_and_quotes(void **state) {
  (void)state;
  fixture f = {.text = "It was a so-called success."};
  hit(&f, "so-called", LECTOR_VALENCE_SCARE, 0);
  hit(&f, "success", LECTOR_VALENCE_WORD, 2);
  assert_true(sum_of(&f) == 2 * -0.5);
  assert_int_equal(event(&f, LECTOR_VE_SCARE)->cue, 0);
  fixture g = {.text = "It was a \xE2\x80\x9Csuccess\xE2\x80\x9D indeed."};
  hit(&g, "success", LECTOR_VALENCE_WORD, 2);
  assert_true(sum_of(&g) == 2 * -0.5);
  assert_true(event(&g, LECTOR_VE_SCARE)->cue == LECTOR_VALENCE_NO_CUE);
  fixture h = {.text = "It was a \"failure\" indeed."};
  hit(&h, "failure", LECTOR_VALENCE_WORD, -2);
  assert_true(sum_of(&h) == -2 * 0.5);
  fixture open_only = {.text = "It was a \"success indeed."};
  hit(&open_only, "success", LECTOR_VALENCE_WORD, 2);
  assert_true(sum_of(&open_only) == 2);
}

static void test_contrast_weighs_both_sides(void **state) {
  (void)state;
  fixture f = {.text = "The plot was good but the acting was bad."};
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  hit(&f, "but", LECTOR_VALENCE_CONTRAST, 0);
  hit(&f, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&f) == 1.9 * 0.5 + -2.5 * 1.5);
  const lector_valence_event *c = event(&f, LECTOR_VE_CONTRAST);
  assert_true(c->factor.v == 0.5 && c->value.v == 1.5);
  /* a value in (0, 2) is the weight after the word, 2 - value before */
  fixture g = {.text = "The plot was good yet the acting was bad."};
  hit(&g, "good", LECTOR_VALENCE_WORD, 1.9);
  hit(&g, "yet", LECTOR_VALENCE_CONTRAST, 1.25);
  hit(&g, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&g) == 1.9 * (2 - 1.25) + -2.5 * 1.25);
}

static void test_concession_and_hedge_clauses(void **state) {
  (void)state;
  fixture f = {.text = "Although it was good, the result was bad."};
  hit(&f, "Although", LECTOR_VALENCE_CONCESSION, 0);
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  hit(&f, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&f) == 1.9 * 0.5 + -2.5);
  assert_int_equal(event(&f, LECTOR_VE_CLAUSE)->flag, 0);
  /* a hedge's clause starts at the clause mark before it */
  fixture g = {.text = "Sales fell, the good news perhaps, and it was bad."};
  hit(&g, "good", LECTOR_VALENCE_WORD, 1.9);
  hit(&g, "perhaps", LECTOR_VALENCE_HEDGE, 0.25);
  hit(&g, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&g) == 1.9 * 0.25 + -2.5);
  const lector_valence_event *c = event(&g, LECTOR_VE_CLAUSE_CUE);
  assert_int_equal(c->flag, 1);
  assert_true(c->factor.v == 0.25);
}

static void test_exclamation_pushes_away_from_zero(void **state) {
  (void)state;
  fixture f = {.text = "It was bad!!"};
  hit(&f, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&f) == -2.5 - 2 * 0.3);
  assert_int_equal(event(&f, LECTOR_VE_EXCLAMATION)->count, 2);
  fixture g = {.text = "It was bad!!!!!!"};
  hit(&g, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&g) == -2.5 - 4 * 0.3);   /* at most excl_max */
}

static void test_blocked_words_are_not_counted(void **state) {
  (void)state;
  fixture f = {.text = "Good Year Ltd was bad.", .block_start = {0}, .block_stop = {13},
               .nblocked = 1};
  hit(&f, "Good", LECTOR_VALENCE_WORD, 1.9);
  hit(&f, "bad", LECTOR_VALENCE_WORD, -2.5);
  assert_true(sum_of(&f) == -2.5);
  assert_int_equal(event(&f, LECTOR_VE_BLOCKED)->cue, 0);
  assert_int_equal(event(&f, LECTOR_VE_WORD_END)->flag, 1);
}

static void test_integers_stay_integers(void **state) {
  (void)state;
  fixture f = {.text = "A good day."};
  hit_from(&f, "good", 0, LECTOR_VALENCE_WORD, (lector_vnum){2, 1});
  lector_valence_score s = score_of(&f);
  assert_true(s.sum.integer && s.sum.v == 2);
  assert_true(event(&f, LECTOR_VE_WORD_END)->value.integer);
  fixture g = {.text = "A very good day."};
  hit(&g, "very", LECTOR_VALENCE_BOOSTER, 0.3);
  hit_from(&g, "good", 0, LECTOR_VALENCE_WORD, (lector_vnum){2, 1});
  assert_false(score_of(&g).sum.integer);
  /* a blocked word adds nothing: all neutral */
  fixture h = {.text = "Good Ltd.", .block_start = {0}, .block_stop = {8}, .nblocked = 1};
  hit(&h, "Good", LECTOR_VALENCE_WORD, 1.9);
  lector_valence_score b = score_of(&h);
  assert_true(b.sum.integer && b.sum.v == 0 && b.neu.v == 1 && b.pos.v == 0);
}

static void test_compound_clamps_to_integers(void **state) {
  (void)state;
  lector_valence_config cfg = config();
  lector_vnum c = lector_valence_compound(&cfg, (lector_vnum){81, 0});
  assert_true(c.integer && c.v == 1);
  c = lector_valence_compound(&cfg, (lector_vnum){-81, 0});
  assert_true(c.integer && c.v == -1);
  c = lector_valence_compound(&cfg, (lector_vnum){0, 1});
  assert_true(!c.integer && c.v == 0);
}

static void test_events_come_in_explanation_order(void **state) {
  (void)state;
  fixture f = {.text = "Not very good, but bad!"};
  hit(&f, "Not", LECTOR_VALENCE_NEGATION, 0);
  hit(&f, "very", LECTOR_VALENCE_BOOSTER, 0.3);
  hit(&f, "good", LECTOR_VALENCE_WORD, 1.9);
  hit(&f, "but", LECTOR_VALENCE_CONTRAST, 0);
  hit(&f, "bad", LECTOR_VALENCE_WORD, -2.5);
  score_of(&f);
  static const lector_valence_event_kind want[] = {
    LECTOR_VE_RULE_WORD, LECTOR_VE_RULE_WORD, LECTOR_VE_WORD, LECTOR_VE_BOOSTER,
    LECTOR_VE_NEGATED, LECTOR_VE_CONTRAST_SIDE, LECTOR_VE_WORD_END, LECTOR_VE_RULE_WORD,
    LECTOR_VE_WORD, LECTOR_VE_CONTRAST_SIDE, LECTOR_VE_WORD_END, LECTOR_VE_EXCLAMATION,
    LECTOR_VE_CONTRAST, LECTOR_VE_SUM};
  assert_int_equal(f.nevents, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < f.nevents; i++) assert_int_equal(f.events[i].kind, want[i]);
}

static void test_rounding_and_names(void **state) {
  (void)state;
  assert_true(lector_valence_round4(0.12345) == floor(0.12345 * 10000 + 0.5) / 10000);
  assert_true(lector_valence_round4(-0.00004) == 0);
  assert_string_equal(lector_valence_role_name(LECTOR_VALENCE_HEDGE), "hedge");
  assert_int_equal(lector_valence_role_of("scare"), LECTOR_VALENCE_SCARE);
  assert_int_equal(lector_valence_role_of("idiom"), LECTOR_VALENCE_NONE);
  assert_string_equal(lector_valence_constant_name(LECTOR_VK_NEUTRAL), "neutral");
  assert_int_equal(lector_valence_exclamations("a!b!c!", 1, 5), 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sum_compound_and_proportions),
    cmocka_unit_test(test_booster_decays_with_distance),
    cmocka_unit_test(test_negation_flips_and_weakens),
    cmocka_unit_test(test_negation_stops_at_a_boundary_and_is_bare),
    cmocka_unit_test(test_capitals_only_in_a_sentence_with_lower_case),
    cmocka_unit_test(test_scare_words_and_quotes),
    cmocka_unit_test(test_contrast_weighs_both_sides),
    cmocka_unit_test(test_concession_and_hedge_clauses),
    cmocka_unit_test(test_exclamation_pushes_away_from_zero),
    cmocka_unit_test(test_blocked_words_are_not_counted),
    cmocka_unit_test(test_integers_stay_integers),
    cmocka_unit_test(test_compound_clamps_to_integers),
    cmocka_unit_test(test_events_come_in_explanation_order),
    cmocka_unit_test(test_rounding_and_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
