/*
 * Retries after a full collection: a graph or phrase extractor that runs
 * out of memory is run once more after the collector has freed dead
 * objects, and the collection's finalizers (Lua code, in a trusted state)
 * may close the very object being run. The retry must then raise that it
 * is closed, not read the freed object (the sanitizer build stops on such
 * a read; a plain build usually lets the retry succeed, which fails here
 * too).
 *
 * The engines are made while the state allocates through an allocator that
 * refuses as many allocations as Lua asks for with refuse(n); they keep
 * it, while the state goes back to its own, so only the engines fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>

#include "host.h"

static lua_Alloc host_alloc_fn;
static int refusals;   /* allocations still to refuse */

static void *refusing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  if (nsize > (ptr ? osize : 0) && refusals > 0) {
    refusals--;
    return NULL;
  }
  return host_alloc_fn(ud, ptr, osize, nsize);
}

/* refuse(n): the next n allocations of the engines made by made_refusing fail. */
static int refuse(lua_State *L) {
  refusals = (int)luaL_checkinteger(L, 1);
  return 0;
}

/* made_refusing(f) -> f(): what f makes keeps the refusing allocator. */
static int made_refusing(lua_State *L) {
  void *ud = NULL;
  lua_Alloc own = lua_getallocf(L, &ud);
  lua_setallocf(L, refusing_alloc, ud);
  lua_call(L, 0, 1);
  lua_setallocf(L, own, ud);
  return 1;
}

/* Run chunk in a new trusted state; it returns nothing or raises. */
static void run_chunk(const char *chunk) {
  lector_error err;
  lua_State *L = lector_host_new(&err);
  assert_non_null(L);
  void *ud = NULL;
  host_alloc_fn = lua_getallocf(L, &ud);
  refusals = 0;
  lua_register(L, "refuse", refuse);
  lua_register(L, "made_refusing", made_refusing);
  assert_int_equal(luaL_loadstring(L, chunk), LUA_OK);
  if (lector_host_pcall(L, 0, 0) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  lector_host_close(L);
}

/* The chunks' common part: closes(obj) leaves a finalizer that closes obj
 * at the next collection; raises_closed(f, ...) checks f(...) raises that
 * its object is closed. */
#define PRELUDE \
  "local lector = require 'lector'\n" \
  "local function closes(obj)\n" \
  "  setmetatable({}, {__gc = function() local closing <close> = obj end})\n" \
  "end\n" \
  "local function raises_closed(what, f, ...)\n" \
  "  refuse(1)\n" \
  "  local ok, message = pcall(f, ...)\n" \
  "  refuse(0)\n" \
  "  assert(not ok, what .. ' ran on a closed object')\n" \
  "  assert(message:find(what .. ' is closed', 1, true), message)\n" \
  "end\n"

static void a_graph_closed_by_the_collection_is_not_retried(void **state) {
  (void)state;
  run_chunk(PRELUDE
            "local function graph()\n"
            "  return made_refusing(function() return lector.graph.new(4) end)\n"
            "end\n"
            "local g = graph()\n"
            "closes(g)\n"
            "raises_closed('the graph', g.add, g, 1, 2, 1.0)\n"
            "g = graph()\n"
            "g:add(1, 2, 1.0)\n"
            "closes(g)\n"
            "raises_closed('the graph', lector.graph.rank, g)\n"
            "g = graph()\n"
            "g:add(1, 2, 1.0)\n"
            "closes(g)\n"
            "raises_closed('the graph', lector.graph.mmr, g, {1, 1, 1, 1}, 2)\n");
}

static void an_extractor_closed_by_the_collection_is_not_retried(void **state) {
  (void)state;
  run_chunk(PRELUDE
            "local stemmer = lector.stemmer 'english'\n"
            "local doc = assert(lector.doc 'Copper prices rose in Halden. Halden copper mines.')\n"
            "local function extractor()\n"
            "  return made_refusing(function() return lector.phrases {stemmer = stemmer} end)\n"
            "end\n"
            "local ph = extractor()\n"
            "closes(ph)\n"
            "raises_closed('the phrase extractor', ph.extract, ph, doc)\n"
            "ph = extractor()\n"
            "closes(ph)\n"
            "raises_closed('the phrase extractor', ph.terms, ph, doc, 1, 4)\n"
            "ph = extractor()\n"
            "refuse(1)\n"
            "assert(#ph:extract(doc) > 0, 'a retry after a collection finds the phrases')\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_graph_closed_by_the_collection_is_not_retried),
    cmocka_unit_test(an_extractor_closed_by_the_collection_is_not_retried),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
