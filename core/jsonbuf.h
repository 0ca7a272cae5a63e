/*
 * A growing byte buffer that writes JSON. An allocation failure is sticky:
 * later writes do nothing and jsonbuf_finish returns NULL, so writers need
 * not check every call.
 */
#ifndef LECTOR_JSONBUF_H
#define LECTOR_JSONBUF_H

#include <stddef.h>
#include <string.h>

typedef struct jsonbuf {
  char *data;
  size_t len, cap;
  size_t limit;            /* refuse to grow past this many bytes; 0: no limit */
  int failed;              /* 1: out of memory; JSONBUF_OVER_LIMIT: over limit */
} jsonbuf;

#define JSONBUF_OVER_LIMIT 2

void jsonbuf_init(jsonbuf *b, size_t initial);
void jsonbuf_raw(jsonbuf *b, const char *s);
/* jsonbuf_bytes when the bytes may not fit: grows the buffer, or fails. */
void jsonbuf_bytes_slow(jsonbuf *b, const char *s, size_t n);

/* Where n more bytes go when they fit the room left (without growing,
 * within the limit), else NULL. The writer adds n to len. */
static inline char *jsonbuf_room(jsonbuf *b, size_t n) {
  int fits = b->len + n < b->cap && !b->failed && (!b->limit || b->len + n <= b->limit);
  return fits ? b->data + b->len : NULL;
}

/* Append n bytes. Inline for the case of most writes, bytes that fit the
 * room left (a value's JSON is mostly one- and two-byte punctuation). */
static inline void jsonbuf_bytes(jsonbuf *b, const char *s, size_t n) {
  char *at = jsonbuf_room(b, n);
  if (!at) {
    jsonbuf_bytes_slow(b, s, n);
    return;
  }
  memcpy(at, s, n);
  b->len += n;
}

/* The longest number jsonbuf writes ("-" and 20 digits) is shorter. */
#define JSONBUF_SHORT_BYTES 32

/* Append n <= JSONBUF_SHORT_BYTES bytes from s, which has
 * JSONBUF_SHORT_BYTES readable. A copy of that fixed size compiles to a
 * few moves where one of n bytes is a call: the bytes past n land in the
 * room left and are written over next. */
static inline void jsonbuf_short(jsonbuf *b, const char *s, size_t n) {
  if (b->len + JSONBUF_SHORT_BYTES < b->cap && !b->failed && (!b->limit || b->len + n <= b->limit)) {
    memcpy(b->data + b->len, s, JSONBUF_SHORT_BYTES);
    b->len += n;
  } else {
    jsonbuf_bytes(b, s, n);
  }
}

/* s as a quoted JSON string; s must be valid UTF-8. */
void jsonbuf_string(jsonbuf *b, const char *s, size_t n);
/* "s" for a string of ASCII that needs no escaping (no control character,
 * '"' or '\\') and fits the room left, written in one copy: returns 1.
 * Otherwise writes nothing and returns 0. Such a string is valid UTF-8,
 * so the caller need not check it. */
int jsonbuf_plain_string(jsonbuf *b, const char *s, size_t n);
/* "s": for an object key that is printable ASCII without '"' or '\\' and
 * fits the room left, in one pass: returns 1. Otherwise writes nothing
 * and returns 0 (the caller checks and escapes it with jsonbuf_string). */
int jsonbuf_plain_key(jsonbuf *b, const char *s, size_t n);
void jsonbuf_uint(jsonbuf *b, size_t n);
/* jsonbuf_int for any value; jsonbuf_int writes 0..9 itself, the most
 * written (counts, flags, indices), without a call. */
void jsonbuf_int_any(jsonbuf *b, long long value);
static inline void jsonbuf_int(jsonbuf *b, long long value) {
  if (value >= 0 && value < 10) jsonbuf_bytes(b, &"0123456789"[value], 1);
  else jsonbuf_int_any(b, value);
}
void jsonbuf_double(jsonbuf *b, double d);
/* The NUL-terminated result, owned by the caller; NULL after a failure. */
char *jsonbuf_finish(jsonbuf *b, size_t *len);

/* Re-indent compact JSON with two spaces a level; malloc'd, NULL when out
 * of memory. The input must be valid JSON. */
char *jsonbuf_pretty(const char *json, size_t len, size_t *outlen);

#endif
