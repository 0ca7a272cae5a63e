/*
 * Names: the Lua-visible name finder of core/names.c
 * (docs/lua-api.md#names).
 *
 * A plugin configures one with its gazetteer (a Lexicon) and its word
 * lists, then hands it Documents: finder:find(doc) reads the text and the
 * sentences in C and gives back the names as tables. The finder's memory
 * comes from the state's allocator, so a plugin's memory limit counts it;
 * the finder keeps the gazetteer alive (and pinned: closing it does not
 * free it) as its user value.
 */
#include <limits.h>
#include <string.h>

#include "lector_limits.h"
#include "lua_lector.h"
#include "names.h"

typedef struct names_box {
  lector_names *nf;     /* NULL until made, and once collected */
  unsigned long finds;  /* calls of find begun: a finalizer may call it inside another */
} names_box;

enum { UV_GAZETTEER = 1, UV_COUNT = 1 };

static names_box *check_names(lua_State *L, int arg) {
  names_box *box = luaL_checkudata(L, arg, LECTOR_NAMES_CLASS);
  if (!box->nf) luaL_argerror(L, arg, "the name finder is not usable");
  return box;
}

/* ---- configuration -------------------------------------------------------- */

/* config[field]: a list of strings, each given to add(nf, index, string);
 * absent is an empty list. Raises naming the field and the entry. */
static void read_words(lua_State *L, int cfg, names_box *box, lector_names_list list) {
  const char *field = lector_names_list_name(list);
  int t = lua_getfield(L, cfg, field);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (t != LUA_TTABLE)
    luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be a list of strings", field));
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    size_t len = 0;
    const char *w = lua_rawgeti(L, -1, i) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    lector_status st = w ? lector_names_add_word(box->nf, list, w, len) : LECTOR_EINVAL;
    if (st == LECTOR_ENOMEM) luaL_error(L, "out of memory configuring a name finder");
    if (st != LECTOR_OK)
      luaL_argerror(L, 1, lua_pushfstring(L, "%s[%d] must be a word of 1 to %d bytes without "
                                          "NUL", field, (int)i, LECTOR_NAMES_MAX_WORD_BYTES));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* A label string at the top of the stack, or a raised error naming where. */
static const char *label_at_top(lua_State *L, const char *where, lua_Integer i) {
  if (lua_type(L, -1) != LUA_TSTRING)
    luaL_argerror(L, 1, lua_pushfstring(L, "%s[%d] must be a label string", where, (int)i));
  return lua_tostring(L, -1);
}

static void raise_label_status(lua_State *L, lector_status st, const char *where, lua_Integer i) {
  if (st == LECTOR_ENOMEM) luaL_error(L, "out of memory configuring a name finder");
  if (st != LECTOR_OK)
    luaL_argerror(L, 1, lua_pushfstring(L, "%s[%d]: a label must be 1 to %d bytes, and a finder "
                                        "knows at most %d labels", where, (int)i,
                                        LECTOR_MAX_NAME_BYTES, LECTOR_NAMES_MAX_LABELS));
}

/* Push config[field], which must be a list. Returns its length. */
static lua_Integer list_field(lua_State *L, int cfg, const char *field) {
  if (lua_getfield(L, cfg, field) != LUA_TTABLE)
    luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be a list", field));
  return (lua_Integer)lua_rawlen(L, -1);
}

/* config.priority: the entity labels, first wins. */
static void read_priority(lua_State *L, int cfg, names_box *box) {
  lua_Integer n = list_field(L, cfg, "priority");
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    const char *label = label_at_top(L, "priority", i);
    raise_label_status(L, lector_names_add_priority(box->nf, label), "priority", i);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* config.heads: {head label, entity label} pairs, in the order tried. */
static void read_heads(lua_State *L, int cfg, names_box *box) {
  lua_Integer n = list_field(L, cfg, "heads");
  for (lua_Integer i = 1; i <= n; i++) {
    if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
      luaL_argerror(L, 1, lua_pushfstring(L, "heads[%d] must be a pair {head, label}", (int)i));
    lua_rawgeti(L, -1, 1);
    const char *head = label_at_top(L, "heads", i);
    lua_rawgeti(L, -2, 2);
    const char *label = label_at_top(L, "heads", i);
    raise_label_status(L, lector_names_add_head(box->nf, head, label), "heads", i);
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
}

/* Every key of config is one the finder reads. */
static void check_keys(lua_State *L, int cfg) {
  lua_pushnil(L);
  while (lua_next(L, cfg)) {
    lua_pop(L, 1);
    const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int known = key && (strcmp(key, "gazetteer") == 0 || strcmp(key, "priority") == 0 ||
                        strcmp(key, "heads") == 0 ||
                        lector_names_list_of(key) != LECTOR_NAMES_LIST_COUNT);
    if (!known)
      luaL_argerror(L, 1, lua_pushfstring(L, "unknown field '%s'", luaL_tolstring(L, -1, NULL)));
  }
}

/* lector.names{gazetteer =, priority =, heads =, <lists> =} -> Names */
static int names_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  check_keys(L, 1);
  if (lua_getfield(L, 1, "gazetteer") != LUA_TUSERDATA ||
      !luaL_testudata(L, -1, LECTOR_LEXICON_CLASS))
    luaL_argerror(L, 1, "field 'gazetteer' must be a Lexicon");
  const lector_lexicon *gaz = lector_check_lexicon(L, 2);       /* [cfg, lexicon] */
  names_box *box = lua_newuserdatauv(L, sizeof *box, UV_COUNT);  /* [cfg, lexicon, box] */
  box->nf = NULL;
  luaL_setmetatable(L, LECTOR_NAMES_CLASS);
  void *alloc_ud = NULL;
  lua_Alloc alloc = lua_getallocf(L, &alloc_ud);
  box->nf = lector_names_new(gaz, alloc, alloc_ud);
  if (!box->nf) return luaL_error(L, "out of memory making a name finder");
  lector_pin_lexicon(L, 2);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, 3, UV_GAZETTEER);
  read_priority(L, 1, box);
  read_heads(L, 1, box);
  for (int k = 0; k < LECTOR_NAMES_LIST_COUNT; k++) read_words(L, 1, box, (lector_names_list)k);
  lua_settop(L, 3);
  return 1;
}

/* ---- finding -------------------------------------------------------------- */

/* The fields of a mention, their names pushed once per call. */
enum { F_START, F_STOP, F_LABEL, F_KEY, F_CANONICAL, F_TEXT, F_COUNT };
static const char *const FIELDS[F_COUNT] = {"start", "stop", "label", "key", "canonical", "text"};

/* Set field f of the table at index t to the value on top, popped. */
static void set_field(lua_State *L, int t, int fields, int f) {
  lua_pushvalue(L, fields + f);
  lua_insert(L, -2);
  lua_rawset(L, t);
}

/* Push the key of a mention's entity (label, a zero byte, its name in
 * lower case) and its canonical name, made once per entity in the tables
 * at keys and names. [-0, +2, m] */
static void push_entity(lua_State *L, const lector_doc *doc, const lector_names *nf,
                        const lector_names_mention *m, int keys, int names) {
  if (lua_rawgeti(L, keys, (lua_Integer)m->entity + 1) == LUA_TSTRING) {
    lua_rawgeti(L, names, (lua_Integer)m->entity + 1);
    return;
  }
  lua_pop(L, 1);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, lector_names_label(nf, m->label));
  luaL_addchar(&b, '\0');
  for (uint32_t p = m->key_start; p < m->key_stop; p++) {
    char c = doc->text[p];
    luaL_addchar(&b, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
  }
  luaL_pushresult(&b);
  lua_pushvalue(L, -1);
  lua_rawseti(L, keys, (lua_Integer)m->entity + 1);
  lector_push_slice(L, doc, m->canonical_start, m->canonical_stop);
  lua_pushvalue(L, -1);
  lua_rawseti(L, names, (lua_Integer)m->entity + 1);
}

/* The mentions of doc, found and copied into a userdata left pushed. The
 * finder's own list is reused by its next find, and the objects made
 * from the mentions may run a finalizer that finds again with it: the
 * copy is made without allocating after the find that filled it.
 * [-0, +1, m] */
static const lector_names_mention *find_copied(lua_State *L, names_box *box,
                                               const lector_doc *doc, size_t *n) {
  lector_names_mention *copy = NULL;
  size_t room = 0;
  lua_pushnil(L);                                   /* the copy's slot */
  for (;;) {
    unsigned long call = ++box->finds;
    const lector_names_mention *found;
    if (lector_names_find(box->nf, doc->text, doc->len, doc->seg.sentences,
                          doc->seg.sentence_count, &found, n) != LECTOR_OK)
      luaL_error(L, "out of memory finding names");
    if (*n > room) {
      if (*n > SIZE_MAX / sizeof *copy) luaL_error(L, "too many names");
      lua_pop(L, 1);
      copy = lua_newuserdatauv(L, *n * sizeof *copy, 0);    /* may find again */
      room = *n;
      if (box->finds != call) continue;
    }
    if (*n) memcpy(copy, found, *n * sizeof *copy);
    return copy;
  }
}

/* finder:find(doc) -> {{start =, stop =, label =, key =, canonical =, text =}, ...}
 * start and stop are byte offsets (0-based, stop exclusive). */
LECTOR_FUNCTION(names, find) {
  names_box *box = check_names(L, 1);
  if (!luaL_testudata(L, 2, LECTOR_DOCUMENT_CLASS)) return luaL_typeerror(L, 2, "Document");
  lua_settop(L, 2);
  const lector_doc *doc = lector_hold_document(L, 2);          /* [finder, doc, hold] */
  size_t n;
  const lector_names_mention *found = find_copied(L, box, doc, &n);   /* [.., copy] */
  luaL_checkstack(L, 12 + F_COUNT, "finding names");
  lua_createtable(L, n > INT_MAX ? 0 : (int)n, 0);
  int list = lua_gettop(L);
  lua_newtable(L);
  lua_newtable(L);
  int keys = list + 1, names = list + 2, fields = list + 3;
  for (int f = 0; f < F_COUNT; f++) lua_pushstring(L, FIELDS[f]);
  for (size_t i = 0; i < n; i++) {
    const lector_names_mention *m = &found[i];
    lua_createtable(L, 0, F_COUNT);
    int t = lua_gettop(L);
    lua_pushinteger(L, m->start);
    set_field(L, t, fields, F_START);
    lua_pushinteger(L, m->stop);
    set_field(L, t, fields, F_STOP);
    lua_pushstring(L, lector_names_label(box->nf, m->label));
    set_field(L, t, fields, F_LABEL);
    push_entity(L, doc, box->nf, m, keys, names);      /* [mention, key, canonical] */
    int same = m->canonical_start == m->start && m->canonical_stop == m->stop;
    if (same) lua_pushvalue(L, -1);
    else lector_push_slice(L, doc, m->start, m->stop);  /* [mention, key, canonical, text] */
    set_field(L, t, fields, F_TEXT);
    set_field(L, t, fields, F_CANONICAL);
    set_field(L, t, fields, F_KEY);
    lua_rawseti(L, list, (lua_Integer)i + 1);
  }
  lua_settop(L, list);
  return 1;
}

/* ---- the type ------------------------------------------------------------- */

static int names_collect(lua_State *L) {
  names_box *box = luaL_checkudata(L, 1, LECTOR_NAMES_CLASS);
  lector_names_free(box->nf);
  box->nf = NULL;
  return 0;
}

static int names_tostring(lua_State *L) {
  check_names(L, 1);
  lua_pushliteral(L, "lector.Names");
  return 1;
}

static const luaL_Reg names_metamethods[] = {
  {"__gc", names_collect},
  {"__tostring", names_tostring},
  {NULL, NULL}
};

static const luaL_Reg names_methods[] = {
  LECTOR_ENTRY(names, find),
  {NULL, NULL}
};

/* finder.NAME: its methods; a finder has no fields. */
static int names_field(lua_State *L) {
  check_names(L, 1);
  if (lua_type(L, 2) == LUA_TSTRING) lua_rawget(L, lua_upvalueindex(1));
  else lua_pushnil(L);
  return 1;
}

void lector_open_names(lua_State *L) {
  lector_register_class(L, LECTOR_NAMES_CLASS, names_metamethods, names_methods, names_field);
}

int lector_names_new_lua(lua_State *L) {
  if (luaL_getmetatable(L, LECTOR_NAMES_CLASS) == LUA_TNIL) lector_open_names(L);
  lua_pop(L, 1);
  return names_new(L);
}
