/*
 * One member of a JSON object found without decoding it: the value as
 * written, whatever the members around it hold; absent members; the last
 * of a repeated key; and "unsure" (decode the whole text) for escaped keys
 * and for text that is not a whole object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json_member.h"

/* The member's value as written, or "<absent>" / "<unsure>". */
static const char *member(const char *json, const char *name) {
  static char out[256];
  const char *value = NULL;
  size_t len = 0;
  switch (lector_json_member(json, name, strlen(name), &value, &len)) {
  case LECTOR_JSON_ABSENT: return "<absent>";
  case LECTOR_JSON_UNSURE: return "<unsure>";
  default: break;
  }
  assert_true(len < sizeof out);
  memcpy(out, value, len);
  out[len] = '\0';
  return out;
}

static void finds_values_of_every_kind(void **state) {
  (void)state;
  const char *json = "{\"a\":\"x\",\"b\":12,\"c\":-0.5e3,\"d\":true,\"e\":null,"
                     "\"f\":[1,[2,{\"g\":3}]],\"h\":{\"i\":{\"j\":\"}]\"}},\"k\":\"\"}";
  assert_string_equal(member(json, "a"), "\"x\"");
  assert_string_equal(member(json, "b"), "12");
  assert_string_equal(member(json, "c"), "-0.5e3");
  assert_string_equal(member(json, "d"), "true");
  assert_string_equal(member(json, "e"), "null");
  assert_string_equal(member(json, "f"), "[1,[2,{\"g\":3}]]");
  assert_string_equal(member(json, "h"), "{\"i\":{\"j\":\"}]\"}}");
  assert_string_equal(member(json, "k"), "\"\"");
  /* names inside nested values are not members */
  assert_string_equal(member(json, "g"), "<absent>");
  assert_string_equal(member(json, "j"), "<absent>");
  assert_string_equal(member(json, "x"), "<absent>");
  assert_string_equal(member(json, ""), "<absent>");
}

static void skips_strings_with_escapes_and_brackets(void **state) {
  (void)state;
  const char *json = "{\"q\":\"say \\\"hi\\\", {not} [this]\\\\\",\"after\":\"\\u00e9\",\"z\":1}";
  assert_string_equal(member(json, "q"), "\"say \\\"hi\\\", {not} [this]\\\\\"");
  assert_string_equal(member(json, "after"), "\"\\u00e9\"");
  assert_string_equal(member(json, "z"), "1");
}

static void allows_whitespace_anywhere_json_does(void **state) {
  (void)state;
  const char *json = " \n{ \"a\" :\t\"x\" ,\r\n \"b\" : [ 1 , 2 ] , \"c\" : 3 } ";
  assert_string_equal(member(json, "a"), "\"x\"");
  assert_string_equal(member(json, "b"), "[ 1 , 2 ]");
  assert_string_equal(member(json, "c"), "3");
  assert_string_equal(member("{}", "a"), "<absent>");
  assert_string_equal(member(" { } ", "a"), "<absent>");
}

static void the_last_of_a_repeated_key_counts(void **state) {
  (void)state;
  assert_string_equal(member("{\"a\":1,\"b\":2,\"a\":3}", "a"), "3");
}

static void unsure_of_escaped_keys_and_broken_text(void **state) {
  (void)state;
  assert_string_equal(member("{\"\\u0061\":1}", "a"), "<unsure>");
  assert_string_equal(member("[1,2]", "a"), "<unsure>");
  assert_string_equal(member("\"a\"", "a"), "<unsure>");
  assert_string_equal(member("", "a"), "<unsure>");
  assert_string_equal(member("{\"a\":1", "a"), "<unsure>");
  assert_string_equal(member("{\"a\":\"open", "a"), "<unsure>");
  assert_string_equal(member("{\"a\":[1,2", "a"), "<unsure>");
  assert_string_equal(member("{\"a\" 1}", "a"), "<unsure>");
  assert_string_equal(member("{\"a\":}", "a"), "<unsure>");
  assert_string_equal(member("{\"a\":1 \"b\":2}", "a"), "<unsure>");
  assert_string_equal(member("{\"a\":\"x\\", "a"), "<unsure>");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(finds_values_of_every_kind),
    cmocka_unit_test(skips_strings_with_escapes_and_brackets),
    cmocka_unit_test(allows_whitespace_anywhere_json_does),
    cmocka_unit_test(the_last_of_a_repeated_key_counts),
    cmocka_unit_test(unsure_of_escaped_keys_and_broken_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
