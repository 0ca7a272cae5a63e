/*
 * Reader: buffered, bounded reading of a file or standard input, for the
 * loaders written in Lua. Lines and whole inputs are capped, so a huge line
 * or a never-ending stream costs at most the limit in memory. Input
 * compressed with gzip is decompressed as it is read (zlib reads anything
 * else as it is), so a .jsonl.gz corpus streams like a .jsonl one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "lua_lector.h"

#define READ_CHUNK 65536

typedef struct reader_ud {
  gzFile gz;               /* NULL once closed */
  char *buf;
  size_t start, end, cap;
  size_t scanned;          /* bytes after start known to hold no newline */
  int eof;
  lua_Integer lineno;
  const char *error;       /* why the last fill failed, when zlib knows */
} reader_ud;

static reader_ud *check_reader(lua_State *L, int arg) {
  reader_ud *r = luaL_checkudata(L, arg, LECTOR_READER_CLASS);
  if (!r->gz) luaL_argerror(L, arg, "reader is closed");
  return r;
}

/* Read more bytes after end, moving unread bytes to the front and growing
 * the buffer when full. 1: got bytes, 0: end of input, -1: error (errno,
 * or r->error for data that is not valid gzip). */
static int fill(reader_ud *r) {
  if (r->eof) return 0;
  if (r->start > 0) {
    memmove(r->buf, r->buf + r->start, r->end - r->start);
    r->end -= r->start;
    r->start = 0;
  }
  if (r->cap - r->end < READ_CHUNK) {
    size_t cap = r->cap ? r->cap * 2 : READ_CHUNK * 2;
    char *grown = realloc(r->buf, cap);
    if (!grown) {
      errno = ENOMEM;
      return -1;
    }
    r->buf = grown;
    r->cap = cap;
  }
  size_t room = r->cap - r->end;
  if (room > (size_t)1 << 30) room = (size_t)1 << 30;
  r->error = NULL;
  int n;
  do {
    errno = 0;
    n = gzread(r->gz, r->buf + r->end, (unsigned)room);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int code = Z_OK;
    const char *message = gzerror(r->gz, &code);
    if (code != Z_ERRNO) r->error = message;
    return -1;
  }
  if (n == 0) {
    r->eof = 1;
    return 0;
  }
  r->end += (size_t)n;
  return 1;
}

static int io_failure(lua_State *L, reader_ud *r, const char *what) {
  lua_pushnil(L);
  if (r && r->error) lua_pushfstring(L, "%s: not valid gzip data (%s)", what, r->error);
  else lua_pushfstring(L, "%s: %s", what, strerror(errno));
  lua_pushliteral(L, "io");
  return 3;
}

/* lector.core.reader(path) -> Reader | nil, message, "io"; "-" is stdin. */
int lector_reader_open_lua(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  reader_ud *r = lua_newuserdatauv(L, sizeof *r, 0);
  memset(r, 0, sizeof *r);
  luaL_setmetatable(L, LECTOR_READER_CLASS);
  int is_stdin = strcmp(path, "-") == 0;
  int fd;
  /* gzclose closes the descriptor: standard input is read through a copy. */
  if (is_stdin) fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
  else do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
  if (fd < 0) return io_failure(L, NULL, is_stdin ? "-" : path);
  r->gz = gzdopen(fd, "rb");
  if (!r->gz) {
    close(fd);
    errno = ENOMEM;
    return io_failure(L, NULL, is_stdin ? "-" : path);
  }
  gzbuffer(r->gz, READ_CHUNK);
  return 1;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int starts_with_bom(const reader_ud *r) {
  return r->lineno == 0 && r->end - r->start >= 3 &&
         memcmp(r->buf + r->start, "\xEF\xBB\xBF", 3) == 0;
}

/* r:peek() -> the first byte that is not white space (nor a byte order mark
 * at the start of the input), as a string, without consuming anything; nil
 * at the end of input. */
LECTOR_FUNCTION(reader, peek) {
  reader_ud *r = check_reader(L, 1);
  while (r->end - r->start < 3 && !r->eof) {
    int got = fill(r);
    if (got < 0) return io_failure(L, r, "read");
  }
  size_t i = r->start + (starts_with_bom(r) ? 3 : 0);
  for (;;) {
    while (i < r->end && is_space(r->buf[i])) i++;
    if (i < r->end) {
      lua_pushlstring(L, r->buf + i, 1);
      return 1;
    }
    size_t offset = i - r->start;
    int got = fill(r);
    if (got < 0) return io_failure(L, r, "read");
    if (got == 0) return 0;
    i = r->start + offset;
  }
}

/* Skip the rest of an over-long line; returns its total length. */
static size_t skip_line(reader_ud *r, size_t seen) {
  for (;;) {
    char *nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
    if (nl) {
      seen += (size_t)(nl - (r->buf + r->start));
      r->start = (size_t)(nl - r->buf) + 1;
      return seen;
    }
    seen += r->end - r->start;
    r->start = r->end = 0;
    if (fill(r) <= 0) return seen;
  }
}

static void push_line(lua_State *L, reader_ud *r, size_t stop) {
  size_t len = stop - r->start;
  if (len > 0 && r->buf[r->start + len - 1] == '\r') len--;
  lua_pushlstring(L, r->buf + r->start, len);
  lua_pushinteger(L, r->lineno);
}

/* r:line(max) -> line, number | nil at the end | false, number, length
 * when the line is longer than max bytes (the line is skipped). The line
 * ending (LF or CRLF) is not part of the line. */
LECTOR_FUNCTION(reader, line) {
  reader_ud *r = check_reader(L, 1);
  lua_Integer max = luaL_checkinteger(L, 2);
  luaL_argcheck(L, max > 0, 2, "must be positive");
  for (;;) {
    size_t unscanned = r->end - r->start - r->scanned;
    char *nl = unscanned ? memchr(r->buf + r->start + r->scanned, '\n', unscanned) : NULL;
    if (nl) {
      size_t stop = (size_t)(nl - r->buf);
      size_t length = stop - r->start;
      if (length > 0 && r->buf[stop - 1] == '\r') length--;
      r->lineno++;
      r->scanned = 0;
      if (length > (size_t)max) {
        lua_pushboolean(L, 0);
        lua_pushinteger(L, r->lineno);
        lua_pushinteger(L, (lua_Integer)length);
        r->start = stop + 1;
        return 3;
      }
      push_line(L, r, stop);
      r->start = stop + 1;
      return 2;
    }
    r->scanned = r->end - r->start;
    if (r->scanned > (size_t)max) {
      r->lineno++;
      r->scanned = 0;
      lua_pushboolean(L, 0);
      lua_pushinteger(L, r->lineno);
      lua_pushinteger(L, (lua_Integer)skip_line(r, 0));
      return 3;
    }
    int got = fill(r);
    if (got < 0) return io_failure(L, r, "read");
    if (got == 0) {
      if (r->start == r->end) return 0;
      r->lineno++;
      r->scanned = 0;
      push_line(L, r, r->end);
      r->start = r->end;
      return 2;
    }
  }
}

/* r:read_all(max) -> the rest of the input | nil, message, "too_large" */
LECTOR_FUNCTION(reader, read_all) {
  reader_ud *r = check_reader(L, 1);
  lua_Integer max = luaL_checkinteger(L, 2);
  luaL_argcheck(L, max > 0, 2, "must be positive");
  for (;;) {
    if (r->end - r->start > (size_t)max) {
      lua_pushnil(L);
      lua_pushfstring(L, "too large (more than %I bytes; the limit is %I bytes)", max, max);
      lua_pushliteral(L, "too_large");
      return 3;
    }
    int got = fill(r);
    if (got < 0) return io_failure(L, r, "read");
    if (got == 0) break;
  }
  lua_pushlstring(L, r->buf + r->start, r->end - r->start);
  r->start = r->end;
  return 1;
}

/* r:offset() -> the bytes of the file (compressed, for gzip) consumed so
 * far: how far through its input a long read is. */
LECTOR_FUNCTION(reader, offset) {
  reader_ud *r = check_reader(L, 1);
  z_off_t offset = gzoffset(r->gz);
  lua_pushinteger(L, offset < 0 ? 0 : (lua_Integer)offset);
  return 1;
}

static int close_reader(reader_ud *r) {
  if (r->gz) gzclose_r(r->gz);
  r->gz = NULL;
  free(r->buf);
  r->buf = NULL;
  r->start = r->end = r->cap = 0;
  return 0;
}

LECTOR_FUNCTION(reader, close) {
  return close_reader(check_reader(L, 1));
}

static int reader_gc(lua_State *L) {
  return close_reader(luaL_checkudata(L, 1, LECTOR_READER_CLASS));
}

static const luaL_Reg reader_metamethods[] = {
  {"__gc", reader_gc},
  {"__close", reader_gc},
  {NULL, NULL}
};

static const luaL_Reg reader_methods[] = {
  LECTOR_ENTRY(reader, peek),
  LECTOR_ENTRY(reader, line),
  LECTOR_ENTRY(reader, read_all),
  LECTOR_ENTRY(reader, offset),
  LECTOR_ENTRY(reader, close),
  {NULL, NULL}
};

void lector_open_reader(lua_State *L) {
  lector_register_class(L, LECTOR_READER_CLASS, reader_metamethods, reader_methods, NULL);
}
