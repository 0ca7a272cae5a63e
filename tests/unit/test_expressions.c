/*
 * The expression recognizer of lector.patterns, without Lua: one case per
 * family of the grammar, and the inputs it must survive (a position past
 * the end, invalid UTF-8 around a match, huge digit runs, a long line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expressions.h"

/* The match of pattern `which` at the start of s, which must cover
 * `length` bytes (all of s when length is 0). */
static lector_expression must_match(const char *s, lector_expr_pattern which, size_t length) {
  lector_expression e;
  size_t len = strlen(s);
  assert_true(lector_expression_at(s, len, 0, which, &e));
  assert_int_equal(e.text.start, 0);
  assert_int_equal(e.text.stop, length ? length : len);
  return e;
}

static void must_fail(const char *s, lector_expr_pattern which) {
  lector_expression e;
  assert_false(lector_expression_at(s, strlen(s), 0, which, &e));
}

static void assert_integer(lector_expr_number v, int64_t want) {
  assert_false(v.is_real);
  assert_true(v.integer == want);
}

static void assert_real(lector_expr_number v, double want) {
  assert_true(v.is_real);
  assert_memory_equal(&v.real, &want, sizeof want);
}

static void test_numbers(void **state) {
  (void)state;
  lector_expression e = must_match("1,234,567", LECTOR_EXPR_NUMBER, 0);
  assert_int_equal(e.kind, LECTOR_KIND_NUMBER);
  assert_integer(e.value, 1234567);
  assert_real(must_match("-1,234.5", LECTOR_EXPR_NUMBER, 0).value, -1234.5);
  assert_integer(must_match("1.5bn", LECTOR_EXPR_NUMBER, 0).value, 1500000000);
  assert_real(must_match("1\xC2\xBD", LECTOR_EXPR_NUMBER, 0).value, 1.5);
  assert_integer(must_match("\xE2\x88\x92" "4", LECTOR_EXPR_NUMBER, 0).value, -4);
  assert_integer(must_match("0.1 million", LECTOR_EXPR_NUMBER, 0).value, 100000);
  assert_real(must_match("0.1", LECTOR_EXPR_NUMBER, 0).value, 0.1);
  assert_integer(must_match("0.25 million", LECTOR_EXPR_NUMBER, 0).value, 250000);
  /* more than 17 digits: a float, from the decimal string */
  assert_real(must_match("123456789012345678", LECTOR_EXPR_NUMBER, 0).value, 123456789012345678.0);
  /* thousands separators: one to nine groups, never a tenth */
  assert_integer(must_match("1,234", LECTOR_EXPR_INTEGER, 0).value, 1234);
  assert_integer(must_match("1,2345", LECTOR_EXPR_INTEGER, 1).value, 1);
  must_fail("1.5", LECTOR_EXPR_INTEGER);
  e = must_match("two million three hundred and five thousand", LECTOR_EXPR_NUMBER_WORDS, 0);
  assert_integer(e.value, 2305000);
  assert_integer(must_match("twenty-four", LECTOR_EXPR_NUMBER, 0).value, 24);
  assert_integer(must_match("a dozen", LECTOR_EXPR_NUMBER, 0).value, 12);
  /* a scale word that no group follows ends the match */
  assert_integer(must_match("one thousand and", LECTOR_EXPR_NUMBER_WORDS, 12).value, 1000);
  e = must_match("tens of thousands", LECTOR_EXPR_NUMBER, 0);
  assert_true(e.approx);
  assert_integer(e.value, 10000);
  must_fail("threefold", LECTOR_EXPR_NUMBER);
}

static void test_ordinals_and_percentages(void **state) {
  (void)state;
  assert_integer(must_match("22nd", LECTOR_EXPR_ORDINAL, 0).value, 22);
  assert_integer(must_match("twenty-first", LECTOR_EXPR_ORDINAL, 0).value, 21);
  assert_integer(must_match("11th", LECTOR_EXPR_ORDINAL, 0).value, 11);
  must_fail("11st", LECTOR_EXPR_ORDINAL);
  lector_expression e = must_match("2 percentage points", LECTOR_EXPR_PERCENT, 0);
  assert_int_equal(e.kind, LECTOR_KIND_PERCENT);
  assert_true(e.points);
  e = must_match("12.5 %", LECTOR_EXPR_PERCENT, 0);
  assert_false(e.points);
  assert_real(e.value, 12.5);
  /* blanks may hold one line break, not a blank line */
  must_match("12 per\ncent", LECTOR_EXPR_PERCENT, 0);
  must_fail("12\n\npercent", LECTOR_EXPR_PERCENT);
}

static void test_money(void **state) {
  (void)state;
  lector_expression e = must_match("US$1.2 billion", LECTOR_EXPR_MONEY, 0);
  assert_string_equal(e.currency, "USD");
  assert_integer(e.value, 1200000000);
  assert_integer(must_match("$5m", LECTOR_EXPR_MONEY, 0).value, 5000000);
  e = must_match("50 cents", LECTOR_EXPR_MONEY, 0);
  assert_real(e.value, 0.5);
  assert_string_equal(e.currency, "USD");
  e = must_match("5 francs", LECTOR_EXPR_MONEY, 0);
  assert_null(e.currency);
  assert_string_equal(must_match("3 RMB", LECTOR_EXPR_MONEY, 0).currency, "CNY");
  assert_string_equal(must_match("20\xC2\xA0\xE2\x82\xAC", LECTOR_EXPR_MONEY, 0).currency, "EUR");
  must_fail("USD5", LECTOR_EXPR_MONEY);
  /* in P.any, money after an amount takes no single-letter scale */
  e = must_match("5m dollars", LECTOR_EXPR_ANY, 2);
  assert_int_equal(e.kind, LECTOR_KIND_QUANTITY);
}

static void test_quantities_and_durations(void **state) {
  (void)state;
  lector_expression e = must_match("100,000 barrels per day", LECTOR_EXPR_QUANTITY, 0);
  assert_string_equal(e.unit, "bbl/d");
  assert_string_equal(e.dimension, "flow");
  assert_string_equal(must_match("20 \xC2\xB0" "C", LECTOR_EXPR_QUANTITY, 0).unit, "\xC2\xB0" "C");
  assert_string_equal(must_match("3 sq km", LECTOR_EXPR_QUANTITY, 0).unit, "km2");
  must_fail("5 M", LECTOR_EXPR_QUANTITY);
  e = must_match("three-year", LECTOR_EXPR_DURATION, 0);
  assert_string_equal(e.unit, "year");
  assert_integer(e.value, 3);
}

static void test_dates(void **state) {
  (void)state;
  lector_expression e = must_match("Sunday, November 2, 2025", LECTOR_EXPR_DATE, 0);
  assert_string_equal(e.iso, "2025-11-02");
  assert_int_equal(e.weekday, 7);
  assert_int_equal(e.norder, 4);
  assert_int_equal(e.order[0], LECTOR_FIELD_WEEKDAY);
  assert_string_equal(must_match("3rd of Nov.", LECTOR_EXPR_DATE, 0).iso, "");
  assert_string_equal(must_match("2024-02-29", LECTOR_EXPR_DATE, 0).iso, "2024-02-29");
  must_match("2/29/2000", LECTOR_EXPR_DATE, 0);
  /* an impossible date is no date, but its year may be */
  must_fail("1900-02-29", LECTOR_EXPR_DATE);
  must_fail("Feb. 29, 2025", LECTOR_EXPR_DATE);
  assert_int_equal(must_match("Feb. 29", LECTOR_EXPR_DATE, 0).day, 29);
  assert_true(lector_expression_at("Feb. 29, 2025", 13, 9, LECTOR_EXPR_DATE, &e));
  assert_string_equal(e.iso, "2025");
  must_fail("2025-13-01", LECTOR_EXPR_DATE);
  must_fail("Apr 31", LECTOR_EXPR_DATE);
  e = must_match("two weeks ago", LECTOR_EXPR_DATE, 0);
  assert_true(e.ago);
  assert_integer(e.offset, -2);
  assert_string_equal(e.relative, "past");
  assert_false(LECTOR_HAS(&e, LECTOR_FIELD_COUNT));
  e = must_match("last two years", LECTOR_EXPR_DATE, 0);
  assert_false(LECTOR_HAS(&e, LECTOR_FIELD_OFFSET));
  assert_integer(e.count, 2);
  e = must_match("mid-1990s", LECTOR_EXPR_DATE, 0);
  assert_string_equal(e.part, "mid");
  assert_int_equal(e.decade, 1990);
  must_fail("May", LECTOR_EXPR_DATE);
  assert_int_equal(must_match("May", LECTOR_EXPR_MONTH, 0).month, 5);
  must_fail("june", LECTOR_EXPR_DATE);
  assert_int_equal(must_match("June", LECTOR_EXPR_DATE, 0).month, 6);
  must_fail("2100", LECTOR_EXPR_YEAR);
  assert_int_equal(must_match("2006", LECTOR_EXPR_ANY, 0).kind, LECTOR_KIND_DATE);
  assert_int_equal(must_match("2000 tonnes", LECTOR_EXPR_ANY, 0).kind, LECTOR_KIND_QUANTITY);
}

static void test_times(void **state) {
  (void)state;
  lector_expression e = must_match("10:30 a.m. EST", LECTOR_EXPR_TIME, 0);
  assert_string_equal(e.iso, "10:30");
  assert_string_equal(e.zone, "EST");
  assert_string_equal(e.ampm, "am");
  assert_string_equal(must_match("12 am", LECTOR_EXPR_TIME, 0).iso, "00:00");
  assert_string_equal(must_match("1430 GMT", LECTOR_EXPR_TIME, 0).iso, "14:30");
  assert_string_equal(must_match("11:15:30", LECTOR_EXPR_TIME, 0).iso, "11:15:30");
  must_fail("13 pm", LECTOR_EXPR_TIME);
  must_fail("10:60", LECTOR_EXPR_TIME);
  assert_int_equal(must_match("midnight", LECTOR_EXPR_TIME, 0).hour, 0);
}

static void test_urls_and_emails(void **state) {
  (void)state;
  const char *s = "HTTPS://News.BBC.co.uk/a_b?x=1).";
  lector_expression e = must_match(s, LECTOR_EXPR_URL, strlen(s) - 2);
  assert_int_equal(e.host.start, 8);
  assert_int_equal(e.host.stop, 22);
  assert_true(LECTOR_HAS(&e, LECTOR_FIELD_SCHEME));
  e = must_match("news.bbc.co.uk", LECTOR_EXPR_URL, 0);
  assert_false(LECTOR_HAS(&e, LECTOR_FIELD_SCHEME));
  must_fail("e.g.", LECTOR_EXPR_URL);
  must_fail("x.comx", LECTOR_EXPR_URL);
  e = must_match("john.doe@Example.ORG", LECTOR_EXPR_EMAIL, 0);
  assert_int_equal(e.user.stop, 8);
  assert_int_equal(e.domain.start, 9);
  must_fail("a@b.c", LECTOR_EXPR_EMAIL);
  /* no expression may start with "." */
  must_fail(".john@x.com", LECTOR_EXPR_EMAIL);
}

/* No match starts with a byte outside a pattern's first bytes. */
static void test_first_bytes(void **state) {
  (void)state;
  static const char *const rests[] = {"", "1", "5 m", "2025", "ne", "\xA3" "5", "\x82\xAC" "5",
                                      "\x88\x92" "4", "@x.com", "x.com", "$5", "1st", "oon"};
  for (lector_expr_pattern p = 0; p < LECTOR_EXPR_PATTERNS; p++) {
    const char *first = lector_expression_first_bytes(p);
    assert_true(first[0] != 0);
    for (int b = 1; b < 256; b++) {
      if (strchr(first, b)) continue;
      for (size_t i = 0; i < sizeof rests / sizeof rests[0]; i++) {
        char s[32];
        s[0] = (char)b;
        strcpy(s + 1, rests[i]);
        lector_expression e;
        assert_false(lector_expression_at(s, strlen(s), 0, p, &e));
      }
    }
  }
  assert_string_equal(lector_expression_first_bytes(LECTOR_EXPR_YEAR), "0123456789");
  assert_string_equal(lector_expression_first_bytes(LECTOR_EXPR_PATTERNS), "");
}

static void test_bad_inputs(void **state) {
  (void)state;
  lector_expression e;
  const char *s = "42";
  assert_false(lector_expression_at(s, 2, 2, LECTOR_EXPR_ANY, &e));
  assert_false(lector_expression_at(s, 2, 3, LECTOR_EXPR_ANY, &e));
  assert_false(lector_expression_at(s, 2, SIZE_MAX, LECTOR_EXPR_ANY, &e));
  assert_false(lector_expression_at(s, 2, 0, LECTOR_EXPR_PATTERNS, &e));
  assert_false(lector_expression_at(s, 0, 0, LECTOR_EXPR_ANY, &e));
  /* the length is the limit, not a NUL */
  assert_true(lector_expression_at("12345", 2, 0, LECTOR_EXPR_NUMBER, &e));
  assert_int_equal(e.text.stop, 2);
  /* invalid UTF-8: a lone lead or continuation byte is a letter */
  assert_false(lector_expression_at("12\xC3", 3, 0, LECTOR_EXPR_NUMBER, &e));
  assert_true(lector_expression_at("\xFF" "12 \xE2\x82", 6, 1, LECTOR_EXPR_NUMBER, &e));
  assert_int_equal(e.text.stop, 3);
  assert_false(lector_expression_at("5 \xE2\x82", 4, 0, LECTOR_EXPR_MONEY, &e));
  assert_false(lector_expression_at("\xE2\x82\xAC" "5\x80", 5, 0, LECTOR_EXPR_ANY, &e));
  /* 30 digits are a numeral, 31 nothing; a huge run is nothing either */
  char digits[200001];
  memset(digits, '7', sizeof digits - 1);
  digits[sizeof digits - 1] = 0;
  assert_true(lector_expression_at(digits, 30, 0, LECTOR_EXPR_NUMBER, &e));
  assert_true(e.value.is_real);
  assert_false(lector_expression_at(digits, 31, 0, LECTOR_EXPR_NUMBER, &e));
  for (lector_expr_pattern p = 0; p < LECTOR_EXPR_PATTERNS; p++)
    assert_false(lector_expression_at(digits, sizeof digits - 1, 0, p, &e));
  /* a host's label longer than a host can be is none, from a digit as
   * from a letter: a try at each digit of "1-1-1-..." reads 253 bytes,
   * not the rest of the run */
  char host[310];
  for (size_t i = 0; i < 301; i++) host[i] = i % 2 ? '-' : '1';
  memcpy(host + 301, ".com", 5);
  assert_true(lector_expression_at(host + 100, 205, 0, LECTOR_EXPR_URL, &e));
  assert_int_equal(e.text.stop, 205);
  assert_false(lector_expression_at(host, 305, 0, LECTOR_EXPR_URL, &e));
  /* a whole host, its last label too, is at most 253 bytes: as a URL and
   * as an e-mail address's domain */
  char name[300];
  for (size_t len = 252; len <= 254; len++) {
    memset(name, 'a', len - 4);
    memcpy(name, "b.", 2);
    memcpy(name + len - 4, ".com", 5);
    assert_true(strlen(name) == len);
    assert_int_equal(lector_expression_at(name, len, 0, LECTOR_EXPR_URL, &e), len <= 253);
    char mail[310] = "x@";
    strcat(mail, name);
    assert_int_equal(lector_expression_at(mail, len + 2, 0, LECTOR_EXPR_EMAIL, &e), len <= 253);
  }
  /* a very long line of words and blanks: each position answers alone */
  size_t n = 1 << 20;
  char *line = malloc(n + 1);
  assert_non_null(line);
  for (size_t i = 0; i < n; i++) line[i] = "one two   "[i % 10];
  line[n] = 0;
  assert_true(lector_expression_at(line, n, 0, LECTOR_EXPR_NUMBER, &e));
  assert_int_equal(e.text.stop, 3);
  memset(line, ' ', n);
  memcpy(line + n - 3, "5 m", 3);
  assert_true(lector_expression_at(line, n, n - 3, LECTOR_EXPR_ANY, &e));
  assert_int_equal(e.kind, LECTOR_KIND_QUANTITY);
  assert_false(lector_expression_at(line, n, 0, LECTOR_EXPR_ANY, &e));
  free(line);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_ordinals_and_percentages),
    cmocka_unit_test(test_money),
    cmocka_unit_test(test_quantities_and_durations),
    cmocka_unit_test(test_dates),
    cmocka_unit_test(test_times),
    cmocka_unit_test(test_urls_and_emails),
    cmocka_unit_test(test_first_bytes),
    cmocka_unit_test(test_bad_inputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
