/*
 * Sentence: a view of one sentence of a document.
 */
#include <string.h>

#include "lua_lector.h"

static const lector_sentence *check_sentence(lua_State *L, int arg, lector_item **item) {
  *item = lector_check_item(L, arg, LECTOR_SENTENCE_CLASS);
  return &(*item)->doc->seg.sentences[(*item)->index];
}

static int next_token(lua_State *L) {
  lector_item *item;
  const lector_sentence *s = check_sentence(L, lua_upvalueindex(1), &item);
  lua_Integer next = lua_tointeger(L, lua_upvalueindex(2));
  if (next >= (lua_Integer)s->token_count) return 0;
  lua_pushinteger(L, next + 1);
  lua_replace(L, lua_upvalueindex(2));
  lector_push_item(L, LECTOR_TOKEN_CLASS, lua_upvalueindex(1), s->first_token + (uint32_t)next);
  return 1;
}

/* s:tokens() -> iterator over the sentence's Tokens */
LECTOR_FUNCTION(sentence, tokens) {
  lector_item *item;
  check_sentence(L, 1, &item);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, next_token, 2);
  return 1;
}

/* s:token(i) -> the sentence's i-th Token (1-based), or nil */
LECTOR_FUNCTION(sentence, token) {
  lector_item *item;
  const lector_sentence *s = check_sentence(L, 1, &item);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || i > (lua_Integer)s->token_count) return 0;
  lector_push_item(L, LECTOR_TOKEN_CLASS, 1, s->first_token + (uint32_t)(i - 1));
  return 1;
}

static int sentence_field(lua_State *L) {
  lector_item *item;
  const lector_sentence *s = check_sentence(L, 1, &item);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "index") == 0) lua_pushinteger(L, (lua_Integer)item->index + 1);
  else if (strcmp(key, "start") == 0) lua_pushinteger(L, s->start);
  else if (strcmp(key, "stop") == 0) lua_pushinteger(L, s->stop);
  else if (strcmp(key, "text") == 0) lector_push_slice(L, item->doc, s->start, s->stop);
  else if (strcmp(key, "paragraph") == 0) lua_pushinteger(L, (lua_Integer)s->paragraph + 1);
  else lua_pushnil(L);
  return 1;
}

static int sentence_len(lua_State *L) {
  lector_item *item;
  lua_pushinteger(L, check_sentence(L, 1, &item)->token_count);
  return 1;
}

static int sentence_tostring(lua_State *L) {
  lector_item *item;
  const lector_sentence *s = check_sentence(L, 1, &item);
  lector_push_slice(L, item->doc, s->start, s->stop);
  return 1;
}

static const luaL_Reg sentence_metamethods[] = {
  {"__len", sentence_len},
  {"__tostring", sentence_tostring},
  {NULL, NULL}
};

static const luaL_Reg sentence_methods[] = {
  LECTOR_ENTRY(sentence, tokens),
  LECTOR_ENTRY(sentence, token),
  {NULL, NULL}
};

void lector_open_sentence(lua_State *L) {
  lector_register_class(L, LECTOR_SENTENCE_CLASS, sentence_metamethods, sentence_methods,
                        sentence_field);
}
