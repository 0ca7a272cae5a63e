/*
 * The SQLite store: schema, saving, deduplication, batches, loading, FTS5,
 * and the files it must refuse without touching them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lector_limits.h"
#include "store.h"

#ifndef LECTOR_FIXTURES_DIR
#define LECTOR_FIXTURES_DIR "tests/fixtures"
#endif
#define FIXTURE LECTOR_FIXTURES_DIR "/000_eec91c594e6a2ce7.txt"

/* ---- helpers -------------------------------------------------------------- */

typedef struct fixture {
  char dir[64];
  char db[128];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  snprintf(f->dir, sizeof f->dir, "/tmp/lector-store-XXXXXX");
  if (!mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
  snprintf(f->db, sizeof f->db, "%s/lector.db", f->dir);
  *state = f;
  return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  chmod(path, 0700);
  return remove(path);
}

static int teardown(void **state) {
  fixture *f = *state;
  chmod(f->dir, 0700);
  nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

static char *read_all(const char *path, size_t *len) {
  FILE *file = fopen(path, "rb");
  if (!file) return NULL;
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *data = malloc((size_t)size + 1);
  assert_non_null(data);
  *len = fread(data, 1, (size_t)size, file);
  data[*len] = '\0';
  fclose(file);
  return data;
}

static void write_all(const char *path, const void *data, size_t len) {
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(data, 1, len, file), len);
  fclose(file);
}

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static lector_doc *make_doc(const char *id, const char *title, const char *text) {
  lector_text t = {strdup(text), strlen(text), 0};
  assert_non_null(t.data);
  lector_doc *doc = NULL;
  lector_error err = {0};
  assert_int_equal(lector_doc_new(&t, id, NULL, title, NULL, &doc, &err), LECTOR_OK);
  return doc;
}

static lector_doc *fixture_doc(const char *id) {
  size_t len = 0;
  char *text = read_all(FIXTURE, &len);
  assert_non_null(text);
  lector_doc *doc = make_doc(id, "Russia Reiterates Support for Venezuela", text);
  free(text);
  return doc;
}

static lector_store *open_ok(const char *path) {
  lector_store *store = NULL;
  lector_error err = {0};
  lector_status status = lector_store_open(path, 0, &store, &err);
  if (status != LECTOR_OK) fail_msg("open %s: %s", path, err.message);
  return store;
}

static void save_ok(lector_store *store, const lector_doc *doc, const char **id, int *is_new) {
  lector_error err = {0};
  lector_status status = lector_store_save(store, doc, id, is_new, &err);
  if (status != LECTOR_OK) fail_msg("save %s: %s", doc->id, err.message);
}

static void close_ok(lector_store *store) {
  lector_error err = {0};
  assert_int_equal(lector_store_close(store, &err), LECTOR_OK);
}

/* The first column of the one row a query returns, as an integer; the query
 * takes up to one text parameter. */
static sqlite3_int64 query_int(lector_store *store, const char *sql, const char *param) {
  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  if (lector_store_prepare(store, sql, &stmt, &err) != LECTOR_OK) fail_msg("%s: %s", sql, err.message);
  if (param) sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  sqlite3_int64 value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

/* The same text query, through a separate connection: what another process
 * would see of the file, i.e. only committed data. */
static sqlite3_int64 outside_count(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  sqlite3_int64 value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

static void raw_exec(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char *message = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) fail_msg("%s", message);
  sqlite3_close(db);
}

static lector_doc *numbered_doc(int n) {
  char id[32], text[160];
  snprintf(id, sizeof id, "doc-%d", n);
  snprintf(text, sizeof text,
           "Report number %d from the harbour. The ferry left at %d o'clock.", n, n % 24);
  return make_doc(id, NULL, text);
}

/* ---- opening and the schema ------------------------------------------------- */

static void test_open_creates_and_reopens(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  assert_true(file_exists(f->db));
  assert_string_equal(lector_store_path(store), f->db);
  close_ok(store);
  store = open_ok(f->db);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents", NULL), 0);
  close_ok(store);
  assert_int_equal(lector_store_close(NULL, NULL), LECTOR_OK);
}

static void test_schema_version_and_settings(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  assert_int_equal(query_int(store, "PRAGMA user_version", NULL), LECTOR_SCHEMA_VERSION);
  assert_int_equal(query_int(store, "PRAGMA application_id", NULL), 0x4C656374);
  assert_int_equal(query_int(store, "PRAGMA foreign_keys", NULL), 1);
  assert_int_equal(query_int(store, "SELECT journal_mode = 'wal' FROM pragma_journal_mode", NULL), 1);
  const char *objects[] = {"documents", "sentences", "spans", "doc_values", "runs",
                           "documents_fts", "spans_by_doc_layer", "spans_by_layer_label"};
  for (size_t i = 0; i < sizeof objects / sizeof *objects; i++)
    assert_int_equal(query_int(store, "SELECT count(*) FROM sqlite_master WHERE name = ?1", objects[i]), 1);
  close_ok(store);
  /* Opening again does not migrate again. */
  store = open_ok(f->db);
  assert_int_equal(query_int(store, "PRAGMA user_version", NULL), LECTOR_SCHEMA_VERSION);
  close_ok(store);
}

static void test_empty_file_is_initialized(void **state) {
  fixture *f = *state;
  write_all(f->db, "", 0);
  lector_store *store = open_ok(f->db);
  assert_int_equal(query_int(store, "PRAGMA user_version", NULL), LECTOR_SCHEMA_VERSION);
  close_ok(store);
}

static void test_memory_database(void **state) {
  (void)state;
  lector_store *store = open_ok(":memory:");
  lector_doc *doc = fixture_doc("memo");
  const char *id = NULL;
  int is_new = -1;
  save_ok(store, doc, &id, &is_new);
  assert_string_equal(id, "memo");
  assert_int_equal(is_new, 1);
  lector_doc *loaded = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_load(store, "memo", &loaded, &err), LECTOR_OK);
  assert_string_equal(loaded->sha256, doc->sha256);
  lector_doc_release(loaded);
  lector_doc_release(doc);
  close_ok(store);
}

/* ---- saving ----------------------------------------------------------------- */

static void test_same_text_is_stored_once(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *first = fixture_doc("first");
  lector_doc *second = fixture_doc("second");
  const char *id = NULL;
  int is_new = -1;
  save_ok(store, first, &id, &is_new);
  assert_string_equal(id, "first");
  assert_int_equal(is_new, 1);
  save_ok(store, second, &id, &is_new);
  assert_string_equal(id, "first");
  assert_int_equal(is_new, 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents", NULL), 1);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents WHERE id = 'second'", NULL), 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM sentences", NULL),
                   (sqlite3_int64)first->seg.sentence_count);
  lector_doc_release(first);
  lector_doc_release(second);
  close_ok(store);
}

static void test_changed_text_replaces(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *old_doc = make_doc("story", "Old", "The council met on Monday. It voted.");
  double score = 0.5;
  assert_int_equal(lector_doc_add_span(old_doc, "entity", 4, 11, "ORG", &score, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(old_doc, "sentiment", "0.1"), LECTOR_OK);
  save_ok(store, old_doc, NULL, NULL);

  lector_doc *new_doc = make_doc("story", "New", "The council met on Tuesday. It voted again. Then it rose.");
  const char *id = NULL;
  int is_new = -1;
  save_ok(store, new_doc, &id, &is_new);
  assert_string_equal(id, "story");
  assert_int_equal(is_new, 1);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents", NULL), 1);
  assert_int_equal(query_int(store, "SELECT text LIKE '%Tuesday%' AND title = 'New' FROM documents", NULL), 1);
  assert_int_equal(query_int(store, "SELECT sha256 = ?1 FROM documents", new_doc->sha256), 1);
  assert_int_equal(query_int(store, "SELECT count(*) FROM spans", NULL), 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM doc_values", NULL), 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM sentences", NULL),
                   (sqlite3_int64)new_doc->seg.sentence_count);
  /* The old text is no longer found; the new one is. */
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'monday'", NULL), 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'tuesday'", NULL), 1);
  lector_doc_release(old_doc);
  lector_doc_release(new_doc);
  close_ok(store);
}

static void test_sentence_rows_match_segmentation(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *doc = fixture_doc("article");
  assert_true(doc->seg.sentence_count > 5);
  save_ok(store, doc, NULL, NULL);
  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_prepare(store,
                     "SELECT s.idx, s.start, s.stop,"
                     " substr(CAST(d.text AS BLOB), s.start + 1, s.stop - s.start)"
                     " FROM sentences s JOIN documents d ON d.id = s.doc_id"
                     " WHERE s.doc_id = 'article' ORDER BY s.idx", &stmt, &err), LECTOR_OK);
  size_t i = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    assert_true(i < doc->seg.sentence_count);
    const lector_sentence *s = &doc->seg.sentences[i];
    assert_int_equal(sqlite3_column_int64(stmt, 0), (sqlite3_int64)i + 1);
    assert_int_equal(sqlite3_column_int64(stmt, 1), s->start);
    assert_int_equal(sqlite3_column_int64(stmt, 2), s->stop);
    assert_int_equal(sqlite3_column_bytes(stmt, 3), (int)(s->stop - s->start));
    assert_memory_equal(sqlite3_column_blob(stmt, 3), doc->text + s->start, s->stop - s->start);
    i++;
  }
  assert_int_equal(i, doc->seg.sentence_count);
  sqlite3_finalize(stmt);
  lector_doc_release(doc);
  close_ok(store);
}

static void test_spans_and_values_are_stored(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *doc = fixture_doc("article");
  const char *caracas = strstr(doc->text, "Caracas");
  assert_non_null(caracas);
  uint32_t at = (uint32_t)(caracas - doc->text);
  double score = 0.875;
  assert_int_equal(lector_doc_add_span(doc, "entity", at, at + 7, "GPE", &score,
                                       "{\"wiki\":\"Caracas\"}"), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(doc, "quote", 0, 6, NULL, NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(doc, "sentiment", "{\"score\":-0.25}"), LECTOR_OK);
  save_ok(store, doc, NULL, NULL);

  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_prepare(store,
                     "SELECT layer, label, start, stop, score, attrs, run_id FROM spans"
                     " WHERE doc_id = 'article' ORDER BY rowid", &stmt, &err), LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "entity");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 1), "GPE");
  assert_int_equal(sqlite3_column_int64(stmt, 2), at);
  assert_int_equal(sqlite3_column_int64(stmt, 3), at + 7);
  assert_true(sqlite3_column_double(stmt, 4) == 0.875);
  assert_string_equal((const char *)sqlite3_column_text(stmt, 5), "{\"wiki\":\"Caracas\"}");
  assert_int_equal(sqlite3_column_type(stmt, 6), SQLITE_NULL);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "quote");
  assert_int_equal(sqlite3_column_type(stmt, 1), SQLITE_NULL);
  assert_int_equal(sqlite3_column_type(stmt, 4), SQLITE_NULL);
  assert_int_equal(sqlite3_column_type(stmt, 5), SQLITE_NULL);
  assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  assert_int_equal(query_int(store,
                     "SELECT value ->> '$.score' = -0.25 FROM doc_values"
                     " WHERE doc_id = 'article' AND key = ?1", "sentiment"), 1);
  lector_doc_release(doc);
  close_ok(store);
}

static void test_duplicate_replaces_layers_it_carries(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *first = fixture_doc("first");
  assert_int_equal(lector_doc_add_span(first, "entity", 0, 6, "GPE", NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(first, "entity", 19, 26, "PERSON", NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(first, "quote", 30, 40, NULL, NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(first, "summary", "\"old\""), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(first, "words", "900"), LECTOR_OK);
  save_ok(store, first, NULL, NULL);

  lector_doc *again = fixture_doc("again");
  assert_int_equal(lector_doc_add_span(again, "entity", 30, 37, "GPE", NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(again, "summary", "\"new\""), LECTOR_OK);
  const char *id = NULL;
  int is_new = -1;
  save_ok(store, again, &id, &is_new);
  assert_string_equal(id, "first");
  assert_int_equal(is_new, 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM spans WHERE layer = 'entity' AND doc_id = ?1", "first"), 1);
  assert_int_equal(query_int(store, "SELECT start FROM spans WHERE layer = 'entity'", NULL), 30);
  assert_int_equal(query_int(store, "SELECT count(*) FROM spans WHERE layer = 'quote'", NULL), 1);
  assert_int_equal(query_int(store, "SELECT value = '\"new\"' FROM doc_values WHERE key = ?1", "summary"), 1);
  assert_int_equal(query_int(store, "SELECT value FROM doc_values WHERE key = ?1", "words"), 900);
  assert_int_equal(query_int(store, "SELECT count(*) FROM spans WHERE doc_id = ?1", "again"), 0);
  lector_doc_release(first);
  lector_doc_release(again);
  close_ok(store);
}

static void test_fts_finds_title_and_text(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *article = fixture_doc("article");
  lector_doc *other = make_doc("other", "Harbour news", "The ferry left at noon. Nobody was aboard.");
  save_ok(store, article, NULL, NULL);
  save_ok(store, other, NULL, NULL);
  const char *sql = "SELECT group_concat(d.id) FROM documents_fts JOIN documents d"
                    " ON d.rowid = documents_fts.rowid WHERE documents_fts MATCH ?1";
  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  const char *queries[][2] = {
    {"title:reiterates", "article"},  /* only in the title given to the document */
    {"kremlin", "article"},           /* in the text */
    {"nicolas", "article"},           /* "Nicolás": accents are folded */
    {"title:harbour", "other"},
    {"ferry", "other"},
  };
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    assert_int_equal(lector_store_prepare(store, sql, &stmt, &err), LECTOR_OK);
    sqlite3_bind_text(stmt, 1, queries[i][0], -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), queries[i][1]);
    sqlite3_finalize(stmt);
  }
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?1", "zeppelin"), 0);
  lector_doc_release(article);
  lector_doc_release(other);
  close_ok(store);
}

static void test_batches_commit_every_batch_size(void **state) {
  fixture *f = *state;
  const char *count_sql = "SELECT count(*) FROM documents";
  lector_store *store = open_ok(f->db);
  int total = LECTOR_STORE_BATCH + 7;
  for (int n = 0; n < total; n++) {
    lector_doc *doc = numbered_doc(n);
    save_ok(store, doc, NULL, NULL);
    lector_doc_release(doc);
    if (n == LECTOR_STORE_BATCH - 2) assert_int_equal(outside_count(f->db, count_sql), 0);
    if (n == LECTOR_STORE_BATCH - 1) assert_int_equal(outside_count(f->db, count_sql), LECTOR_STORE_BATCH);
  }
  assert_int_equal(outside_count(f->db, count_sql), LECTOR_STORE_BATCH);
  lector_error err = {0};
  assert_int_equal(lector_store_flush(store, &err), LECTOR_OK);
  assert_int_equal(outside_count(f->db, count_sql), total);
  /* What is pending at close is committed too. */
  lector_doc *last = numbered_doc(total);
  save_ok(store, last, NULL, NULL);
  lector_doc_release(last);
  assert_int_equal(outside_count(f->db, count_sql), total);
  close_ok(store);
  assert_int_equal(outside_count(f->db, count_sql), total + 1);
}

static void test_prepare_sees_pending_saves_and_takes_one_statement(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *doc = numbered_doc(1);
  save_ok(store, doc, NULL, NULL);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM documents"), 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents", NULL), 1);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM documents"), 1);

  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_prepare(store, "SELECT 1; DELETE FROM documents", &stmt, &err),
                   LECTOR_EINVAL);
  assert_null(stmt);
  assert_non_null(strstr(err.message, "more than one"));
  assert_int_equal(lector_store_prepare(store, "  -- nothing\n", &stmt, &err), LECTOR_EINVAL);
  assert_int_equal(lector_store_prepare(store, "SELEC 1", &stmt, &err), LECTOR_EDB);
  assert_non_null(strstr(err.message, "syntax error"));
  assert_int_equal(lector_store_prepare(store, "SELECT 1;  ", &stmt, &err), LECTOR_OK);
  sqlite3_finalize(stmt);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents", NULL), 1);
  lector_doc_release(doc);
  close_ok(store);
}

/* A document whose last span carries attrs that are not JSON fails at the
 * database's CHECK, after its row and sentences were written: the save is
 * undone to its savepoint and the batch goes on. */
static void test_failed_save_keeps_earlier_documents(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *before = numbered_doc(1), *bad = numbered_doc(2), *after = numbered_doc(3);
  assert_int_equal(lector_doc_add_span(bad, "entity", 0, 6, "X", NULL, "{\"ok\":true}"), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(bad, "entity", 7, 13, "Y", NULL, "{not json"), LECTOR_OK);
  save_ok(store, before, NULL, NULL);
  const char *id = "unchanged";
  int is_new = -1;
  lector_error err = {0};
  assert_int_equal(lector_store_save(store, bad, &id, &is_new, &err), LECTOR_EDB);
  assert_null(id);
  assert_int_equal(is_new, 0);
  assert_non_null(strstr(err.message, "cannot save the document"));
  assert_non_null(strstr(err.message, "CHECK constraint failed"));
  save_ok(store, after, NULL, NULL);
  assert_int_equal(lector_store_flush(store, &err), LECTOR_OK);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM documents"), 2);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM documents WHERE id = 'doc-2'"), 0);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM sentences WHERE doc_id = 'doc-2'"), 0);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM spans"), 0);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'ferry'"), 2);

  /* A span pointing at a layer the document does not have is refused before
   * anything is written. */
  lector_doc *broken = numbered_doc(4);
  assert_int_equal(lector_doc_add_span(broken, "entity", 0, 6, NULL, NULL, NULL), LECTOR_OK);
  broken->spans[0].layer = 7;
  assert_int_equal(lector_store_save(store, broken, NULL, NULL, &err), LECTOR_EINVAL);
  assert_non_null(strstr(err.message, "no layer"));
  lector_doc_release(before);
  lector_doc_release(bad);
  lector_doc_release(after);
  lector_doc_release(broken);
  close_ok(store);
}

/* ---- loading ---------------------------------------------------------------- */

static void test_load_round_trip(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_text t = {NULL, 0, 2};
  size_t len = 0;
  t.data = read_all(FIXTURE, &len);
  t.len = len;
  lector_doc *doc = NULL;
  lector_error err = {0};
  assert_int_equal(lector_doc_new(&t, "article", "feeds/venezuela.txt", "Russia Reiterates Support",
                                  "{\"lang\":\"en\"}", &doc, &err), LECTOR_OK);
  double score = -1.5;
  assert_int_equal(lector_doc_add_span(doc, "entity", 0, 6, "NORP", &score, "{\"n\":1}"), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(doc, "entity", 31, 40, "GPE", NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(doc, "headline", 0, 83, NULL, NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(doc, "sentiment", "[1,2,3]"), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(doc, "lang", "\"en\""), LECTOR_OK);
  save_ok(store, doc, NULL, NULL);
  close_ok(store);

  store = open_ok(f->db);
  lector_doc *loaded = NULL;
  assert_int_equal(lector_store_load(store, "article", &loaded, &err), LECTOR_OK);
  assert_string_equal(loaded->id, "article");
  assert_string_equal(loaded->source, "feeds/venezuela.txt");
  assert_string_equal(loaded->title, "Russia Reiterates Support");
  assert_string_equal(loaded->meta_json, "{\"lang\":\"en\"}");
  assert_int_equal(loaded->len, doc->len);
  assert_memory_equal(loaded->text, doc->text, doc->len);
  assert_string_equal(loaded->sha256, doc->sha256);
  assert_int_equal(loaded->repairs, 2);
  assert_int_equal(loaded->seg.sentence_count, doc->seg.sentence_count);
  assert_int_equal(loaded->span_count, 3);
  for (size_t i = 0; i < 3; i++) {
    const lector_span *a = &doc->spans[i], *b = &loaded->spans[i];
    assert_string_equal(loaded->layers[b->layer], doc->layers[a->layer]);
    assert_int_equal(b->start, a->start);
    assert_int_equal(b->stop, a->stop);
    assert_int_equal(b->has_score, a->has_score);
    if (a->has_score) assert_true(b->score == a->score);
    if (a->label) assert_string_equal(b->label, a->label);
    else assert_null(b->label);
    if (a->attrs_json) assert_string_equal(b->attrs_json, a->attrs_json);
    else assert_null(b->attrs_json);
  }
  assert_int_equal(loaded->value_count, 2);
  assert_string_equal(lector_doc_get_value(loaded, "sentiment"), "[1,2,3]");
  assert_string_equal(lector_doc_get_value(loaded, "lang"), "\"en\"");

  lector_doc *none = (lector_doc *)&err;
  assert_int_equal(lector_store_load(store, "missing", &none, &err), LECTOR_EINVAL);
  assert_null(none);
  assert_non_null(strstr(err.message, "no stored document"));
  lector_doc_release(loaded);
  lector_doc_release(doc);
  close_ok(store);
}


/* ---- runs and passes ---------------------------------------------------------- */

static void test_runs_and_passes_are_recorded(void **state) {
  fixture *f = *state;
  lector_store *store = open_ok(f->db);
  lector_doc *doc = make_doc("d1", NULL, "Putin spoke in Moscow.");
  save_ok(store, doc, NULL, NULL);
  lector_error err = {0};
  int64_t run = 0;
  assert_int_equal(lector_store_begin_run(store, "caps", "1.0.0", "{\"n\":2}", &run, &err),
                   LECTOR_OK);
  assert_true(run > 0);
  lector_pass pass;
  int found = 1;
  assert_int_equal(lector_store_get_pass(store, "d1", "caps", &pass, &found, &err), LECTOR_OK);
  assert_int_equal(found, 0);
  doc->current_run = run;
  assert_int_equal(lector_doc_add_span(doc, "caps", 0, 5, "CAP", NULL, NULL), LECTOR_OK);
  doc->current_run = 0;
  save_ok(store, doc, NULL, NULL);
  assert_int_equal(lector_store_set_pass(store, "d1", "caps", "1.0.0", "{\"n\":2}",
                                         "{\"entities\":7}", run, "ok", NULL, &err), LECTOR_OK);
  /* read back inside the open batch, before any commit */
  assert_int_equal(lector_store_get_pass(store, "d1", "caps", &pass, &found, &err), LECTOR_OK);
  assert_int_equal(found, 1);
  assert_string_equal(pass.version, "1.0.0");
  assert_string_equal(pass.options_json, "{\"n\":2}");
  assert_string_equal(pass.status, "ok");
  assert_int_equal(pass.run_id, run);
  assert_string_equal(pass.inputs_json, "{\"entities\":7}");
  lector_pass_clear(&pass);
  assert_int_equal(lector_store_finish_run(store, run, "ok", NULL, &err), LECTOR_OK);
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM spans WHERE run_id = %lld", (long long)run);
  assert_int_equal(query_int(store, sql, NULL), 1);
  assert_int_equal(query_int(store, "SELECT count(*) FROM runs WHERE status = 'ok' AND "
                                    "finished_at IS NOT NULL", NULL), 1);
  /* a loaded document keeps the run of each result */
  lector_doc *back = NULL;
  assert_int_equal(lector_store_load(store, "d1", &back, &err), LECTOR_OK);
  assert_int_equal(back->span_count, 1);
  assert_int_equal(back->spans[0].run_id, run);
  lector_doc_release(back);
  /* a failed pass is recorded with its error */
  assert_int_equal(lector_store_set_pass(store, "d1", "caps", "1.0.1", "{}", NULL, run, "failed",
                                         "plugin caps: boom", &err), LECTOR_OK);
  assert_int_equal(query_int(store, "SELECT count(*) FROM passes WHERE error = ?", "plugin caps: boom"), 1);
  assert_int_equal(lector_store_set_pass(store, "d1", "caps", NULL, "{}", NULL, run, "ok", NULL,
                                         &err), LECTOR_EINVAL);
  lector_doc_release(doc);
  close_ok(store);
}

/* Store doc in a new database at path, close it, then rewrite the file with
 * sql outside lector (into the shape an older lector left). */
static void save_then_rewrite(const char *path, const lector_doc *doc, const char *sql) {
  lector_store *store = open_ok(path);
  save_ok(store, doc, NULL, NULL);
  close_ok(store);
  raw_exec(path, sql);
}

/* A database of schema 1 is upgraded in place: its documents stay and the
 * passes table appears. */
static void test_migrates_schema_1(void **state) {
  fixture *f = *state;
  lector_doc *doc = make_doc("old", NULL, "Written by an older lector.");
  save_then_rewrite(f->db, doc, "DROP VIEW span_texts; DROP VIEW entity_mentions; DROP VIEW entity_counts; "
                  "DROP VIEW document_entities; DROP VIEW sentence_sentiment; "
                  "DROP VIEW document_sentiment; DROP VIEW quotes; DROP VIEW document_dates; "
                  "DROP VIEW sentences; ALTER TABLE documents DROP COLUMN sentences; "
                  "CREATE TABLE sentences(doc_id TEXT NOT NULL REFERENCES documents(id) "
                  "ON DELETE CASCADE, idx INTEGER NOT NULL, start INTEGER NOT NULL, "
                  "stop INTEGER NOT NULL, PRIMARY KEY (doc_id, idx)) WITHOUT ROWID; "
                  "DROP TABLE passes; DROP INDEX spans_by_run; DROP INDEX doc_values_by_run; "
                  "ALTER TABLE spans DROP COLUMN pass; PRAGMA user_version = 1;");
  lector_store *store = open_ok(f->db);
  assert_int_equal(query_int(store, "PRAGMA user_version", NULL), LECTOR_SCHEMA_VERSION);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents WHERE id = ?", "old"), 1);
  assert_int_equal(query_int(store, "SELECT count(*) FROM passes", NULL), 0);
  lector_doc_release(doc);
  close_ok(store);
}

/* A database of schema 6 keeps doc_values WITHOUT ROWID; the upgrade makes
 * it a rowid table and keeps every value, its run and the run index. */
static void test_migrates_values_of_schema_6(void **state) {
  fixture *f = *state;
  lector_doc *doc = make_doc("valued", NULL, "A document with a value.");
  assert_int_equal(lector_doc_set_value(doc, "summary", "{\"text\":\"A document.\"}"), LECTOR_OK);
  assert_int_equal(lector_doc_set_value(doc, "count", "3"), LECTOR_OK);
  save_then_rewrite(f->db, doc, "CREATE TABLE old_values(doc_id TEXT NOT NULL REFERENCES documents(id) "
                  "ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL CHECK "
                  "(json_valid(value)), run_id INTEGER REFERENCES runs(id), "
                  "PRIMARY KEY (doc_id, key)) WITHOUT ROWID; "
                  "INSERT INTO old_values SELECT doc_id, key, value, run_id FROM doc_values; "
                  "DROP TABLE doc_values; PRAGMA legacy_alter_table = ON; "
                  "ALTER TABLE old_values RENAME TO doc_values; "
                  "CREATE INDEX doc_values_by_run ON doc_values(run_id); "
                  "PRAGMA user_version = 6;");
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                        "'doc_values' AND sql LIKE '%WITHOUT ROWID%'"), 1);
  lector_store *store = open_ok(f->db);
  assert_int_equal(query_int(store, "PRAGMA user_version", NULL), LECTOR_SCHEMA_VERSION);
  assert_int_equal(query_int(store, "SELECT count(*) FROM sqlite_schema WHERE name = 'doc_values' "
                                    "AND sql LIKE '%WITHOUT ROWID%'", NULL), 0);
  assert_int_equal(query_int(store, "SELECT count(*) FROM doc_values WHERE doc_id = ?", "valued"), 2);
  assert_int_equal(query_int(store, "SELECT json_extract(value, '$') FROM doc_values "
                                    "WHERE doc_id = ? AND key = 'count'", "valued"), 3);
  assert_int_equal(query_int(store, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                    "AND name = 'doc_values_by_run'", NULL), 1);
  /* the views that read doc_values work on the new table */
  assert_int_equal(query_int(store, "SELECT count(*) FROM document_dates WHERE doc_id = ?", "valued"), 1);
  /* one value per key and document still */
  lector_error err = {0};
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(lector_store_prepare(store, "INSERT INTO doc_values VALUES ('valued', 'count', '4', NULL)",
                                        &stmt, &err), LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt) & 0xff, SQLITE_CONSTRAINT);
  sqlite3_finalize(stmt);
  lector_doc_release(doc);
  close_ok(store);
}

/* ---- refusals --------------------------------------------------------------- */

/* Open must fail with status and a message containing `words`, and leave the
 * file exactly as it was, with no journal or log beside it. */
static void assert_refused(const char *path, int flags, lector_status status, const char *words) {
  size_t before_len = 0, after_len = 0;
  char *before = read_all(path, &before_len);
  lector_store *store = (lector_store *)&before_len;
  lector_error err = {0};
  assert_int_equal(lector_store_open(path, flags, &store, &err), status);
  assert_null(store);
  assert_int_equal(err.status, status);
  if (!strstr(err.message, words)) fail_msg("message \"%s\" lacks \"%s\"", err.message, words);
  char *after = read_all(path, &after_len);
  if (before) {
    assert_non_null(after);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
  } else {
    assert_null(after);
  }
  /* A read-only connection to a WAL database leaves SQLite's empty -wal and
   * -shm files behind (it may not delete them); the main file is what counts. */
  const char *suffixes[] = {"-wal", "-shm", "-journal"};
  for (size_t i = 0; i < 3 && !(flags & LECTOR_STORE_READONLY); i++) {
    char side[512];
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    assert_false(file_exists(side));
  }
  free(before);
  free(after);
}

static void test_refuses_text_file(void **state) {
  fixture *f = *state;
  const char text[] = "id,title\n1,Not a database at all\n";
  write_all(f->db, text, sizeof text - 1);
  assert_refused(f->db, 0, LECTOR_ENOTDB, "not a lector database (the file is not SQLite)");
  assert_refused(f->db, LECTOR_STORE_READONLY, LECTOR_ENOTDB, "the file is not SQLite");
}

static void test_refuses_random_bytes(void **state) {
  fixture *f = *state;
  unsigned char noise[4096];
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < sizeof noise; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    noise[i] = (unsigned char)x;
  }
  write_all(f->db, noise, sizeof noise);
  assert_refused(f->db, 0, LECTOR_ENOTDB, "the file is not SQLite");
  /* A SQLite header over garbage is caught by SQLite itself. */
  memcpy(noise, "SQLite format 3", 16);
  write_all(f->db, noise, sizeof noise);
  assert_refused(f->db, 0, LECTOR_ENOTDB, "not a lector database");
}

static void test_refuses_database_of_another_program(void **state) {
  fixture *f = *state;
  raw_exec(f->db, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT);"
                  "INSERT INTO accounts(name) VALUES ('ledger');");
  assert_refused(f->db, 0, LECTOR_ENOTDB, "a SQLite database of another program; lector will not change it");
  /* A version number alone does not make a database lector's. */
  raw_exec(f->db, "PRAGMA user_version = 3");
  assert_refused(f->db, 0, LECTOR_ENOTDB, "another program");
}

static void test_refuses_newer_schema(void **state) {
  fixture *f = *state;
  close_ok(open_ok(f->db));
  raw_exec(f->db, "PRAGMA user_version = 99");
  assert_refused(f->db, 0, LECTOR_ESCHEMA,
                 "schema version 99 is newer than this lector supports (7); upgrade lector");
  assert_refused(f->db, LECTOR_STORE_READONLY, LECTOR_ESCHEMA, "upgrade lector");
}

static void test_refuses_unwritable_location(void **state) {
  fixture *f = *state;
  /* sysfs refuses new files even to root. */
  lector_store *store = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_open("/sys/lector-test.db", 0, &store, &err), LECTOR_EREADONLY);
  assert_null(store);
  assert_string_equal(err.message, "cannot create the database in /sys: Permission denied");
  char missing[256];
  snprintf(missing, sizeof missing, "%s/no/such/dir/lector.db", f->dir);
  assert_int_equal(lector_store_open(missing, 0, &store, &err), LECTOR_EIO);
  assert_non_null(strstr(err.message, "does not exist"));
  assert_non_null(strstr(err.message, "/no/such/dir"));
  assert_int_equal(lector_store_open(f->dir, 0, &store, &err), LECTOR_EIO);
  assert_non_null(strstr(err.message, "not a regular file"));
}

/* Permission bits do not stop root, so this part runs for other users only. */
static void test_refuses_read_only_file_and_directory(void **state) {
  fixture *f = *state;
  if (geteuid() == 0) skip();
  close_ok(open_ok(f->db));
  assert_int_equal(chmod(f->db, 0444), 0);
  assert_refused(f->db, 0, LECTOR_EREADONLY, "Permission denied");
  assert_int_equal(chmod(f->db, 0644), 0);
  assert_int_equal(chmod(f->dir, 0555), 0);
  assert_refused(f->db, 0, LECTOR_EREADONLY, f->dir);
  char fresh[256];
  snprintf(fresh, sizeof fresh, "%s/fresh.db", f->dir);
  assert_refused(fresh, 0, LECTOR_EREADONLY, "Permission denied");
  assert_int_equal(chmod(f->dir, 0700), 0);
}

static void test_read_only_flag(void **state) {
  fixture *f = *state;
  assert_refused(f->db, LECTOR_STORE_READONLY, LECTOR_EIO, "no database exists");
  write_all(f->db, "", 0);
  assert_refused(f->db, LECTOR_STORE_READONLY, LECTOR_ENOTDB, "not a lector database");
  unlink(f->db);
  raw_exec(f->db, "PRAGMA page_size = 4096; VACUUM;");
  assert_refused(f->db, LECTOR_STORE_READONLY, LECTOR_ENOTDB, "not a lector database");
  unlink(f->db);

  lector_store *store = open_ok(f->db);
  lector_doc *doc = numbered_doc(1);
  save_ok(store, doc, NULL, NULL);
  close_ok(store);
  size_t before_len = 0, after_len = 0;
  char *before = read_all(f->db, &before_len);
  lector_error err = {0};
  assert_int_equal(lector_store_open(f->db, LECTOR_STORE_READONLY, &store, &err), LECTOR_OK);
  lector_doc *loaded = NULL;
  assert_int_equal(lector_store_load(store, "doc-1", &loaded, &err), LECTOR_OK);
  assert_string_equal(loaded->sha256, doc->sha256);
  lector_doc *other = numbered_doc(2);
  assert_int_equal(lector_store_save(store, other, NULL, NULL, &err), LECTOR_EREADONLY);
  assert_non_null(strstr(err.message, "read-only"));
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(lector_store_prepare(store, "DELETE FROM documents", &stmt, &err), LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_READONLY);
  sqlite3_finalize(stmt);
  close_ok(store);
  char *after = read_all(f->db, &after_len);
  assert_int_equal(after_len, before_len);
  assert_memory_equal(after, before, before_len);
  free(before);
  free(after);
  lector_doc_release(doc);
  lector_doc_release(other);
  lector_doc_release(loaded);
}

/* ---- crash safety ------------------------------------------------------------- */

/* A child saves two full batches and part of a third, then is killed with
 * SIGKILL. The database must hold exactly the committed batches, pass both
 * integrity checks, and accept the same ingest again. */
static void test_killed_ingest_leaves_database_consistent(void **state) {
  fixture *f = *state;
  int total = 2 * LECTOR_STORE_BATCH + 50;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    lector_store *store = NULL;
    if (lector_store_open(f->db, 0, &store, NULL) != LECTOR_OK) _exit(2);
    for (int n = 0; n < total; n++) {
      lector_doc *doc = numbered_doc(n);
      if (lector_store_save(store, doc, NULL, NULL, NULL) != LECTOR_OK) _exit(3);
      lector_doc_release(doc);
    }
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGKILL);

  lector_store *store = open_ok(f->db);
  assert_int_equal(query_int(store, "SELECT count(*) FROM documents", NULL), 2 * LECTOR_STORE_BATCH);
  assert_int_equal(query_int(store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'", NULL), 1);
  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_prepare(store, "INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')",
                                        &stmt, &err), LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  int fresh = 0;
  for (int n = 0; n < total; n++) {
    lector_doc *doc = numbered_doc(n);
    int is_new = -1;
    save_ok(store, doc, NULL, &is_new);
    fresh += is_new;
    lector_doc_release(doc);
  }
  assert_int_equal(fresh, 50);
  close_ok(store);
  assert_int_equal(outside_count(f->db, "SELECT count(*) FROM documents"), total);
}

/* ---- where a batch's undo journals are kept --------------------------------- */

/* Open files of this process that SQLite made as temporary files (unlinked
 * as soon as they are open, and named etilqs_...). */
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

/* A save whose undo journal is far over SQLite's 64 KiB (a span under
 * each of 400 labels touches every page of the index by label) makes no
 * temporary file in a batch; a query after the batch runs with SQLite's
 * default (files), as a merge does. */
static void test_batch_journals_stay_in_memory(void **state) {
  fixture *f = *state;
  lector_store *store = NULL;
  lector_error err = {0};
  assert_int_equal(lector_store_open(f->db, 0, &store, &err), LECTOR_OK);
  for (int number = 0; number < 120; number++) {
    lector_doc *doc = document_with_labels(number, 400);
    assert_int_equal(lector_store_save(store, doc, NULL, NULL, &err), LECTOR_OK);
    lector_doc_release(doc);
  }
  assert_int_equal(temporary_files_open(), 0);
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(lector_store_prepare(store, "PRAGMA temp_store", &stmt, &err), LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(stmt, 0), 0);
  sqlite3_finalize(stmt);
  /* the next batch keeps them in memory again */
  lector_doc *doc = document_with_labels(500, 400);
  assert_int_equal(lector_store_save(store, doc, NULL, NULL, &err), LECTOR_OK);
  lector_doc_release(doc);
  assert_int_equal(temporary_files_open(), 0);
  /* a script's TEMP table outlives the batches after it (changing where
   * journals go would drop it, so it is not changed then) */
  assert_int_equal(lector_store_prepare(store, "CREATE TEMP TABLE mine(x)", &stmt, &err), LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  doc = document_with_labels(501, 3);
  assert_int_equal(lector_store_save(store, doc, NULL, NULL, &err), LECTOR_OK);
  lector_doc_release(doc);
  assert_int_equal(lector_store_prepare(store, "SELECT count(*) FROM temp.mine", &stmt, &err),
                   LECTOR_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  sqlite3_finalize(stmt);
  assert_int_equal(lector_store_close(store, &err), LECTOR_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_open_creates_and_reopens, setup, teardown),
    cmocka_unit_test_setup_teardown(test_batch_journals_stay_in_memory, setup, teardown),
    cmocka_unit_test_setup_teardown(test_schema_version_and_settings, setup, teardown),
    cmocka_unit_test_setup_teardown(test_empty_file_is_initialized, setup, teardown),
    cmocka_unit_test_setup_teardown(test_memory_database, setup, teardown),
    cmocka_unit_test_setup_teardown(test_same_text_is_stored_once, setup, teardown),
    cmocka_unit_test_setup_teardown(test_changed_text_replaces, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sentence_rows_match_segmentation, setup, teardown),
    cmocka_unit_test_setup_teardown(test_spans_and_values_are_stored, setup, teardown),
    cmocka_unit_test_setup_teardown(test_duplicate_replaces_layers_it_carries, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fts_finds_title_and_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_batches_commit_every_batch_size, setup, teardown),
    cmocka_unit_test_setup_teardown(test_prepare_sees_pending_saves_and_takes_one_statement, setup, teardown),
    cmocka_unit_test_setup_teardown(test_failed_save_keeps_earlier_documents, setup, teardown),
    cmocka_unit_test_setup_teardown(test_load_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_runs_and_passes_are_recorded, setup, teardown),
    cmocka_unit_test_setup_teardown(test_migrates_schema_1, setup, teardown),
    cmocka_unit_test_setup_teardown(test_migrates_values_of_schema_6, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuses_text_file, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuses_random_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuses_database_of_another_program, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuses_unwritable_location, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuses_read_only_file_and_directory, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_only_flag, setup, teardown),
    cmocka_unit_test_setup_teardown(test_killed_ingest_leaves_database_consistent, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
