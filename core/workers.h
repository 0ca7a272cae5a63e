/*
 * A pool of worker threads that take documents in submission order and
 * hand their results back in the same order, through a bounded window:
 * at most `window` documents are ever in flight, so memory does not grow
 * with the corpus. Each worker owns a context its start function made in
 * its own thread (lector makes a Lua state there) and never shares it.
 * The pool is driven from one thread: submit and next are not meant to be
 * called concurrently.
 */
#ifndef LECTOR_WORKERS_H
#define LECTOR_WORKERS_H

#include <stddef.h>

#include "doc.h"

typedef struct lector_pool lector_pool;

/* Documents a worker made for one job: a malloc'd array holding one
 * reference to each. */
typedef struct lector_doc_list {
  lector_doc **docs;
  size_t count;
} lector_doc_list;

/* Release every document and free the array; the list is left empty. */
void lector_doc_list_clear(lector_doc_list *list);

/* What a worker thread does. start runs once in the worker's thread and
 * returns its context, or NULL with err filled (the pool then fails to
 * start). handle runs for each job: it may change the document (NULL when
 * the job was given none), may make documents (*made, empty when called),
 * and sets *out to a malloc'd result of *out_len bytes; it returns 0, or
 * -1 when the result is an error message. stop frees the context, in the
 * thread. */
typedef struct lector_pool_worker {
  void *(*start)(void *setup, lector_error *err);
  int (*handle)(void *context, lector_doc *doc, const char *input, size_t input_len,
                char **out, size_t *out_len, lector_doc_list *made);
  void (*stop)(void *context);
  void *setup;   /* given to every start; must outlive lector_pool_new */
} lector_pool_worker;

/* Start threads workers and wait until each has made its context. On
 * failure no thread is left running and err holds the first worker's
 * message. */
lector_status lector_pool_new(int threads, size_t window, const lector_pool_worker *worker,
                              lector_pool **out, lector_error *err);

/* Queue a document (retained until its result is taken; may be NULL) with
 * a copy of input. LECTOR_EINVAL when the window is full: take a result
 * first. */
lector_status lector_pool_submit(lector_pool *pool, lector_doc *doc, const char *input,
                                 size_t input_len, lector_error *err);

/* The oldest job's result, waiting for it: *doc gets the document it was
 * given (one reference, or NULL) and *made the ones the worker made, for
 * the caller to release; *out the malloc'd result (the caller frees it)
 * and *failed 1 when the result is an error message. Returns 0 when
 * nothing is pending. */
int lector_pool_next(lector_pool *pool, lector_doc **doc, lector_doc_list *made, char **out,
                     size_t *out_len, int *failed);

size_t lector_pool_pending(const lector_pool *pool);
size_t lector_pool_window(const lector_pool *pool);
int lector_pool_threads(const lector_pool *pool);

/* Let the workers finish the jobs they hold, drop the others, join the
 * threads and free everything. Safe on NULL. */
void lector_pool_free(lector_pool *pool);

/* The processors this process may run on (at least 1). */
int lector_cpu_count(void);

#endif
