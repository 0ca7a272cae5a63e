/*
 * Stemmer: the Lua-visible Snowball stemmer (docs/lua-api.md#stemmer).
 *
 * lector.stemmer(language) hands out one stemmer per language per Lua
 * state, cached in the registry: libstemmer allocates with malloc, which
 * no plugin memory limit sees, so the number of stemmers a state can hold
 * is bounded by the number of languages rather than by what the collector
 * gets round to freeing. Closing one (__close) frees it at once; the next
 * lector.stemmer call for that language makes a new one.
 */
#include <string.h>

#include "lector_limits.h"
#include "lua_lector.h"
#include "stem.h"

typedef struct stemmer_ud {
  lector_stemmer *st;   /* NULL once closed */
} stemmer_ud;

static const char STEMMERS_KEY = 's';   /* registry: language -> Stemmer */

lector_stemmer *lector_test_stemmer(lua_State *L, int idx) {
  stemmer_ud *ud = luaL_testudata(L, idx, LECTOR_STEMMER_CLASS);
  return ud ? ud->st : NULL;
}

static lector_stemmer *check_stemmer(lua_State *L, int arg) {
  stemmer_ud *ud = luaL_checkudata(L, arg, LECTOR_STEMMER_CLASS);
  if (!ud->st) luaL_argerror(L, arg, "the stemmer is closed");
  return ud->st;
}

/* Push "arabic, armenian, ...". [-0, +1, m] */
static void push_known(lua_State *L) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (const char *const *name = lector_stem_languages(); *name; name++) {
    if (name != lector_stem_languages()) luaL_addstring(&b, ", ");
    luaL_addstring(&b, *name);
  }
  luaL_pushresult(&b);
}

/* Push the registry's table of cached stemmers. [-0, +1, m] */
static void push_cache(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &STEMMERS_KEY) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &STEMMERS_KEY);
}

/* lector.stemmer(language) -> Stemmer */
static int stemmer_new(lua_State *L) {
  const char *language = luaL_checkstring(L, 1);
  if (!lector_stem_known(language)) {
    push_known(L);
    return luaL_argerror(L, 1, lua_pushfstring(L, "unknown stemmer language '%s' (known: %s)",
                                               language, lua_tostring(L, -1)));
  }
  push_cache(L);                                         /* [language, cache] */
  lua_pushvalue(L, 1);
  if (lua_rawget(L, -2) == LUA_TUSERDATA) {              /* [language, cache, Stemmer] */
    stemmer_ud *cached = lua_touserdata(L, -1);
    if (cached->st) return 1;
  }
  lua_pop(L, 1);
  stemmer_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);  /* [language, cache, Stemmer] */
  ud->st = NULL;
  luaL_setmetatable(L, LECTOR_STEMMER_CLASS);
  ud->st = lector_stemmer_new(language);
  if (!ud->st) return luaL_error(L, "out of memory making a '%s' stemmer", language);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);
  return 1;
}

/* lector.stemmer_languages() -> {"arabic", ...} */
static int stemmer_languages(lua_State *L) {
  lua_newtable(L);
  lua_Integer i = 0;
  for (const char *const *name = lector_stem_languages(); *name; name++) {
    lua_pushstring(L, *name);
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

/* Push the stem of the string at stack index idx, argument arg (item
 * number item of it when item > 0). [-0, +1, e] */
static void push_stem(lua_State *L, lector_stemmer *st, int idx, int arg, lua_Integer item) {
  size_t len, out_len;
  const char *word = lua_tolstring(L, idx, &len);
  if (lector_utf8_check(word, len) != len)
    luaL_argerror(L, arg, item ? lua_pushfstring(L, "item %I is not valid UTF-8", item)
                               : "not valid UTF-8");
  const char *stem = lector_stemmer_stem(st, word, len, &out_len);
  if (!stem) luaL_error(L, "out of memory stemming a word");
  lua_pushlstring(L, stem, out_len);
}

/* st:stem(word) -> stem */
LECTOR_FUNCTION(stemmer, stem) {
  lector_stemmer *st = check_stemmer(L, 1);
  luaL_checktype(L, 2, LUA_TSTRING);
  push_stem(L, st, 2, 2, 0);
  return 1;
}

/* st:stems({word...}) -> {stem...} */
LECTOR_FUNCTION(stemmer, stems) {
  lector_stemmer *st = check_stemmer(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
  lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);     /* [st, list, stems] */
  for (lua_Integer i = 1; i <= n; i++) {
    if (lua_rawgeti(L, 2, i) != LUA_TSTRING)             /* [st, list, stems, word] */
      return luaL_argerror(L, 2, lua_pushfstring(L, "item %I is a %s, not a string", i,
                                                 luaL_typename(L, -1)));
    push_stem(L, st, -1, 2, i);                          /* [st, list, stems, word, stem] */
    lua_rawseti(L, -3, i);
    lua_pop(L, 1);
  }
  return 1;
}

/* __gc and __close: free the C stemmer now; later use raises. */
static int stemmer_close(lua_State *L) {
  stemmer_ud *ud = luaL_checkudata(L, 1, LECTOR_STEMMER_CLASS);
  lector_stemmer_free(ud->st);
  ud->st = NULL;
  return 0;
}

static int stemmer_tostring(lua_State *L) {
  stemmer_ud *ud = luaL_checkudata(L, 1, LECTOR_STEMMER_CLASS);
  if (!ud->st) lua_pushliteral(L, "lector.Stemmer (closed)");
  else lua_pushfstring(L, "lector.Stemmer (%s)", lector_stemmer_language(ud->st));
  return 1;
}

static int stemmer_field(lua_State *L) {
  lector_stemmer *st = check_stemmer(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "language") == 0) lua_pushstring(L, lector_stemmer_language(st));
  else lua_pushnil(L);
  return 1;
}

static const luaL_Reg stemmer_metamethods[] = {
  {"__gc", stemmer_close},
  {"__close", stemmer_close},
  {"__tostring", stemmer_tostring},
  {NULL, NULL}
};

static const luaL_Reg stemmer_methods[] = {
  LECTOR_ENTRY(stemmer, stem),
  LECTOR_ENTRY(stemmer, stems),
  {NULL, NULL}
};

void lector_open_stemmer(lua_State *L) {
  lector_register_class(L, LECTOR_STEMMER_CLASS, stemmer_metamethods, stemmer_methods,
                        stemmer_field);
}

int lector_stemmer_new_lua(lua_State *L) {
  return stemmer_new(L);
}

int lector_stemmer_languages_lua(lua_State *L) {
  return stemmer_languages(L);
}
