/*
 * LPeg as every lector state opens it: Debian's library, built with its
 * assertions on, with the two constructions known to fail one of them,
 * which aborts the whole process, made safe:
 * - #patt over a match-time capture that returns values
 *   (`#lpeg.Cmt(lpeg.P(1), function(s, i) return i, {} end)`,
 *   `#lector.patterns.number`), when matched;
 * - lpeg.B over a rule name (lpeg.V) under a predicate (`lpeg.B(-lpeg.V"A")`),
 *   when built.
 * A plugin must never be able to do that (docs/sandbox.md, T12), and a
 * script should not either.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lua_lector.h"

extern int luaopen_lpeg(lua_State *L);

/* #patt as -(-patt): it matches where patt does, consumes nothing and
 * captures nothing, as #patt does, and the double negation drops a
 * match-time capture's values where #patt mishandles them. Building it
 * analyses nothing, so it holds for any patt, rule names included.
 * [patt, patt; upvalue: the patterns' __unm] */
static int and_predicate(lua_State *L) {
  lua_settop(L, 1);
  for (int i = 0; i < 2; i++) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, -2);
    lua_call(L, 1, 1);
  }
  return 1;
}

/* lpeg.B(patt), refused (with LPeg's own error) when patt names a rule no
 * grammar defines: LPeg's B looks for captures through such a name and
 * aborts. patt is made the only rule of a grammar, under two names in
 * turn, and raises there: a name no grammar defines resolves in neither
 * (lpeg.V(1) would name the rule of a grammar whose rule is its first
 * entry, so the rules are named). Written in Lua so that B's own errors
 * name it ("bad argument #1 to 'B'"). */
static const char BEHIND[] =
    "local B, P = ...\n"
    "return function(patt)\n"
    "  patt = P(patt)\n"
    "  P{ \"lector_behind\", lector_behind = patt }\n"
    "  P{ \"lector_behind_\", lector_behind_ = patt }\n"
    "  local behind = B(patt)\n"
    "  return behind\n"
    "end\n";

int luaopen_lector_lpeg(lua_State *L) {
  luaopen_lpeg(L);                                /* [lpeg] */
  luaL_getmetatable(L, "lpeg-pattern");           /* [lpeg, mt] */
  if (lua_getfield(L, -1, "__unm") != LUA_TFUNCTION)
    return luaL_error(L, "lpeg's patterns have no __unm");
  lua_pushcclosure(L, and_predicate, 1);
  lua_setfield(L, -2, "__len");                  /* before `re` reads it for "&" */
  lua_pop(L, 1);
  if (luaL_loadbuffer(L, BEHIND, sizeof BEHIND - 1, "=lpeg.B") != LUA_OK) return lua_error(L);
  if (lua_getfield(L, -2, "B") != LUA_TFUNCTION || lua_getfield(L, -3, "P") != LUA_TFUNCTION)
    return luaL_error(L, "lpeg has no B or P");
  lua_call(L, 2, 1);
  lua_setfield(L, -2, "B");
  return 1;
}
