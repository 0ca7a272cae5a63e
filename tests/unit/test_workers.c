/*
 * The worker pool: results come back in submission order however the
 * workers finish, the window bounds what is in flight, a failing handler
 * fails only its job, a failing start fails the pool, and closing a pool
 * with jobs pending frees them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "doc.h"
#include "workers.h"

static lector_doc *make_doc(const char *text) {
  lector_text normalized = {0};
  lector_error err = {0};
  assert_int_equal(lector_text_normalize(text, strlen(text), NULL, &normalized, &err), LECTOR_OK);
  lector_doc *doc = NULL;
  assert_int_equal(lector_doc_new(&normalized, "id", NULL, NULL, NULL, &doc, &err), LECTOR_OK);
  return doc;
}

/* A worker whose context counts its jobs; it sleeps a little on some so
 * that jobs finish out of order, adds a value to the document and returns
 * "input:tokens". An input of "fail" fails. */
typedef struct counter {
  int jobs;
} counter;

static void *start_counter(void *setup, lector_error *err) {
  if (setup && strcmp(setup, "refuse") == 0) {
    err->status = LECTOR_EINVAL;
    snprintf(err->message, sizeof err->message, "this worker refuses to start");
    return NULL;
  }
  return calloc(1, sizeof(counter));
}

static int handle_counter(void *context, lector_doc *doc, const char *input, size_t input_len,
                          char **out, size_t *out_len, lector_doc_list *made) {
  counter *c = context;
  c->jobs++;
  if (!doc) {   /* asked to make one */
    lector_text text = {0};
    lector_error err = {0};
    /* one document per word */
    made->docs = calloc(8, sizeof *made->docs);
    const char *word = input;
    while (word < input + input_len && made->count < 8) {
      size_t n = strcspn(word, " ");
      if (lector_text_normalize(word, n, NULL, &text, &err) == LECTOR_OK &&
          lector_doc_new(&text, "w", NULL, NULL, NULL, &made->docs[made->count], &err) == LECTOR_OK)
        made->count++;
      lector_text_free(&text);
      word += n + (word[n] == ' ');
    }
    *out = strdup("made");
    *out_len = 4;
    return 0;
  }
  if (input_len % 3 == 0) {
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
  }
  if (strcmp(input, "fail") == 0) {
    *out = strdup("failed on purpose");
    *out_len = strlen(*out);
    return -1;
  }
  char json[64];
  snprintf(json, sizeof json, "%zu", input_len);
  lector_doc_set_value(doc, input, json);
  char buf[128];
  int n = snprintf(buf, sizeof buf, "%s:%zu", input, doc->seg.token_count);
  *out = strdup(buf);
  *out_len = (size_t)n;
  return 0;
}

static void stop_counter(void *context) {
  free(context);
}

static lector_pool_worker counting_worker(const char *setup) {
  lector_pool_worker w = {start_counter, handle_counter, stop_counter, (void *)(uintptr_t)setup};
  return w;
}

/* Take the oldest result and check it is job number n's. */
static void take(lector_pool *pool, int n) {
  lector_doc *back = NULL;
  lector_doc_list made = {NULL, 0};
  char *out = NULL;
  size_t len = 0;
  int failed = 1;
  assert_int_equal(lector_pool_next(pool, &back, &made, &out, &len, &failed), 1);
  assert_int_equal(made.count, 0);
  char expected[48];
  snprintf(expected, sizeof expected, "k%0*d:%zu", 1 + n % 4, n, back->seg.token_count);
  assert_string_equal(out, expected);
  assert_int_equal(len, strlen(expected));
  assert_int_equal(failed, 0);
  assert_int_equal(back->value_count, 1);   /* the worker's change is seen */
  lector_doc_release(back);
  free(out);
}

static void test_results_in_submission_order(void **state) {
  (void)state;
  lector_pool_worker worker = counting_worker(NULL);
  lector_pool *pool = NULL;
  lector_error err = {0};
  assert_int_equal(lector_pool_new(3, 4, &worker, &pool, &err), LECTOR_OK);
  assert_int_equal(lector_pool_threads(pool), 3);
  char input[32];
  int taken = 0;
  for (int i = 0; i < 200; i++) {
    if (lector_pool_pending(pool) == lector_pool_window(pool)) take(pool, taken++);
    lector_doc *doc = make_doc(i % 2 ? "Lisbon voted on Monday." : "Porto voted.");
    snprintf(input, sizeof input, "k%0*d", 1 + i % 4, i);
    assert_int_equal(lector_pool_submit(pool, doc, input, strlen(input), &err), LECTOR_OK);
    lector_doc_release(doc);   /* the pool holds it now */
  }
  /* The window is full: one more is refused until a result is taken. */
  lector_doc *extra = make_doc("Faro voted.");
  assert_int_equal(lector_pool_submit(pool, extra, "x", 1, &err), LECTOR_EINVAL);
  lector_doc_release(extra);
  while (lector_pool_pending(pool) > 0) take(pool, taken++);
  assert_int_equal(taken, 200);
  lector_doc *back;
  lector_doc_list made;
  char *out;
  size_t len;
  int failed;
  assert_int_equal(lector_pool_next(pool, &back, &made, &out, &len, &failed), 0);
  lector_pool_free(pool);
}

static void test_workers_make_documents(void **state) {
  (void)state;
  lector_pool_worker worker = counting_worker(NULL);
  lector_pool *pool = NULL;
  lector_error err = {0};
  assert_int_equal(lector_pool_new(2, 8, &worker, &pool, &err), LECTOR_OK);
  const char *texts[] = {"One", "Two texts here", "Three"};
  size_t counts[] = {1, 3, 1};
  for (int i = 0; i < 3; i++)
    assert_int_equal(lector_pool_submit(pool, NULL, texts[i], strlen(texts[i]), &err), LECTOR_OK);
  for (int i = 0; i < 3; i++) {
    lector_doc *back;
    lector_doc_list made = {NULL, 0};
    char *out;
    size_t len;
    int failed;
    assert_int_equal(lector_pool_next(pool, &back, &made, &out, &len, &failed), 1);
    assert_null(back);
    assert_int_equal(made.count, counts[i]);
    assert_string_equal(made.docs[0]->text, i == 1 ? "Two" : texts[i]);
    if (i == 1) assert_string_equal(made.docs[2]->text, "here");
    lector_doc_list_clear(&made);
    free(out);
  }
  /* Documents made but never taken are freed with the pool. */
  assert_int_equal(lector_pool_submit(pool, NULL, "Left over", 9, &err), LECTOR_OK);
  lector_pool_free(pool);
}

static void test_failure_is_one_job(void **state) {
  (void)state;
  lector_pool_worker worker = counting_worker(NULL);
  lector_pool *pool = NULL;
  lector_error err = {0};
  assert_int_equal(lector_pool_new(2, 8, &worker, &pool, &err), LECTOR_OK);
  const char *inputs[] = {"a", "fail", "b"};
  for (int i = 0; i < 3; i++) {
    lector_doc *doc = make_doc("Porto voted.");
    assert_int_equal(lector_pool_submit(pool, doc, inputs[i], strlen(inputs[i]), &err), LECTOR_OK);
    lector_doc_release(doc);
  }
  const char *expected[] = {"a:3", "failed on purpose", "b:3"};
  for (int i = 0; i < 3; i++) {
    lector_doc *back;
    lector_doc_list made = {NULL, 0};
    char *out;
    size_t len;
    int failed;
    assert_int_equal(lector_pool_next(pool, &back, &made, &out, &len, &failed), 1);
    assert_int_equal(made.count, 0);
    assert_string_equal(out, expected[i]);
    assert_int_equal(failed, i == 1);
    lector_doc_release(back);
    free(out);
  }
  lector_pool_free(pool);
}

static void test_start_failure_fails_the_pool(void **state) {
  (void)state;
  lector_pool_worker worker = counting_worker("refuse");
  lector_pool *pool = NULL;
  lector_error err = {0};
  assert_int_equal(lector_pool_new(2, 4, &worker, &pool, &err), LECTOR_EINVAL);
  assert_null(pool);
  assert_string_equal(err.message, "this worker refuses to start");
  assert_int_equal(lector_pool_new(0, 4, &worker, &pool, &err), LECTOR_EINVAL);
}

static void test_free_with_jobs_pending(void **state) {
  (void)state;
  lector_pool_worker worker = counting_worker(NULL);
  lector_pool *pool = NULL;
  lector_error err = {0};
  assert_int_equal(lector_pool_new(2, 16, &worker, &pool, &err), LECTOR_OK);
  lector_doc *docs[16];
  for (int i = 0; i < 16; i++) {
    docs[i] = make_doc("Faro voted.");
    assert_int_equal(lector_pool_submit(pool, docs[i], "abc", 3, &err), LECTOR_OK);
  }
  lector_pool_free(pool);   /* the documents' references are given back */
  for (int i = 0; i < 16; i++) {
    assert_int_equal(docs[i]->refs, 1);
    lector_doc_release(docs[i]);
  }
  assert_true(lector_cpu_count() >= 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_results_in_submission_order),
    cmocka_unit_test(test_failure_is_one_job),
    cmocka_unit_test(test_workers_make_documents),
    cmocka_unit_test(test_start_failure_fails_the_pool),
    cmocka_unit_test(test_free_with_jobs_pending),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
