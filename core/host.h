/*
 * The host: the one place that creates, configures and closes Lua states,
 * and through which Lua code is called.
 */
#ifndef LECTOR_HOST_H
#define LECTOR_HOST_H

#include <lua.h>
#include "lector.h"

/* A state for trusted code (the CLI, user scripts, the REPL): the standard
 * libraries, lpeg, re, cjson and the lector modules, all preloaded. NULL
 * when out of memory, with err filled. */
lua_State *lector_host_new(lector_error *err);

/* A state for untrusted plugin code, every allocation counted against
 * memory_limit bytes (0: none). It holds no library until open, run
 * protected with ud as its only (light userdata) argument, opens them.
 * Its small blocks come from the heap of parent, the state that makes it
 * and calls it, so that what one frees the other reuses (NULL: a heap of
 * its own); the two must then run on one thread at a time. NULL with err
 * filled when the state cannot be made or open fails. */
lua_State *lector_host_new_sandboxed(size_t memory_limit, lua_State *parent, lua_CFunction open,
                                     void *ud, lector_error *err);

/* lua_pcall with a message handler that appends a traceback. On error the
 * message (a string) is left on the stack in place of the results.
 * [-(nargs+1), +(nresults|1), -] */
int lector_host_pcall(lua_State *L, int nargs, int nresults);

/* Collect garbage while host objects are still valid, then close. */
void lector_host_close(lua_State *L);

/* C memory that L's collector cannot see: bytes of the documents whose
 * Lua objects live in L. Adds add, takes away remove, returns the total.
 * [-0, +0, -] */
size_t lector_host_unseen(lua_State *L, size_t add, size_t remove);

/* Bytes the state has allocated now. */
size_t lector_host_memory(lua_State *L);

/* What a state's allocator has seen: bytes held now, the most held and
 * whether an allocation failed since the last reset, and the limit. */
typedef struct lector_host_usage {
  size_t used, peak, limit;
  int refused;
} lector_host_usage;

void lector_host_usage_get(lua_State *L, lector_host_usage *usage);
/* Start a new measure: peak = used, refused = 0. */
void lector_host_usage_reset(lua_State *L);

#endif
