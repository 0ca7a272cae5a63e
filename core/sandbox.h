/*
 * The plugin sandbox: one Lua state per plugin, holding only what plugins
 * may use, with an instruction budget per call, a memory limit, and
 * copies of plain data as the only traffic with the trusted state.
 * docs/sandbox.md describes the environment and the threats it answers.
 */
#ifndef LECTOR_SANDBOX_H
#define LECTOR_SANDBOX_H

#include <lua.h>

#include "doc.h"

typedef struct lector_sandbox lector_sandbox;

typedef struct lector_sandbox_config {
  const char *name;       /* the plugin, for messages */
  const char *dir;        /* its folder: require and ctx.read stay inside */
  const char *file;       /* its main file, loaded as text only */
  size_t memory;          /* bytes its state may hold; 0: LECTOR_PLUGIN_MEMORY */
  int64_t instructions;   /* per call; 0: LECTOR_PLUGIN_INSTRUCTIONS */
  int allow_read;         /* permission "read" granted by the user */
  int exact_count;        /* count every instruction of a call, even under a large budget */
  lua_State *parent;      /* the state that makes and calls it, whose heap it shares; or NULL */
} lector_sandbox_config;

/* What the last call into the plugin cost. */
typedef struct lector_sandbox_stats {
  int64_t instructions;   /* counted, to within LECTOR_PLUGIN_HOOK_STEP (see exact_count) */
  size_t memory, peak;    /* bytes held after the call, most held during it */
} lector_sandbox_stats;

/* Make the state and its environment; no plugin code runs yet. NULL with
 * err filled when out of memory or when config->memory is too small. */
lector_sandbox *lector_sandbox_create(const lector_sandbox_config *config, lector_error *err);

/* Load the plugin's file as text and run its top level under the budget,
 * keeping the table it returns as the manifest. Returns 0 on success,
 * else pushes nil, message, kind ("syntax", "error", "instructions",
 * "memory", "manifest") onto T and returns 3. [-0, +(0|3), m] */
int lector_sandbox_load(lector_sandbox *box, lua_State *T);

/* Push a copy of the manifest onto T as plain data and return 1, or push
 * nil, message, "manifest" and return 3. Never runs plugin code.
 * [-0, +(1|3), m] */
int lector_sandbox_push_manifest(lector_sandbox *box, lua_State *T);

/* Call manifest.run(doc, opts, ctx) with a fresh budget; opts_idx is a
 * table of T or 0. Spans and values added are stamped with run_id.
 * Pushes true, or nil, message, kind ("error", "instructions", "memory"),
 * and returns the count. [-0, +(1|3), m] */
int lector_sandbox_run(lector_sandbox *box, lua_State *T, lector_doc *doc, int opts_idx,
                       int64_t run_id);

/* Push the lines logged (print, ctx.log) since the last call began.
 * [-0, +(1|3), m] */
int lector_sandbox_push_logs(lector_sandbox *box, lua_State *T);

void lector_sandbox_get_stats(const lector_sandbox *box, lector_sandbox_stats *stats);
const char *lector_sandbox_name(const lector_sandbox *box);
/* Close the state (releasing the documents it holds) and free. */
void lector_sandbox_close(lector_sandbox *box);

#endif
