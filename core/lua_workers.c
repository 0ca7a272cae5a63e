/*
 * Pool: worker threads, each with its own trusted Lua state, seen from
 * the state that drives them. A worker requires a Lua module, calls its
 * start(setup) once to get a handler, then calls handler(doc, input) for
 * each document it is given; the handler returns a string. Only strings
 * and the C document cross between threads: nothing of one Lua state is
 * ever visible to another.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "lector_limits.h"
#include "lua_lector.h"
#include "workers.h"

typedef struct pool_ud {
  lector_pool *pool;
} pool_ud;

/* What each worker's start is given (lives on lector_pool_new's caller's
 * stack while the workers start). */
typedef struct worker_setup {
  const char *module;
  const char *setup;
  size_t setup_len;
} worker_setup;

typedef struct worker_context {
  lua_State *L;
  int handler;   /* registry reference */
} worker_context;

static lector_pool *check_pool(lua_State *L, int arg) {
  pool_ud *ud = luaL_checkudata(L, arg, LECTOR_POOL_CLASS);
  if (!ud->pool) luaL_argerror(L, arg, "closed pool");
  return ud->pool;
}

/* In the worker's state, protected: require(module).start(setup), which
 * must return the handler. [-0, +1, e] */
static int start_module(lua_State *L) {
  const worker_setup *setup = lua_touserdata(L, 1);
  lua_getglobal(L, "require");
  lua_pushstring(L, setup->module);
  lua_call(L, 1, 1);                                   /* [setup, module] */
  if (!lua_istable(L, -1)) return luaL_error(L, "module '%s' is not a table", setup->module);
  lua_getfield(L, -1, "start");                        /* [setup, module, start] */
  lua_pushlstring(L, setup->setup, setup->setup_len);
  lua_call(L, 1, 1);                                   /* [setup, module, handler] */
  if (!lua_isfunction(L, -1))
    return luaL_error(L, "%s.start did not return a function", setup->module);
  return 1;
}

static void *worker_start(void *arg, lector_error *err) {
  const worker_setup *setup = arg;
  lua_State *L = lector_host_new(err);
  if (!L) return NULL;
  lua_pushcfunction(L, start_module);
  lua_pushlightuserdata(L, (void *)(uintptr_t)setup);
  worker_context *context = NULL;
  if (lector_host_pcall(L, 1, 1) == LUA_OK) context = malloc(sizeof *context);
  if (!context) {
    if (err) {
      err->status = LECTOR_EINVAL;
      const char *message = lua_tostring(L, -1);
      snprintf(err->message, sizeof err->message, "%s",
               lua_isfunction(L, -1) ? "out of memory" : message ? message : "cannot start");
    }
    lector_host_close(L);
    return NULL;
  }
  context->L = L;
  context->handler = luaL_ref(L, LUA_REGISTRYINDEX);
  return context;
}

typedef struct handler_call {
  int handler;
  lector_doc *doc;
  const char *input;
  size_t input_len;
  lector_doc **slot;   /* the Document handed to the handler, released after */
} handler_call;

/* The registry key of the Document handed to the handler: anchored there
 * until it is emptied, since the handler may drop it. */
static const char HANDED_KEY = 'h';

/* Protected: handler(Document or nil, input) -> result, Document...
 * [-0, +n, e] */
static int call_handler(lua_State *L) {
  handler_call *call = lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, call->handler);
  if (call->doc) {
    lector_doc **slot = lector_push_document(L, NULL);
    lector_doc_retain(call->doc);
    *slot = call->doc;
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &HANDED_KEY);
    call->slot = slot;
  } else {
    lua_pushnil(L);
  }
  lua_pushlstring(L, call->input, call->input_len);
  lua_call(L, 2, LUA_MULTRET);
  return lua_gettop(L) - 1;   /* all but call itself */
}

static char *copy_bytes(const char *s, size_t len) {
  char *copy = malloc(len + 1);
  if (!copy) return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}

static int worker_handle(void *arg, lector_doc *doc, const char *input, size_t input_len,
                         char **out, size_t *out_len, lector_doc_list *made) {
  worker_context *context = arg;
  lua_State *L = context->L;
  handler_call call = {context->handler, doc, input, input_len, NULL};
  lua_settop(L, 0);
  lua_pushcfunction(L, call_handler);
  lua_pushlightuserdata(L, &call);
  int status = lector_host_pcall(L, 1, LUA_MULTRET);  /* [result, Document...] | [message] */
  int top = lua_gettop(L);
  if (status == LUA_OK && top > 1) {
    made->docs = malloc((size_t)(top - 1) * sizeof *made->docs);
    for (int i = 2; made->docs && i <= top; i++) {
      lector_doc *taken = lector_take_document(L, i);
      if (taken) made->docs[made->count++] = taken;
    }
  }
  lua_settop(L, status == LUA_OK && top > 0 ? 1 : top);
  /* The document goes back to the driving thread: no Lua object of this
   * state may keep it (its views die with it). */
  if (call.slot) {
    lector_drop_document(L, call.slot);
    lua_pushboolean(L, 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &HANDED_KEY);   /* an existing key: no allocation */
  }
  size_t len = 0;
  const char *text = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
  int failed = status != LUA_OK;
  if (!text) {
    text = failed ? "the worker failed with an error that is not a string"
                  : "the worker's handler did not return a string";
    len = strlen(text);
    failed = 1;
  }
  *out = copy_bytes(text, len);
  *out_len = *out ? len : 0;
  lua_settop(L, 0);
  return failed ? -1 : 0;
}

static void worker_stop(void *arg) {
  worker_context *context = arg;
  lector_host_close(context->L);
  free(context);
}

/* lector.core.pool{threads = n, window = n, module = name, setup = string}
 * -> Pool | nil, message
 * Starts the threads; each requires module in its own state and calls
 * module.start(setup), which returns the handler. A start that fails
 * (raises) fails the pool with its message. */
int lector_pool_new_lua(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer threads = lector_opt_integer_field(L, 1, "threads", 1);
  lua_Integer window = lector_opt_integer_field(L, 1, "window", 0);
  if (threads < 1 || threads > LECTOR_MAX_WORKERS)
    return luaL_argerror(L, 1, lua_pushfstring(L, "field 'threads' must be 1 to %d",
                                               LECTOR_MAX_WORKERS));
  if (window == 0) window = threads * LECTOR_POOL_WINDOW_PER_WORKER;
  if (window < 1 || window > LECTOR_MAX_POOL_WINDOW)
    return luaL_argerror(L, 1, lua_pushfstring(L, "field 'window' must be 1 to %d",
                                               LECTOR_MAX_POOL_WINDOW));
  worker_setup setup = {0};
  setup.module = lector_opt_string_field(L, 1, "module");
  if (!setup.module) return luaL_argerror(L, 1, "field 'module' is required");
  lua_getfield(L, 1, "setup");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
    return luaL_argerror(L, 1, "field 'setup' must be a string");
  setup.setup = lua_isnil(L, -1) ? "" : lua_tolstring(L, -1, &setup.setup_len);
  pool_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
  ud->pool = NULL;
  luaL_setmetatable(L, LECTOR_POOL_CLASS);
  lector_pool_worker worker = {worker_start, worker_handle, worker_stop, &setup};
  lector_error err = {0};
  if (lector_pool_new((int)threads, (size_t)window, &worker, &ud->pool, &err) != LECTOR_OK) {
    lua_pushnil(L);
    lua_pushstring(L, err.message);
    return 2;
  }
  return 1;
}

/* pool:submit(doc, input): queue doc (or nil) for the next free worker;
 * raises when the window is full (take a result with pool:next first). */
LECTOR_FUNCTION(pool, submit) {
  lector_pool *pool = check_pool(L, 1);
  if (!lua_isnil(L, 2)) lector_check_document(L, 2);
  size_t len = 0;
  const char *input = luaL_checklstring(L, 3, &len);
  /* looked up after the input, since reading that may collect */
  lector_doc *doc = lua_isnil(L, 2) ? NULL : lector_check_document(L, 2);
  if (lector_pool_pending(pool) >= lector_pool_window(pool))
    return luaL_error(L, "the pool's window is full: take a result with pool:next() first");
  lector_error err = {0};
  if (lector_pool_submit(pool, doc, input, len, &err) != LECTOR_OK)
    return luaL_error(L, "%s", err.message);
  return 0;
}

typedef struct taken_result {
  char *out;
  size_t len;
  lector_doc_list made;   /* emptied as Documents take them */
  size_t pushed;
} taken_result;

/* Protected: push the result string, then a Document owning each made
 * document. [-0, +(1+n), m] */
static int push_result(lua_State *L) {
  taken_result *result = lua_touserdata(L, 1);
  luaL_checkstack(L, (int)result->made.count + 1, "too many documents in one result");
  lua_pushlstring(L, result->out, result->len);
  for (; result->pushed < result->made.count; result->pushed++) {
    lector_doc **slot = lector_push_document(L, NULL);
    *slot = result->made.docs[result->pushed];
    result->made.docs[result->pushed] = NULL;
    lector_account_document(L, slot);
  }
  return 1 + (int)result->made.count;
}

/* pool:next() -> result, Document... | nil, message: the oldest job's
 * result, waiting for it, with the Documents the handler made and
 * returned; the message when the handler raised. Raises when nothing is
 * pending. */
LECTOR_FUNCTION(pool, next) {
  lector_pool *pool = check_pool(L, 1);
  if (lector_pool_pending(pool) == 0) return luaL_error(L, "no document is pending in the pool");
  lector_doc *doc = NULL;
  taken_result result = {NULL, 0, {NULL, 0}, 0};
  int failed = 0;
  lector_pool_next(pool, &doc, &result.made, &result.out, &result.len, &failed);
  lector_doc_release(doc);
  if (!result.out) {
    lector_doc_list_clear(&result.made);
    return luaL_error(L, "out of memory taking a worker's result");
  }
  int top = lua_gettop(L);
  lua_pushcfunction(L, push_result);
  lua_pushlightuserdata(L, &result);
  int status = lua_pcall(L, 1, LUA_MULTRET, 0);
  free(result.out);
  lector_doc_list_clear(&result.made);   /* releases only what no Document took */
  if (status != LUA_OK) return lua_error(L);
  if (failed) {
    lua_settop(L, top + 1);
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;                                  /* nil, message */
  }
  return lua_gettop(L) - top;
}

/* pool:pending() -> the documents submitted whose result was not taken */
LECTOR_FUNCTION(pool, pending) {
  lua_pushinteger(L, (lua_Integer)lector_pool_pending(check_pool(L, 1)));
  return 1;
}

/* pool:close(): let the workers finish the document each holds, drop the
 * rest and stop the threads. */
LECTOR_FUNCTION(pool, close) {
  pool_ud *ud = luaL_checkudata(L, 1, LECTOR_POOL_CLASS);
  lector_pool_free(ud->pool);
  ud->pool = NULL;
  return 0;
}

static int pool_field(lua_State *L) {
  lector_pool *pool = check_pool(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "threads") == 0) lua_pushinteger(L, lector_pool_threads(pool));
  else if (strcmp(key, "window") == 0) lua_pushinteger(L, (lua_Integer)lector_pool_window(pool));
  else lua_pushnil(L);
  return 1;
}

static int pool_tostring(lua_State *L) {
  pool_ud *ud = luaL_checkudata(L, 1, LECTOR_POOL_CLASS);
  if (!ud->pool) lua_pushliteral(L, "Pool (closed)");
  else lua_pushfstring(L, "Pool (%d threads)", lector_pool_threads(ud->pool));
  return 1;
}

static const luaL_Reg pool_metamethods[] = {
  {"__gc", lua_pool_close},
  {"__close", lua_pool_close},
  {"__tostring", pool_tostring},
  {NULL, NULL}
};

static const luaL_Reg pool_methods[] = {
  LECTOR_ENTRY(pool, submit),
  LECTOR_ENTRY(pool, next),
  LECTOR_ENTRY(pool, pending),
  LECTOR_ENTRY(pool, close),
  {NULL, NULL}
};

void lector_open_pool(lua_State *L) {
  lector_register_class(L, LECTOR_POOL_CLASS, pool_metamethods, pool_methods, pool_field);
}

/* lector.core.cores() -> the processors lector may run on */
int lector_cores_lua(lua_State *L) {
  lua_pushinteger(L, lector_cpu_count());
  return 1;
}
