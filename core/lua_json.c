/*
 * JSON for Lua values: what passes store as span attributes, document
 * values and metadata. Encoding is lector's own, so that integers stay
 * integers, floats keep every digit, object keys come out sorted (the same
 * value always gives the same text), strings must be UTF-8, and nesting is
 * bounded. Decoding uses cjson, then turns whole numbers back into
 * integers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonbuf.h"
#include "lector_limits.h"
#include "lua_lector.h"

extern int luaopen_cjson(lua_State *L);

#define JSON_DECODE_KEY "lector.json.decode"
#define JSON_NULL_KEY "lector.json.null"

/* Largest integer a double holds exactly: beyond it a JSON number read
 * back as a double would change. */
#define EXACT_INTEGER_LIMIT 9007199254740992.0

static void write_value(lua_State *L, int idx, jsonbuf *b, int depth);

static void write_string(lua_State *L, int idx, jsonbuf *b) {
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);
  size_t bad = lector_utf8_check(s, len);
  if (bad != len) luaL_error(L, "a string is not valid UTF-8 (at byte %d)", (int)bad);
  jsonbuf_string(b, s, len);
}

static void write_number(lua_State *L, int idx, jsonbuf *b) {
  if (lua_isinteger(L, idx)) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, LUA_INTEGER_FMT, lua_tointeger(L, idx));
    jsonbuf_bytes(b, digits, (size_t)n);
    return;
  }
  lua_Number x = lua_tonumber(L, idx);
  if (!isfinite(x)) luaL_error(L, "a number is not finite (NaN or infinity)");
  jsonbuf_double(b, x);
}

/* A table is an array when its keys are exactly 1..n (n > 0). */
static int array_length(lua_State *L, int idx) {
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
  if (n == 0) return 0;
  lua_Integer keys = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return -1;
    }
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 1 || k > n) {
      lua_pop(L, 1);
      return -1;
    }
    keys++;
  }
  return keys == n ? (int)n : -1;
}

static int compare_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void write_object(lua_State *L, int idx, jsonbuf *b, int depth) {
  /* Keys are sorted: collect them in a Lua table first, so that nothing is
   * malloc'd that an error could leak. [.., keys] */
  lua_newtable(L);
  int keys = lua_gettop(L);
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "a table mixes string keys with other keys (a %s key)",
                 luaL_typename(L, -1));
    lua_pushvalue(L, -1);
    lua_rawseti(L, keys, ++count);
  }
  const char **names = lua_newuserdatauv(L, (size_t)(count ? count : 1) * sizeof *names, 0);
  for (lua_Integer i = 1; i <= count; i++) {
    lua_rawgeti(L, keys, i);
    names[i - 1] = lua_tostring(L, -1);  /* kept alive by the keys table */
    lua_pop(L, 1);
  }
  qsort(names, (size_t)count, sizeof *names, compare_keys);
  jsonbuf_raw(b, "{");
  for (lua_Integer i = 0; i < count; i++) {
    if (i) jsonbuf_raw(b, ",");
    lua_pushstring(L, names[i]);
    write_string(L, -1, b);
    jsonbuf_raw(b, ":");
    lua_rawget(L, idx);
    write_value(L, lua_gettop(L), b, depth + 1);
    lua_pop(L, 1);
  }
  jsonbuf_raw(b, "}");
  lua_pop(L, 2);
}

static void write_table(lua_State *L, int idx, jsonbuf *b, int depth) {
  if (depth >= LECTOR_JSON_MAX_DEPTH)
    luaL_error(L, "tables nested more than %d deep (or a table that contains itself)",
               LECTOR_JSON_MAX_DEPTH);
  luaL_checkstack(L, 8, "JSON nesting");
  int n = array_length(L, idx);
  if (n <= 0) {  /* an empty table is written as {} */
    write_object(L, idx, b, depth);
    return;
  }
  jsonbuf_raw(b, "[");
  for (int i = 1; i <= n; i++) {
    if (i > 1) jsonbuf_raw(b, ",");
    lua_rawgeti(L, idx, i);
    write_value(L, lua_gettop(L), b, depth + 1);
    lua_pop(L, 1);
  }
  jsonbuf_raw(b, "]");
}

static void write_value(lua_State *L, int idx, jsonbuf *b, int depth) {
  if (b->failed) luaL_error(L, "over %I bytes", (lua_Integer)b->limit);
  switch (lua_type(L, idx)) {
  case LUA_TNIL: jsonbuf_raw(b, "null"); return;
  case LUA_TBOOLEAN: jsonbuf_raw(b, lua_toboolean(L, idx) ? "true" : "false"); return;
  case LUA_TNUMBER: write_number(L, idx, b); return;
  case LUA_TSTRING: write_string(L, idx, b); return;
  case LUA_TTABLE: write_table(L, idx, b, depth); return;
  case LUA_TLIGHTUSERDATA:
    lua_getfield(L, LUA_REGISTRYINDEX, JSON_NULL_KEY);
    if (lua_rawequal(L, -1, idx)) {
      lua_pop(L, 1);
      jsonbuf_raw(b, "null");
      return;
    }
    lua_pop(L, 1);
    /* fall through */
  default:
    luaL_error(L, "a %s cannot be stored as JSON", luaL_typename(L, idx));
  }
}

/* Runs protected: [buffer (light userdata), value] */
static int encode_protected(lua_State *L) {
  jsonbuf *b = lua_touserdata(L, 1);
  write_value(L, 2, b, 0);
  return 0;
}

const char *lector_json_encode_limited(lua_State *L, int idx, const char *what, size_t limit) {
  idx = lua_absindex(L, idx);
  jsonbuf b;
  jsonbuf_init(&b, 64);
  b.limit = limit;
  lua_pushcfunction(L, encode_protected);
  lua_pushlightuserdata(L, &b);
  lua_pushvalue(L, idx);
  int status = lua_pcall(L, 2, 0, 0);
  int over = b.failed == JSONBUF_OVER_LIMIT;
  size_t len = 0;
  char *json = jsonbuf_finish(&b, &len);
  if (over) {
    free(json);
    if (status != LUA_OK) lua_pop(L, 1);
    return NULL;
  }
  if (status != LUA_OK) {
    free(json);
    luaL_error(L, "%s cannot be stored as JSON: %s", what, lua_tostring(L, -1));
    return NULL;
  }
  if (!json) {
    luaL_error(L, "out of memory encoding %s as JSON", what);
    return NULL;
  }
  lector_push_owned_string(L, json, len);
  return lua_tostring(L, -1);
}

const char *lector_json_encode(lua_State *L, int idx, const char *what) {
  const char *json = lector_json_encode_limited(L, idx, what, LECTOR_JSON_MAX_BYTES);
  if (!json)
    luaL_error(L, "%s is over %I bytes as JSON", what, (lua_Integer)LECTOR_JSON_MAX_BYTES);
  return json;
}

/* Whole numbers cjson read as floats become integers again, inside the
 * range where a double is exact. [-0, +0, e] */
static void restore_integers(lua_State *L, int idx, int depth) {
  if (depth > LECTOR_JSON_MAX_DEPTH) return;
  luaL_checkstack(L, 4, "JSON nesting");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1)) {
      lua_Number x = lua_tonumber(L, -1);
      if (x == floor(x) && fabs(x) < EXACT_INTEGER_LIMIT) {
        lua_pushvalue(L, -2);
        lua_pushinteger(L, (lua_Integer)x);
        lua_rawset(L, idx);
      }
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      restore_integers(L, lua_gettop(L), depth + 1);
    }
    lua_pop(L, 1);
  }
}

static void restore_value(lua_State *L) {
  int top = lua_gettop(L);
  if (lua_type(L, top) == LUA_TTABLE) {
    restore_integers(L, top, 0);
  } else if (lua_type(L, top) == LUA_TNUMBER && !lua_isinteger(L, top)) {
    lua_Number x = lua_tonumber(L, top);
    if (x == floor(x) && fabs(x) < EXACT_INTEGER_LIMIT) {
      lua_pop(L, 1);
      lua_pushinteger(L, (lua_Integer)x);
    }
  }
}

void lector_json_decode(lua_State *L, const char *json) {
  lua_getfield(L, LUA_REGISTRYINDEX, JSON_DECODE_KEY);
  lua_pushstring(L, json);
  lua_call(L, 1, 1);
  restore_value(L);
}

/* lector.json.encode(value) -> text; raises on what JSON cannot hold */
static int json_encode(lua_State *L) {
  luaL_checkany(L, 1);
  lector_json_encode(L, 1, "the value");
  return 1;
}

/* lector.json.decode(text) -> value | nil, message */
static int json_decode(lua_State *L) {
  size_t len;
  luaL_checklstring(L, 1, &len);
  lua_getfield(L, LUA_REGISTRYINDEX, JSON_DECODE_KEY);
  lua_pushvalue(L, 1);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  restore_value(L);
  return 1;
}

static const luaL_Reg json_functions[] = {
  {"encode", json_encode},
  {"decode", json_decode},
  {NULL, NULL}
};

/* The decoder is a private cjson instance: scripts that change the shared
 * `cjson` module's settings cannot change lector's. Pushes the
 * lector.json table. [-0, +1, e] */
void lector_open_json(lua_State *L) {
  luaL_requiref(L, "cjson", luaopen_cjson, 0);      /* [cjson] */
  lua_getfield(L, -1, "new");
  lua_call(L, 0, 1);                                 /* [cjson, private] */
  lua_getfield(L, -1, "decode_max_depth");
  lua_pushinteger(L, LECTOR_JSON_MAX_DEPTH);
  lua_call(L, 1, 0);
  lua_getfield(L, -1, "decode");
  lua_setfield(L, LUA_REGISTRYINDEX, JSON_DECODE_KEY);
  lua_getfield(L, -1, "null");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, JSON_NULL_KEY); /* [cjson, private, null] */
  luaL_newlib(L, json_functions);
  lua_insert(L, -2);
  lua_setfield(L, -2, "null");                       /* [cjson, private, json] */
  lua_replace(L, -3);
  lua_pop(L, 1);
}
