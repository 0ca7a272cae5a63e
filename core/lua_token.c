/*
 * Token: a view of one token; its shape and folded form are computed when
 * asked for, never stored.
 */
#include <string.h>

#include "lua_lector.h"
#include "token.h"

#define SHAPE_BYTES 128

static const lector_token *check_token(lua_State *L, int arg, lector_item **item) {
  *item = lector_check_item(L, arg, LECTOR_TOKEN_CLASS);
  return &(*item)->doc->seg.tokens[(*item)->index];
}

static void push_shape(lua_State *L, const lector_doc *doc, const lector_token *t) {
  char shape[SHAPE_BYTES];
  size_t len = lector_token_shape(doc->text + t->start, t->stop - t->start, shape, sizeof shape);
  lua_pushlstring(L, shape, len);
}

/* Tokens up to this many bytes fold on the C stack. */
#define FOLD_STACK_BYTES 128

void lector_push_folded(lua_State *L, const lector_doc *doc, const lector_token *t) {
  const char *s = doc->text + t->start;
  size_t len = t->stop - t->start;
  char buf[FOLD_STACK_BYTES];
  if (len <= sizeof buf && lector_token_fold_ascii(s, len, buf)) {
    lua_pushlstring(L, buf, len);
    return;
  }
  char *folded = lector_token_fold(s, len, &len);
  if (!folded) luaL_error(L, "out of memory folding a token");
  lector_push_owned_string(L, folded, len);
}

static int token_field(lua_State *L) {
  lector_item *item;
  const lector_token *t = check_token(L, 1, &item);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "index") == 0) lua_pushinteger(L, (lua_Integer)item->index + 1);
  else if (strcmp(key, "start") == 0) lua_pushinteger(L, t->start);
  else if (strcmp(key, "stop") == 0) lua_pushinteger(L, t->stop);
  else if (strcmp(key, "text") == 0) lector_push_slice(L, item->doc, t->start, t->stop);
  else if (strcmp(key, "kind") == 0) lua_pushstring(L, lector_token_kind_name(t->kind));
  else if (strcmp(key, "shape") == 0) push_shape(L, item->doc, t);
  else if (strcmp(key, "folded") == 0) lector_push_folded(L, item->doc, t);
  else if (strcmp(key, "sentence") == 0)
    lua_pushinteger(L, (lua_Integer)lector_doc_sentence_of_token(item->doc, item->index) + 1);
  else lua_pushnil(L);
  return 1;
}

static int token_tostring(lua_State *L) {
  lector_item *item;
  const lector_token *t = check_token(L, 1, &item);
  lector_push_slice(L, item->doc, t->start, t->stop);
  return 1;
}

static const luaL_Reg token_metamethods[] = {
  {"__tostring", token_tostring},
  {NULL, NULL}
};

static const luaL_Reg token_methods[] = {
  {NULL, NULL}
};

void lector_open_token(lua_State *L) {
  lector_register_class(L, LECTOR_TOKEN_CLASS, token_metamethods, token_methods, token_field);
}
