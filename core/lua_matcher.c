/*
 * Matcher: the Lua-visible matcher type and its methods.
 */
#include "lua_lector.h"

static int matcher_new(lua_State *L) {
  return luaL_error(L, "lector.matcher is not available yet");
}

static const luaL_Reg matcher_metamethods[] = {
  {NULL, NULL}
};

static const luaL_Reg matcher_methods[] = {
  {NULL, NULL}
};

static int matcher_field(lua_State *L) {
  lua_pushnil(L);
  return 1;
}

void lector_open_matcher(lua_State *L) {
  lector_register_class(L, LECTOR_MATCHER_CLASS, matcher_metamethods, matcher_methods, matcher_field);
}

int lector_matcher_new_lua(lua_State *L) {
  return matcher_new(L);
}
