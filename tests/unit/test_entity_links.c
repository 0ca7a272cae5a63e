/*
 * Entity links: mentions grouped by key, counted, named by their first
 * mention, with the other surfaces as aliases, and the value's JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "entity_links.h"

/* A mention keyed by key (NULL: by label and surface), named name. */
static lector_mention mention(const char *label, const char *surface, const char *key,
                              const char *name) {
  lector_mention m = {key, key ? strlen(key) : 0, label, strlen(label),
                      name, name ? strlen(name) : 0, surface, strlen(surface)};
  return m;
}

static void *links_for(lector_entity_links *links, const lector_mention *m, size_t n) {
  size_t bytes = lector_entity_links_bytes(n);
  assert_true(bytes > 0);
  void *memory = malloc(bytes);
  assert_non_null(memory);
  lector_entity_links_init(links, m, n, memory);
  return memory;
}

static char *value_json(const lector_entity_links *links, const lector_mention *m,
                        lector_entity_listed listed) {
  jsonbuf b;
  jsonbuf_init(&b, 16);
  lector_entity_links_json(links, m, listed, NULL, &b);
  size_t len;
  char *json = jsonbuf_finish(&b, &len);
  assert_non_null(json);
  return json;
}

/* "Nicolás Maduro", then "Maduro" and "MADURO" linked to him by key, and
 * "Maduro" again: one entity of four mentions, two aliases. */
static void test_surnames_and_aliases(void **state) {
  (void)state;
  lector_mention m[] = {
    mention("PERSON", "Nicolás Maduro", "p:maduro", NULL),
    mention("GPE", "Caracas", NULL, NULL),
    mention("PERSON", "Maduro", "p:maduro", NULL),
    mention("PERSON", "MADURO", "p:maduro", NULL),
    mention("PERSON", "Maduro", "p:maduro", NULL),
  };
  lector_entity_links links;
  void *memory = links_for(&links, m, 5);
  assert_int_equal(links.count, 2);
  assert_int_equal(links.entity_of[0], 0);
  assert_int_equal(links.entity_of[1], 1);
  assert_int_equal(links.entity_of[4], 0);
  assert_int_equal(links.mentions[0], 4);
  assert_int_equal(links.mentions[1], 1);
  char *json = value_json(&links, m, NULL);
  assert_string_equal(json,
                      "[{\"aliases\":[\"Maduro\",\"MADURO\"],\"id\":\"E1\",\"label\":\"PERSON\","
                      "\"mentions\":4,\"name\":\"Nicolás Maduro\"},"
                      "{\"aliases\":[],\"id\":\"E2\",\"label\":\"GPE\",\"mentions\":1,"
                      "\"name\":\"Caracas\"}]");
  free(json);
  free(memory);
}

/* Without a key, label and surface together make the key: the same words
 * under two labels are two entities, and a canonical name given with the
 * first mention names the entity. */
static void test_label_and_surface_key(void **state) {
  (void)state;
  lector_mention m[] = {
    mention("ORG", "Washington", NULL, "Washington Post"),
    mention("GPE", "Washington", NULL, NULL),
    mention("ORG", "Washington", NULL, "ignored: not the first"),
  };
  lector_entity_links links;
  void *memory = links_for(&links, m, 3);
  assert_int_equal(links.count, 2);
  assert_int_equal(links.entity_of[2], 0);
  const char *name;
  size_t len;
  lector_entity_name(&links, m, 0, &name, &len);
  assert_int_equal(len, strlen("Washington Post"));
  assert_memory_equal(name, "Washington Post", len);
  /* the first mention's surface differs from the name: an alias, once */
  assert_int_equal(links.aliases[0], 0);
  assert_int_equal(links.next_alias[0], LECTOR_NO_ALIAS);
  free(memory);
}

static int not_cardinal(void *ud, const char *label, size_t len) {
  (void)ud;
  return !(len == 8 && memcmp(label, "CARDINAL", 8) == 0);
}

/* Entities refused by listed() are left out of the value, but keep their
 * number: ids are the same whatever is listed. */
static void test_unlisted_keep_ids(void **state) {
  (void)state;
  lector_mention m[] = {
    mention("CARDINAL", "16", NULL, NULL),
    mention("ORG", "UN \"Office\"\n", NULL, NULL),
  };
  lector_entity_links links;
  void *memory = links_for(&links, m, 2);
  char *json = value_json(&links, m, not_cardinal);
  assert_string_equal(json, "[{\"aliases\":[],\"id\":\"E2\",\"label\":\"ORG\",\"mentions\":1,"
                            "\"name\":\"UN \\\"Office\\\"\\n\"}]");
  free(json);
  free(memory);
}

static void test_ids(void **state) {
  (void)state;
  char id[LECTOR_ENTITY_ID_BYTES];
  assert_int_equal(lector_entity_id(0, id), 2);
  assert_string_equal(id, "E1");
  assert_int_equal(lector_entity_id(9, id), 3);
  assert_string_equal(id, "E10");
  lector_entity_id(SIZE_MAX - 1, id);
  assert_string_equal(id, sizeof(size_t) == 8 ? "E18446744073709551615" : "E4294967295");
}

/* No mention: no entity, an empty list. Too many to link: 0 bytes. */
static void test_empty_and_too_many(void **state) {
  (void)state;
  lector_entity_links links;
  void *memory = links_for(&links, NULL, 0);
  assert_int_equal(links.count, 0);
  char *json = value_json(&links, NULL, NULL);
  assert_string_equal(json, "[]");
  free(json);
  free(memory);
  assert_int_equal(lector_entity_links_bytes(SIZE_MAX / 4), 0);
}

/* Many mentions of many keys, each key seen three times with two
 * surfaces: the tables stay linear and every count and alias is right. */
static void test_many(void **state) {
  (void)state;
  enum { KEYS = 5000, N = 3 * KEYS };
  lector_mention *m = calloc(N, sizeof *m);
  char (*keys)[16] = calloc(KEYS, sizeof *keys);
  assert_non_null(m);
  assert_non_null(keys);
  for (size_t k = 0; k < KEYS; k++) {
    snprintf(keys[k], sizeof keys[k], "k%zu", k);
    for (size_t r = 0; r < 3; r++) {
      /* surfaces: the key, the key, then "X" (an alias) */
      m[r * KEYS + k] = mention("ORG", r == 2 ? "X" : keys[k], keys[k], NULL);
    }
  }
  lector_entity_links links;
  void *memory = links_for(&links, m, N);
  assert_int_equal(links.count, KEYS);
  for (size_t e = 0; e < KEYS; e++) {
    assert_int_equal(links.mentions[e], 3);
    assert_int_equal(links.first[e], e);
    assert_int_equal(links.aliases[e], 2 * KEYS + e);
    assert_int_equal(links.next_alias[2 * KEYS + e], LECTOR_NO_ALIAS);
  }
  free(memory);
  free(keys);
  free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_surnames_and_aliases),
    cmocka_unit_test(test_label_and_surface_key),
    cmocka_unit_test(test_unlisted_keep_ids),
    cmocka_unit_test(test_ids),
    cmocka_unit_test(test_empty_and_too_many),
    cmocka_unit_test(test_many),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
