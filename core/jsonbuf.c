#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonbuf.h"

static int reserve(jsonbuf *b, size_t extra) {
  if (b->failed) return -1;
  if (b->limit && b->len + extra > b->limit) {
    b->failed = JSONBUF_OVER_LIMIT;
    return -1;
  }
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  char *grown = realloc(b->data, cap);
  if (!grown) {
    b->failed = 1;
    return -1;
  }
  b->data = grown;
  b->cap = cap;
  return 0;
}

void jsonbuf_init(jsonbuf *b, size_t initial) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->limit = 0;
  b->failed = 0;
  reserve(b, initial);
}

void jsonbuf_bytes_slow(jsonbuf *b, const char *s, size_t n) {
  if (reserve(b, n)) return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

void jsonbuf_raw(jsonbuf *b, const char *s) {
  jsonbuf_bytes(b, s, strlen(s));
}

/* Control characters must be escaped; everything else, UTF-8 included,
 * goes through as is. Runs of plain bytes are copied in one step. */
void jsonbuf_string(jsonbuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (reserve(b, n + 2)) return;
  b->data[b->len++] = '"';
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    jsonbuf_bytes(b, s + run, i - run);
    run = i + 1;
    char escape[7] = {'\\', 0};
    switch (c) {
    case '"': escape[1] = '"'; break;
    case '\\': escape[1] = '\\'; break;
    case '\n': escape[1] = 'n'; break;
    case '\t': escape[1] = 't'; break;
    case '\r': escape[1] = 'r'; break;
    default:
      memcpy(escape + 1, "u00", 3);
      escape[4] = hex[c >> 4];
      escape[5] = hex[c & 15];
    }
    jsonbuf_raw(b, escape);
  }
  jsonbuf_bytes(b, s + run, n - run);
  jsonbuf_bytes(b, "\"", 1);
}

/* Whether none of the 8 bytes in w is a control character, '"', '\\' or
 * above 0x7f: the usual tests for a zero byte (v - 0x01.. & ~v & 0x80..,
 * exact as a yes or no) on w, w ^ '"' and w ^ '\\', and for bytes under
 * 0x20. */
static int plain_word(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  uint64_t bad = w | ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
                 ((backslash - ones) & ~backslash);
  return !(bad & highs);
}

int jsonbuf_plain_string(jsonbuf *b, const char *s, size_t n) {
  if (b->failed || b->len + n + 2 >= b->cap || (b->limit && b->len + n + 2 > b->limit)) return 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (!plain_word(w)) return 0;
  }
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return 0;
  }
  char *out = b->data + b->len;
  out[0] = '"';
  memcpy(out + 1, s, n);
  out[n + 1] = '"';
  b->len += n + 2;
  return 1;
}

int jsonbuf_plain_key(jsonbuf *b, const char *s, size_t n) {
  if (b->failed || b->len + n + 3 >= b->cap || (b->limit && b->len + n + 3 > b->limit)) return 0;
  char *out = b->data + b->len;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return 0;
    out[i + 1] = (char)c;
  }
  out[0] = '"';
  out[n + 1] = '"';
  out[n + 2] = ':';
  b->len += n + 3;
  return 1;
}

/* Numbers are written into a small array, then copied to the buffer with
 * jsonbuf_short: the array has SHORT_BYTES before the number's end and
 * after. */
enum { SHORT_BYTES = JSONBUF_SHORT_BYTES };

static const char DIGIT_PAIRS[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* The decimal digits of n, written to end at end, two at a time (half the
 * divisions); returns where they start. */
static inline char *digits_before(char *end, unsigned long long n) {
  while (n >= 100) {
    unsigned pair = (unsigned)(n % 100);
    n /= 100;
    end -= 2;
    memcpy(end, DIGIT_PAIRS + 2 * pair, 2);
  }
  if (n >= 10) {
    end -= 2;
    memcpy(end, DIGIT_PAIRS + 2 * n, 2);
  } else {
    *--end = (char)('0' + n);
  }
  return end;
}

/* Decimal digits without printf: integers are most of what documents and
 * passes store (offsets, counts), and the document's attribute columns must
 * write them as this does. */
static void write_digits(jsonbuf *b, unsigned long long n, int negative) {
  char digits[2 * SHORT_BYTES];
  char *end = digits + SHORT_BYTES, *p = digits_before(end, n);
  if (negative) *--p = '-';
  jsonbuf_short(b, p, (size_t)(end - p));
}

void jsonbuf_uint(jsonbuf *b, size_t n) {
  write_digits(b, n, 0);
}

void jsonbuf_int_any(jsonbuf *b, long long value) {
  write_digits(b, value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value,
               value < 0);
}

/* Most numbers passes store have a few decimals (scores rounded to 4
 * places). When d is the double nearest to M / 10^k for an integer M of at
 * most 15 digits, %.15g would print exactly that decimal in fixed notation
 * (a decimal of 15 digits survives the trip through a double) and strtod
 * would read it back as d: write it from M, without printf and strtod,
 * which cost more than the rest of a small object's encoding. M is d * 10^k
 * rounded, since that product is rarely exact (0.1234 * 10^4 is not 1234);
 * M / 10^k == d, both exact operands and one rounding, proves d nearest.
 * Returns 0 when d is not such a number (the caller uses printf). */
enum { SHORT_DECIMAL_PLACES = 8 };

static const unsigned long long POWERS_OF_TEN[SHORT_DECIMAL_PLACES + 1] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* whole / 10^places, negative when asked, without its trailing zeros.
 * Inlined, so that most calls divide by a constant 10^SHORT_DECIMAL_FIRST. */
static inline __attribute__((always_inline)) void write_places(jsonbuf *b, unsigned long long whole, int places,
                                int negative) {
  unsigned long long unit = POWERS_OF_TEN[places];
  unsigned long long integral = whole / unit, fraction = whole % unit;
  char digits[2 * SHORT_BYTES], *end = digits + SHORT_BYTES, *p = end;
  if (fraction) {
    while (fraction % 10 == 0) {                           /* %g drops them */
      fraction /= 10;
      places--;
    }
    memcpy(end - SHORT_DECIMAL_PLACES, "00000000", SHORT_DECIMAL_PLACES);
    digits_before(end, fraction);                          /* over the zeros it leads with */
    p = end - places;
    *--p = '.';
  }
  p = digits_before(p, integral);
  if (negative) *--p = '-';
  jsonbuf_short(b, p, (size_t)(end - p));
}

/* Most numbers are tried at SHORT_DECIMAL_FIRST places first: when d is the
 * nearest to M / 10^k for some k below it, it is also the nearest to
 * (M * 10^(FIRST - k)) / 10^FIRST, which the test at FIRST finds (d * 10^FIRST
 * is off that integer by far less than 0.5 below 1e15), and the trailing
 * zeros dropped leave the digits of k. So a failure there rules out every
 * k below it, and the search goes on above it. */
enum { SHORT_DECIMAL_FIRST = 4 };

static int short_decimal(jsonbuf *b, double d) {
  static const double powers[SHORT_DECIMAL_PLACES + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
                                                         1e6, 1e7, 1e8};
  double a = d < 0 ? -d : d;
  if (a == 0) {                                           /* a float zero: most scores */
    if (signbit(d)) jsonbuf_bytes(b, "-0", 2);
    else jsonbuf_bytes(b, "0", 1);
    return 1;
  }
  if (!(a >= 1e-4 && a < 1e15)) return 0;                 /* %g's fixed-notation range */
  int k = 0;
  double m = a * powers[SHORT_DECIMAL_FIRST];
  if (m < 1e15) {
    unsigned long long whole = (unsigned long long)(m + 0.5);
    if ((double)whole / powers[SHORT_DECIMAL_FIRST] == a) {
      write_places(b, whole, SHORT_DECIMAL_FIRST, d < 0);
      return 1;
    }
    k = SHORT_DECIMAL_FIRST + 1;
  }
  for (; k <= SHORT_DECIMAL_PLACES; k++) {
    m = a * powers[k];
    if (m >= 1e15) return 0;
    unsigned long long whole = (unsigned long long)(m + 0.5);
    if (whole >= 1000000000000000ULL || (double)whole / powers[k] != a) continue;
    write_places(b, whole, k, d < 0);
    return 1;
  }
  return 0;
}

/* The shortest of %.15g, %.16g and %.17g that reads back as the same double,
 * so 0.1 prints as 0.1. */
void jsonbuf_double(jsonbuf *b, double d) {
  if (short_decimal(b, d)) return;
  char digits[32];
  int len = 0;
  for (int precision = 15; precision <= 17; precision++) {
    len = snprintf(digits, sizeof digits, "%.*g", precision, d);
    if (strtod(digits, NULL) == d) break;
  }
  jsonbuf_bytes(b, digits, (size_t)len);
}

char *jsonbuf_finish(jsonbuf *b, size_t *len) {
  if (b->failed || reserve(b, 0)) {
    free(b->data);
    b->data = NULL;
    return NULL;
  }
  b->data[b->len] = '\0';
  if (len) *len = b->len;
  char *out = b->data;
  b->data = NULL;
  return out;
}

static void newline(jsonbuf *b, int depth) {
  jsonbuf_bytes(b, "\n", 1);
  for (int i = 0; i < depth; i++) jsonbuf_bytes(b, "  ", 2);
}

/* Copy the string starting at json[i] (a quote); returns the index after it. */
static size_t copy_string_token(jsonbuf *b, const char *json, size_t len, size_t i) {
  size_t start = i++;
  while (i < len && json[i] != '"') i += json[i] == '\\' ? 2 : 1;
  if (i < len) i++;
  jsonbuf_bytes(b, json + start, (i > len ? len : i) - start);
  return i;
}

char *jsonbuf_pretty(const char *json, size_t len, size_t *outlen) {
  jsonbuf b;
  jsonbuf_init(&b, len + len / 2 + 16);
  int depth = 0;
  for (size_t i = 0; i < len;) {
    char c = json[i];
    if (c == '"') {
      i = copy_string_token(&b, json, len, i);
      continue;
    }
    i++;
    if ((c == '{' || c == '[') && i < len && (json[i] == '}' || json[i] == ']')) {
      jsonbuf_bytes(&b, json + i - 1, 2);  /* keep {} and [] on one line */
      i++;
    } else if (c == '{' || c == '[') {
      jsonbuf_bytes(&b, &c, 1);
      newline(&b, ++depth);
    } else if (c == '}' || c == ']') {
      newline(&b, --depth);
      jsonbuf_bytes(&b, &c, 1);
    } else if (c == ',') {
      jsonbuf_bytes(&b, ",", 1);
      newline(&b, depth);
    } else if (c == ':') {
      jsonbuf_bytes(&b, ": ", 2);
    } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
      jsonbuf_bytes(&b, &c, 1);
    }
  }
  return jsonbuf_finish(&b, outlen);
}
