/*
 * Store: the Lua face of a lector database. SQL from scripts runs with
 * bound parameters only; the connection and its transactions stay owned by
 * store.c.
 */
#include <string.h>

#include "lua_lector.h"
#include "store.h"

typedef struct store_ud {
  lector_store *store;
} store_ud;

static lector_store *check_store(lua_State *L, int arg) {
  store_ud *ud = luaL_checkudata(L, arg, LECTOR_STORE_CLASS);
  if (!ud->store) luaL_argerror(L, arg, "database is closed");
  return ud->store;
}

/* lector.open(path [, {readonly = true}]) -> Store | nil, message, status */
int lector_store_open_lua(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  int flags = lector_opt_boolean_field(L, 2, "readonly") ? LECTOR_STORE_READONLY : 0;
  store_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
  ud->store = NULL;
  luaL_setmetatable(L, LECTOR_STORE_CLASS);
  lector_error err = {0};
  if (lector_store_open(path, flags, &ud->store, &err) != LECTOR_OK)
    return lector_push_failure(L, path, &err);
  return 1;
}

/* db:save(doc) -> stored id, is_new | nil, message, status */
LECTOR_FUNCTION(store, save) {
  lector_store *store = check_store(L, 1);
  lector_doc *doc = lector_check_document(L, 2);
  const char *stored_id = NULL;
  int is_new = 0;
  lector_error err = {0};
  if (lector_store_save(store, doc, &stored_id, &is_new, &err) != LECTOR_OK)
    return lector_push_failure(L, lector_store_path(store), &err);
  lua_pushstring(L, stored_id);
  lua_pushboolean(L, is_new);
  return 2;
}

/* db:flush(): commit the pending batch now. */
LECTOR_FUNCTION(store, flush) {
  lector_store *store = check_store(L, 1);
  lector_error err = {0};
  if (lector_store_flush(store, &err) != LECTOR_OK)
    return lector_push_failure(L, lector_store_path(store), &err);
  lua_pushboolean(L, 1);
  return 1;
}

/* db:load(id) -> Document | nil, message, status */
LECTOR_FUNCTION(store, load) {
  lector_store *store = check_store(L, 1);
  const char *id = luaL_checkstring(L, 2);
  lector_doc **slot = lector_push_document(L, NULL);
  lector_error err = {0};
  if (lector_store_load(store, id, slot, &err) != LECTOR_OK)
    return lector_push_failure(L, id, &err);
  lector_account_document(L, slot);
  return 1;
}

int lector_store_is_open(lua_State *L, int idx) {
  store_ud *ud = luaL_testudata(L, idx, LECTOR_STORE_CLASS);
  return ud && ud->store;
}

static void bind_value(lua_State *L, sqlite3_stmt *stmt, int arg, int position) {
  int rc = SQLITE_OK;
  switch (lua_type(L, arg)) {
  case LUA_TNIL: rc = sqlite3_bind_null(stmt, position); break;
  case LUA_TBOOLEAN: rc = sqlite3_bind_int(stmt, position, lua_toboolean(L, arg)); break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, arg)) rc = sqlite3_bind_int64(stmt, position, lua_tointeger(L, arg));
    else rc = sqlite3_bind_double(stmt, position, lua_tonumber(L, arg));
    break;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, arg, &len);
    rc = sqlite3_bind_text(stmt, position, s, (int)len, SQLITE_TRANSIENT);
    break;
  }
  default:
    luaL_argerror(L, arg, lua_pushfstring(L, "cannot bind a %s", luaL_typename(L, arg)));
  }
  if (rc != SQLITE_OK) luaL_argerror(L, arg, "too large to bind");
}

/* Bind the values at stack positions first..last to the statement's
 * parameters in order; raises when their numbers differ. */
static void bind_values(lua_State *L, sqlite3_stmt *stmt, int first, int last) {
  int params = sqlite3_bind_parameter_count(stmt);
  int given = last - first + 1;
  if (params != given)
    luaL_error(L, "the statement has %d parameter(s) but %d value(s) were given", params, given);
  for (int i = 1; i <= params; i++) bind_value(L, stmt, first + i - 1, i);
}

/* Binds arguments 3.. and steps the statement (argument 2, a light
 * userdata), collecting rows. Runs protected: the caller finalizes. */
static int run_statement(lua_State *L) {
  sqlite3_stmt *stmt = lua_touserdata(L, 1);
  bind_values(L, stmt, 2, lua_gettop(L));
  lua_newtable(L);
  int columns = sqlite3_column_count(stmt);
  lua_Integer row = 0;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    luaL_checkstack(L, 4, "too many columns");
    lua_createtable(L, 0, columns);
    for (int c = 0; c < columns; c++) {
      lector_push_sql_value(L, stmt, c);
      lua_setfield(L, -2, sqlite3_column_name(stmt, c));
    }
    lua_rawseti(L, -2, ++row);
  }
  if (rc != SQLITE_DONE) return luaL_error(L, "%s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
  return 1;
}

/* db:query(sql, ...) -> {row...}, each row a table keyed by column name.
 * Values are bound to the statement's ? parameters in order. */
LECTOR_FUNCTION(store, query) {
  lector_store *store = check_store(L, 1);
  const char *sql = luaL_checkstring(L, 2);
  sqlite3_stmt *stmt = NULL;
  lector_error err = {0};
  if (lector_store_prepare(store, sql, &stmt, &err) != LECTOR_OK)
    return luaL_error(L, "%s", err.message);
  int nargs = lua_gettop(L) - 2;
  if (!lua_checkstack(L, nargs + 2)) {
    sqlite3_finalize(stmt);
    return luaL_error(L, "too many values to bind (%d)", nargs);
  }
  lua_pushcfunction(L, run_statement);
  lua_pushlightuserdata(L, stmt);
  for (int i = 0; i < nargs; i++) lua_pushvalue(L, 3 + i);
  int status = lua_pcall(L, nargs + 1, 1, 0);
  sqlite3_finalize(stmt);
  if (status != LUA_OK) return lua_error(L);
  return 1;
}

/* db:rows(sql, ...) -> Rows, nil, nil, Rows: the statement's rows one at a
 * time, for a generic for (which closes the Rows, its fourth value, when
 * the loop is left early). The Rows owns the statement from the start, so
 * raising while binding leaks nothing. */
LECTOR_FUNCTION(store, rows) {
  lector_store *store = check_store(L, 1);
  const char *sql = luaL_checkstring(L, 2);
  int last = lua_gettop(L);
  sqlite3_stmt **slot = lector_push_rows(L, 1);       /* [db, sql, args..., rows] */
  lector_error err = {0};
  if (lector_store_prepare(store, sql, slot, &err) != LECTOR_OK)
    return luaL_error(L, "%s", err.message);
  lector_rows_ready(L, -1);
  bind_values(L, *slot, 3, last);
  lua_pushnil(L);
  lua_pushnil(L);
  lua_pushvalue(L, -3);                               /* [..., rows, nil, nil, rows] */
  return 4;
}

/* db:merge(path) -> {documents=, added=, duplicates=, conflicts=, runs=,
 * spans=, values=, passes=} | nil, message, status */
LECTOR_FUNCTION(store, merge) {
  lector_store *store = check_store(L, 1);
  const char *path = luaL_checkstring(L, 2);
  lector_merge_stats stats;
  lector_error err = {0};
  if (lector_store_merge(store, path, &stats, &err) != LECTOR_OK)
    return lector_push_failure(L, path, &err);
  const struct { const char *name; int64_t value; } fields[] = {
    {"documents", stats.documents}, {"added", stats.added}, {"duplicates", stats.duplicates},
    {"conflicts", stats.conflicts}, {"runs", stats.runs}, {"spans", stats.spans},
    {"values", stats.values}, {"passes", stats.passes},
  };
  lua_createtable(L, 0, (int)(sizeof fields / sizeof *fields));
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    lua_pushinteger(L, (lua_Integer)fields[i].value);
    lua_setfield(L, -2, fields[i].name);
  }
  return 1;
}

/* Push lector.corpus's function `name`: the Store methods written in Lua
 * live there. The module is found the way require finds it (loaded, else
 * its preloaded loader) without the global `require`, which a script may
 * have replaced. [-0, +1, e] */
static void push_corpus_function(lua_State *L, const char *name) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);        /* [loaded] */
  if (lua_getfield(L, -1, "lector.corpus") != LUA_TTABLE) {         /* [loaded, m] */
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);      /* [loaded, preload] */
    if (lua_getfield(L, -1, "lector.corpus") != LUA_TFUNCTION)
      luaL_error(L, "lector.corpus is not available in this Lua state");
    lua_pushliteral(L, "lector.corpus");
    lua_call(L, 1, 1);                                             /* [loaded, preload, m] */
    lua_remove(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "lector.corpus");                          /* [loaded, m] */
  }
  lua_getfield(L, -1, name);                                       /* [loaded, m, f] */
  lua_replace(L, -3);
  lua_pop(L, 1);                                                   /* [f] */
}

/* Call lector.corpus[name](db, ...) with every argument, return its results. */
static int call_corpus(lua_State *L, const char *name) {
  int nargs = lua_gettop(L);
  push_corpus_function(L, name);
  lua_insert(L, 1);
  lua_call(L, nargs, LUA_MULTRET);
  return lua_gettop(L);
}

/* db:search(query [, opts]) -> Rows of hits; see lector.corpus. */
LECTOR_FUNCTION(store, search) {
  check_store(L, 1);
  luaL_checkstring(L, 2);
  return call_corpus(L, "search");
}

/* db:documents([sql, ...]) -> an iterator over stored Documents; see
 * lector.corpus. */
LECTOR_FUNCTION(store, documents) {
  check_store(L, 1);
  luaL_optstring(L, 2, NULL);
  return call_corpus(L, "documents");
}

/* db:begin_run(plugin, version, options_json) -> run id | nil, message, status */
LECTOR_FUNCTION(store, begin_run) {
  lector_store *store = check_store(L, 1);
  const char *plugin = luaL_checkstring(L, 2);
  const char *version = luaL_checkstring(L, 3);
  const char *options = luaL_checkstring(L, 4);
  int64_t run_id = 0;
  lector_error err = {0};
  if (lector_store_begin_run(store, plugin, version, options, &run_id, &err) != LECTOR_OK)
    return lector_push_failure(L, lector_store_path(store), &err);
  lua_pushinteger(L, run_id);
  return 1;
}

/* db:finish_run(run_id, status [, error]) -> true | nil, message, status */
LECTOR_FUNCTION(store, finish_run) {
  lector_store *store = check_store(L, 1);
  lua_Integer run_id = luaL_checkinteger(L, 2);
  const char *status = luaL_checkstring(L, 3);
  const char *error = luaL_optstring(L, 4, NULL);
  lector_error err = {0};
  if (lector_store_finish_run(store, run_id, status, error, &err) != LECTOR_OK)
    return lector_push_failure(L, lector_store_path(store), &err);
  lua_pushboolean(L, 1);
  return 1;
}

/* Builds the table for db:pass from a lector_pass (light userdata);
 * runs protected so the caller frees the pass either way. */
static int push_pass(lua_State *L) {
  const lector_pass *pass = lua_touserdata(L, 1);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, pass->version);
  lua_setfield(L, -2, "version");
  lua_pushstring(L, pass->options_json);
  lua_setfield(L, -2, "options");
  lua_pushstring(L, pass->status);
  lua_setfield(L, -2, "status");
  lua_pushinteger(L, pass->run_id);
  lua_setfield(L, -2, "run_id");
  lua_pushstring(L, pass->inputs_json);
  lua_setfield(L, -2, "inputs");
  return 1;
}

/* db:pass(doc_id, plugin) -> {version=, options=, inputs=, status=, run_id=} | nil */
LECTOR_FUNCTION(store, pass) {
  lector_store *store = check_store(L, 1);
  const char *doc_id = luaL_checkstring(L, 2);
  const char *plugin = luaL_checkstring(L, 3);
  lector_pass pass;
  int found = 0;
  lector_error err = {0};
  if (lector_store_get_pass(store, doc_id, plugin, &pass, &found, &err) != LECTOR_OK)
    return lector_push_failure(L, lector_store_path(store), &err);
  if (!found) return 0;
  lua_pushcfunction(L, push_pass);
  lua_pushlightuserdata(L, &pass);
  int status = lua_pcall(L, 1, 1, 0);
  lector_pass_clear(&pass);
  if (status != LUA_OK) return lua_error(L);
  return 1;
}

/* db:set_pass(doc_id, plugin, {version=, options=, inputs=, status=, run_id=, error=}) */
LECTOR_FUNCTION(store, set_pass) {
  lector_store *store = check_store(L, 1);
  const char *doc_id = luaL_checkstring(L, 2);
  const char *plugin = luaL_checkstring(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  const char *version = lector_opt_string_field(L, 4, "version");
  const char *options = lector_opt_string_field(L, 4, "options");
  const char *status = lector_opt_string_field(L, 4, "status");
  lua_Integer run_id = lector_opt_integer_field(L, 4, "run_id", 0);
  const char *error = lector_opt_string_field(L, 4, "error");
  const char *inputs = lector_opt_string_field(L, 4, "inputs");
  if (!version || !options || !status)
    return luaL_argerror(L, 4, "fields 'version', 'options' and 'status' are required");
  lector_error err = {0};
  if (lector_store_set_pass(store, doc_id, plugin, version, options, inputs, run_id, status,
                            error, &err) != LECTOR_OK)
    return lector_push_failure(L, lector_store_path(store), &err);
  lua_pushboolean(L, 1);
  return 1;
}

static int close_store(lua_State *L, int raise) {
  store_ud *ud = luaL_checkudata(L, 1, LECTOR_STORE_CLASS);
  lector_store *store = ud->store;
  ud->store = NULL;
  lector_error err = {0};
  if (store && lector_store_close(store, &err) != LECTOR_OK && raise)
    return luaL_error(L, "%s", err.message);
  return 0;
}

/* db:close(): commit what is pending and close; later calls raise. */
LECTOR_FUNCTION(store, close) {
  return close_store(L, 1);
}

static int store_gc(lua_State *L) {
  return close_store(L, 0);
}

static int store_field(lua_State *L) {
  store_ud *ud = luaL_checkudata(L, 1, LECTOR_STORE_CLASS);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "path") == 0 && ud->store) lua_pushstring(L, lector_store_path(ud->store));
  else lua_pushnil(L);
  return 1;
}

static int store_tostring(lua_State *L) {
  store_ud *ud = luaL_checkudata(L, 1, LECTOR_STORE_CLASS);
  if (ud->store) lua_pushfstring(L, "Store %s", lector_store_path(ud->store));
  else lua_pushliteral(L, "Store (closed)");
  return 1;
}

static const luaL_Reg store_metamethods[] = {
  {"__gc", store_gc},
  {"__close", lua_store_close},
  {"__tostring", store_tostring},
  {NULL, NULL}
};

static const luaL_Reg store_methods[] = {
  LECTOR_ENTRY(store, save),
  LECTOR_ENTRY(store, flush),
  LECTOR_ENTRY(store, load),
  LECTOR_ENTRY(store, query),
  LECTOR_ENTRY(store, rows),
  LECTOR_ENTRY(store, search),
  LECTOR_ENTRY(store, documents),
  LECTOR_ENTRY(store, merge),
  LECTOR_ENTRY(store, close),
  LECTOR_ENTRY(store, begin_run),
  LECTOR_ENTRY(store, finish_run),
  LECTOR_ENTRY(store, pass),
  LECTOR_ENTRY(store, set_pass),
  {NULL, NULL}
};

void lector_open_store(lua_State *L) {
  lector_register_class(L, LECTOR_STORE_CLASS, store_metamethods, store_methods, store_field);
}
