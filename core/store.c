/*
 * The SQLite store. This file alone knows the schema, runs the migrations,
 * owns the batch transaction and decides what a save writes. docs/schema.md
 * is the user's description of the same rules; keep the two in step.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonbuf.h"
#include "lector_limits.h"
#include "store.h"

/* PRAGMA application_id of every lector database: "Lect" in ASCII. It tells
 * lector's files apart from other programs' SQLite files that happen to use
 * user_version too. */
#define LECTOR_APPLICATION_ID 0x4C656374

/* The first bytes of every SQLite 3 database file. */
static const char sqlite_magic[16] = "SQLite format 3";

/* The document_dates view, given the CASE that picks a document's date
 * from its metadata (the WHEN clauses and END). Steps 3 -> 4 and 4 -> 5
 * differ only in that CASE; step 3 -> 4 means what it always meant. */
#define META_ISO_DATE(field)                                                       \
  "               WHEN json_type(d.meta, '$." field "') = 'text'\n"                 \
  "                AND json_extract(d.meta, '$." field "')\n"                       \
  "                    GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'\n"       \
  "               THEN json_extract(d.meta, '$." field "')\n"
#define DOCUMENT_DATES_VIEW(meta_case)                                                          \
  "CREATE VIEW document_dates(doc_id, date, origin) AS\n"                                      \
  "  SELECT id,\n"                                                                             \
  "         CASE WHEN meta_date IS NOT NULL THEN substr(meta_date, 1, 10) ELSE dateline_date END,\n" \
  "         CASE WHEN meta_date IS NOT NULL THEN 'meta'\n"                                     \
  "              WHEN dateline_date IS NOT NULL THEN 'dateline' END\n"                         \
  "  FROM (SELECT d.id,\n"                                                                     \
  "          CASE\n" meta_case " AS meta_date,\n"                                             \
  "          json_extract(v.value, '$.dateline.iso') AS dateline_date\n"                       \
  "        FROM documents d LEFT JOIN doc_values v ON v.doc_id = d.id AND v.key = 'structure');\n"

/* doc_values' columns, the same in the table of step 0 -> 1 and in the one
 * that replaces it in step 6 -> 7. */
#define DOC_VALUES_COLUMNS                                                  \
  "  doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n"   \
  "  key TEXT NOT NULL,\n"                                                 \
  "  value TEXT NOT NULL CHECK (json_valid(value)),\n"                     \
  "  run_id INTEGER REFERENCES runs(id),\n"                                \
  "  PRIMARY KEY (doc_id, key)\n"

/* Migration steps: migrations[v] takes a database from version v to v + 1
 * and ends by setting user_version to v + 1. Steps run forward, all in one
 * transaction; a released step is never edited, only followed by a new one. */
static const char *const migrations[LECTOR_SCHEMA_VERSION] = {
  /* 0 -> 1: everything. documents.rowid is declared so that VACUUM cannot
   * renumber it under the external-content FTS index. */
  "CREATE TABLE documents(\n"
  "  rowid INTEGER PRIMARY KEY,\n"
  "  id TEXT NOT NULL UNIQUE,\n"
  "  source TEXT,\n"
  "  title TEXT,\n"
  "  text TEXT NOT NULL,\n"
  "  sha256 TEXT NOT NULL UNIQUE,\n"
  "  meta TEXT CHECK (meta IS NULL OR json_valid(meta)),\n"
  "  repairs INTEGER NOT NULL DEFAULT 0,\n"
  "  loaded_at TEXT NOT NULL\n"
  ");\n"
  "CREATE TABLE sentences(\n"
  "  doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n"
  "  idx INTEGER NOT NULL,\n"
  "  start INTEGER NOT NULL,\n"
  "  stop INTEGER NOT NULL,\n"
  "  PRIMARY KEY (doc_id, idx),\n"
  "  CHECK (0 <= start AND start <= stop)\n"
  ") WITHOUT ROWID;\n"
  "CREATE TABLE runs(\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  plugin TEXT NOT NULL,\n"
  "  version TEXT NOT NULL,\n"
  "  options TEXT CHECK (options IS NULL OR json_valid(options)),\n"
  "  started_at TEXT NOT NULL,\n"
  "  finished_at TEXT,\n"
  "  status TEXT,\n"
  "  error TEXT\n"
  ");\n"
  "CREATE TABLE spans(\n"
  "  doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n"
  "  layer TEXT NOT NULL,\n"
  "  label TEXT,\n"
  "  start INTEGER NOT NULL,\n"
  "  stop INTEGER NOT NULL,\n"
  "  score REAL,\n"
  "  attrs TEXT CHECK (attrs IS NULL OR json_valid(attrs)),\n"
  "  run_id INTEGER REFERENCES runs(id),\n"
  "  CHECK (0 <= start AND start <= stop)\n"
  ");\n"
  "CREATE INDEX spans_by_doc_layer ON spans(doc_id, layer);\n"
  "CREATE INDEX spans_by_layer_label ON spans(layer, label);\n"
  "CREATE TABLE doc_values(\n" DOC_VALUES_COLUMNS ") WITHOUT ROWID;\n"
  "CREATE VIRTUAL TABLE documents_fts USING fts5(\n"
  "  title, text, content='documents', content_rowid='rowid',\n"
  "  tokenize='unicode61 remove_diacritics 2'\n"
  ");\n"
  /* New documents are indexed once per batch, at commit (see
   * index_batch): a trigger would index them one statement at a time, and
   * FTS5 flushes its pending terms at every statement savepoint, which
   * made storing several times slower. Deletes by hand stay indexed. */
  "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN\n"
  "  INSERT INTO documents_fts(documents_fts, rowid, title, text)\n"
  "    VALUES ('delete', old.rowid, old.title, old.text);\n"
  "END;\n"
  "PRAGMA application_id = 1281713012;\n"
  "PRAGMA user_version = 1;\n",
  /* 1 -> 2: plugin passes. passes holds, per document and plugin, the run
   * whose results are current, so that a pass already done with the same
   * version and options is not done again. */
  "CREATE TABLE passes(\n"
  "  doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n"
  "  plugin TEXT NOT NULL,\n"
  "  version TEXT NOT NULL,\n"
  "  options TEXT NOT NULL CHECK (json_valid(options)),\n"
  "  inputs TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(inputs)),\n"
  "  run_id INTEGER REFERENCES runs(id),\n"
  "  status TEXT NOT NULL,\n"
  "  error TEXT,\n"
  "  finished_at TEXT NOT NULL,\n"
  "  PRIMARY KEY (doc_id, plugin)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX spans_by_run ON spans(run_id);\n"
  "CREATE INDEX doc_values_by_run ON doc_values(run_id);\n"
  "PRAGMA user_version = 2;\n",
  /* 2 -> 3: sentences move into documents.sentences, one JSON array of
   * [start, stop] pairs per document, and the sentences table becomes a view
   * of the same shape. A row per sentence cost more to store than the rest
   * of the document together, for offsets the segmenter can recompute. The
   * pairs are gathered in idx order. Also: the full-text index merges less
   * often. */
  "ALTER TABLE documents ADD COLUMN sentences TEXT NOT NULL DEFAULT '[]';\n"
  "UPDATE documents SET sentences = (\n"
  "  SELECT json_group_array(json_array(start, stop)) FROM (\n"
  "    SELECT start, stop FROM sentences s WHERE s.doc_id = documents.id ORDER BY idx))\n"
  "  WHERE id IN (SELECT doc_id FROM sentences);\n"
  "DROP TABLE sentences;\n"
  "CREATE VIEW sentences(doc_id, idx, start, stop) AS\n"
  "  SELECT d.id, j.key + 1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')\n"
  "  FROM documents d, json_each(d.sentences) j;\n"
  /* Each batch adds one segment to the full-text index; merging them four
   * at a time (FTS5's default) cost more than indexing the text. Sixteen
   * at a time merges much less, for a few more segments to search. */
  "INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 16);\n"
  "PRAGMA user_version = 3;\n",
  /* 3 -> 4: views for the questions asked of a corpus most often, so that
   * `lector query` users need not know how the passes store their results.
   * Views store nothing: they cost no space and no time when saving. Text is
   * sliced from the bytes, as offsets are byte offsets, in a subquery per
   * row rather than through a join: a GROUP BY over a join copies every
   * column it reads, the document's whole text included, into its sorter. */
  "CREATE VIEW span_texts(doc_id, layer, label, start, stop, score, attrs, run_id, text) AS\n"
  "  SELECT s.doc_id, s.layer, s.label, s.start, s.stop, s.score, s.attrs, s.run_id,\n"
  "         (SELECT CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.stop - s.start) AS TEXT)\n"
  "            FROM documents d WHERE d.id = s.doc_id)\n"
  "  FROM spans s;\n"
  "CREATE VIEW entity_mentions(doc_id, label, entity, text, start, stop, entity_id) AS\n"
  "  SELECT doc_id, label, coalesce(json_extract(attrs, '$.canonical'), text), text, start, stop,\n"
  "         json_extract(attrs, '$.id')\n"
  "  FROM span_texts WHERE layer = 'entity';\n"
  "CREATE VIEW entity_counts(label, entity, documents, mentions) AS\n"
  "  SELECT label, entity, count(DISTINCT doc_id), count(*) FROM entity_mentions\n"
  "  GROUP BY label, entity;\n"
  "CREATE VIEW document_entities(doc_id, label, entity, mentions, first_start) AS\n"
  "  SELECT doc_id, label, entity, count(*), min(start) FROM entity_mentions\n"
  "  GROUP BY doc_id, label, entity;\n"
  "CREATE VIEW sentence_sentiment(doc_id, sentence, start, stop, label, score, positive,\n"
  "                               neutral, negative, text) AS\n"
  "  SELECT doc_id,\n"
  "         (SELECT j.key + 1 FROM documents d, json_each(d.sentences) j\n"
  "           WHERE d.id = t.doc_id AND json_extract(j.value, '$[0]') <= t.start\n"
  "             AND t.start < json_extract(j.value, '$[1]')),\n"
  "         start, stop, label, score, json_extract(attrs, '$.pos'),\n"
  "         json_extract(attrs, '$.neu'), json_extract(attrs, '$.neg'), text\n"
  "  FROM span_texts t WHERE layer = 'sentiment';\n"
  "CREATE VIEW document_sentiment(doc_id, score, positive, negative, neutral) AS\n"
  "  SELECT doc_id, json_extract(value, '$.compound'), json_extract(value, '$.positive'),\n"
  "         json_extract(value, '$.negative'), json_extract(value, '$.neutral')\n"
  "  FROM doc_values WHERE key = 'sentiment';\n"
  "CREATE VIEW quotes(doc_id, kind, start, stop, quote, speaker, speaker_id, cue) AS\n"
  "  SELECT doc_id, label, start, stop, text, json_extract(attrs, '$.speaker'),\n"
  "         json_extract(attrs, '$.speaker_id'), json_extract(attrs, '$.cue')\n"
  "  FROM span_texts WHERE layer = 'quote';\n"
  /* A date given with the document wins over the one its dateline states;
   * only meta dates that start as ISO dates are taken. */
  DOCUMENT_DATES_VIEW(META_ISO_DATE("date") "          END")
  "PRAGMA user_version = 4;\n",
  /* 4 -> 5: document_dates also takes meta.published (feeds and scrapers
   * give a publication date under that name) when meta.date is not an ISO
   * date, as the HTML report does, so that a search by date and the
   * report's timeline agree. */
  "DROP VIEW document_dates;\n"
  DOCUMENT_DATES_VIEW(META_ISO_DATE("date") META_ISO_DATE("published") "          END")
  "PRAGMA user_version = 5;\n",
  /* 5 -> 6: spans.pass names the pass that added a span saved without a
   * recorded run (a script's lector.run, then db:save), so that the pass
   * run again on the loaded document replaces it instead of adding beside
   * it. With a run, the run's plugin names it, and pass stays NULL. */
  "ALTER TABLE spans ADD COLUMN pass TEXT;\n"
  "PRAGMA user_version = 6;\n",
  /* 6 -> 7: doc_values becomes a rowid table. WITHOUT ROWID, a row lives in
   * an index b-tree, whose cells keep at most about a quarter of a page:
   * the rest of a value of a few KiB went to an overflow page of its own,
   * mostly empty, and the table took twice its values' bytes. The rows are
   * copied out and back rather than the new table renamed, as a rename
   * rewrites and checks the views that read doc_values. */
  "CREATE TEMP TABLE doc_values_copy AS SELECT doc_id, key, value, run_id FROM doc_values;\n"
  "DROP TABLE doc_values;\n"
  "CREATE TABLE doc_values(\n" DOC_VALUES_COLUMNS ");\n"
  "INSERT INTO doc_values(doc_id, key, value, run_id)\n"
  "  SELECT doc_id, key, value, run_id FROM doc_values_copy ORDER BY doc_id, key;\n"
  "DROP TABLE doc_values_copy;\n"
  "CREATE INDEX doc_values_by_run ON doc_values(run_id);\n"
  "PRAGMA user_version = 7;\n",
};

/* Every statement the store runs more than once, prepared when the store
 * opens and reused until it closes. */
enum statement {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_SAVEPOINT,
  STMT_RELEASE,
  STMT_ROLLBACK_TO,
  STMT_FIND_BY_SHA,
  STMT_FIND_BY_ID,
  STMT_INSERT_DOC,
  STMT_UPDATE_DOC,
  STMT_DELETE_SPANS,
  STMT_DELETE_LAYER,
  STMT_DELETE_VALUES,
  STMT_DELETE_PASSES,
  STMT_INSERT_SPAN,
  STMT_UPSERT_VALUE,
  STMT_LOAD_DOC,
  STMT_LOAD_SPANS,
  STMT_LOAD_VALUES,
  STMT_BEGIN_RUN,
  STMT_FINISH_RUN,
  STMT_GET_PASS,
  STMT_SET_PASS,
  STMT_MAX_ROWID,
  STMT_INDEX_BATCH,
  STMT_UNINDEX_ONE,
  STMT_INDEX_ONE,
  STMT_COUNT
};

#define NOW_UTC "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char *const statement_sql[STMT_COUNT] = {
  [STMT_BEGIN_RUN] = "INSERT INTO runs(plugin, version, options, started_at, status)"
                     " VALUES (?1, ?2, ?3, " NOW_UTC ", 'running')",
  [STMT_FINISH_RUN] = "UPDATE runs SET finished_at = " NOW_UTC ", status = ?2, error = ?3"
                      " WHERE id = ?1",
  [STMT_GET_PASS] = "SELECT version, options, status, run_id, inputs FROM passes"
                    " WHERE doc_id = ?1 AND plugin = ?2",
  [STMT_SET_PASS] = "INSERT INTO passes(doc_id, plugin, version, options, run_id, status, error,"
                    " finished_at, inputs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " NOW_UTC ", ?8)"
                    " ON CONFLICT (doc_id, plugin) DO UPDATE SET version = excluded.version,"
                    " options = excluded.options, inputs = excluded.inputs,"
                    " run_id = excluded.run_id,"
                    " status = excluded.status, error = excluded.error,"
                    " finished_at = excluded.finished_at",
  [STMT_MAX_ROWID] = "SELECT coalesce(max(rowid), 0) FROM documents",
  [STMT_INDEX_BATCH] = "INSERT INTO documents_fts(rowid, title, text)"
                       " SELECT rowid, title, text FROM documents WHERE rowid > ?1",
  [STMT_UNINDEX_ONE] = "INSERT INTO documents_fts(documents_fts, rowid, title, text)"
                       " SELECT 'delete', rowid, title, text FROM documents"
                       " WHERE id = ?1 AND rowid <= ?2",
  [STMT_INDEX_ONE] = "INSERT INTO documents_fts(rowid, title, text)"
                     " SELECT rowid, title, text FROM documents WHERE id = ?1 AND rowid <= ?2",
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_SAVEPOINT] = "SAVEPOINT lector_save",
  [STMT_RELEASE] = "RELEASE lector_save",
  [STMT_ROLLBACK_TO] = "ROLLBACK TO lector_save",
  [STMT_FIND_BY_SHA] = "SELECT id FROM documents WHERE sha256 = ?1",
  [STMT_FIND_BY_ID] = "SELECT 1 FROM documents WHERE id = ?1",
  [STMT_INSERT_DOC] =
    "INSERT INTO documents(id, source, title, text, sha256, meta, repairs, sentences, loaded_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " NOW_UTC ")",
  [STMT_UPDATE_DOC] =
    "UPDATE documents SET source = ?2, title = ?3, text = ?4, sha256 = ?5, meta = ?6,"
    " repairs = ?7, sentences = ?8, loaded_at = " NOW_UTC " WHERE id = ?1",
  [STMT_DELETE_SPANS] = "DELETE FROM spans WHERE doc_id = ?1",
  [STMT_DELETE_LAYER] = "DELETE FROM spans WHERE doc_id = ?1 AND layer = ?2",
  [STMT_DELETE_VALUES] = "DELETE FROM doc_values WHERE doc_id = ?1",
  [STMT_DELETE_PASSES] = "DELETE FROM passes WHERE doc_id = ?1",
  [STMT_INSERT_SPAN] =
    "INSERT INTO spans(doc_id, layer, label, start, stop, score, attrs, run_id, pass)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  [STMT_UPSERT_VALUE] =
    "INSERT INTO doc_values(doc_id, key, value, run_id) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (doc_id, key) DO UPDATE SET value = excluded.value, run_id = excluded.run_id",
  [STMT_LOAD_DOC] = "SELECT source, title, text, meta, repairs FROM documents WHERE id = ?1",
  [STMT_LOAD_SPANS] =
    "SELECT s.layer, s.label, s.start, s.stop, s.score, s.attrs, s.run_id,"
    " coalesce(r.plugin, s.pass)"
    " FROM spans s LEFT JOIN runs r ON r.id = s.run_id WHERE s.doc_id = ?1 ORDER BY s.rowid",
  [STMT_LOAD_VALUES] = "SELECT key, value, run_id FROM doc_values WHERE doc_id = ?1 ORDER BY key",
};

struct lector_store {
  sqlite3 *db;
  char *path;
  int readonly;
  size_t batch_saves;      /* saves in the open batch transaction */
  int journals_in_memory;  /* temp_store is MEMORY (keep_journals_in_memory) */
  size_t batch_bytes;      /* text they wrote */
  sqlite3_int64 indexed;   /* documents up to this rowid are in documents_fts */
  char *stored_id;         /* what the last save's *stored_id points to */
  jsonbuf sentences;       /* scratch for documents.sentences, reused */
  sqlite3_stmt *stmts[STMT_COUNT];
};

/* ---- errors ------------------------------------------------------------ */

/* Messages never name the database file: callers prefix it. They do name a
 * directory when the directory is the cause. */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static lector_status fail(lector_error *err, lector_status status, const char *fmt, ...) {
  if (!err) return status;
  err->status = status;
  err->offset = 0;
  va_list args;
  va_start(args, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, args);
  va_end(args);
  return status;
}

static lector_status status_of(int rc) {
  switch (rc & 0xff) {
  case SQLITE_NOMEM: return LECTOR_ENOMEM;
  case SQLITE_READONLY:
  case SQLITE_PERM: return LECTOR_EREADONLY;
  case SQLITE_NOTADB: return LECTOR_ENOTDB;
  case SQLITE_IOERR:
  case SQLITE_CANTOPEN:
  case SQLITE_FULL: return LECTOR_EIO;
  default: return LECTOR_EDB;
  }
}

/* Report SQLite's own message after `what`; the database's message is read
 * before anything else runs on the connection and replaces it. */
static lector_status fail_db(lector_error *err, sqlite3 *db, int rc, const char *what) {
  if ((rc & 0xff) == SQLITE_NOTADB)
    return fail(err, LECTOR_ENOTDB, "not a lector database (the file is not SQLite)");
  return fail(err, status_of(rc), "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* ---- small helpers ------------------------------------------------------ */

static char *copy_column(sqlite3_stmt *stmt, int col) {
  const unsigned char *text = sqlite3_column_text(stmt, col);
  if (!text) return NULL;
  size_t n = (size_t)sqlite3_column_bytes(stmt, col);
  char *copy = malloc(n + 1);
  if (!copy) return NULL;
  memcpy(copy, text, n);
  copy[n] = '\0';
  return copy;
}

/* Step a statement to completion (it returns no rows, or its rows do not
 * matter) and leave it reset and unbound for the next use. SQLite keeps the
 * error message of a failed step across the reset. */
static int run(sqlite3_stmt *stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void finish(sqlite3_stmt *stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

static int bind_text(sqlite3_stmt *stmt, int index, const char *s) {
  return sqlite3_bind_text(stmt, index, s, -1, SQLITE_STATIC);
}

/* A run id, or NULL for results no recorded run produced. */
static int bind_run(sqlite3_stmt *stmt, int index, int64_t run_id) {
  if (run_id <= 0) return sqlite3_bind_null(stmt, index);
  return sqlite3_bind_int64(stmt, index, run_id);
}

/* One integer from a one-row query such as a PRAGMA. */
static int query_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int(stmt, 0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    *out = 0;
    rc = SQLITE_OK;
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* The directory that holds path, in buf. */
static void parent_directory(const char *path, char *buf, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(buf, size, ".");
  } else if (slash == path) {
    snprintf(buf, size, "/");
  } else {
    snprintf(buf, size, "%.*s", (int)(slash - path), path);
  }
}

/* ---- checks before SQLite sees the file ---------------------------------- */

/* Create a missing database file ourselves, so that a location that cannot
 * be written is reported with the operating system's reason (SQLite only
 * says "unable to open"). *created tells the caller to remove the file if
 * opening fails later. */
static lector_status create_file(const char *path, int *created, lector_error *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    char dir[1024];
    parent_directory(path, dir, sizeof dir);
    if (e == ENOENT || e == ENOTDIR)
      return fail(err, LECTOR_EIO, "cannot create the database: the directory %s does not exist", dir);
    if (e == EACCES || e == EPERM || e == EROFS)
      return fail(err, LECTOR_EREADONLY, "cannot create the database in %s: %s", dir, strerror(e));
    return fail(err, LECTOR_EIO, "cannot create the database in %s: %s", dir, strerror(e));
  }
  close(fd);
  *created = 1;
  return LECTOR_OK;
}

/* Refuse, before SQLite opens it, what is not a SQLite file, and a file or
 * directory that cannot be written when writing is wanted. An empty file is
 * accepted for writing: it becomes a new database. */
static lector_status inspect_file(const char *path, int readonly, int *created,
                                  lector_error *err) {
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno != ENOENT)
      return fail(err, LECTOR_EIO, "cannot open the database: %s", strerror(errno));
    if (readonly) return fail(err, LECTOR_EIO, "no database exists at this path");
    return create_file(path, created, err);
  }
  if (!S_ISREG(st.st_mode))
    return fail(err, LECTOR_EIO, "not a regular file, so it cannot be a database");
  if (st.st_size == 0) {
    if (readonly) return fail(err, LECTOR_ENOTDB, "not a lector database (the file is empty)");
  } else {
    char header[sizeof sqlite_magic] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, LECTOR_EIO, "cannot read the database: %s", strerror(errno));
    size_t got = fread(header, 1, sizeof header, f);
    fclose(f);
    if (got != sizeof header || memcmp(header, sqlite_magic, sizeof header) != 0)
      return fail(err, LECTOR_ENOTDB, "not a lector database (the file is not SQLite)");
  }
  if (readonly) return LECTOR_OK;
  if (access(path, W_OK) != 0)
    return fail(err, LECTOR_EREADONLY, "the database cannot be written: %s", strerror(errno));
  char dir[1024];
  parent_directory(path, dir, sizeof dir);
  if (access(dir, W_OK) != 0)
    return fail(err, LECTOR_EREADONLY,
                "cannot write in the directory %s (%s); the database needs it for its log",
                dir, strerror(errno));
  return LECTOR_OK;
}

/* ---- opening, identity and migration ------------------------------------- */

static lector_status configure(sqlite3 *db, lector_error *err) {
  int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(db, LECTOR_STORE_BUSY_TIMEOUT_MS);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  if (rc != SQLITE_OK) return fail_db(err, db, rc, "cannot configure the database");
  return LECTOR_OK;
}

typedef struct identity {
  int application_id, version, objects;
} identity;

static lector_status read_identity(sqlite3 *db, identity *id, lector_error *err) {
  int rc = query_int(db, "PRAGMA application_id", &id->application_id);
  if (rc == SQLITE_OK) rc = query_int(db, "PRAGMA user_version", &id->version);
  if (rc == SQLITE_OK)
    rc = query_int(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                   &id->objects);
  if (rc != SQLITE_OK) return fail_db(err, db, rc, "cannot read the database");
  return LECTOR_OK;
}

/* Decide whether this is a database lector may use: an empty one (to be
 * created, unless read-only), or one of lector's at a version it knows. */
static lector_status check_identity(const identity *id, int readonly, lector_error *err) {
  int empty = id->version == 0 && id->objects == 0 &&
              (id->application_id == 0 || id->application_id == LECTOR_APPLICATION_ID);
  if (empty) {
    if (readonly)
      return fail(err, LECTOR_ENOTDB, "not a lector database (it holds no lector tables)");
    return LECTOR_OK;
  }
  if (id->application_id != LECTOR_APPLICATION_ID)
    return fail(err, LECTOR_ENOTDB, "a SQLite database of another program; lector will not change it");
  if (id->version > LECTOR_SCHEMA_VERSION)
    return fail(err, LECTOR_ESCHEMA,
                "schema version %d is newer than this lector supports (%d); upgrade lector",
                id->version, LECTOR_SCHEMA_VERSION);
  if (readonly && id->version < LECTOR_SCHEMA_VERSION)
    return fail(err, LECTOR_ESCHEMA,
                "schema version %d is older than this lector's (%d); open the database once "
                "for writing to upgrade it",
                id->version, LECTOR_SCHEMA_VERSION);
  return LECTOR_OK;
}

/* Write-ahead logging lets readers go on during a batch and keeps the file
 * consistent when a process dies mid-batch. A :memory: database stays in
 * its own journal mode. */
static lector_status enable_wal(sqlite3 *db, lector_error *err) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    lector_status status = fail_db(err, db, rc, "cannot set up the database's write-ahead log");
    sqlite3_finalize(stmt);
    return status;
  }
  const char *mode = (const char *)sqlite3_column_text(stmt, 0);
  int ok = mode && strcmp(mode, "wal") == 0;
  sqlite3_finalize(stmt);
  if (!ok) return fail(err, LECTOR_EIO, "cannot set up the database's write-ahead log");
  rc = sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  if (rc != SQLITE_OK) return fail_db(err, db, rc, "cannot configure the database");
  return LECTOR_OK;
}

/* Bring the schema to LECTOR_SCHEMA_VERSION in one write transaction. The
 * version is read again inside it, as another process may have migrated
 * meanwhile. The transaction is taken even when nothing is to be done, so
 * that a database that cannot be written is found now, not at the first
 * save. */
static lector_status migrate(sqlite3 *db, lector_error *err) {
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK) return fail_db(err, db, rc, "cannot write the database");
  identity id = {0, 0, 0};
  lector_status status = read_identity(db, &id, err);
  if (status == LECTOR_OK) status = check_identity(&id, 0, err);
  for (int v = id.version; status == LECTOR_OK && v < LECTOR_SCHEMA_VERSION; v++) {
    rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
    if (rc != SQLITE_OK) status = fail_db(err, db, rc, "cannot create the database's tables");
  }
  if (status == LECTOR_OK) {
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) status = fail_db(err, db, rc, "cannot write the database");
  }
  if (status != LECTOR_OK && !sqlite3_get_autocommit(db))
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return status;
}

static lector_status prepare_all(lector_store *store, lector_error *err) {
  for (int i = 0; i < STMT_COUNT; i++) {
    int rc = sqlite3_prepare_v3(store->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &store->stmts[i], NULL);
    if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot prepare the store's statements");
  }
  return LECTOR_OK;
}

static void destroy(lector_store *store) {
  for (int i = 0; i < STMT_COUNT; i++) sqlite3_finalize(store->stmts[i]);
  sqlite3_close_v2(store->db);
  free(store->path);
  free(store->stored_id);
  free(store->sentences.data);
  free(store);
}

/* Keep SQLite's undo journals in memory, or in files (its default); see
 * keep_journals_in_memory. An optimization only, so a refusal is ignored. */
static void set_journals(lector_store *store, int in_memory) {
  if (sqlite3_exec(store->db, in_memory ? "PRAGMA temp_store = MEMORY" : "PRAGMA temp_store = DEFAULT",
                   NULL, NULL, NULL) == SQLITE_OK)
    store->journals_in_memory = in_memory;
}

/* Everything after the file checks: open, configure, verify, migrate and
 * prepare, on a store whose path is set. */
static lector_status open_connection(lector_store *store, const char *path, lector_error *err) {
  int memory = strcmp(path, ":memory:") == 0;
  int flags = SQLITE_OPEN_EXRESCODE |
              (store->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path, &store->db, flags, NULL);
  if (rc != SQLITE_OK) {
    int e = store->db ? sqlite3_system_errno(store->db) : 0;
    if (e == EACCES || e == EPERM || e == EROFS)
      return fail(err, LECTOR_EREADONLY, "cannot open the database for writing: %s", strerror(e));
    return fail_db(err, store->db, rc, "cannot open the database");
  }
  if (!store->readonly && sqlite3_db_readonly(store->db, "main") == 1)
    return fail(err, LECTOR_EREADONLY, "the database cannot be written: it opened read-only");
  lector_status status = configure(store->db, err);
  identity id = {0, 0, 0};
  if (status == LECTOR_OK) status = read_identity(store->db, &id, err);
  if (status == LECTOR_OK) status = check_identity(&id, store->readonly, err);
  if (status == LECTOR_OK && !store->readonly && !memory)
    status = enable_wal(store->db, err);
  if (status == LECTOR_OK && !store->readonly) status = migrate(store->db, err);
  if (status == LECTOR_OK) status = prepare_all(store, err);
  /* a migration may have left the TEMP database open, with nothing in it
   * (migration 7 copies a table through it): setting journals now closes
   * it, where later it would be kept for a script's objects */
  if (status == LECTOR_OK && !store->readonly) set_journals(store, 1);
  return status;
}

/*
 * Open the database at path, or create it, and bring it to the current
 * schema. With LECTOR_STORE_READONLY the file must already be a lector
 * database at the current version, and nothing is ever written. A file
 * lector refuses is left exactly as it was; a file created here is removed
 * again when opening fails.
 */
void lector_store_configure_process(void) {
  /* SQLITE_MISUSE once SQLite is in use: then it keeps its settings */
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

lector_status lector_store_open(const char *path, int flags, lector_store **out,
                                lector_error *err) {
  *out = NULL;
  if (!path || !*path) return fail(err, LECTOR_EINVAL, "no database path given");
  lector_store *store = calloc(1, sizeof *store);
  if (!store) return fail(err, LECTOR_ENOMEM, "out of memory");
  store->readonly = (flags & LECTOR_STORE_READONLY) != 0;
  store->path = strdup(path);
  if (!store->path) {
    free(store);
    return fail(err, LECTOR_ENOMEM, "out of memory");
  }
  int created = 0;
  lector_status status = LECTOR_OK;
  if (strcmp(path, ":memory:") != 0) status = inspect_file(path, store->readonly, &created, err);
  if (status == LECTOR_OK) status = open_connection(store, path, err);
  if (status != LECTOR_OK) {
    destroy(store);
    if (created) unlink(path);
    return status;
  }
  *out = store;
  return LECTOR_OK;
}

/* ---- batches -------------------------------------------------------------- */

static int in_transaction(const lector_store *store) {
  return !sqlite3_get_autocommit(store->db);
}

/* Add the batch's new documents (every rowid above the one indexed when
 * the batch began) to the full-text index, in one statement. */
static int index_batch(lector_store *store) {
  sqlite3_stmt *stmt = store->stmts[STMT_INDEX_BATCH];
  sqlite3_bind_int64(stmt, 1, store->indexed);
  return run(stmt);
}

/* Commit the open batch, if any. When the commit fails the batch is rolled
 * back and the caller is told how many documents were lost with it. */
static lector_status commit_batch(lector_store *store, lector_error *err) {
  if (!in_transaction(store)) {
    store->batch_saves = 0;
    return LECTOR_OK;
  }
  int rc = index_batch(store);
  if (rc == SQLITE_OK) rc = run(store->stmts[STMT_COMMIT]);
  size_t lost = store->batch_saves;
  store->batch_saves = 0;
  if (rc == SQLITE_OK) return LECTOR_OK;
  char what[96];
  snprintf(what, sizeof what, "cannot commit the last %zu saved documents", lost);
  lector_status status = fail_db(err, store->db, rc, what);
  if (in_transaction(store)) run(store->stmts[STMT_ROLLBACK]);
  return status;
}

lector_status lector_store_flush(lector_store *store, lector_error *err) {
  if (!store) return fail(err, LECTOR_EINVAL, "no store");
  return commit_batch(store, err);
}

lector_status lector_store_close(lector_store *store, lector_error *err) {
  if (!store) return LECTOR_OK;
  lector_status status = commit_batch(store, err);
  destroy(store);
  return status;
}

/* ---- saving --------------------------------------------------------------- */

/* Refuse a document the store could only half write: every span must name
 * a layer and lie inside the text, every value must have a key and JSON. */
static lector_status check_document(const lector_doc *doc, lector_error *err) {
  if (!doc->id || !*doc->id) return fail(err, LECTOR_EINVAL, "the document has no id");
  if (!doc->text) return fail(err, LECTOR_EINVAL, "the document has no text");
  if (strlen(doc->sha256) != 64) return fail(err, LECTOR_EINVAL, "the document has no SHA-256");
  for (size_t i = 0; i < doc->span_count; i++) {
    const lector_span *span = &doc->spans[i];
    if (span->layer >= doc->layer_count || !doc->layers[span->layer])
      return fail(err, LECTOR_EINVAL, "span %zu has no layer", i + 1);
    if (span->start > span->stop || span->stop > doc->len)
      return fail(err, LECTOR_EINVAL, "span %zu lies outside the text", i + 1);
  }
  for (size_t i = 0; i < doc->value_count; i++)
    if (!doc->values[i].key || !doc->values[i].json)
      return fail(err, LECTOR_EINVAL, "document value %zu has no key or no JSON", i + 1);
  return LECTOR_OK;
}

/* The id of the stored document whose text has this hash, copied into
 * store->stored_id; 0 when there is none, -1 on error (rc set). */
static int find_by_sha(lector_store *store, const char *sha256, int *rc) {
  sqlite3_stmt *stmt = store->stmts[STMT_FIND_BY_SHA];
  bind_text(stmt, 1, sha256);
  *rc = sqlite3_step(stmt);
  int found = 0;
  if (*rc == SQLITE_ROW) {
    char *id = copy_column(stmt, 0);
    if (!id) {
      *rc = SQLITE_NOMEM;
    } else {
      free(store->stored_id);
      store->stored_id = id;
      found = 1;
      *rc = SQLITE_OK;
    }
  } else if (*rc == SQLITE_DONE) {
    *rc = SQLITE_OK;
  }
  finish(stmt);
  return *rc == SQLITE_OK ? found : -1;
}

static int id_exists(lector_store *store, const char *id, int *rc) {
  sqlite3_stmt *stmt = store->stmts[STMT_FIND_BY_ID];
  bind_text(stmt, 1, id);
  *rc = sqlite3_step(stmt);
  int found = *rc == SQLITE_ROW;
  if (*rc == SQLITE_ROW || *rc == SQLITE_DONE) *rc = SQLITE_OK;
  finish(stmt);
  return *rc == SQLITE_OK ? found : -1;
}

/* The document's sentences as documents.sentences wants them:
 * [[start,stop],...], in the store's scratch buffer (grown on demand, so it
 * ends as large as the most sentences one document had). NULL when out of
 * memory. */
static const char *sentences_json(lector_store *store, const lector_doc *doc, size_t *len) {
  jsonbuf *out = &store->sentences;  /* zeroed with the store: an empty buffer */
  out->len = 0;
  out->failed = 0;
  jsonbuf_bytes(out, "[", 1);
  for (size_t i = 0; i < doc->seg.sentence_count; i++) {
    const lector_sentence *se = &doc->seg.sentences[i];
    jsonbuf_bytes(out, i ? ",[" : "[", i ? 2 : 1);
    jsonbuf_uint(out, se->start);
    jsonbuf_bytes(out, ",", 1);
    jsonbuf_uint(out, se->stop);
    jsonbuf_bytes(out, "]", 1);
  }
  jsonbuf_bytes(out, "]", 1);
  *len = out->len;
  return out->failed ? NULL : out->data;
}

/* Insert or update the documents row (the two statements share their
 * parameters). */
static int write_document_row(lector_store *store, enum statement which, const lector_doc *doc) {
  size_t sentences_len = 0;
  const char *sentences = sentences_json(store, doc, &sentences_len);
  if (!sentences) return SQLITE_NOMEM;
  sqlite3_stmt *stmt = store->stmts[which];
  bind_text(stmt, 1, doc->id);
  bind_text(stmt, 2, doc->source);
  bind_text(stmt, 3, doc->title);
  sqlite3_bind_text64(stmt, 4, doc->text, doc->len, SQLITE_STATIC, SQLITE_UTF8);
  bind_text(stmt, 5, doc->sha256);
  bind_text(stmt, 6, doc->meta_json);
  sqlite3_bind_int64(stmt, 7, (sqlite3_int64)doc->repairs);
  sqlite3_bind_text64(stmt, 8, sentences, sentences_len, SQLITE_STATIC, SQLITE_UTF8);
  return run(stmt);
}

static int delete_rows(lector_store *store, enum statement which, const char *doc_id) {
  bind_text(store->stmts[which], 1, doc_id);
  return run(store->stmts[which]);
}

static int insert_spans(lector_store *store, const lector_doc *doc, const char *doc_id) {
  sqlite3_stmt *stmt = store->stmts[STMT_INSERT_SPAN];
  for (size_t i = 0; i < doc->span_count; i++) {
    const lector_span *span = &doc->spans[i];
    bind_text(stmt, 1, doc_id);
    bind_text(stmt, 2, doc->layers[span->layer]);
    bind_text(stmt, 3, span->label);
    sqlite3_bind_int64(stmt, 4, span->start);
    sqlite3_bind_int64(stmt, 5, span->stop);
    if (span->has_score) sqlite3_bind_double(stmt, 6, span->score);
    else sqlite3_bind_null(stmt, 6);
    bind_text(stmt, 7, span->attrs_json);
    bind_run(stmt, 8, span->run_id);
    /* the run names the pass; without one, the span does */
    if (!span->run_id && span->producer) bind_text(stmt, 9, doc->producers[span->producer - 1]);
    else sqlite3_bind_null(stmt, 9);
    int rc = run(stmt);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

static int upsert_values(lector_store *store, const lector_doc *doc, const char *doc_id) {
  sqlite3_stmt *stmt = store->stmts[STMT_UPSERT_VALUE];
  for (size_t i = 0; i < doc->value_count; i++) {
    bind_text(stmt, 1, doc_id);
    bind_text(stmt, 2, doc->values[i].key);
    bind_text(stmt, 3, doc->values[i].json);
    bind_run(stmt, 4, doc->values[i].run_id);
    int rc = run(stmt);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

/* The document's results replace, on the stored copy doc_id, the spans of
 * every layer the document names (even a layer left empty: the pass ran and
 * found nothing) and the values of the same keys. Other layers and keys stay. */
static int replace_results(lector_store *store, const lector_doc *doc, const char *doc_id) {
  sqlite3_stmt *stmt = store->stmts[STMT_DELETE_LAYER];
  for (size_t i = 0; i < doc->layer_count; i++) {
    if (!doc->layers[i]) continue;
    bind_text(stmt, 1, doc_id);
    bind_text(stmt, 2, doc->layers[i]);
    int rc = run(stmt);
    if (rc != SQLITE_OK) return rc;
  }
  int rc = insert_spans(store, doc, doc_id);
  if (rc == SQLITE_OK) rc = upsert_values(store, doc, doc_id);
  return rc;
}

static int insert_everything(lector_store *store, const lector_doc *doc) {
  int rc = write_document_row(store, STMT_INSERT_DOC, doc);
  if (rc == SQLITE_OK) rc = insert_spans(store, doc, doc->id);
  if (rc == SQLITE_OK) rc = upsert_values(store, doc, doc->id);
  return rc;
}

/* Take an already indexed document out of the full-text index, or put it
 * back; a document of the open batch is left to index_batch. */
static int reindex_one(lector_store *store, enum statement which, const char *doc_id) {
  sqlite3_stmt *stmt = store->stmts[which];
  bind_text(stmt, 1, doc_id);
  sqlite3_bind_int64(stmt, 2, store->indexed);
  return run(stmt);
}

/* A known id with new text: its old sentences and results described the old
 * text, so they go, and so do the records of the passes that made them:
 * kept, they would tell the next pipeline its results were current. */
static int replace_everything(lector_store *store, const lector_doc *doc) {
  int rc = reindex_one(store, STMT_UNINDEX_ONE, doc->id);
  if (rc == SQLITE_OK) rc = write_document_row(store, STMT_UPDATE_DOC, doc);
  if (rc == SQLITE_OK) rc = reindex_one(store, STMT_INDEX_ONE, doc->id);
  if (rc == SQLITE_OK) rc = delete_rows(store, STMT_DELETE_SPANS, doc->id);
  if (rc == SQLITE_OK) rc = delete_rows(store, STMT_DELETE_VALUES, doc->id);
  if (rc == SQLITE_OK) rc = delete_rows(store, STMT_DELETE_PASSES, doc->id);
  if (rc == SQLITE_OK) rc = insert_spans(store, doc, doc->id);
  if (rc == SQLITE_OK) rc = upsert_values(store, doc, doc->id);
  return rc;
}

/* The three cases of a save. */
enum save_kind { SAVE_DUPLICATE, SAVE_REPLACE, SAVE_INSERT };

/* Which case a save is, found by reading only: the id of the copy that
 * holds the text (or the document's own) ends in store->stored_id. */
static int classify_save(lector_store *store, const lector_doc *doc, enum save_kind *kind) {
  int rc;
  int found = find_by_sha(store, doc->sha256, &rc);
  if (found < 0) return rc;
  if (found) {
    *kind = SAVE_DUPLICATE;
    return SQLITE_OK;
  }
  char *id = strdup(doc->id);
  if (!id) return SQLITE_NOMEM;
  free(store->stored_id);
  store->stored_id = id;
  int known = id_exists(store, doc->id, &rc);
  if (known < 0) return rc;
  *kind = known ? SAVE_REPLACE : SAVE_INSERT;
  return SQLITE_OK;
}

static int write_document(lector_store *store, const lector_doc *doc, enum save_kind kind) {
  switch (kind) {
  case SAVE_DUPLICATE: return replace_results(store, doc, store->stored_id);
  case SAVE_REPLACE: return replace_everything(store, doc);
  default: return insert_everything(store, doc);
  }
}

/* A new document without spans or values is one INSERT, which SQLite
 * applies whole or not at all; anything more needs a savepoint to be undone
 * as one. Saving the savepoint on plain ingests matters: each one copies
 * every page the save touches into SQLite's sub-journal. */
static int needs_savepoint(const lector_doc *doc, enum save_kind kind) {
  return kind != SAVE_INSERT || doc->span_count > 0 || doc->value_count > 0;
}

/* Whether the connection's TEMP database is open: it is once a script
 * made a TEMP table, view or trigger through a query (or read `temp`).
 * Asked without opening it, which would make every later change of
 * temp_store reload the schema. */
static int temp_database_open(sqlite3 *db) {
  return sqlite3_db_filename(db, "temp") != NULL;
}

/* Where SQLite keeps what undoes one statement or one save: in memory
 * from the store's opening and during batches, in files (SQLite's
 * default) for a merge's or a user's statements. Each save in a
 * batch holds a savepoint whose journal takes a copy of every page the
 * save changes, a few hundred KiB for a news article, and past 64 KiB it
 * went to a temporary file: a sixth of an ingest's processor time, in the
 * kernel. A merge's or a user's statements may journal or sort far more,
 * so they keep the files. Set outside any transaction, where SQLite
 * allows it. */
static void keep_journals_in_memory(lector_store *store, int in_memory) {
  if (store->journals_in_memory == in_memory || in_transaction(store)) return;
  /* changing temp_store drops the connection's TEMP tables and views: a
   * script's own stay, and so does the setting */
  if (temp_database_open(store->db)) return;
  set_journals(store, in_memory);
}

static lector_status begin_batch(lector_store *store, lector_error *err) {
  if (in_transaction(store)) return LECTOR_OK;
  keep_journals_in_memory(store, 1);
  store->batch_saves = 0;
  store->batch_bytes = 0;
  int rc = run(store->stmts[STMT_BEGIN]);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot start writing");
  sqlite3_stmt *stmt = store->stmts[STMT_MAX_ROWID];
  rc = sqlite3_step(stmt);
  store->indexed = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_reset(stmt);
  if (rc != SQLITE_ROW) {
    lector_status status = fail_db(err, store->db, rc, "cannot start writing");
    run(store->stmts[STMT_ROLLBACK]);
    return status;
  }
  return LECTOR_OK;
}

/* Undo a failed save. Most errors leave the batch open and only the
 * savepoint is rolled back (a save without one was a single statement,
 * which SQLite has undone already); a few (disk full, I/O error) make SQLite roll
 * back the whole transaction, and then the batch's earlier saves are gone
 * too, which the message says. */
static lector_status undo_save(lector_store *store, int rc, int savepoint, lector_error *err) {
  if (!in_transaction(store)) {
    char what[96];
    snprintf(what, sizeof what, "cannot save the document (the %zu saved before it were lost too)",
             store->batch_saves);
    store->batch_saves = 0;
    return fail_db(err, store->db, rc, what);
  }
  lector_status status = fail_db(err, store->db, rc, "cannot save the document");
  if (savepoint) {
    run(store->stmts[STMT_ROLLBACK_TO]);
    run(store->stmts[STMT_RELEASE]);
  }
  return status;
}

/*
 * Save one document in the open batch. A document that fails is undone
 * (to the savepoint taken at its start, when it needs one), so the batch's
 * earlier documents are kept; the batch commits once it holds LECTOR_STORE_BATCH documents or
 * LECTOR_STORE_BATCH_BYTES of text.
 */
lector_status lector_store_save(lector_store *store, const lector_doc *doc,
                                const char **stored_id, int *is_new, lector_error *err) {
  if (stored_id) *stored_id = NULL;
  if (is_new) *is_new = 0;
  if (!store || !doc) return fail(err, LECTOR_EINVAL, "no store or no document");
  if (store->readonly)
    return fail(err, LECTOR_EREADONLY, "cannot save: the database was opened read-only");
  lector_status status = check_document(doc, err);
  if (status == LECTOR_OK) status = begin_batch(store, err);
  if (status != LECTOR_OK) return status;
  enum save_kind kind = SAVE_INSERT;
  int rc = classify_save(store, doc, &kind);
  if (rc != SQLITE_OK) return undo_save(store, rc, 0, err);
  int savepoint = needs_savepoint(doc, kind);
  if (savepoint) rc = run(store->stmts[STMT_SAVEPOINT]);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot save the document");
  rc = write_document(store, doc, kind);
  if (rc != SQLITE_OK) return undo_save(store, rc, savepoint, err);
  if (savepoint) rc = run(store->stmts[STMT_RELEASE]);
  if (rc != SQLITE_OK) return undo_save(store, rc, savepoint, err);
  store->batch_saves++;
  store->batch_bytes += doc->len;
  if (stored_id) *stored_id = store->stored_id;
  if (is_new) *is_new = kind != SAVE_DUPLICATE;
  if (store->batch_saves >= LECTOR_STORE_BATCH || store->batch_bytes >= LECTOR_STORE_BATCH_BYTES)
    return commit_batch(store, err);
  return LECTOR_OK;
}

/* ---- reading -------------------------------------------------------------- */

/*
 * Prepare one statement of the caller's. Exactly one statement is accepted:
 * a second one after it would be silently ignored by SQLite, which is a
 * surprise worth refusing. The pending batch is committed first so the
 * statement sees every saved document.
 */
lector_status lector_store_prepare(lector_store *store, const char *sql,
                                   sqlite3_stmt **stmt, lector_error *err) {
  *stmt = NULL;
  if (!store || !sql) return fail(err, LECTOR_EINVAL, "no store or no SQL");
  lector_status status = commit_batch(store, err);
  if (status != LECTOR_OK) return status;
  keep_journals_in_memory(store, 0);
  const char *tail = NULL;
  int rc = sqlite3_prepare_v3(store->db, sql, -1, 0, stmt, &tail);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot prepare the query");
  if (!*stmt) return fail(err, LECTOR_EINVAL, "the query holds no SQL statement");
  sqlite3_stmt *next = NULL;
  rc = sqlite3_prepare_v3(store->db, tail, -1, 0, &next, NULL);
  if (rc != SQLITE_OK || next) {
    sqlite3_finalize(next);
    sqlite3_finalize(*stmt);
    *stmt = NULL;
    return fail(err, LECTOR_EINVAL, "the query holds more than one SQL statement");
  }
  return LECTOR_OK;
}

/* Re-attach the stored spans to a freshly segmented document, in the order
 * they were saved, each with the run and the pass that added it (so that
 * the pass run again on the document replaces them). */
static lector_status load_spans(lector_store *store, lector_doc *doc, lector_error *err) {
  sqlite3_stmt *stmt = store->stmts[STMT_LOAD_SPANS];
  bind_text(stmt, 1, doc->id);
  int rc = SQLITE_DONE;
  lector_status status = LECTOR_OK;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char *layer = (const char *)sqlite3_column_text(stmt, 0);
    sqlite3_int64 start = sqlite3_column_int64(stmt, 2), stop = sqlite3_column_int64(stmt, 3);
    double score = sqlite3_column_double(stmt, 4);
    int has_score = sqlite3_column_type(stmt, 4) != SQLITE_NULL;
    if (!layer || start < 0 || start > stop || stop > (sqlite3_int64)doc->len) {
      status = fail(err, LECTOR_EDB, "a stored span does not fit its document");
      break;
    }
    doc->current_run = sqlite3_column_int64(stmt, 6);
    const char *plugin = (const char *)sqlite3_column_text(stmt, 7);
    doc->current_producer = plugin ? lector_doc_producer(doc, plugin) : 0;
    status = plugin && !doc->current_producer
               ? LECTOR_ENOMEM
               : lector_doc_add_span(doc, layer, (uint32_t)start, (uint32_t)stop,
                                     (const char *)sqlite3_column_text(stmt, 1),
                                     has_score ? &score : NULL,
                                     (const char *)sqlite3_column_text(stmt, 5));
    if (status != LECTOR_OK) {
      fail(err, status, "out of memory");
      break;
    }
  }
  if (status == LECTOR_OK && rc != SQLITE_DONE)
    status = fail_db(err, store->db, rc, "cannot read the spans");
  finish(stmt);
  doc->current_run = 0;
  doc->current_producer = 0;
  return status;
}

static lector_status load_values(lector_store *store, lector_doc *doc, lector_error *err) {
  sqlite3_stmt *stmt = store->stmts[STMT_LOAD_VALUES];
  bind_text(stmt, 1, doc->id);
  int rc = SQLITE_DONE;
  lector_status status = LECTOR_OK;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    doc->current_run = sqlite3_column_int64(stmt, 2);
    status = lector_doc_set_value(doc, (const char *)sqlite3_column_text(stmt, 0),
                                  (const char *)sqlite3_column_text(stmt, 1));
    if (status != LECTOR_OK) {
      fail(err, status, "out of memory");
      break;
    }
  }
  if (status == LECTOR_OK && rc != SQLITE_DONE)
    status = fail_db(err, store->db, rc, "cannot read the values");
  finish(stmt);
  doc->current_run = 0;
  return status;
}

/* The documents row as a new document: the stored text is already
 * normalized, so it only needs segmenting and hashing again. */
static lector_status load_document_row(lector_store *store, const char *id, lector_doc **out,
                                       lector_error *err) {
  sqlite3_stmt *stmt = store->stmts[STMT_LOAD_DOC];
  bind_text(stmt, 1, id);
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    lector_status status = rc == SQLITE_DONE
                               ? fail(err, LECTOR_EINVAL, "no stored document has this id")
                               : fail_db(err, store->db, rc, "cannot read the document");
    finish(stmt);
    return status;
  }
  char *source = copy_column(stmt, 0), *title = copy_column(stmt, 1);
  char *meta = copy_column(stmt, 3);
  lector_text text = {copy_column(stmt, 2), (size_t)sqlite3_column_bytes(stmt, 2),
                      (size_t)sqlite3_column_int64(stmt, 4)};
  int missing = !text.data || (sqlite3_column_type(stmt, 0) != SQLITE_NULL && !source) ||
                (sqlite3_column_type(stmt, 1) != SQLITE_NULL && !title) ||
                (sqlite3_column_type(stmt, 3) != SQLITE_NULL && !meta);
  finish(stmt);
  lector_status status = missing ? fail(err, LECTOR_ENOMEM, "out of memory")
                                 : lector_doc_new(&text, id, source, title, meta, out, err);
  free(text.data);
  free(source);
  free(title);
  free(meta);
  return status;
}

/*
 * Load a document, its spans and its values in one read transaction, so
 * that a writer in another process cannot slip between the three reads.
 */
lector_status lector_store_load(lector_store *store, const char *id, lector_doc **out,
                                lector_error *err) {
  *out = NULL;
  if (!store || !id) return fail(err, LECTOR_EINVAL, "no store or no id");
  int rc = run(store->stmts[STMT_SAVEPOINT]);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot read the document");
  lector_doc *doc = NULL;
  lector_status status = load_document_row(store, id, &doc, err);
  if (status == LECTOR_OK) status = load_spans(store, doc, err);
  if (status == LECTOR_OK) status = load_values(store, doc, err);
  run(store->stmts[STMT_RELEASE]);
  if (status != LECTOR_OK) {
    lector_doc_release(doc);
    return status;
  }
  *out = doc;
  return LECTOR_OK;
}

const char *lector_store_path(const lector_store *store) {
  return store ? store->path : NULL;
}

/* ---- plugin runs and passes ------------------------------------------------ */

lector_status lector_store_begin_run(lector_store *store, const char *plugin, const char *version,
                                     const char *options_json, int64_t *run_id,
                                     lector_error *err) {
  *run_id = 0;
  if (!store || !plugin || !version || !options_json)
    return fail(err, LECTOR_EINVAL, "a run needs a plugin, a version and options");
  if (store->readonly)
    return fail(err, LECTOR_EREADONLY, "cannot record a run: the database was opened read-only");
  lector_status status = begin_batch(store, err);
  if (status != LECTOR_OK) return status;
  sqlite3_stmt *stmt = store->stmts[STMT_BEGIN_RUN];
  bind_text(stmt, 1, plugin);
  bind_text(stmt, 2, version);
  bind_text(stmt, 3, options_json);
  int rc = run(stmt);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot record the run");
  *run_id = sqlite3_last_insert_rowid(store->db);
  return LECTOR_OK;
}

lector_status lector_store_finish_run(lector_store *store, int64_t run_id, const char *status_text,
                                      const char *error, lector_error *err) {
  if (!store || !status_text) return fail(err, LECTOR_EINVAL, "no store or no status");
  lector_status status = begin_batch(store, err);
  if (status != LECTOR_OK) return status;
  sqlite3_stmt *stmt = store->stmts[STMT_FINISH_RUN];
  sqlite3_bind_int64(stmt, 1, run_id);
  bind_text(stmt, 2, status_text);
  bind_text(stmt, 3, error);
  int rc = run(stmt);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot record the run");
  return LECTOR_OK;
}

void lector_pass_clear(lector_pass *pass) {
  free(pass->version);
  free(pass->options_json);
  free(pass->status);
  free(pass->inputs_json);
  memset(pass, 0, sizeof *pass);
}

/*
 * The pass record of plugin on the stored document doc_id: *found is 0 when
 * the plugin never ran on it. Reads inside the open batch, so it sees
 * records written since the last commit.
 */
lector_status lector_store_get_pass(lector_store *store, const char *doc_id, const char *plugin,
                                    lector_pass *pass, int *found, lector_error *err) {
  memset(pass, 0, sizeof *pass);
  *found = 0;
  if (!store || !doc_id || !plugin) return fail(err, LECTOR_EINVAL, "no store, id or plugin");
  sqlite3_stmt *stmt = store->stmts[STMT_GET_PASS];
  bind_text(stmt, 1, doc_id);
  bind_text(stmt, 2, plugin);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    pass->version = copy_column(stmt, 0);
    pass->options_json = copy_column(stmt, 1);
    pass->status = copy_column(stmt, 2);
    pass->run_id = sqlite3_column_int64(stmt, 3);
    pass->inputs_json = copy_column(stmt, 4);
    *found = 1;
  }
  finish(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail_db(err, store->db, rc, "cannot read passes");
  if (*found && (!pass->version || !pass->options_json || !pass->status || !pass->inputs_json)) {
    lector_pass_clear(pass);
    *found = 0;
    return fail(err, LECTOR_ENOMEM, "out of memory");
  }
  return LECTOR_OK;
}

lector_status lector_store_set_pass(lector_store *store, const char *doc_id, const char *plugin,
                                    const char *version, const char *options_json,
                                    const char *inputs_json, int64_t run_id,
                                    const char *status_text, const char *error,
                                    lector_error *err) {
  if (!store || !doc_id || !plugin || !version || !options_json || !status_text)
    return fail(err, LECTOR_EINVAL, "an incomplete pass record");
  if (store->readonly)
    return fail(err, LECTOR_EREADONLY, "cannot record a pass: the database was opened read-only");
  lector_status status = begin_batch(store, err);
  if (status != LECTOR_OK) return status;
  sqlite3_stmt *stmt = store->stmts[STMT_SET_PASS];
  bind_text(stmt, 1, doc_id);
  bind_text(stmt, 2, plugin);
  bind_text(stmt, 3, version);
  bind_text(stmt, 4, options_json);
  bind_run(stmt, 5, run_id);
  bind_text(stmt, 6, status_text);
  bind_text(stmt, 7, error);
  bind_text(stmt, 8, inputs_json ? inputs_json : "{}");
  int rc = run(stmt);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot record the pass");
  return LECTOR_OK;
}

/* ---- merging ---------------------------------------------------------------- */

/* The source database is attached under this name for the merge only. */
#define MERGE_SCHEMA "lector_merge"

/* The steps of a merge, in order. ?1 is what the source's run ids are
 * shifted by (the largest run id stored here), ?2 the largest document rowid
 * before the merge: the documents above it are the ones this merge added.
 * Rows are copied in the source's rowid order, so a document's spans keep
 * their order. */
enum merge_step {
  MERGE_COUNT,
  MERGE_DOCUMENTS,
  MERGE_RUNS,
  MERGE_SPANS,
  MERGE_VALUES,
  MERGE_PASSES,
  MERGE_STEPS
};

static const char *const merge_sql[MERGE_STEPS] = {
  [MERGE_COUNT] =
    "SELECT count(*),"
    " total(EXISTS (SELECT 1 FROM main.documents d WHERE d.sha256 = s.sha256)),"
    " total(NOT EXISTS (SELECT 1 FROM main.documents d WHERE d.sha256 = s.sha256)"
    "   AND EXISTS (SELECT 1 FROM main.documents d WHERE d.id = s.id))"
    " FROM " MERGE_SCHEMA ".documents s",
  /* The runs whose results come along: so merging a source again, or one
   * whose documents are all stored already, adds no run. */
  [MERGE_RUNS] =
    "INSERT INTO main.runs(id, plugin, version, options, started_at, finished_at, status, error)"
    " SELECT id + ?1, plugin, version, options, started_at, finished_at, status, error"
    " FROM " MERGE_SCHEMA ".runs WHERE id IN ("
    "  SELECT p.run_id FROM " MERGE_SCHEMA ".passes p JOIN main.documents d ON d.id = p.doc_id"
    "   WHERE d.rowid > ?2"
    "  UNION SELECT s.run_id FROM " MERGE_SCHEMA ".spans s JOIN main.documents d"
    "   ON d.id = s.doc_id WHERE d.rowid > ?2"
    "  UNION SELECT v.run_id FROM " MERGE_SCHEMA ".doc_values v JOIN main.documents d"
    "   ON d.id = v.doc_id WHERE d.rowid > ?2)"
    " ORDER BY id",
  [MERGE_DOCUMENTS] =
    "INSERT INTO main.documents(id, source, title, text, sha256, meta, repairs, sentences,"
    " loaded_at)"
    " SELECT id, source, title, text, sha256, meta, repairs, sentences, loaded_at"
    " FROM " MERGE_SCHEMA ".documents s"
    " WHERE NOT EXISTS (SELECT 1 FROM main.documents d WHERE d.sha256 = s.sha256)"
    "   AND NOT EXISTS (SELECT 1 FROM main.documents d WHERE d.id = s.id)"
    " ORDER BY s.rowid",
  [MERGE_SPANS] =
    "INSERT INTO main.spans(doc_id, layer, label, start, stop, score, attrs, run_id, pass)"
    " SELECT s.doc_id, s.layer, s.label, s.start, s.stop, s.score, s.attrs, s.run_id + ?1,"
    " s.pass"
    " FROM " MERGE_SCHEMA ".spans s JOIN main.documents d ON d.id = s.doc_id"
    " WHERE d.rowid > ?2 ORDER BY s.rowid",
  [MERGE_VALUES] =
    "INSERT INTO main.doc_values(doc_id, key, value, run_id)"
    " SELECT v.doc_id, v.key, v.value, v.run_id + ?1"
    " FROM " MERGE_SCHEMA ".doc_values v JOIN main.documents d ON d.id = v.doc_id"
    " WHERE d.rowid > ?2",
  /* inputs names runs by id too: {"entities": 2} becomes {"entities": 2 + ?1}. */
  [MERGE_PASSES] =
    "INSERT INTO main.passes(doc_id, plugin, version, options, inputs, run_id, status, error,"
    " finished_at)"
    " SELECT p.doc_id, p.plugin, p.version, p.options,"
    "  (SELECT json_group_object(j.key, CASE j.type WHEN 'integer' THEN j.value + ?1"
    "     ELSE j.value END) FROM json_each(p.inputs) j),"
    "  p.run_id + ?1, p.status, p.error, p.finished_at"
    " FROM " MERGE_SCHEMA ".passes p JOIN main.documents d ON d.id = p.doc_id"
    " WHERE d.rowid > ?2",
};

/* One integer from a statement on the store's connection. */
static int merge_scalar(sqlite3 *db, const char *sql, sqlite3_int64 *out) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int64(stmt, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* Run one merge step; *changed is how many rows it wrote. The count step
 * fills the document counts instead. */
static int merge_run_step(sqlite3 *db, enum merge_step step, sqlite3_int64 run_offset,
                          sqlite3_int64 rowid_before, lector_merge_stats *stats,
                          int64_t *changed) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(db, merge_sql[step], -1, &stmt, NULL);
  if (rc != SQLITE_OK) return rc;
  if (step != MERGE_COUNT) {
    sqlite3_bind_int64(stmt, 1, run_offset);
    if (sqlite3_bind_parameter_count(stmt) >= 2) sqlite3_bind_int64(stmt, 2, rowid_before);
  }
  rc = sqlite3_step(stmt);
  if (step == MERGE_COUNT && rc == SQLITE_ROW) {
    stats->documents = sqlite3_column_int64(stmt, 0);
    stats->duplicates = (int64_t)sqlite3_column_double(stmt, 1);
    stats->conflicts = (int64_t)sqlite3_column_double(stmt, 2);
    rc = SQLITE_DONE;
  }
  if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
    if (changed) *changed = sqlite3_changes64(db);
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* Every step inside the merge's write transaction; the caller commits or
 * rolls back. The new documents are added to the full-text index here, as
 * a batch's are at its commit. */
static int merge_rows(lector_store *store, lector_merge_stats *stats) {
  sqlite3_int64 run_offset = 0, rowid_before = 0;
  int rc = merge_scalar(store->db, "SELECT coalesce(max(id), 0) FROM main.runs", &run_offset);
  if (rc == SQLITE_OK)
    rc = merge_scalar(store->db, "SELECT coalesce(max(rowid), 0) FROM main.documents",
                      &rowid_before);
  int64_t *changed[MERGE_STEPS] = {
    [MERGE_RUNS] = &stats->runs, [MERGE_DOCUMENTS] = &stats->added,
    [MERGE_SPANS] = &stats->spans, [MERGE_VALUES] = &stats->values,
    [MERGE_PASSES] = &stats->passes,
  };
  for (int step = 0; rc == SQLITE_OK && step < MERGE_STEPS; step++)
    rc = merge_run_step(store->db, (enum merge_step)step, run_offset, rowid_before, stats,
                        changed[step]);
  if (rc == SQLITE_OK) {
    store->indexed = rowid_before;
    rc = index_batch(store);
  }
  return rc;
}

/* The same file, found by device and inode (a path may be spelled many
 * ways); merging a database into itself would only copy its runs. */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Check the source the way a read-only open does, so that the same files
 * are refused with the same messages. */
static lector_status check_merge_source(lector_store *store, const char *source_path,
                                        lector_error *err) {
  if (strcmp(source_path, ":memory:") == 0)
    return fail(err, LECTOR_EINVAL, "cannot merge from ':memory:'");
  if (same_file(store->path, source_path))
    return fail(err, LECTOR_EINVAL, "cannot merge a database into itself");
  lector_store *source = NULL;
  lector_status status = lector_store_open(source_path, LECTOR_STORE_READONLY, &source, err);
  lector_store_close(source, NULL);
  return status;
}

/* Whether the file is lector's at an older schema version: one that a
 * read-only open refuses and a merge upgrades a copy of. */
static int has_older_schema(const char *path) {
  sqlite3 *db = NULL;
  identity id = {0, 0, 0};
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK) rc = query_int(db, "PRAGMA application_id", &id.application_id);
  if (rc == SQLITE_OK) rc = query_int(db, "PRAGMA user_version", &id.version);
  sqlite3_close_v2(db);
  return rc == SQLITE_OK && id.application_id == LECTOR_APPLICATION_ID && id.version > 0 &&
         id.version < LECTOR_SCHEMA_VERSION;
}

/* Remove a database file and the log files SQLite keeps beside it. */
static void remove_database_files(const char *path) {
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  char name[PATH_MAX + 16];
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
    unlink(name);
  }
}

/* A source of an older schema is merged from an upgraded copy, made beside
 * OUT (or in the temporary directory for a database in memory): the source
 * itself is only read, as with any other. The copy's name goes to copy_path
 * (PATH_MAX bytes); the caller removes it with remove_database_files. */
static lector_status upgraded_copy(const lector_store *store, const char *source_path,
                                   char *copy_path, lector_error *err) {
  const char *dir = getenv("TMPDIR");
  if (strcmp(store->path, ":memory:") != 0) {
    if (snprintf(copy_path, PATH_MAX, "%s.merge-XXXXXX", store->path) >= PATH_MAX)
      return fail(err, LECTOR_EINVAL, "the database's path is too long");
  } else if (snprintf(copy_path, PATH_MAX, "%s/lector-merge-XXXXXX",
                      dir && *dir ? dir : "/tmp") >= PATH_MAX) {
    return fail(err, LECTOR_EINVAL, "the temporary directory's path is too long");
  }
  int fd = mkstemp(copy_path);
  if (fd < 0)
    return fail(err, LECTOR_EIO, "cannot make a copy of %s to upgrade: %s", source_path,
                strerror(errno));
  close(fd);
  sqlite3 *db = NULL;
  sqlite3_stmt *vacuum = NULL;
  int rc = sqlite3_open_v2(source_path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &vacuum, NULL);
  if (rc == SQLITE_OK) rc = bind_text(vacuum, 1, copy_path);
  if (rc == SQLITE_OK) rc = sqlite3_step(vacuum) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  lector_status status = LECTOR_OK;
  if (rc != SQLITE_OK) status = fail_db(err, db, rc, "cannot copy the database to upgrade it");
  sqlite3_finalize(vacuum);
  sqlite3_close_v2(db);
  lector_store *copy = NULL;
  lector_error why = {0};
  if (status == LECTOR_OK && lector_store_open(copy_path, 0, &copy, &why) != LECTOR_OK)
    status = fail(err, why.status, "cannot upgrade a copy of it to merge: %s", why.message);
  if (copy) lector_store_close(copy, NULL);
  if (status != LECTOR_OK) remove_database_files(copy_path);
  return status;
}

/* Attach the checked source and copy its rows in one write transaction. */
static lector_status merge_attached(lector_store *store, const char *source_path,
                                    lector_merge_stats *stats, lector_error *err) {
  lector_status status = LECTOR_OK;
  sqlite3_stmt *attach = NULL;
  int rc = sqlite3_prepare_v2(store->db, "ATTACH DATABASE ?1 AS " MERGE_SCHEMA, -1, &attach, NULL);
  if (rc == SQLITE_OK) rc = bind_text(attach, 1, source_path);
  if (rc == SQLITE_OK) rc = sqlite3_step(attach) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(store->db);
  sqlite3_finalize(attach);
  if (rc != SQLITE_OK) return fail_db(err, store->db, rc, "cannot read the database to merge");
  rc = run(store->stmts[STMT_BEGIN]);
  if (rc == SQLITE_OK) rc = merge_rows(store, stats);
  if (rc == SQLITE_OK) rc = run(store->stmts[STMT_COMMIT]);
  if (rc != SQLITE_OK) {
    status = fail_db(err, store->db, rc, "cannot merge");
    if (in_transaction(store)) run(store->stmts[STMT_ROLLBACK]);
    memset(stats, 0, sizeof *stats);
  }
  sqlite3_exec(store->db, "DETACH DATABASE " MERGE_SCHEMA, NULL, NULL, NULL);
  return status;
}

/*
 * Merge: attach the source, then copy in one write transaction, so that a
 * merge that fails leaves the store as it was. Attaching needs no open
 * transaction, so the pending batch is committed first. A source of an
 * older schema is never written: an upgraded copy of it is merged instead.
 */
lector_status lector_store_merge(lector_store *store, const char *source_path,
                                 lector_merge_stats *stats, lector_error *err) {
  memset(stats, 0, sizeof *stats);
  if (!store || !source_path) return fail(err, LECTOR_EINVAL, "no store or no source");
  if (store->readonly)
    return fail(err, LECTOR_EREADONLY, "cannot merge: the database was opened read-only");
  char copy_path[PATH_MAX];
  int from_copy = 0;
  lector_status status = check_merge_source(store, source_path, err);
  if (status == LECTOR_ESCHEMA && has_older_schema(source_path)) {
    status = upgraded_copy(store, source_path, copy_path, err);
    from_copy = status == LECTOR_OK;
  }
  if (status == LECTOR_OK) status = commit_batch(store, err);
  if (status == LECTOR_OK) keep_journals_in_memory(store, 0);
  if (status == LECTOR_OK)
    status = merge_attached(store, from_copy ? copy_path : source_path, stats, err);
  if (from_copy) remove_database_files(copy_path);
  return status;
}
