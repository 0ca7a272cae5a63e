/*
 * The spans' labels and attributes, kept in the document's own blocks:
 * many spans, strings longer than a block, and a pass's spans dropped
 * again and again (the blocks are rebuilt from the spans kept, which
 * read as before); the tokens a byte range touches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"

static lector_doc *new_doc(const char *text) {
  lector_text t = {strdup(text), strlen(text), 0};
  lector_doc *doc = NULL;
  lector_error err;
  assert_int_equal(lector_doc_new(&t, "d", NULL, NULL, NULL, &doc, &err), LECTOR_OK);
  return doc;
}

/* Span i's label and attributes, as added_by below makes them. */
static void expected(size_t i, char *label, char *attrs, size_t size) {
  snprintf(label, size, "label-%zu", i);
  snprintf(attrs, size, "{\"n\":%zu}", i);
}

/* Add count spans for producer, labelled from first. */
static void added_by(lector_doc *doc, uint32_t producer, size_t first, size_t count) {
  doc->current_producer = lector_doc_producer(doc, producer == 1 ? "first" : "second");
  assert_int_equal(doc->current_producer, producer);
  for (size_t i = first; i < first + count; i++) {
    char label[64], attrs[64];
    expected(i, label, attrs, sizeof label);
    double score = (double)i;
    assert_int_equal(lector_doc_add_span(doc, "layer", 0, 1, label, &score, attrs), LECTOR_OK);
  }
}

/* The spans of producer hold the strings of first.. in order. */
static void assert_spans(const lector_doc *doc, uint32_t producer, size_t first, size_t count) {
  size_t seen = 0;
  for (size_t i = 0; i < doc->span_count; i++) {
    const lector_span *span = &doc->spans[i];
    if (span->producer != producer) continue;
    char label[64], attrs[64];
    expected(first + seen, label, attrs, sizeof label);
    assert_string_equal(span->label, label);
    assert_string_equal(span->attrs_json, attrs);
    seen++;
  }
  assert_int_equal(seen, count);
}

static void keeps_strings_of_many_spans(void **state) {
  (void)state;
  lector_doc *doc = new_doc("Some text.");
  added_by(doc, 1, 0, 20000);
  char *long_label = malloc(200000);
  memset(long_label, 'x', 199999);
  long_label[199999] = '\0';
  doc->current_producer = 0;
  assert_int_equal(lector_doc_add_span(doc, "layer", 0, 1, long_label, NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_doc_add_span(doc, "layer", 0, 1, NULL, NULL, NULL), LECTOR_OK);
  assert_spans(doc, 1, 0, 20000);
  assert_int_equal(strcmp(doc->spans[20000].label, long_label), 0);
  assert_null(doc->spans[20000].attrs_json);
  assert_null(doc->spans[20001].label);
  assert_null(doc->spans[20001].attrs_json);
  free(long_label);
  lector_doc_release(doc);
}

static void drops_a_pass_again_and_again(void **state) {
  (void)state;
  lector_doc *doc = new_doc("Some text.");
  added_by(doc, 1, 0, 300);
  size_t bytes = doc->span_string_bytes;
  for (size_t run = 1; run <= 50; run++) {
    size_t before = doc->span_count;
    added_by(doc, 2, run * 1000, 100);
    assert_int_equal(lector_doc_drop_spans_of(doc, 2, before), run > 1 ? 100 : 0);
    assert_spans(doc, 1, 0, 300);
    assert_spans(doc, 2, run * 1000, 100);
  }
  /* what the dropped spans held went: no more than twice what is kept */
  assert_true(doc->span_string_bytes <= 2 * (bytes + bytes / 3 + 4096));
  lector_doc *copy = new_doc("Some text.");
  int64_t runs[] = {0};
  assert_int_equal(lector_doc_copy_results(copy, doc, runs, 1), LECTOR_OK);
  assert_int_equal(copy->span_count, doc->span_count);
  lector_doc_release(copy);
  lector_doc_release(doc);
}

/* The tokens [first, end) a byte range touches. */
static void assert_token_range(const lector_doc *doc, uint32_t start, uint32_t stop, size_t first,
                               size_t end) {
  size_t got_first = 99, got_end = 99;
  lector_doc_token_range(doc, start, stop, &got_first, &got_end);
  assert_int_equal(got_first, first);
  assert_int_equal(got_end, end);
}

static void finds_the_tokens_of_a_byte_range(void **state) {
  (void)state;
  /* tokens: Ask 0-3, Maduro 5-11, now 12-15, "." 15-16 */
  lector_doc *doc = new_doc("Ask  Maduro now.");
  assert_int_equal(doc->seg.token_count, 4);
  assert_token_range(doc, 5, 11, 1, 2);      /* one whole token */
  assert_token_range(doc, 1, 6, 0, 2);       /* parts of two */
  assert_token_range(doc, 0, 16, 0, 4);      /* all */
  assert_token_range(doc, 3, 5, 1, 1);       /* white space only: none */
  assert_token_range(doc, 15, 16, 3, 4);     /* the last */
  assert_token_range(doc, 16, 16, 4, 4);     /* past the end: none */
  lector_doc_release(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(keeps_strings_of_many_spans),
    cmocka_unit_test(drops_a_pass_again_and_again),
    cmocka_unit_test(finds_the_tokens_of_a_byte_range),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
