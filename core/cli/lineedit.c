/*
 * lector.lineedit: what the REPL (core/lua/lector/repl.lua) needs from the
 * terminal and the process, bound to libedit's native API (histedit.h):
 *
 *   lineedit.new([name]) -> Editor | nil, message
 *   ed:read(prompt) -> line | nil (end of input) | false (Ctrl-C: the line
 *       is dropped)
 *   ed:add_history(line), ed:load_history(path), ed:save_history(path)
 *   ed:set_completer(fn): Tab calls fn(text before the cursor) -> start,
 *       {candidate, ...}; the candidates replace the text from byte `start`
 *   ed:close()
 *   lineedit.call(handler, f, ...) -> like xpcall, but Ctrl-C while f runs
 *       raises "interrupted" in it; a third result tells an interrupt apart
 *   lineedit.isatty(fd), lineedit.clock(), lineedit.memory([reset])
 *
 * libedit calls back into Lua only for completion, and always through
 * lua_pcall, so no Lua error ever unwinds libedit's frames.
 */
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <unistd.h>

#include <histedit.h>
#include <lauxlib.h>

#include "host.h"
#include "lector_limits.h"
#include "lineedit.h"

#define EDITOR_CLASS "lector.LineEditor"

typedef struct editor {
  EditLine *el;          /* NULL once closed */
  History *hist;
  lua_State *L;          /* the state inside ed:read, for the completer */
  int completer;         /* registry reference, or LUA_NOREF */
  char prompt[LECTOR_REPL_PROMPT_MAX + 1];
} editor;

static editor *check_editor(lua_State *L, int arg) {
  editor *ed = luaL_checkudata(L, arg, EDITOR_CLASS);
  if (!ed->el) luaL_argerror(L, arg, "the line editor is closed");
  return ed;
}

static char *prompt_of(EditLine *el) {
  editor *ed = NULL;
  el_get(el, EL_CLIENTDATA, &ed);
  return ed ? ed->prompt : (char *)"";
}

/* ---- completion ----------------------------------------------------------- */

typedef struct completion {
  editor *ed;
  const char *text;      /* the line up to the cursor */
  size_t len;
  unsigned char result;  /* what libedit should do next */
} completion;

static size_t utf8_chars(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

/* Cut len back so it does not end inside a UTF-8 sequence. */
static size_t utf8_boundary(const char *s, size_t len) {
  while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
  return len;
}

/* The candidates, several to a row under the line, then the prompt again. */
static void list_candidates(editor *ed, lua_State *L, int list, lua_Integer n) {
  size_t widest = 1;
  lua_Integer shown = n < LECTOR_REPL_COMPLETIONS_SHOWN ? n : LECTOR_REPL_COMPLETIONS_SHOWN;
  for (lua_Integer i = 1; i <= shown; i++) {
    lua_rawgeti(L, list, i);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    size_t width = utf8_chars(s, len);
    if (width > widest) widest = width;
    lua_pop(L, 1);
  }
  int columns = 0;
  if (el_get(ed->el, EL_GETTC, "co", &columns) != 0 || columns <= 0) columns = 80;
  size_t per_row = (size_t)columns / (widest + 2);
  if (per_row == 0) per_row = 1;
  fputs("\n", stdout);
  for (lua_Integer i = 1; i <= shown; i++) {
    lua_rawgeti(L, list, i);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    int last = (size_t)i % per_row == 0 || i == shown;
    fprintf(stdout, "%s%*s", s, last ? 0 : (int)(widest + 2 - utf8_chars(s, len)), "");
    if (last) fputs("\n", stdout);
    lua_pop(L, 1);
  }
  if (shown < n) fprintf(stdout, "... and %lld more\n", (long long)(n - shown));
  fflush(stdout);
}

/* Runs protected: every Lua call that can raise comes before libedit is
 * touched, so an error leaves the line as it was. */
static int complete_protected(lua_State *L) {
  completion *c = lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->ed->completer);
  lua_pushlstring(L, c->text, c->len);
  lua_call(L, 1, 2);
  lua_Integer start = luaL_checkinteger(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  if (start < 1 || (size_t)start > c->len + 1) return luaL_error(L, "bad completion start");
  const char *word = c->text + start - 1;
  size_t word_len = c->len - (size_t)(start - 1);
  lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
  if (n == 0) {
    c->result = CC_REFRESH_BEEP;
    return 0;
  }
  const char *first = NULL;
  size_t common = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, 3, i);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (!s || lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "a candidate is not a string");
    if (!first) {
      first = s;
      common = len;
    } else {
      size_t k = 0;
      while (k < common && k < len && s[k] == first[k]) k++;
      common = k;
    }
    lua_pop(L, 1);  /* the table keeps the string alive */
  }
  common = utf8_boundary(first, common);
  if (common > word_len || (common == word_len && memcmp(first, word, common) != 0)) {
    lua_pushlstring(L, first, common);  /* NUL-terminated, for el_insertstr */
    el_deletestr(c->ed->el, (int)utf8_chars(word, word_len));
    el_insertstr(c->ed->el, lua_tostring(L, -1));
    c->result = CC_REFRESH;
  } else if (n == 1) {
    c->result = CC_NORM;
  } else {
    list_candidates(c->ed, L, 3, n);
    c->result = CC_REDISPLAY;
  }
  return 0;
}

static unsigned char complete_key(EditLine *el, int ch) {
  (void)ch;
  editor *ed = NULL;
  el_get(el, EL_CLIENTDATA, &ed);
  if (!ed || !ed->L || ed->completer == LUA_NOREF) return CC_ERROR;
  lua_State *L = ed->L;
  if (!lua_checkstack(L, 4)) return CC_ERROR;
  const LineInfo *line = el_line(el);
  completion c = {ed, line->buffer, (size_t)(line->cursor - line->buffer), CC_REFRESH_BEEP};
  int top = lua_gettop(L);
  lua_pushcfunction(L, complete_protected);
  lua_pushlightuserdata(L, &c);
  /* A failing completer only beeps: the session goes on. */
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) c.result = CC_REFRESH_BEEP;
  lua_settop(L, top);
  return c.result;
}

/* ---- the editor ------------------------------------------------------------- */

static volatile sig_atomic_t got_sigint;
static sigset_t reading_mask;  /* the mask to wait with: SIGINT let through */

static void on_sigint_reading(int sig) {
  (void)sig;
  got_sigint = 1;
}

/* libedit's key reader, replaced so that Ctrl-C is seen whenever it comes:
 * SIGINT stays blocked while libedit works and is let through only while
 * waiting for a key (ppoll swaps the masks atomically), so it cannot fall
 * between a check of the flag and a read that would then block. */
static int read_key(EditLine *el, wchar_t *wc) {
  (void)el;
  char bytes[MB_LEN_MAX];
  size_t n = 0;
  for (;;) {
    if (got_sigint) {
      errno = EINTR;
      return -1;
    }
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    if (ppoll(&p, 1, NULL, &reading_mask) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    ssize_t got = read(STDIN_FILENO, bytes + n, 1);
    if (got == 0) return 0;
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    n++;
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t used = mbrtowc(wc, bytes, n, &state);
    if (used == (size_t)-2 && n < sizeof bytes) continue;  /* more bytes of one character */
    if (used == (size_t)-1 || used == (size_t)-2) {         /* not a character: drop it */
      n = 0;
      continue;
    }
    return 1;
  }
}

/* ed:read(prompt) -> line | nil | false */
static int editor_read(lua_State *L) {
  editor *ed = check_editor(L, 1);
  size_t len;
  const char *prompt = luaL_optlstring(L, 2, "> ", &len);
  luaL_argcheck(L, len <= LECTOR_REPL_PROMPT_MAX, 2, "the prompt is too long");
  memcpy(ed->prompt, prompt, len);
  ed->prompt[len] = '\0';
  /* Ctrl-C makes read_key fail with EINTR: el_gets gives up the line and
   * restores the terminal. */
  struct sigaction on, old;
  memset(&on, 0, sizeof on);
  on.sa_handler = on_sigint_reading;
  sigemptyset(&on.sa_mask);
  sigset_t block, saved;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  for (;;) {
    int count = 0;
    got_sigint = 0;
    ed->L = L;
    sigprocmask(SIG_BLOCK, &block, &saved);
    reading_mask = saved;
    sigdelset(&reading_mask, SIGINT);
    sigaction(SIGINT, &on, &old);
    const char *line = el_gets(ed->el, &count);
    int read_errno = errno;
    sigprocmask(SIG_SETMASK, &saved, NULL);  /* a pending Ctrl-C lands in on_sigint_reading */
    sigaction(SIGINT, &old, NULL);
    ed->L = NULL;
    if (line) {
      size_t n = strlen(line);
      if (n > 0 && line[n - 1] == '\n') n--;
      lua_pushlstring(L, line, n);
      return 1;
    }
    if (count == -1 && read_errno == EINTR) {
      if (!got_sigint) continue;  /* another signal: read again */
      lua_pushboolean(L, 0);
      return 1;
    }
    lua_pushnil(L);
    return 1;
  }
}

static int editor_add_history(lua_State *L) {
  editor *ed = check_editor(L, 1);
  const char *line = luaL_checkstring(L, 2);
  HistEvent ev;
  history(ed->hist, &ev, H_ENTER, line);
  return 0;
}

static int history_file(lua_State *L, int op, const char *verb) {
  editor *ed = check_editor(L, 1);
  const char *path = luaL_checkstring(L, 2);
  HistEvent ev;
  errno = 0;
  if (history(ed->hist, &ev, op, path) < 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "cannot %s the history file %s%s%s", verb, path, errno ? ": " : "",
                    errno ? strerror(errno) : "");
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int editor_load_history(lua_State *L) { return history_file(L, H_LOAD, "read"); }
static int editor_save_history(lua_State *L) { return history_file(L, H_SAVE, "write"); }

static int editor_set_completer(lua_State *L) {
  editor *ed = check_editor(L, 1);
  if (!lua_isnil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);  /* LUA_REFNIL for nil */
  luaL_unref(L, LUA_REGISTRYINDEX, ed->completer);
  ed->completer = ref == LUA_REFNIL ? LUA_NOREF : ref;
  return 0;
}

static void editor_release(lua_State *L, editor *ed) {
  if (ed->el) el_end(ed->el);
  if (ed->hist) history_end(ed->hist);
  ed->el = NULL;
  ed->hist = NULL;
  luaL_unref(L, LUA_REGISTRYINDEX, ed->completer);
  ed->completer = LUA_NOREF;
}

/* __gc, __close and ed:close(): give the terminal back. */
static int editor_close(lua_State *L) {
  editor_release(L, luaL_checkudata(L, 1, EDITOR_CLASS));
  return 0;
}

/* libedit decodes keys with the C library's multibyte functions: lector's
 * text is UTF-8 whatever the locale says. Only LC_CTYPE changes. */
static void use_utf8_ctype(void) {
  if (setlocale(LC_CTYPE, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0) return;
  if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C");
}

/* lineedit.new([name]) -> Editor | nil, message */
static int lineedit_new(lua_State *L) {
  const char *name = luaL_optstring(L, 1, "lector");
  editor *ed = lua_newuserdatauv(L, sizeof *ed, 0);
  memset(ed, 0, sizeof *ed);
  ed->completer = LUA_NOREF;
  luaL_setmetatable(L, EDITOR_CLASS);
  use_utf8_ctype();
  ed->hist = history_init();
  ed->el = ed->hist ? el_init(name, stdin, stdout, stderr) : NULL;
  if (!ed->el) {
    editor_release(L, ed);
    lua_pushnil(L);
    lua_pushliteral(L, "cannot start the line editor (out of memory?)");
    return 2;
  }
  HistEvent ev;
  history(ed->hist, &ev, H_SETSIZE, LECTOR_REPL_HISTORY_LINES);
  history(ed->hist, &ev, H_SETUNIQUE, 1);
  el_set(ed->el, EL_EDITOR, "emacs");
  el_set(ed->el, EL_HIST, history, ed->hist);
  el_set(ed->el, EL_CLIENTDATA, ed);
  el_set(ed->el, EL_GETCFN, read_key);
  el_set(ed->el, EL_PROMPT, prompt_of);
  /* The wide form: the narrow el_set copies the name and help and never
   * frees them. */
  el_wset(ed->el, EL_ADDFN, L"lector-complete", L"complete a name, field, command or file",
          complete_key);
  el_set(ed->el, EL_BIND, "^I", "lector-complete", NULL);
  el_set(ed->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
  el_source(ed->el, NULL);  /* the user's ~/.editrc, when there is one */
  return 1;
}

/* ---- interrupting a running chunk (as lua.c does) ------------------------------ */

static lua_State *interrupt_target;
static volatile sig_atomic_t interrupted;

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  interrupted = 1;
  lua_pushliteral(L, "interrupted");
  lua_error(L);
}

/* lua_sethook is safe to call from a signal handler; the hook raises at
 * the next Lua instruction, call or return. */
static void on_sigint_running(int sig) {
  (void)sig;
  lua_sethook(interrupt_target, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* lineedit.call(handler, f, ...) -> true, results... | false, error, interrupted */
static int lineedit_call(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checkany(L, 2);
  int nargs = lua_gettop(L) - 2;
  struct sigaction on, old;
  memset(&on, 0, sizeof on);
  on.sa_handler = on_sigint_running;
  /* A second Ctrl-C, while the first has not yet been seen by Lua (in a
   * long C call), ends the process as it would without a REPL. */
  on.sa_flags = SA_RESETHAND;
  sigemptyset(&on.sa_mask);
  interrupt_target = L;
  interrupted = 0;
  sigaction(SIGINT, &on, &old);
  int status = lua_pcall(L, nargs, LUA_MULTRET, 1);
  sigaction(SIGINT, &old, NULL);
  lua_sethook(L, NULL, 0, 0);  /* a Ctrl-C that came as the call returned */
  lua_pushboolean(L, status == LUA_OK);
  lua_replace(L, 1);
  if (status == LUA_OK) return lua_gettop(L);
  lua_pushboolean(L, interrupted);
  return 3;
}

static int lineedit_isatty(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  luaL_argcheck(L, fd >= 0 && fd <= 2, 1, "0, 1 or 2 (standard input, output, error)");
  lua_pushboolean(L, isatty((int)fd));
  return 1;
}

/* Seconds on a monotonic clock, for timing. */
static int lineedit_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

/* lineedit.memory([reset]) -> bytes held, most held since the last reset */
static int lineedit_memory(lua_State *L) {
  if (lua_toboolean(L, 1)) lector_host_usage_reset(L);
  lector_host_usage usage;
  lector_host_usage_get(L, &usage);
  lua_pushinteger(L, (lua_Integer)usage.used);
  lua_pushinteger(L, (lua_Integer)usage.peak);
  return 2;
}

int luaopen_lector_lineedit(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"read", editor_read},
    {"add_history", editor_add_history},
    {"load_history", editor_load_history},
    {"save_history", editor_save_history},
    {"set_completer", editor_set_completer},
    {"close", editor_close},
    {NULL, NULL},
  };
  static const luaL_Reg functions[] = {
    {"new", lineedit_new},
    {"call", lineedit_call},
    {"isatty", lineedit_isatty},
    {"clock", lineedit_clock},
    {"memory", lineedit_memory},
    {NULL, NULL},
  };
  if (luaL_newmetatable(L, EDITOR_CLASS)) {
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, editor_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, editor_close);
    lua_setfield(L, -2, "__close");
  }
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  return 1;
}
