/*
 * PluginState: the trusted state's handle on one plugin running in its own
 * sandboxed Lua state (core/sandbox.c). Plugin code never runs in the
 * trusted state; everything that comes back from a plugin is a copy of
 * plain data.
 */
#include <stdlib.h>
#include <string.h>

#include "lector_limits.h"
#include "lua_lector.h"
#include "sandbox.h"

typedef struct plugin_ud {
  lector_sandbox *box;
} plugin_ud;

static lector_sandbox *check_plugin(lua_State *L, int arg) {
  plugin_ud *ud = luaL_checkudata(L, arg, LECTOR_PLUGIN_STATE_CLASS);
  if (!ud->box) luaL_argerror(L, arg, "closed plugin state");
  return ud->box;
}

/* A positive integer field, or def when absent. */
static lua_Integer positive_field(lua_State *L, int arg, const char *field, lua_Integer def) {
  lua_Integer value = lector_opt_integer_field(L, arg, field, def);
  if (value <= 0) luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be positive", field));
  return value;
}

/* permissions = {read = true} or {"read"} */
static int read_granted(lua_State *L, int arg) {
  int type = lua_getfield(L, arg, "permissions");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (type != LUA_TTABLE) luaL_argerror(L, arg, "field 'permissions' must be a table");
  int granted = lua_getfield(L, -1, "read") == LUA_TBOOLEAN && lua_toboolean(L, -1);
  lua_pop(L, 1);
  for (lua_Integer i = 1; !granted && lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
    granted = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "read") == 0;
    lua_pop(L, 1);
  }
  lua_pop(L, granted ? 1 : 2);
  return granted;
}

/* The folder of a file path, pushed. [-0, +1, m] */
static const char *push_dirname(lua_State *L, const char *file) {
  const char *slash = strrchr(file, '/');
  if (!slash) return lua_pushliteral(L, ".");
  if (slash == file) return lua_pushliteral(L, "/");
  return lua_pushlstring(L, file, (size_t)(slash - file));
}

/* lector.core.sandbox{name=, dir=, file=, memory=, instructions=,
 * exact_count=, permissions=} -> PluginState | nil, message, kind
 * Loads file as text and runs its top level under the budget. kind is
 * "syntax", "error", "instructions", "memory" or "manifest". */
int lector_sandbox_open_lua(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lector_sandbox_config config = {0};
  config.file = lector_opt_string_field(L, 1, "file");
  if (!config.file) luaL_argerror(L, 1, "field 'file' is required");
  config.name = lector_opt_string_field(L, 1, "name");
  if (!config.name) config.name = config.file;
  config.dir = lector_opt_string_field(L, 1, "dir");
  if (!config.dir) config.dir = push_dirname(L, config.file);   /* stays on the stack */
  config.memory = (size_t)positive_field(L, 1, "memory", (lua_Integer)LECTOR_PLUGIN_MEMORY);
  config.instructions = positive_field(L, 1, "instructions", LECTOR_PLUGIN_INSTRUCTIONS);
  config.allow_read = read_granted(L, 1);
  config.exact_count = lector_opt_boolean_field(L, 1, "exact_count");
  config.parent = L;
  plugin_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
  ud->box = NULL;
  luaL_setmetatable(L, LECTOR_PLUGIN_STATE_CLASS);
  lector_error err = {0};
  ud->box = lector_sandbox_create(&config, &err);
  if (!ud->box) {
    lua_pushnil(L);
    lua_pushstring(L, err.message);
    lua_pushstring(L, err.status == LECTOR_ENOMEM ? "memory" : "error");
    return 3;
  }
  int failed = lector_sandbox_load(ud->box, L);
  if (failed) {
    lector_sandbox_close(ud->box);
    ud->box = NULL;
    return failed;
  }
  return 1;
}

/* state:manifest() -> the manifest as plain data | nil, message, "manifest"
 * Functions become the string "function"; no plugin code runs. */
LECTOR_FUNCTION(plugin, manifest) {
  return lector_sandbox_push_manifest(check_plugin(L, 1), L);
}

/* state:run(doc [, opts [, info]]) -> true | nil, message, kind */
LECTOR_FUNCTION(plugin, run) {
  lector_sandbox *box = check_plugin(L, 1);
  lector_doc *doc = lector_check_document(L, 2);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
  lua_Integer run_id = lector_opt_integer_field(L, 4, "run_id", 0);
  if (run_id < 0) luaL_argerror(L, 4, "field 'run_id' must not be negative");
  return lector_sandbox_run(box, L, doc, lua_istable(L, 3) ? 3 : 0, (int64_t)run_id);
}

/* state:logs() -> {line...} logged by print and ctx.log in the last call */
LECTOR_FUNCTION(plugin, logs) {
  return lector_sandbox_push_logs(check_plugin(L, 1), L);
}

/* state:stats([into]) -> {instructions=, memory=, peak=} of the last call,
 * into the table given if any: a caller that asks after every call need
 * not make a table each time. */
LECTOR_FUNCTION(plugin, stats) {
  lector_sandbox_stats stats;
  lector_sandbox_get_stats(check_plugin(L, 1), &stats);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
  } else {
    lua_createtable(L, 0, 3);
  }
  lua_pushinteger(L, (lua_Integer)stats.instructions);
  lua_setfield(L, -2, "instructions");
  lua_pushinteger(L, (lua_Integer)stats.memory);
  lua_setfield(L, -2, "memory");
  lua_pushinteger(L, (lua_Integer)stats.peak);
  lua_setfield(L, -2, "peak");
  return 1;
}

/* state:close(): free the plugin's state now; later calls raise. */
LECTOR_FUNCTION(plugin, close) {
  plugin_ud *ud = luaL_checkudata(L, 1, LECTOR_PLUGIN_STATE_CLASS);
  lector_sandbox_close(ud->box);
  ud->box = NULL;
  return 0;
}

static int plugin_tostring(lua_State *L) {
  plugin_ud *ud = luaL_checkudata(L, 1, LECTOR_PLUGIN_STATE_CLASS);
  if (!ud->box) lua_pushliteral(L, "PluginState (closed)");
  else lua_pushfstring(L, "PluginState %s", lector_sandbox_name(ud->box));
  return 1;
}

static const luaL_Reg plugin_metamethods[] = {
  {"__tostring", plugin_tostring},
  {"__gc", lua_plugin_close},
  {"__close", lua_plugin_close},
  {NULL, NULL}
};

static const luaL_Reg plugin_methods[] = {
  LECTOR_ENTRY(plugin, manifest),
  LECTOR_ENTRY(plugin, run),
  LECTOR_ENTRY(plugin, logs),
  LECTOR_ENTRY(plugin, stats),
  LECTOR_ENTRY(plugin, close),
  {NULL, NULL}
};

void lector_open_plugin(lua_State *L) {
  lector_register_class(L, LECTOR_PLUGIN_STATE_CLASS, plugin_metamethods, plugin_methods, NULL);
}
