/*
 * The plugin sandbox. Each plugin gets its own lua_State (made by host.c)
 * that holds only an allow list of library functions, copied into a
 * fresh global table; a count hook that enforces an instruction budget
 * per call; guards on the C functions a hook cannot interrupt; and a
 * memory limit in the allocator. The trusted state and a plugin's state
 * never share a Lua value: manifests, options and logs cross as copies
 * of plain data, made with raw access, and the document crosses as a
 * second handle on the same C lector_doc.
 *
 * Cross-state rule: a function may raise in one state only. Reading the
 * other state uses calls that cannot raise (lua_next, lua_rawget*,
 * lua_checkstack, lua_to* on values of the matching type).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "budget_clock.h"
#include "embedded.h"
#include "host.h"
#include "lector_limits.h"
#include "lua_lector.h"
#include "sandbox.h"


/* What every call reads or writes in the registry has an integer key
 * there (made by luaL_ref when the state is opened): looking one up costs
 * a third of what a key of a static variable's address does. */
enum {
  SLOT_MANIFEST,    /* the table the plugin returned */
  SLOT_LOGS,        /* lines logged in this call (false: none yet) */
  SLOT_DOC,         /* the Document of the running call */
  SLOT_OPTS,        /* the options handed to the last call (push_opts) */
  SLOT_CTX,         /* the ctx handed to the last call (push_ctx) */
  SLOT_COUNT
};

struct lector_sandbox {
  lua_State *L;
  char *name, *dir, *real_dir, *file;
  size_t memory_limit;
  int64_t instruction_limit;
  int allow_read;
  int exact_count;
  /* the call in progress, or the last one */
  int64_t instructions;
  int over_instructions;   /* the budget ran out: raise at every hook */
  int over_memory;         /* a guard refused memory the allocator never saw */
  size_t handed;           /* result bytes handed to the document */
  int not_a_table;         /* the main chunk returned something else */
  int load_status;         /* of the main chunk's luaL_loadbufferx */
  int clocked;             /* the budget clock runs for this call */
  int slots[SLOT_COUNT];   /* their registry keys */
  lector_sandbox_stats stats;
};

/* Registry keys of the plugin's state (their addresses are the keys). */
static const char LOADED_KEY = 'r';    /* modules require has loaded */
static const char STOPPED_KEY = 's';   /* coroutines the budget killed (weak keys) */
static const char LEXICONS_KEY = 'x';  /* ctx.lexicon's cache: "fold:path" -> Lexicon */

static lector_sandbox *box_of(lua_State *L) {
  return *(lector_sandbox **)lua_getextraspace(L);
}

/* Push the value of a slot; its type. [-0, +1, -] */
static int get_slot(lua_State *L, int slot) {
  return lua_rawgeti(L, LUA_REGISTRYINDEX, box_of(L)->slots[slot]);
}

/* Pop a value into a slot: an existing key, so nothing is allocated.
 * [-1, +0, -] */
static void set_slot(lua_State *L, int slot) {
  lua_rawseti(L, LUA_REGISTRYINDEX, box_of(L)->slots[slot]);
}

/* ---- the instruction budget ------------------------------------------- */

/* Count hook, every LECTOR_PLUGIN_HOOK_STEP instructions. Once the budget
 * is spent it re-arms itself on every line and every instruction of the
 * thread and raises each time, so a plugin that catches the error with
 * pcall meets it again at once. Threads get the hook when created;
 * one re-armed in an earlier call gets the normal step back here.
 *
 * An error raised inside a hook leaves hooks off in that thread until a
 * protected call catches it. In a coroutine nothing may catch it (the
 * coroutine dies, and coroutine.wrap then runs its __close handlers with
 * hooks still off), so a coroutine yields instead: its resumer, over
 * budget too, meets the error at its own next instruction. */
static void count_hook(lua_State *L, lua_Debug *ar) {
  lector_sandbox *box = box_of(L);
  if (ar->event == LUA_HOOKCOUNT && !box->over_instructions) {
    box->instructions += lua_gethookcount(L);
    if (box->instructions <= box->instruction_limit) {
      if (lua_gethookcount(L) != LECTOR_PLUGIN_HOOK_STEP)
        lua_sethook(L, count_hook, LUA_MASKCOUNT, LECTOR_PLUGIN_HOOK_STEP);
      return;
    }
    box->over_instructions = 1;
  }
  if (!box->over_instructions) return;
  lua_sethook(L, count_hook, LUA_MASKCOUNT | LUA_MASKLINE, 1);
  if (lua_pushthread(L) == 0 && lua_isyieldable(L)) {
    lua_pop(L, 1);
    lua_yield(L, 0);
    return;
  }
  if (lua_pushthread(L)) {  /* the main thread: a protected call catches it */
    lua_pop(L, 2);
    luaL_error(L, "instruction limit exceeded (%I instructions)",
               (lua_Integer)box->instruction_limit);
  }
  lua_pop(L, 1);
  /* [thread] Here the error kills a coroutine with its hooks off: mark
   * it, so that nothing closes it and runs its __close handlers later. */
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &STOPPED_KEY) == LUA_TTABLE) {
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
  }
  lua_pop(L, 2);
  luaL_error(L, "instruction limit exceeded (%I instructions)",
             (lua_Integer)box->instruction_limit);
}

/* A budget of LECTOR_PLUGIN_LATE_HOOK_BUDGET or more is counted from the
 * call's LECTOR_PLUGIN_HOOK_GRACE_NS of processor time on: most calls end
 * before, without the cost of the hook (budget_clock.h). A smaller one,
 * one with exact_count, or one where the clock is not available, is
 * counted from the start.
 * Coroutines are always counted from their start (see hooked_thread). */
static void reset_budget(lector_sandbox *box) {
  box->instructions = 0;
  box->over_instructions = 0;
  box->over_memory = 0;
  box->handed = 0;
  box->clocked = 0;
  if (!box->exact_count && box->instruction_limit >= LECTOR_PLUGIN_LATE_HOOK_BUDGET) {
    lua_sethook(box->L, NULL, 0, 0);
    box->clocked = lector_budget_clock_start(box->L, count_hook, LECTOR_PLUGIN_HOOK_STEP,
                                             LECTOR_PLUGIN_HOOK_GRACE_NS);
  }
  if (!box->clocked) lua_sethook(box->L, count_hook, LUA_MASKCOUNT, LECTOR_PLUGIN_HOOK_STEP);
  lector_host_usage_reset(box->L);
}

/* At the end of a call: no hook is installed late after it. */
static void end_budget(lector_sandbox *box) {
  if (box->clocked) lector_budget_clock_stop();
  box->clocked = 0;
}

/* A refusal of memory by a guard: reported with kind "memory". */
static int memory_error(lua_State *L, const char *what, size_t bytes) {
  lector_sandbox *box = box_of(L);
  box->over_memory = 1;
  return luaL_error(L, "memory limit exceeded (%I bytes): %s of %I bytes",
                    (lua_Integer)box->memory_limit, what, (lua_Integer)bytes);
}

/* ---- guards on library functions ---------------------------------------- */

/* Call the original function (upvalue 1) with every argument. */
static int call_original(lua_State *L) {
  int nargs = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, nargs, LUA_MULTRET);
  return lua_gettop(L);
}

/* string.rep: the result is allocated in one piece before it is filled,
 * so a size over the limit is refused before any work. */
static int guarded_rep(lua_State *L) {
  size_t len, sep_len = 0;
  luaL_checklstring(L, 1, &len);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &sep_len);
  /* An empty result is made here: the original would still loop n times
   * copying nothing, where the hook cannot stop it. */
  if (n <= 0 || (len == 0 && (sep_len == 0 || n == 1))) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (n > 1) {
    size_t limit = box_of(L)->memory_limit;
    size_t unit = len + sep_len;
    if (unit > 0 && (size_t)n > limit / unit) return memory_error(L, "string.rep result", limit);
  }
  return call_original(L);
}

/* The matcher functions, in the order of their names. */
enum { MATCH_FIND, MATCH_MATCH, MATCH_GMATCH, MATCH_GSUB };
static const char *const matcher_names[] = {"find", "match", "gmatch", "gsub", NULL};

/* What of a Lua pattern bounds the C matcher's work. Each item is read as
 * lstrlib.c's do_match reads it, so that a character is taken for a
 * quantifier exactly when the matcher takes it for one. */
typedef struct pattern_shape {
  int costly;     /* items that may take time in proportion to the subject: the
                   * repetitions * + - ?, %b (scans for its closing character)
                   * and back-references %0-%9 (compare a whole capture) */
  int trailing;   /* the only costly item is a repetition that ends the pattern */
  int anchored;   /* a leading '^': find, match and gsub try one start only */
} pattern_shape;

/* Index just past the single-character class at p[i], as lstrlib's
 * classEnd: an escape, a set (whose first character belongs to it even
 * when it is ']'), or one character. */
static size_t class_end(const char *p, size_t len, size_t i) {
  if (p[i] == '%') return i + 2 < len ? i + 2 : len;
  if (p[i] != '[') return i + 1;
  i++;
  if (i < len && p[i] == '^') i++;
  for (;;) {
    if (i >= len) return len;           /* malformed: Lua raises on reaching it */
    if (p[i++] == '%' && i < len) i++;
    if (i < len && p[i] == ']') return i + 1;
  }
}

static pattern_shape shape_of(const char *p, size_t len, int may_anchor) {
  pattern_shape shape = {0, 0, 0};
  size_t i = 0, rest = 0;               /* rest: just past the last repetition */
  if (may_anchor && len > 0 && p[0] == '^') {
    shape.anchored = 1;
    i = 1;
  }
  while (i < len) {
    char c = p[i];
    if (c == '(' || c == ')' || (c == '$' && i + 1 == len)) {
      i++;
    } else if (c == '%' && i + 1 < len && p[i + 1] == 'b') {
      shape.costly++;
      rest = 0;
      i += 4;
    } else if (c == '%' && i + 1 < len && p[i + 1] == 'f') {
      i += 2;
      if (i < len) i = class_end(p, len, i);
    } else if (c == '%' && i + 1 < len && p[i + 1] >= '0' && p[i + 1] <= '9') {
      shape.costly++;
      rest = 0;
      i += 2;
    } else {
      i = class_end(p, len, i);
      if (i < len && (p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?')) {
        shape.costly++;
        rest = ++i;
      }
    }
  }
  /* Past a last repetition only ')' may follow: once the matcher reaches
   * it, the match succeeds (or fails at once, for '+'), so it never
   * backtracks into it. */
  shape.trailing = shape.costly == 1 && rest > 0;
  for (size_t k = rest; shape.trailing && k < len; k++) shape.trailing = p[k] == ')';
  return shape;
}

/* A bound on the steps the C matcher may take. Every start position (one
 * when anchored) times the pattern's length, and one more factor of the
 * subject's length for each costly item: ".-.-x" on n bytes can take n^3
 * steps, "(.-)%1x" n^3 byte comparisons. A single repetition that ends
 * the pattern adds only one scan of the subject: the matcher never
 * backtracks into it, and gmatch and gsub go on after what it matched. */
static double matching_work(size_t subject_len, size_t pattern_len, pattern_shape shape) {
  double n = (double)subject_len;
  double work = (shape.anchored ? 1 : n) * (double)(pattern_len ? pattern_len : 1);
  int factors = shape.trailing ? 0 : shape.costly;
  for (int i = 0; i < factors && work <= LECTOR_PLUGIN_MAX_MATCH_WORK; i++) work *= n;
  return work + n;
}

/* find with plain = true: memchr for the first byte, then memcmp at each
 * candidate, so up to (n - m + 1) * m bytes compared. */
static double plain_find_work(size_t subject_len, size_t pattern_len) {
  if (pattern_len == 0 || pattern_len > subject_len) return 0;
  return (double)(subject_len - pattern_len + 1) * (double)pattern_len;
}

/* string.find/match/gmatch/gsub: upvalue 1 the original, upvalue 2 which
 * one (MATCH_*). A C matcher cannot be stopped by the hook, so a call
 * whose worst case is over LECTOR_PLUGIN_MAX_MATCH_WORK steps (a plain
 * find: LECTOR_PLUGIN_MAX_PLAIN_FIND_BYTES) is refused before it starts.
 * The original is called directly, in this call's frame: lstrlib's
 * functions are light C functions, without upvalues of their own. */
static int guarded_match(lua_State *L) {
  size_t len, pattern_len;
  luaL_checklstring(L, 1, &len);
  const char *pattern = luaL_checklstring(L, 2, &pattern_len);
  int which = (int)lua_tointeger(L, lua_upvalueindex(2));
  int refused;
  if (which == MATCH_FIND && lua_toboolean(L, 4))
    refused = plain_find_work(len, pattern_len) > LECTOR_PLUGIN_MAX_PLAIN_FIND_BYTES;
  else
    refused = matching_work(len, pattern_len, shape_of(pattern, pattern_len, which != MATCH_GMATCH))
              > LECTOR_PLUGIN_MAX_MATCH_WORK;
  if (refused)
    return luaL_error(L, "string.%s: this pattern on a subject of %I bytes could take too long "
                      "(the worst case grows with the subject's length to the power of the "
                      "pattern's repetitions); use lpeg, or match sentence by sentence",
                      matcher_names[which], (lua_Integer)len);
  return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* ---- coroutines ------------------------------------------------------- */

static int was_stopped(lua_State *L, lua_State *co) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &STOPPED_KEY);
  lua_pushthread(co);
  lua_xmove(co, L, 1);
  int stopped = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return stopped;
}

/* Close a dead coroutine's pending to-be-closed variables, unless the
 * budget killed it: its hooks are off, so a __close handler could loop
 * where nothing stops it. */
static void close_dead(lua_State *L, lua_State *co) {
  if (was_stopped(L, co)) return;
#if LUA_VERSION_RELEASE_NUM >= 50406
  lua_closethread(co, L);
#else
  lua_resetthread(co);
#endif
}

/* The function coroutine.wrap returns; upvalue 1 the coroutine. */
static int wrapped_resume(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int nargs = lua_gettop(L);
  if (lua_status(co) == LUA_OK && lua_gettop(co) == 0)
    return luaL_error(L, "cannot resume dead coroutine");
  if (!lua_checkstack(co, nargs)) return luaL_error(L, "too many arguments to resume");
  lua_xmove(L, co, nargs);
  int nresults = 0;
  int status = lua_resume(co, L, nargs, &nresults);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (!lua_checkstack(L, nresults + 1)) {
      lua_pop(co, nresults);
      return luaL_error(L, "too many results to resume");
    }
    lua_xmove(co, L, nresults);
    return nresults;
  }
  lua_xmove(co, L, 1);                          /* the error object */
  close_dead(L, co);
  if (lua_type(L, -1) == LUA_TSTRING) {         /* as coroutine.wrap does */
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

/* A new coroutine inherits its creator's hooks, and a call's main thread
 * may have none yet (reset_budget): the coroutine gets the count hook of
 * its own, or a loop in it would run where the late hook never reaches. */
static lua_State *hooked_thread(lua_State *L) {
  lua_State *co = lua_newthread(L);
  lua_sethook(co, count_hook, LUA_MASKCOUNT, LECTOR_PLUGIN_HOOK_STEP);
  return co;
}

/* coroutine.create, its coroutine counted from the start. */
static int guarded_create(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = hooked_thread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  return 1;
}

/* coroutine.wrap, with close_dead's rule. */
static int guarded_wrap(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = hooked_thread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, wrapped_resume, 1);
  return 1;
}

/* coroutine.close, refusing a coroutine the budget killed. */
static int guarded_close(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  luaL_argexpected(L, co, 1, "coroutine");
  if (was_stopped(L, co)) {
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "the coroutine was stopped by the instruction limit");
    return 2;
  }
  return call_original(L);
}

/* setmetatable without finalizers: Lua runs __gc with hooks off, so a
 * finalizer could loop beyond the budget's reach. A metatable that gains
 * __gc later does not mark the object, so checking here suffices. */
static int guarded_setmetatable(lua_State *L) {
  if (lua_type(L, 2) == LUA_TTABLE && lua_getfield(L, 2, "__gc") != LUA_TNIL)
    return luaL_error(L, "plugins may not set __gc metamethods");
  lua_settop(L, 2);
  return call_original(L);
}

/* collectgarbage("count") only: stopping or tuning the collector would
 * let a plugin hide garbage from the memory limit's reclaiming. */
static int guarded_collectgarbage(lua_State *L) {
  const char *option = luaL_optstring(L, 1, "collect");
  if (strcmp(option, "count") != 0)
    return luaL_error(L, "collectgarbage: plugins may only ask for \"count\"");
  int kb = lua_gc(L, LUA_GCCOUNT), bytes = lua_gc(L, LUA_GCCOUNTB);
  lua_pushnumber(L, (lua_Number)kb + (lua_Number)bytes / 1024);
  return 1;
}

/* The message handler given to xpcall, wrapped (upvalue 1). Lua calls a
 * message handler inside the hook that raised the error, where hooks are
 * off: once the budget is spent the plugin's handler is not called. */
static int guarded_handler(lua_State *L) {
  if (box_of(L)->over_instructions) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

/* xpcall(f, msgh, ...) with msgh wrapped by guarded_handler. */
static int guarded_xpcall(lua_State *L) {
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, guarded_handler, 1);
  lua_replace(L, 2);
  return call_original(L);
}

/* load(chunk [, chunkname [, mode [, env]]]): text only, whatever mode
 * says, and in the plugin's environment unless env is given. */
static int guarded_load(lua_State *L) {
  int has_env = lua_gettop(L) >= 4;
  lua_settop(L, 4);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  if (!has_env) {
    lua_pushglobaltable(L);
    lua_replace(L, 4);
  }
  return call_original(L);
}

/* ---- the log: print and ctx.log ---------------------------------------- */

static int log_line(lua_State *L) {
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);                                  /* [args..., line] */
  if (get_slot(L, SLOT_LOGS) != LUA_TTABLE) {
    lua_pop(L, 1);                                      /* a call's first line */
    lua_newtable(L);
    lua_pushvalue(L, -1);
    set_slot(L, SLOT_LOGS);
  }                                                     /* [args..., line, logs] */
  lua_insert(L, -2);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  return 0;
}

/* ---- files under the plugin's folder ------------------------------------ */

/* The real path of rel under the plugin's folder, malloc'd, or NULL with
 * why filled: absolute paths, "..", NULs and links leading out are
 * refused. */
static char *resolve_inside(const lector_sandbox *box, const char *rel, size_t rel_len,
                            char *why, size_t why_size) {
  if (rel_len == 0 || strlen(rel) != rel_len || rel[0] == '/') {
    snprintf(why, why_size, "'%s' is not a relative path", rel);
    return NULL;
  }
  for (const char *part = rel; part; part = strchr(part, '/')) {
    if (*part == '/') part++;
    if (strncmp(part, "..", 2) == 0 && (part[2] == '/' || part[2] == '\0')) {
      snprintf(why, why_size, "'%s' leads out of the plugin's folder", rel);
      return NULL;
    }
  }
  size_t size = strlen(box->dir) + rel_len + 2;
  char *joined = malloc(size);
  if (!joined) {
    snprintf(why, why_size, "out of memory");
    return NULL;
  }
  snprintf(joined, size, "%s/%s", box->dir, rel);
  char *real = realpath(joined, NULL);
  free(joined);
  if (!real) {
    snprintf(why, why_size, "%s: %s", rel, strerror(errno));
    return NULL;
  }
  size_t dir_len = strlen(box->real_dir);
  if (strncmp(real, box->real_dir, dir_len) != 0 || real[dir_len] != '/') {
    free(real);
    snprintf(why, why_size, "'%s' leads out of the plugin's folder", rel);
    return NULL;
  }
  return real;
}

/* resolve_inside for code: a module file that is itself a link is refused
 * too (*link set), even one pointing inside the folder, as the main file
 * is: read_file opens the resolved path, which is no longer a link. */
static char *resolve_module(const lector_sandbox *box, const char *rel, int *link, char *why,
                            size_t why_size) {
  char *real = resolve_inside(box, rel, strlen(rel), why, why_size);
  if (!real) return NULL;
  size_t size = strlen(box->dir) + strlen(rel) + 2;
  char *joined = malloc(size);
  struct stat st;
  *link = !joined;
  if (joined) {
    snprintf(joined, size, "%s/%s", box->dir, rel);
    *link = lstat(joined, &st) != 0 || S_ISLNK(st.st_mode);
  }
  if (*link) {
    if (joined) snprintf(why, why_size, "%s is a link; plugins may not use links", joined);
    else snprintf(why, why_size, "out of memory");
    free(real);
    real = NULL;
  }
  free(joined);
  return real;
}

/* A whole regular file of at most max bytes, malloc'd, or NULL with why
 * filled. Plain C: no Lua error can leave the file open. */
static char *read_file(const char *path, size_t max, size_t *len, char *why, size_t why_size) {
  /* A link is refused: what a plugin runs or reads must be the file the
   * lock file's checksum saw. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (!f) {
    if (errno == ELOOP) snprintf(why, why_size, "%s is a link; plugins may not use links", path);
    else snprintf(why, why_size, "cannot open %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return NULL;
  }
  struct stat st;
  char *data = NULL;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(why, why_size, "%s is not a regular file", path);
  } else if ((size_t)st.st_size > max) {
    snprintf(why, why_size, "%s is over %zu bytes", path, max);
  } else if (!(data = malloc((size_t)st.st_size + 1))) {
    snprintf(why, why_size, "out of memory reading %s", path);
  } else {
    *len = fread(data, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
      snprintf(why, why_size, "cannot read %s", path);
      free(data);
      data = NULL;
    }
  }
  fclose(f);
  return data;
}

/* Load a file as a text chunk in the plugin's environment. [-0, +1, e] */
static void load_text_file(lua_State *L, const char *path) {
  char why[512];
  size_t len = 0;
  const char *chunkname = lua_pushfstring(L, "@%s", path);  /* before the malloc: may raise */
  char *source = read_file(path, LECTOR_PLUGIN_MAX_READ, &len, why, sizeof why);
  if (!source) {
    luaL_error(L, "%s", why);
    return;
  }
  /* loading is protected inside: it returns a status, never raises */
  int status = luaL_loadbufferx(L, source, len, chunkname, "t");
  free(source);
  box_of(L)->load_status = status;
  lua_remove(L, -2);
  if (status != LUA_OK) lua_error(L);
}

/* ctx.read(relpath) -> string | nil, message */
static int ctx_read(lua_State *L) {
  lector_sandbox *box = box_of(L);
  size_t rel_len;
  const char *rel = luaL_checklstring(L, 1, &rel_len);
  if (!box->allow_read)
    return luaL_error(L, "permission 'read' not granted to plugin %s; grant it with --allow %s:read",
                      box->name, box->name);
  char why[512];
  char *path = resolve_inside(box, rel, rel_len, why, sizeof why);
  size_t len = 0;
  char *data = path ? read_file(path, LECTOR_PLUGIN_MAX_READ, &len, why, sizeof why) : NULL;
  free(path);
  if (!data) {
    lua_pushnil(L);
    lua_pushstring(L, why);
    return 2;
  }
  return lector_push_owned_string(L, data, len);
}

/* ctx.lexicon(relpath [, {fold = bool}]) -> Lexicon. A TSV file of the
 * plugin's own folder, loaded once per state: the cache (in the registry)
 * gives the same Lexicon for the same path and fold. No permission is
 * needed, since the file is part of the plugin, but links are refused as
 * for modules. Every failure raises: the data is the plugin's own. */
static int ctx_lexicon(lua_State *L) {
  lector_sandbox *box = box_of(L);
  size_t rel_len;
  const char *rel = luaL_checklstring(L, 1, &rel_len);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  int fold = lector_opt_boolean_field(L, 2, "fold");
  lua_settop(L, 2);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LEXICONS_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LEXICONS_KEY);
  }                                                             /* [rel, opts, cache] */
  lua_pushstring(L, fold ? "fold:" : "exact:");
  lua_pushvalue(L, 1);
  lua_concat(L, 2);                                             /* [rel, opts, cache, key] */
  lua_pushvalue(L, -1);
  if (lua_rawget(L, 3) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  if (strlen(rel) != rel_len) return luaL_argerror(L, 1, "the path holds a NUL byte");
  lector_lexicon *lex = lector_push_lexicon(L, fold);            /* [..., key, Lexicon] */
  char why[512];
  int link = 0;
  size_t len = 0;
  char *path = resolve_module(box, rel, &link, why, sizeof why);
  char *data = path ? read_file(path, LECTOR_PLUGIN_MAX_LEXICON_READ, &len, why, sizeof why) : NULL;
  free(path);
  if (!data) return luaL_error(L, "ctx.lexicon: %s", why);
  lector_error err;
  lector_status status = lector_lexicon_load(lex, data, len, rel, NULL, &err);
  if (status == LECTOR_ENOMEM) {
    lua_gc(L, LUA_GCCOLLECT);                                   /* dead lexicons free memory */
    status = lector_lexicon_load(lex, data, len, rel, NULL, &err);
  }
  free(data);
  if (status != LECTOR_OK) return lector_lexicon_raise(L, lex, &err);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, -2);
  lua_rawset(L, 3);                                             /* cache[key] = Lexicon */
  return 1;
}

/* A module name: words of letters, digits and '_' joined by dots. */
static int valid_module_name(const char *name) {
  int at_start = 1;
  for (const char *c = name; *c; c++) {
    int letter = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';
    int digit = *c >= '0' && *c <= '9';
    if (*c == '.' && !at_start) at_start = 1;
    else if (letter || (digit && !at_start)) at_start = 0;
    else return 0;
  }
  return !at_start;
}

/* require(name): lpeg, re, lector, or NAME.lua / NAME/init.lua inside the
 * plugin's folder, loaded as text in the plugin's environment. */
static int sandbox_require(lua_State *L) {
  lector_sandbox *box = box_of(L);
  const char *name = luaL_checkstring(L, 1);
  lua_settop(L, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);             /* [name, loaded] */
  if (lua_getfield(L, 2, name) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  char *path = NULL;
  char why[512];
  int link = 0;
  if (valid_module_name(name)) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char *c = name; *c; c++) luaL_addchar(&b, *c == '.' ? '/' : *c);
    luaL_pushresult(&b);                                        /* [name, loaded, rel] */
    const char *rel = lua_pushfstring(L, "%s.lua", lua_tostring(L, 3));
    path = resolve_module(box, rel, &link, why, sizeof why);
    if (!path && !link) {
      rel = lua_pushfstring(L, "%s/init.lua", lua_tostring(L, 3));
      path = resolve_module(box, rel, &link, why, sizeof why);
    }
    lua_settop(L, 2);
  }
  if (link) return luaL_error(L, "module '%s': %s", name, why);
  if (!path)
    return luaL_error(L, "module '%s' not found: plugins may require lpeg, re, lector and the "
                      "modules in their own folder", name);
  lector_push_owned_string(L, path, strlen(path));   /* frees path even when it raises */
  load_text_file(L, lua_tostring(L, 3));                      /* [name, loaded, path, chunk] */
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, 2, name);
  return 1;
}

/* ---- results handed to the document ------------------------------------- */

/* doc:add, doc:set and doc:error copy what the plugin gives into C memory
 * the allocator never sees; the Documents of a plugin's state count those
 * bytes against the memory limit through this guard (lua_document.c asks
 * it before adding anything, and encodes attributes and values once,
 * within the room left). Once a call has gone over, every later result is
 * refused too and the call fails: a pcall around doc:add cannot keep
 * filling the document. */
static size_t results_room(lua_State *L) {
  lector_sandbox *box = box_of(L);
  if (box->over_memory) memory_error(L, "results handed to the document", box->handed);
  return box->memory_limit > box->handed ? box->memory_limit - box->handed : 0;
}

static void results_charge(lua_State *L, size_t bytes) {
  lector_sandbox *box = box_of(L);
  if (bytes > results_room(L))
    memory_error(L, "results handed to the document", box->handed + bytes);
  box->handed += bytes;
}

static int results_refuse(lua_State *L, const char *what, size_t room) {
  return memory_error(L, what, room);
}

static lector_results_guard results_guard = {results_room, results_charge, results_refuse};

/* ---- copies of plain data between states --------------------------------- */

typedef struct copier {
  lua_State *from, *to;     /* errors are raised in `to` only */
  const char *what;
  int depth;
  const void *path[LECTOR_PLUGIN_MAX_DEPTH];
  size_t items;
  size_t bytes;             /* string bytes copied so far */
} copier;

static void copy_value(copier *c, int idx);

/* [-0, +1, e in to] */
static void copy_table(copier *c, int idx) {
  const void *table = lua_topointer(c->from, idx);
  for (int i = 0; i < c->depth; i++)
    if (c->path[i] == table) luaL_error(c->to, "%s: a table contains itself", c->what);
  if (c->depth >= LECTOR_PLUGIN_MAX_DEPTH)
    luaL_error(c->to, "%s: tables nested deeper than %d levels", c->what, LECTOR_PLUGIN_MAX_DEPTH);
  luaL_checkstack(c->to, 4, "copying a table");
  if (!lua_checkstack(c->from, 4)) luaL_error(c->to, "%s: out of memory reading a table", c->what);
  c->path[c->depth++] = table;
  /* Made at its size: options are copied into a plugin's state for every
   * document, and a table grown key by key is rehashed at each power of 2. */
  int keys = 0;
  lua_pushnil(c->from);
  while (lua_next(c->from, idx)) {                  /* counted, up to the copy's own limit */
    lua_pop(c->from, 1);
    if (++keys >= LECTOR_PLUGIN_MAX_COPY_ITEMS) {
      lua_pop(c->from, 1);
      break;
    }
  }
  size_t len = lua_rawlen(c->from, idx);
  int items = len < (size_t)keys ? (int)len : keys;
  lua_createtable(c->to, items, keys - items);
  lua_pushnil(c->from);
  while (lua_next(c->from, idx)) {                  /* from: [key, value] */
    int key_type = lua_type(c->from, -2);
    if (key_type == LUA_TSTRING || key_type == LUA_TNUMBER || key_type == LUA_TBOOLEAN) {
      int top = lua_gettop(c->from);
      copy_value(c, top - 1);
      copy_value(c, top);
      lua_rawset(c->to, -3);
    }
    lua_pop(c->from, 1);
  }
  c->depth--;
}

/* Strings, numbers, booleans and tables are copied; any other value
 * becomes the name of its type ("function", "userdata", ...). Keys other
 * than strings, numbers and booleans are left out. [-0, +1, e in to] */
static void copy_value(copier *c, int idx) {
  if (++c->items > LECTOR_PLUGIN_MAX_COPY_ITEMS)
    luaL_error(c->to, "%s: more than %d values", c->what, LECTOR_PLUGIN_MAX_COPY_ITEMS);
  size_t len;
  const char *s;
  switch (lua_type(c->from, idx)) {
  case LUA_TNIL: lua_pushnil(c->to); return;
  case LUA_TBOOLEAN: lua_pushboolean(c->to, lua_toboolean(c->from, idx)); return;
  case LUA_TNUMBER:
    if (lua_isinteger(c->from, idx)) lua_pushinteger(c->to, lua_tointeger(c->from, idx));
    else lua_pushnumber(c->to, lua_tonumber(c->from, idx));
    return;
  case LUA_TSTRING:
    s = lua_tolstring(c->from, idx, &len);
    /* One long string referenced many times is copied each time. */
    c->bytes += len;
    if (c->bytes > LECTOR_PLUGIN_MAX_COPY_BYTES)
      luaL_error(c->to, "%s: more than %d bytes of strings", c->what, LECTOR_PLUGIN_MAX_COPY_BYTES);
    lua_pushlstring(c->to, s, len);
    return;
  case LUA_TTABLE: copy_table(c, lua_absindex(c->from, idx)); return;
  default: lua_pushstring(c->to, lua_typename(c->from, lua_type(c->from, idx))); return;
  }
}

/* Runs protected in the receiving state: [copier (light userdata)]. */
static int copy_protected(lua_State *L) {
  copier *c = lua_touserdata(L, 1);
  lua_settop(L, 0);
  copy_value(c, lua_gettop(c->from));
  return 1;
}

/* Push onto T a copy of the value on top of the plugin's state. Returns
 * 1, or 3 after pushing nil, "plugin NAME: message", "manifest". */
static int push_copy_to_trusted(lector_sandbox *box, lua_State *T, const char *what) {
  copier c = {.from = box->L, .to = T, .what = what};
  lua_pushcfunction(T, copy_protected);
  lua_pushlightuserdata(T, &c);
  int status = lua_pcall(T, 1, 1, 0);
  lua_settop(box->L, 0);
  if (status == LUA_OK) return 1;
  const char *message = lua_tostring(T, -1);
  lua_pushnil(T);
  lua_pushfstring(T, "plugin %s: %s", box->name, message ? message : "cannot copy");
  lua_pushliteral(T, "manifest");
  return 3;
}

/* ---- options kept from one call to the next --------------------------------- */

/* A pass gets the same options, unchanged, for every document of a run,
 * and copying them anew made up half the cost of calling a pass that does
 * little. So the copy handed to a call is kept (SLOT_OPTS) and handed to
 * the next one while it is exactly what a new copy would be: the same
 * plain data, no metatable, no table reached twice (a copy shares none),
 * within the limits a copy has. Whatever the plugin did to its copy, or
 * the caller to its table, a difference means a new copy: a plugin never
 * sees on one document what it wrote into its options on another. */

/* A key of the kept copy, gathered onto the plugin's stack. */
typedef struct kept_key {
  const char *bytes;        /* a string key's; NULL for other keys */
  size_t len;
  int slot;                 /* the key's index on the stack; its value is just above */
} kept_key;

/* Only the counts are set before a check begins: the arrays are filled
 * as it goes. */
typedef struct kept_check {
  lua_State *from, *to;     /* the caller's state, the plugin's */
  int depth;
  size_t items, bytes;      /* counted as a copy counts them */
  int table_count, key_count;
  const void *tables[LECTOR_PLUGIN_KEPT_OPTS_TABLES];   /* the kept copy's, met so far */
  kept_key keys[LECTOR_PLUGIN_KEPT_OPTS_KEYS];
} kept_check;

static int same_copy(kept_check *k, int from_idx, int type, int to_idx);

/* Count a value (a string of len bytes) as copy_value does: 0 past the
 * copy's limits. */
static int count_value(kept_check *k, size_t len) {
  k->bytes += len;
  return ++k->items <= LECTOR_PLUGIN_MAX_COPY_ITEMS && k->bytes <= LECTOR_PLUGIN_MAX_COPY_BYTES;
}

/* No metatable, and no key. */
static int bare_and_empty(lua_State *L, int idx) {
  if (lua_getmetatable(L, idx)) {
    lua_pop(L, 1);
    return 0;
  }
  lua_pushnil(L);
  if (!lua_next(L, idx)) return 1;
  lua_pop(L, 2);
  return 0;
}

/* A table of the kept copy seen for the first time: a copy never holds
 * one table twice, nor more than the check keeps track of. */
static int first_meeting(kept_check *k, const void *table) {
  for (int i = 0; i < k->table_count; i++)
    if (k->tables[i] == table) return 0;
  if (k->table_count == LECTOR_PLUGIN_KEPT_OPTS_TABLES) return 0;
  k->tables[k->table_count++] = table;
  return 1;
}

/* Push every key and value of the kept table at to_idx onto its state's
 * stack, noting where: the caller's keys are then found without making
 * strings in the plugin's state. Returns how many, or -1 past what the
 * check keeps track of. */
static int gather_keys(kept_check *k, int to_idx, kept_key **first) {
  lua_State *to = k->to;
  *first = k->keys + k->key_count;
  int n = 0;
  lua_pushnil(to);
  while (lua_next(to, to_idx)) {                               /* [..., key, value] */
    if (k->key_count == LECTOR_PLUGIN_KEPT_OPTS_KEYS || !lua_checkstack(to, 4)) {
      lua_pop(to, 2);
      return -1;
    }
    kept_key *key = &k->keys[k->key_count++];
    key->slot = lua_gettop(to) - 1;
    key->bytes = lua_type(to, -2) == LUA_TSTRING ? lua_tolstring(to, -2, &key->len) : NULL;
    lua_pushvalue(to, -2);                                     /* lua_next goes on from it */
    n++;
  }
  return n;
}

/* The stack index of the value, among the n gathered keys, of the key
 * equal to the one at from_key of the caller's state (of type key_type);
 * 0 if none. */
static int find_key(kept_check *k, const kept_key *keys, int n, int from_key, int key_type) {
  lua_State *from = k->from, *to = k->to;
  if (key_type == LUA_TSTRING) {
    size_t len;
    const char *bytes = lua_tolstring(from, from_key, &len);
    if (!count_value(k, len)) return 0;
    for (int i = 0; i < n; i++)
      if (keys[i].bytes && keys[i].len == len && memcmp(keys[i].bytes, bytes, len) == 0)
        return keys[i].slot + 1;
    return 0;
  }
  if (!count_value(k, 0)) return 0;
  if (key_type == LUA_TBOOLEAN) lua_pushboolean(to, lua_toboolean(from, from_key));
  else if (lua_isinteger(from, from_key)) lua_pushinteger(to, lua_tointeger(from, from_key));
  else lua_pushnumber(to, lua_tonumber(from, from_key));      /* no allocation: cannot raise */
  int found = 0;
  for (int i = 0; i < n && !found; i++)
    if (!keys[i].bytes && lua_rawequal(to, keys[i].slot, -1)) found = keys[i].slot + 1;
  lua_pop(to, 1);
  return found;
}

/* Whether the table at to_idx holds what copy_table would make of the
 * table at from_idx. Neither state can raise here; a table nested too
 * deep (a cycle ends there too) is a difference, and the copy made
 * instead raises copy_table's error. [-0, +0, -] */
static int same_table(kept_check *k, int from_idx, int to_idx) {
  lua_State *from = k->from, *to = k->to;
  if (k->depth >= LECTOR_PLUGIN_MAX_DEPTH || !first_meeting(k, lua_topointer(to, to_idx)) ||
      !lua_checkstack(from, 3) || !lua_checkstack(to, 4))
    return 0;
  if (lua_getmetatable(to, to_idx)) {
    lua_pop(to, 1);
    return 0;
  }
  int top = lua_gettop(to);
  kept_key *keys;
  int n = gather_keys(k, to_idx, &keys);                       /* to: [..., key, value...] */
  int found = 0, same = n >= 0;
  k->depth++;
  lua_pushnil(from);
  while (same && lua_next(from, from_idx)) {                   /* from: [key, value] */
    int key = lua_gettop(from) - 1, key_type = lua_type(from, key);
    if (key_type == LUA_TSTRING || key_type == LUA_TNUMBER || key_type == LUA_TBOOLEAN) {
      int value = find_key(k, keys, n, key, key_type);
      same = value && same_copy(k, key + 1, lua_type(from, key + 1), value);
      found++;
    }
    lua_pop(from, same ? 1 : 2);
  }
  k->depth--;
  lua_settop(to, top);
  return same && found == n;
}

/* Numbers of the same subtype and the same bits: a copy keeps -0.0. */
static int same_number(lua_State *from, int from_idx, lua_State *to, int to_idx) {
  if (lua_type(to, to_idx) != LUA_TNUMBER || lua_isinteger(from, from_idx) != lua_isinteger(to, to_idx))
    return 0;
  if (lua_isinteger(from, from_idx)) return lua_tointeger(from, from_idx) == lua_tointeger(to, to_idx);
  lua_Number a = lua_tonumber(from, from_idx), b = lua_tonumber(to, to_idx);
  return memcmp(&a, &b, sizeof a) == 0;
}

/* Whether the value at to_idx is what copy_value would make of the value
 * at from_idx. [-0, +0, -] */
static int same_copy(kept_check *k, int from_idx, int type, int to_idx) {
  lua_State *from = k->from, *to = k->to;
  size_t len = 0, to_len = 0;
  const char *bytes = type == LUA_TSTRING ? lua_tolstring(from, from_idx, &len) : NULL;
  if (!count_value(k, len)) return 0;
  switch (type) {
  case LUA_TBOOLEAN:
    return lua_type(to, to_idx) == LUA_TBOOLEAN &&
           lua_toboolean(from, from_idx) == lua_toboolean(to, to_idx);
  case LUA_TNUMBER: return same_number(from, from_idx, to, to_idx);
  case LUA_TTABLE:
    return lua_type(to, to_idx) == LUA_TTABLE &&
           same_table(k, lua_absindex(from, from_idx), lua_absindex(to, to_idx));
  case LUA_TSTRING: break;
  default: bytes = lua_typename(from, type); len = strlen(bytes); break;
  }
  if (lua_type(to, to_idx) != LUA_TSTRING) return 0;
  const char *to_bytes = lua_tolstring(to, to_idx, &to_len);
  return len == to_len && memcmp(bytes, to_bytes, len) == 0;
}

/* Push the options of a call onto L, the plugin's state: the kept copy if
 * it still holds what a copy of the table at opts_idx of T (0: none, an
 * empty table) would, else a new copy, kept. [-0, +1, e] */
static void push_opts(lua_State *L, lua_State *T, int opts_idx) {
  get_slot(L, SLOT_OPTS);
  int kept = lua_gettop(L);
  if (lua_type(L, kept) == LUA_TTABLE) {
    kept_check k;
    k.from = T;
    k.to = L;
    k.depth = k.table_count = k.key_count = 0;
    k.items = k.bytes = 0;
    if (opts_idx ? same_table(&k, opts_idx, kept) : bare_and_empty(L, kept)) return;
  }
  lua_pop(L, 1);
  if (opts_idx) {
    copier c = {.from = T, .to = L, .what = "opts"};
    lua_pushvalue(T, opts_idx);
    copy_value(&c, lua_gettop(T));
  } else {
    lua_newtable(L);
  }
  lua_pushvalue(L, -1);
  set_slot(L, SLOT_OPTS);
}

/* ---- the environment ------------------------------------------------------ */

static void copy_field(lua_State *L, int from, int to, const char *name) {
  lua_getfield(L, from, name);
  lua_setfield(L, to, name);
}

/* Every field of the table at from into a new table, except the names in
 * leave_out (NULL-terminated). [-0, +1, m] */
static void copy_library(lua_State *L, int from, const char *const *leave_out) {
  from = lua_absindex(L, from);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, from)) {
    int skip = 0;
    for (const char *const *n = leave_out; n && *n && !skip; n++)
      skip = lua_type(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -2), *n) == 0;
    if (skip) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
}

/* Replace field name of the table at idx by a closure of fn over the old
 * value (and, when extra is not NULL, the string extra). */
static void wrap_field(lua_State *L, int idx, const char *name, lua_CFunction fn, const char *extra) {
  idx = lua_absindex(L, idx);
  lua_getfield(L, idx, name);
  if (extra) lua_pushstring(L, extra);
  lua_pushcclosure(L, fn, extra ? 2 : 1);
  lua_setfield(L, idx, name);
}

static int refuse_write(lua_State *L) {
  return luaL_error(L, "attempt to change a read-only table");
}

/* Turn the table on top into a read-only proxy of it. [-1, +1, m] */
static void make_read_only(lua_State *L) {
  lua_newtable(L);                       /* [t, proxy] */
  lua_createtable(L, 0, 3);              /* [t, proxy, mt] */
  lua_rotate(L, -3, -1);                 /* [proxy, mt, t] */
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);               /* [proxy] */
}

/* Run the embedded module name (re, lector.patterns) in the plugin's
 * globals and push what it returns; natives, when not NULL, is a
 * NULL-ended list of C functions the module needs and plugins do not see
 * otherwise, its arguments after its name. [-0, +1, e] */
static void load_embedded_module(lua_State *L, const char *name, const lua_CFunction *natives) {
  for (const lector_embedded_module *m = lector_embedded_modules; m->name; m++) {
    if (strcmp(m->name, name) != 0) continue;
    if (luaL_loadbufferx(L, m->source, m->size, m->chunkname, "t") != LUA_OK) lua_error(L);
    lua_pushstring(L, name);
    int args = 1;
    for (; natives && natives[args - 1]; args++) lua_pushcfunction(L, natives[args - 1]);
    lua_call(L, args, 1);
    return;
  }
  luaL_error(L, "the %s module is missing", name);
}

/* __index of the plugin's `lector`: its fields, and lector.patterns loaded
 * on first use, given the C function its patterns call (which plugins do
 * not see otherwise). Upvalue 1 is the table of fields. */
static int plugin_lector_index(lua_State *L) {
  lua_settop(L, 2);
  lua_pushvalue(L, 2);                                            /* rawget pops this copy */
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;   /* [proxy, key, value] */
  if (lua_type(L, 2) != LUA_TSTRING || strcmp(lua_tostring(L, 2), "patterns") != 0) return 1;
  static const lua_CFunction natives[] = {lector_expression_matcher_lua, lector_scanner_new_lua,
                                          NULL};
  load_embedded_module(L, "lector.patterns", natives);
  make_read_only(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, lua_upvalueindex(1), "patterns");
  return 1;
}

/* The restricted `lector` module: version, JSON, lexicons, matchers,
 * stemmers, graphs, valence scorers, name finders, phrase extractors and the
 * LPeg patterns; nothing that reaches files or databases. [-0, +1, e] */
static void push_plugin_lector(lua_State *L) {
  lua_createtable(L, 0, 5);                                      /* [fields] */
  lua_pushstring(L, lector_version());
  lua_setfield(L, -2, "version");
  lector_open_json(L);
  make_read_only(L);
  lua_setfield(L, -2, "json");
  lua_pushcfunction(L, lector_lexicon_new_lua);
  lua_setfield(L, -2, "lexicon");
  lua_pushcfunction(L, lector_matcher_new_lua);
  lua_setfield(L, -2, "matcher");
  lua_pushcfunction(L, lector_valence_new_lua);
  lua_setfield(L, -2, "valence");
  lua_pushcfunction(L, lector_names_new_lua);
  lua_setfield(L, -2, "names");
  lua_pushcfunction(L, lector_stemmer_new_lua);
  lua_setfield(L, -2, "stemmer");
  lua_pushcfunction(L, lector_stemmer_languages_lua);
  lua_setfield(L, -2, "stemmer_languages");
  lua_pushcfunction(L, lector_phrases_new_lua);
  lua_setfield(L, -2, "phrases");
  lector_push_graph_module(L);
  make_read_only(L);
  lua_setfield(L, -2, "graph");
  make_read_only(L);                                             /* [proxy] */
  lua_getmetatable(L, -1);                                       /* [proxy, mt] */
  lua_getfield(L, -1, "__index");                                /* [proxy, mt, fields] */
  lua_pushcclosure(L, plugin_lector_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}


static const char *const base_names[] = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
  "rawset", "select", "getmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION",
  "setmetatable", "load", "collectgarbage", NULL
};

/* The plugin's global table, built by copying allowed names only. Runs
 * protected in the new state: [box (light userdata)]. */
static int open_sandbox(lua_State *L) {
  lector_sandbox *box = lua_touserdata(L, 1);
  *(lector_sandbox **)lua_getextraspace(L) = box;   /* threads copy it when created */
  lua_sethook(L, count_hook, LUA_MASKCOUNT, LECTOR_PLUGIN_HOOK_STEP);
  lua_settop(L, 0);
  static const luaL_Reg libs[] = {
    {LUA_GNAME, luaopen_base}, {LUA_STRLIBNAME, luaopen_string},
    {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine},
    {LUA_OSLIBNAME, luaopen_os}, {"lpeg", luaopen_lector_lpeg}, {NULL, NULL}
  };
  for (const luaL_Reg *lib = libs; lib->name; lib++)
    luaL_requiref(L, lib->name, lib->func, 0);   /* into the registry only */
  /* [1 _G, 2 string, 3 table, 4 math, 5 utf8, 6 coroutine, 7 os, 8 lpeg] */
  lua_newtable(L);                                               /* 9: env */
  for (const char *const *n = base_names; *n; n++) copy_field(L, 1, 9, *n);
  wrap_field(L, 9, "setmetatable", guarded_setmetatable, NULL);
  wrap_field(L, 9, "load", guarded_load, NULL);
  wrap_field(L, 9, "xpcall", guarded_xpcall, NULL);
  lua_pushcfunction(L, guarded_collectgarbage);
  lua_setfield(L, 9, "collectgarbage");
  lua_pushcfunction(L, log_line);
  lua_setfield(L, 9, "print");
  lua_pushcfunction(L, sandbox_require);
  lua_setfield(L, 9, "require");

  static const char *const no_dump[] = {"dump", NULL};
  copy_library(L, 2, no_dump);
  wrap_field(L, -1, "rep", guarded_rep, NULL);
  for (int i = 0; matcher_names[i]; i++) {
    lua_getfield(L, -1, matcher_names[i]);
    if (!lua_tocfunction(L, -1) || lua_getupvalue(L, -1, 1))     /* guarded_match calls it directly */
      return luaL_error(L, "string.%s is not a light C function", matcher_names[i]);
    lua_pushinteger(L, i);
    lua_pushcclosure(L, guarded_match, 2);
    lua_setfield(L, -2, matcher_names[i]);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, 9, "string");                                  /* 10: plugin string */
  static const char *const names[] = {"table", "math", "utf8", "coroutine"};
  for (int i = 0; i < 4; i++) {
    copy_library(L, 3 + i, NULL);
    if (i == 3) {
      lua_pushcfunction(L, guarded_wrap);
      lua_setfield(L, -2, "wrap");
      lua_pushcfunction(L, guarded_create);
      lua_setfield(L, -2, "create");
      wrap_field(L, -1, "close", guarded_close, NULL);
    }
    lua_setfield(L, 9, names[i]);
  }
  lua_newtable(L);                                               /* stopped coroutines */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &STOPPED_KEY);
  lua_createtable(L, 0, 3);
  copy_field(L, 7, -2, "time");
  copy_field(L, 7, -2, "clock");
  copy_field(L, 7, -2, "date");
  lua_setfield(L, 9, "os");

  /* Pattern objects find methods in the module table itself, so the
   * backtrack limit's setter and the debug printers, which write to the
   * host's standard output, are taken out of that table. */
  static const char *const lpeg_host_only[] = {"setmaxstack", "ptree", "pcode"};
  for (size_t i = 0; i < sizeof lpeg_host_only / sizeof *lpeg_host_only; i++) {
    lua_pushnil(L);
    lua_setfield(L, 8, lpeg_host_only[i]);
  }
  lua_pushvalue(L, 8);
  lua_setfield(L, 9, "lpeg");

  /* Strings find their methods in the plugin's string table, and the
   * string metatable cannot be reached (getmetatable("") is false). */
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);                                       /* [..., "", mt] */
  lua_pushvalue(L, 10);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  /* Chunks loaded without an explicit env (load, require) get the
   * plugin's table; the full base library's table is dropped. */
  lua_pushvalue(L, 9);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);

  lua_newtable(L);                                               /* loaded */
  lua_pushvalue(L, 8);
  lua_setfield(L, -2, "lpeg");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
  load_embedded_module(L, "re", NULL);                                 /* [..., loaded, re] */
  lua_pushvalue(L, -1);
  lua_setfield(L, 9, "re");
  lua_setfield(L, -2, "re");
  push_plugin_lector(L);                                         /* [..., loaded, lector] */
  lua_pushvalue(L, -1);
  lua_setfield(L, 9, "lector");
  lua_setfield(L, -2, "lector");
  lua_pop(L, 1);

  for (int slot = 0; slot < SLOT_COUNT; slot++) {
    lua_pushboolean(L, 0);          /* nothing yet: log_line makes the logs' table */
    box->slots[slot] = luaL_ref(L, LUA_REGISTRYINDEX);
  }

  lector_open_document(L);   /* its JSON codec was opened with `lector` above */
  lector_open_sentence(L);
  lector_open_token(L);
  lector_open_span(L);
  lector_open_lexicon(L);
  lector_open_matcher(L);
  lector_open_stemmer(L);
  lector_open_graph(L);
  lector_open_phrases(L);
  lector_guard_document_results(L, &results_guard);
  lua_settop(L, 0);
  return 0;
}

/* ---- life and calls ---------------------------------------------------------- */

static char *copy_string(const char *s) {
  return s ? strdup(s) : NULL;
}

lector_sandbox *lector_sandbox_create(const lector_sandbox_config *config, lector_error *err) {
  lector_sandbox *box = calloc(1, sizeof *box);
  if (box) {
    box->name = copy_string(config->name);
    box->dir = copy_string(config->dir);
    box->file = copy_string(config->file);
    box->real_dir = config->dir ? realpath(config->dir, NULL) : NULL;
  }
  if (!box || !box->name || !box->dir || !box->file || !box->real_dir) {
    if (err) {
      err->status = box && box->name && box->dir && box->file ? LECTOR_EIO : LECTOR_ENOMEM;
      snprintf(err->message, sizeof err->message, "plugin %s: %s", config->name,
               err->status == LECTOR_EIO ? "its folder cannot be found" : "out of memory");
    }
    lector_sandbox_close(box);
    return NULL;
  }
  box->memory_limit = config->memory ? config->memory : LECTOR_PLUGIN_MEMORY;
  box->instruction_limit = config->instructions ? config->instructions : LECTOR_PLUGIN_INSTRUCTIONS;
  box->allow_read = config->allow_read;
  box->exact_count = config->exact_count;
  box->L = lector_host_new_sandboxed(box->memory_limit, config->parent, open_sandbox, box, err);
  if (!box->L) {
    lector_sandbox_close(box);
    return NULL;
  }
  return box;
}

/* Message handler in the plugin's state: never calls a metamethod of the
 * error object, so a hostile error value runs no code. */
static int plugin_traceback(lua_State *L) {
  size_t len = 0;
  const char *message = lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER
                            ? lua_tolstring(L, 1, &len)
                            : lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  /* The traceback takes a C string: without its NULs, a message would be
   * cut at the first one. */
  if (message && strlen(message) < len) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < len; i++)
      if (message[i] != '\0') luaL_addchar(&b, message[i]);
    luaL_pushresult(&b);
    message = lua_tostring(L, -1);
  }
  luaL_traceback(L, L, message, 1);
  return 1;
}

/* A call that grew the state by more than LECTOR_PLUGIN_COLLECT_GROWTH
 * has most likely built something once (patterns, tables, a lexicon on
 * first use) and left the garbage of building it, and the collector would
 * wait for the state to double before it looked: in a worker that is
 * memory held for nothing, in every worker. Collect it now, twice: objects
 * with a finalizer (LPeg's patterns, lector's userdata) are freed only in
 * the cycle after the one that finds them dead. (Plugins have no
 * finalizers of their own, so no plugin code runs here.) */
static void collect_after_growth(lector_sandbox *box, size_t used_before) {
  if (lector_host_memory(box->L) <= used_before + LECTOR_PLUGIN_COLLECT_GROWTH) return;
  lua_gc(box->L, LUA_GCCOLLECT);
  lua_gc(box->L, LUA_GCCOLLECT);
}

static void record_stats(lector_sandbox *box, size_t used_before) {
  lector_host_usage usage;
  lector_host_usage_get(box->L, &usage);
  box->stats.instructions = box->instructions;
  box->stats.peak = usage.peak;
  collect_after_growth(box, used_before);
  box->stats.memory = lector_host_memory(box->L);
}

/* Push onto T "plugin NAME: " and the plugin's message made safe for any
 * caller: the message is the plugin's own bytes, so a byte that is not
 * part of valid UTF-8 becomes U+FFFD, NUL bytes are dropped (C callers
 * would cut the text there), and past LECTOR_PLUGIN_MAX_MESSAGE_BYTES
 * the rest is left out, on a character boundary. [-0, +1, m in T] */
static void push_clean_message(lua_State *T, const char *name, const char *message, size_t len) {
  luaL_Buffer b;
  luaL_buffinit(T, &b);
  lua_pushfstring(T, "plugin %s: ", name);
  luaL_addvalue(&b);
  size_t written = 0;
  for (size_t i = 0; i < len;) {
    size_t valid = lector_utf8_check(message + i, len - i);  /* a run of valid bytes */
    size_t room = LECTOR_PLUGIN_MAX_MESSAGE_BYTES - written;
    size_t take = valid < room ? valid : room;
    while (take < valid && take > 0 && ((unsigned char)message[i + take] & 0xC0) == 0x80)
      take--;                                                  /* whole characters only */
    for (size_t k = 0; k < take; k++)
      if (message[i + k] != '\0') luaL_addchar(&b, message[i + k]);
    written += take;
    i += take;
    if (take < valid || (i < len && written + 3 > LECTOR_PLUGIN_MAX_MESSAGE_BYTES)) {
      luaL_addstring(&b, " [message cut]");
      break;
    }
    if (i < len) {                                             /* a byte that is not UTF-8 */
      luaL_addstring(&b, "\xEF\xBF\xBD");
      written += 3;
      i++;
    }
  }
  luaL_pushresult(&b);
}

/* Push nil, "plugin NAME: message", kind onto T for a failed protected
 * call in the plugin's state (its message on top there). */
static int push_call_failure(lector_sandbox *box, lua_State *T, int status, const char *kind) {
  lector_host_usage usage;
  lector_host_usage_get(box->L, &usage);
  size_t message_len = 0;
  const char *message = status != LUA_OK && lua_type(box->L, -1) == LUA_TSTRING
                            ? lua_tolstring(box->L, -1, &message_len) : NULL;
  if (!kind) {
    if (box->over_instructions) kind = "instructions";
    else if (status == LUA_ERRMEM || box->over_memory || (status == LUA_ERRERR && usage.refused))
      kind = "memory";
    else kind = "error";
  }
  lua_pushnil(T);
  if (!message && box->over_instructions)
    lua_pushfstring(T, "plugin %s: instruction limit exceeded (%I instructions)", box->name,
                    (lua_Integer)box->instruction_limit);
  else if (strcmp(kind, "memory") == 0 && (!box->over_memory || !message))
    lua_pushfstring(T, "plugin %s: memory limit exceeded (%I bytes)", box->name,
                    (lua_Integer)box->memory_limit);
  else if (message)
    push_clean_message(T, box->name, message, message_len);
  else
    lua_pushfstring(T, "plugin %s: unknown error", box->name);
  lua_pushstring(T, kind);
  lua_settop(box->L, 0);
  return 3;
}

/* Runs protected: [] -> [chunk], raising on a read or syntax error. */
static int load_main(lua_State *L) {
  load_text_file(L, box_of(L)->file);
  return 1;
}

/* Runs protected: [chunk] -> keeps its result as the manifest. */
static int run_main(lua_State *L) {
  lua_call(L, 0, 1);
  if (lua_type(L, -1) != LUA_TTABLE) {
    box_of(L)->not_a_table = 1;
    return luaL_error(L, "%s must return a table (it returned %s)", box_of(L)->file,
                      luaL_typename(L, -1));
  }
  set_slot(L, SLOT_MANIFEST);
  return 0;
}

int lector_sandbox_load(lector_sandbox *box, lua_State *T) {
  lua_State *L = box->L;
  lua_settop(L, 0);
  reset_budget(box);
  size_t used_before = lector_host_memory(L);
  box->not_a_table = 0;
  box->load_status = LUA_OK;
  lua_pushcfunction(L, load_main);
  int status = lua_pcall(L, 0, 1, 0);
  if (status != LUA_OK) {
    end_budget(box);
    record_stats(box, used_before);
    if (box->load_status != LUA_OK) status = box->load_status;
    return push_call_failure(box, T, status, status == LUA_ERRMEM ? "memory"
                                             : status == LUA_ERRSYNTAX ? "syntax" : "error");
  }
  lua_pushcfunction(L, plugin_traceback);
  lua_insert(L, 1);                                       /* [handler, chunk] */
  lua_pushcfunction(L, run_main);
  lua_insert(L, 2);                                       /* [handler, run_main, chunk] */
  status = lua_pcall(L, 1, 0, 1);
  end_budget(box);
  record_stats(box, used_before);
  if (status == LUA_OK && !box->over_instructions) {
    lua_settop(L, 0);
    return 0;
  }
  int not_table = box->not_a_table && !box->over_instructions && !box->over_memory;
  return push_call_failure(box, T, status, not_table ? "manifest" : NULL);
}

int lector_sandbox_push_manifest(lector_sandbox *box, lua_State *T) {
  lua_settop(box->L, 0);
  get_slot(box->L, SLOT_MANIFEST);
  if (lua_type(box->L, -1) != LUA_TTABLE) {
    lua_settop(box->L, 0);
    lua_pushnil(T);
    lua_pushfstring(T, "plugin %s: no manifest was loaded", box->name);
    lua_pushliteral(T, "manifest");
    return 3;
  }
  return push_copy_to_trusted(box, T, "manifest");
}

int lector_sandbox_push_logs(lector_sandbox *box, lua_State *T) {
  lua_settop(box->L, 0);
  if (get_slot(box->L, SLOT_LOGS) != LUA_TTABLE) {
    lua_settop(box->L, 0);                    /* nothing was logged */
    lua_newtable(T);
    return 1;
  }
  return push_copy_to_trusted(box, T, "logs");
}

typedef struct run_call {
  lector_sandbox *box;
  lua_State *T;
  lector_doc *doc;
  int opts_idx;
  lector_doc **slot;   /* the plugin's Document, to invalidate afterwards */
} run_call;

/* ctx: name, version (at index version: the manifest's, or nil), dir,
 * log, read, lexicon. [-0, +1, m] */
enum { CTX_FIELDS = 6 };
static void make_ctx(lua_State *L, const lector_sandbox *box, int version) {
  lua_createtable(L, 0, CTX_FIELDS);
  lua_pushstring(L, box->name);
  lua_setfield(L, -2, "name");
  lua_pushvalue(L, version);
  lua_setfield(L, -2, "version");
  lua_pushstring(L, box->dir);
  lua_setfield(L, -2, "dir");
  lua_pushcfunction(L, log_line);
  lua_setfield(L, -2, "log");
  lua_pushcfunction(L, ctx_read);
  lua_setfield(L, -2, "read");
  lua_pushcfunction(L, ctx_lexicon);
  lua_setfield(L, -2, "lexicon");
}

static int same_bytes(const char *bytes, size_t len, const char *text) {
  return len == strlen(text) && memcmp(bytes, text, len) == 0;
}

static int is_text(lua_State *L, int idx, const char *text) {
  size_t len = 0;
  const char *bytes = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &len) : NULL;
  return bytes && same_bytes(bytes, len, text);
}

/* Whether the field [key, value] on top of the stack is as make_ctx made
 * it. log, read and lexicon are light C functions, and no closure of the
 * plugin's state is made of the same C function. */
static int ctx_field_intact(lua_State *L, const lector_sandbox *box, int version) {
  size_t len;
  if (lua_type(L, -2) != LUA_TSTRING) return 0;
  const char *key = lua_tolstring(L, -2, &len);
  if (same_bytes(key, len, "name")) return is_text(L, -1, box->name);
  if (same_bytes(key, len, "version")) return lua_rawequal(L, -1, version);
  if (same_bytes(key, len, "dir")) return is_text(L, -1, box->dir);
  lua_CFunction f = lua_tocfunction(L, -1);
  if (same_bytes(key, len, "log")) return f == log_line;
  if (same_bytes(key, len, "read")) return f == ctx_read;
  return same_bytes(key, len, "lexicon") && f == ctx_lexicon;
}

/* Whether the ctx on top of the stack is still as make_ctx made it: no
 * metatable, and its fields only, unchanged. */
static int ctx_intact(lua_State *L, const lector_sandbox *box, int version) {
  int ctx = lua_gettop(L);
  if (lua_getmetatable(L, ctx)) {
    lua_pop(L, 1);
    return 0;
  }
  int fields = 0, intact = 1;
  lua_pushnil(L);
  while (intact && lua_next(L, ctx)) {                       /* [..., key, value] */
    fields++;
    intact = ctx_field_intact(L, box, version);
    lua_pop(L, intact ? 1 : 2);
  }
  return intact && fields == (lua_isnil(L, version) ? CTX_FIELDS - 1 : CTX_FIELDS);
}

/* Push the ctx of a call. Nothing in it depends on the document, so the
 * one handed to the last call is handed again while it is intact, with
 * the manifest's version of now. One the plugin changed is replaced: a
 * plugin never sees on one document what it wrote into ctx on another.
 * [-0, +1, m] */
static void push_ctx(lua_State *L, const lector_sandbox *box, int manifest) {
  lua_pushliteral(L, "version");
  if (lua_rawget(L, manifest) != LUA_TSTRING) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
  int version = lua_gettop(L);                               /* [..., version] */
  if (get_slot(L, SLOT_CTX) != LUA_TTABLE || !ctx_intact(L, box, version)) {
    lua_pop(L, 1);
    make_ctx(L, box, version);
    lua_pushvalue(L, -1);
    set_slot(L, SLOT_CTX);
  }
  lua_replace(L, version);                                   /* [..., ctx] */
}

/* Runs protected: [call (light userdata)]. Builds doc, opts and ctx in
 * the plugin's state and calls manifest.run with them. */
static int call_run(lua_State *L) {
  run_call *call = lua_touserdata(L, 1);
  lua_settop(L, 0);
  /* The last call's lines go first: a failure below must not show them
   * as this one's. */
  lua_pushboolean(L, 0);
  set_slot(L, SLOT_LOGS);
  get_slot(L, SLOT_MANIFEST);                                  /* [manifest] */
  if (!lua_istable(L, 1)) return luaL_error(L, "no manifest was loaded");
  lua_pushliteral(L, "run");
  if (lua_rawget(L, 1) != LUA_TFUNCTION)                       /* [manifest, run] */
    return luaL_error(L, "the manifest's run is not a function");
  lector_doc **slot = lector_push_document(L, NULL);          /* [manifest, run, doc] */
  lector_doc_retain(call->doc);
  *slot = call->doc;
  lua_pushvalue(L, 3);
  set_slot(L, SLOT_DOC);                                       /* anchored until invalidated */
  call->slot = slot;
  push_opts(L, call->T, call->opts_idx);                       /* [manifest, run, doc, opts] */
  push_ctx(L, call->box, 1);                                   /* [..., opts, ctx] */
  lua_call(L, 3, 0);
  return 0;
}

int lector_sandbox_run(lector_sandbox *box, lua_State *T, lector_doc *doc, int opts_idx,
                       int64_t run_id) {
  lua_State *L = box->L;
  lua_settop(L, 0);
  opts_idx = opts_idx ? lua_absindex(T, opts_idx) : 0;
  int trusted_top = lua_gettop(T);
  reset_budget(box);
  size_t used_before = lector_host_memory(L);
  lua_pushcfunction(L, plugin_traceback);
  run_call call = {box, T, doc, opts_idx, NULL};
  lua_pushcfunction(L, call_run);
  lua_pushlightuserdata(L, &call);
  uint32_t producer = lector_doc_producer(doc, box->name);
  size_t spans_before = doc->span_count;
  doc->current_run = run_id;
  doc->current_producer = producer;
  int status = lua_pcall(L, 1, 0, 1);
  end_budget(box);
  doc->current_run = 0;
  doc->current_producer = 0;
  lua_settop(T, trusted_top);
  if (call.slot) lector_drop_document(L, call.slot);
  lua_pushboolean(L, 0);
  set_slot(L, SLOT_DOC);
  record_stats(box, used_before);
  /* A coroutine over budget yields rather than raising (see count_hook),
   * so a call can return normally after its budget ran out: a failure. */
  if (status == LUA_OK && !box->over_instructions && !box->over_memory) {
    /* What the pass added to this document before is replaced, not
     * doubled (its values are replaced by key anyway); a call that fails
     * leaves the earlier spans in place. */
    lector_doc_drop_spans_of(doc, producer, spans_before);
    lua_settop(L, 0);
    lua_pushboolean(T, 1);
    return 1;
  }
  return push_call_failure(box, T, status, NULL);
}

void lector_sandbox_get_stats(const lector_sandbox *box, lector_sandbox_stats *stats) {
  *stats = box->stats;
}

const char *lector_sandbox_name(const lector_sandbox *box) {
  return box->name;
}

void lector_sandbox_close(lector_sandbox *box) {
  if (!box) return;
  lector_host_close(box->L);
  free(box->name);
  free(box->dir);
  free(box->real_dir);
  free(box->file);
  free(box);
}
