/*
 * Expression scans without Lua: where a scanner tries the recognizer, how
 * it moves on, its word table, and texts that must cost linear time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expression_scan.h"

enum { SLOTS = 128 };
static lector_scan_word slots[SLOTS];
static lector_expr_scanner scanner;

static void add_words(const char *list, unsigned flags) {
  char copy[512];
  snprintf(copy, sizeof copy, "%s", list);
  for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
    assert_true(lector_expr_scanner_add(&scanner, w, strlen(w), flags));
}

/* The entities pass's configuration, in short. */
static int setup(void **state) {
  (void)state;
  lector_expr_scanner_init(&scanner, slots, SLOTS);
  add_words("three twenty yesterday early www", LECTOR_SCAN_ANYWHERE);
  add_words("a this last", LECTOR_SCAN_BEFORE_TIME);
  add_words("week year dozen may", LECTOR_SCAN_TIME_WORD);
  add_words("may march", LECTOR_SCAN_BEFORE_DIGIT);
  add_words("may march", LECTOR_SCAN_CAPITALIZED);
  return 0;
}

/* "start-stop kind" of every match in s, separated by blanks. */
static const char *scan(const char *s) {
  static char out[4096];
  size_t n = 0, len = strlen(s);
  lector_expr_scan st;
  lector_expression e;
  out[0] = 0;
  lector_expr_scan_begin(&st, 0);
  while (lector_expr_scan_next(&scanner, s, len, &st, &e))
    n += (size_t)snprintf(out + n, sizeof out - n, "%s%zu-%zu %s", n ? " " : "", e.text.start,
                          e.text.stop, lector_expr_kind_names[e.kind]);
  assert_int_equal(st.pos, len);
  return out;
}

static void test_words(void **state) {
  (void)state;
  assert_int_equal(scanner.words, 13);
  assert_int_equal(lector_expr_scanner_flags(&scanner, "MAY", 3),
                   LECTOR_SCAN_TIME_WORD | LECTOR_SCAN_BEFORE_DIGIT | LECTOR_SCAN_CAPITALIZED);
  assert_int_equal(lector_expr_scanner_flags(&scanner, "Three", 5), LECTOR_SCAN_ANYWHERE);
  assert_int_equal(lector_expr_scanner_flags(&scanner, "four", 4), 0);
  assert_int_equal(lector_expr_scanner_flags(&scanner, "", 0), 0);
  /* refused: no letters, other bytes, too long, no flags, unknown flags */
  assert_false(lector_expr_scanner_add(&scanner, "", 0, LECTOR_SCAN_ANYWHERE));
  assert_false(lector_expr_scanner_add(&scanner, "a1", 2, LECTOR_SCAN_ANYWHERE));
  assert_false(lector_expr_scanner_add(&scanner, "caf\xC3\xA9", 5, LECTOR_SCAN_ANYWHERE));
  char longest[LECTOR_SCAN_WORD_BYTES + 1];
  memset(longest, 'x', sizeof longest);
  assert_false(lector_expr_scanner_add(&scanner, longest, sizeof longest, LECTOR_SCAN_ANYWHERE));
  assert_true(lector_expr_scanner_add(&scanner, longest, sizeof longest - 1, LECTOR_SCAN_ANYWHERE));
  assert_false(lector_expr_scanner_add(&scanner, "four", 4, 0));
  assert_false(lector_expr_scanner_add(&scanner, "four", 4, 64));
  /* a full table refuses a new word, and still answers */
  lector_scan_word few[4];
  lector_expr_scanner small;
  lector_expr_scanner_init(&small, few, 4);
  assert_true(lector_expr_scanner_add(&small, "one", 3, LECTOR_SCAN_ANYWHERE));
  assert_true(lector_expr_scanner_add(&small, "two", 3, LECTOR_SCAN_ANYWHERE));
  assert_false(lector_expr_scanner_add(&small, "six", 3, LECTOR_SCAN_ANYWHERE));
  assert_true(lector_expr_scanner_add(&small, "ONE", 3, LECTOR_SCAN_BEFORE_DIGIT));
  assert_int_equal(lector_expr_scanner_flags(&small, "six", 3), 0);
}

static void test_starts(void **state) {
  (void)state;
  assert_string_equal(scan("It rose 5 pct to 1,234.5 dlrs."), "8-13 percent 17-29 money");
  assert_string_equal(scan("a +4 and -3 and \xE2\x88\x92" "2"), "2-4 number 9-11 number 16-20 number");
  assert_string_equal(scan("$5 \xC2\xA3" "3 \xE2\x82\xAC" "7 \xC2\xBD"), "0-2 money 3-6 money 7-11 money 12-14 number");
  assert_string_equal(scan("US$5, HK$3, U.S.$2, USD 4"), "0-4 money 6-10 money 12-18 money 20-25 money");
  /* configured words, and what each needs after it */
  assert_string_equal(scan("three ships, Twenty men, yesterday"), "0-5 number 13-19 number 25-34 date");
  assert_string_equal(scan("this year, this company, last  week, a dozen, a record"),
                      "0-9 date 25-35 date 37-44 number");
  assert_string_equal(scan("may 5, you may go, March 5, march on"), "0-5 date 19-26 date");
  assert_string_equal(scan("In May 2020, MARCH, MAy 5, Mayor"), "3-11 date 13-18 date 20-25 date");
  /* a word that opens nothing when a word byte goes on after it */
  assert_string_equal(scan("threes three_ three\xC3\xA9 yesterday1"), "");
  /* host names and e-mail addresses */
  assert_string_equal(scan("see reuters.com or ir@acme.com"), "4-15 url 19-30 email");
  assert_string_equal(scan("Write to IR@acme.com or _x@y.org"), "9-20 email 24-32 email");
}

static void test_moving_on(void **state) {
  (void)state;
  /* joined words are one: nothing at "30", "5" or "19" */
  assert_string_equal(scan("Su-30 and 3.5 and COVID-19"), "10-13 number");
  /* a hyphen after a digit does not join */
  assert_string_equal(scan("2006-2008"), "0-4 date 5-9 date");
  /* after a match ending inside a word: over the rest of it */
  assert_string_equal(scan("3-year-old 5, 5km-long 7"), "0-6 duration 11-12 number 14-17 quantity 23-24 number");
  /* the scan begins where it is told */
  lector_expr_scan st;
  lector_expression e;
  const char *s = "1 and 2";
  lector_expr_scan_begin(&st, 2);
  assert_true(lector_expr_scan_next(&scanner, s, strlen(s), &st, &e));
  assert_int_equal(e.text.start, 6);
  assert_false(lector_expr_scan_next(&scanner, s, strlen(s), &st, &e));
  assert_false(lector_expr_scan_next(&scanner, s, strlen(s), &st, &e));
}

/* A text of n bytes repeating unit, scanned: must return, and fast (a
 * quadratic scan of a megabyte would take minutes). */
static size_t scan_repeated(const char *unit, size_t n) {
  char *s = malloc(n);
  assert_non_null(s);
  size_t u = strlen(unit), found = 0;
  for (size_t i = 0; i < n; i++) s[i] = unit[i % u];
  lector_expr_scan st;
  lector_expression e;
  lector_expr_scan_begin(&st, 0);
  while (lector_expr_scan_next(&scanner, s, n, &st, &e)) found++;
  free(s);
  return found;
}

static void test_hostile_texts(void **state) {
  (void)state;
  size_t n = 1 << 20;
  assert_int_equal(scan_repeated("7", n), 0);
  assert_int_equal(scan_repeated(".", n), 0);
  assert_int_equal(scan_repeated("may ", n), 0);
  assert_int_equal(scan_repeated("_%", n), 0);
  assert_int_equal(scan_repeated("a", n), 0);
  assert_int_equal(scan_repeated("\xFF\x80", n), 0);
  assert_int_equal(scan_repeated("1-", n), n / 2);
  assert_int_equal(scan_repeated("x@", n / 4), 0);
  assert_int_equal(scan_repeated("a.", n / 4), 0);
  assert_int_equal(scan_repeated("this ", n), 0);
  assert_int_equal(scan_repeated("three ", n), n / 6);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_words, setup),
    cmocka_unit_test_setup(test_starts, setup),
    cmocka_unit_test_setup(test_moving_on, setup),
    cmocka_unit_test_setup(test_hostile_texts, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
