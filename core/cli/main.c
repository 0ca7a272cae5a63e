/*
 * The lector command: a trusted Lua state running the `lector.cli` module.
 * Argument parsing, commands and reports live in Lua (core/lua/lector/cli.lua);
 * this file only owns the process: the state, the exit code, the last-resort
 * error message.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>

#include "host.h"
#include "lineedit.h"
#include "store.h"

#define EXIT_INTERNAL 1

typedef struct cli_args {
  int argc;
  char **argv;
} cli_args;

/* [-0, +1, e]: require "lector.cli" and return cli.main(args). */
static int run_cli(lua_State *L) {
  const cli_args *args = lua_touserdata(L, 1);
  /* The REPL's terminal module lives in the executable, not in liblector. */
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_lector_lineedit);
  lua_setfield(L, -2, "lector.lineedit");
  lua_pop(L, 1);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "lector.cli");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "main");
  lua_createtable(L, args->argc, 0);
  for (int i = 0; i < args->argc; i++) {
    lua_pushstring(L, args->argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_call(L, 1, 1);
  return 1;
}

int main(int argc, char **argv) {
  lector_store_configure_process();
  lector_error err = {0};
  lua_State *L = lector_host_new(&err);
  if (!L) {
    fprintf(stderr, "lector: %s\n", err.message);
    return EXIT_INTERNAL;
  }
  cli_args args = {argc, argv};
  lua_pushcfunction(L, run_cli);
  lua_pushlightuserdata(L, &args);
  int code = EXIT_INTERNAL;
  if (lector_host_pcall(L, 1, 1) != LUA_OK)
    fprintf(stderr, "lector: internal error: %s\n", lua_tostring(L, -1));
  else if (lua_isinteger(L, -1))
    code = (int)lua_tointeger(L, -1);
  fflush(stdout);
  lector_host_close(L);
  return code;
}
