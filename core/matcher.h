/*
 * Token matcher: patterns over tokens (text, folded form, shape, kind,
 * lexicon entries, LPeg tests, spans), with optional and repeated elements
 * and labelled captures, compiled once and run over a document in C.
 *
 * A pattern is a list of elements; an element is a test (a conjunction of
 * predicates) repeated min..max times. Predicates are interned, so a test
 * that several patterns share is evaluated once per token. Tests the core
 * cannot evaluate itself (LPeg, re) are "calls": the caller's callback
 * answers them.
 *
 * Matching never allocates: a run lives in memory the caller provides
 * (lector_matcher_run_bytes), so a callback may raise (longjmp) without
 * leaking anything.
 */
#ifndef LECTOR_MATCHER_H
#define LECTOR_MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "lexicon.h"

typedef struct lector_matcher lector_matcher;

/* The allocator: lua_Alloc's contract (NULL means malloc). */
typedef void *(*lector_matcher_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

lector_matcher *lector_matcher_new(lector_matcher_alloc alloc, void *ud);
void lector_matcher_free(lector_matcher *m);
uint32_t lector_matcher_patterns(const lector_matcher *m);
size_t lector_matcher_bytes(const lector_matcher *m);   /* C memory held */

typedef enum lector_match_field {
  LECTOR_MATCH_TEXT,      /* strings: exact token text */
  LECTOR_MATCH_LOWER,     /* strings: case-folded text (the strings are folded too) */
  LECTOR_MATCH_SHAPE,     /* strings: lector_token_shape */
  LECTOR_MATCH_KIND,      /* kinds: a bit per lector_token_kind */
  LECTOR_MATCH_STARTS,    /* flag: the token does (1) or does not (0) start its sentence */
  LECTOR_MATCH_SPAN,      /* name: a layer; strings: labels (none: any) */
  LECTOR_MATCH_LEXICON,   /* lexicon; strings: labels (none: any) */
  LECTOR_MATCH_CALL       /* name: the test's identity; answered by the run's callback */
} lector_match_field;

typedef struct lector_match_test {
  lector_match_field field;
  const char *const *strings;   /* count strings of lens[i] bytes */
  const size_t *lens;
  size_t count;
  const char *name;             /* SPAN, CALL */
  size_t name_len;
  const lector_lexicon *lexicon;
  int flag;
  uint32_t kinds;
} lector_match_test;

/* Building a pattern: begin, then for each element `element` followed by
 * its tests, then commit. A pattern that is not committed is dropped by
 * the next begin (or by lector_matcher_free), so a caller may give up at
 * any point. max is UINT32_MAX for no bound; capture is an index among the
 * pattern's captures or -1. An element holds at most one LEXICON test;
 * negate is for elements without one. */
void lector_matcher_begin(lector_matcher *m);
lector_status lector_matcher_element(lector_matcher *m, uint32_t min, uint32_t max, int negate,
                                     int capture);
/* *pred receives the test's interned id (what a CALL callback is asked). */
lector_status lector_matcher_test(lector_matcher *m, const lector_match_test *test,
                                  uint32_t *pred);
lector_status lector_matcher_commit(lector_matcher *m, uint32_t captures, uint32_t *pattern);

/* ---- running ---------------------------------------------------------- */

typedef struct lector_match_run lector_match_run;

/* Answer CALL predicate pred for document token `token` (0-based): 1 or 0. */
typedef int (*lector_match_call)(void *ud, uint32_t pred, uint32_t token);

typedef struct lector_match_hit {
  uint32_t pattern;         /* index, in the order added */
  uint32_t first, end;      /* document token indices, end exclusive */
  uint32_t captures;
  const uint32_t *cap_first, *cap_end;  /* per capture; first == end: it matched nothing */
} lector_match_hit;

/* Bytes a run of m over sentences [first, end) of doc needs. */
size_t lector_matcher_run_bytes(const lector_matcher *m, const lector_doc *doc, uint32_t first,
                                uint32_t end);
/* Start a run over sentences [first, end) of doc in mem (run_bytes bytes
 * for the same arguments, aligned for any type). all: every pattern's longest match at every
 * start instead of leftmost-longest non-overlapping. The run sees the
 * patterns m holds now and doc's spans as they are now; m and doc must
 * outlive it. */
lector_match_run *lector_matcher_run_init(void *mem, const lector_matcher *m,
                                          const lector_doc *doc, uint32_t first, uint32_t end,
                                          int all, lector_match_call call, void *ud);
/* The next hit: 1 and *hit filled, or 0 when the run is over. */
int lector_matcher_next(lector_match_run *run, lector_match_hit *hit);

#endif
