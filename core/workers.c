/*
 * The worker pool: threads that run jobs in submission order and results
 * that come back in that order. Jobs live in a ring of `window` slots;
 * three counters say how many were submitted, claimed by a worker and
 * taken back, so the slot of job n is n % window and nothing is ever
 * allocated per job beyond its input copy and its result.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers.h"

typedef struct pool_job {
  lector_doc *doc;
  lector_doc_list made;
  char *input;
  size_t input_len;
  char *output;
  size_t output_len;
  int failed;
  int done;
} pool_job;

struct lector_pool {
  pthread_mutex_t lock;
  pthread_cond_t work;       /* a job was queued, or the pool is stopping */
  pthread_cond_t progress;   /* a job was done, or a worker has started */
  pool_job *jobs;
  size_t window;
  size_t submitted, claimed, taken;
  int stopping;
  lector_pool_worker worker;
  pthread_t *threads;
  int thread_count;          /* threads created */
  int started;               /* workers past their start function */
  int start_failed;
  lector_error start_err;
};

static void set_error(lector_error *err, lector_status status, const char *message) {
  if (!err) return;
  err->status = status;
  err->offset = 0;
  snprintf(err->message, sizeof err->message, "%s", message);
}

/* Take the next unclaimed job, waiting for one; NULL when stopping.
 * Called and returns with the lock held. */
static pool_job *claim(lector_pool *pool) {
  while (!pool->stopping && pool->claimed == pool->submitted)
    pthread_cond_wait(&pool->work, &pool->lock);
  if (pool->stopping) return NULL;
  return &pool->jobs[pool->claimed++ % pool->window];
}

static void run_job(lector_pool *pool, void *context, pool_job *job) {
  char *out = NULL;
  size_t out_len = 0;
  lector_doc_list made = {NULL, 0};
  int rc = pool->worker.handle(context, job->doc, job->input, job->input_len, &out, &out_len,
                               &made);
  pthread_mutex_lock(&pool->lock);
  job->made = made;
  job->output = out;
  job->output_len = out ? out_len : 0;
  job->failed = rc != 0 || !out;
  job->done = 1;
  pthread_cond_broadcast(&pool->progress);
}

static void *worker_main(void *arg) {
  lector_pool *pool = arg;
  lector_error err = {0};
  void *context = pool->worker.start(pool->worker.setup, &err);
  pthread_mutex_lock(&pool->lock);
  if (!context && !pool->start_failed) {
    pool->start_failed = 1;
    pool->start_err = err;
  }
  pool->started++;
  pthread_cond_broadcast(&pool->progress);
  pool_job *job;
  while (context && (job = claim(pool)) != NULL) {
    pthread_mutex_unlock(&pool->lock);
    run_job(pool, context, job);   /* returns with the lock held */
  }
  pthread_mutex_unlock(&pool->lock);
  if (context) pool->worker.stop(context);
  return NULL;
}

static void stop_threads(lector_pool *pool) {
  pthread_mutex_lock(&pool->lock);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->work);
  pthread_mutex_unlock(&pool->lock);
  for (int i = 0; i < pool->thread_count; i++) pthread_join(pool->threads[i], NULL);
  pool->thread_count = 0;
}

void lector_doc_list_clear(lector_doc_list *list) {
  for (size_t i = 0; i < list->count; i++) lector_doc_release(list->docs[i]);
  free(list->docs);
  list->docs = NULL;
  list->count = 0;
}

static void clear_job(pool_job *job) {
  lector_doc_release(job->doc);
  lector_doc_list_clear(&job->made);
  free(job->input);
  free(job->output);
  memset(job, 0, sizeof *job);
}

void lector_pool_free(lector_pool *pool) {
  if (!pool) return;
  stop_threads(pool);
  for (size_t n = pool->taken; n < pool->submitted; n++) clear_job(&pool->jobs[n % pool->window]);
  pthread_cond_destroy(&pool->work);
  pthread_cond_destroy(&pool->progress);
  pthread_mutex_destroy(&pool->lock);
  free(pool->jobs);
  free(pool->threads);
  free(pool);
}

/* Workers never take signals: Ctrl-C is the main thread's to handle,
 * between documents. The mask is inherited by the threads created while
 * it is set. */
static int spawn(lector_pool *pool, int count) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = 0;
  for (int i = 0; i < count && rc == 0; i++) {
    rc = pthread_create(&pool->threads[i], NULL, worker_main, pool);
    if (rc == 0) pool->thread_count++;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

lector_status lector_pool_new(int threads, size_t window, const lector_pool_worker *worker,
                              lector_pool **out, lector_error *err) {
  *out = NULL;
  if (threads < 1 || window < 1 || !worker || !worker->start || !worker->handle ||
      !worker->stop) {
    set_error(err, LECTOR_EINVAL, "a pool needs at least one thread, a window and a worker");
    return LECTOR_EINVAL;
  }
  lector_pool *pool = calloc(1, sizeof *pool);
  if (!pool) goto nomem;
  pool->jobs = calloc(window, sizeof *pool->jobs);
  pool->threads = calloc((size_t)threads, sizeof *pool->threads);
  if (!pool->jobs || !pool->threads) {
    free(pool->jobs);
    free(pool->threads);
    free(pool);
    goto nomem;
  }
  pool->window = window;
  pool->worker = *worker;
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->work, NULL);
  pthread_cond_init(&pool->progress, NULL);
  if (spawn(pool, threads) != 0) {
    lector_pool_free(pool);
    set_error(err, LECTOR_ENOMEM, "cannot start a worker thread");
    return LECTOR_ENOMEM;
  }
  pthread_mutex_lock(&pool->lock);
  while (pool->started < pool->thread_count) pthread_cond_wait(&pool->progress, &pool->lock);
  int failed = pool->start_failed;
  if (failed && err) *err = pool->start_err;
  pthread_mutex_unlock(&pool->lock);
  if (failed) {
    lector_pool_free(pool);
    return err && err->status != LECTOR_OK ? err->status : LECTOR_EINVAL;
  }
  *out = pool;
  return LECTOR_OK;
nomem:
  set_error(err, LECTOR_ENOMEM, "out of memory");
  return LECTOR_ENOMEM;
}

lector_status lector_pool_submit(lector_pool *pool, lector_doc *doc, const char *input,
                                 size_t input_len, lector_error *err) {
  if (lector_pool_pending(pool) >= pool->window) {
    set_error(err, LECTOR_EINVAL, "the pool's window is full: take a result first");
    return LECTOR_EINVAL;
  }
  char *copy = malloc(input_len + 1);
  if (!copy) {
    set_error(err, LECTOR_ENOMEM, "out of memory");
    return LECTOR_ENOMEM;
  }
  if (input_len) memcpy(copy, input, input_len);
  copy[input_len] = '\0';
  lector_doc_retain(doc);
  pthread_mutex_lock(&pool->lock);
  pool_job *job = &pool->jobs[pool->submitted % pool->window];
  memset(job, 0, sizeof *job);
  job->doc = doc;
  job->input = copy;
  job->input_len = input_len;
  pool->submitted++;
  pthread_cond_signal(&pool->work);
  pthread_mutex_unlock(&pool->lock);
  return LECTOR_OK;
}

int lector_pool_next(lector_pool *pool, lector_doc **doc, lector_doc_list *made, char **out,
                     size_t *out_len, int *failed) {
  pthread_mutex_lock(&pool->lock);
  if (pool->taken == pool->submitted) {
    pthread_mutex_unlock(&pool->lock);
    return 0;
  }
  pool_job *job = &pool->jobs[pool->taken % pool->window];
  while (!job->done) pthread_cond_wait(&pool->progress, &pool->lock);
  *doc = job->doc;
  *made = job->made;
  *out = job->output;
  *out_len = job->output_len;
  *failed = job->failed;
  free(job->input);
  memset(job, 0, sizeof *job);
  pool->taken++;
  pthread_mutex_unlock(&pool->lock);
  return 1;
}

size_t lector_pool_pending(const lector_pool *pool) {
  /* Only the driving thread changes submitted and taken. */
  return pool->submitted - pool->taken;
}

size_t lector_pool_window(const lector_pool *pool) {
  return pool->window;
}

int lector_pool_threads(const lector_pool *pool) {
  return pool->thread_count;
}

int lector_cpu_count(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}
