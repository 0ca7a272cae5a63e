/*
 * Graphs: edges and weights, PageRank on small graphs solved by hand,
 * similarity graphs (cosine, BM25, overlap) on tiny corpora computed by
 * hand, thresholds, MMR, the limits, and allocation failure at every
 * allocation with every byte accounted for.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "failing_alloc.h"

#include "graph.h"
#include "lector_limits.h"

#define EXACT 1e-9

/* cmocka's assert_float_equal compares floats: too coarse for 1e-9. */
#define assert_near(actual, expected, eps) \
  assert_near_at((actual), (expected), (eps), __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double eps, const char *file,
                           int line) {
  if (!(fabs(actual - expected) <= eps))
    fail_msg("%s:%d: %.17g is not %.17g (within %g)", file, line, actual, expected, eps);
}

/* ---- helpers ------------------------------------------------------------ */

static lector_graph *graph(uint32_t n) {
  lector_graph *g = lector_graph_new(n, NULL, NULL);
  assert_non_null(g);
  return g;
}

static void add(lector_graph *g, uint32_t i, uint32_t j, double w) {
  lector_error err;
  lector_status status = lector_graph_add(g, i, j, w, &err);
  if (status != LECTOR_OK) fail_msg("adding {%u, %u}: %s", i, j, err.message);
}

static const lector_graph_rank_opts PRECISE = {0.85, 1e-14, 1000, NULL};

static void rank(lector_graph *g, const lector_graph_rank_opts *opts, double *scores) {
  lector_error err;
  lector_status status = lector_graph_rank(g, opts, scores, NULL, &err);
  if (status != LECTOR_OK) fail_msg("rank: %s", err.message);
}

/* Rows written as strings of space-separated terms, NULL-terminated. */
typedef struct corpus {
  uint32_t count;
  size_t starts[16];
  lector_term terms[64];
  char text[512];
} corpus;

static void make_corpus(corpus *c, const char *const *rows) {
  memset(c, 0, sizeof *c);
  size_t at = 0, used = 0;
  for (; rows[c->count]; c->count++) {
    c->starts[c->count] = at;
    strcpy(c->text + used, rows[c->count]);
    for (char *word = strtok(c->text + used, " "); word; word = strtok(NULL, " "))
      c->terms[at++] = (lector_term){word, strlen(word)};
    used += strlen(rows[c->count]) + 1;
  }
  c->starts[c->count] = at;
}

/* The similarity graph of rows; idf (one value per occurrence) or NULL. */
static lector_graph *similar(const char *const *rows, lector_similarity_measure measure,
                             double threshold, const double *idf) {
  corpus c;
  make_corpus(&c, rows);
  lector_similarity_rows in = {c.count, c.starts, c.terms, idf};
  lector_similarity_opts opts = {measure, threshold, 1.2, 0.75};
  lector_graph *g = NULL;
  lector_error err;
  lector_status status = lector_graph_similarity(&in, &opts, NULL, NULL, &g, &err);
  if (status != LECTOR_OK) fail_msg("similarity: %s", err.message);
  return g;
}

/* ---- edges ------------------------------------------------------------------- */

static void edges_add_up_and_are_undirected(void **state) {
  (void)state;
  lector_graph *g = graph(4);
  assert_int_equal(lector_graph_nodes(g), 4);
  add(g, 0, 1, 0.5);
  add(g, 1, 0, 0.25);       /* the same edge */
  add(g, 2, 3, 0);          /* weight 0: no edge */
  assert_int_equal(lector_graph_edges(g), 1);
  assert_near(lector_graph_weight(g, 0, 1), 0.75, EXACT);
  assert_near(lector_graph_weight(g, 1, 0), 0.75, EXACT);
  assert_near(lector_graph_weight(g, 2, 3), 0, EXACT);
  assert_near(lector_graph_weight(g, 0, 0), 0, EXACT);
  /* many edges: the hash index grows and finds every one */
  lector_graph *big = graph(300);
  for (uint32_t i = 0; i < 300; i++)
    for (uint32_t j = i + 1; j < 300; j += 7) add(big, i, j, i + j / 1000.0);
  for (uint32_t i = 0; i < 300; i++)
    for (uint32_t j = i + 1; j < 300; j++)
      assert_near(lector_graph_weight(big, j, i), (j - i - 1) % 7 == 0 ? i + j / 1000.0 : 0,
                         EXACT);
  lector_graph_free(big);

  lector_error err;
  assert_int_equal(lector_graph_add(g, 0, 4, 1, &err), LECTOR_EINVAL);
  assert_string_equal(err.message, "node 5 is not in the graph (it has 4 nodes)");
  assert_int_equal(lector_graph_add(g, 2, 2, 1, &err), LECTOR_EINVAL);
  assert_int_equal(lector_graph_add(g, 0, 2, -1, &err), LECTOR_EINVAL);
  assert_int_equal(lector_graph_add(g, 0, 2, NAN, &err), LECTOR_EINVAL);
  assert_int_equal(lector_graph_add(g, 0, 2, INFINITY, &err), LECTOR_EINVAL);
  assert_int_equal(lector_graph_edges(g), 1);
  lector_graph_free(g);
  assert_null(lector_graph_new(LECTOR_GRAPH_MAX_NODES + 1, NULL, NULL));
}

/* ---- PageRank ------------------------------------------------------------ */

/* The path 1 - 2 - 3, damping 0.85: s1 = s3 = 0.05 + 0.85 s2 / 2 and
 * s2 = 0.05 + 0.85 (s1 + s3) give s1 = s3 = 19/74, s2 = 18/37. */
static void rank_of_a_path(void **state) {
  (void)state;
  lector_graph *g = graph(3);
  add(g, 0, 1, 1);
  add(g, 1, 2, 1);
  double s[3];
  uint32_t done = 0;
  assert_int_equal(lector_graph_rank(g, &PRECISE, s, &done, NULL), LECTOR_OK);
  assert_near(s[0], 19.0 / 74, EXACT);
  assert_near(s[1], 18.0 / 37, EXACT);
  assert_near(s[2], 19.0 / 74, EXACT);
  assert_true(done > 10 && done < 1000);
  /* the default tolerance stops far earlier, close already */
  lector_graph_rank_opts loose = {0.85, 1e-6, 100, NULL};
  uint32_t loose_done = 0;
  assert_int_equal(lector_graph_rank(g, &loose, s, &loose_done, NULL), LECTOR_OK);
  assert_true(loose_done < done);
  assert_near(s[1], 18.0 / 37, 1e-5);
  lector_graph_free(g);
}

/* Weights 1 on {1,2} and 3 on {2,3}: node 2 passes a quarter of its score
 * to 1 and three quarters to 3. s2 = 18/37 again, s1 = 5.675/37 and
 * s3 = 13.325/37. */
static void rank_follows_weights(void **state) {
  (void)state;
  lector_graph *g = graph(3);
  add(g, 0, 1, 1);
  add(g, 1, 2, 3);
  double s[3];
  rank(g, &PRECISE, s);
  assert_near(s[0], 5.675 / 37, EXACT);
  assert_near(s[1], 18.0 / 37, EXACT);
  assert_near(s[2], 13.325 / 37, EXACT);
  lector_graph_free(g);
}

/* Node 3 has no edge: its score is handed out evenly, so
 * s3 = 0.05 + 0.85 s3 / 3 = 3/43 and s1 = s2 = 20/43. */
static void rank_hands_out_dangling_nodes(void **state) {
  (void)state;
  lector_graph *g = graph(3);
  add(g, 0, 1, 2);
  double s[3];
  rank(g, &PRECISE, s);
  assert_near(s[0], 20.0 / 43, EXACT);
  assert_near(s[1], 20.0 / 43, EXACT);
  assert_near(s[2], 3.0 / 43, EXACT);
  /* no edges at all: the prior itself */
  lector_graph *empty = graph(4);
  double prior[4] = {1, 1, 2, 0}, e[4];
  lector_graph_rank_opts opts = PRECISE;
  opts.prior = prior;
  rank(empty, &opts, e);
  assert_near(e[2], 0.5, EXACT);
  assert_near(e[3], 0, EXACT);
  lector_graph_free(empty);
  lector_graph_free(g);
}

/* Path 1 - 2 - 3 with all the prior on node 1: s2 = 0.85 (s1 + s3),
 * s1 = 0.15 + 0.85 s2 / 2, s3 = 0.85 s2 / 2 give s2 = 17/37,
 * s1 = 12.775/37, s3 = 7.225/37. */
static void rank_with_a_prior(void **state) {
  (void)state;
  lector_graph *g = graph(3);
  add(g, 0, 1, 1);
  add(g, 1, 2, 1);
  double prior[3] = {5, 0, 0}, s[3];   /* any scale: normalized */
  lector_graph_rank_opts opts = PRECISE;
  opts.prior = prior;
  rank(g, &opts, s);
  assert_near(s[0], 12.775 / 37, EXACT);
  assert_near(s[1], 17.0 / 37, EXACT);
  assert_near(s[2], 7.225 / 37, EXACT);
  assert_near(s[0] + s[1] + s[2], 1, 1e-12);

  lector_error err;
  prior[0] = 0;
  assert_int_equal(lector_graph_rank(g, &opts, s, NULL, &err), LECTOR_EINVAL);
  assert_string_equal(err.message, "the prior's items must not all be 0");
  prior[1] = -1;
  assert_int_equal(lector_graph_rank(g, &opts, s, NULL, &err), LECTOR_EINVAL);
  assert_string_equal(err.message, "prior item 2 must be a finite number, 0 or more");
  lector_graph_rank_opts bad = {1.5, 1e-6, 100, NULL};
  assert_int_equal(lector_graph_rank(g, &bad, s, NULL, &err), LECTOR_EINVAL);
  bad = (lector_graph_rank_opts){0.85, 0, 100, NULL};
  assert_int_equal(lector_graph_rank(g, &bad, s, NULL, &err), LECTOR_EINVAL);
  bad = (lector_graph_rank_opts){0.85, 1e-6, LECTOR_GRAPH_MAX_ITERATIONS + 1, NULL};
  assert_int_equal(lector_graph_rank(g, &bad, s, NULL, &err), LECTOR_EINVAL);
  lector_graph_free(g);
}

/* ---- similarity --------------------------------------------------------------- */

/* With idf a = 1, b = 2, c = 1 the TF-IDF vectors over (a, b, c) are
 * r1 = (1, 2, 0), r2 = (1, 0, 1), r3 = (0, 4, 1): cos(r1, r2) = 1/sqrt 10,
 * cos(r1, r3) = 8/sqrt 85, cos(r2, r3) = 1/sqrt 34. */
static const char *const ABC[] = {"a b", "a c", "b b c", NULL};
static const double ABC_IDF[] = {1, 2, 1, 1, 2, 2, 1};

static void cosine_of_known_vectors(void **state) {
  (void)state;
  lector_graph *g = similar(ABC, LECTOR_SIMILARITY_COSINE, 0, ABC_IDF);
  assert_int_equal(lector_graph_edges(g), 3);
  assert_near(lector_graph_weight(g, 0, 1), 1 / sqrt(10), EXACT);
  assert_near(lector_graph_weight(g, 0, 2), 8 / sqrt(85), EXACT);
  assert_near(lector_graph_weight(g, 1, 2), 1 / sqrt(34), EXACT);
  lector_graph_free(g);
  /* idf from the rows: a, b, c each in 2 of 3 rows, so all the same and
   * the cosine is that of the counts: (1,1,0), (1,0,1), (0,2,1) */
  g = similar(ABC, LECTOR_SIMILARITY_COSINE, 0, NULL);
  assert_near(lector_graph_weight(g, 0, 1), 0.5, EXACT);
  assert_near(lector_graph_weight(g, 0, 2), 2 / sqrt(10), EXACT);
  assert_near(lector_graph_weight(g, 1, 2), 1 / sqrt(10), EXACT);
  lector_graph_free(g);
  /* unequal df: x in 2 of 3 rows, y in 1: idf = ln((1 + 3) / (1 + df)) + 1 */
  static const char *const XY[] = {"x y", "x", "z", NULL};
  g = similar(XY, LECTOR_SIMILARITY_COSINE, 0, NULL);
  double ix = log(4.0 / 3) + 1, iy = log(2.0) + 1;
  assert_near(lector_graph_weight(g, 0, 1), ix / sqrt(ix * ix + iy * iy), EXACT);
  assert_int_equal(lector_graph_edges(g), 1);   /* z shares nothing */
  lector_graph_free(g);
}

static void threshold_drops_weak_pairs(void **state) {
  (void)state;
  /* 1/sqrt 34 = 0.171 goes, 1/sqrt 10 = 0.316 stays */
  lector_graph *g = similar(ABC, LECTOR_SIMILARITY_COSINE, 0.2, ABC_IDF);
  assert_int_equal(lector_graph_edges(g), 2);
  assert_near(lector_graph_weight(g, 1, 2), 0, EXACT);
  assert_near(lector_graph_weight(g, 0, 1), 1 / sqrt(10), EXACT);
  lector_graph_free(g);
  g = similar(ABC, LECTOR_SIMILARITY_COSINE, 0.9, ABC_IDF);
  assert_int_equal(lector_graph_edges(g), 0);
  lector_graph_free(g);
}

/* d1 = {a, b}, d2 = {a, a, c}: N = 2, avgdl = 2.5, only a is shared, in
 * both rows: idf(a) = ln(1 + 0.5 / 2.5) = ln 1.2. With k1 = 1.2, b = 0.75,
 * a's saturated count in d1 is 1 * 2.2 / (1 + 1.2 (0.25 + 0.75 * 2 / 2.5))
 * = 2.2 / 2.02 and in d2 2 * 2.2 / (2 + 1.2 (0.25 + 0.75 * 3 / 2.5))
 * = 4.4 / 3.38; the edge is the mean of BM25(d1, d2) and BM25(d2, d1). */
static void bm25_on_a_tiny_corpus(void **state) {
  (void)state;
  static const char *const D[] = {"a b", "a a c", NULL};
  lector_graph *g = similar(D, LECTOR_SIMILARITY_BM25, 0, NULL);
  double d1_as_query = log(1.2) * 4.4 / 3.38, d2_as_query = log(1.2) * 2.2 / 2.02;
  assert_near(lector_graph_weight(g, 0, 1), (d1_as_query + d2_as_query) / 2, EXACT);
  lector_graph_free(g);
  /* a given idf replaces ln 1.2 */
  static const double IDF[] = {3, 1, 3, 3, 1};
  g = similar(D, LECTOR_SIMILARITY_BM25, 0, IDF);
  assert_near(lector_graph_weight(g, 0, 1), 3 * (4.4 / 3.38 + 2.2 / 2.02) / 2, EXACT);
  lector_graph_free(g);
}

/* TextRank: |common| / (ln|i| + ln|j|). */
static void overlap_counts_common_terms(void **state) {
  (void)state;
  static const char *const D[] = {"a b c", "a b d e", "f", "f", "a a g", NULL};
  lector_graph *g = similar(D, LECTOR_SIMILARITY_OVERLAP, 0, NULL);
  assert_near(lector_graph_weight(g, 0, 1), 2 / log(12), EXACT);
  assert_near(lector_graph_weight(g, 2, 3), 1, EXACT);   /* ln 1 + ln 1 = 0: taken as 1 */
  assert_near(lector_graph_weight(g, 0, 4), 1 / (log(3) + log(3)), EXACT);
  assert_near(lector_graph_weight(g, 0, 2), 0, EXACT);
  assert_int_equal(lector_graph_edges(g), 4);
  lector_graph_free(g);
}

static void similarity_refuses_bad_input(void **state) {
  (void)state;
  corpus c;
  make_corpus(&c, ABC);
  lector_similarity_rows in = {c.count, c.starts, c.terms, NULL};
  lector_graph *g = (lector_graph *)&c;   /* must be set to NULL */
  lector_error err;
  lector_similarity_opts opts = {LECTOR_SIMILARITY_BM25, 0, -1, 0.75};
  assert_int_equal(lector_graph_similarity(&in, &opts, NULL, NULL, &g, &err), LECTOR_EINVAL);
  assert_null(g);
  assert_string_equal(err.message, "field 'k1' must be a finite number, 0 or more");
  opts = (lector_similarity_opts){LECTOR_SIMILARITY_BM25, 0, 1.2, 2};
  assert_int_equal(lector_graph_similarity(&in, &opts, NULL, NULL, &g, &err), LECTOR_EINVAL);
  opts = (lector_similarity_opts){LECTOR_SIMILARITY_COSINE, NAN, 1.2, 0.75};
  assert_int_equal(lector_graph_similarity(&in, &opts, NULL, NULL, &g, &err), LECTOR_EINVAL);
  opts.threshold = 0;
  double idf[] = {-1, 2, -1, -1, 2, 2, 1};   /* a's */
  in.idf = idf;
  assert_int_equal(lector_graph_similarity(&in, &opts, NULL, NULL, &g, &err), LECTOR_EINVAL);
  assert_string_equal(err.message, "the idf of a term must be a finite number, 0 or more");
}

/* Rows that all hold one term: every pair shares it. */
static lector_status all_alike(uint32_t rows, lector_error *err) {
  size_t *starts = malloc(((size_t)rows + 1) * sizeof *starts);
  lector_term *terms = malloc((rows ? rows : 1) * sizeof *terms);
  assert_non_null(starts);
  assert_non_null(terms);
  for (uint32_t r = 0; r <= rows; r++) starts[r] = r;
  for (uint32_t r = 0; r < rows; r++) terms[r] = (lector_term){"the", 3};
  lector_similarity_rows in = {rows, starts, terms, NULL};
  lector_similarity_opts opts = {LECTOR_SIMILARITY_OVERLAP, 0, 1.2, 0.75};
  lector_graph *g = NULL;
  lector_status status = lector_graph_similarity(&in, &opts, NULL, NULL, &g, err);
  if (status == LECTOR_OK) {
    assert_int_equal(lector_graph_edges(g), (size_t)rows * (rows - 1) / 2);
    lector_graph_free(g);
  } else {
    assert_null(g);
  }
  free(starts);
  free(terms);
  return status;
}

static void limits_are_refused_up_front(void **state) {
  (void)state;
  lector_error err;
  assert_int_equal(all_alike(LECTOR_GRAPH_MAX_NODES + 1, &err), LECTOR_ETOOLARGE);
  assert_non_null(strstr(err.message, "at most 20000 nodes"));
  /* 20000 rows sharing a term: 2e8 pairs of work */
  assert_int_equal(all_alike(LECTOR_GRAPH_MAX_NODES, &err), LECTOR_ETOOLARGE);
  assert_non_null(strstr(err.message, "drop stop words"));
  /* 2001 rows sharing a term: 2,001,000 edges, 1,000 over the limit */
  assert_int_equal(all_alike(2001, &err), LECTOR_ETOOLARGE);
  assert_non_null(strstr(err.message, "raise it"));
  assert_int_equal(all_alike(100, &err), LECTOR_OK);
}

/* ---- MMR ------------------------------------------------------------------------ */

/* Nodes 1 and 2 are near copies (0.9), 3 is apart (0.1 to each). Pure
 * relevance takes 1, 2, 3; with lambda 0.5 the second pick is 3:
 * 0.5 * 0.6 - 0.5 * 0.1 = 0.25 against 0.5 * 0.95 - 0.5 * 0.9 = 0.025. */
static void mmr_picks_a_diverse_second_node(void **state) {
  (void)state;
  lector_graph *g = graph(3);
  add(g, 0, 1, 0.9);
  add(g, 0, 2, 0.1);
  add(g, 1, 2, 0.1);
  double relevance[3] = {1.0, 0.95, 0.6};
  uint32_t picked[3], count = 0;
  assert_int_equal(lector_graph_mmr(g, relevance, 3, 1.0, picked, &count, NULL), LECTOR_OK);
  assert_int_equal(count, 3);
  assert_int_equal(picked[0], 0);
  assert_int_equal(picked[1], 1);
  assert_int_equal(picked[2], 2);
  assert_int_equal(lector_graph_mmr(g, relevance, 2, 0.5, picked, &count, NULL), LECTOR_OK);
  assert_int_equal(count, 2);
  assert_int_equal(picked[0], 0);
  assert_int_equal(picked[1], 2);
  assert_int_equal(lector_graph_mmr(g, relevance, 9, 0.5, picked, &count, NULL), LECTOR_OK);
  assert_int_equal(count, 3);   /* k past n: every node */
  lector_error err;
  assert_int_equal(lector_graph_mmr(g, relevance, 2, 1.5, picked, &count, &err), LECTOR_EINVAL);
  relevance[1] = NAN;
  assert_int_equal(lector_graph_mmr(g, relevance, 2, 0.5, picked, &count, &err), LECTOR_EINVAL);
  assert_string_equal(err.message, "relevance item 2 is not a finite number");
  lector_graph_free(g);
}

/* ---- allocation failure ---------------------------------------------------- */

static void allocation_failure_at_every_step(void **state) {
  (void)state;
  static const char *const D[] = {"a b c", "a b d e", "f", "c f g", "a a g", NULL};
  corpus c;
  make_corpus(&c, D);
  lector_similarity_rows in = {c.count, c.starts, c.terms, NULL};
  lector_similarity_opts opts = {LECTOR_SIMILARITY_COSINE, 0, 1.2, 0.75};
  long failures = 0;
  for (long n = 0;; n++) {
    failing f = {n, 0, 0};
    lector_graph *g = NULL;
    lector_error err;
    lector_status status = lector_graph_similarity(&in, &opts, failing_alloc, &f, &g, &err);
    if (status == LECTOR_ENOMEM) {
      assert_null(g);
      assert_int_equal(f.held, 0);
      failures++;
      continue;
    }
    assert_int_equal(status, LECTOR_OK);
    /* rank and mmr on the finished graph, failing at each of their own
     * allocations too: a failure leaves a graph that still works */
    double scores[5], relevance[5] = {1, 2, 3, 4, 5};
    uint32_t picked[5], count;
    for (long m = 0;; m++) {
      f.allowed = f.calls + m;
      lector_status r = lector_graph_rank(g, &PRECISE, scores, NULL, &err);
      lector_status s = lector_graph_mmr(g, relevance, 3, 0.7, picked, &count, &err);
      if (r == LECTOR_OK && s == LECTOR_OK) break;
      assert_true(r == LECTOR_ENOMEM || s == LECTOR_ENOMEM);
      failures++;
    }
    f.allowed = -1;
    double before = lector_graph_weight(g, 0, 2);
    add(g, 0, 2, 1);   /* drops the adjacency */
    assert_near(lector_graph_weight(g, 0, 2), before + 1, EXACT);
    lector_graph_free(g);
    assert_int_equal(f.held, 0);
    break;
  }
  assert_true(failures > 15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(edges_add_up_and_are_undirected),
    cmocka_unit_test(rank_of_a_path),
    cmocka_unit_test(rank_follows_weights),
    cmocka_unit_test(rank_hands_out_dangling_nodes),
    cmocka_unit_test(rank_with_a_prior),
    cmocka_unit_test(cosine_of_known_vectors),
    cmocka_unit_test(threshold_drops_weak_pairs),
    cmocka_unit_test(bm25_on_a_tiny_corpus),
    cmocka_unit_test(overlap_counts_common_terms),
    cmocka_unit_test(similarity_refuses_bad_input),
    cmocka_unit_test(limits_are_refused_up_front),
    cmocka_unit_test(mmr_picks_a_diverse_second_node),
    cmocka_unit_test(allocation_failure_at_every_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
