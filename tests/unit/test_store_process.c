/*
 * The process settings of the SQLite library (lector_store_configure_process),
 * in a process of their own since they must come before SQLite's first use:
 * memory statistics are off, the journal that undoes one save stays in
 * memory, and a store works as before.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Open files of this process that SQLite made as temporary files (they are
 * unlinked as soon as they are open, and named etilqs_...). */
static int temporary_files_open(void) {
  DIR *fds = opendir("/proc/self/fd");
  assert_non_null(fds);
  int count = 0;
  for (struct dirent *entry; (entry = readdir(fds));) {
    char link[300], target[512];
    snprintf(link, sizeof link, "/proc/self/fd/%s", entry->d_name);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (strstr(target, "etilqs_")) count++;
  }
  closedir(fds);
  return count;
}

static lector_doc *document_with_labels(int number, int labels) {
  char text[64], id[32];
  snprintf(text, sizeof text, "Report %d. Markets fell in Tokyo.", number);
  snprintf(id, sizeof id, "doc-%d", number);
  lector_text t = {strdup(text), strlen(text), 0};
  lector_doc *doc = NULL;
  lector_error err = {0};
  assert_int_equal(lector_doc_new(&t, id, NULL, NULL, NULL, &doc, &err), LECTOR_OK);
  for (int k = 0; k < labels; k++) {
    char label[16];
    snprintf(label, sizeof label, "L%04d", k);
    assert_int_equal(lector_doc_add_span(doc, "entity", 0, 6, label, NULL, "{\"n\":1}"), LECTOR_OK);
  }
  return doc;
}

/* A save whose undo journal is far over SQLite's own 64 KiB (one new span
 * under each of 100 labels touches every page of the index by label) makes
 * no temporary file within a batch. */
static void a_large_save_is_undone_from_memory(void **state) {
  (void)state;
  lector_store_configure_process();
  char dir[] = "/tmp/lector-process-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/lector.db", dir);
  lector_store *store = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_open(path, 0, &store, &err), LECTOR_OK);
  for (int number = 0; number < 120; number++) {
    lector_doc *doc = document_with_labels(number, 100);
    assert_int_equal(lector_store_save(store, doc, NULL, NULL, &err), LECTOR_OK);
    lector_doc_release(doc);
  }
  assert_int_equal(temporary_files_open(), 0);
  assert_int_equal(lector_store_close(store, &err), LECTOR_OK);
  char wal[80], shm[80];
  snprintf(wal, sizeof wal, "%s-wal", path);
  snprintf(shm, sizeof shm, "%s-shm", path);
  unlink(wal);
  unlink(shm);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(statistics_are_off_and_the_store_works),
      cmocka_unit_test(a_large_save_is_undone_from_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
