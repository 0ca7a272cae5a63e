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

#include "json_member.h"
#include "jsonbuf.h"
#include "lector_limits.h"
#include "lua_lector.h"

extern int luaopen_cjson(lua_State *L);

#define JSON_DECODE_KEY "lector.json.decode"
#define JSON_NULL_KEY "lector.json.null"
#define JSON_ARRAY_KEY "lector.json.array"
#define JSON_ROWS_KEY "lector.json.rows"

/* Largest integer a double holds exactly: beyond it a JSON number read
 * back as a double would change. */
#define EXACT_INTEGER_LIMIT 9007199254740992.0

/* Objects with at most this many keys are sorted on the C stack, their
 * keys and values held on the Lua stack; larger ones in a userdata. Span
 * attributes rarely have more than a handful of keys. */
#define SMALL_OBJECT_KEYS 16
/* Encoding starts in a buffer on the C stack (the caller's, or this
 * size), so that a small value costs no malloc and an error can be raised
 * at once without leaking; a value that outgrows it is encoded again into
 * a growing malloc'd buffer, under lua_pcall. */
#define STACK_BUFFER_BYTES 2048

typedef struct key_ref {
  const char *s;
  size_t len;
  int slot;                  /* stack index of the value (small objects) */
} key_ref;

/* The keys of the last small object written, in the order lua_next gave
 * them, and the order they were written in. Lists of records (a value's
 * paragraphs, a pass's rows) have objects of the same keys, made alike, so
 * lua_next gives them in the same order: the next such object is written
 * without sorting or checking its keys again. A key is known by its string's
 * address, which is safe while the value is encoded: every string it
 * holds stays alive and in place (no Lua code runs, nothing changes it). */
typedef struct key_shape {
  int count;                 /* 0: none yet */
  int plain;                 /* every key is printable ASCII without '"' or '\\' */
  const char *s[SMALL_OBJECT_KEYS];
  unsigned char order[SMALL_OBJECT_KEYS];   /* the i-th key written is s[order[i]] */
} key_shape;

/* Shapes of objects an earlier encoding in the same state wrote, so that
 * a pass handing over values of the same keys for every document sorts
 * them once. Its keys are anchored (the user value of the cache holds
 * them), so a string's address names it for as long as an entry does: no
 * other string can take that address. Objects of fewer keys are sorted
 * at once, which costs less than finding the cache, unless an encoding
 * found it already. */
#define SHAPE_CACHE_ENTRIES 8
#define SHAPE_CACHE_MIN_KEYS 4

typedef struct shape_cache {
  key_shape entries[SHAPE_CACHE_ENTRIES];
  int next;                  /* the entry replaced next */
  const void *array_mark, *rows_mark;   /* the marks' metatables, once found */
} shape_cache;

static const char SHAPE_CACHE_KEY = 's';

typedef struct encoder {
  jsonbuf b;
  const char *what;          /* "attrs", "value", ...: named in every error */
  key_shape shape;
  shape_cache *cache;        /* the state's, once an object needed it */
  const void *array_mark, *rows_mark;   /* the marks' metatables, once one was met */
} encoder;

static void write_typed(lua_State *L, int idx, int type, encoder *e, int depth);

static void write_value(lua_State *L, int idx, encoder *e, int depth) {
  write_typed(L, idx, lua_type(L, idx), e, depth);
}

/* Raise "WHAT cannot be stored as JSON: reason". [-0, +0, v] */
static int fail(lua_State *L, const encoder *e, const char *reason) {
  return luaL_error(L, "%s cannot be stored as JSON: %s", e->what, reason);
}

static void write_string(lua_State *L, int idx, encoder *e) {
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);
  if (jsonbuf_plain_string(&e->b, s, len)) return;            /* most strings */
  size_t bad = lector_utf8_check(s, len);
  if (bad != len)
    fail(L, e, lua_pushfstring(L, "a string is not valid UTF-8 (at byte %d)", (int)bad));
  jsonbuf_string(&e->b, s, len);
}

static void write_number(lua_State *L, int idx, encoder *e) {
  if (lua_isinteger(L, idx)) {
    jsonbuf_int(&e->b, lua_tointeger(L, idx));
    return;
  }
  lua_Number x = lua_tonumber(L, idx);
  if (!isfinite(x)) fail(L, e, "a number is not finite (NaN or infinity)");
  jsonbuf_double(&e->b, x);
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

/* Byte order, a prefix first: strcmp's order, also for keys with NULs.
 * Keys are short: a loop over their bytes costs less than memcmp's call. */
static int compare_keys(const void *a, const void *b) {
  const key_ref *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  const unsigned char *p = (const unsigned char *)x->s, *q = (const unsigned char *)y->s;
  for (size_t i = 0; i < n; i++)
    if (p[i] != q[i]) return p[i] < q[i] ? -1 : 1;
  return (x->len > y->len) - (x->len < y->len);
}

static void check_string_key(lua_State *L, const encoder *e, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING)
    fail(L, e, lua_pushfstring(L, "a table has a %s key but is not a list 1..n (JSON "
                               "objects need string keys)", luaL_typename(L, idx)));
}

static void write_key(lua_State *L, encoder *e, const key_ref *key) {
  if (jsonbuf_plain_key(&e->b, key->s, key->len)) return;     /* most keys */
  size_t bad = lector_utf8_check(key->s, key->len);
  if (bad != key->len)
    fail(L, e, lua_pushfstring(L, "a string is not valid UTF-8 (at byte %d)", (int)bad));
  jsonbuf_string(&e->b, key->s, key->len);
  jsonbuf_bytes(&e->b, ":", 1);
}

/* Over SMALL_OBJECT_KEYS keys: their references in a userdata, sorted, and
 * each value read again by key. The key strings stay alive and in place:
 * the table holds them, and nothing changes it while it is encoded (only
 * raw access, no metamethod, no Lua code). [-0, +0, e] */
static void write_large_object(lua_State *L, int idx, encoder *e, int depth) {
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    check_string_key(L, e, -1);
    count++;
  }
  key_ref *keys = lua_newuserdatauv(L, count * sizeof *keys, 0);    /* [.., keys] */
  int keys_at = lua_gettop(L);
  size_t n = 0;
  lua_pushnil(L);
  while (n < count && lua_next(L, idx)) {
    lua_pop(L, 1);
    keys[n].s = lua_tolstring(L, -1, &keys[n].len);
    n++;
  }
  lua_settop(L, keys_at);
  qsort(keys, n, sizeof *keys, compare_keys);
  jsonbuf_bytes(&e->b, "{", 1);
  for (size_t i = 0; i < n; i++) {
    if (i) jsonbuf_bytes(&e->b, ",", 1);
    write_key(L, e, &keys[i]);
    lua_pushlstring(L, keys[i].s, keys[i].len);
    lua_rawget(L, idx);
    write_value(L, lua_gettop(L), e, depth + 1);
    lua_pop(L, 1);
  }
  jsonbuf_bytes(&e->b, "}", 1);
  lua_pop(L, 1);
}

/* Whether a key needs no escaping: printable ASCII without '"' or '\\'. */
static int plain_key(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return 0;
  }
  return 1;
}

/* Whether keys[0..count) are the keys of e's last shape, in its order. */
static int same_shape(const key_shape *shape, const key_ref *keys, int count) {
  if (shape->count != count) return 0;
  for (int i = 0; i < count; i++)
    if (shape->s[i] != keys[i].s) return 0;
  return 1;
}

/* The shape of keys[0..count): their sorted order (insertion sort: a few
 * keys) and whether all are plain. */
static void set_shape(key_shape *shape, const key_ref *keys, int count) {
  shape->count = count;
  shape->plain = 1;
  for (int i = 0; i < count; i++) {
    shape->s[i] = keys[i].s;
    if (shape->plain && !plain_key(keys[i].s, keys[i].len)) shape->plain = 0;
    int j = i;
    for (; j > 0 && compare_keys(&keys[shape->order[j - 1]], &keys[i]) > 0; j--)
      shape->order[j] = shape->order[j - 1];
    shape->order[j] = (unsigned char)i;
  }
}

/* The state's shape cache, made on first use. [-0, +0, m] */
static shape_cache *state_shapes(lua_State *L, encoder *e) {
  if (e->cache) return e->cache;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &SHAPE_CACHE_KEY) == LUA_TUSERDATA) {
    e->cache = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return e->cache;
  }
  lua_pop(L, 1);
  shape_cache *cache = lua_newuserdatauv(L, sizeof *cache, 1);    /* [cache] */
  memset(cache, 0, sizeof *cache);
  lua_createtable(L, SHAPE_CACHE_ENTRIES * SMALL_OBJECT_KEYS, 0);  /* sized: anchoring never grows it */
  lua_setiuservalue(L, -2, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &SHAPE_CACHE_KEY);
  e->cache = cache;
  return cache;
}

/* Keep shape in the cache, its keys anchored; each key sits on the stack
 * just below its value's slot. The entry it replaces is emptied first, so
 * that an error half-way leaves no entry whose keys are not all held.
 * [-0, +0, m] */
static void remember_shape(lua_State *L, shape_cache *cache, const key_shape *shape,
                           const key_ref *keys) {
  int j = cache->next;
  cache->entries[j].count = 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &SHAPE_CACHE_KEY);
  lua_getiuservalue(L, -1, 1);                                /* [cache, anchors] */
  for (int i = 0; i < shape->count; i++) {
    lua_pushvalue(L, keys[i].slot - 1);
    lua_rawseti(L, -2, j * SMALL_OBJECT_KEYS + i + 1);
  }
  lua_pop(L, 2);
  cache->entries[j] = *shape;
  cache->next = (j + 1) % SHAPE_CACHE_ENTRIES;
}

/* e's shape made that of keys[0..count) (each key just below its value's
 * slot): the last one's, a cached one's, or sorted. */
static void find_shape(lua_State *L, encoder *e, const key_ref *keys, int count) {
  if (same_shape(&e->shape, keys, count)) return;
  if (count < SHAPE_CACHE_MIN_KEYS && !e->cache) {
    set_shape(&e->shape, keys, count);
    return;
  }
  shape_cache *cache = state_shapes(L, e);
  for (int j = 0; j < SHAPE_CACHE_ENTRIES; j++) {
    if (same_shape(&cache->entries[j], keys, count)) {
      e->shape = cache->entries[j];
      return;
    }
  }
  set_shape(&e->shape, keys, count);
  remember_shape(L, cache, &e->shape, keys);
}

/* "key": for a key of a shape; plain: the shape's keys need no escaping. */
static void write_shaped_key(lua_State *L, encoder *e, const key_ref *key, int plain) {
  if (!plain) {
    write_key(L, e, key);
    return;
  }
  char *out = jsonbuf_room(&e->b, key->len + 3);
  if (!out) {
    jsonbuf_bytes(&e->b, "\"", 1);
    jsonbuf_bytes(&e->b, key->s, key->len);
    jsonbuf_bytes(&e->b, "\":", 2);
    return;
  }
  out[0] = '"';
  memcpy(out + 1, key->s, key->len);
  memcpy(out + 1 + key->len, "\":", 2);
  e->b.len += key->len + 3;
}

/* Keys come out sorted, so the same value always gives the same text. A
 * small object keeps its key/value pairs on the stack while it is read:
 * no table, userdata or second lookup per key; an object with the keys of
 * the last one is written in its order (key_shape). first_pushed: the
 * caller has pushed the first pair lua_next gave, [key, value].
 * [-(0|2), +0, e] */
static void write_object(lua_State *L, int idx, encoder *e, int depth, int first_pushed) {
  int base = lua_gettop(L) - (first_pushed ? 2 : 0);
  if (!lua_checkstack(L, 2 * SMALL_OBJECT_KEYS + 4)) fail(L, e, "out of stack space");
  key_ref keys[SMALL_OBJECT_KEYS];
  int count = 0;
  if (!first_pushed) lua_pushnil(L);
  for (int more = first_pushed || lua_next(L, idx); more; more = lua_next(L, idx)) {
    check_string_key(L, e, -2);                               /* [.. pairs.., key, value] */
    if (count == SMALL_OBJECT_KEYS) {
      lua_settop(L, base);
      write_large_object(L, idx, e, depth);
      return;
    }
    keys[count].s = lua_tolstring(L, -2, &keys[count].len);
    keys[count].slot = base + 2 * count + 2;
    count++;
    lua_pushvalue(L, -2);                                     /* the key again, for lua_next */
  }
  find_shape(L, e, keys, count);
  unsigned char order[SMALL_OBJECT_KEYS];    /* a copy: the values' objects change e's */
  memcpy(order, e->shape.order, (size_t)count);
  int plain = e->shape.plain;
  jsonbuf_bytes(&e->b, "{", 1);
  for (int i = 0; i < count; i++) {
    const key_ref *key = &keys[order[i]];
    if (i) jsonbuf_bytes(&e->b, ",", 1);
    write_shaped_key(L, e, key, plain);
    write_value(L, key->slot, e, depth + 1);
  }
  jsonbuf_bytes(&e->b, "}", 1);
  lua_settop(L, base);
}

enum { MARK_NONE, MARK_ARRAY, MARK_ROWS };

/* The metatable at registry key `key`, as a pointer. [-0, +0, -] */
static const void *mark_of(lua_State *L, const char *key) {
  lua_getfield(L, LUA_REGISTRYINDEX, key);
  const void *mark = lua_topointer(L, -1);
  lua_pop(L, 1);
  return mark;
}

/* Which of lector.json.array's and lector.json.rows's metatables the table
 * at idx carries, if any. Most tables have no metatable: they cost one
 * lua_getmetatable; the marks are looked up once an encoding meets one
 * (the registry holds them, so their addresses stay theirs). [-0, +0, -] */
static int table_mark(lua_State *L, encoder *e, int idx) {
  if (!lua_getmetatable(L, idx)) return MARK_NONE;
  const void *mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  if (!e->array_mark) {
    shape_cache *cache = state_shapes(L, e);   /* kept there: looked up once per state */
    if (!cache->array_mark) {
      cache->array_mark = mark_of(L, JSON_ARRAY_KEY);
      cache->rows_mark = mark_of(L, JSON_ROWS_KEY);
    }
    e->array_mark = cache->array_mark;
    e->rows_mark = cache->rows_mark;
  }
  return mt == e->array_mark ? MARK_ARRAY : mt == e->rows_mark ? MARK_ROWS : MARK_NONE;
}

/* A table made rows by lector.json.rows: a list of t.n objects, object i
 * holding entry i of each other field of t (a column, a list) that is not
 * nil there, under the column's name. The columns sit on the stack while
 * the rows are written, sorted by name as an object's keys are; entries
 * past n are not read. [-0, +0, e] */
static void write_rows(lua_State *L, int idx, encoder *e, int depth) {
  int base = lua_gettop(L);
  /* the columns' names and lists, then a row's entries, held until its end */
  if (!lua_checkstack(L, 3 * SMALL_OBJECT_KEYS + 8)) fail(L, e, "out of stack space");
  lua_pushliteral(L, "n");
  int isint = 0;
  lua_rawget(L, idx);
  lua_Integer n = lua_tointegerx(L, -1, &isint);
  lua_pop(L, 1);
  if (!isint || n < 0) fail(L, e, "a table made rows by lector.json.rows needs n, a count");
  key_ref cols[SMALL_OBJECT_KEYS];
  int count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {                                  /* [.. columns.., key, value] */
    check_string_key(L, e, -2);
    size_t len;
    const char *name = lua_tolstring(L, -2, &len);
    if (len == 1 && name[0] == 'n') {
      lua_pop(L, 1);
      continue;
    }
    if (!lua_istable(L, -1)) fail(L, e, "a column of lector.json.rows is not a list");
    if (count == SMALL_OBJECT_KEYS)
      fail(L, e, lua_pushfstring(L, "lector.json.rows has more than %d columns",
                                 SMALL_OBJECT_KEYS));
    cols[count] = (key_ref){name, len, lua_gettop(L)};
    count++;
    lua_pushvalue(L, -2);                                     /* the key again, for lua_next */
  }
  find_shape(L, e, cols, count);
  unsigned char order[SMALL_OBJECT_KEYS];                     /* a copy: the values change e's */
  memcpy(order, e->shape.order, (size_t)count);
  int plain = e->shape.plain;
  /* Each column's ,"name": once, so that an entry copies it in one step
   * (names that need no escaping and fit a slot). */
  char prefixes[(SMALL_OBJECT_KEYS + 1) * JSONBUF_SHORT_BYTES];
  for (int c = 0; c < count; c++) {
    const key_ref *col = &cols[order[c]];
    if (!plain || col->len + 4 > JSONBUF_SHORT_BYTES) continue;
    char *slot = prefixes + c * JSONBUF_SHORT_BYTES;
    slot[0] = ',';
    slot[1] = '"';
    memcpy(slot + 2, col->s, col->len);
    memcpy(slot + 2 + col->len, "\":", 2);
  }
  int columns_top = base + 2 * count;
  jsonbuf_bytes(&e->b, "[", 1);
  for (lua_Integer i = 1; i <= n && !e->b.failed; i++) {
    jsonbuf_bytes(&e->b, i > 1 ? ",{" : "{", i > 1 ? 2 : 1);
    int written = 0;
    for (int c = 0; c < count; c++) {
      const key_ref *col = &cols[order[c]];
      int type = lua_rawgeti(L, col->slot, i);                /* at columns_top + c + 1 */
      if (type == LUA_TNIL) continue;
      int first = !written++;
      if (plain && col->len + 4 <= JSONBUF_SHORT_BYTES) {
        jsonbuf_short(&e->b, prefixes + c * JSONBUF_SHORT_BYTES + first, col->len + 4 - first);
      } else {
        if (!first) jsonbuf_bytes(&e->b, ",", 1);
        write_shaped_key(L, e, col, plain);
      }
      write_typed(L, columns_top + c + 1, type, e, depth + 2);
    }
    lua_settop(L, columns_top);
    jsonbuf_bytes(&e->b, "}", 1);
  }
  jsonbuf_bytes(&e->b, "]", 1);
  lua_settop(L, base);
}

static int is_empty(lua_State *L, int idx) {
  lua_pushnil(L);
  if (!lua_next(L, idx)) return 1;
  lua_pop(L, 2);
  return 0;
}

static void write_table(lua_State *L, int idx, encoder *e, int depth) {
  if (depth >= LECTOR_JSON_MAX_DEPTH)
    fail(L, e, lua_pushfstring(L, "tables nested more than %d deep (or a table that contains "
                               "itself)", LECTOR_JSON_MAX_DEPTH));
  if (!lua_checkstack(L, 8)) fail(L, e, "stack overflow (JSON nesting)");
  int mark = table_mark(L, e, idx);
  if (mark == MARK_ROWS) {
    write_rows(L, idx, e, depth);
    return;
  }
  if (mark == MARK_NONE) {
    /* A first key that is a string makes an object: written at once, from
     * that key on, without measuring the table as a list. */
    lua_pushnil(L);
    if (!lua_next(L, idx)) {
      jsonbuf_bytes(&e->b, "{}", 2);
      return;
    }
    if (lua_type(L, -2) == LUA_TSTRING) {
      write_object(L, idx, e, depth, 1);
      return;
    }
    lua_pop(L, 2);
  }
  int n = array_length(L, idx);
  if (n <= 0 && mark == MARK_ARRAY) {
    if (n < 0 || !is_empty(L, idx))
      fail(L, e, "a table made a list by lector.json.array has keys other than 1..n");
    jsonbuf_bytes(&e->b, "[]", 2);
    return;
  }
  if (n <= 0) {  /* an empty table is written as {}, unless marked above */
    write_object(L, idx, e, depth, 0);
    return;
  }
  jsonbuf_bytes(&e->b, "[", 1);
  int top = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    if (i > 1) jsonbuf_bytes(&e->b, ",", 1);
    write_typed(L, top + 1, lua_rawgeti(L, idx, i), e, depth + 1);
    lua_settop(L, top);
  }
  jsonbuf_bytes(&e->b, "]", 1);
}

/* The value at idx, of the given type. Stops early once the buffer
 * failed: the caller looks at why. */
static void write_typed(lua_State *L, int idx, int type, encoder *e, int depth) {
  if (e->b.failed) return;
  switch (type) {
  case LUA_TNIL: jsonbuf_bytes(&e->b, "null", 4); return;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, idx)) jsonbuf_bytes(&e->b, "true", 4);
    else jsonbuf_bytes(&e->b, "false", 5);
    return;
  case LUA_TNUMBER: write_number(L, idx, e); return;
  case LUA_TSTRING: write_string(L, idx, e); return;
  case LUA_TTABLE: write_table(L, idx, e, depth); return;
  case LUA_TLIGHTUSERDATA:
    lua_getfield(L, LUA_REGISTRYINDEX, JSON_NULL_KEY);
    if (lua_rawequal(L, -1, idx)) {
      lua_pop(L, 1);
      jsonbuf_bytes(&e->b, "null", 4);
      return;
    }
    lua_pop(L, 1);
    /* fall through */
  default:
    fail(L, e, lua_pushfstring(L, "a %s cannot be stored as JSON", luaL_typename(L, idx)));
  }
}

/* Runs protected: [encoder (light userdata), value] */
static int encode_protected(lua_State *L) {
  encoder *e = lua_touserdata(L, 1);
  write_value(L, 2, e, 0);
  return 0;
}

/* The value at idx (absolute) into a malloc'd buffer; NULL when over
 * limit. Raises after freeing the buffer. */
static char *encode_on_heap(lua_State *L, int idx, const char *what, size_t limit, size_t *len) {
  encoder e = {.what = what};
  jsonbuf_init(&e.b, 2 * STACK_BUFFER_BYTES);
  e.b.limit = limit;
  lua_pushcfunction(L, encode_protected);
  lua_pushlightuserdata(L, &e);
  lua_pushvalue(L, idx);
  int status = lua_pcall(L, 2, 0, 0);
  int over = e.b.failed == JSONBUF_OVER_LIMIT;
  char *json = jsonbuf_finish(&e.b, len);
  if (over || status != LUA_OK) {
    free(json);
    if (over) {
      if (status != LUA_OK) lua_pop(L, 1);
      return NULL;
    }
    if (status == LUA_ERRRUN) lua_error(L);                /* already names what */
    luaL_error(L, "out of memory encoding %s as JSON", what);
  }
  if (!json) luaL_error(L, "out of memory encoding %s as JSON", what);
  return json;
}

const char *lector_json_encode_into(lua_State *L, int idx, const char *what, size_t limit,
                                    char *buf, size_t size, size_t *len) {
  if (limit == 0 || size < 2) return NULL;                  /* no JSON text is that short */
  idx = lua_absindex(L, idx);
  encoder e = {.b = {.data = buf, .cap = size}, .what = what};
  /* The limit keeps writes inside buf: reserve never reallocates it. */
  e.b.limit = limit < size - 1 ? limit : size - 1;
  write_value(L, idx, &e, 0);
  if (!e.b.failed) {
    buf[e.b.len] = '\0';
    *len = e.b.len;
    return buf;
  }
  if (e.b.limit == limit) return NULL;                      /* over the caller's limit */
  char *json = encode_on_heap(L, idx, what, limit, len);
  if (!json) return NULL;
  lector_push_owned_string(L, json, *len);
  return lua_tostring(L, -1);
}

const char *lector_json_encode_limited(lua_State *L, int idx, const char *what, size_t limit) {
  char stack[STACK_BUFFER_BYTES];
  size_t len = 0;
  const char *json = lector_json_encode_into(L, idx, what, limit, stack, sizeof stack, &len);
  return json == stack ? lua_pushlstring(L, stack, len) : json;
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

int lector_json_push_member(lua_State *L, const char *json, const char *name, size_t name_len) {
  const char *value;
  size_t len;
  switch (lector_json_member(json, name, name_len, &value, &len)) {
  case LECTOR_JSON_ABSENT: return 0;
  case LECTOR_JSON_FOUND:
    if (value[0] == '"' && !memchr(value, '\\', len)) {   /* most: a plain string */
      lua_pushlstring(L, value + 1, len - 2);
      return 1;
    }
    lua_pushlstring(L, value, len);                        /* NUL-terminated for decode */
    lector_json_decode(L, lua_tostring(L, -1));
    lua_remove(L, -2);
    return 1;
  default:
    lector_json_decode(L, json);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      return 0;
    }
    lua_pushlstring(L, name, name_len);
    int type = lua_rawget(L, -2);
    lua_remove(L, -2);
    if (type != LUA_TNIL) return 1;
    lua_pop(L, 1);
    return 0;
  }
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

/* Give the table at 1 (or a new one) the mark at registry key `key`, and
 * return it. The mark is a metatable that Lua code cannot change
 * (__metatable), so a sandboxed plugin cannot give it a finalizer or
 * metamethods; a table with another metatable is refused. */
static int mark_table(lua_State *L, const char *key) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
  }
  if (lua_getmetatable(L, 1)) {
    lua_getfield(L, LUA_REGISTRYINDEX, key);
    if (!lua_rawequal(L, -1, -2)) luaL_argerror(L, 1, "the table already has a metatable");
    lua_settop(L, 1);
    return 1;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, key);
  lua_setmetatable(L, 1);
  return 1;
}

/* lector.json.array([t]) -> t: t (or a new table) marked as a JSON list,
 * so that it is written [] when empty. */
static int json_array(lua_State *L) {
  return mark_table(L, JSON_ARRAY_KEY);
}

/* lector.json.rows([t]) -> t: t (or a new table) marked as a list of
 * records given as columns, {n = count, name = {...}...} (write_rows). */
static int json_rows(lua_State *L) {
  return mark_table(L, JSON_ROWS_KEY);
}

/* The metatable at registry key `key`, made once per state; its
 * __metatable is the key. [-0, +0, e] */
static void make_mark(lua_State *L, const char *key) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, key);
  lua_setfield(L, -2, "__metatable");
  lua_setfield(L, LUA_REGISTRYINDEX, key);
}

static const luaL_Reg json_functions[] = {
  {"encode", json_encode},
  {"decode", json_decode},
  {"array", json_array},
  {"rows", json_rows},
  {NULL, NULL}
};

/* The decoder is a private cjson instance: scripts that change the shared
 * `cjson` module's settings cannot change lector's. Pushes the
 * lector.json table. [-0, +1, e] */
void lector_open_json(lua_State *L) {
  make_mark(L, JSON_ARRAY_KEY);
  make_mark(L, JSON_ROWS_KEY);
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
