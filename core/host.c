/*
 * Lua state life: create with lector's allocator, open libraries, preload
 * the modules lector provides, call protected with a traceback, close.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "embedded.h"
#include "host.h"
#include "lector_limits.h"
#include "lua_lector.h"
#include "state_heap.h"

extern int luaopen_cjson(lua_State *L);

/* Allocation accounting: every state knows its own size, so limits can be
 * enforced per state and reported per pass. limit 0 means none. */
typedef struct host_alloc {
  size_t used;
  size_t limit;
  size_t peak;       /* most held since the last lector_host_reset_usage */
  int refused;       /* an allocation failed since then */
  size_t unseen;     /* C memory of the documents L holds (lector_host_unseen) */
  state_heap *heap;
} host_alloc;

static void *host_allocator(void *ud, void *ptr, size_t osize, size_t nsize) {
  host_alloc *account = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    state_heap_realloc(account->heap, ptr, old, 0);
    account->used -= old;
    return NULL;
  }
  if (account->limit && nsize > old && account->used + (nsize - old) > account->limit) {
    account->refused = 1;
    return NULL;
  }
  void *grown = state_heap_realloc(account->heap, ptr, old, nsize);
  if (!grown) {
    account->refused = 1;
    return NULL;
  }
  account->used = account->used - old + nsize;
  if (account->used > account->peak) account->peak = account->used;
  return grown;
}

static int at_panic(lua_State *L) {
  const char *message = lua_tostring(L, -1);
  fprintf(stderr, "lector: unprotected Lua error: %s\n", message ? message : "(not a string)");
  return 0;
}

/* Loader for one embedded module; its index in the table is upvalue 1. */
static int load_embedded(lua_State *L) {
  lua_Integer index = lua_tointeger(L, lua_upvalueindex(1));
  const lector_embedded_module *module = &lector_embedded_modules[index];
  if (luaL_loadbufferx(L, module->source, module->size, module->chunkname, "t") != LUA_OK)
    return lua_error(L);
  lua_pushstring(L, module->name);
  lua_call(L, 1, 1);
  return 1;
}

static void preload(lua_State *L, const char *name, lua_CFunction open) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, open);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

static void preload_embedded(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (lua_Integer i = 0; lector_embedded_modules[i].name; i++) {
    lua_pushinteger(L, i);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, lector_embedded_modules[i].name);
  }
  lua_pop(L, 1);
}

/* os.exit for trusted states: close the state the way lector_host_close
 * does (finalizers run, so open stores commit their last batch; the
 * allocator's record is freed), then exit. os.exit(code, false) keeps
 * Lua's meaning: leave without closing. */
static int host_exit(lua_State *L) {
  int code = EXIT_SUCCESS;
  if (lua_isboolean(L, 1)) code = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else code = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
  int close = lua_isnoneornil(L, 2) || lua_toboolean(L, 2);
  fflush(NULL);
  if (close) lector_host_close(L);
  exit(code);
}

/* Runs inside a protected call: everything here may raise. */
static int open_trusted(lua_State *L) {
  luaL_openlibs(L);
  lua_getglobal(L, "os");
  lua_pushcfunction(L, host_exit);
  lua_setfield(L, -2, "exit");
  lua_pop(L, 1);
  preload(L, "lpeg", luaopen_lector_lpeg);
  preload(L, "cjson", luaopen_cjson);
  preload(L, "lector.core", luaopen_lector_core);
  preload_embedded(L);
  return 0;
}

/* The account of a state made here. */
static host_alloc *account_of(lua_State *L) {
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return ud;
}

/* A bare state with lector's allocator; limit 0 means no memory limit. The
 * limit applies from the first library on, so a state too small to hold
 * its libraries fails when they are opened, not later. Its small blocks
 * come from parent's heap (NULL: a heap of its own). */
static lua_State *new_state(size_t limit, lua_State *parent, lector_error *err) {
  host_alloc *account = calloc(1, sizeof *account);
  if (account) account->heap = parent ? state_heap_retain(account_of(parent)->heap) : state_heap_new();
  lua_State *L = account && account->heap ? lua_newstate(host_allocator, account) : NULL;
  if (!L) {
    if (account) state_heap_release(account->heap);
    free(account);
    if (err) {
      err->status = LECTOR_ENOMEM;
      snprintf(err->message, sizeof err->message, "out of memory creating a Lua state");
    }
    return NULL;
  }
  account->limit = limit;
  lua_atpanic(L, at_panic);
  return L;
}

lua_State *lector_host_new(lector_error *err) {
  lua_State *L = new_state(0, NULL, err);
  if (!L) return NULL;
  lua_pushcfunction(L, open_trusted);
  if (lector_host_pcall(L, 0, 0) != LUA_OK) {
    if (err) {
      err->status = LECTOR_ENOMEM;
      snprintf(err->message, sizeof err->message, "%s", lua_tostring(L, -1));
    }
    lector_host_close(L);
    return NULL;
  }
  /* Scripts stream documents, and each one tells the collector about its C
   * memory (lector_account_document). In generational mode those frequent
   * steps are cheap young collections, not incremental cycles over every
   * module loaded: a third less time to read a corpus. */
  lua_gc(L, LUA_GCGEN, 0, 0);
  return L;
}

/* A state for untrusted plugin code. It starts with no library at all:
 * open (called protected, with ud as its light userdata argument) opens
 * exactly what plugins may use and installs the budget hook, before any
 * plugin code can run. Every allocation counts against memory_limit. */
lua_State *lector_host_new_sandboxed(size_t memory_limit, lua_State *parent, lua_CFunction open,
                                     void *ud, lector_error *err) {
  lua_State *L = new_state(memory_limit, parent, err);
  if (!L) return NULL;
  lua_gc(L, LUA_GCINC, LECTOR_PLUGIN_GC_PAUSE, 0, 0);
  lua_pushcfunction(L, open);
  lua_pushlightuserdata(L, ud);
  int status = lua_pcall(L, 1, 0, 0);
  if (status != LUA_OK) {
    if (err) {
      err->status = status == LUA_ERRMEM ? LECTOR_ENOMEM : LECTOR_EINVAL;
      const char *message = lua_tostring(L, -1);
      snprintf(err->message, sizeof err->message, "%s",
               status == LUA_ERRMEM ? "memory limit too small for the plugin's libraries"
                                    : message ? message : "cannot open the libraries");
    }
    lector_host_close(L);
    return NULL;
  }
  return L;
}

/* Message handler: a string message gets a traceback; a table or userdata
 * with __tostring is turned into a string first. */
static int traceback(lua_State *L) {
  const char *message = lua_tostring(L, 1);
  if (!message) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, message, 1);
  return 1;
}

int lector_host_pcall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}

size_t lector_host_unseen(lua_State *L, size_t add, size_t remove) {
  host_alloc *account = account_of(L);
  account->unseen += add;
  account->unseen -= remove < account->unseen ? remove : account->unseen;
  return account->unseen;
}

size_t lector_host_memory(lua_State *L) {
  return account_of(L)->used;
}

void lector_host_usage_get(lua_State *L, lector_host_usage *usage) {
  const host_alloc *account = account_of(L);
  usage->used = account->used;
  usage->peak = account->peak;
  usage->limit = account->limit;
  usage->refused = account->refused;
}

void lector_host_usage_reset(lua_State *L) {
  host_alloc *account = account_of(L);
  account->peak = account->used;
  account->refused = 0;
}

void lector_host_close(lua_State *L) {
  if (!L) return;
  host_alloc *account = account_of(L);
  lua_gc(L, LUA_GCCOLLECT);
  lua_close(L);
  state_heap_release(account->heap);
  free(account);
}
