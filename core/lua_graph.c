/*
 * Graph: the Lua-visible weighted graph and the lector.graph functions
 * (docs/lua-api.md#graph). Nodes are 1-based here, 0-based in graph.c.
 *
 * A Graph's C memory, and the scratch memory of similarity, rank and mmr,
 * come from the Lua state's allocator, so in a plugin they count against
 * its memory limit. Arguments are read into userdata blocks before any C
 * memory is taken, and graph.c never raises, so an error can only be
 * raised here after graph.c has freed what it took.
 */
#include <math.h>
#include <string.h>

#include "graph.h"
#include "lector_limits.h"
#include "lua_lector.h"

typedef struct graph_ud {
  lector_graph *g;   /* NULL once closed */
} graph_ud;

static lector_graph *check_graph(lua_State *L, int arg) {
  graph_ud *ud = luaL_checkudata(L, arg, LECTOR_GRAPH_CLASS);
  if (!ud->g) luaL_argerror(L, arg, "the graph is closed");
  return ud->g;
}

/* Run call once more after a full collection when it ran out of memory:
 * dead graphs' C memory is only freed by the collector. The collection's
 * finalizers may close the graph the call reads (in a trusted state they
 * run Lua code), so recheck looks it up again, raising when it is closed,
 * before the retry. */
#define RETRY_AFTER_GC(L, status, call, recheck) \
  do { \
    status = (call); \
    if (status == LECTOR_ENOMEM) { \
      lua_gc(L, LUA_GCCOLLECT); \
      recheck; \
      status = (call); \
    } \
  } while (0)

/* A new, empty Graph object whose C graph is still to be set. [-0, +1, m] */
static graph_ud *push_graph(lua_State *L) {
  graph_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
  ud->g = NULL;
  luaL_setmetatable(L, LECTOR_GRAPH_CLASS);
  return ud;
}

/* A node argument: an integer 1..n, returned 0-based. */
static uint32_t check_node(lua_State *L, const lector_graph *g, int arg) {
  lua_Integer v = luaL_checkinteger(L, arg);
  uint32_t n = lector_graph_nodes(g);
  if (v < 1 || v > (lua_Integer)n)
    luaL_argerror(L, arg, lua_pushfstring(L, "node %I is not in the graph (nodes 1 to %I)", v,
                                          (lua_Integer)n));
  return (uint32_t)(v - 1);
}

/* An options field as a number, def when absent. */
static double opt_number(lua_State *L, int arg, const char *field, double def) {
  if (lua_isnoneornil(L, arg)) return def;
  lua_pushstring(L, field);
  int type = lua_rawget(L, arg);
  double value = (double)lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (type == LUA_TNIL) return def;
  if (type != LUA_TNUMBER)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be a number", field));
  return value;
}

/* Read the list at stack index idx into a new userdata block of count
 * doubles; what and arg name it in messages. [-0, +1, m] */
static double *push_numbers(lua_State *L, int idx, lua_Integer count, int arg, const char *what) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) luaL_argerror(L, arg, lua_pushfstring(L, "%s must be a list", what));
  lua_Integer len = (lua_Integer)lua_rawlen(L, idx);
  if (len != count)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s must hold %I numbers, one per node (it holds %I)",
                                          what, count, len));
  double *values = lua_newuserdatauv(L, (size_t)(count ? count : 1) * sizeof *values, 0);
  for (lua_Integer i = 1; i <= count; i++) {
    if (lua_rawgeti(L, idx, i) != LUA_TNUMBER)
      luaL_argerror(L, arg, lua_pushfstring(L, "%s item %I is a %s, not a number", what, i,
                                            luaL_typename(L, -1)));
    values[i - 1] = (double)lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  return values;
}

/* ---- G.new and the Graph's methods --------------------------------------- */

/* G.new(n) -> Graph with nodes 1..n and no edges */
static int graph_new(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0 && n <= LECTOR_GRAPH_MAX_NODES, 1,
                lua_pushfstring(L, "a graph has 0 to %d nodes", LECTOR_GRAPH_MAX_NODES));
  graph_ud *ud = push_graph(L);
  void *alloc_ud = NULL;
  lua_Alloc alloc = lua_getallocf(L, &alloc_ud);
  ud->g = lector_graph_new((uint32_t)n, alloc, alloc_ud);
  if (!ud->g) return lector_raise_memory(L, 0, "making a graph");
  return 1;
}

/* g:add(i, j, w): add w to the edge {i, j} */
LECTOR_FUNCTION(graph, add) {
  lector_graph *g = check_graph(L, 1);
  uint32_t i = check_node(L, g, 2), j = check_node(L, g, 3);
  luaL_argcheck(L, i != j, 3, "an edge joins two different nodes");
  double w = (double)luaL_checknumber(L, 4);
  luaL_argcheck(L, isfinite(w) && w >= 0, 4, "the weight must be a finite number, 0 or more");
  size_t before = lector_graph_bytes(g);
  lector_error err;
  lector_status status;
  RETRY_AFTER_GC(L, status, lector_graph_add(g, i, j, w, &err), g = check_graph(L, 1));
  if (status == LECTOR_ENOMEM) return lector_raise_memory(L, 0, "adding an edge");
  if (status != LECTOR_OK) return luaL_error(L, "%s", err.message);
  lector_account_growth(L, before, lector_graph_bytes(g));
  return 0;
}

/* g:weight(i, j) -> the edge's weight, 0 when there is none */
LECTOR_FUNCTION(graph, weight) {
  lector_graph *g = check_graph(L, 1);
  uint32_t i = check_node(L, g, 2), j = check_node(L, g, 3);
  lua_pushnumber(L, (lua_Number)lector_graph_weight(g, i, j));
  return 1;
}

/* g:edges() -> the number of edges */
LECTOR_FUNCTION(graph, edges) {
  lua_pushinteger(L, (lua_Integer)lector_graph_edges(check_graph(L, 1)));
  return 1;
}

/* ---- G.rank and G.mmr ----------------------------------------------------- */


/* G.rank(g [, {damping =, tolerance =, iterations =, prior =}])
 * -> {score...}, iterations run */
static int graph_rank(lua_State *L) {
  lector_graph *g = check_graph(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  uint32_t n = lector_graph_nodes(g);
  lector_graph_rank_opts opts = {
    .damping = opt_number(L, 2, "damping", 0.85),
    .tolerance = opt_number(L, 2, "tolerance", 1e-6),
  };
  lua_Integer iterations = lector_opt_integer_field(L, 2, "iterations", 100);
  luaL_argcheck(L, iterations >= 1 && iterations <= LECTOR_GRAPH_MAX_ITERATIONS, 2,
                lua_pushfstring(L, "field 'iterations' must be 1 to %d",
                                LECTOR_GRAPH_MAX_ITERATIONS));
  opts.iterations = (uint32_t)iterations;
  lua_pushliteral(L, "prior");
  if (!lua_isnil(L, 2) && lua_rawget(L, 2) != LUA_TNIL)           /* [g, opts, prior] */
    opts.prior = push_numbers(L, -1, n, 2, "field 'prior'");
  double *scores = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *scores, 0);
  g = check_graph(L, 1);   /* what ran above (opts' __index, finalizers) may have closed it */
  size_t before = lector_graph_bytes(g);
  lector_error err;
  uint32_t done = 0;
  lector_status status;
  RETRY_AFTER_GC(L, status, lector_graph_rank(g, &opts, scores, &done, &err),
                 g = check_graph(L, 1));
  if (status == LECTOR_ENOMEM) return lector_raise_memory(L, 0, "ranking a graph");
  if (status != LECTOR_OK) return luaL_argerror(L, 2, err.message);
  lector_account_growth(L, before, lector_graph_bytes(g));
  lua_createtable(L, (int)n, 0);
  for (uint32_t v = 0; v < n; v++) {
    lua_pushnumber(L, (lua_Number)scores[v]);
    lua_rawseti(L, -2, (lua_Integer)v + 1);
  }
  lua_pushinteger(L, (lua_Integer)done);
  return 2;
}

/* G.mmr(g, relevance, k [, {lambda =}]) -> {node...} in the order picked */
static int graph_mmr(lua_State *L) {
  lector_graph *g = check_graph(L, 1);
  uint32_t n = lector_graph_nodes(g);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer k = luaL_checkinteger(L, 3);
  luaL_argcheck(L, k >= 0, 3, "the number of nodes to pick must not be negative");
  if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
  double lambda = opt_number(L, 4, "lambda", 0.7);
  luaL_argcheck(L, lambda >= 0 && lambda <= 1, 4, "field 'lambda' must be between 0 and 1");
  lua_settop(L, 4);
  const double *relevance = push_numbers(L, 2, n, 2, "the relevance list");
  uint32_t *picked = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *picked, 0);
  uint32_t want = k > (lua_Integer)n ? n : (uint32_t)k, count = 0;
  g = check_graph(L, 1);   /* what ran above (opts' __index, finalizers) may have closed it */
  size_t before = lector_graph_bytes(g);
  lector_error err;
  lector_status status;
  RETRY_AFTER_GC(L, status, lector_graph_mmr(g, relevance, want, lambda, picked, &count, &err),
                 g = check_graph(L, 1));
  if (status == LECTOR_ENOMEM) return lector_raise_memory(L, 0, "picking nodes");
  if (status != LECTOR_OK) return luaL_argerror(L, 2, err.message);
  lector_account_growth(L, before, lector_graph_bytes(g));
  lua_createtable(L, (int)count, 0);
  for (uint32_t r = 0; r < count; r++) {
    lua_pushinteger(L, (lua_Integer)picked[r] + 1);
    lua_rawseti(L, -2, (lua_Integer)r + 1);
  }
  return 1;
}

/* ---- G.similarity ------------------------------------------------------------ */

static const char *const measure_names[] = {"cosine", "bm25", "overlap", NULL};

/* Count the term occurrences of rows (argument 1), checking every row is a
 * list of strings. */
static size_t count_terms(lua_State *L, lua_Integer rows) {
  size_t total = 0;
  for (lua_Integer r = 1; r <= rows; r++) {
    if (lua_rawgeti(L, 1, r) != LUA_TTABLE)
      luaL_argerror(L, 1, lua_pushfstring(L, "row %I is a %s, not a list of terms", r,
                                          luaL_typename(L, -1)));
    lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer k = 1; k <= len; k++) {
      if (lua_rawgeti(L, -1, k) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "row %I, item %I is a %s, not a string", r, k,
                                            luaL_typename(L, -1)));
      lua_pop(L, 1);
    }
    total += (size_t)len;
    lua_pop(L, 1);
  }
  return total;
}

/* The largest number opts.idf (at idx) holds, for terms it lacks. */
static double largest_idf(lua_State *L, int idx) {
  double largest = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) > largest)
      largest = (double)lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  return largest;
}

/* Point terms[] at the rows' strings, which stay alive as long as the rows
 * table (argument 1) does, and look each up in the idf table at idf_idx
 * when there is one. */
static void fill_terms(lua_State *L, lua_Integer rows, size_t *starts, lector_term *terms,
                       double *idf, int idf_idx) {
  size_t at = 0;
  int missing = 0;
  for (lua_Integer r = 1; r <= rows; r++) {
    starts[r - 1] = at;
    lua_rawgeti(L, 1, r);                                     /* [..., row] */
    lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer k = 1; k <= len; k++, at++) {
      lua_rawgeti(L, -1, k);                                  /* [..., row, term] */
      terms[at].s = lua_tolstring(L, -1, &terms[at].len);
      if (idf) {
        int type = lua_rawget(L, idf_idx);                    /* [..., row, idf] */
        if (type != LUA_TNIL && type != LUA_TNUMBER)
          luaL_argerror(L, 2, lua_pushfstring(L, "field 'idf': the idf of '%s' is a %s, "
                                              "not a number", terms[at].s, luaL_typename(L, -1)));
        idf[at] = type == LUA_TNIL ? NAN : (double)lua_tonumber(L, -1);
        missing |= type == LUA_TNIL;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  starts[rows] = at;
  if (!missing) return;
  double largest = largest_idf(L, idf_idx);
  for (size_t k = 0; k < at; k++)
    if (isnan(idf[k])) idf[k] = largest;
}

static void read_similarity_opts(lua_State *L, lector_similarity_opts *opts) {
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  const char *measure = lector_opt_string_field(L, 2, "measure");
  opts->measure = LECTOR_SIMILARITY_COSINE;
  if (measure) {
    int found = -1;
    for (int m = 0; measure_names[m]; m++)
      if (strcmp(measure, measure_names[m]) == 0) found = m;
    if (found < 0)
      luaL_argerror(L, 2, lua_pushfstring(L, "field 'measure' must be cosine, bm25 or overlap, "
                                          "not '%s'", measure));
    opts->measure = (lector_similarity_measure)found;
  }
  opts->threshold = opt_number(L, 2, "threshold", 0.1);
  opts->k1 = opt_number(L, 2, "k1", 1.2);
  opts->b = opt_number(L, 2, "b", 0.75);
}

/* G.similarity(rows [, opts]) -> Graph with a node per row */
static int graph_similarity(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lector_similarity_opts opts;
  read_similarity_opts(L, &opts);
  lua_settop(L, 2);
  int idf_idx = 0;
  lua_pushliteral(L, "idf");
  if (!lua_isnil(L, 2) && lua_rawget(L, 2) != LUA_TNIL) {            /* 3: idf */
    luaL_argcheck(L, lua_istable(L, 3), 2, "field 'idf' must be a table of term = idf");
    idf_idx = 3;
  }
  lua_Integer rows = (lua_Integer)lua_rawlen(L, 1);
  luaL_argcheck(L, rows <= LECTOR_GRAPH_MAX_NODES, 1,
                lua_pushfstring(L, "%I rows: a graph holds at most %d nodes", rows,
                                LECTOR_GRAPH_MAX_NODES));
  size_t total = count_terms(L, rows);
  luaL_argcheck(L, total < UINT32_MAX / 2, 1, "too many terms");
  size_t *starts = lua_newuserdatauv(L, ((size_t)rows + 1) * sizeof *starts, 0);
  lector_term *terms = lua_newuserdatauv(L, (total ? total : 1) * sizeof *terms, 0);
  double *idf = idf_idx ? lua_newuserdatauv(L, (total ? total : 1) * sizeof *idf, 0) : NULL;
  fill_terms(L, rows, starts, terms, idf, idf_idx);
  lector_similarity_rows in = {(uint32_t)rows, starts, terms, idf};
  graph_ud *ud = push_graph(L);
  void *alloc_ud = NULL;
  lua_Alloc alloc = lua_getallocf(L, &alloc_ud);
  lector_error err;
  lector_status status;
  /* the new graph is only on this stack: no finalizer can reach it */
  RETRY_AFTER_GC(L, status, lector_graph_similarity(&in, &opts, alloc, alloc_ud, &ud->g, &err),
                 (void)0);
  if (status == LECTOR_ENOMEM) return lector_raise_memory(L, 0, "building a similarity graph");
  if (status == LECTOR_EINVAL) return luaL_argerror(L, 2, err.message);
  if (status != LECTOR_OK) return luaL_argerror(L, 1, err.message);
  lector_account_growth(L, 0, lector_graph_bytes(ud->g));
  return 1;
}

/* ---- metamethods ----------------------------------------------------------- */

static int graph_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lector_graph_nodes(check_graph(L, 1)));
  return 1;
}

/* __gc and __close: free the C graph now; later use raises. */
static int graph_close(lua_State *L) {
  graph_ud *ud = luaL_checkudata(L, 1, LECTOR_GRAPH_CLASS);
  lector_graph_free(ud->g);
  ud->g = NULL;
  return 0;
}

static int graph_tostring(lua_State *L) {
  graph_ud *ud = luaL_checkudata(L, 1, LECTOR_GRAPH_CLASS);
  if (!ud->g) lua_pushliteral(L, "lector.Graph (closed)");
  else
    lua_pushfstring(L, "lector.Graph (%I nodes, %I edges)",
                    (lua_Integer)lector_graph_nodes(ud->g),
                    (lua_Integer)lector_graph_edges(ud->g));
  return 1;
}

static const luaL_Reg graph_metamethods[] = {
  {"__len", graph_len},
  {"__gc", graph_close},
  {"__close", graph_close},
  {"__tostring", graph_tostring},
  {NULL, NULL}
};

static const luaL_Reg graph_methods[] = {
  LECTOR_ENTRY(graph, add),
  LECTOR_ENTRY(graph, weight),
  LECTOR_ENTRY(graph, edges),
  {"rank", graph_rank},
  {"mmr", graph_mmr},
  {NULL, NULL}
};

static const luaL_Reg graph_functions[] = {
  {"new", graph_new},
  {"similarity", graph_similarity},
  {"rank", graph_rank},
  {"mmr", graph_mmr},
  {NULL, NULL}
};

void lector_open_graph(lua_State *L) {
  lector_register_class(L, LECTOR_GRAPH_CLASS, graph_metamethods, graph_methods, NULL);
}

void lector_push_graph_module(lua_State *L) {
  luaL_newlib(L, graph_functions);
}
