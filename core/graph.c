/*
 * Weighted undirected graphs: edges with a hash index, a lazily built
 * adjacency for the algorithms, PageRank, MMR and similarity graphs
 * (docs/lua-api.md#graph).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "graph.h"
#include "hash.h"
#include "lector_limits.h"

typedef struct edge {
  uint32_t i, j;   /* i < j */
  double w;
} edge;

struct lector_graph {
  lector_graph_alloc alloc;
  void *ud;
  uint32_t n;
  edge *edges;
  size_t count, cap;
  uint32_t *slots;    /* edge index + 1, 0 when empty; slot_cap is a power of 2 */
  size_t slot_cap;
  /* The adjacency, valid while adj_off is not NULL: node v's neighbours
   * are adj_node[adj_off[v] .. adj_off[v + 1] - 1]. */
  uint32_t *adj_off, *adj_node;
  double *adj_w;
  size_t bytes;
};

static lector_status fail(lector_error *err, lector_status status, const char *fmt, ...) {
  if (!err) return status;
  err->status = status;
  err->offset = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return status;
}

static lector_status no_memory(lector_error *err) {
  return fail(err, LECTOR_ENOMEM, "out of memory");
}

/* ---- memory ------------------------------------------------------------------ */

typedef struct allocator {
  lector_graph_alloc alloc;
  void *ud;
} allocator;

/* Resize a block of old_count items to new_count (0 frees); NULL on
 * overflow or when refused, the old block untouched. */
static void *resize(const allocator *a, void *p, size_t old_count, size_t new_count, size_t size) {
  if (new_count > SIZE_MAX / size) return NULL;
  return a->alloc(a->ud, p, p ? old_count * size : 0, new_count * size);
}

/* Scratch blocks of one call, freed together. */
#define SCRATCH_BLOCKS 24
typedef struct scratch {
  allocator a;
  void *ptr[SCRATCH_BLOCKS];
  size_t size[SCRATCH_BLOCKS];
  int count;
} scratch;

/* count zeroed items of size bytes (at least one item is allocated); NULL
 * when refused. */
static void *scratch_get(scratch *s, size_t count, size_t size) {
  if (s->count == SCRATCH_BLOCKS) return NULL;
  if (count == 0) count = 1;
  void *p = resize(&s->a, NULL, 0, count, size);
  if (!p) return NULL;
  memset(p, 0, count * size);
  s->ptr[s->count] = p;
  s->size[s->count++] = count * size;
  return p;
}

static void scratch_free(scratch *s) {
  while (s->count > 0) {
    s->count--;
    s->a.alloc(s->a.ud, s->ptr[s->count], s->size[s->count], 0);
  }
}

/* ---- the graph ---------------------------------------------------------------- */

lector_graph *lector_graph_new(uint32_t n, lector_graph_alloc alloc, void *ud) {
  if (n > LECTOR_GRAPH_MAX_NODES) return NULL;
  if (!alloc) alloc = lector_default_alloc;
  lector_graph *g = alloc(ud, NULL, 0, sizeof *g);
  if (!g) return NULL;
  memset(g, 0, sizeof *g);
  g->alloc = alloc;
  g->ud = ud;
  g->n = n;
  g->bytes = sizeof *g;
  return g;
}

static allocator allocator_of(const lector_graph *g) {
  return (allocator){g->alloc, g->ud};
}

static void drop_adjacency(lector_graph *g) {
  if (!g->adj_off) return;
  allocator a = allocator_of(g);
  size_t half_edges = 2 * g->count;
  resize(&a, g->adj_off, (size_t)g->n + 1, 0, sizeof *g->adj_off);
  resize(&a, g->adj_node, half_edges ? half_edges : 1, 0, sizeof *g->adj_node);
  resize(&a, g->adj_w, half_edges ? half_edges : 1, 0, sizeof *g->adj_w);
  g->bytes -= ((size_t)g->n + 1) * sizeof *g->adj_off +
              (half_edges ? half_edges : 1) * (sizeof *g->adj_node + sizeof *g->adj_w);
  g->adj_off = g->adj_node = NULL;
  g->adj_w = NULL;
}

void lector_graph_free(lector_graph *g) {
  if (!g) return;
  drop_adjacency(g);
  allocator a = allocator_of(g);
  resize(&a, g->edges, g->cap, 0, sizeof *g->edges);
  resize(&a, g->slots, g->slot_cap, 0, sizeof *g->slots);
  g->alloc(g->ud, g, sizeof *g, 0);
}

uint32_t lector_graph_nodes(const lector_graph *g) {
  return g->n;
}

size_t lector_graph_edges(const lector_graph *g) {
  return g->count;
}

size_t lector_graph_bytes(const lector_graph *g) {
  return g->bytes;
}

static size_t pair_slot(uint32_t i, uint32_t j, size_t cap) {
  return (size_t)(lector_mix64(((uint64_t)i << 32) | j) & (cap - 1));
}

/* The slot holding edge {i, j} (i < j) or the empty slot where it would
 * go. Needs a table with at least one empty slot. */
static size_t find_slot(const lector_graph *g, uint32_t i, uint32_t j) {
  size_t s = pair_slot(i, j, g->slot_cap);
  while (g->slots[s]) {
    const edge *e = &g->edges[g->slots[s] - 1];
    if (e->i == i && e->j == j) return s;
    s = (s + 1) & (g->slot_cap - 1);
  }
  return s;
}

/* Room for one more edge: the edge array and a hash table at most half
 * full. On failure nothing changes. */
static lector_status reserve_edge(lector_graph *g) {
  allocator a = allocator_of(g);
  if (g->count == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 16;
    if (cap > LECTOR_GRAPH_MAX_EDGES) cap = LECTOR_GRAPH_MAX_EDGES;
    edge *edges = resize(&a, g->edges, g->cap, cap, sizeof *edges);
    if (!edges) return LECTOR_ENOMEM;
    g->bytes += (cap - g->cap) * sizeof *edges;
    g->edges = edges;
    g->cap = cap;
  }
  if (2 * (g->count + 1) <= g->slot_cap) return LECTOR_OK;
  size_t cap = g->slot_cap ? g->slot_cap * 2 : 32;
  uint32_t *slots = resize(&a, NULL, 0, cap, sizeof *slots);
  if (!slots) return LECTOR_ENOMEM;
  memset(slots, 0, cap * sizeof *slots);
  for (size_t k = 0; k < g->count; k++) {
    size_t s = pair_slot(g->edges[k].i, g->edges[k].j, cap);
    while (slots[s]) s = (s + 1) & (cap - 1);
    slots[s] = (uint32_t)k + 1;
  }
  resize(&a, g->slots, g->slot_cap, 0, sizeof *slots);
  g->bytes += (cap - g->slot_cap) * sizeof *slots;
  g->slots = slots;
  g->slot_cap = cap;
  return LECTOR_OK;
}

/* Add w to {i, j}, i < j, both in range, w > 0. */
static lector_status add_edge(lector_graph *g, uint32_t i, uint32_t j, double w,
                              lector_error *err) {
  if (g->slot_cap) {
    size_t s = find_slot(g, i, j);
    if (g->slots[s]) {
      g->edges[g->slots[s] - 1].w += w;
      drop_adjacency(g);
      return LECTOR_OK;
    }
  }
  if (g->count >= LECTOR_GRAPH_MAX_EDGES)
    return fail(err, LECTOR_ETOOLARGE, "a graph holds at most %d edges",
                LECTOR_GRAPH_MAX_EDGES);
  if (reserve_edge(g) != LECTOR_OK) return no_memory(err);
  drop_adjacency(g);
  g->edges[g->count] = (edge){i, j, w};
  g->slots[find_slot(g, i, j)] = (uint32_t)++g->count;
  return LECTOR_OK;
}

lector_status lector_graph_add(lector_graph *g, uint32_t i, uint32_t j, double w,
                               lector_error *err) {
  if (i >= g->n || j >= g->n)
    return fail(err, LECTOR_EINVAL, "node %lu is not in the graph (it has %lu nodes)",
                (unsigned long)(i >= g->n ? i : j) + 1, (unsigned long)g->n);
  if (i == j) return fail(err, LECTOR_EINVAL, "an edge joins two different nodes");
  if (!isfinite(w) || w < 0)
    return fail(err, LECTOR_EINVAL, "the weight must be a finite number, 0 or more");
  if (w == 0) return LECTOR_OK;
  return i < j ? add_edge(g, i, j, w, err) : add_edge(g, j, i, w, err);
}

double lector_graph_weight(const lector_graph *g, uint32_t i, uint32_t j) {
  if (i == j || i >= g->n || j >= g->n || !g->slot_cap) return 0;
  if (i > j) {
    uint32_t t = i;
    i = j;
    j = t;
  }
  size_t s = find_slot(g, i, j);
  return g->slots[s] ? g->edges[g->slots[s] - 1].w : 0;
}

/* Build the adjacency when it is missing. */
static lector_status build_adjacency(lector_graph *g) {
  if (g->adj_off) return LECTOR_OK;
  allocator a = allocator_of(g);
  size_t half_edges = g->count ? 2 * g->count : 1;
  uint32_t *off = resize(&a, NULL, 0, (size_t)g->n + 1, sizeof *off);
  uint32_t *node = resize(&a, NULL, 0, half_edges, sizeof *node);
  double *w = resize(&a, NULL, 0, half_edges, sizeof *w);
  if (!off || !node || !w) {
    if (off) resize(&a, off, (size_t)g->n + 1, 0, sizeof *off);
    if (node) resize(&a, node, half_edges, 0, sizeof *node);
    if (w) resize(&a, w, half_edges, 0, sizeof *w);
    return LECTOR_ENOMEM;
  }
  memset(off, 0, ((size_t)g->n + 1) * sizeof *off);
  for (size_t k = 0; k < g->count; k++) {
    off[g->edges[k].i + 1]++;
    off[g->edges[k].j + 1]++;
  }
  for (uint32_t v = 0; v < g->n; v++) off[v + 1] += off[v];
  /* Fill with off[v] as v's cursor, then shift the cursors back. */
  for (size_t k = 0; k < g->count; k++) {
    const edge *e = &g->edges[k];
    node[off[e->i]] = e->j;
    w[off[e->i]++] = e->w;
    node[off[e->j]] = e->i;
    w[off[e->j]++] = e->w;
  }
  for (uint32_t v = g->n; v > 0; v--) off[v] = off[v - 1];
  off[0] = 0;
  g->adj_off = off;
  g->adj_node = node;
  g->adj_w = w;
  g->bytes += ((size_t)g->n + 1) * sizeof *off + half_edges * (sizeof *node + sizeof *w);
  return LECTOR_OK;
}

/* ---- PageRank ------------------------------------------------------------------ */

static lector_status check_rank_opts(const lector_graph *g, const lector_graph_rank_opts *o,
                                     double *prior_sum, lector_error *err) {
  if (!(o->damping >= 0 && o->damping <= 1))
    return fail(err, LECTOR_EINVAL, "field 'damping' must be between 0 and 1");
  if (!(o->tolerance > 0) || !isfinite(o->tolerance))
    return fail(err, LECTOR_EINVAL, "field 'tolerance' must be a number above 0");
  if (o->iterations < 1 || o->iterations > LECTOR_GRAPH_MAX_ITERATIONS)
    return fail(err, LECTOR_EINVAL, "field 'iterations' must be 1 to %d",
                LECTOR_GRAPH_MAX_ITERATIONS);
  *prior_sum = g->n;
  if (!o->prior) return LECTOR_OK;
  double sum = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    if (!(o->prior[v] >= 0) || !isfinite(o->prior[v]))
      return fail(err, LECTOR_EINVAL, "prior item %lu must be a finite number, 0 or more",
                  (unsigned long)v + 1);
    sum += o->prior[v];
  }
  if (g->n > 0 && !(sum > 0))
    return fail(err, LECTOR_EINVAL, "the prior's items must not all be 0");
  if (!isfinite(sum)) return fail(err, LECTOR_EINVAL, "the prior's sum is not finite");
  *prior_sum = sum;
  return LECTOR_OK;
}

/* What each power step reads for node v: its share of the prior, p[v],
 * and what it keeps of it, kept[v] = (1 - damping) * p[v]; worked out
 * once, not at every step. */
typedef struct rank_prior {
  const double *p, *kept;
} rank_prior;

/* One power step from s into next; returns the L1 change. share[v] is
 * s[v] divided by v's total edge weight (0 for nodes without edges). */
static double rank_step(const lector_graph *g, double damping, rank_prior prior, const double *s,
                        const double *strength, double *share, double *next) {
  double dangling = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    if (strength[v] > 0) share[v] = s[v] / strength[v];
    else {
      share[v] = 0;
      dangling += s[v];
    }
  }
  double change = 0;
  const uint32_t *off = g->adj_off, *node = g->adj_node;
  const double *w = g->adj_w;
  for (uint32_t v = 0; v < g->n; v++) {
    double in = 0;
    uint32_t k = off[v], end = off[v + 1];
    /* two edges a turn, summed in the same order as one at a time */
    for (; k + 1 < end; k += 2) {
      in += share[node[k]] * w[k];
      in += share[node[k + 1]] * w[k + 1];
    }
    if (k < end) in += share[node[k]] * w[k];
    next[v] = prior.kept[v] + damping * (in + dangling * prior.p[v]);
    change += fabs(next[v] - s[v]);
  }
  return change;
}

lector_status lector_graph_rank(lector_graph *g, const lector_graph_rank_opts *opts,
                                double *scores, uint32_t *done, lector_error *err) {
  double prior_sum = 1;
  lector_status status = check_rank_opts(g, opts, &prior_sum, err);
  if (status != LECTOR_OK) return status;
  if (done) *done = 0;
  if (g->n == 0) return LECTOR_OK;
  if (build_adjacency(g) != LECTOR_OK) return no_memory(err);
  scratch sc = {.a = allocator_of(g)};
  double *strength = scratch_get(&sc, g->n, sizeof *strength);
  double *share = scratch_get(&sc, g->n, sizeof *share);
  double *next = scratch_get(&sc, g->n, sizeof *next);
  double *p = scratch_get(&sc, g->n, sizeof *p), *kept = scratch_get(&sc, g->n, sizeof *kept);
  if (!strength || !share || !next || !p || !kept) {
    scratch_free(&sc);
    return no_memory(err);
  }
  for (uint32_t v = 0; v < g->n; v++) {
    for (uint32_t k = g->adj_off[v]; k < g->adj_off[v + 1]; k++) strength[v] += g->adj_w[k];
    scores[v] = 1.0 / g->n;
    p[v] = opts->prior ? opts->prior[v] / prior_sum : 1.0 / g->n;
    kept[v] = (1 - opts->damping) * p[v];
  }
  rank_prior prior = {p, kept};
  uint32_t it = 0;
  double change;
  do {
    change = rank_step(g, opts->damping, prior, scores, strength, share, next);
    memcpy(scores, next, g->n * sizeof *scores);
    it++;
  } while (change >= opts->tolerance && it < opts->iterations);
  double sum = 0;
  for (uint32_t v = 0; v < g->n; v++) sum += scores[v];
  for (uint32_t v = 0; v < g->n; v++) scores[v] /= sum;
  if (done) *done = it;
  scratch_free(&sc);
  return LECTOR_OK;
}

/* ---- maximal marginal relevance ------------------------------------------- */

lector_status lector_graph_mmr(lector_graph *g, const double *relevance, uint32_t k,
                               double lambda, uint32_t *picked, uint32_t *count,
                               lector_error *err) {
  *count = 0;
  if (!(lambda >= 0 && lambda <= 1))
    return fail(err, LECTOR_EINVAL, "field 'lambda' must be between 0 and 1");
  for (uint32_t v = 0; v < g->n; v++)
    if (!isfinite(relevance[v]))
      return fail(err, LECTOR_EINVAL, "relevance item %lu is not a finite number",
                  (unsigned long)v + 1);
  if (k > g->n) k = g->n;
  if (k == 0) return LECTOR_OK;
  if (build_adjacency(g) != LECTOR_OK) return no_memory(err);
  scratch sc = {.a = allocator_of(g)};
  double *closest = scratch_get(&sc, g->n, sizeof *closest);   /* largest weight to a pick */
  unsigned char *taken = scratch_get(&sc, g->n, 1);
  if (!closest || !taken) {
    scratch_free(&sc);
    return no_memory(err);
  }
  for (uint32_t round = 0; round < k; round++) {
    uint32_t best = UINT32_MAX;
    double best_score = 0;
    for (uint32_t v = 0; v < g->n; v++) {
      if (taken[v]) continue;
      double score = lambda * relevance[v] - (1 - lambda) * closest[v];
      if (best == UINT32_MAX || score > best_score) {
        best = v;
        best_score = score;
      }
    }
    taken[best] = 1;
    picked[round] = best;
    for (uint32_t e = g->adj_off[best]; e < g->adj_off[best + 1]; e++)
      if (g->adj_w[e] > closest[g->adj_node[e]]) closest[g->adj_node[e]] = g->adj_w[e];
  }
  *count = k;
  scratch_free(&sc);
  return LECTOR_OK;
}

/* ---- similarity graphs ---------------------------------------------------- */

/* What one similarity call works with. Terms get ids in the order first
 * seen; each row is reduced to its distinct terms ("entries", with their
 * counts), and each term has a posting list of the entries holding it, in
 * row order, so every pair of rows sharing a term is met once. */
typedef struct sim_work {
  const lector_similarity_rows *rows;
  const lector_similarity_opts *opts;
  size_t total;           /* term occurrences */
  uint32_t terms;         /* distinct terms */
  uint32_t *first;        /* [term] its first occurrence */
  uint32_t *df;           /* [term] rows holding it */
  double *idf;            /* [term] */
  uint32_t *row_start;    /* [row] its first entry; [rows] the entry count */
  uint32_t *ent_term, *ent_tf, *ent_post;   /* [entry] term, count, place in postings */
  double *ent_w;          /* [entry] the row-side weight (cosine, bm25) */
  uint32_t *post_start;   /* [term] its first posting; [terms] the posting count */
  uint32_t *post_ent;     /* [posting] the entry */
  uint32_t *ent_row;      /* [entry] its row */
  double *norm;           /* [row] the TF-IDF vector's length (cosine) */
  double avg_len;         /* terms per row (bm25) */
} sim_work;

static size_t row_len(const sim_work *w, uint32_t r) {
  return w->rows->starts[r + 1] - w->rows->starts[r];
}

/* Give every occurrence its term's id (into occ) and fill first[]. */
static lector_status intern_terms(sim_work *w, scratch *sc, uint32_t *occ) {
  const lector_term *terms = w->rows->terms;
  size_t cap = 16;
  while (cap < 2 * w->total) cap *= 2;
  uint32_t *slots = scratch_get(sc, cap, sizeof *slots);   /* term id + 1 */
  if (!slots) return LECTOR_ENOMEM;
  for (size_t k = 0; k < w->total; k++) {
    size_t s = (size_t)(lector_hash_bytes(terms[k].s, terms[k].len, 0) & (cap - 1));
    for (;;) {
      if (!slots[s]) {
        w->first[w->terms] = (uint32_t)k;
        slots[s] = ++w->terms;
        break;
      }
      const lector_term *seen = &terms[w->first[slots[s] - 1]];
      if (seen->len == terms[k].len && memcmp(seen->s, terms[k].s, seen->len) == 0) break;
      s = (s + 1) & (cap - 1);
    }
    occ[k] = slots[s] - 1;
  }
  return LECTOR_OK;
}

/* Reduce rows to entries (distinct terms with counts) and count df. */
static void make_entries(sim_work *w, const uint32_t *occ, uint32_t *last_row, uint32_t *pos) {
  uint32_t n = w->rows->count, entries = 0;
  for (uint32_t t = 0; t < w->terms; t++) last_row[t] = UINT32_MAX;
  for (uint32_t r = 0; r < n; r++) {
    w->row_start[r] = entries;
    for (size_t k = w->rows->starts[r]; k < w->rows->starts[r + 1]; k++) {
      uint32_t t = occ[k];
      if (last_row[t] == r) {
        w->ent_tf[pos[t]]++;
        continue;
      }
      last_row[t] = r;
      pos[t] = entries;
      w->ent_term[entries] = t;
      w->ent_tf[entries] = 1;
      w->ent_row[entries++] = r;
      w->df[t]++;
    }
  }
  w->row_start[n] = entries;
}

/* Term pairs the comparison will visit: sum of df * (df - 1) / 2. */
static double pair_work(const sim_work *w) {
  double work = 0;
  for (uint32_t t = 0; t < w->terms; t++) work += (double)w->df[t] * (w->df[t] - 1) / 2;
  return work;
}

static void make_postings(sim_work *w) {
  uint32_t entries = w->row_start[w->rows->count];
  for (uint32_t t = 0; t < w->terms; t++) w->post_start[t + 1] = w->post_start[t] + w->df[t];
  /* Entries are in row order, so each term's postings come out sorted. */
  for (uint32_t t = 0; t < w->terms; t++) w->df[t] = 0;   /* reused as cursors */
  for (uint32_t e = 0; e < entries; e++) {
    uint32_t t = w->ent_term[e];
    uint32_t p = w->post_start[t] + w->df[t]++;
    w->post_ent[p] = e;
    w->ent_post[e] = p;
  }
}

/* idf per term: the caller's, or from the rows. cosine: ln((1 + N) /
 * (1 + df)) + 1, never 0, so a term in every row still counts a little;
 * bm25: ln(1 + (N - df + 0.5) / (df + 0.5)), Lucene's non-negative form. */
static lector_status compute_idf(sim_work *w, lector_error *err) {
  double n = w->rows->count;
  for (uint32_t t = 0; t < w->terms; t++) {
    double df = w->df[t];
    if (w->rows->idf) {
      double v = w->rows->idf[w->first[t]];
      if (!isfinite(v) || v < 0)
        return fail(err, LECTOR_EINVAL, "the idf of a term must be a finite number, 0 or more");
      w->idf[t] = v;
    } else if (w->opts->measure == LECTOR_SIMILARITY_BM25) {
      w->idf[t] = log(1 + (n - df + 0.5) / (df + 0.5));
    } else {
      w->idf[t] = log((1 + n) / (1 + df)) + 1;
    }
  }
  return LECTOR_OK;
}

/* BM25's saturated term frequency for tf occurrences in a row of len terms. */
static double bm25_tf(const sim_work *w, double tf, double len) {
  double k1 = w->opts->k1, b = w->opts->b;
  return tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / w->avg_len));
}

static void weigh_entries(sim_work *w) {
  for (uint32_t r = 0; r < w->rows->count; r++) {
    double sq = 0;
    for (uint32_t e = w->row_start[r]; e < w->row_start[r + 1]; e++) {
      double tf = w->ent_tf[e];
      if (w->opts->measure == LECTOR_SIMILARITY_BM25)
        w->ent_w[e] = bm25_tf(w, tf, (double)row_len(w, r));
      else
        w->ent_w[e] = tf * w->idf[w->ent_term[e]];
      sq += w->ent_w[e] * w->ent_w[e];
    }
    w->norm[r] = sqrt(sq);
  }
}

/* What the shared term of entries a (row i) and b (row j) adds to the
 * pair's score before the final scaling in pair_score. */
static double contribution(const sim_work *w, uint32_t a, uint32_t b) {
  switch (w->opts->measure) {
  case LECTOR_SIMILARITY_COSINE: return w->ent_w[a] * w->ent_w[b];
  case LECTOR_SIMILARITY_BM25: return w->idf[w->ent_term[a]] * (w->ent_w[a] + w->ent_w[b]) / 2;
  case LECTOR_SIMILARITY_OVERLAP: return 1;
  }
  return 0;
}

static double pair_score(const sim_work *w, uint32_t i, uint32_t j, double sum) {
  switch (w->opts->measure) {
  case LECTOR_SIMILARITY_COSINE: {
    double d = w->norm[i] * w->norm[j];
    double c = d > 0 ? sum / d : 0;
    return c > 1 ? 1 : c;   /* rounding on identical rows */
  }
  case LECTOR_SIMILARITY_BM25: return sum;
  case LECTOR_SIMILARITY_OVERLAP: {
    /* Two one-term rows would divide by log 1 + log 1 = 0. */
    double d = log((double)row_len(w, i)) + log((double)row_len(w, j));
    return sum / (d > 0 ? d : 1);
  }
  }
  return 0;
}

/* Compare row i with every later row sharing a term, adding the edges. */
static lector_status compare_row(const sim_work *w, lector_graph *g, uint32_t i, double *acc,
                                 uint32_t *seen, uint32_t *touched, lector_error *err) {
  uint32_t count = 0;
  for (uint32_t a = w->row_start[i]; a < w->row_start[i + 1]; a++) {
    uint32_t t = w->ent_term[a];
    for (uint32_t p = w->ent_post[a] + 1; p < w->post_start[t + 1]; p++) {
      uint32_t b = w->post_ent[p], j = w->ent_row[b];
      acc[j] += contribution(w, a, b);
      if (seen[j] != i + 1) {
        seen[j] = i + 1;
        touched[count++] = j;
      }
    }
  }
  lector_status status = LECTOR_OK;
  for (uint32_t k = 0; k < count; k++) {
    uint32_t j = touched[k];
    double score = pair_score(w, i, j, acc[j]);
    acc[j] = 0;
    if (status != LECTOR_OK || !(score > 0) || score < w->opts->threshold) continue;
    if (!isfinite(score))
      status = fail(err, LECTOR_EINVAL, "rows %lu and %lu score %g; check the idf values",
                    (unsigned long)i + 1, (unsigned long)j + 1, score);
    else if (g->count >= LECTOR_GRAPH_MAX_EDGES)
      status = fail(err, LECTOR_ETOOLARGE,
                    "more than %d pairs of rows score at least the threshold %g; raise it",
                    LECTOR_GRAPH_MAX_EDGES, w->opts->threshold);
    else
      status = add_edge(g, i, j, score, err);
  }
  return status;
}

static lector_status check_similarity_opts(const lector_similarity_opts *o, lector_error *err) {
  if (o->measure != LECTOR_SIMILARITY_COSINE && o->measure != LECTOR_SIMILARITY_BM25 &&
      o->measure != LECTOR_SIMILARITY_OVERLAP)
    return fail(err, LECTOR_EINVAL, "field 'measure' must be cosine, bm25 or overlap");
  if (!isfinite(o->threshold)) return fail(err, LECTOR_EINVAL, "field 'threshold' must be finite");
  if (!(o->k1 >= 0) || !isfinite(o->k1))
    return fail(err, LECTOR_EINVAL, "field 'k1' must be a finite number, 0 or more");
  if (!(o->b >= 0 && o->b <= 1)) return fail(err, LECTOR_EINVAL, "field 'b' must be 0 to 1");
  return LECTOR_OK;
}

/* Everything between the checks and the comparison: the arrays, the
 * entries, the work bound, idf, postings and weights. */
static lector_status prepare(sim_work *w, scratch *sc, lector_error *err) {
  uint32_t n = w->rows->count;
  size_t m = w->total;
  uint32_t *occ = scratch_get(sc, m, sizeof *occ);
  uint32_t *last_row = scratch_get(sc, m, sizeof *last_row);
  uint32_t *pos = scratch_get(sc, m, sizeof *pos);
  w->first = scratch_get(sc, m, sizeof *w->first);
  w->df = scratch_get(sc, m, sizeof *w->df);
  w->idf = scratch_get(sc, m, sizeof *w->idf);
  w->row_start = scratch_get(sc, (size_t)n + 1, sizeof *w->row_start);
  w->ent_term = scratch_get(sc, m, sizeof *w->ent_term);
  w->ent_tf = scratch_get(sc, m, sizeof *w->ent_tf);
  w->ent_post = scratch_get(sc, m, sizeof *w->ent_post);
  w->ent_row = scratch_get(sc, m, sizeof *w->ent_row);
  w->ent_w = scratch_get(sc, m, sizeof *w->ent_w);
  w->post_start = scratch_get(sc, m + 1, sizeof *w->post_start);
  w->post_ent = scratch_get(sc, m, sizeof *w->post_ent);
  w->norm = scratch_get(sc, n, sizeof *w->norm);
  if (!occ || !last_row || !pos || !w->first || !w->df || !w->idf || !w->row_start ||
      !w->ent_term || !w->ent_tf || !w->ent_post || !w->ent_row || !w->ent_w ||
      !w->post_start || !w->post_ent || !w->norm || intern_terms(w, sc, occ) != LECTOR_OK)
    return no_memory(err);
  make_entries(w, occ, last_row, pos);
  double work = pair_work(w);
  if (work > LECTOR_GRAPH_MAX_WORK)
    return fail(err, LECTOR_ETOOLARGE,
                "these rows share terms in %.0f pairs, over the limit of %d; "
                "drop stop words or compare fewer rows", work, LECTOR_GRAPH_MAX_WORK);
  lector_status status = compute_idf(w, err);
  if (status != LECTOR_OK) return status;
  make_postings(w);
  w->avg_len = n ? (double)m / n : 0;
  weigh_entries(w);
  return LECTOR_OK;
}

lector_status lector_graph_similarity(const lector_similarity_rows *rows,
                                      const lector_similarity_opts *opts,
                                      lector_graph_alloc alloc, void *ud,
                                      lector_graph **out, lector_error *err) {
  *out = NULL;
  lector_status status = check_similarity_opts(opts, err);
  if (status != LECTOR_OK) return status;
  if (rows->count > LECTOR_GRAPH_MAX_NODES)
    return fail(err, LECTOR_ETOOLARGE, "%lu rows: a graph holds at most %d nodes",
                (unsigned long)rows->count, LECTOR_GRAPH_MAX_NODES);
  sim_work w = {.rows = rows, .opts = opts, .total = rows->starts[rows->count]};
  if (w.total >= UINT32_MAX / 2)
    return fail(err, LECTOR_ETOOLARGE, "too many terms (%lu)", (unsigned long)w.total);
  lector_graph *g = lector_graph_new(rows->count, alloc, ud);
  if (!g) return no_memory(err);
  scratch sc = {.a = allocator_of(g)};
  status = prepare(&w, &sc, err);
  double *acc = status == LECTOR_OK ? scratch_get(&sc, rows->count, sizeof *acc) : NULL;
  uint32_t *seen = acc ? scratch_get(&sc, rows->count, sizeof *seen) : NULL;
  uint32_t *touched = seen ? scratch_get(&sc, rows->count, sizeof *touched) : NULL;
  if (status == LECTOR_OK && !touched) status = no_memory(err);
  for (uint32_t i = 0; status == LECTOR_OK && i < rows->count; i++)
    status = compare_row(&w, g, i, acc, seen, touched, err);
  scratch_free(&sc);
  if (status != LECTOR_OK) {
    lector_graph_free(g);
    return status;
  }
  *out = g;
  return LECTOR_OK;
}
