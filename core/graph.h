/*
 * Weighted undirected graphs over nodes 0..n-1, for the summarization
 * passes and any plugin: similarity graphs built from bags of terms,
 * weighted PageRank, and maximal marginal relevance.
 *
 * Edges live in one array with a hash index on the node pair, so adding
 * and looking up an edge is O(1); rank and mmr read a compressed
 * adjacency (CSR) built on first use and dropped when an edge changes.
 * All memory comes from the allocator the graph was made with (lua_Alloc's
 * contract), so a graph made in a plugin's state counts against its
 * memory limit. No function here raises or longjmps: failures are
 * statuses, and on any failure the graph is as it was.
 */
#ifndef LECTOR_GRAPH_H
#define LECTOR_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "lector.h"

typedef struct lector_graph lector_graph;

/* lua_Alloc's contract; NULL means the C library's malloc. */
typedef void *(*lector_graph_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

/* n nodes (at most LECTOR_GRAPH_MAX_NODES), no edges. NULL when out of
 * memory or n is over the limit. */
lector_graph *lector_graph_new(uint32_t n, lector_graph_alloc alloc, void *ud);
void lector_graph_free(lector_graph *g);

uint32_t lector_graph_nodes(const lector_graph *g);
size_t lector_graph_edges(const lector_graph *g);
size_t lector_graph_bytes(const lector_graph *g);   /* memory held */

/* Add w to the weight of the edge {i, j}, making it when missing. w must
 * be finite and not negative; a weight of 0 adds no edge. LECTOR_EINVAL:
 * a node out of range, i == j, or a bad weight; LECTOR_ETOOLARGE: the
 * edge would be number LECTOR_GRAPH_MAX_EDGES + 1; LECTOR_ENOMEM. */
lector_status lector_graph_add(lector_graph *g, uint32_t i, uint32_t j, double w,
                               lector_error *err);
/* The weight of {i, j}; 0 when there is no such edge. */
double lector_graph_weight(const lector_graph *g, uint32_t i, uint32_t j);

/* Weighted PageRank by power iteration. Each step a node keeps 1 - damping
 * of the prior's share and receives damping of what its neighbours pass
 * on, each in proportion to the edge's weight among its own edges; the
 * score of nodes without edges is handed out by the prior. Stops when the
 * scores change by less than tolerance (summed over the nodes), or after
 * `iterations`. */
typedef struct lector_graph_rank_opts {
  double damping;         /* 0 to 1 */
  double tolerance;       /* > 0 */
  uint32_t iterations;    /* 1 to LECTOR_GRAPH_MAX_ITERATIONS */
  const double *prior;    /* n weights >= 0, not all 0; NULL: uniform */
} lector_graph_rank_opts;

/* scores: n doubles, filled with scores summing to 1; *done (may be NULL)
 * receives the iterations run. LECTOR_EINVAL names the bad option in
 * err->message; LECTOR_ENOMEM. */
lector_status lector_graph_rank(lector_graph *g, const lector_graph_rank_opts *opts,
                                double *scores, uint32_t *done, lector_error *err);

/* Greedy maximal marginal relevance: min(k, n) nodes, each the one that
 * maximizes lambda * relevance[i] - (1 - lambda) * (its largest weight to
 * a node already picked), ties to the lower index. relevance: n finite
 * numbers. picked receives the nodes in the order picked, *count how
 * many. LECTOR_EINVAL, LECTOR_ENOMEM. */
lector_status lector_graph_mmr(lector_graph *g, const double *relevance, uint32_t k,
                               double lambda, uint32_t *picked, uint32_t *count,
                               lector_error *err);

/* ---- similarity graphs ---------------------------------------------------- */

typedef enum lector_similarity_measure {
  LECTOR_SIMILARITY_COSINE,    /* cosine of TF-IDF vectors */
  LECTOR_SIMILARITY_BM25,      /* (BM25(i as query, j) + BM25(j as query, i)) / 2 */
  LECTOR_SIMILARITY_OVERLAP    /* TextRank: |common| / (log|i| + log|j|) */
} lector_similarity_measure;

typedef struct lector_term {
  const char *s;
  size_t len;
} lector_term;

/* Rows of terms: row r holds terms[starts[r]] .. terms[starts[r + 1] - 1].
 * idf, when not NULL, gives the idf of each term occurrence (every
 * occurrence of a term must carry the same value); otherwise idf comes
 * from the rows themselves (see docs/lua-api.md#graph for the formulas). */
typedef struct lector_similarity_rows {
  uint32_t count;
  const size_t *starts;
  const lector_term *terms;
  const double *idf;
} lector_similarity_rows;

typedef struct lector_similarity_opts {
  lector_similarity_measure measure;
  double threshold;   /* pairs scoring below it (or 0) get no edge */
  double k1, b;       /* BM25's: k1 >= 0, b in 0..1 */
} lector_similarity_opts;

/* A graph with a node per row and an edge between every two rows whose
 * similarity is at least the threshold. LECTOR_ETOOLARGE: more rows than
 * LECTOR_GRAPH_MAX_NODES, more work than LECTOR_GRAPH_MAX_WORK or more
 * edges than LECTOR_GRAPH_MAX_EDGES; LECTOR_EINVAL: a bad option or idf;
 * LECTOR_ENOMEM. Nothing is left allocated on failure. */
lector_status lector_graph_similarity(const lector_similarity_rows *rows,
                                      const lector_similarity_opts *opts,
                                      lector_graph_alloc alloc, void *ud,
                                      lector_graph **out, lector_error *err);

#endif
