/*
 * Reader: buffered, bounded reading of a file or standard input, for the
 * loaders written in Lua. Lines and whole inputs are capped, so a huge line
 * or a never-ending stream costs at most the limit in memory. Input
 * compressed with gzip (it starts with gzip's magic number) is decompressed
 * as it is read, anything else is read as it is, so a .jsonl.gz corpus
 * streams like a .jsonl one.
 *
 * A stream (a pipe, a terminal, a socket) is read as its bytes come: a line
 * is given as soon as it is whole, never held back until more input fills
 * a buffer, and r:line(max, false) tells when the next line would have to
 * be waited for. Its waits end when the process is interrupted
 * (lector.core.catch_interrupts): from then on it reads nothing more, gives
 * the lines it holds whole and ends, dropping a last line that has no end
 * yet. Regular files never wait, and are read to their end as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "lua_lector.h"

#define READ_CHUNK 65536
/* One read or inflate call fills at most this much of the buffer (zlib
 * counts in unsigned int). */
#define MAX_FILL ((size_t)1 << 30)

enum reader_format { FORMAT_UNKNOWN, FORMAT_PLAIN, FORMAT_GZIP };

/* What reading more gave. */
enum fill_result {
  FILL_ERROR = -1,   /* errno, or r->error for data that is not valid gzip */
  FILL_END = 0,      /* the end of input, or a stream given up on interruption */
  FILL_MORE = 1,     /* bytes */
  FILL_WAIT = 2      /* a stream has nothing yet (only when asked not to wait) */
};

typedef struct reader_ud {
  int fd;                  /* -1 once closed */
  int stream;              /* a pipe, a terminal or a socket: waited on with poll */
  int stopped;             /* the process was interrupted: nothing more is read */
  enum reader_format format;
  z_stream z;              /* FORMAT_GZIP: its input is `in` */
  unsigned char *in;
  int member_ended;        /* a gzip member ended; the next bytes say what follows */
  char *buf;               /* the bytes read (decompressed), from start to end */
  size_t start, end, cap;
  size_t scanned;          /* bytes after start known to hold no newline */
  int eof;
  lua_Integer lineno;
  lua_Integer consumed;    /* bytes read from the descriptor */
  const char *error;       /* why the last fill failed, when zlib knows */
} reader_ud;

static reader_ud *check_reader(lua_State *L, int arg) {
  reader_ud *r = luaL_checkudata(L, arg, LECTOR_READER_CLASS);
  if (r->fd < 0) luaL_argerror(L, arg, "reader is closed");
  return r;
}

/*
 * Wait until a stream can be read without blocking, or only look when wait
 * is 0. The interruption's wake-up descriptor is watched as well, so a
 * signal ends the wait whichever thread it was delivered to. FILL_MORE: a
 * read will not block (bytes, the end or an error are there); FILL_WAIT:
 * nothing yet; FILL_END: the process was interrupted, and the reader stops.
 */
static int await_stream(reader_ud *r, int wait) {
  struct pollfd watched[2] = {{r->fd, POLLIN, 0}, {lector_interrupt_fd(), POLLIN, 0}};
  nfds_t count = watched[1].fd >= 0 ? 2 : 1;
  for (;;) {
    int n = poll(watched, count, wait ? -1 : 0);
    if (n < 0 && errno == EINTR) continue;   /* the wake-up descriptor tells */
    if (n < 0) return FILL_ERROR;
    if (count == 2 && watched[1].revents) {
      r->stopped = 1;
      return FILL_END;
    }
    return n == 0 ? FILL_WAIT : FILL_MORE;
  }
}

/* Read up to room bytes of the descriptor into dst; *got says how many
 * (FILL_MORE). A stream is waited on first, and only looked at when wait
 * is 0. */
static int read_bytes(reader_ud *r, void *dst, size_t room, int wait, size_t *got) {
  *got = 0;
  if (r->stopped) return FILL_END;
  if (room > MAX_FILL) room = MAX_FILL;
  for (;;) {
    if (r->stream) {
      int ready = await_stream(r, wait);
      if (ready != FILL_MORE) return ready;
    }
    ssize_t n = read(r->fd, dst, room);
    /* EAGAIN: a descriptor some other program made non-blocking; poll
     * waits for its bytes. */
    if (n < 0 && (errno == EINTR || (errno == EAGAIN && r->stream))) continue;
    if (n < 0) return FILL_ERROR;
    if (n == 0) return FILL_END;
    *got = (size_t)n;
    r->consumed += (lua_Integer)n;
    return FILL_MORE;
  }
}

/* Move the compressed bytes not yet inflated to the front of `in` and read
 * more after them. */
static int read_compressed(reader_ud *r, int wait) {
  z_stream *z = &r->z;
  if (z->avail_in > 0 && z->next_in != r->in) memmove(r->in, z->next_in, z->avail_in);
  z->next_in = r->in;
  size_t got = 0;
  int result = read_bytes(r, r->in + z->avail_in, READ_CHUNK - z->avail_in, wait, &got);
  z->avail_in += (uInt)got;
  return result;
}

static int gzip_failure(reader_ud *r, const char *why) {
  r->error = why;
  return FILL_ERROR;
}

/*
 * Decompress into buf after end, reading compressed bytes as needed. Gives
 * FILL_MORE as soon as some bytes come out, so that a stream's lines are
 * not held back until more input arrives. Members written one after the
 * other (gzip's way of appending) are read as one input; bytes after a
 * member that are not gzip are ignored, as zlib's gzread ignores them.
 */
static int inflate_bytes(reader_ud *r, int wait) {
  z_stream *z = &r->z;
  size_t room = r->cap - r->end;
  if (room > MAX_FILL) room = MAX_FILL;
  z->next_out = (Bytef *)(r->buf + r->end);
  z->avail_out = (uInt)room;
  for (;;) {
    if (r->member_ended) {
      while (z->avail_in < 2) {
        int result = read_compressed(r, wait);
        if (result == FILL_END) break;
        if (result != FILL_MORE) return result;
      }
      if (z->avail_in < 2 || z->next_in[0] != 0x1f || z->next_in[1] != 0x8b) return FILL_END;
      if (inflateReset(z) != Z_OK) return gzip_failure(r, "cannot start the next member");
      r->member_ended = 0;
    }
    if (z->avail_in == 0) {
      int result = read_compressed(r, wait);
      if (result == FILL_END && !r->stopped) return gzip_failure(r, "unexpected end of file");
      if (result != FILL_MORE) return result;
    }
    int rc = inflate(z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) r->member_ended = 1;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
      return gzip_failure(r, z->msg ? z->msg : "not deflate data");
    size_t made = room - z->avail_out;
    if (made > 0) {
      r->end += made;
      return FILL_MORE;
    }
  }
}

/* The first bytes say how the rest is read: gzip's magic number (1f 8b)
 * makes the input compressed. Called while nothing has been consumed, with
 * the bytes read so far in buf (at most READ_CHUNK, what `in` holds);
 * returns FILL_MORE once the format is known (the plain bytes left in buf,
 * or the compressed ones moved to `in`). */
static int read_format(reader_ud *r, int wait) {
  const unsigned char *bytes = (const unsigned char *)r->buf;
  while (r->end < 2 && !(r->end == 1 && bytes[0] != 0x1f)) {
    size_t got = 0;
    int result = read_bytes(r, r->buf + r->end, READ_CHUNK - r->end, wait, &got);
    r->end += got;
    if (result == FILL_END) break;
    if (result != FILL_MORE) return result;
  }
  if (r->end < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) {
    r->format = FORMAT_PLAIN;
    return r->end > 0 ? FILL_MORE : FILL_END;
  }
  r->in = malloc(READ_CHUNK);
  if (!r->in) {
    errno = ENOMEM;
    return FILL_ERROR;
  }
  memset(&r->z, 0, sizeof r->z);
  if (inflateInit2(&r->z, 15 + 16) != Z_OK) {   /* 16: a gzip header, not zlib's */
    free(r->in);
    r->in = NULL;
    errno = ENOMEM;
    return FILL_ERROR;
  }
  r->format = FORMAT_GZIP;
  memcpy(r->in, r->buf, r->end);
  r->z.next_in = r->in;
  r->z.avail_in = (uInt)r->end;
  r->start = r->end = r->scanned = 0;
  return inflate_bytes(r, wait);
}

/* Read more bytes after end, moving unread bytes to the front and growing
 * the buffer when full; with wait 0, a stream that has nothing yet gives
 * FILL_WAIT instead of being waited for. */
static int fill(reader_ud *r, int wait) {
  if (r->eof) return FILL_END;
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
      return FILL_ERROR;
    }
    r->buf = grown;
    r->cap = cap;
  }
  r->error = NULL;
  int result;
  if (r->format == FORMAT_UNKNOWN) {
    result = read_format(r, wait);
  } else if (r->format == FORMAT_GZIP) {
    result = inflate_bytes(r, wait);
  } else {
    size_t got = 0;
    result = read_bytes(r, r->buf + r->end, r->cap - r->end, wait, &got);
    r->end += got;
  }
  if (result == FILL_END) r->eof = 1;
  return result;
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
  r->fd = -1;
  luaL_setmetatable(L, LECTOR_READER_CLASS);
  int is_stdin = strcmp(path, "-") == 0;
  const char *name = is_stdin ? "-" : path;
  /* Closing the reader closes its descriptor: standard input is read
   * through a copy. */
  int fd;
  if (is_stdin) fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
  else do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
  if (fd < 0) return io_failure(L, NULL, name);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int error_number = errno;
    close(fd);
    errno = error_number;
    return io_failure(L, NULL, name);
  }
  r->fd = fd;
  r->stream = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode);
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
    if (fill(r, 1) < 0) return io_failure(L, r, "read");
  }
  size_t i = r->start + (starts_with_bom(r) ? 3 : 0);
  for (;;) {
    while (i < r->end && is_space(r->buf[i])) i++;
    if (i < r->end) {
      lua_pushlstring(L, r->buf + i, 1);
      return 1;
    }
    size_t offset = i - r->start;
    int got = fill(r, 1);
    if (got < 0) return io_failure(L, r, "read");
    if (got == FILL_END) return 0;
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
    if (fill(r, 1) <= 0) return seen;
  }
}

static void push_line(lua_State *L, reader_ud *r, size_t stop) {
  size_t len = stop - r->start;
  if (len > 0 && r->buf[r->start + len - 1] == '\r') len--;
  lua_pushlstring(L, r->buf + r->start, len);
  lua_pushinteger(L, r->lineno);
}

static int too_long(lua_State *L, reader_ud *r, size_t length) {
  lua_pushboolean(L, 0);
  lua_pushinteger(L, r->lineno);
  lua_pushinteger(L, (lua_Integer)length);
  return 3;
}

/* r:line(max [, wait]) -> line, number | nil at the end | false, number,
 * length when the line is longer than max bytes (the line is skipped) |
 * true when wait is false and the next line is not whole yet: a stream
 * would have to be waited for. The line ending (LF or CRLF) is not part of
 * the line. A last line without an ending is a line, unless the reading
 * ended on an interruption: it may be only the start of one, and is
 * dropped. */
LECTOR_FUNCTION(reader, line) {
  reader_ud *r = check_reader(L, 1);
  lua_Integer max = luaL_checkinteger(L, 2);
  luaL_argcheck(L, max > 0, 2, "must be positive");
  int wait = 1;
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TBOOLEAN);
    wait = lua_toboolean(L, 3);
  }
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
        r->start = stop + 1;
        return too_long(L, r, length);
      }
      push_line(L, r, stop);
      r->start = stop + 1;
      return 2;
    }
    r->scanned = r->end - r->start;
    if (r->scanned > (size_t)max) {
      r->scanned = 0;
      size_t length = skip_line(r, 0);
      if (r->stopped) return 0;
      r->lineno++;
      return too_long(L, r, length);
    }
    int got = fill(r, wait);
    if (got == FILL_ERROR) return io_failure(L, r, "read");
    if (got == FILL_WAIT) {
      lua_pushboolean(L, 1);
      return 1;
    }
    if (got == FILL_END) {
      if (r->start == r->end || r->stopped) {
        r->start = r->end = r->scanned = 0;
        return 0;
      }
      r->lineno++;
      r->scanned = 0;
      push_line(L, r, r->end);
      r->start = r->end;
      return 2;
    }
  }
}

/* r:read_all(max) -> the rest of the input | nil, message, "too_large" |
 * nil, message, "io" | nothing when the reading of a stream ended on an
 * interruption (what came of it may be only the start of the input). */
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
    int got = fill(r, 1);
    if (got < 0) return io_failure(L, r, "read");
    if (got == FILL_END) break;
  }
  if (r->stopped) return 0;
  lua_pushlstring(L, r->buf + r->start, r->end - r->start);
  r->start = r->end;
  return 1;
}

/* r:offset() -> the bytes of the file (compressed, for gzip) consumed so
 * far: how far through its input a long read is. */
LECTOR_FUNCTION(reader, offset) {
  reader_ud *r = check_reader(L, 1);
  lua_Integer pending = r->format == FORMAT_GZIP ? (lua_Integer)r->z.avail_in : 0;
  lua_pushinteger(L, r->consumed - pending);
  return 1;
}

/* r:stream() -> whether the input is a stream (a pipe, a terminal, a
 * socket): read as it comes, it cannot be read again, and an interruption
 * ends it. */
LECTOR_FUNCTION(reader, stream) {
  lua_pushboolean(L, check_reader(L, 1)->stream);
  return 1;
}

static int close_reader(reader_ud *r) {
  if (r->fd >= 0) close(r->fd);
  r->fd = -1;
  if (r->format == FORMAT_GZIP) inflateEnd(&r->z);
  r->format = FORMAT_UNKNOWN;
  free(r->in);
  r->in = NULL;
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
  LECTOR_ENTRY(reader, stream),
  LECTOR_ENTRY(reader, close),
  {NULL, NULL}
};

void lector_open_reader(lua_State *L) {
  lector_register_class(L, LECTOR_READER_CLASS, reader_metamethods, reader_methods, NULL);
}
