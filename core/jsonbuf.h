/*
 * A growing byte buffer that writes JSON. An allocation failure is sticky:
 * later writes do nothing and jsonbuf_finish returns NULL, so writers need
 * not check every call.
 */
#ifndef LECTOR_JSONBUF_H
#define LECTOR_JSONBUF_H

#include <stddef.h>

typedef struct jsonbuf {
  char *data;
  size_t len, cap;
  size_t limit;            /* refuse to grow past this many bytes; 0: no limit */
  int failed;              /* 1: out of memory; JSONBUF_OVER_LIMIT: over limit */
} jsonbuf;

#define JSONBUF_OVER_LIMIT 2

void jsonbuf_init(jsonbuf *b, size_t initial);
void jsonbuf_raw(jsonbuf *b, const char *s);
void jsonbuf_bytes(jsonbuf *b, const char *s, size_t n);
/* s as a quoted JSON string; s must be valid UTF-8. */
void jsonbuf_string(jsonbuf *b, const char *s, size_t n);
void jsonbuf_uint(jsonbuf *b, size_t n);
void jsonbuf_int(jsonbuf *b, long long value);
void jsonbuf_double(jsonbuf *b, double d);
/* The NUL-terminated result, owned by the caller; NULL after a failure. */
char *jsonbuf_finish(jsonbuf *b, size_t *len);

/* Re-indent compact JSON with two spaces a level; malloc'd, NULL when out
 * of memory. The input must be valid JSON. */
char *jsonbuf_pretty(const char *json, size_t len, size_t *outlen);

#endif
