/*
 * Document: the Lua face of lector_doc. Reading is zero-copy: sentences,
 * tokens and spans are views, and text is sliced only when asked for.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entity_links.h"
#include "host.h"
#include "jsonbuf.h"
#include "lector_limits.h"
#include "lua_lector.h"

/*
 * A Document released while one of its C functions uses it.
 *
 * A release (lector.core.release, __close, __gc) is Lua code, and Lua code
 * can run inside a C function that holds pointers into the document: a
 * metamethod of an argument it reads, an LPeg test it calls, a finalizer
 * the collector runs at any allocation ("may collect" below). A function
 * that reads the document after such a call holds the Document first: it
 * marks the Document's hold (one small object per Document, made on first
 * use) to be closed, which counts one use until the function returns or
 * an error unwinds it. A release while the document is held only empties
 * the Document, so every later use refuses it; the memory goes when the
 * count drops to zero. A coroutine that dies of an error inside such a
 * function and is never closed keeps its use counted: the hold's __gc,
 * run once neither the Document nor any stack holds it, lets the memory
 * go then. Functions that read the document only before their first such
 * call, or look it up again after their last one, need no hold.
 */
typedef struct document_ud {
  lector_doc *doc;     /* first: a slot points at the whole; NULL once released */
  lector_doc *held;    /* released while held: freed when the last use ends */
  size_t accounted;    /* its bytes in lector_host_unseen, until freed */
  unsigned holds;      /* uses by C functions not yet ended */
} document_ud;

/* A Document's hold: its user value, and the Document is the hold's. */
typedef struct document_hold {
  document_ud *ud;
} document_hold;

lector_doc **lector_push_document(lua_State *L, lector_doc *doc) {
  document_ud *ud = lua_newuserdatauv(L, sizeof *ud, 1);
  ud->doc = doc;
  ud->held = NULL;
  ud->accounted = 0;
  ud->holds = 0;
  luaL_setmetatable(L, LECTOR_DOCUMENT_CLASS);
  return &ud->doc;
}

/* A document's C memory is invisible to Lua's collector, which only sees
 * the small userdata: without a hint, a loop over a long stream would let
 * thousands of dead documents pile up before a collection. The state keeps
 * count of that memory, and once it holds more than the slack each new
 * document pays for a collector step in proportion to its size. (A step
 * for every document made reading a corpus a fifth slower, most of it
 * spent going over the modules loaded.) */
void lector_account_document(lua_State *L, lector_doc **slot) {
  document_ud *ud = (document_ud *)slot;
  const lector_doc *doc = ud->doc;
  size_t bytes = doc->len + doc->seg.token_count * sizeof(lector_token) +
                 doc->seg.sentence_count * sizeof(lector_sentence) +
                 doc->seg.paragraph_count * sizeof(lector_paragraph);
  ud->accounted = bytes;
  if (lector_host_unseen(L, bytes, 0) <= LECTOR_UNSEEN_DOCUMENT_SLACK) return;
  lua_gc(L, LUA_GCSTEP, (int)(bytes / 1024 > INT32_MAX ? INT32_MAX : bytes / 1024));
}

/* Free doc, ud's document, and take it out of the state's count. */
static void free_document(lua_State *L, document_ud *ud, lector_doc *doc) {
  lector_host_unseen(L, 0, ud->accounted);
  ud->accounted = 0;
  lector_doc_release(doc);
}

void lector_release_document(lua_State *L, int arg) {
  document_ud *ud = luaL_checkudata(L, arg, LECTOR_DOCUMENT_CLASS);
  lector_doc *doc = ud->doc;
  ud->doc = NULL;
  if (!doc) return;
  if (ud->holds) ud->held = doc;
  else free_document(L, ud, doc);
}

lector_doc *lector_take_document(lua_State *L, int arg) {
  document_ud *ud = luaL_testudata(L, arg, LECTOR_DOCUMENT_CLASS);
  if (!ud || !ud->doc) return NULL;
  lector_host_unseen(L, 0, ud->accounted);
  ud->accounted = 0;
  lector_doc *doc = ud->doc;
  ud->doc = NULL;
  return doc;
}

void lector_drop_document(lua_State *L, lector_doc **slot) {
  document_ud *ud = (document_ud *)slot;
  lector_doc *doc = ud->doc, *held = ud->held;
  ud->doc = ud->held = NULL;
  free_document(L, ud, doc);
  lector_doc_release(held);
}

lector_doc *lector_check_document(lua_State *L, int arg) {
  document_ud *ud = luaL_checkudata(L, arg, LECTOR_DOCUMENT_CLASS);
  if (!ud->doc) luaL_argerror(L, arg, "document was released");
  return ud->doc;
}

/* The document of the Document at arg, checked before by
 * lector_check_document, once code that may collect has run: it can have
 * been released since, not become something else. */
static lector_doc *recheck_document(lua_State *L, int arg) {
  document_ud *ud = lua_touserdata(L, arg);
  if (!ud->doc) luaL_argerror(L, arg, "document was released");
  return ud->doc;
}

/* The hold at 1, or NULL for anything else; upvalue 1 is the holds'
 * metatable. */
static document_hold *to_hold(lua_State *L) {
  int is_hold = lua_getmetatable(L, 1) && lua_rawequal(L, -1, lua_upvalueindex(1));
  return is_hold ? lua_touserdata(L, 1) : NULL;
}

/* __close of a hold: one use fewer, the last of a released document's
 * frees it. */
static int end_hold(lua_State *L) {
  document_hold *hold = to_hold(L);
  document_ud *ud = hold ? hold->ud : NULL;
  if (!ud || !ud->holds || --ud->holds || !ud->held) return 0;
  lector_doc *doc = ud->held;
  ud->held = NULL;
  free_document(L, ud, doc);
  return 0;
}

/* __gc of a hold: neither its Document nor any C function's stack holds
 * it, so no use is left, whatever the count says. */
static int forget_hold(lua_State *L) {
  document_hold *hold = to_hold(L);
  document_ud *ud = hold ? hold->ud : NULL;
  if (!ud) return 0;
  ud->holds = 0;
  lector_doc *doc = ud->held;
  ud->held = NULL;
  if (doc) free_document(L, ud, doc);
  return 0;
}

/* Push the hold of the Document at idx, made on first use. Making it may
 * collect, so the document is looked at only afterwards. [-0, +1, m] */
static document_ud *push_hold(lua_State *L, int idx) {
  document_ud *ud = lua_touserdata(L, idx);
  if (lua_getiuservalue(L, idx, 1) != LUA_TNIL) return ud;
  lua_pop(L, 1);
  document_hold *hold = lua_newuserdatauv(L, sizeof *hold, 1);   /* [hold] */
  hold->ud = ud;
  luaL_setmetatable(L, LECTOR_DOCUMENT_HOLD_CLASS);
  lua_pushvalue(L, idx);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, idx, 1);
  return ud;
}

/* Count a use of ud's document, until the hold on top is closed. */
static void begin_hold(lua_State *L, document_ud *ud) {
  ud->holds++;
  lua_toclose(L, -1);
}

lector_doc *lector_hold_document(lua_State *L, int arg) {
  arg = lua_absindex(L, arg);
  document_ud *ud = luaL_checkudata(L, arg, LECTOR_DOCUMENT_CLASS);
  push_hold(L, arg);
  if (!ud->doc) luaL_argerror(L, arg, "document was released");
  begin_hold(L, ud);
  return ud->doc;
}

const lector_doc *lector_hold_sentences(lua_State *L, int arg, uint32_t *first, uint32_t *end) {
  arg = lua_absindex(L, arg);
  document_ud *ud = luaL_testudata(L, arg, LECTOR_DOCUMENT_CLASS);
  if (ud) {
    push_hold(L, arg);
  } else {
    if (!luaL_testudata(L, arg, LECTOR_SENTENCE_CLASS)) luaL_typeerror(L, arg, "Document or Sentence");
    lua_getiuservalue(L, arg, 1);               /* [Document] */
    ud = push_hold(L, lua_gettop(L));
    lua_replace(L, -2);                         /* [hold] */
  }
  const lector_doc *doc = lector_check_sentences(L, arg, first, end);
  begin_hold(L, ud);
  return doc;
}

/* Layer names and value keys become SQL values and JSON keys: keep them to
 * a plain, portable alphabet. */
static int is_plain_name(const char *name, size_t len) {
  int ok = len > 0 && len <= LECTOR_MAX_NAME_BYTES;
  for (size_t i = 0; ok && i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
  }
  return ok;
}

#define PLAIN_NAME_RULE "a letter or '_' followed by letters, digits, '_', '.' or '-'"

static const char *check_name(lua_State *L, int arg, const char *what) {
  size_t len;
  const char *name = luaL_checklstring(L, arg, &len);
  if (!is_plain_name(name, len))
    luaL_argerror(L, arg, lua_pushfstring(L, "%s must be " PLAIN_NAME_RULE " (at most %d bytes)",
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

/* Span attributes and values are encoded on the C stack when they fit;
 * a value that does not is encoded twice (the second time on the heap).
 * Document values are fewer and larger (a pass's summary of the whole
 * document), hence their larger buffer. */
#define RESULT_BUFFER_BYTES 1024
#define VALUE_BUFFER_BYTES 16384

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
  const lector_results_guard *guard = results_guard(L);
  size_t room = results_room(L, guard);
  const char *layer = check_name(L, 2, "layer");
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  lector_doc *doc = lector_hold_document(L, 1);     /* the fields are read through __index */
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

/* ---- many spans at once --------------------------------------------------- */

/* An attribute column's JSON per span: its key and one scalar. */
#define ATTR_JSON_BYTES (LECTOR_MAX_NAME_BYTES + 32)
#define ADD_MANY_BUFFER_BYTES (LECTOR_ADD_MANY_MAX_ATTRS * ATTR_JSON_BYTES + 4)
/* A string attribute's byte may take up to six as JSON (\u00XX). */
#define JSON_STRING_GROWTH 6

typedef struct attr_column {
  const char *name;
  size_t len;
  int slot;                 /* stack index of the column */
} attr_column;

/* Column `field` of the spans table at arg, pushed: a table, or nil when
 * optional and absent. */
static int push_column(lua_State *L, int arg, const char *field, int required) {
  int type = lua_getfield(L, arg, field);
  if (type == LUA_TTABLE || (type == LUA_TNIL && !required)) return type;
  return luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be a list%s", field,
                                               required ? "" : " or nil"));
}

static int compare_attr_columns(const void *a, const void *b) {
  const attr_column *x = a, *y = b;
  int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* spans.attrs = {name = column...}: each column pushed, the list sorted by
 * name, as the JSON encoder orders keys. Returns the count. */
static int push_attr_columns(lua_State *L, int arg, attr_column *cols) {
  if (push_column(L, arg, "attrs", 0) == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  int attrs = lua_gettop(L), count = 0;
  lua_pushnil(L);
  while (lua_next(L, attrs)) {
    if (count == LECTOR_ADD_MANY_MAX_ATTRS)
      luaL_argerror(L, arg, lua_pushfstring(L, "field 'attrs' has more than %d columns",
                                            LECTOR_ADD_MANY_MAX_ATTRS));
    if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
      luaL_argerror(L, arg, "field 'attrs' must map names to lists");
    cols[count].name = lua_tolstring(L, -2, &cols[count].len);
    if (!is_plain_name(cols[count].name, cols[count].len))
      luaL_argerror(L, arg, lua_pushfstring(L, "attribute names must be " PLAIN_NAME_RULE
                                            " (at most %d bytes)", LECTOR_MAX_NAME_BYTES));
    lua_pushvalue(L, -2);                        /* [..., key, column, key] */
    lua_insert(L, -2);                           /* [..., key, key, column] */
    cols[count].slot = lua_gettop(L);
    count++;
    lua_pushvalue(L, -2);                        /* the key again, for lua_next */
  }
  for (int i = 1; i < count; i++) {                /* a few columns: insertion sort */
    attr_column col = cols[i];
    int j = i;
    for (; j > 0 && compare_attr_columns(&cols[j - 1], &col) > 0; j--) cols[j] = cols[j - 1];
    cols[j] = col;
  }
  return count;
}

/* Entry i of the offsets column at `column`, checked: an integer in
 * [0, len] on a character boundary. Leaves it pushed (the caller pops a
 * span's entries at once). */
static uint32_t check_offset_at(lua_State *L, int arg, const lector_doc *doc, int column,
                                const char *field, lua_Integer i) {
  int isint = 0;
  lua_rawgeti(L, column, i);
  lua_Integer offset = lua_tointegerx(L, -1, &isint);
  if (!isint || offset < 0 || offset > (lua_Integer)doc->len || !is_boundary(doc, offset))
    luaL_argerror(L, arg, lua_pushfstring(L, "%s[%I] must be a byte offset in the text (0..%I) "
                                          "on a character boundary", field, i,
                                          (lua_Integer)doc->len));
  return (uint32_t)offset;
}

/* A span of add_many, read and checked before any is added. */
typedef struct span_entry {
  uint32_t start, stop;
  const char *label;         /* NULL for none; the label column holds the string */
  size_t label_len;
  double score;
  int has_score;
  const char *attrs;         /* its attributes' JSON, made as they were read; NULL for none */
  size_t attrs_len;
  int attrs_later;           /* a string among them: made when it is added */
} span_entry;

/* The columns of add_many: start, stop, label and score at base..base+3
 * (label and score nil when absent), then the attributes, by name. Spans'
 * attributes of numbers and booleans are made into area as they are
 * read, slot bytes each (NULL: none is). */
typedef struct span_columns {
  int base;
  int has_label, has_score;
  const attr_column *attrs;
  int nattrs;
  char *area;
  size_t slot;
} span_columns;

/* The most bytes a span's attributes of numbers and booleans take as JSON,
 * with the room a number's copy wants (jsonbuf_short). */
static size_t attrs_slot(const attr_column *cols, int ncols) {
  size_t slot = 4;
  for (int k = 0; k < ncols; k++) slot += cols[k].len + 4 + JSONBUF_SHORT_BYTES;
  return slot;
}

/* Span i's label, checked, into span. *checked_label is the label checked
 * last: the same string again (most spans share a few) is not read again;
 * the column keeps it alive, so its address names it. [-0, +1, v] */
static void read_label_at(lua_State *L, int arg, const span_columns *c, lua_Integer i,
                          const char **checked_label, span_entry *span) {
  size_t len = 0;
  int type = lua_rawgeti(L, c->base + 2, i);
  const char *label = type == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
  if (type != LUA_TNIL && (!label || len > LECTOR_MAX_NAME_BYTES))
    luaL_argerror(L, arg, lua_pushfstring(L, "label[%I] must be a string of at most %d bytes",
                                          i, LECTOR_MAX_NAME_BYTES));
  if (label && label != *checked_label) {
    check_text(L, arg, label, len, "a label");
    *checked_label = label;
  }
  span->label = label;
  span->label_len = len;
}

/* Span i's attributes checked, left pushed, their types in types;
 * returns the most bytes they can take as JSON: every string byte escaped
 * (\u00XX) in the worst case. [-0, +nattrs, v] */
static size_t check_attrs_at(lua_State *L, int arg, const span_columns *c, lua_Integer i,
                             int *types) {
  size_t strings = 0, bound = 4;
  for (int k = 0; k < c->nattrs; k++) {
    const attr_column *col = &c->attrs[k];
    int type = types[k] = lua_rawgeti(L, col->slot, i);
    size_t len = 0;
    if (type == LUA_TSTRING) {
      const char *s = lua_tolstring(L, -1, &len);
      size_t bad = lector_utf8_check(s, len);
      if (bad != len)
        luaL_argerror(L, arg, lua_pushfstring(L, "attrs.%s[%I] is not valid UTF-8 (at byte %I)",
                                              col->name, i, (lua_Integer)bad));
      strings += len;
    } else if (type != LUA_TNIL && type != LUA_TBOOLEAN &&
               (type != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))) {
      luaL_argerror(L, arg, lua_pushfstring(L, "attrs.%s[%I] must be a string, a finite number, "
                                            "a boolean or nil", col->name, i));
    }
    bound += ATTR_JSON_BYTES + JSON_STRING_GROWTH * len;
  }
  if (strings > LECTOR_JSON_MAX_BYTES / JSON_STRING_GROWTH)
    luaL_argerror(L, arg, lua_pushfstring(L, "the string attrs of span %I are over %I bytes", i,
                                          (lua_Integer)(LECTOR_JSON_MAX_BYTES /
                                                        JSON_STRING_GROWTH)));
  return bound;
}

/* The attributes at first.. (of types), as the JSON doc:add would store
 * for a table of the same values, in buf (room for their bound); NULL
 * when every one is nil. Makes no Lua object. */
static const char *encode_attrs(lua_State *L, const span_columns *c, int first, const int *types,
                                char *buf, size_t size, size_t *len) {
  jsonbuf b = {.data = buf, .cap = size, .limit = size - 1};
  int written = 0;
  for (int k = 0; k < c->nattrs; k++) {
    const attr_column *col = &c->attrs[k];
    int idx = first + k, type = types[k];
    if (type == LUA_TNIL) continue;
    jsonbuf_bytes(&b, written++ ? ",\"" : "{\"", 2);
    jsonbuf_bytes(&b, col->name, col->len);
    jsonbuf_bytes(&b, "\":", 2);
    if (type == LUA_TSTRING) {
      size_t n;
      const char *str = lua_tolstring(L, idx, &n);
      jsonbuf_string(&b, str, n);
    } else if (type == LUA_TBOOLEAN) jsonbuf_raw(&b, lua_toboolean(L, idx) ? "true" : "false");
    else if (lua_isinteger(L, idx)) jsonbuf_int(&b, lua_tointeger(L, idx));
    else jsonbuf_double(&b, lua_tonumber(L, idx));
  }
  if (!written) return NULL;
  jsonbuf_bytes(&b, "}", 1);
  buf[b.len] = '\0';
  *len = b.len;
  return buf;
}

/* Span i's attributes read again and encoded in buf, as encode_attrs. */
static const char *attrs_at(lua_State *L, const span_columns *c, lua_Integer i, char *buf,
                            size_t size, size_t *len) {
  int top = lua_gettop(L), types[LECTOR_ADD_MANY_MAX_ATTRS];
  for (int k = 0; k < c->nattrs; k++) types[k] = lua_rawgeti(L, c->attrs[k].slot, i);
  const char *json = encode_attrs(L, c, top + 1, types, buf, size, len);
  lua_settop(L, top);
  return json;
}

/* Every entry of span i, checked, into span, its attributes made unless
 * one is a string; returns the most bytes they can take as JSON when made
 * as the span is added (0 when made already). [-0, +0, v] */
static size_t read_span_at(lua_State *L, int arg, const lector_doc *doc, const span_columns *c,
                           lua_Integer i, const char **checked_label, span_entry *span) {
  int top = lua_gettop(L);
  span->start = check_offset_at(L, arg, doc, c->base, "start", i);
  span->stop = check_offset_at(L, arg, doc, c->base + 1, "stop", i);
  if (span->stop < span->start)
    luaL_argerror(L, arg, lua_pushfstring(L, "stop[%I] is before start[%I]", i, i));
  span->label = NULL;
  span->label_len = 0;
  if (c->has_label) read_label_at(L, arg, c, i, checked_label, span);
  span->has_score = 0;
  if (c->has_score) {
    int type = lua_rawgeti(L, c->base + 3, i);
    span->score = lua_tonumber(L, -1);
    if (type != LUA_TNIL && (type != LUA_TNUMBER || !isfinite(span->score)))
      luaL_argerror(L, arg, lua_pushfstring(L, "score[%I] must be a finite number or nil", i));
    span->has_score = type != LUA_TNIL;
  }
  int types[LECTOR_ADD_MANY_MAX_ATTRS], strings = 0;
  size_t bound = check_attrs_at(L, arg, c, i, types);
  for (int k = 0; k < c->nattrs; k++) strings |= types[k] == LUA_TSTRING;
  span->attrs = NULL;
  span->attrs_len = 0;
  span->attrs_later = c->nattrs && (strings || !c->area);
  if (c->nattrs && !span->attrs_later)
    span->attrs = encode_attrs(L, c, lua_gettop(L) - c->nattrs + 1, types,
                               c->area + (size_t)(i - 1) * c->slot, c->slot, &span->attrs_len);
  lua_settop(L, top);
  return span->attrs_later ? bound : 0;
}

/* Add spans first..last of those read (spans[i - 1] is span i), each
 * with its attributes encoded in buf (size bytes, room for the largest).
 * Makes no Lua object: the labels the spans point to stay where they
 * were read. */
static void add_spans(lua_State *L, lector_doc *doc, const char *layer, const span_columns *c,
                      const span_entry *spans, lua_Integer first, lua_Integer last, char *buf,
                      size_t size, const lector_results_guard *guard) {
  int layer_index = -1;    /* the layer is made with its first span, as doc:add does */
  for (lua_Integer i = first; i <= last; i++) {
    const span_entry *span = &spans[i - 1];
    size_t attrs_len = span->attrs_len;
    const char *attrs = span->attrs_later ? attrs_at(L, c, i, buf, size, &attrs_len) : span->attrs;
    if (guard) guard->charge(L, sizeof(lector_span) + span->label_len + attrs_len);
    if (layer_index < 0 && (layer_index = lector_doc_layer(doc, layer)) < 0)
      luaL_error(L, "out of memory adding a span");
    if (lector_doc_add_span_in(doc, layer_index, span->start, span->stop, span->label,
                               span->label_len, span->has_score ? &span->score : NULL, attrs,
                               attrs_len) != LECTOR_OK)
      luaL_error(L, "out of memory adding a span");
  }
}

/* Spans read at once are kept on the C stack up to this many; more, in a
 * userdata made before the first is read. */
#define ADD_MANY_STACK_SPANS 64
/* Spans' attributes made as they are read take up to this much of the C
 * stack, and up to ADD_MANY_MAX_AREA_BYTES in all; past it, each span's
 * are made as it is added. */
#define ADD_MANY_STACK_AREA_BYTES 4096
#define ADD_MANY_MAX_AREA_BYTES ((size_t)16 << 20)

/* Where add_many keeps the n spans it reads, and c's area their
 * attributes: on the C stack (stack_spans, stack_area) when they fit,
 * else in a userdata made now, before any is read (making it may
 * collect). NULL when n is past the length of the start column: reading
 * then raises on an entry that is missing, before any is kept. */
static span_entry *span_room(lua_State *L, span_columns *c, lua_Integer n,
                             span_entry *stack_spans, char *stack_area) {
  c->slot = attrs_slot(c->attrs, c->nattrs);
  c->area = NULL;
  if (n > (lua_Integer)lua_rawlen(L, c->base)) return NULL;
  size_t area = c->nattrs && (size_t)n <= ADD_MANY_MAX_AREA_BYTES / c->slot ? (size_t)n * c->slot : 0;
  if (n <= ADD_MANY_STACK_SPANS && area <= ADD_MANY_STACK_AREA_BYTES) {
    c->area = area ? stack_area : NULL;
    return stack_spans;
  }
  if ((size_t)n > (SIZE_MAX - area) / sizeof *stack_spans) luaL_argerror(L, 3, "too many spans");
  span_entry *spans = lua_newuserdatauv(L, (size_t)n * sizeof *spans + area, 0);
  c->area = area ? (char *)(spans + n) : NULL;
  return spans;
}

/* doc:add_many(layer, {start = {...}, stop = {...}, label = {...}, score = {...},
 * attrs = {name = {...}...}, n = count}) -> count: spans given as columns,
 * all read and checked before the first is added. */
LECTOR_FUNCTION(document, add_many) {
  const lector_results_guard *guard = results_guard(L);
  results_room(L, guard);
  const char *layer = check_name(L, 2, "layer");
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checkstack(L, 3 * LECTOR_ADD_MANY_MAX_ATTRS + 24, "adding spans");
  lua_settop(L, 3);
  lector_doc *doc = lector_hold_document(L, 1);     /* 4; the columns are read through __index */
  span_columns c = {.base = 5};
  push_column(L, 3, "start", 1);
  push_column(L, 3, "stop", 1);
  c.has_label = push_column(L, 3, "label", 0) != LUA_TNIL;
  c.has_score = push_column(L, 3, "score", 0) != LUA_TNIL;
  attr_column cols[LECTOR_ADD_MANY_MAX_ATTRS];
  c.nattrs = push_attr_columns(L, 3, cols);
  c.attrs = cols;
  lua_Integer n = (lua_Integer)lua_rawlen(L, c.base);
  if (lua_getfield(L, 3, "n") != LUA_TNIL) {
    int isint = 0;
    n = lua_tointegerx(L, -1, &isint);
    if (!isint || n < 0) luaL_argerror(L, 3, "field 'n' must be a count (an integer >= 0)");
  }
  lua_pop(L, 1);
  span_entry stack_spans[ADD_MANY_STACK_SPANS], missing;
  char stack_area[ADD_MANY_STACK_AREA_BYTES];
  span_entry *spans = span_room(L, &c, n, stack_spans, stack_area);
  const char *checked_label = NULL;
  size_t bound = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    size_t b = read_span_at(L, 3, doc, &c, i, &checked_label, spans ? &spans[i - 1] : &missing);
    if (b > bound) bound = b;
  }
  if (!spans) return luaL_argerror(L, 3, "field 'start' changed while it was read");
  char stack_buf[ADD_MANY_BUFFER_BYTES];
  if (bound <= sizeof stack_buf) {
    add_spans(L, doc, layer, &c, spans, 1, n, stack_buf, sizeof stack_buf, guard);
  } else {
    /* Long strings: a buffer made now may collect, and the labels read
     * must not be let go of before they are added. Read them again. */
    char *buf = lua_newuserdatauv(L, bound, 0);
    for (lua_Integer i = 1; i <= n; i++) {
      int top = lua_gettop(L);
      if (c.has_label) read_label_at(L, 3, &c, i, &checked_label, &spans[i - 1]);
      add_spans(L, doc, layer, &c, spans, i, i, buf, bound, guard);
      lua_settop(L, top);
    }
  }
  lua_pushinteger(L, n);
  return 1;
}

/* ---- entities ---------------------------------------------------------------- */

static int same_name(const char *name, size_t len, const char *literal) {
  return len == strlen(literal) && memcmp(name, literal, len) == 0;
}

/* Attribute names add_entities gives each span itself. */
static int is_entity_attr(const char *name, size_t len) {
  return same_name(name, len, "canonical") || same_name(name, len, "id") ||
         same_name(name, len, "mentions");
}

/* A mention of add_entities, read and checked before any span is added.
 * Its strings (in the lector_mention beside it) point into its table,
 * which the mentions list keeps. */
typedef struct mention_entry {
  uint32_t start, stop;
  int attrs;                 /* has an attrs table */
  size_t attrs_bound;        /* the most bytes its own attrs take as JSON */
} mention_entry;

/* Field `field` of the table at idx, read raw (no metamethod runs while
 * the strings are read). [-0, +1, m] */
static int raw_field(lua_State *L, int idx, const char *field) {
  lua_pushstring(L, field);
  return lua_rawget(L, idx);
}

/* A mention's fields, their names pushed once per call at keys + field:
 * a name pushed again is a copy, not a look-up among the state's strings. */
enum { MF_START, MF_STOP, MF_LABEL, MF_KEY, MF_CANONICAL, MF_TEXT, MF_ATTRS, MF_COUNT };
static const char *const MENTION_FIELDS[MF_COUNT] = {"start", "stop", "label", "key",
                                                     "canonical", "text", "attrs"};

static int push_mention_keys(lua_State *L) {
  for (int f = 0; f < MF_COUNT; f++) lua_pushstring(L, MENTION_FIELDS[f]);
  return lua_gettop(L) - MF_COUNT + 1;
}

/* Field f of the mention table at idx, read raw. [-0, +1, -] */
static int mention_field(lua_State *L, int idx, int keys, int f) {
  lua_pushvalue(L, keys + f);
  return lua_rawget(L, idx);
}

/* A string field of mention i (the table at idx) or, unless required,
 * nil (NULL); text: one that reaches JSON, so UTF-8 without NUL. A key is
 * only compared. [-0, +1, v] */
static const char *mention_string(lua_State *L, int idx, int keys, lua_Integer i, int f,
                                  int required, int text, size_t max, size_t *len) {
  const char *field = MENTION_FIELDS[f];
  int type = mention_field(L, idx, keys, f);
  *len = 0;
  if (type == LUA_TNIL && !required) return NULL;
  const char *s = type == LUA_TSTRING ? lua_tolstring(L, -1, len) : NULL;
  if (!s || *len > max)
    luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].%s must be a string%s", i, field,
                                        max < SIZE_MAX ? " of at most 256 bytes" : ""));
  if (!text) return s;
  if (strlen(s) != *len || lector_utf8_check(s, *len) != *len)
    luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].%s is not valid UTF-8 without NUL "
                                        "bytes", i, field));
  return s;
}

static uint32_t mention_offset(lua_State *L, int idx, int keys, const lector_doc *doc,
                               lua_Integer i, int f) {
  const char *field = MENTION_FIELDS[f];
  int isint = 0;
  mention_field(L, idx, keys, f);
  lua_Integer offset = lua_tointegerx(L, -1, &isint);
  lua_pop(L, 1);
  if (!isint || offset < 0 || offset > (lua_Integer)doc->len || !is_boundary(doc, offset))
    luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].%s must be a byte offset in the text "
                                        "(0..%I) on a character boundary", i, field,
                                        (lua_Integer)doc->len));
  return (uint32_t)offset;
}

/* The attrs table at idx, checked: plain names other than add_entities'
 * own, scalar values. Returns the most bytes they take as JSON. */
static size_t check_mention_attrs(lua_State *L, int idx, lua_Integer i) {
  int count = 0;
  size_t bound = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t len = 0, vlen = 0;
    const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &len) : NULL;
    if (!name || !is_plain_name(name, len) || is_entity_attr(name, len))
      luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].attrs: names must be " PLAIN_NAME_RULE
                                          ", other than canonical, id and mentions", i));
    int type = lua_type(L, -1);
    if (type == LUA_TSTRING) {
      const char *v = lua_tolstring(L, -1, &vlen);
      if (lector_utf8_check(v, vlen) != vlen)
        luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].attrs.%s is not valid UTF-8", i,
                                            name));
    } else if (type != LUA_TBOOLEAN && (type != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))) {
      luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].attrs.%s must be a string, a finite "
                                          "number or a boolean", i, name));
    }
    if (++count > LECTOR_ADD_MANY_MAX_ATTRS - 3)
      luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].attrs has more than %d names", i,
                                          LECTOR_ADD_MANY_MAX_ATTRS - 3));
    if (vlen > LECTOR_JSON_MAX_BYTES / JSON_STRING_GROWTH)
      luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].attrs.%s is over %I bytes", i, name,
                                          (lua_Integer)(LECTOR_JSON_MAX_BYTES /
                                                        JSON_STRING_GROWTH)));
    bound += ATTR_JSON_BYTES + JSON_STRING_GROWTH * vlen;
    lua_pop(L, 1);
  }
  return bound;
}

/* Mention i (the table at idx), checked, into m and entry. [-0, +0, v] */
static void read_mention(lua_State *L, int idx, int keys, const lector_doc *doc, lua_Integer i,
                         lector_mention *m, mention_entry *entry) {
  if (!lua_istable(L, idx))
    luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I] must be a table", i));
  int top = lua_gettop(L);
  entry->start = mention_offset(L, idx, keys, doc, i, MF_START);
  entry->stop = mention_offset(L, idx, keys, doc, i, MF_STOP);
  if (entry->stop < entry->start)
    luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].stop is before its start", i));
  m->label = mention_string(L, idx, keys, i, MF_LABEL, 1, 1, LECTOR_MAX_NAME_BYTES, &m->label_len);
  m->key = mention_string(L, idx, keys, i, MF_KEY, 0, 0, SIZE_MAX, &m->key_len);
  m->name = mention_string(L, idx, keys, i, MF_CANONICAL, 0, 1, SIZE_MAX, &m->name_len);
  m->surface = mention_string(L, idx, keys, i, MF_TEXT, 0, 1, SIZE_MAX, &m->surface_len);
  if (!m->surface) {
    m->surface = doc->text + entry->start;
    m->surface_len = entry->stop - entry->start;
  }
  int type = mention_field(L, idx, keys, MF_ATTRS);
  if (type != LUA_TNIL && type != LUA_TTABLE)
    luaL_argerror(L, 2, lua_pushfstring(L, "mentions[%I].attrs must be a table or nil", i));
  entry->attrs = type == LUA_TTABLE;
  entry->attrs_bound = entry->attrs ? check_mention_attrs(L, lua_gettop(L), i) : 0;
  lua_settop(L, top);
}

/* Every mention of the list at 2, read and checked. */
static void read_mentions(lua_State *L, int keys, const lector_doc *doc, lector_mention *mentions,
                          mention_entry *entries, size_t n) {
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    read_mention(L, lua_gettop(L), keys, doc, (lua_Integer)i + 1, &mentions[i], &entries[i]);
    lua_pop(L, 1);
  }
}

/* JSON past LECTOR_JSON_MAX_BYTES is refused: no buffer needs more room
 * than this, and sums stop growing here instead of wrapping. */
#define ENTITY_JSON_CAP (LECTOR_JSON_MAX_BYTES + 1)

static size_t grow_bound(size_t bound, size_t n) {
  return n >= ENTITY_JSON_CAP - bound ? ENTITY_JSON_CAP : bound + n;
}

/* The JSON of a string of len bytes: every byte escaped at worst. */
static size_t string_bound(size_t len) {
  return len >= ENTITY_JSON_CAP / JSON_STRING_GROWTH ? ENTITY_JSON_CAP : JSON_STRING_GROWTH * len;
}

/* The most bytes a span's attributes (its mention's own and canonical,
 * id, mentions, with the longest name any entity may take) and the
 * entities' value take as JSON, at most ENTITY_JSON_CAP. */
static void entity_bounds(const lector_mention *mentions, const mention_entry *entries, size_t n,
                          size_t *span_bound, size_t *value_bound) {
  size_t longest_name = 0, own = 0, value = 8;
  for (size_t i = 0; i < n; i++) {
    const lector_mention *m = &mentions[i];
    size_t name_len = m->name ? m->name_len : m->surface_len;
    if (name_len > longest_name) longest_name = name_len;
    if (entries[i].attrs_bound > own) own = entries[i].attrs_bound;
    /* as a new entity (id, label, count, name) and as an alias */
    value = grow_bound(value, 128);
    value = grow_bound(value, string_bound(m->label_len));
    value = grow_bound(value, string_bound(name_len));
    value = grow_bound(value, string_bound(m->surface_len));
  }
  size_t span = grow_bound(8 + 3 * ATTR_JSON_BYTES, own < ENTITY_JSON_CAP ? own : ENTITY_JSON_CAP);
  *span_bound = grow_bound(span, string_bound(longest_name));
  *value_bound = value;
}

/* A buffer of add_entities ran out of room: the JSON is over the most
 * lector takes, or the mentions changed after they were measured. */
static int entity_json_failed(lua_State *L, size_t size) {
  if (size >= ENTITY_JSON_CAP)
    return luaL_error(L, "the entities' JSON is over %I bytes", (lua_Integer)LECTOR_JSON_MAX_BYTES);
  return luaL_error(L, "mentions changed while they were added");
}

typedef struct entity_attr {
  const char *name;
  size_t len;
  int slot;                  /* its value's stack index; 0: one of add_entities' own */
} entity_attr;

static int compare_entity_attrs(const void *a, const void *b) {
  const entity_attr *x = a, *y = b;
  int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void write_attr_value(lua_State *L, int slot, jsonbuf *b) {
  int type = lua_type(L, slot);
  if (type == LUA_TSTRING) {
    size_t len;
    const char *str = lua_tolstring(L, slot, &len);
    jsonbuf_string(b, str, len);
  } else if (type == LUA_TBOOLEAN) {
    jsonbuf_raw(b, lua_toboolean(L, slot) ? "true" : "false");
  } else if (lua_isinteger(L, slot)) {
    jsonbuf_int(b, lua_tointeger(L, slot));
  } else {
    jsonbuf_double(b, lua_tonumber(L, slot));
  }
}

/* One of add_entities' own attributes of entity e. */
static void write_own_attr(const entity_attr *a, const lector_entity_links *links,
                           const lector_mention *mentions, uint32_t e, jsonbuf *b) {
  if (a->name[0] == 'c') {
    const char *name;
    size_t len;
    lector_entity_name(links, mentions, e, &name, &len);
    jsonbuf_string(b, name, len);
  } else if (a->name[0] == 'i') {
    char id[LECTOR_ENTITY_ID_BYTES];
    size_t len = lector_entity_id(e, id);
    jsonbuf_bytes(b, "\"", 1);
    jsonbuf_bytes(b, id, len);
    jsonbuf_bytes(b, "\"", 1);
  } else {
    jsonbuf_int(b, links->mentions[e]);
  }
}

/* A span's attributes: its mention's (the attrs table at `attrs`, or none
 * when 0) with canonical, id and mentions, keys sorted as the JSON writer
 * sorts an object's. */
static void write_entity_attrs(lua_State *L, int attrs, const lector_entity_links *links,
                               const lector_mention *mentions, uint32_t e, jsonbuf *b) {
  entity_attr list[LECTOR_ADD_MANY_MAX_ATTRS] = {
    {"canonical", 9, 0}, {"id", 2, 0}, {"mentions", 8, 0}};
  int count = 3;
  if (attrs) {
    lua_pushnil(L);
    while (lua_next(L, attrs) && count < LECTOR_ADD_MANY_MAX_ATTRS) {
      list[count].name = lua_tolstring(L, -2, &list[count].len);   /* checked when read */
      list[count].slot = lua_gettop(L);
      count++;
      lua_pushvalue(L, -2);                    /* the key again, for lua_next */
    }
    qsort(list, (size_t)count, sizeof *list, compare_entity_attrs);
  }
  for (int k = 0; k < count; k++) {
    const entity_attr *a = &list[k];
    jsonbuf_bytes(b, k ? ",\"" : "{\"", 2);
    jsonbuf_bytes(b, a->name, a->len);
    jsonbuf_bytes(b, "\":", 2);
    if (a->slot) write_attr_value(L, a->slot, b);
    else write_own_attr(a, links, mentions, e, b);
  }
  jsonbuf_bytes(b, "}", 1);
}

/* The labels opts.unlisted names: entities of these are spans only. */
#define UNLISTED_MAX 64
typedef struct unlisted_labels {
  const char *label[UNLISTED_MAX];
  size_t len[UNLISTED_MAX];
  int count;
} unlisted_labels;

static int is_listed(void *ud, const char *label, size_t len) {
  const unlisted_labels *u = ud;
  for (int k = 0; k < u->count; k++)
    if (u->len[k] == len && memcmp(u->label[k], label, len) == 0) return 0;
  return 1;
}

/* A name field of opts (at 3), or fallback when nil. The string stays
 * pushed: a finalizer run by an allocation may take it out of opts.
 * [-0, +(0|1), v] */
static const char *opts_name(lua_State *L, const char *field, const char *fallback) {
  int type = raw_field(L, 3, field);
  size_t len = 0;
  const char *name = type == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return fallback;
  }
  if (!name || !is_plain_name(name, len))
    luaL_argerror(L, 3, lua_pushfstring(L, "field '%s' must be " PLAIN_NAME_RULE, field));
  return name;
}

/* opts (at 3): layer, value and unlisted, checked; the strings are left
 * pushed, so that they live as long as the call. [-0, +k, v] */
static void read_entity_opts(lua_State *L, const char **layer, const char **key,
                             unlisted_labels *unlisted) {
  *layer = "entity";
  *key = "entities";
  unlisted->count = 0;
  if (lua_isnil(L, 3)) return;
  *layer = opts_name(L, "layer", *layer);
  *key = opts_name(L, "value", *key);
  int type = raw_field(L, 3, "unlisted");
  if (type != LUA_TNIL && type != LUA_TTABLE)
    luaL_argerror(L, 3, "field 'unlisted' must be a list of labels");
  lua_Integer n = type == LUA_TTABLE ? (lua_Integer)lua_rawlen(L, -1) : 0;
  if (n > UNLISTED_MAX)
    luaL_argerror(L, 3, lua_pushfstring(L, "field 'unlisted' has more than %d labels",
                                        UNLISTED_MAX));
  int list = lua_gettop(L);
  for (lua_Integer k = 1; k <= n; k++) {
    if (lua_rawgeti(L, list, k) != LUA_TSTRING)
      luaL_argerror(L, 3, "field 'unlisted' must be a list of labels");
    unlisted->label[unlisted->count] = lua_tolstring(L, -1, &unlisted->len[unlisted->count]);
    unlisted->count++;
  }
  lua_remove(L, list);
}

/* Add a span for each mention in layer, its attributes written in buf
 * (size bytes). */
static void add_entity_spans(lua_State *L, int keys, lector_doc *doc, const char *layer,
                             const lector_entity_links *links, const lector_mention *mentions,
                             const mention_entry *entries, const lector_results_guard *guard,
                             char *buf, size_t size) {
  int layer_index = -1;          /* the layer is made with its first span, as doc:add does */
  for (size_t i = 0; i < links->n; i++) {
    int top = lua_gettop(L), attrs = 0;
    if (entries[i].attrs) {
      lua_rawgeti(L, 2, (lua_Integer)i + 1);
      mention_field(L, top + 1, keys, MF_ATTRS);
      attrs = top + 2;
    }
    jsonbuf b = {.data = buf, .cap = size, .limit = size - 1};
    write_entity_attrs(L, attrs, links, mentions, links->entity_of[i], &b);
    lua_settop(L, top);
    if (b.failed) entity_json_failed(L, size);
    buf[b.len] = '\0';
    const lector_mention *m = &mentions[i];
    if (guard) guard->charge(L, sizeof(lector_span) + m->label_len + b.len);
    if (layer_index < 0 && (layer_index = lector_doc_layer(doc, layer)) < 0)
      luaL_error(L, "out of memory adding a span");
    if (lector_doc_add_span_in(doc, layer_index, entries[i].start, entries[i].stop, m->label,
                               m->label_len, NULL, buf, b.len) != LECTOR_OK)
      luaL_error(L, "out of memory adding a span");
  }
}

/* The entities' value, written in buf (size bytes) and set under key. */
static void set_entities_value(lua_State *L, lector_doc *doc, const char *key,
                               const lector_entity_links *links, const lector_mention *mentions,
                               unlisted_labels *unlisted, const lector_results_guard *guard,
                               size_t room, char *buf, size_t size) {
  jsonbuf b = {.data = buf, .cap = size, .limit = size - 1};
  lector_entity_links_json(links, mentions, is_listed, unlisted, &b);
  if (b.failed) entity_json_failed(L, size);
  buf[b.len] = '\0';
  if (b.len > LECTOR_JSON_MAX_BYTES)
    luaL_error(L, "value is over %I bytes as JSON", (lua_Integer)LECTOR_JSON_MAX_BYTES);
  if (guard && b.len > room) guard->refuse(L, "a value handed to the document", room);
  if (guard) guard->charge(L, sizeof(lector_value) + strlen(key) + b.len);
  if (lector_doc_set_value(doc, key, buf) != LECTOR_OK)
    luaL_error(L, "out of memory setting a value");
}

/* The C stack's room for add_entities' JSON; more is made as a userdata. */
#define ENTITY_BUFFER_BYTES 16384

/* doc:add_entities(mentions [, opts]) -> count: mentions linked into
 * entities by key, a span each in opts.layer ("entity") and the entities
 * listed under opts.value ("entities"). Every mention is checked before
 * the first span is added. */
LECTOR_FUNCTION(document, add_entities) {
  const lector_results_guard *guard = results_guard(L);
  size_t room = results_room(L, guard);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checkstack(L, 3 * LECTOR_ADD_MANY_MAX_ATTRS + UNLISTED_MAX + 32, "adding entities");
  lua_settop(L, 3);
  lector_doc *doc = lector_hold_document(L, 1);     /* 4: the memory made below may collect */
  const char *layer, *key;
  unlisted_labels unlisted;
  read_entity_opts(L, &layer, &key, &unlisted);
  size_t n = lua_rawlen(L, 2);
  size_t links_bytes = lector_entity_links_bytes(n);
  size_t per_mention = sizeof(lector_mention) + sizeof(mention_entry);
  if (!links_bytes || n > (SIZE_MAX / 2 - links_bytes) / per_mention)
    return luaL_argerror(L, 2, "too many mentions");
  lector_mention *mentions = lua_newuserdatauv(L, n * per_mention + links_bytes, 0);
  mention_entry *entries = (mention_entry *)(mentions + n);
  void *links_memory = entries + n;
  int keys = push_mention_keys(L);
  read_mentions(L, keys, doc, mentions, entries, n);
  size_t span_bound, value_bound;
  entity_bounds(mentions, entries, n, &span_bound, &value_bound);
  char stack_buf[ENTITY_BUFFER_BYTES];
  char *span_buf = stack_buf, *value_buf = stack_buf;
  size_t span_size = sizeof stack_buf, value_size = sizeof stack_buf;
  if (span_bound > sizeof stack_buf || value_bound > sizeof stack_buf) {
    /* Making the buffers may collect and so run Lua code that changes the
     * mentions: read them again once nothing more is made. */
    span_size = span_bound + 1;
    value_size = value_bound + 1;
    span_buf = lua_newuserdatauv(L, span_size + value_size, 0);
    value_buf = span_buf + span_size;
    read_mentions(L, keys, doc, mentions, entries, n);
  }
  lector_entity_links links;
  lector_entity_links_init(&links, mentions, n, links_memory);
  add_entity_spans(L, keys, doc, layer, &links, mentions, entries, guard, span_buf, span_size);
  set_entities_value(L, doc, key, &links, mentions, &unlisted, guard, room, value_buf, value_size);
  lua_pushinteger(L, (lua_Integer)links.count);
  return 1;
}

/* ---- columns of tokens, sentences and spans -------------------------------- */

enum { COL_INDEX, COL_START, COL_STOP, COL_TEXT, COL_KIND, COL_SHAPE, COL_FOLDED, COL_SENTENCE,
       COL_PARAGRAPH, COL_FIRST_TOKEN, COL_LAST_TOKEN, COL_TOKENS, COL_LABEL, COL_SCORE,
       COL_COUNT };
typedef struct column_name {
  const char *s;
  size_t len;
} column_name;
#define COLUMN_NAME(s) {s, sizeof s - 1}
static const column_name COL_NAMES[] = {
  COLUMN_NAME("index"), COLUMN_NAME("start"), COLUMN_NAME("stop"), COLUMN_NAME("text"),
  COLUMN_NAME("kind"), COLUMN_NAME("shape"), COLUMN_NAME("folded"), COLUMN_NAME("sentence"),
  COLUMN_NAME("paragraph"), COLUMN_NAME("first_token"), COLUMN_NAME("last_token"),
  COLUMN_NAME("tokens"), COLUMN_NAME("label"), COLUMN_NAME("score")};
#define COLUMN_BIT(f) (1u << (f))
#define COLUMN_BITS_UPTO(f) ((1u << ((f) + 1)) - 1)
#define TOKEN_COLUMNS COLUMN_BITS_UPTO(COL_SENTENCE)
#define SENTENCE_COLUMNS                                                                  \
  (COLUMN_BIT(COL_INDEX) | COLUMN_BIT(COL_START) | COLUMN_BIT(COL_STOP) |                 \
   COLUMN_BIT(COL_TEXT) | COLUMN_BIT(COL_PARAGRAPH) | COLUMN_BIT(COL_FIRST_TOKEN) |       \
   COLUMN_BIT(COL_LAST_TOKEN) | COLUMN_BIT(COL_TOKENS))
#define SPAN_COLUMNS                                                                      \
  (COLUMN_BIT(COL_START) | COLUMN_BIT(COL_STOP) | COLUMN_BIT(COL_TEXT) |                  \
   COLUMN_BIT(COL_LABEL) | COLUMN_BIT(COL_SCORE) | COLUMN_BIT(COL_FIRST_TOKEN) |          \
   COLUMN_BIT(COL_LAST_TOKEN))
#define SHAPE_BYTES 128

/* The list of field names at arg as a bit set of the allowed ones. With
 * name_at, each name asked for stays pushed (its first time), at
 * name_at[field]: push_columns keys the columns with it rather than make
 * the string again. [-0, +(0..COL_COUNT), v] */
static unsigned check_columns(lua_State *L, int arg, unsigned allowed, const char *names,
                              int *name_at) {
  luaL_checktype(L, arg, LUA_TTABLE);
  luaL_checkstack(L, COL_COUNT + 8, "reading fields");
  unsigned set = 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, arg);
  for (lua_Integer i = 1; i <= n; i++) {
    int found = -1;
    if (lua_rawgeti(L, arg, i) == LUA_TSTRING) {
      size_t len;
      const char *name = lua_tolstring(L, -1, &len);
      for (int f = 0; f < COL_COUNT && found < 0; f++)   /* length and first byte settle most */
        if ((allowed & COLUMN_BIT(f)) && len == COL_NAMES[f].len && name[0] == COL_NAMES[f].s[0] &&
            memcmp(name, COL_NAMES[f].s, len) == 0)
          found = f;
    }
    if (found < 0)
      luaL_argerror(L, arg, lua_pushfstring(L, "fields[%I] is not one of %s", i, names));
    if (name_at && !(set & COLUMN_BIT(found))) name_at[found] = lua_gettop(L);
    else lua_pop(L, 1);
    set |= COLUMN_BIT(found);
  }
  return set;
}

/* Optional 1-based inclusive range [first, last] at args arg, arg+1 within
 * 1..count (last < first: empty); 0-based half-open on return. */
static void check_range(lua_State *L, int arg, size_t count, size_t *from, size_t *to) {
  lua_Integer first = luaL_optinteger(L, arg, 1);
  lua_Integer last = luaL_optinteger(L, arg + 1, (lua_Integer)count);
  luaL_argcheck(L, first >= 1 && first <= (lua_Integer)count + 1, arg, "outside the document");
  luaL_argcheck(L, last >= first - 1 && last <= (lua_Integer)count, arg + 1,
                "outside the document (or before first)");
  *from = (size_t)first - 1;
  *to = (size_t)last;
}

static void push_token_field(lua_State *L, const lector_doc *doc, size_t i, int f,
                             size_t sentence) {
  const lector_token *t = &doc->seg.tokens[i];
  switch (f) {
  case COL_INDEX: lua_pushinteger(L, (lua_Integer)i + 1); break;
  case COL_START: lua_pushinteger(L, t->start); break;
  case COL_STOP: lua_pushinteger(L, t->stop); break;
  case COL_TEXT: lector_push_slice(L, doc, t->start, t->stop); break;
  case COL_KIND: lua_pushstring(L, lector_token_kind_name(t->kind)); break;
  case COL_SHAPE: {
    char shape[SHAPE_BYTES];
    lua_pushlstring(L, shape, lector_token_shape(doc->text + t->start, t->stop - t->start, shape,
                                                 sizeof shape));
    break;
  }
  case COL_FOLDED: lector_push_folded(L, doc, t); break;
  default: lua_pushinteger(L, (lua_Integer)sentence + 1); break;
  }
}

static void push_sentence_field(lua_State *L, const lector_doc *doc, size_t i, int f) {
  const lector_sentence *s = &doc->seg.sentences[i];
  switch (f) {
  case COL_INDEX: lua_pushinteger(L, (lua_Integer)i + 1); break;
  case COL_START: lua_pushinteger(L, s->start); break;
  case COL_STOP: lua_pushinteger(L, s->stop); break;
  case COL_TEXT: lector_push_slice(L, doc, s->start, s->stop); break;
  case COL_PARAGRAPH: lua_pushinteger(L, (lua_Integer)s->paragraph + 1); break;
  case COL_FIRST_TOKEN: lua_pushinteger(L, (lua_Integer)s->first_token + 1); break;
  case COL_LAST_TOKEN: lua_pushinteger(L, (lua_Integer)s->first_token + s->token_count); break;
  default: lua_pushinteger(L, s->token_count); break;
  }
}

/* Push {n = n} with a column per field; column f ends up at base + f (nil
 * for fields not asked for). With into (a stack index, else 0) the table is
 * into, and a column is the list into holds under its name, if any (raw
 * access: no code of the caller's runs here); else each is new and empty.
 * Returns base. [-0, +(1 + COL_COUNT), m] */
static void push_column_name(lua_State *L, int f, const int *name_at) {
  if (name_at) lua_pushvalue(L, name_at[f]);
  else lua_pushstring(L, COL_NAMES[f].s);
}

static int push_columns(lua_State *L, unsigned fields, size_t n, int into, const int *name_at) {
  luaL_checkstack(L, COL_COUNT + 8, "building columns");
  if (into) lua_pushvalue(L, into);
  else lua_createtable(L, 0, COL_COUNT + 1);
  lua_pushliteral(L, "n");
  lua_pushinteger(L, (lua_Integer)n);
  lua_rawset(L, -3);
  int base = lua_gettop(L) + 1;
  for (int f = 0; f < COL_COUNT; f++) {
    if (!(fields & COLUMN_BIT(f))) {
      lua_pushnil(L);
      continue;
    }
    if (into) {
      push_column_name(L, f, name_at);
      if (lua_rawget(L, base - 1) == LUA_TTABLE) continue;        /* [.., column] */
      lua_pop(L, 1);
    }
    lua_createtable(L, (int)(n < INT32_MAX ? n : INT32_MAX), 0);
    push_column_name(L, f, name_at);
    lua_pushvalue(L, -2);
    lua_rawset(L, base - 1);
  }
  return base;
}

/* A reused column holds exactly n entries: those an earlier call left past
 * n are cleared. The columns of tokens and sentences have no holes, so
 * they end at the first nil. [-0, +0, -] */
static void clear_columns_past(lua_State *L, int base, unsigned fields, size_t n) {
  for (int f = 0; f < COL_COUNT; f++) {
    if (!(fields & COLUMN_BIT(f))) continue;
    for (lua_Integer i = (lua_Integer)n + 1; lua_rawgeti(L, base + f, i) != LUA_TNIL; i++) {
      lua_pop(L, 1);
      lua_pushnil(L);
      lua_rawseti(L, base + f, i);
    }
    lua_pop(L, 1);
  }
}

/* doc:token_columns(fields [, first, last]) -> {n =, field = {...}...}; with
 * fields.into, that table and the lists it holds, filled (a pass that reads
 * every document makes no new table). */
LECTOR_FUNCTION(document, token_columns) {
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 4);
  lector_doc *doc = lector_hold_document(L, 1);     /* making the columns may collect */
  int name_at[COL_COUNT];
  unsigned fields = check_columns(L, 2, TOKEN_COLUMNS,
                                  "index, start, stop, text, kind, shape, folded, sentence",
                                  name_at);
  size_t from, to;
  check_range(L, 3, doc->seg.token_count, &from, &to);
  int into = lector_opt_table_field(L, 2, "into");
  int base = push_columns(L, fields, to - from, into, name_at);
  size_t sentence = from < to ? lector_doc_sentence_of_token(doc, from) : 0;
  for (size_t i = from; i < to; i++) {
    while (sentence + 1 < doc->seg.sentence_count &&
           doc->seg.sentences[sentence + 1].first_token <= i)
      sentence++;
    for (int f = 0; f < COL_COUNT; f++) {
      if (!(fields & COLUMN_BIT(f))) continue;
      push_token_field(L, doc, i, f, sentence);
      lua_rawseti(L, base + f, (lua_Integer)(i - from) + 1);
    }
  }
  if (into) clear_columns_past(L, base, fields, to - from);
  lua_settop(L, base - 1);
  return 1;
}

/* doc:sentence_columns(fields [, first, last]) -> {n =, field = {...}...};
 * fields.into as for token_columns. */
LECTOR_FUNCTION(document, sentence_columns) {
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 4);
  lector_doc *doc = lector_hold_document(L, 1);     /* making the columns may collect */
  int name_at[COL_COUNT];
  unsigned fields = check_columns(L, 2, SENTENCE_COLUMNS, "index, start, stop, text, paragraph, "
                                  "first_token, last_token, tokens", name_at);
  size_t from, to;
  check_range(L, 3, doc->seg.sentence_count, &from, &to);
  int into = lector_opt_table_field(L, 2, "into");
  int base = push_columns(L, fields, to - from, into, name_at);
  int asked[COL_COUNT], nasked = 0;
  for (int f = 0; f < COL_COUNT; f++)
    if (fields & COLUMN_BIT(f)) asked[nasked++] = f;
  for (size_t i = from; i < to; i++) {
    for (int k = 0; k < nasked; k++) {
      push_sentence_field(L, doc, i, asked[k]);
      lua_rawseti(L, base + asked[k], (lua_Integer)(i - from) + 1);
    }
  }
  if (into) clear_columns_past(L, base, fields, to - from);
  lua_settop(L, base - 1);
  return 1;
}

/* The names of the list at arg (absent: none), each a string; raises
 * naming the bad entry. Returns how many. */
static int check_attr_names(lua_State *L, int arg) {
  if (lua_isnoneornil(L, arg)) return 0;
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_Integer n = (lua_Integer)lua_rawlen(L, arg);
  if (n > LECTOR_MAX_SPAN_ATTR_COLUMNS)
    luaL_argerror(L, arg, lua_pushfstring(L, "more than %d attribute names",
                                          LECTOR_MAX_SPAN_ATTR_COLUMNS));
  for (lua_Integer i = 1; i <= n; i++) {
    if (lua_rawgeti(L, arg, i) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "attrs[%I] is not a string", i));
    lua_pop(L, 1);
  }
  return (int)n;
}

/* The index of the layer called name, or -1. */
static int find_layer(const lector_doc *doc, const char *name) {
  for (size_t i = 0; i < doc->layer_count; i++)
    if (strcmp(doc->layers[i], name) == 0) return (int)i;
  return -1;
}

static void push_span_field(lua_State *L, const lector_doc *doc, const lector_span *span, int f) {
  size_t first, end;
  switch (f) {
  case COL_FIRST_TOKEN:
    lector_doc_token_range(doc, span->start, span->stop, &first, &end);
    lua_pushinteger(L, (lua_Integer)first + 1);
    break;
  case COL_LAST_TOKEN:       /* first_token - 1 when the span holds no token */
    lector_doc_token_range(doc, span->start, span->stop, &first, &end);
    lua_pushinteger(L, (lua_Integer)end);
    break;
  case COL_START: lua_pushinteger(L, span->start); break;
  case COL_STOP: lua_pushinteger(L, span->stop); break;
  case COL_TEXT: lector_push_slice(L, doc, span->start, span->stop); break;
  case COL_LABEL:
    if (span->label) lua_pushstring(L, span->label);
    else lua_pushnil(L);
    break;
  default:
    if (span->has_score) lua_pushnumber(L, span->score);
    else lua_pushnil(L);
    break;
  }
}

/* doc:span_columns(layer, fields [, attrs]) -> {n =, field = {...}..., attrs = {name = {...}...}}:
 * the spans of a layer in doc:spans order, with no Span and no attrs table
 * per span; attrs names the attributes wanted, each read from the span's
 * JSON alone. */
LECTOR_FUNCTION(document, span_columns) {
  const char *layer_name = luaL_checkstring(L, 2);
  unsigned fields = check_columns(L, 3, SPAN_COLUMNS,
                                 "start, stop, text, label, score, first_token, last_token", NULL);
  int nattrs = check_attr_names(L, 4);
  lua_settop(L, 4);
  lector_doc *doc = lector_hold_document(L, 1);     /* making the columns may collect */
  luaL_checkstack(L, nattrs + 8, "building columns");
  int layer = find_layer(doc, layer_name);
  uint32_t *order = lua_newuserdatauv(L, (doc->span_count ? doc->span_count : 1) * sizeof *order, 0);
  size_t count = layer < 0 ? 0 : lector_doc_span_order(doc, layer, order);
  int base = push_columns(L, fields, count, 0, NULL);
  int attrs_base = lua_gettop(L) + 1;
  if (nattrs > 0) {
    lua_createtable(L, 0, nattrs);                     /* columns.attrs */
    lua_pushvalue(L, -1);
    lua_setfield(L, base - 1, "attrs");
    attrs_base++;
    for (int k = 1; k <= nattrs; k++) {
      lua_createtable(L, (int)(count < INT32_MAX ? count : INT32_MAX), 0);
      lua_rawgeti(L, 4, k);
      lua_pushvalue(L, -2);
      lua_rawset(L, attrs_base - 1);                   /* attrs[name] = column, at attrs_base + k - 1 */
    }
  }
  for (size_t i = 0; i < count; i++) {
    /* A copy: code the collector runs may add spans, and move the array. */
    const lector_span copy = doc->spans[order[i]], *span = &copy;
    lua_Integer row = (lua_Integer)i + 1;
    for (int f = 0; f < COL_COUNT; f++) {
      if (!(fields & COLUMN_BIT(f))) continue;
      push_span_field(L, doc, span, f);
      lua_rawseti(L, base + f, row);
    }
    if (!span->attrs_json) continue;
    for (int k = 1; k <= nattrs; k++) {
      lua_rawgeti(L, 4, k);
      size_t len;
      const char *name = lua_tolstring(L, -1, &len);
      int found = lector_json_push_member(L, span->attrs_json, name, len);
      if (found) lua_rawseti(L, attrs_base + k - 1, row);
      lua_pop(L, 1);
    }
  }
  lua_settop(L, base - 1);
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
  lector_paragraph p = doc->seg.paragraphs[i];
  lector_push_slice(L, doc, p.start, p.stop);   /* the last read of the document: */
  lua_createtable(L, 0, 6);                     /* making the table may collect */
  lua_insert(L, -2);
  lua_setfield(L, -2, "text");
  lua_pushinteger(L, i + 1);
  lua_setfield(L, -2, "index");
  lua_pushinteger(L, p.start);
  lua_setfield(L, -2, "start");
  lua_pushinteger(L, p.stop);
  lua_setfield(L, -2, "stop");
  lua_pushinteger(L, (lua_Integer)p.first_sentence + 1);
  lua_setfield(L, -2, "first_sentence");
  lua_pushinteger(L, p.sentence_count);
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
 * the next position, the document's span generation when it began. */
static int next_span(lua_State *L) {
  lector_doc *doc = lector_check_document(L, lua_upvalueindex(1));
  if ((lua_Integer)doc->span_generation != lua_tointeger(L, lua_upvalueindex(5)))
    return luaL_error(L, "the document's spans were replaced during the loop (a pass ran again)");
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
  const char *name = lua_isnoneornil(L, 2) ? NULL : luaL_checkstring(L, 2);
  lua_settop(L, 2);
  lector_doc *doc = lector_hold_document(L, 1);     /* making the iterator may collect */
  int layer = -1;
  if (name) {
    layer = -2;
    for (size_t i = 0; i < doc->layer_count; i++)
      if (strcmp(doc->layers[i], name) == 0) layer = (int)i;
  }
  lua_pushvalue(L, 1);
  uint32_t *order = lua_newuserdatauv(L, (doc->span_count ? doc->span_count : 1) * sizeof *order, 0);
  size_t count = layer == -2 ? 0 : lector_doc_span_order(doc, layer, order);
  lua_pushinteger(L, (lua_Integer)count);
  lua_pushinteger(L, 0);
  lua_pushinteger(L, (lua_Integer)doc->span_generation);
  lua_pushcclosure(L, next_span, 5);
  return 1;
}

/* doc:layers() -> {name...} in the order they were first used */
LECTOR_FUNCTION(document, layers) {
  lector_doc *doc = lector_hold_document(L, 1);     /* making the list may collect */
  lua_createtable(L, (int)doc->layer_count, 0);
  for (size_t i = 0; i < doc->layer_count; i++) {
    lua_pushstring(L, doc->layers[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* doc:set(key, value): a document-level result; value is any JSON value. */
LECTOR_FUNCTION(document, set) {
  lector_check_document(L, 1);
  const lector_results_guard *guard = results_guard(L);
  size_t room = results_room(L, guard);
  const char *key = check_name(L, 2, "key");
  luaL_checkany(L, 3);
  if (lua_isnil(L, 3)) return luaL_argerror(L, 3, "value must not be nil");
  size_t len = 0;
  char buf[VALUE_BUFFER_BYTES];
  const char *json = encode_result(L, 3, "value", "a value handed to the document", guard, room,
                                   buf, sizeof buf, &len);
  if (guard) guard->charge(L, sizeof(lector_value) + strlen(key) + len);
  lector_doc *doc = recheck_document(L, 1);         /* again: encoding may collect */
  if (lector_doc_set_value(doc, key, json) != LECTOR_OK)
    return luaL_error(L, "out of memory setting a value");
  return 0;
}

/* doc:get(key) -> the value, or nil */
LECTOR_FUNCTION(document, get) {
  lector_check_document(L, 1);
  const char *key = luaL_checkstring(L, 2);
  const char *json = lector_doc_get_value(lector_check_document(L, 1), key);
  if (json) lector_json_decode(L, json);
  else lua_pushnil(L);
  return 1;
}

/* doc:values() -> {key = value...}: every document-level value */
LECTOR_FUNCTION(document, values) {
  lector_doc *doc = lector_hold_document(L, 1);     /* decoding runs Lua code */
  lua_createtable(L, 0, (int)doc->value_count);
  for (size_t i = 0; i < doc->value_count; i++) {
    lector_json_decode(L, doc->values[i].json);
    lua_setfield(L, -2, doc->values[i].key);
  }
  return 1;
}

/* doc:error(message): record a problem with this document. */
LECTOR_FUNCTION(document, error) {
  lector_check_document(L, 1);
  const lector_results_guard *guard = results_guard(L);
  results_room(L, guard);
  size_t len;
  const char *message = luaL_checklstring(L, 2, &len);
  check_text(L, 2, message, len, "message");
  if (guard) guard->charge(L, sizeof(char *) + len);
  lector_doc *doc = recheck_document(L, 1);         /* again: reading the message may collect */
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
  const lector_doc *doc = lector_check_document(L, 1);
  static const char *const names[] = {"bytes", "paragraphs", "sentences", "tokens", "spans",
                                      "repairs"};
  const size_t counts[] = {doc->len, doc->seg.paragraph_count, doc->seg.sentence_count,
                           doc->seg.token_count, doc->span_count, doc->repairs};
  lua_createtable(L, 0, 6);                         /* may collect: the counts are read first */
  for (int i = 0; i < 6; i++) {
    lua_pushinteger(L, (lua_Integer)counts[i]);
    lua_setfield(L, -2, names[i]);
  }
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
    doc = lector_hold_document(L, 1);               /* making the list may collect */
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

/* __gc and __close (local doc <close> = ...) */
static int document_gc(lua_State *L) {
  lector_release_document(L, 1);
  return 0;
}

static const luaL_Reg document_metamethods[] = {
  {"__tostring", document_tostring},
  {"__close", document_gc},
  {"__gc", document_gc},
  {NULL, NULL}
};

static const luaL_Reg no_methods[] = {
  {NULL, NULL}
};

static const luaL_Reg document_methods[] = {
  LECTOR_ENTRY(document, add),
  LECTOR_ENTRY(document, add_many),
  LECTOR_ENTRY(document, add_entities),
  LECTOR_ENTRY(document, sentences),
  LECTOR_ENTRY(document, sentence),
  LECTOR_ENTRY(document, tokens),
  LECTOR_ENTRY(document, token),
  LECTOR_ENTRY(document, token_columns),
  LECTOR_ENTRY(document, sentence_columns),
  LECTOR_ENTRY(document, span_columns),
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
  lector_register_class(L, LECTOR_DOCUMENT_HOLD_CLASS, no_methods, no_methods, NULL);
  luaL_getmetatable(L, LECTOR_DOCUMENT_HOLD_CLASS);   /* [mt] */
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, end_hold, 1);
  lua_setfield(L, -2, "__close");
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, forget_hold, 1);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
}
