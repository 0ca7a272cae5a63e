/*
 * The store: lector's one owner of a SQLite connection and its transactions.
 * Schema, migrations, batching and deduplication live in store.c only.
 */
#ifndef LECTOR_STORE_H
#define LECTOR_STORE_H

#include <sqlite3.h>
#include "doc.h"

#define LECTOR_SCHEMA_VERSION 7

typedef struct lector_store lector_store;

enum { LECTOR_STORE_READONLY = 1 };

/* Settings of the SQLite library for the whole process, made before its
 * first connection by a program that owns the process (the lector
 * command), never by the library on its own: SQLite's memory statistics
 * are off, which lector never reads, so that its allocations take no
 * global mutex (a tenth of the time of storing spans). */
void lector_store_configure_process(void);

/* Open or create the database at path (":memory:" for a throwaway one) and
 * migrate it to the current schema. Refuses (and never overwrites) a file
 * that is not SQLite, a SQLite file of another program, a newer schema, and
 * a location that cannot be written. */
lector_status lector_store_open(const char *path, int flags, lector_store **out,
                                lector_error *err);
/* Commit what is pending and close. Safe on NULL. */
lector_status lector_store_close(lector_store *store, lector_error *err);

/* Save a document, its sentences, spans and values inside the current batch
 * transaction (opened on demand, committed every LECTOR_STORE_BATCH saves).
 * Text already stored under any id is not stored again: *stored_id (owned
 * by the store, valid until the next call) names the copy that holds it and
 * *is_new is 0. A known id with different text replaces the old text and
 * drops the results computed on it. */
lector_status lector_store_save(lector_store *store, const lector_doc *doc,
                                const char **stored_id, int *is_new, lector_error *err);
/* Commit the pending batch. */
lector_status lector_store_flush(lector_store *store, lector_error *err);

/* Prepare a statement on the store's connection for a caller that binds and
 * steps it itself; the caller finalizes it. Pending batches are committed
 * first so the statement sees them. */
lector_status lector_store_prepare(lector_store *store, const char *sql,
                                   sqlite3_stmt **stmt, lector_error *err);

/* Load a stored document by id (segmenting it again); LECTOR_EINVAL with a
 * message when there is none. */
lector_status lector_store_load(lector_store *store, const char *id, lector_doc **out,
                                lector_error *err);

const char *lector_store_path(const lector_store *store);

/* ---- plugin runs and passes -------------------------------------------- */

/* Record the start of a run: one plugin version with one set of options,
 * over any number of documents. Written in the current batch. */
lector_status lector_store_begin_run(lector_store *store, const char *plugin, const char *version,
                                     const char *options_json, int64_t *run_id,
                                     lector_error *err);
/* status: "ok" or "failed"; error may be NULL. */
lector_status lector_store_finish_run(lector_store *store, int64_t run_id, const char *status,
                                      const char *error, lector_error *err);

/* What a plugin last did to one stored document. */
typedef struct lector_pass {
  char *version;
  char *options_json;
  char *status;            /* "ok" or "failed" */
  char *inputs_json;       /* {required plugin: the run whose results it read} */
  int64_t run_id;
} lector_pass;

lector_status lector_store_get_pass(lector_store *store, const char *doc_id, const char *plugin,
                                    lector_pass *pass, int *found, lector_error *err);
lector_status lector_store_set_pass(lector_store *store, const char *doc_id, const char *plugin,
                                    const char *version, const char *options_json,
                                    const char *inputs_json, int64_t run_id,
                                    const char *status, const char *error, lector_error *err);
void lector_pass_clear(lector_pass *pass);

/* ---- merging ------------------------------------------------------------ */

/* What merging one database into another did. */
typedef struct lector_merge_stats {
  int64_t documents;       /* documents in the source */
  int64_t added;           /* stored now, with their spans, values and passes */
  int64_t duplicates;      /* their text was already stored: left as stored */
  int64_t conflicts;       /* their id names another text here: refused */
  int64_t runs, spans, values, passes;   /* rows copied */
} lector_merge_stats;

/* Copy the lector database at source_path into the store, in one
 * transaction: every document whose text and id are new here, with its
 * spans, values and passes, and the runs that made them (renumbered). Nothing stored is changed.
 * The source must be a lector database at the current version; it is only
 * read. */
lector_status lector_store_merge(lector_store *store, const char *source_path,
                                 lector_merge_stats *stats, lector_error *err);

#endif
