/*
 * The Lua side of core/expressions.c: what lector.patterns' patterns run.
 *
 * lector.core.expression(name) gives the matcher of one pattern, a
 * function for lpeg.Cmt(lpeg.S(first), matcher), and `first`, the bytes its
 * matches may start with: matcher(subject, i) -> the position after the
 * match and its table, or false, for a match that starts at the byte
 * before i. The table is the one the LPeg grammar
 * built before the grammar moved to C: the same fields and values, the
 * same integer or float numbers, and built by the same steps, so even
 * pairs() visits its fields in the same order.
 */
#include <string.h>

#include "expressions.h"
#include "lua_lector.h"

static void push_number(lua_State *L, lector_expr_number v) {
  if (v.is_real) lua_pushnumber(L, v.real);
  else lua_pushinteger(L, (lua_Integer)v.integer);
}

static void set_string(lua_State *L, const char *field, const char *value) {
  lua_pushstring(L, value);
  lua_setfield(L, -2, field);
}

static void set_integer(lua_State *L, const char *field, lua_Integer value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, field);
}

static void set_number(lua_State *L, const char *field, lector_expr_number value) {
  push_number(L, value);
  lua_setfield(L, -2, field);
}

static void set_nil(lua_State *L, const char *field) {
  lua_pushnil(L);
  lua_setfield(L, -2, field);
}

static void set_true(lua_State *L, const char *field) {
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, field);
}

static void set_slice(lua_State *L, const char *field, const char *s, lector_expr_span span) {
  lua_pushlstring(L, s + span.start, span.stop - span.start);
  lua_setfield(L, -2, field);
}

/* field = the span in lower case (ASCII letters only, as string.lower) */
static void set_lower(lua_State *L, const char *field, const char *s, lector_expr_span span) {
  size_t n = span.stop - span.start;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, n);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[span.start + i];
    out[i] = (char)((unsigned)(c - 'A') < 26u ? c | 0x20 : c);
  }
  luaL_pushresultsize(&b, n);
  lua_setfield(L, -2, field);
}

/* A table of three to five fields made as a Lua table constructor makes
 * it: kind first. [-0, +1, m] */
static void new_table(lua_State *L, int fields, const lector_expression *e) {
  lua_createtable(L, 0, fields);
  set_string(L, "kind", lector_expr_kind_names[e->kind]);
}

/* One field of a date or time as the grammar captured it. */
static void set_captured(lua_State *L, const lector_expression *e, lector_expr_field field) {
  switch (field) {
  case LECTOR_FIELD_YEAR: set_integer(L, "year", e->year); break;
  case LECTOR_FIELD_MONTH: set_integer(L, "month", e->month); break;
  case LECTOR_FIELD_DAY: set_integer(L, "day", e->day); break;
  case LECTOR_FIELD_WEEKDAY: set_integer(L, "weekday", e->weekday); break;
  case LECTOR_FIELD_DECADE: set_integer(L, "decade", e->decade); break;
  case LECTOR_FIELD_PART: set_string(L, "part", e->part); break;
  case LECTOR_FIELD_OFFSET: set_number(L, "offset", e->offset); break;
  case LECTOR_FIELD_COUNT: set_number(L, "count", e->count); break;
  case LECTOR_FIELD_UNIT: set_string(L, "unit", e->unit); break;
  case LECTOR_FIELD_AGO: set_true(L, "ago"); break;
  case LECTOR_FIELD_APPROX: set_true(L, "approx"); break;
  case LECTOR_FIELD_HOUR: set_integer(L, "hour", e->hour); break;
  case LECTOR_FIELD_MINUTE: set_integer(L, "minute", e->minute); break;
  case LECTOR_FIELD_SECOND: set_integer(L, "second", e->second); break;
  case LECTOR_FIELD_AMPM: set_string(L, "ampm", e->ampm); break;
  case LECTOR_FIELD_ZONE: set_string(L, "zone", e->zone); break;
  default: break;
  }
}

/* A date or time of the grammar's field captures: the captured fields in
 * order, then what the grammar's check changed, in its order. */
static void push_captured(lua_State *L, const char *s, const lector_expression *e) {
  lua_newtable(L);
  for (int i = 0; i < e->norder; i++) set_captured(L, e, (lector_expr_field)e->order[i]);
  if (e->kind == LECTOR_KIND_TIME) {
    set_integer(L, "minute", e->minute);
    set_integer(L, "hour", e->hour);
  } else {
    if (e->ago) {
      set_nil(L, "ago");
      set_number(L, "offset", e->offset);
      set_nil(L, "count");
    }
    if (LECTOR_HAS(e, LECTOR_FIELD_RELATIVE)) {
      set_string(L, "relative", e->relative);
      if (!LECTOR_HAS(e, LECTOR_FIELD_OFFSET)) set_nil(L, "offset");
    }
  }
  if (LECTOR_HAS(e, LECTOR_FIELD_ISO)) set_string(L, "iso", e->iso);
  set_slice(L, "text", s, e->text);
  set_string(L, "kind", lector_expr_kind_names[e->kind]);
}

/* A year, month or weekday alone. */
static void push_date_alone(lua_State *L, const char *s, const lector_expression *e) {
  if (LECTOR_HAS(e, LECTOR_FIELD_WEEKDAY) || LECTOR_HAS(e, LECTOR_FIELD_MONTH)) {
    new_table(L, 3, e);
    if (LECTOR_HAS(e, LECTOR_FIELD_WEEKDAY)) set_integer(L, "weekday", e->weekday);
    else set_integer(L, "month", e->month);
  } else {
    new_table(L, 4, e);
    set_integer(L, "year", e->year);
    set_string(L, "iso", e->iso);
  }
  set_slice(L, "text", s, e->text);
}

/* Push e's table, s being the subject. [-0, +1, m] */
void lector_push_expression(lua_State *L, const char *s, const lector_expression *e) {
  switch (e->kind) {
  case LECTOR_KIND_DATE:
    if (e->norder) push_captured(L, s, e);
    else push_date_alone(L, s, e);
    return;
  case LECTOR_KIND_TIME:
    push_captured(L, s, e);
    return;
  case LECTOR_KIND_URL:
    new_table(L, 5, e);
    set_slice(L, "url", s, e->text);
    if (LECTOR_HAS(e, LECTOR_FIELD_SCHEME)) set_lower(L, "scheme", s, e->scheme);
    set_lower(L, "host", s, e->host);
    break;
  case LECTOR_KIND_EMAIL:
    new_table(L, 5, e);
    set_slice(L, "address", s, e->text);
    set_slice(L, "user", s, e->user);
    set_lower(L, "domain", s, e->domain);
    break;
  case LECTOR_KIND_MONEY:
    new_table(L, 3, e);
    set_number(L, "amount", e->value);
    set_slice(L, "text", s, e->text);
    if (e->currency) set_string(L, "currency", e->currency);
    return;
  case LECTOR_KIND_QUANTITY:
    new_table(L, 5, e);
    set_number(L, "value", e->value);
    set_string(L, "unit", e->unit);
    set_string(L, "dimension", e->dimension);
    break;
  case LECTOR_KIND_DURATION:
    new_table(L, 4, e);
    set_number(L, "value", e->value);
    set_string(L, "unit", e->unit);
    break;
  case LECTOR_KIND_PERCENT:
    new_table(L, 4, e);
    set_number(L, "value", e->value);
    if (e->points) set_true(L, "points");
    break;
  default:   /* number, ordinal */
    new_table(L, e->approx ? 4 : 3, e);
    set_number(L, "value", e->value);
    if (e->approx) set_true(L, "approx");
    break;
  }
  set_slice(L, "text", s, e->text);
}

/* matcher(subject, i) -> the position after the match, its table | false
 * (upvalue 1: the pattern's number): whether an expression starts at byte
 * i - 1, the byte before i, as lpeg.Cmt(lpeg.S(first), matcher) calls it. */
static int match_expression(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_Integer i = luaL_checkinteger(L, 2);
  lector_expr_pattern which = (lector_expr_pattern)lua_tointeger(L, lua_upvalueindex(1));
  lector_expression e;
  if (i < 2 || (lua_Unsigned)i - 2 >= len || !lector_expression_at(s, len, (size_t)i - 2, which, &e)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushinteger(L, (lua_Integer)e.text.stop + 1);
  lector_push_expression(L, s, &e);
  return 2;
}

int lector_expression_matcher_lua(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  for (int i = 0; i < LECTOR_EXPR_PATTERNS; i++) {
    if (strcmp(name, lector_expr_pattern_names[i]) != 0) continue;
    lua_pushinteger(L, i);
    lua_pushcclosure(L, match_expression, 1);
    lua_pushstring(L, lector_expression_first_bytes((lector_expr_pattern)i));
    return 2;
  }
  return luaL_argerror(L, 1, lua_pushfstring(L, "no pattern named '%s'", name));
}
