/*
 * Lexicon: the Lua-visible lexicon type and its methods
 * (docs/lua-api.md#lexicon).
 *
 * A Lexicon's C memory comes from its Lua state's allocator, so in a
 * plugin it counts against the plugin's memory limit. When that memory
 * runs out the lexicon is left as it was, and the failure is raised as
 * Lua's own memory error (see raise_memory).
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "host.h"
#include "lector_limits.h"
#include "lexicon.h"
#include "lua_lector.h"

typedef struct lexicon_ud {
  lector_lexicon *lex;   /* NULL once freed */
  int closed;            /* closed: its methods refuse it */
  int pinned;            /* a matcher points into it: freed only when collected */
} lexicon_ud;

/* The lexicon of a Lexicon argument already checked to be one: raises
 * when it is closed. */
static lector_lexicon *open_lexicon(lua_State *L, const lexicon_ud *ud, int arg) {
  if (!ud->lex || ud->closed) luaL_argerror(L, arg, "the lexicon is closed");
  return ud->lex;
}

lector_lexicon *lector_check_lexicon(lua_State *L, int arg) {
  return open_lexicon(L, luaL_checkudata(L, arg, LECTOR_LEXICON_CLASS), arg);
}

/*
 * Raise an allocation failure as a real Lua memory error, which the
 * sandbox reports with kind "memory": Lua is asked for a block it cannot
 * get, and raises as it does for any allocation it is refused, after an
 * emergency collection. Under a memory limit that block is one byte over
 * the whole limit; without one it is the size that was refused.
 */
static int raise_memory(lua_State *L, size_t refused, const char *doing) {
  lector_host_usage usage;
  lector_host_usage_get(L, &usage);
  lua_newuserdatauv(L, usage.limit ? usage.limit + 1 : refused ? refused : 1, 0);
  lua_pop(L, 1);
  return luaL_error(L, "out of memory %s", doing);
}

lector_lexicon *lector_push_lexicon(lua_State *L, int fold) {
  lexicon_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
  ud->lex = NULL;
  ud->closed = ud->pinned = 0;
  luaL_setmetatable(L, LECTOR_LEXICON_CLASS);
  void *alloc_ud = NULL;
  lua_Alloc alloc = lua_getallocf(L, &alloc_ud);
  ud->lex = lector_lexicon_new(fold, alloc, alloc_ud, NULL);
  if (!ud->lex) raise_memory(L, sizeof(lexicon_ud) * 64, "making a lexicon");
  return ud->lex;
}

int lector_lexicon_raise(lua_State *L, const lector_lexicon *lex, const lector_error *err) {
  if (err->status == LECTOR_ENOMEM)
    return raise_memory(L, lector_lexicon_failed_bytes(lex), "adding to a lexicon");
  return luaL_error(L, "%s", err->message);
}

/* A full collection frees dead lexicons (the collector does not see
 * their C memory); worth one more try before failing. */
static void collect_before_retry(lua_State *L) {
  lua_gc(L, LUA_GCCOLLECT);
}

/* The collector sees only the small userdata: let a lexicon that grew
 * pay for a collector step in proportion, as documents do. */
static void account_growth(lua_State *L, size_t before, size_t after) {
  if (after > before) {
    size_t kb = (after - before) / 1024;
    lua_gc(L, LUA_GCSTEP, kb > INT32_MAX ? INT32_MAX : (int)kb);
  }
}

/* lector.lexicon([{fold = bool}]) -> Lexicon */
static int lexicon_new(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
  int fold = lector_opt_boolean_field(L, 1, "fold");
  lector_push_lexicon(L, fold);
  return 1;
}

/* A label argument: 1 to LECTOR_MAX_NAME_BYTES bytes of UTF-8, no NUL. */
static const char *check_label(lua_State *L, int arg) {
  size_t len;
  const char *label = luaL_checklstring(L, arg, &len);
  luaL_argcheck(L, len > 0 && len <= LECTOR_MAX_NAME_BYTES, arg,
                lua_pushfstring(L, "a label is 1 to %d bytes", LECTOR_MAX_NAME_BYTES));
  luaL_argcheck(L, strlen(label) == len, arg, "the label holds a NUL byte");
  luaL_argcheck(L, lector_utf8_check(label, len) == len, arg, "the label is not valid UTF-8");
  return label;
}

/* lex:add(phrase, label [, value]) */
LECTOR_FUNCTION(lexicon, add) {
  lector_lexicon *lex = lector_check_lexicon(L, 1);
  size_t len;
  const char *phrase = luaL_checklstring(L, 2, &len);
  const char *label = check_label(L, 3);
  double value = NAN;
  if (!lua_isnoneornil(L, 4)) {
    value = (double)luaL_checknumber(L, 4);
    luaL_argcheck(L, isfinite(value), 4, "the value must be a finite number");
  }
  lector_error err;
  lector_status status = lector_lexicon_add(lex, phrase, len, label, value, &err);
  if (status == LECTOR_ENOMEM) {
    collect_before_retry(L);
    status = lector_lexicon_add(lex, phrase, len, label, value, &err);
  }
  if (status == LECTOR_ENOMEM) return lector_lexicon_raise(L, lex, &err);
  if (status != LECTOR_OK) return luaL_argerror(L, 2, err.message);
  return 0;
}

/* lex:load(tsv [, name]) -> entries added or replaced */
LECTOR_FUNCTION(lexicon, load) {
  lector_lexicon *lex = lector_check_lexicon(L, 1);
  size_t len;
  const char *tsv = luaL_checklstring(L, 2, &len);
  const char *name = luaL_optstring(L, 3, "lexicon");
  size_t before = lector_lexicon_bytes(lex), lines = 0;
  lector_error err;
  lector_status status = lector_lexicon_load(lex, tsv, len, name, &lines, &err);
  if (status == LECTOR_ENOMEM) {
    collect_before_retry(L);
    status = lector_lexicon_load(lex, tsv, len, name, &lines, &err);
  }
  if (status != LECTOR_OK) return lector_lexicon_raise(L, lex, &err);
  account_growth(L, before, lector_lexicon_bytes(lex));
  lua_pushinteger(L, (lua_Integer)lines);
  return 1;
}

/* A value as Lua sees it: nil for none, whole numbers as integers (as
 * lector.json gives them back). */
static void push_value(lua_State *L, double value) {
  lua_Integer i;
  if (isnan(value)) lua_pushnil(L);
  else if (lua_numbertointeger(value, &i) && (double)i == value) lua_pushinteger(L, i);
  else lua_pushnumber(L, value);
}

/* lex:get(phrase) -> label, value | nil */
LECTOR_FUNCTION(lexicon, get) {
  lector_lexicon *lex = lector_check_lexicon(L, 1);
  size_t len;
  const char *phrase = luaL_checklstring(L, 2, &len);
  const lector_lexicon_entry *e = lector_lexicon_get(lex, phrase, len);
  if (!e) return 0;
  lua_pushstring(L, e->label);
  push_value(L, e->value);
  return 2;
}

/* Push the list of labels of a chain of entries. [-0, +1, m] */
static void push_labels(lua_State *L, const lector_lexicon_entry *e) {
  lua_newtable(L);
  for (lua_Integer i = 1; e; e = e->next, i++) {
    lua_pushstring(L, e->label);
    lua_rawseti(L, -2, i);
  }
}

/* lex:labels(phrase) -> {label, ...} */
LECTOR_FUNCTION(lexicon, labels) {
  lector_lexicon *lex = lector_check_lexicon(L, 1);
  size_t len;
  const char *phrase = luaL_checklstring(L, 2, &len);
  push_labels(L, lector_lexicon_get(lex, phrase, len));
  return 1;
}

/* ---- matching ------------------------------------------------------------- */

/* Where a match iteration is: the sentences left, the next start token. */
typedef struct match_state {
  const lector_doc *doc;    /* the document when the iteration began */
  uint32_t sentence, sentence_end, token;
  int all;
} match_state;

/* Push one match as a table. The document is read before anything is
 * made: making a table or string may collect, and a finalizer may
 * release the document. [-0, +1, m] */
static void push_match(lua_State *L, const lector_doc *doc, uint32_t first, uint32_t n,
                       const lector_lexicon_entry *e) {
  uint32_t start = doc->seg.tokens[first].start, stop = doc->seg.tokens[first + n - 1].stop;
  lector_push_slice(L, doc, start, stop);
  lua_createtable(L, 0, 8);
  lua_insert(L, -2);
  lua_setfield(L, -2, "text");
  lua_pushinteger(L, start);
  lua_setfield(L, -2, "start");
  lua_pushinteger(L, stop);
  lua_setfield(L, -2, "stop");
  lua_pushinteger(L, (lua_Integer)first + 1);
  lua_setfield(L, -2, "first");
  lua_pushinteger(L, (lua_Integer)first + n);
  lua_setfield(L, -2, "last");
  lua_pushstring(L, e->label);
  lua_setfield(L, -2, "label");
  push_value(L, e->value);
  lua_setfield(L, -2, "value");
  push_labels(L, e);
  lua_setfield(L, -2, "labels");
}

/* The iterator: upvalues 1 the Document, 2 the Lexicon, 3 the state. The
 * document is checked on every call, since a plugin's Document dies at
 * the end of its run. */
static int next_match(lua_State *L) {
  lector_doc **slot = lua_touserdata(L, lua_upvalueindex(1));
  lexicon_ud *ud = lua_touserdata(L, lua_upvalueindex(2));
  match_state *st = lua_touserdata(L, lua_upvalueindex(3));
  if (!ud->lex) return luaL_error(L, "the lexicon was closed during the iteration");
  if (!*slot || *slot != st->doc)
    return luaL_error(L, "the document was released during the iteration");
  const lector_doc *doc = st->doc;
  for (; st->sentence < st->sentence_end; st->sentence++) {
    const lector_sentence *s = &doc->seg.sentences[st->sentence];
    uint32_t end = s->first_token + s->token_count;
    if (st->token < s->first_token) st->token = s->first_token;
    while (st->token < end) {
      const lector_lexicon_entry *e;
      uint32_t first = st->token;
      uint32_t n = lector_lexicon_longest(ud->lex, doc, first, end, &e);
      if (!n) {
        st->token++;
        continue;
      }
      st->token += st->all ? 1 : n;
      push_match(L, doc, first, n, e);
      return 1;
    }
  }
  return 0;
}

/* lex:matches(doc | sentence [, {all = bool}]) -> iterator over match tables */
LECTOR_FUNCTION(lexicon, matches) {
  lector_check_lexicon(L, 1);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  int all = lector_opt_boolean_field(L, 3, "all");
  uint32_t first, end;
  const lector_doc *doc = lector_check_sentences(L, 2, &first, &end);
  /* [..., Document]: the closure keeps it alive; a Sentence's user value is its Document */
  if (luaL_testudata(L, 2, LECTOR_SENTENCE_CLASS)) lua_getiuservalue(L, 2, 1);
  else lua_pushvalue(L, 2);
  lua_pushvalue(L, 1);                                    /* [..., Document, Lexicon] */
  match_state *st = lua_newuserdatauv(L, sizeof *st, 0);  /* [..., Document, Lexicon, state] */
  *st = (match_state){doc, first, end, 0, all};
  lua_pushcclosure(L, next_match, 3);
  return 1;
}

/* ---- scanning into columns ------------------------------------------------- */

/* The columns lex:scan can build, in the order of SCAN_FIELDS. */
enum { SCAN_START, SCAN_STOP, SCAN_FIRST, SCAN_LAST, SCAN_LABEL, SCAN_VALUE, SCAN_TEXT,
       SCAN_FIELD_COUNT };
static const char *const SCAN_FIELDS[] = {"start", "stop", "first", "last", "label", "value",
                                          "text", NULL};
/* Without opts.fields: every column but text, which copies bytes. */
#define SCAN_DEFAULT_FIELDS ((1u << SCAN_TEXT) - 1)
/* Distinct labels pushed once and reused from the stack; a lexicon with
 * more pushes the others per hit (still interned by Lua). */
#define SCAN_LABEL_CACHE 16

/* opts.fields as a bit set of SCAN_FIELDS; raises naming the bad entry. */
static unsigned scan_fields(lua_State *L, int opts) {
  if (lua_isnoneornil(L, opts)) return SCAN_DEFAULT_FIELDS;
  if (lua_getfield(L, opts, "fields") == LUA_TNIL) {
    lua_pop(L, 1);
    return SCAN_DEFAULT_FIELDS;
  }
  if (!lua_istable(L, -1)) luaL_argerror(L, opts, "field 'fields' must be a list of names");
  unsigned set = 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    const char *name = lua_rawgeti(L, -1, i) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int found = -1;
    for (int f = 0; name && SCAN_FIELDS[f] && found < 0; f++)   /* the first byte settles most */
      if (name[0] == SCAN_FIELDS[f][0] && strcmp(name, SCAN_FIELDS[f]) == 0) found = f;
    if (found < 0)
      luaL_argerror(L, opts, lua_pushfstring(L, "fields[%I] is not one of start, stop, first, "
                                             "last, label, value, text", i));
    set |= 1u << found;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return set;
}

typedef struct label_cache {
  const char *label[SCAN_LABEL_CACHE];
  int slot[SCAN_LABEL_CACHE];
  int count;
  int relabel;            /* stack index of opts.relabel, 0 when none */
} label_cache;

/* Push what the label column holds for a label: the label, or with
 * opts.relabel, relabel[label] (nil, no entry, for a label the table
 * lacks; raw access: no code of the caller's runs here). [-0, +1, m] */
static void push_label(lua_State *L, const label_cache *c, const char *label) {
  lua_pushstring(L, label);
  if (c->relabel) lua_rawget(L, c->relabel);
}

/* Push a label (push_label), each distinct one looked up only once: the
 * first copy stays on the stack as the cache's slot. [-0, +(1|2), m] */
static void push_cached_label(lua_State *L, label_cache *c, const char *label) {
  for (int i = 0; i < c->count; i++) {
    if (c->label[i] == label) {
      lua_pushvalue(L, c->slot[i]);
      return;
    }
  }
  push_label(L, c, label);
  if (c->count < SCAN_LABEL_CACHE) {
    c->label[c->count] = label;
    c->slot[c->count++] = lua_gettop(L);
    lua_pushvalue(L, -1);
  }
}

/* opts.relabel: a table, or absent. Returns its stack index (pushed), or
 * 0 (nothing pushed). */
static int scan_relabel(lua_State *L, int opts) {
  if (lua_isnoneornil(L, opts)) return 0;
  int type = lua_getfield(L, opts, "relabel");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (type != LUA_TTABLE) luaL_argerror(L, opts, "field 'relabel' must be a table");
  return lua_gettop(L);
}

/* lex:scan finds every hit before it makes any column, so that each column
 * is made at its final size: filled without ever growing. The first
 * SCAN_STACK_HITS sit on the C stack. */
enum { SCAN_STACK_HITS = 256 };

static void add_find(void *ud, uint32_t token, uint32_t len, const lector_lexicon_entry *e) {
  lector_lexicon_finds *finds = ud;
  if (finds->n == finds->cap) {
    lector_lexicon_find *grown =
        lua_newuserdatauv(finds->L, 2 * finds->cap * sizeof *grown, 0);
    memcpy(grown, finds->items, finds->n * sizeof *grown);
    lua_replace(finds->L, finds->keep);          /* the old userdata, if any, is garbage */
    finds->items = grown;
    finds->cap *= 2;
  }
  finds->items[finds->n++] = (lector_lexicon_find){token, len, e};
}

void lector_lexicon_find_all(const lector_lexicon *lex, const lector_doc *doc, uint32_t first,
                             uint32_t end, int all, lector_lexicon_finds *finds) {
  for (uint32_t i = first; i < end; i++) {
    const lector_sentence *s = &doc->seg.sentences[i];
    lector_lexicon_scan(lex, doc, s->first_token, s->first_token + s->token_count, all, add_find,
                        finds);
  }
}

/* Hit h into the columns that exist (column f at base + f, 1-based). [-0, +0, m] */
static void put_hit(lua_State *L, int base, unsigned fields, label_cache *labels,
                    const lector_doc *doc, const lector_lexicon_find *h, lua_Integer n) {
  uint32_t start = doc->seg.tokens[h->token].start;
  uint32_t stop = doc->seg.tokens[h->token + h->len - 1].stop;
  const lua_Integer integers[] = {start, stop, (lua_Integer)h->token + 1,
                                  (lua_Integer)h->token + h->len};
  for (int f = SCAN_START; f <= SCAN_LAST; f++) {
    if (!(fields & (1u << f))) continue;
    lua_pushinteger(L, integers[f - SCAN_START]);
    lua_rawseti(L, base + f, n);
  }
  if (fields & (1u << SCAN_LABEL)) {
    push_cached_label(L, labels, h->entry->label);
    lua_rawseti(L, base + SCAN_LABEL, n);
  }
  if (fields & (1u << SCAN_VALUE)) {
    push_value(L, h->entry->value);                /* nil for none: a reused column had one */
    lua_rawseti(L, base + SCAN_VALUE, n);
  }
  if (fields & (1u << SCAN_TEXT)) {
    lector_push_slice(L, doc, start, stop);
    lua_rawseti(L, base + SCAN_TEXT, n);
  }
}

/* opts.into: a table, or absent. Returns its stack index (pushed), or 0
 * (nothing pushed). */
static int scan_into(lua_State *L, int opts) {
  if (lua_isnoneornil(L, opts)) return 0;
  int type = lua_getfield(L, opts, "into");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (type != LUA_TTABLE) luaL_argerror(L, opts, "field 'into' must be a table");
  return lua_gettop(L);
}

/* Reused columns (at base + f) hold exactly n entries: those past n are
 * cleared, up to the longest column's border (columns that every hit
 * fills, such as start, have no holes, so their border is where the
 * entries an earlier scan left end; and the loop is bounded by what the
 * tables hold). [-0, +0, -] */
static void clear_past(lua_State *L, int base, unsigned fields, lua_Integer n) {
  lua_Integer end = 0;
  for (int f = 0; f < SCAN_FIELD_COUNT; f++) {
    if (!(fields & (1u << f))) continue;
    lua_Integer len = (lua_Integer)lua_rawlen(L, base + f);
    if (len > end) end = len;
  }
  for (int f = 0; f < SCAN_FIELD_COUNT; f++) {
    if (!(fields & (1u << f))) continue;
    for (lua_Integer i = n + 1; i <= end; i++) {
      lua_pushnil(L);
      lua_rawseti(L, base + f, i);
    }
  }
}

/* Push the table for column f: into[name] when into is given and holds a
 * table there (raw access), else a new one. Returns 1 for a new one, which
 * the result must be given. [-0, +1, m] */
static int push_column(lua_State *L, int into, int f, int size) {
  if (into) {
    lua_pushstring(L, SCAN_FIELDS[f]);
    if (lua_rawget(L, into) == LUA_TTABLE) return 0;
    lua_pop(L, 1);
  }
  lua_createtable(L, size, 0);
  return 1;
}

/* lex:scan(doc | sentence [, {all = bool, fields = {...}, relabel = {...}, into = {...}}])
 *   -> {n =, start = {...}, ...}:
 * the hits of lex:matches as parallel columns, with no table per hit; with
 * opts.into, in that table and the columns it already holds (a pass that
 * scans every document makes no new table). */
LECTOR_FUNCTION(lexicon, scan) {
  lector_check_lexicon(L, 1);
  const lexicon_ud *ud = lua_touserdata(L, 1);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  int all = lector_opt_boolean_field(L, 3, "all");
  unsigned fields = scan_fields(L, 3);
  luaL_checkstack(L, SCAN_FIELD_COUNT + SCAN_LABEL_CACHE + 12, "scanning a lexicon");
  lua_settop(L, 3);
  uint32_t sentence, sentence_end;
  /* 4: opts is read through __index, and making the columns may collect */
  const lector_doc *doc = lector_hold_sentences(L, 2, &sentence, &sentence_end);
  lua_pushnil(L);                                    /* 5: the hits, once they outgrow the stack */
  label_cache labels = {.count = 0, .relabel = scan_relabel(L, 3)};   /* opts.relabel, if any */
  int into = scan_into(L, 3);                                          /* opts.into, if any */
  /* again: reading opts ran Lua code, which may close it (the userdata, in
   * this call's own slot 1, stays the same) */
  lector_lexicon *lex = open_lexicon(L, ud, 1);
  lector_lexicon_find stack_hits[SCAN_STACK_HITS];
  lector_lexicon_finds list = {L, stack_hits, 0, SCAN_STACK_HITS, 5};
  lector_lexicon_find_all(lex, doc, sentence, sentence_end, all, &list);
  int size = list.n > INT_MAX ? 0 : (int)list.n;     /* a size hint only */
  int base = lua_gettop(L) + 1;                      /* column f is at base + f */
  unsigned fresh = 0;                                /* the columns made here */
  for (int f = 0; f < SCAN_FIELD_COUNT; f++) {
    if (!(fields & (1u << f))) lua_pushnil(L);
    else if (push_column(L, into, f, size)) fresh |= 1u << f;
  }
  for (size_t i = 0; i < list.n; i++)
    put_hit(L, base, fields, &labels, doc, &list.items[i], (lua_Integer)i + 1);
  if (into) clear_past(L, base, fields, (lua_Integer)list.n);
  if (into) lua_pushvalue(L, into);
  else lua_createtable(L, 0, SCAN_FIELD_COUNT + 1);
  lua_pushliteral(L, "n");
  lua_pushinteger(L, (lua_Integer)list.n);
  lua_rawset(L, -3);
  for (int f = 0; f < SCAN_FIELD_COUNT; f++) {
    if (!(fresh & (1u << f))) continue;              /* into holds it already */
    lua_pushstring(L, SCAN_FIELDS[f]);
    lua_pushvalue(L, base + f);
    lua_rawset(L, -3);
  }
  return 1;
}

/* ---- metamethods and fields ------------------------------------------------ */

static int lexicon_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lector_lexicon_size(lector_check_lexicon(L, 1)));
  return 1;
}

/* __close: later use of the lexicon raises, and its memory goes now,
 * unless a matcher points into it: then when it is collected, which the
 * matcher, holding it, lets happen only once the matcher is gone too. */
static int lexicon_close(lua_State *L) {
  lexicon_ud *ud = luaL_checkudata(L, 1, LECTOR_LEXICON_CLASS);
  ud->closed = 1;
  if (ud->pinned) return 0;
  lector_lexicon_free(ud->lex);
  ud->lex = NULL;
  return 0;
}

/* __gc: nothing refers to the lexicon any more. */
static int lexicon_collect(lua_State *L) {
  lexicon_ud *ud = luaL_checkudata(L, 1, LECTOR_LEXICON_CLASS);
  ud->closed = 1;
  lector_lexicon_free(ud->lex);
  ud->lex = NULL;
  return 0;
}

lector_lexicon *lector_pin_lexicon(lua_State *L, int arg) {
  lector_lexicon *lex = lector_check_lexicon(L, arg);
  ((lexicon_ud *)lua_touserdata(L, arg))->pinned = 1;
  return lex;
}

static int lexicon_tostring(lua_State *L) {
  lexicon_ud *ud = luaL_checkudata(L, 1, LECTOR_LEXICON_CLASS);
  if (!ud->lex || ud->closed) lua_pushliteral(L, "lector.Lexicon (closed)");
  else
    lua_pushfstring(L, "lector.Lexicon (%I entries%s)", (lua_Integer)lector_lexicon_size(ud->lex),
                    lector_lexicon_folds(ud->lex) ? ", folded" : "");
  return 1;
}

static int lexicon_field(lua_State *L) {
  lector_lexicon *lex = lector_check_lexicon(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "fold") == 0) lua_pushboolean(L, lector_lexicon_folds(lex));
  else if (strcmp(key, "max_tokens") == 0) lua_pushinteger(L, (lua_Integer)lector_lexicon_max_tokens(lex));
  else if (strcmp(key, "size") == 0) lua_pushinteger(L, (lua_Integer)lector_lexicon_size(lex));
  else if (strcmp(key, "bytes") == 0) lua_pushinteger(L, (lua_Integer)lector_lexicon_bytes(lex));
  else lua_pushnil(L);
  return 1;
}

static const luaL_Reg lexicon_metamethods[] = {
  {"__len", lexicon_len},
  {"__gc", lexicon_collect},
  {"__close", lexicon_close},
  {"__tostring", lexicon_tostring},
  {NULL, NULL}
};

static const luaL_Reg lexicon_methods[] = {
  LECTOR_ENTRY(lexicon, add),
  LECTOR_ENTRY(lexicon, load),
  LECTOR_ENTRY(lexicon, get),
  LECTOR_ENTRY(lexicon, labels),
  LECTOR_ENTRY(lexicon, matches),
  LECTOR_ENTRY(lexicon, scan),
  {NULL, NULL}
};

void lector_open_lexicon(lua_State *L) {
  lector_register_class(L, LECTOR_LEXICON_CLASS, lexicon_metamethods, lexicon_methods, lexicon_field);
}

int lector_lexicon_new_lua(lua_State *L) {
  return lexicon_new(L);
}
