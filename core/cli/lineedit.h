/*
 * lector.lineedit: the REPL's terminal side (docs/repl.md). Linked into the
 * lector executable only, so liblector does not depend on libedit.
 */
#ifndef LECTOR_CLI_LINEEDIT_H
#define LECTOR_CLI_LINEEDIT_H

#include <lua.h>

/* require "lector.lineedit": the module table. [-0, +1, e] */
int luaopen_lector_lineedit(lua_State *L);

#endif
