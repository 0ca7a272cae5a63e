/*
 * Rows: the rows of one SQL statement, read one at a time. A Rows owns its
 * prepared statement and finalizes it when the last row has been read, when
 * it is closed (a generic `for` closes it when the loop is left early) or
 * when it is collected. Its Store stays alive while it does (user value 1),
 * and a Rows whose Store was closed reads no further.
 */
#include <sqlite3.h>
#include <string.h>

#include "lua_lector.h"

typedef struct rows_ud {
  sqlite3_stmt *stmt;      /* NULL once finished or closed */
  int readonly;            /* the statement changes nothing */
  lua_Integer count;       /* rows read so far */
  lua_Integer changes;     /* rows it changed, once finished; -1 before */
  sqlite3_int64 changes_before;   /* the connection's total when it started */
} rows_ud;

static rows_ud *check_rows(lua_State *L, int arg) {
  return luaL_checkudata(L, arg, LECTOR_ROWS_CLASS);
}

static void finalize(rows_ud *rows) {
  sqlite3_finalize(rows->stmt);
  rows->stmt = NULL;
}

sqlite3_stmt **lector_push_rows(lua_State *L, int store) {
  store = lua_absindex(L, store);
  rows_ud *rows = lua_newuserdatauv(L, sizeof *rows, 2);   /* [rows] */
  rows->stmt = NULL;
  rows->readonly = 1;
  rows->count = 0;
  rows->changes = -1;
  luaL_setmetatable(L, LECTOR_ROWS_CLASS);
  lua_pushvalue(L, store);
  lua_setiuservalue(L, -2, 1);
  return &rows->stmt;
}

void lector_rows_ready(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  rows_ud *rows = check_rows(L, idx);
  int columns = sqlite3_column_count(rows->stmt);
  rows->readonly = sqlite3_stmt_readonly(rows->stmt);
  rows->changes_before = sqlite3_total_changes64(sqlite3_db_handle(rows->stmt));
  lua_createtable(L, columns, 0);                          /* [columns] */
  for (int c = 0; c < columns; c++) {
    lua_pushstring(L, sqlite3_column_name(rows->stmt, c));
    lua_rawseti(L, -2, c + 1);
  }
  lua_setiuservalue(L, idx, 2);
}

void lector_push_sql_value(lua_State *L, sqlite3_stmt *stmt, int column) {
  switch (sqlite3_column_type(stmt, column)) {
  case SQLITE_INTEGER: lua_pushinteger(L, sqlite3_column_int64(stmt, column)); break;
  case SQLITE_FLOAT: lua_pushnumber(L, sqlite3_column_double(stmt, column)); break;
  case SQLITE_NULL: lua_pushnil(L); break;
  default: {
    const void *bytes = sqlite3_column_blob(stmt, column);
    lua_pushlstring(L, bytes ? bytes : "", (size_t)sqlite3_column_bytes(stmt, column));
  }
  }
}

/* The current row as a table: values by position (in column order) and by
 * column name. [-0, +1, m] */
static void push_row(lua_State *L, sqlite3_stmt *stmt) {
  int columns = sqlite3_column_count(stmt);
  lua_createtable(L, columns, columns);                    /* [row] */
  for (int c = 0; c < columns; c++) {
    lector_push_sql_value(L, stmt, c);
    lua_pushvalue(L, -1);                                  /* [row, v, v] */
    lua_rawseti(L, -3, c + 1);
    lua_setfield(L, -2, sqlite3_column_name(stmt, c));
  }
}

/* rows() -> the next row, or nil after the last (the statement is then
 * finalized). Raises SQLite's message when a step fails, and when the
 * Store was closed in between. */
static int rows_call(lua_State *L) {
  rows_ud *rows = check_rows(L, 1);
  if (!rows->stmt) return 0;
  lua_getiuservalue(L, 1, 1);
  if (!lector_store_is_open(L, -1)) {
    finalize(rows);
    return luaL_error(L, "database is closed");
  }
  lua_pop(L, 1);
  int rc = sqlite3_step(rows->stmt);
  if (rc == SQLITE_ROW) {
    rows->count++;
    push_row(L, rows->stmt);
    return 1;
  }
  if (rc == SQLITE_DONE) {
    /* The difference of totals, as sqlite3_changes keeps the count of
     * the last INSERT, UPDATE or DELETE across other statements. */
    if (!rows->readonly)
      rows->changes = sqlite3_total_changes64(sqlite3_db_handle(rows->stmt)) - rows->changes_before;
    finalize(rows);
    return 0;
  }
  lua_pushstring(L, sqlite3_errmsg(sqlite3_db_handle(rows->stmt)));
  finalize(rows);
  return lua_error(L);
}

/* rows:close(): finalize the statement now; later calls return nothing. */
LECTOR_FUNCTION(rows, close) {
  finalize(check_rows(L, 1));
  return 0;
}

static int rows_gc(lua_State *L) {
  finalize(check_rows(L, 1));
  return 0;
}

static int rows_field(lua_State *L) {
  rows_ud *rows = check_rows(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "columns") == 0) {
    /* A copy, so that a caller changing it changes no later answer. */
    lua_getiuservalue(L, 1, 2);
    lua_Integer n = luaL_len(L, -1);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, -2, i);
      lua_rawseti(L, -2, i);
    }
  } else if (strcmp(key, "readonly") == 0) {
    lua_pushboolean(L, rows->readonly);
  } else if (strcmp(key, "count") == 0) {
    lua_pushinteger(L, rows->count);
  } else if (strcmp(key, "changes") == 0 && rows->changes >= 0) {
    lua_pushinteger(L, rows->changes);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

static int rows_tostring(lua_State *L) {
  rows_ud *rows = check_rows(L, 1);
  lua_pushfstring(L, "Rows (%s, %I read)", rows->stmt ? "open" : "finished", rows->count);
  return 1;
}

static const luaL_Reg rows_metamethods[] = {
  {"__call", rows_call},
  {"__gc", rows_gc},
  {"__close", lua_rows_close},
  {"__tostring", rows_tostring},
  {NULL, NULL}
};

static const luaL_Reg rows_methods[] = {
  LECTOR_ENTRY(rows, close),
  {NULL, NULL}
};

void lector_open_rows(lua_State *L) {
  lector_register_class(L, LECTOR_ROWS_CLASS, rows_metamethods, rows_methods, rows_field);
}
