/*
 * Process-level helpers for the command line's long runs: catching Ctrl-C
 * so an ingest can stop between documents, clocks for rates and per-pass
 * timings under threads, whether standard error is a terminal (for the
 * progress bar), and file-name patterns.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lua_lector.h"

static volatile sig_atomic_t caught_signal;
/* The wake-up pipe: the handler writes a byte to it, so that a thread
 * waiting in poll for a stream's input wakes up whichever thread the signal
 * was delivered to. Made once, by the first catch_interrupts; never
 * closed. */
static int wake_pipe[2] = {-1, -1};

static void on_signal(int signo) {
  int saved = errno;
  caught_signal = signo;
  if (wake_pipe[1] >= 0 && write(wake_pipe[1], "", 1) < 0) {
    /* full: it is readable already */
  }
  errno = saved;
}

int lector_interrupt_fd(void) {
  return wake_pipe[0];
}

/* A byte a handler left from an earlier catch is no interruption of this
 * one. */
static void drain_wake_pipe(void) {
  char bytes[64];
  while (read(wake_pipe[0], bytes, sizeof bytes) > 0) {
  }
}

/* lector.core.catch_interrupts(): from now on SIGINT and SIGTERM only set
 * a flag (read with interrupted()) and end the waits of readers of streams
 * (lector.core.reader); a second one acts as usual, so a process that does
 * not stop can still be stopped. */
static int catch_interrupts(lua_State *L) {
  if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return luaL_error(L, "cannot catch interrupts: %s", strerror(errno));
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  caught_signal = 0;
  drain_wake_pipe();
  if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
    return luaL_error(L, "cannot catch interrupts: %s", strerror(errno));
  return 0;
}

/* lector.core.interrupted() -> the signal number caught, or false */
static int interrupted(lua_State *L) {
  int signo = caught_signal;
  if (signo) lua_pushinteger(L, signo);
  else lua_pushboolean(L, 0);
  return 1;
}

static double seconds_of(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* lector.core.monotonic() -> seconds since some fixed point, for
 * durations (never goes back) */
static int monotonic(lua_State *L) {
  lua_pushnumber(L, seconds_of(CLOCK_MONOTONIC));
  return 1;
}

/* lector.core.thread_cpu() -> CPU seconds the calling thread has used: a
 * pass's cost, which os.clock (the whole process) cannot give while other
 * threads work. */
static int thread_cpu(lua_State *L) {
  lua_pushnumber(L, seconds_of(CLOCK_THREAD_CPUTIME_ID));
  return 1;
}

/* lector.core.isatty(fd) -> whether the descriptor (0, 1 or 2) is a
 * terminal */
static int is_a_tty(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  luaL_argcheck(L, fd >= 0 && fd <= 2, 1, "must be 0, 1 or 2");
  lua_pushboolean(L, isatty((int)fd));
  return 1;
}

typedef struct glob_call {
  glob_t *found;
} glob_call;

static int push_matches(lua_State *L) {
  const glob_call *call = lua_touserdata(L, 1);
  size_t n = call->found->gl_pathc;
  lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushstring(L, call->found->gl_pathv[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* lector.core.glob(pattern) -> {path...} in name order (empty when none
 * matches) | nil, message: the shell's *, ? and [...], for patterns
 * quoted so the shell did not expand them. */
static int glob_paths(lua_State *L) {
  const char *pattern = luaL_checkstring(L, 1);
  glob_t found;
  memset(&found, 0, sizeof found);
  int rc = glob(pattern, GLOB_ERR, NULL, &found);
  if (rc == GLOB_NOMATCH) {
    globfree(&found);
    lua_newtable(L);
    return 1;
  }
  if (rc != 0) {
    globfree(&found);
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", pattern,
                    rc == GLOB_NOSPACE ? "out of memory" : "a folder cannot be read");
    return 2;
  }
  glob_call call = {&found};
  lua_pushcfunction(L, push_matches);
  lua_pushlightuserdata(L, &call);
  int status = lua_pcall(L, 1, 1, 0);
  globfree(&found);
  if (status != LUA_OK) return lua_error(L);
  return 1;
}

static const luaL_Reg process_functions[] = {
  {"catch_interrupts", catch_interrupts},
  {"interrupted", interrupted},
  {"monotonic", monotonic},
  {"thread_cpu", thread_cpu},
  {"isatty", is_a_tty},
  {"glob", glob_paths},
  {"cores", lector_cores_lua},
  {"pool", lector_pool_new_lua},
  {NULL, NULL}
};

void lector_open_process(lua_State *L) {
  luaL_setfuncs(L, process_functions, 0);
}
