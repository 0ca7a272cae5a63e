/*
 * The process settings of the SQLite library (lector_store_configure_process),
 * in a process of their own since they must come before SQLite's first use:
 * memory statistics are off, and a store works as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"

static void statistics_are_off_and_the_store_works(void **state) {
  (void)state;
  lector_store_configure_process();
  lector_store *store = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_open(":memory:", 0, &store, &err), LECTOR_OK);
  const char *text = "Markets fell in Tokyo. Then they rose.";
  lector_text t = {strdup(text), strlen(text), 0};
  lector_doc *doc = NULL;
  assert_int_equal(lector_doc_new(&t, "d1", NULL, NULL, NULL, &doc, &err), LECTOR_OK);
  const char *id = NULL;
  int is_new = 0;
  assert_int_equal(lector_store_save(store, doc, &id, &is_new, &err), LECTOR_OK);
  assert_string_equal(id, "d1");
  assert_true(is_new);
  /* SQLite allocated, and counted nothing */
  assert_int_equal(sqlite3_memory_used(), 0);
  lector_doc_release(doc);
  assert_int_equal(lector_store_close(store, &err), LECTOR_OK);
  /* once SQLite is in use, the call changes nothing and harms nothing */
  lector_store_configure_process();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(statistics_are_off_and_the_store_works),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
