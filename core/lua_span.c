/*
 * Span: a view of one result a pass attached to a document.
 */
#include <string.h>

#include "lua_lector.h"

static const lector_span *check_span(lua_State *L, int arg, lector_item **item) {
  *item = lector_check_item(L, arg, LECTOR_SPAN_CLASS);
  const lector_doc *doc = (*item)->doc;
  if ((*item)->span_generation != doc->span_generation || (*item)->index >= doc->span_count)
    luaL_argerror(L, arg, "its span was replaced (the pass that added it ran again)");
  return &doc->spans[(*item)->index];
}

static int span_field(lua_State *L) {
  lector_item *item;
  const lector_span *span = check_span(L, 1, &item);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "layer") == 0) lua_pushstring(L, item->doc->layers[span->layer]);
  else if (strcmp(key, "label") == 0 && span->label) lua_pushstring(L, span->label);
  else if (strcmp(key, "start") == 0) lua_pushinteger(L, span->start);
  else if (strcmp(key, "stop") == 0) lua_pushinteger(L, span->stop);
  else if (strcmp(key, "text") == 0) lector_push_slice(L, item->doc, span->start, span->stop);
  else if (strcmp(key, "score") == 0 && span->has_score) lua_pushnumber(L, span->score);
  else if (strcmp(key, "run_id") == 0) lua_pushinteger(L, (lua_Integer)span->run_id);
  else if (strcmp(key, "attrs") == 0) lector_json_decode(L, span->attrs_json ? span->attrs_json : "{}");
  else lua_pushnil(L);
  return 1;
}

static int span_tostring(lua_State *L) {
  lector_item *item;
  const lector_span *span = check_span(L, 1, &item);
  lector_push_slice(L, item->doc, span->start, span->stop);
  return 1;
}

static const luaL_Reg span_metamethods[] = {
  {"__tostring", span_tostring},
  {NULL, NULL}
};

static const luaL_Reg span_methods[] = {
  {NULL, NULL}
};

void lector_open_span(lua_State *L) {
  lector_register_class(L, LECTOR_SPAN_CLASS, span_metamethods, span_methods, span_field);
}
