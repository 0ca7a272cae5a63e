/*
 * LPeg as every lector state opens it: Debian's library, with #patt made
 * safe. Debian builds LPeg 1.0.2 with its assertions on, and #patt over a
 * match-time capture that returns values fails one of them, which aborts
 * the whole process: `#lpeg.Cmt(lpeg.P(1), function(s, i) return i, {} end)`,
 * or `#lector.patterns.number`. A plugin must never be able to do that
 * (docs/sandbox.md, T12), and a script should not either.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lua_lector.h"

extern int luaopen_lpeg(lua_State *L);

/* #patt as -(-patt): it matches where patt does, consumes nothing and
 * captures nothing, as #patt does, and the double negation drops a
 * match-time capture's values where #patt mishandles them. A pattern that
 * lpeg.B takes (a fixed length, no capture at all) keeps LPeg's own #patt,
 * which is cheaper to match (#R"az" is a one-byte test).
 * [patt, patt; upvalues: __unm, __len, lpeg.B] */
static int and_predicate(lua_State *L) {
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(3));
  lua_pushvalue(L, 1);
  if (lua_pcall(L, 1, 0, 0) == LUA_OK) {
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, 1, 1);
    return 1;
  }
  lua_settop(L, 1);
  for (int i = 0; i < 2; i++) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, -2);
    lua_call(L, 1, 1);
  }
  return 1;
}

int luaopen_lector_lpeg(lua_State *L) {
  luaopen_lpeg(L);                                /* [lpeg] */
  luaL_getmetatable(L, "lpeg-pattern");           /* [lpeg, mt] */
  if (lua_getfield(L, -1, "__unm") != LUA_TFUNCTION || lua_getfield(L, -2, "__len") != LUA_TFUNCTION
      || lua_getfield(L, -4, "B") != LUA_TFUNCTION)
    return luaL_error(L, "lpeg's patterns have no __unm, __len or lpeg.B");
  lua_pushcclosure(L, and_predicate, 3);
  lua_setfield(L, -2, "__len");                  /* before `re` reads it for "&" */
  lua_pop(L, 1);
  return 1;
}
