/*
 * `lector repl` on a real terminal: the built binary runs on a
 * pseudo-terminal, keys are typed into it and its screen output is read
 * back. Every read has a deadline and the child is killed at the end, so a
 * broken REPL fails the test instead of hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef LECTOR_BIN_PATH
#error "LECTOR_BIN_PATH must name the built lector binary"
#endif

/* How long one expected output may take (sanitizer builds are slow). */
#define EXPECT_TIMEOUT_MS 15000
#define OUTPUT_MAX (256 * 1024)

typedef struct session {
  pid_t pid;
  int master;
  char home[64];
  char output[OUTPUT_MAX + 1];
  size_t len;     /* bytes read so far */
  size_t seen;    /* where the next expect starts looking */
} session;

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read whatever the child printed within wait_ms. 0 on end of output. */
static int pump(session *s, int wait_ms) {
  struct pollfd p = {s->master, POLLIN, 0};
  int ready = poll(&p, 1, wait_ms);
  if (ready <= 0) return ready == 0 ? 1 : (errno == EINTR);
  if (s->len >= OUTPUT_MAX) {  /* keep the newest half */
    size_t keep = OUTPUT_MAX / 2;
    memmove(s->output, s->output + s->len - keep, keep);
    s->seen = s->seen > s->len - keep ? s->seen - (s->len - keep) : 0;
    s->len = keep;
  }
  ssize_t n = read(s->master, s->output + s->len, OUTPUT_MAX - s->len);
  if (n <= 0) return 0;  /* EIO: the child closed the terminal */
  s->len += (size_t)n;
  s->output[s->len] = '\0';
  return 1;
}

/* Wait until text appears in the output after what earlier expects
 * matched; fail with the output's tail otherwise. */
static void expect(session *s, const char *text) {
  long deadline = now_ms() + EXPECT_TIMEOUT_MS;
  for (;;) {
    const char *found = strstr(s->output + s->seen, text);
    if (found) {
      s->seen = (size_t)(found - s->output) + strlen(text);
      return;
    }
    long left = deadline - now_ms();
    if (left <= 0 || !pump(s, (int)(left < 200 ? left : 200))) break;
  }
  size_t from = s->len > 600 ? s->len - 600 : 0;
  fail_msg("expected \"%s\" on the terminal; the last output was:\n%s", text, s->output + from);
}

static void type(session *s, const char *keys) {
  size_t len = strlen(keys);
  assert_int_equal(write(s->master, keys, len), (ssize_t)len);
}

/* Keys typed while the terminal is still in its cooked mode (a chunk
 * running, or libedit about to take the terminal) would be echoed and
 * Ctrl-D would be the line discipline's end of file, not a key: before
 * typing, wait for the prompt and for libedit's raw mode. tcgetattr on the
 * master side reads the terminal's settings. */
static void expect_prompt(session *s, const char *prompt) {
  expect(s, prompt);
  long deadline = now_ms() + EXPECT_TIMEOUT_MS;
  struct termios t;
  while (tcgetattr(s->master, &t) == 0 && (t.c_lflag & ICANON)) {
    if (now_ms() > deadline) fail_msg("the terminal never left its cooked mode");
    pump(s, 5);
  }
}

/* Let the child run for ms while reading its output. */
static void pause_ms(session *s, int ms) {
  long deadline = now_ms() + ms;
  for (long left = ms; left > 0; left = deadline - now_ms()) pump(s, (int)left);
}

static int start(void **state) {
  session *s = calloc(1, sizeof *s);
  assert_non_null(s);
  strcpy(s->home, "/tmp/lector-repl-pty-XXXXXX");
  assert_non_null(mkdtemp(s->home));
  char note[128];
  snprintf(note, sizeof note, "%s/notes-1.txt", s->home);
  FILE *f = fopen(note, "w");
  assert_non_null(f);
  fputs("A short note\n\nDmitry Peskov spoke in Moscow on Sunday.\n", f);
  fclose(f);
  struct winsize size = {.ws_row = 40, .ws_col = 120};
  s->pid = forkpty(&s->master, NULL, NULL, &size);
  assert_true(s->pid >= 0);
  if (s->pid == 0) {
    char path[128];
    setenv("HOME", s->home, 1);
    snprintf(path, sizeof path, "%s/state", s->home);
    setenv("XDG_STATE_HOME", path, 1);
    snprintf(path, sizeof path, "%s/data", s->home);
    setenv("XDG_DATA_HOME", path, 1);
    snprintf(path, sizeof path, "%s/config", s->home);
    setenv("XDG_CONFIG_HOME", path, 1);
    setenv("TERM", "xterm", 1);
    setenv("NO_COLOR", "1", 1);
    if (chdir(s->home) != 0) _exit(126);
    execl(LECTOR_BIN_PATH, "lector", "repl", (char *)NULL);
    _exit(127);
  }
  *state = s;
  return 0;
}

/* Wait up to ms for the child to exit; its wait status, or -1. */
static int wait_exit(session *s, int ms) {
  long deadline = now_ms() + ms;
  while (now_ms() < deadline) {
    int status;
    pid_t done = waitpid(s->pid, &status, WNOHANG);
    if (done == s->pid) {
      s->pid = 0;
      return status;
    }
    pump(s, 50);
  }
  return -1;
}

static int stop(void **state) {
  session *s = *state;
  if (s->pid > 0) {
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
  }
  close(s->master);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", s->home);
  if (system(command) != 0) fprintf(stderr, "could not remove %s\n", s->home);
  free(s);
  return 0;
}

static void test_repl_on_a_terminal(void **state) {
  session *s = *state;
  expect_prompt(s, "lector> ");

  /* an expression shows its value */
  type(s, "1 + 41\r");
  expect(s, "42");
  expect_prompt(s, "lector> ");

  /* Tab completes a field of a table: lector.lo -> lector.load, a function */
  type(s, "lector.lo\t");
  expect(s, "ad");
  type(s, "\r");
  expect(s, "function: builtin");
  expect_prompt(s, "lector> ");

  /* several candidates are listed under the line */
  type(s, "lector.stemmer\t");
  expect(s, "lector.stemmer_languages");
  type(s, "\x03");  /* Ctrl-C clears the line */
  expect(s, "^C");
  expect_prompt(s, "lector> ");

  /* Tab completes a file name after :load, a method of a lector object
   * (from its metatable) and a plugin name after :run */
  type(s, ":load no\t");
  expect(s, "tes-1.txt");
  type(s, "\r");
  expect(s, "Document notes-1.txt");
  expect_prompt(s, "lector> ");
  type(s, "#list(doc:sen\t");
  expect(s, "tence");  /* sentence and sentences: their common part */
  type(s, "s())\r");
  expect(s, "\n2\r");
  expect_prompt(s, "lector> ");
  type(s, ":run entit\t");
  expect(s, "ies");
  type(s, "\r");
  expect(s, "pass entities");
  expect_prompt(s, "lector> ");

  /* an open function continues on the second prompt */
  type(s, "function sq(x)\r");
  expect_prompt(s, "...> ");
  type(s, "  return x * x\r");
  expect_prompt(s, "...> ");
  type(s, "end\r");
  expect_prompt(s, "lector> ");
  type(s, "sq(12)\r");
  expect(s, "144");
  expect_prompt(s, "lector> ");

  /* Ctrl-C interrupts a running chunk; the session goes on */
  type(s, "while true do end\r");
  pause_ms(s, 500);
  type(s, "\x03");
  expect(s, "interrupted");
  expect_prompt(s, "lector> ");
  type(s, "sq(30) + 4\r");
  expect(s, "904");
  expect_prompt(s, "lector> ");

  /* Ctrl-C at the prompt drops what was typed */
  type(s, "this is not lua");
  pause_ms(s, 100);
  type(s, "\x03");
  expect(s, "^C");
  expect_prompt(s, "lector> ");
  type(s, "1000 + 234\r");
  expect(s, "1234");
  expect_prompt(s, "lector> ");

  /* an error shows its message and the session goes on */
  type(s, "error('boom')\r");
  expect(s, "boom");
  expect(s, "stack traceback:");
  expect_prompt(s, "lector> ");
  type(s, "7 * 6 + 100\r");
  expect(s, "142");
  expect_prompt(s, "lector> ");

  /* Up recalls the last line */
  type(s, "\x1b[A\r");
  expect(s, "142");
  expect_prompt(s, "lector> ");

  /* Ctrl-D leaves with status 0, and the history was kept */
  type(s, "\x04");
  int status = wait_exit(s, EXPECT_TIMEOUT_MS);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    size_t from = s->len > 3000 ? s->len - 3000 : 0;
    fail_msg("Ctrl-D did not end the REPL with status 0 (wait status %d); the last output "
             "was:\n%s", status, s->output + from);
  }
  char path[128];
  snprintf(path, sizeof path, "%s/state/lector/history", s->home);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char history[8192];
  size_t n = fread(history, 1, sizeof history - 1, f);
  fclose(f);
  history[n] = '\0';
  assert_non_null(strstr(history, "sq(12)"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_repl_on_a_terminal, start, stop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
