/*
 * Scanner: the Lua-visible expression scanner of core/expression_scan.c,
 * lector.patterns.scanner (docs/lua-api.md#scanners).
 *
 * A plugin builds one with the words that open expressions in its texts
 * and what each needs after it; scanner:find(text) then gives P.any's
 * matches at the word starts those words, digits, signs, currency codes
 * and host names mark, in one C pass over the text.
 *
 * Its memory is Lua's: the word table lives in the userdata, and a
 * search's position in a userdata held by its iterator.
 */
#include <string.h>

#include "expression_scan.h"
#include "lua_lector.h"

typedef struct scanner_box {
  lector_expr_scanner sc;
  lector_scan_word slots[];
} scanner_box;

/* The configuration fields and the flags each gives its words. */
static const struct {
  const char *field;
  unsigned flags;
} lists[] = {
  {"words", LECTOR_SCAN_ANYWHERE},
  {"before_digit", LECTOR_SCAN_BEFORE_DIGIT},
  {"before_time", LECTOR_SCAN_BEFORE_TIME},
  {"time_words", LECTOR_SCAN_TIME_WORD},
  {"capitalized", LECTOR_SCAN_CAPITALIZED},
};
enum { LISTS = sizeof lists / sizeof *lists };

static scanner_box *check_scanner(lua_State *L, int arg) {
  return luaL_checkudata(L, arg, LECTOR_SCANNER_CLASS);
}

/* ---- configuration -------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Add one word (or count it, box NULL), raising on a word the scanner
 * cannot hold. */
static void add_word(lua_State *L, int arg, const char *field, scanner_box *box,
                     unsigned flags, const char *w, size_t len) {
  if (len == 0 || len > LECTOR_SCAN_WORD_BYTES)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: a word must have 1 to %d letters",
                                          field, LECTOR_SCAN_WORD_BYTES));
  if (box && !lector_expr_scanner_add(&box->sc, w, len, flags))
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: '%s' is not a word of ASCII letters", field,
                                          lua_pushlstring(L, w, len)));
}

static size_t each_in_string(lua_State *L, int arg, const char *field, scanner_box *box,
                             unsigned flags) {
  size_t len, n = 0;
  const char *s = lua_tolstring(L, -1, &len);
  for (size_t i = 0; i < len;) {
    while (i < len && is_space(s[i])) i++;
    size_t from = i;
    while (i < len && !is_space(s[i])) i++;
    if (i == from) break;
    add_word(L, arg, field, box, flags, s + from, i - from);
    n++;
  }
  return n;
}

static size_t each_in_array(lua_State *L, int arg, const char *field, scanner_box *box,
                            unsigned flags) {
  lua_Integer count = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= count; i++) {
    size_t len;
    if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "%s[%I] must be a string", field, i));
    const char *w = lua_tolstring(L, -1, &len);
    add_word(L, arg, field, box, flags, w, len);
    lua_pop(L, 1);
  }
  return (size_t)count;
}

/* Add (or count, box NULL) each word of the list on top: a string of
 * words separated by white space, an array of strings or nil. Returns how
 * many words it holds. [-0, +0, v] */
static size_t each_word(lua_State *L, int arg, const char *field, scanner_box *box,
                        unsigned flags) {
  if (lua_type(L, -1) == LUA_TSTRING) return each_in_string(L, arg, field, box, flags);
  if (lua_type(L, -1) == LUA_TTABLE) return each_in_array(L, arg, field, box, flags);
  if (lua_isnil(L, -1)) return 0;
  return (size_t)luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be a string of "
                                                       "words or an array of words", field));
}

/* Every list of the configuration at arg, counted (box NULL) or added. */
static size_t read_lists(lua_State *L, int arg, scanner_box *box) {
  size_t n = 0;
  for (int i = 0; i < LISTS; i++) {
    lua_getfield(L, arg, lists[i].field);
    n += each_word(L, arg, lists[i].field, box, lists[i].flags);
    if (n > LECTOR_SCAN_MAX_WORDS)
      luaL_argerror(L, arg, lua_pushfstring(L, "more than %d words", LECTOR_SCAN_MAX_WORDS));
    lua_pop(L, 1);
  }
  return n;
}

/* A key of the configuration that is none of its lists: a typo. */
static void refuse_unknown_keys(lua_State *L, int arg) {
  lua_pushnil(L);
  while (lua_next(L, arg)) {
    lua_pop(L, 1);
    bool known = false;
    for (int i = 0; i < LISTS && lua_type(L, -1) == LUA_TSTRING; i++)
      known = known || strcmp(lua_tostring(L, -1), lists[i].field) == 0;
    if (!known)
      luaL_argerror(L, arg, lua_pushfstring(L, "unknown key '%s'", luaL_tolstring(L, -1, NULL)));
  }
}

/* lector.patterns.scanner{words =, before_digit =, before_time =,
 * time_words =, capitalized =} -> Scanner */
int lector_scanner_new_lua(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  /* the type is registered on first use: plugin states do not open lector.core */
  if (luaL_getmetatable(L, LECTOR_SCANNER_CLASS) == LUA_TNIL) lector_open_scanner(L);
  lua_settop(L, 1);
  refuse_unknown_keys(L, 1);
  size_t words = read_lists(L, 1, NULL), nslots = 8;
  while (nslots < 2 * words) nslots *= 2;
  scanner_box *box = lua_newuserdatauv(L, sizeof *box + nslots * sizeof box->slots[0], 0);
  lector_expr_scanner_init(&box->sc, box->slots, nslots);
  luaL_setmetatable(L, LECTOR_SCANNER_CLASS);
  read_lists(L, 1, box);
  return 1;
}

/* ---- searching ------------------------------------------------------------ */

/* The iterator of scanner:find (upvalues: the Scanner, the text, the
 * lector_expr_scan userdata) -> start, stop, value | nil */
static int scanner_next(lua_State *L) {
  scanner_box *box = lua_touserdata(L, lua_upvalueindex(1));
  size_t len;
  const char *s = lua_tolstring(L, lua_upvalueindex(2), &len);
  lector_expr_scan *st = lua_touserdata(L, lua_upvalueindex(3));
  lector_expression e;
  if (!lector_expr_scan_next(&box->sc, s, len, st, &e)) return 0;
  lua_pushinteger(L, (lua_Integer)e.text.start);
  lua_pushinteger(L, (lua_Integer)e.text.stop);
  lector_push_expression(L, s, &e);
  return 3;
}

/* scanner:find(text [, init]) -> iterator of start, stop, value: each
 * expression P.any finds from byte init (0-based, a word start), with its
 * 0-based start, exclusive stop and P.any's table. */
LECTOR_FUNCTION(scanner, find) {
  check_scanner(L, 1);
  size_t len;
  luaL_checklstring(L, 2, &len);
  lua_Integer init = luaL_optinteger(L, 3, 0);
  if (init < 0 || (lua_Unsigned)init > len)
    luaL_argerror(L, 3, lua_pushfstring(L, "a byte offset 0..%I expected", (lua_Integer)len));
  lua_settop(L, 2);
  lector_expr_scan *st = lua_newuserdatauv(L, sizeof *st, 0);   /* [scanner, text, scan] */
  lector_expr_scan_begin(st, (size_t)init);
  lua_pushcclosure(L, scanner_next, 3);
  return 1;
}

static int scanner_tostring(lua_State *L) {
  scanner_box *box = check_scanner(L, 1);
  lua_pushfstring(L, "lector.Scanner (%d words)", (int)box->sc.words);
  return 1;
}

static const luaL_Reg scanner_metamethods[] = {{"__tostring", scanner_tostring}, {NULL, NULL}};
static const luaL_Reg scanner_methods[] = {LECTOR_ENTRY(scanner, find), {NULL, NULL}};

void lector_open_scanner(lua_State *L) {
  /* no fields: __index is the methods table itself */
  lector_register_class(L, LECTOR_SCANNER_CLASS, scanner_metamethods, scanner_methods, NULL);
}
