/*
 * Lexicon: the Lua-visible lexicon type and its methods.
 */
#include "lua_lector.h"

static int lexicon_new(lua_State *L) {
  return luaL_error(L, "lector.lexicon is not available yet");
}

static const luaL_Reg lexicon_metamethods[] = {
  {NULL, NULL}
};

static const luaL_Reg lexicon_methods[] = {
  {NULL, NULL}
};

static int lexicon_field(lua_State *L) {
  lua_pushnil(L);
  return 1;
}

void lector_open_lexicon(lua_State *L) {
  lector_register_class(L, LECTOR_LEXICON_CLASS, lexicon_metamethods, lexicon_methods, lexicon_field);
}

int lector_lexicon_new_lua(lua_State *L) {
  return lexicon_new(L);
}
