/*
 * Document: the Lua face of lector_doc. Reading is zero-copy: sentences,
 * tokens and spans are views, and text is sliced only when asked for.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonbuf.h"
#include "lector_limits.h"
#include "lua_lector.h"

typedef struct document_ud {
  lector_doc *doc;
} document_ud;

lector_doc **lector_push_document(lua_State *L, lector_doc *doc) {
  document_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
  ud->doc = doc;
  luaL_setmetatable(L, LECTOR_DOCUMENT_CLASS);
  return &ud->doc;
}

/* A document's C memory is invisible to Lua's collector, which only sees
 * the small userdata: without a hint, a loop over a long stream would let
 * thousands of dead documents pile up before a collection. Each new
 * document therefore pays for a collector step in proportion to its size. */
void lector_account_document(lua_State *L, const lector_doc *doc) {
  size_t bytes = doc->len + doc->seg.token_count * sizeof(lector_token) +
                 doc->seg.sentence_count * sizeof(lector_sentence) +
                 doc->seg.paragraph_count * sizeof(lector_paragraph);
  lua_gc(L, LUA_GCSTEP, (int)(bytes / 1024 > INT32_MAX ? INT32_MAX : bytes / 1024));
}

lector_doc *lector_check_document(lua_State *L, int arg) {
  document_ud *ud = luaL_checkudata(L, arg, LECTOR_DOCUMENT_CLASS);
  if (!ud->doc) luaL_argerror(L, arg, "document was never loaded");
  return ud->doc;
}

/* Layer names and value keys become SQL values and JSON keys: keep them to
 * a plain, portable alphabet. */
static const char *check_name(lua_State *L, int arg, const char *what) {
  size_t len;
  const char *name = luaL_checklstring(L, arg, &len);
  int ok = len > 0 && len <= LECTOR_MAX_NAME_BYTES;
  for (size_t i = 0; ok && i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
  }
  if (!ok)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s must be a letter or '_' followed by "
                                          "letters, digits, '_', '.' or '-' (at most %d bytes)",
                                          what, LECTOR_MAX_NAME_BYTES));
  return name;
}

/* Strings that reach JSON and the store as C strings: UTF-8, and no NUL
 * that would silently cut them. */
static void check_text(lua_State *L, int arg, const char *s, size_t len, const char *what) {
  if (strlen(s) != len) luaL_argerror(L, arg, lua_pushfstring(L, "%s holds a NUL byte", what));
  if (lector_utf8_check(s, len) != len)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s is not valid UTF-8", what));
}

static int is_boundary(const lector_doc *doc, lua_Integer offset) {
  return offset == (lua_Integer)doc->len || ((unsigned char)doc->text[offset] & 0xC0) != 0x80;
}

/* An offset field of a span table: an integer in [0, len] on a character
 * boundary. */
static uint32_t check_offset(lua_State *L, int arg, const lector_doc *doc, const char *field) {
  lua_getfield(L, arg, field);
  int isint = 0;
  lua_Integer offset = lua_tointegerx(L, -1, &isint);
  lua_pop(L, 1);
  if (!isint)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be an integer byte offset", field));
  if (offset < 0 || offset > (lua_Integer)doc->len)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' (%I) is outside the text (0..%I)",
                                          field, offset, (lua_Integer)doc->len));
  if (!is_boundary(doc, offset))
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' (%I) is inside a character", field,
                                          offset));
  return (uint32_t)offset;
}

/* The guard on what this state's Documents hand over: set in plugin
 * states (by the sandbox), NULL in trusted ones. */
static const char RESULTS_GUARD_KEY = 'g';

void lector_guard_document_results(lua_State *L, lector_results_guard *guard) {
  lua_pushlightuserdata(L, guard);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &RESULTS_GUARD_KEY);
}

static const lector_results_guard *results_guard(lua_State *L) {
  const lector_results_guard *guard = NULL;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &RESULTS_GUARD_KEY) == LUA_TLIGHTUSERDATA)
    guard = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return guard;
}

/* Bytes this call may still hand to documents; raises when none. */
static size_t results_room(lua_State *L, const lector_results_guard *guard) {
  return guard ? guard->room(L) : SIZE_MAX;
}

/* Span attributes and values are encoded on the C stack when they fit. */
#define RESULT_BUFFER_BYTES 1024

/* The value at idx as JSON, in buf (size bytes) or pushed, encoded once:
 * within the guard's room, so that a result over it is never built.
 * [-0, +(0|1), e] */
static const char *encode_result(lua_State *L, int idx, const char *what, const char *result,
                                 const lector_results_guard *guard, size_t room, char *buf,
                                 size_t size, size_t *len) {
  size_t limit = room < LECTOR_JSON_MAX_BYTES ? room : LECTOR_JSON_MAX_BYTES;
  const char *json = lector_json_encode_into(L, idx, what, limit, buf, size, len);
  if (!json && guard && room < LECTOR_JSON_MAX_BYTES) guard->refuse(L, result, room);
  if (!json) luaL_error(L, "%s is over %I bytes as JSON", what, (lua_Integer)LECTOR_JSON_MAX_BYTES);
  return json;
}

/* doc:add(layer, {start=, stop=, label=, score=, attrs=}) -> Span */
LECTOR_FUNCTION(document, add) {
  lector_doc *doc = lector_check_document(L, 1);
  const lector_results_guard *guard = results_guard(L);
  size_t room = results_room(L, guard);
  const char *layer = check_name(L, 2, "layer");
  luaL_checktype(L, 3, LUA_TTABLE);
  uint32_t start = check_offset(L, 3, doc, "start");
  uint32_t stop = check_offset(L, 3, doc, "stop");
  if (stop < start) luaL_argerror(L, 3, "'stop' is before 'start'");
  size_t label_len = 0;
  const char *label = NULL;
  int label_type = lua_getfield(L, 3, "label");
  if (label_type != LUA_TNIL) {
    if (label_type == LUA_TSTRING) label = lua_tolstring(L, -1, &label_len);
    if (!label || label_len > LECTOR_MAX_NAME_BYTES)
      luaL_argerror(L, 3, "field 'label' must be a string of at most 256 bytes");
    check_text(L, 3, label, label_len, "field 'label'");
  }
  double score = 0;
  int has_score = lua_getfield(L, 3, "score") != LUA_TNIL;
  if (has_score) {
    if (!lua_isnumber(L, -1) || !isfinite(score = lua_tonumber(L, -1)))
      luaL_argerror(L, 3, "field 'score' must be a finite number");
  }
  const char *attrs = NULL;
  size_t attrs_len = 0;
  char buf[RESULT_BUFFER_BYTES];
  if (lua_getfield(L, 3, "attrs") != LUA_TNIL) {
    if (!lua_istable(L, -1)) luaL_argerror(L, 3, "field 'attrs' must be a table");
    attrs = encode_result(L, -1, "attrs", "span attributes handed to the document", guard, room,
                          buf, sizeof buf, &attrs_len);
    if (attrs[0] != '{') luaL_argerror(L, 3, "field 'attrs' must have string keys");
  }
  if (guard) guard->charge(L, sizeof(lector_span) + label_len + attrs_len);
  lector_status status = lector_doc_add_span(doc, layer, start, stop, label,
                                             has_score ? &score : NULL, attrs);
  if (status != LECTOR_OK) return luaL_error(L, "out of memory adding a span");
  lector_push_item(L, LECTOR_SPAN_CLASS, 1, (uint32_t)(doc->span_count - 1));
  return 1;
}

/* Iterator over items 0..count-1 of one class; upvalues: the document, the
 * class name, the next index, the count. */
static int next_item(lua_State *L) {
  lector_check_document(L, lua_upvalueindex(1));  /* still alive: not released */
  const char *class = lua_tostring(L, lua_upvalueindex(2));
  lua_Integer next = lua_tointeger(L, lua_upvalueindex(3));
  lua_Integer stop = lua_tointeger(L, lua_upvalueindex(4));
  if (next >= stop) return 0;
  lua_pushinteger(L, next + 1);
  lua_replace(L, lua_upvalueindex(3));
  lector_push_item(L, class, lua_upvalueindex(1), (uint32_t)next);
  return 1;
}

static void push_item_iterator(lua_State *L, int doc_arg, const char *class, size_t first,
                               size_t stop) {
  lua_pushvalue(L, doc_arg);
  lua_pushstring(L, class);
  lua_pushinteger(L, (lua_Integer)first);
  lua_pushinteger(L, (lua_Integer)stop);
  lua_pushcclosure(L, next_item, 4);
}

/* doc:sentences() -> iterator over Sentence */
LECTOR_FUNCTION(document, sentences) {
  lector_doc *doc = lector_check_document(L, 1);
  push_item_iterator(L, 1, LECTOR_SENTENCE_CLASS, 0, doc->seg.sentence_count);
  return 1;
}

/* doc:tokens() -> iterator over Token */
LECTOR_FUNCTION(document, tokens) {
  lector_doc *doc = lector_check_document(L, 1);
  push_item_iterator(L, 1, LECTOR_TOKEN_CLASS, 0, doc->seg.token_count);
  return 1;
}

/* doc:sentence(i), doc:token(i) -> the i-th (1-based) or nil */
static int item_at(lua_State *L, const char *class, size_t count) {
  lector_check_document(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || (size_t)i > count) return 0;
  lector_push_item(L, class, 1, (uint32_t)(i - 1));
  return 1;
}

LECTOR_FUNCTION(document, sentence) {
  return item_at(L, LECTOR_SENTENCE_CLASS, lector_check_document(L, 1)->seg.sentence_count);
}

LECTOR_FUNCTION(document, token) {
  return item_at(L, LECTOR_TOKEN_CLASS, lector_check_document(L, 1)->seg.token_count);
}

/* doc:paragraphs() -> iterator over {index=, start=, stop=, text=} */
static int next_paragraph(lua_State *L) {
  lector_doc *doc = lector_check_document(L, lua_upvalueindex(1));
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
  if ((size_t)i >= doc->seg.paragraph_count) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(2));
  const lector_paragraph *p = &doc->seg.paragraphs[i];
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, i + 1);
  lua_setfield(L, -2, "index");
  lua_pushinteger(L, p->start);
  lua_setfield(L, -2, "start");
  lua_pushinteger(L, p->stop);
  lua_setfield(L, -2, "stop");
  lector_push_slice(L, doc, p->start, p->stop);
  lua_setfield(L, -2, "text");
  lua_pushinteger(L, (lua_Integer)p->first_sentence + 1);
  lua_setfield(L, -2, "first_sentence");
  lua_pushinteger(L, p->sentence_count);
  lua_setfield(L, -2, "sentence_count");
  return 1;
}

LECTOR_FUNCTION(document, paragraphs) {
  lector_check_document(L, 1);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, next_paragraph, 2);
  return 1;
}

/* Upvalues: the document, the sorted index array (userdata), its length,
 * the next position. */
static int next_span(lua_State *L) {
  lector_check_document(L, lua_upvalueindex(1));
  const uint32_t *order = lua_touserdata(L, lua_upvalueindex(2));
  lua_Integer count = lua_tointeger(L, lua_upvalueindex(3));
  lua_Integer next = lua_tointeger(L, lua_upvalueindex(4));
  if (next >= count) return 0;
  lua_pushinteger(L, next + 1);
  lua_replace(L, lua_upvalueindex(4));
  lector_push_item(L, LECTOR_SPAN_CLASS, lua_upvalueindex(1), order[next]);
  return 1;
}

/* doc:spans([layer]) -> iterator over Span, ordered by start, then stop,
 * then the order they were added. Without a layer: every span. */
LECTOR_FUNCTION(document, spans) {
  lector_doc *doc = lector_check_document(L, 1);
  int layer = -1;
  if (!lua_isnoneornil(L, 2)) {
    const char *name = luaL_checkstring(L, 2);
    layer = -2;
    for (size_t i = 0; i < doc->layer_count; i++)
      if (strcmp(doc->layers[i], name) == 0) layer = (int)i;
  }
  lua_pushvalue(L, 1);
  uint32_t *order = lua_newuserdatauv(L, (doc->span_count ? doc->span_count : 1) * sizeof *order, 0);
  size_t count = layer == -2 ? 0 : lector_doc_span_order(doc, layer, order);
  lua_pushinteger(L, (lua_Integer)count);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, next_span, 4);
  return 1;
}

/* doc:layers() -> {name...} in the order they were first used */
LECTOR_FUNCTION(document, layers) {
  lector_doc *doc = lector_check_document(L, 1);
  lua_createtable(L, (int)doc->layer_count, 0);
  for (size_t i = 0; i < doc->layer_count; i++) {
    lua_pushstring(L, doc->layers[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* doc:set(key, value): a document-level result; value is any JSON value. */
LECTOR_FUNCTION(document, set) {
  lector_doc *doc = lector_check_document(L, 1);
  const lector_results_guard *guard = results_guard(L);
  size_t room = results_room(L, guard);
  const char *key = check_name(L, 2, "key");
  luaL_checkany(L, 3);
  if (lua_isnil(L, 3)) return luaL_argerror(L, 3, "value must not be nil");
  size_t len = 0;
  char buf[RESULT_BUFFER_BYTES];
  const char *json = encode_result(L, 3, "value", "a value handed to the document", guard, room,
                                   buf, sizeof buf, &len);
  if (guard) guard->charge(L, sizeof(lector_value) + strlen(key) + len);
  if (lector_doc_set_value(doc, key, json) != LECTOR_OK)
    return luaL_error(L, "out of memory setting a value");
  return 0;
}

/* doc:get(key) -> the value, or nil */
LECTOR_FUNCTION(document, get) {
  lector_doc *doc = lector_check_document(L, 1);
  const char *json = lector_doc_get_value(doc, luaL_checkstring(L, 2));
  if (!json) return 0;
  lector_json_decode(L, json);
  return 1;
}

/* doc:values() -> {key = value...}: every document-level value */
LECTOR_FUNCTION(document, values) {
  lector_doc *doc = lector_check_document(L, 1);
  lua_createtable(L, 0, (int)doc->value_count);
  for (size_t i = 0; i < doc->value_count; i++) {
    lector_json_decode(L, doc->values[i].json);
    lua_setfield(L, -2, doc->values[i].key);
  }
  return 1;
}

/* doc:error(message): record a problem with this document. */
LECTOR_FUNCTION(document, error) {
  lector_doc *doc = lector_check_document(L, 1);
  const lector_results_guard *guard = results_guard(L);
  results_room(L, guard);
  size_t len;
  const char *message = luaL_checklstring(L, 2, &len);
  check_text(L, 2, message, len, "message");
  if (guard) guard->charge(L, sizeof(char *) + len);
  if (lector_doc_add_error(doc, message) != LECTOR_OK)
    return luaL_error(L, "out of memory recording an error");
  return 0;
}

/* doc:json([{pretty = true}]) -> the document in lector's JSON shape, on
 * one line unless pretty */
LECTOR_FUNCTION(document, json) {
  lector_doc *doc = lector_check_document(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  int pretty = lector_opt_boolean_field(L, 2, "pretty");
  size_t len = 0;
  char *json = lector_doc_json(doc, &len);
  if (json && pretty) {
    char *indented = jsonbuf_pretty(json, len, &len);
    free(json);
    json = indented;
  }
  if (!json) return luaL_error(L, "out of memory writing JSON");
  return lector_push_owned_string(L, json, len);
}

/* doc:slice(start, stop) -> the text between two byte offsets */
LECTOR_FUNCTION(document, slice) {
  lector_doc *doc = lector_check_document(L, 1);
  lua_Integer start = luaL_checkinteger(L, 2), stop = luaL_checkinteger(L, 3);
  luaL_argcheck(L, start >= 0 && start <= (lua_Integer)doc->len, 2, "outside the text");
  luaL_argcheck(L, stop >= start && stop <= (lua_Integer)doc->len, 3, "outside the text");
  lector_push_slice(L, doc, (uint32_t)start, (uint32_t)stop);
  return 1;
}

/* doc:stats() -> {bytes=, paragraphs=, sentences=, tokens=, spans=, repairs=} */
LECTOR_FUNCTION(document, stats) {
  lector_doc *doc = lector_check_document(L, 1);
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, (lua_Integer)doc->len);
  lua_setfield(L, -2, "bytes");
  lua_pushinteger(L, (lua_Integer)doc->seg.paragraph_count);
  lua_setfield(L, -2, "paragraphs");
  lua_pushinteger(L, (lua_Integer)doc->seg.sentence_count);
  lua_setfield(L, -2, "sentences");
  lua_pushinteger(L, (lua_Integer)doc->seg.token_count);
  lua_setfield(L, -2, "tokens");
  lua_pushinteger(L, (lua_Integer)doc->span_count);
  lua_setfield(L, -2, "spans");
  lua_pushinteger(L, (lua_Integer)doc->repairs);
  lua_setfield(L, -2, "repairs");
  return 1;
}

static void push_optional(lua_State *L, const char *s) {
  if (s) lua_pushstring(L, s);
  else lua_pushnil(L);
}

/* __index: methods first (upvalue 1), then fields. */
static int document_field(lua_State *L) {
  lector_doc *doc = lector_check_document(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "id") == 0) push_optional(L, doc->id);
  else if (strcmp(key, "source") == 0) push_optional(L, doc->source);
  else if (strcmp(key, "title") == 0) push_optional(L, doc->title);
  else if (strcmp(key, "text") == 0) lua_pushlstring(L, doc->text, doc->len);
  else if (strcmp(key, "sha256") == 0) lua_pushstring(L, doc->sha256);
  else if (strcmp(key, "len") == 0) lua_pushinteger(L, (lua_Integer)doc->len);
  else if (strcmp(key, "repairs") == 0) lua_pushinteger(L, (lua_Integer)doc->repairs);
  else if (strcmp(key, "meta") == 0 && doc->meta_json) lector_json_decode(L, doc->meta_json);
  else if (strcmp(key, "errors") == 0) {
    lua_createtable(L, (int)doc->error_count, 0);
    for (size_t i = 0; i < doc->error_count; i++) {
      lua_pushstring(L, doc->errors[i]);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
  } else lua_pushnil(L);
  return 1;
}

static int document_tostring(lua_State *L) {
  lector_doc *doc = lector_check_document(L, 1);
  lua_pushfstring(L, "Document %s (%I bytes, %I sentences)", doc->id, (lua_Integer)doc->len,
                  (lua_Integer)doc->seg.sentence_count);
  return 1;
}

static int document_gc(lua_State *L) {
  document_ud *ud = luaL_checkudata(L, 1, LECTOR_DOCUMENT_CLASS);
  lector_doc_release(ud->doc);
  ud->doc = NULL;
  return 0;
}

static const luaL_Reg document_metamethods[] = {
  {"__tostring", document_tostring},
  {"__gc", document_gc},
  {NULL, NULL}
};

static const luaL_Reg document_methods[] = {
  LECTOR_ENTRY(document, add),
  LECTOR_ENTRY(document, sentences),
  LECTOR_ENTRY(document, sentence),
  LECTOR_ENTRY(document, tokens),
  LECTOR_ENTRY(document, token),
  LECTOR_ENTRY(document, paragraphs),
  LECTOR_ENTRY(document, spans),
  LECTOR_ENTRY(document, layers),
  LECTOR_ENTRY(document, set),
  LECTOR_ENTRY(document, get),
  LECTOR_ENTRY(document, values),
  LECTOR_ENTRY(document, error),
  LECTOR_ENTRY(document, json),
  LECTOR_ENTRY(document, slice),
  LECTOR_ENTRY(document, stats),
  {NULL, NULL}
};

void lector_open_document(lua_State *L) {
  lector_register_class(L, LECTOR_DOCUMENT_CLASS, document_metamethods, document_methods,
                        document_field);
}
