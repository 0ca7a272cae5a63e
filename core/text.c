/*
 * Text loading and normalization: raw bytes in, lector's canonical text out
 * (UTF-8, no BOM, LF line ends, Unicode NFC).
 *
 * The work is two passes at most. The first validates UTF-8, converts line
 * ends and copies, with a word-at-a-time path for runs of ASCII; while it
 * goes it notes whether any code point could change under NFC. Only then
 * does a second pass run, and it normalizes just the short stretches
 * around such code points (with utf8proc's data and composition), so ordinary news text (ASCII plus curly quotes
 * and precomposed accents) never pays for normalization. Running utf8proc
 * over the whole text instead was measured at under a tenth of the speed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "lector.h"
#include "lector_limits.h"

/* Bytes read at a time from a pipe or terminal, whose size is unknown. */
#define STREAM_CHUNK_BYTES ((size_t)64 << 10)

/* Every code point below this is already NFC and never combines with what
 * comes before it: combining marks start here. */
#define FIRST_NFC_SENSITIVE 0x300

/* Hangul vowel and trailing jamo compose with the letter before them
 * algorithmically, so utf8proc's composition index does not mark them. */
#define HANGUL_V_FIRST 0x1161
#define HANGUL_V_LAST  0x1175
#define HANGUL_T_FIRST 0x11A8
#define HANGUL_T_LAST  0x11C2

/* utf8proc marks a code point that can be the second of a composed pair by
 * setting this bit in comb_index (UINT16_MAX means it takes part in none).
 * The unit tests check the whole scheme against utf8proc's own NFC over
 * every code point, so a library that changes it is caught there. */
#define COMB_INDEX_SECOND_OF_PAIR 0x8000

#define NFC_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE)

static const unsigned char REPLACEMENT_CHARACTER[3] = {0xEF, 0xBF, 0xBD};
static const unsigned char UTF8_BOM[3] = {0xEF, 0xBB, 0xBF};

/* A growing byte buffer; data always has room for a terminating NUL. */
typedef struct byte_buffer {
  unsigned char *data;
  size_t len, cap;
} byte_buffer;

/* A growing buffer of code points, reused by every NFC stretch of a text. */
typedef struct code_point_buffer {
  utf8proc_int32_t *data;
  size_t cap;
} code_point_buffer;

const char *lector_version(void) { return LECTOR_VERSION; }

/*
 * Fill in err (which may be NULL) and return status, so that a failure can
 * be reported in one statement.
 */
static lector_status fail(lector_error *err, lector_status status, size_t offset,
                          const char *format, ...) __attribute__((format(printf, 4, 5)));

static lector_status fail(lector_error *err, lector_status status, size_t offset,
                          const char *format, ...) {
  if (!err) return status;
  err->status = status;
  err->offset = offset;
  va_list args;
  va_start(args, format);
  vsnprintf(err->message, sizeof err->message, format, args);
  va_end(args);
  return status;
}

static lector_status out_of_memory(lector_error *err) {
  return fail(err, LECTOR_ENOMEM, 0, "out of memory");
}

static void clear_error(lector_error *err) {
  if (!err) return;
  err->status = LECTOR_OK;
  err->offset = 0;
  err->message[0] = '\0';
}

/*
 * The size limit in force: the caller's, the default when the caller gives
 * none (or 0), and never more than the hard limit that 32-bit offsets allow.
 */
static size_t effective_max_bytes(const lector_text_opts *opts) {
  size_t max = opts ? opts->max_bytes : 0;
  if (max == 0) max = LECTOR_DEFAULT_MAX_DOC_BYTES;
  if (max > LECTOR_HARD_MAX_DOC_BYTES) max = LECTOR_HARD_MAX_DOC_BYTES;
  return max;
}

static lector_status too_large(lector_error *err, size_t len, size_t max) {
  return fail(err, LECTOR_ETOOLARGE, 0, "too large (%zu bytes; the limit is %zu bytes)",
              len, max);
}

/* ---- buffers ---------------------------------------------------------- */

/* Make room for `extra` more bytes plus a NUL; 0 when out of memory. */
static int reserve_bytes(byte_buffer *b, size_t extra) {
  if (extra < b->cap - b->len) return 1;
  size_t need = b->len + extra + 1;
  if (need < b->len) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) { cap = need; break; }
    cap *= 2;
  }
  unsigned char *data = realloc(b->data, cap);
  if (!data) return 0;
  b->data = data;
  b->cap = cap;
  return 1;
}

static int append_bytes(byte_buffer *b, const unsigned char *s, size_t n) {
  if (!reserve_bytes(b, n)) return 0;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  return 1;
}

static int append_byte(byte_buffer *b, unsigned char c) {
  if (!reserve_bytes(b, 1)) return 0;
  b->data[b->len++] = c;
  return 1;
}

static int reserve_code_points(code_point_buffer *b, size_t count) {
  if (count <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < count) cap = cap > SIZE_MAX / 2 ? count : cap * 2;
  if (cap > SIZE_MAX / sizeof *b->data) return 0;
  utf8proc_int32_t *data = realloc(b->data, cap * sizeof *data);
  if (!data) return 0;
  b->data = data;
  b->cap = cap;
  return 1;
}

/* ---- UTF-8 ------------------------------------------------------------ */

/*
 * Decode the sequence starting at p (p[0] >= 0x80), with `avail` bytes left.
 * Returns its length and sets *cp when it is well formed by Unicode's table
 * of well-formed sequences (which rules out overlongs, surrogates and code
 * points above U+10FFFF). Otherwise returns 0 and sets *subpart to the length
 * of the maximal subpart: the longest prefix that could still have begun a
 * well-formed sequence, at least one byte. Replacing each maximal subpart by
 * one U+FFFD is the practice Unicode recommends (chapter 3, "U+FFFD
 * Substitution of Maximal Subparts").
 */
static size_t decode_sequence(const unsigned char *p, size_t avail, uint32_t *cp,
                              size_t *subpart) {
  unsigned char lead = p[0], low = 0x80, high = 0xBF;
  size_t need;
  uint32_t c;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 2; c = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 3; c = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;        /* below would be overlong */
    else if (lead == 0xED) high = 0x9F;  /* above would be a surrogate */
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 4; c = lead & 0x07;
    if (lead == 0xF0) low = 0x90;        /* below would be overlong */
    else if (lead == 0xF4) high = 0x8F;  /* above would pass U+10FFFF */
  } else {
    *subpart = 1;                        /* a stray continuation, C0, C1, F5..FF */
    return 0;
  }
  size_t k = 1;
  for (; k < need && k < avail; k++) {
    if (p[k] < low || p[k] > high) break;
    c = (c << 6) | (p[k] & 0x3F);
    low = 0x80;
    high = 0xBF;
  }
  if (k == need) {
    *cp = c;
    return need;
  }
  *subpart = k;
  return 0;
}

size_t lector_utf8_check(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    uint32_t cp;
    size_t subpart;
    size_t n = decode_sequence(p + i, len - i, &cp, &subpart);
    if (n == 0) return i;
    i += n;
  }
  return len;
}

/* Decode one code point of text already known to be valid UTF-8. */
static size_t decode_valid(const unsigned char *p, uint32_t *cp) {
  if (p[0] < 0x80) { *cp = p[0]; return 1; }
  if (p[0] < 0xE0) { *cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F); return 2; }
  if (p[0] < 0xF0) {
    *cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  *cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
        ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  return 4;
}

/* ---- word-at-a-time scanning ------------------------------------------ */

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static uint64_t load_word(const unsigned char *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

/* Nonzero when any of the eight bytes in w is zero (the classic bit trick). */
static uint64_t has_zero_byte(uint64_t w) { return (w - ONES) & ~w & HIGHS; }

/*
 * Length of the run at p that holds only ASCII other than CR: the bytes the
 * first pass copies unchanged.
 */
static size_t plain_ascii_run(const unsigned char *p, size_t n) {
  size_t i = 0;
  const uint64_t crs = ONES * '\r';
  while (i + 8 <= n) {
    uint64_t w = load_word(p + i);
    if ((w & HIGHS) || has_zero_byte(w ^ crs)) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80 && p[i] != '\r') i++;
  return i;
}

/* Length of the run at p that holds only ASCII. */
static size_t ascii_run(const unsigned char *p, size_t n) {
  size_t i = 0;
  while (i + 8 <= n && !(load_word(p + i) & HIGHS)) i += 8;
  while (i < n && p[i] < 0x80) i++;
  return i;
}

/* ---- NFC -------------------------------------------------------------- */

/* Remembered answers for precomposed code points, which take a small
 * utf8proc computation each: text in Greek or Vietnamese repeats a few dozen
 * of them. Slots are direct-mapped by the low bits; cp 0 marks an empty slot
 * (it is below FIRST_NFC_SENSITIVE, so never asked about). */
#define INERT_CACHE_SLOTS 256

typedef struct inert_cache {
  uint32_t cp[INERT_CACHE_SLOTS];
  unsigned char inert[INERT_CACHE_SLOTS];
} inert_cache;

/* Room for the full canonical decomposition of one code point (the longest
 * is 4; compatibility decompositions are never asked for). */
#define MAX_DECOMPOSITION 8

static int is_hangul_vowel_or_trail(uint32_t cp) {
  return (cp >= HANGUL_V_FIRST && cp <= HANGUL_V_LAST) ||
         (cp >= HANGUL_T_FIRST && cp <= HANGUL_T_LAST);
}

/* Whether cp could join the code point before it: a combining mark, or a
 * starter that is the second half of some composition. */
static int joins_backward(uint32_t cp, const utf8proc_property_t *prop) {
  if (cp < FIRST_NFC_SENSITIVE) return 0;
  if (is_hangul_vowel_or_trail(cp)) return 1;
  if (prop->combining_class != 0) return 1;
  return prop->comb_index != UINT16_MAX && (prop->comb_index & COMB_INDEX_SECOND_OF_PAIR);
}

/*
 * Whether a code point with a canonical decomposition is NFC as it stands
 * (it recomposes to itself) and its decomposition starts with something
 * that cannot join backward. Most precomposed letters are; singletons such
 * as U+212B ANGSTROM SIGN and composition exclusions are not.
 */
static int precomposed_is_inert(uint32_t cp) {
  utf8proc_int32_t parts[MAX_DECOMPOSITION];
  int boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, parts, MAX_DECOMPOSITION,
                                               UTF8PROC_DECOMPOSE, &boundclass);
  if (n < 1 || n > MAX_DECOMPOSITION) return 0;
  uint32_t first = (uint32_t)parts[0];
  if (joins_backward(first, utf8proc_get_property(parts[0]))) return 0;
  n = utf8proc_normalize_utf32(parts, n, NFC_OPTIONS);
  return n == 1 && (uint32_t)parts[0] == cp;
}

/*
 * Whether NFC leaves cp alone and cannot join it to anything before it. Text
 * made only of such code points is already NFC, and a boundary just before
 * one splits the text into parts that normalize independently.
 */
static int nfc_inert(uint32_t cp, inert_cache *cache) {
  if (cp < FIRST_NFC_SENSITIVE) return 1;
  const utf8proc_property_t *prop = utf8proc_get_property((utf8proc_int32_t)cp);
  if (joins_backward(cp, prop)) return 0;
  if (prop->decomp_seqindex == UINT16_MAX || prop->decomp_type != 0) return 1;
  size_t slot = cp % INERT_CACHE_SLOTS;
  if (cache->cp[slot] != cp) {
    cache->cp[slot] = cp;
    cache->inert[slot] = (unsigned char)precomposed_is_inert(cp);
  }
  return cache->inert[slot];
}

/* Runs of combining marks up to this long are ordered by insertion sort;
 * longer ones, which only hostile input has, by counting sort. */
#define SHORT_MARK_RUN 16

static int combining_class(utf8proc_int32_t cp) {
  return utf8proc_get_property(cp)->combining_class;
}

/*
 * Put a run of combining marks in canonical order: stable by combining
 * class. utf8proc's own ordering is quadratic in the run's length, so a
 * megabyte of marks after one letter would take hours there.
 */
static lector_status order_marks(utf8proc_int32_t *run, size_t n, code_point_buffer *spare) {
  if (n <= SHORT_MARK_RUN) {
    for (size_t i = 1; i < n; i++) {
      utf8proc_int32_t cp = run[i];
      int ccc = combining_class(cp);
      size_t j = i;
      for (; j > 0 && combining_class(run[j - 1]) > ccc; j--) run[j] = run[j - 1];
      run[j] = cp;
    }
    return LECTOR_OK;
  }
  if (!reserve_code_points(spare, n)) return LECTOR_ENOMEM;
  size_t first_of_class[257] = {0};
  for (size_t i = 0; i < n; i++) first_of_class[combining_class(run[i]) + 1]++;
  for (size_t c = 1; c < 257; c++) first_of_class[c] += first_of_class[c - 1];
  for (size_t i = 0; i < n; i++) spare->data[first_of_class[combining_class(run[i])]++] = run[i];
  memcpy(run, spare->data, n * sizeof *run);
  return LECTOR_OK;
}

/* Canonical decomposition of valid UTF-8 s[0..n) into cps, in canonical
 * order; the count is returned in *count. */
static lector_status decompose(const unsigned char *s, size_t n, code_point_buffer *cps,
                               code_point_buffer *spare, size_t *count) {
  size_t len = 0, marks_from = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    i += decode_valid(s + i, &cp);
    if (len > SIZE_MAX - MAX_DECOMPOSITION || !reserve_code_points(cps, len + MAX_DECOMPOSITION))
      return LECTOR_ENOMEM;
    int boundclass = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, cps->data + len,
                                                 MAX_DECOMPOSITION, NFC_OPTIONS, &boundclass);
    if (k < 1 || k > MAX_DECOMPOSITION) return LECTOR_EUTF8;
    for (size_t j = len; j < len + (size_t)k; j++) {
      if (combining_class(cps->data[j]) != 0) continue;
      if (j - marks_from > 1) {
        lector_status status = order_marks(cps->data + marks_from, j - marks_from, spare);
        if (status != LECTOR_OK) return status;
      }
      marks_from = j + 1;
    }
    len += (size_t)k;
  }
  if (len - marks_from > 1) {
    lector_status status = order_marks(cps->data + marks_from, len - marks_from, spare);
    if (status != LECTOR_OK) return status;
  }
  *count = len;
  return LECTOR_OK;
}

/*
 * Append the NFC form of the valid UTF-8 stretch s[0..n) to out: decompose
 * and order here, compose with utf8proc (which is linear).
 */
static lector_status normalize_stretch(const unsigned char *s, size_t n, byte_buffer *out,
                                       code_point_buffer *cps, code_point_buffer *spare) {
  size_t count;
  lector_status status = decompose(s, n, cps, spare, &count);
  if (status != LECTOR_OK) return status;
  utf8proc_ssize_t composed = utf8proc_normalize_utf32(cps->data, (utf8proc_ssize_t)count,
                                                       NFC_OPTIONS);
  if (composed < 0) return composed == UTF8PROC_ERROR_NOMEM ? LECTOR_ENOMEM : LECTOR_EUTF8;
  if (!reserve_bytes(out, (size_t)composed * 4)) return LECTOR_ENOMEM;
  for (utf8proc_ssize_t i = 0; i < composed; i++)
    out->len += (size_t)utf8proc_encode_char(cps->data[i], out->data + out->len);
  return LECTOR_OK;
}

/*
 * NFC of valid UTF-8 text into out. Each stretch that holds a sensitive code
 * point, widened to the inert code points on either side (or the text's
 * ends), goes through utf8proc; everything between is copied as it is.
 */
static lector_status normalize_nfc(const unsigned char *t, size_t n, byte_buffer *out,
                                   inert_cache *cache) {
  code_point_buffer cps = {NULL, 0}, spare = {NULL, 0};
  lector_status status = LECTOR_OK;
  size_t copied = 0;      /* t[0..copied) is already in out */
  size_t last_inert = 0;  /* start of the latest inert code point */
  size_t i = 0;
  while (i < n && status == LECTOR_OK) {
    size_t run = ascii_run(t + i, n - i);
    if (run) {
      i += run;
      last_inert = i - 1;
      continue;
    }
    uint32_t cp;
    size_t k = decode_valid(t + i, &cp);
    if (nfc_inert(cp, cache)) {
      last_inert = i;
      i += k;
      continue;
    }
    size_t start = last_inert > copied ? last_inert : copied;
    size_t end = i + k;
    while (end < n) {
      size_t m = decode_valid(t + end, &cp);
      if (nfc_inert(cp, cache)) break;
      end += m;
    }
    if (!append_bytes(out, t + copied, start - copied)) status = LECTOR_ENOMEM;
    else status = normalize_stretch(t + start, end - start, out, &cps, &spare);
    copied = i = last_inert = end;
  }
  if (status == LECTOR_OK && !append_bytes(out, t + copied, n - copied)) status = LECTOR_ENOMEM;
  free(cps.data);
  free(spare.data);
  return status;
}

/* ---- the first pass --------------------------------------------------- */

/*
 * Copy raw[start..len) into out, validating UTF-8 and turning CRLF and lone
 * CR into LF. With lossy set, each maximal invalid subpart becomes U+FFFD
 * and is counted in *repairs; without it the first one is an error whose
 * offset counts from raw[0]. *nfc_needed is set when some code point is not
 * NFC-inert.
 */
static lector_status copy_and_validate(const unsigned char *raw, size_t start, size_t len,
                                       int lossy, byte_buffer *out, size_t *repairs,
                                       int *nfc_needed, inert_cache *cache,
                                       lector_error *err) {
  size_t i = start;
  while (i < len) {
    size_t run = plain_ascii_run(raw + i, len - i);
    if (run) {
      if (!append_bytes(out, raw + i, run)) return out_of_memory(err);
      i += run;
      continue;
    }
    if (raw[i] == '\r') {
      if (!append_byte(out, '\n')) return out_of_memory(err);
      i += (i + 1 < len && raw[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    uint32_t cp;
    size_t subpart = 0;
    size_t k = decode_sequence(raw + i, len - i, &cp, &subpart);
    if (k) {
      if (!append_bytes(out, raw + i, k)) return out_of_memory(err);
      if (!*nfc_needed && !nfc_inert(cp, cache)) *nfc_needed = 1;
      i += k;
      continue;
    }
    if (!lossy) return fail(err, LECTOR_EUTF8, i, "invalid UTF-8 at byte %zu", i);
    if (!append_bytes(out, REPLACEMENT_CHARACTER, sizeof REPLACEMENT_CHARACTER))
      return out_of_memory(err);
    ++*repairs;
    i += subpart;
  }
  return LECTOR_OK;
}

/* ---- emptiness -------------------------------------------------------- */

/*
 * White space (Unicode's White_Space property) and the invisible zero-width
 * characters: text made only of these has nothing to analyse.
 */
static int is_blank(uint32_t cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return 1;
  switch (cp) {
  case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
  case 0x205F: case 0x2060: case 0x3000: case 0xFEFF:
    return 1;
  default:
    return cp >= 0x2000 && cp <= 0x200D;  /* the typographic spaces and ZWSP, ZWNJ, ZWJ */
  }
}

static int has_text(const unsigned char *t, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    i += decode_valid(t + i, &cp);
    if (!is_blank(cp)) return 1;
  }
  return 0;
}

/* ---- public ----------------------------------------------------------- */

/*
 * The steps run in a fixed order, and the first failure wins: size, NUL
 * bytes (anywhere, even after invalid UTF-8), UTF-8, emptiness. Error offsets
 * count bytes of raw from 0, BOM included. On failure *out is {NULL, 0, 0}.
 */
lector_status lector_text_normalize(const char *raw, size_t len,
                                    const lector_text_opts *opts,
                                    lector_text *out, lector_error *err) {
  clear_error(err);
  if (!out) return fail(err, LECTOR_EINVAL, 0, "no place for the text");
  out->data = NULL;
  out->len = 0;
  out->repairs = 0;
  if (!raw && len) return fail(err, LECTOR_EINVAL, 0, "no input given");

  size_t max = effective_max_bytes(opts);
  if (len > max) return too_large(err, len, max);
  const unsigned char *bytes = (const unsigned char *)raw;
  const unsigned char *nul = len ? memchr(bytes, 0, len) : NULL;
  if (nul) {
    size_t at = (size_t)(nul - bytes);
    return fail(err, LECTOR_EBINARY, at, "binary data (NUL byte at byte %zu)", at);
  }

  size_t start = (len >= 3 && memcmp(bytes, UTF8_BOM, 3) == 0) ? 3 : 0;
  byte_buffer first = {NULL, 0, 0};
  if (!reserve_bytes(&first, len - start)) return out_of_memory(err);
  size_t repairs = 0;
  int nfc_needed = 0;
  inert_cache cache;
  memset(&cache, 0, sizeof cache);
  lector_status status = copy_and_validate(bytes, start, len, opts && opts->lossy, &first,
                                           &repairs, &nfc_needed, &cache, err);
  if (status != LECTOR_OK) {
    free(first.data);
    return status;
  }

  byte_buffer text = first;
  if (nfc_needed) {
    byte_buffer composed = {NULL, 0, 0};
    if (!reserve_bytes(&composed, first.len)) status = LECTOR_ENOMEM;
    else status = normalize_nfc(first.data, first.len, &composed, &cache);
    free(first.data);
    if (status != LECTOR_OK) {
      free(composed.data);
      if (status == LECTOR_ENOMEM) return out_of_memory(err);
      return fail(err, status, 0, "Unicode normalization failed");
    }
    text = composed;
  }
  text.data[text.len] = '\0';

  if (!has_text(text.data, text.len)) {
    free(text.data);
    return fail(err, LECTOR_EEMPTY, 0, "empty input (no text)");
  }
  if (text.len > LECTOR_HARD_MAX_DOC_BYTES) {
    free(text.data);
    return fail(err, LECTOR_ETOOLARGE, 0,
                "too large after normalization (%zu bytes; the limit is %zu bytes)",
                text.len, (size_t)LECTOR_HARD_MAX_DOC_BYTES);
  }
  out->data = (char *)text.data;
  out->len = text.len;
  out->repairs = repairs;
  return LECTOR_OK;
}

void lector_text_free(lector_text *text) {
  if (!text) return;
  free(text->data);
  text->data = NULL;
  text->len = 0;
  text->repairs = 0;
}

/* ---- reading files ---------------------------------------------------- */

/* strerror's text without strerror's shared buffer, which threads reading
 * files at once would race on. glibc with _GNU_SOURCE has the variant that
 * returns the text; elsewhere it is the POSIX one that fills buf. */
static const char *describe_errno(int error_number, char *buf, size_t size) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return strerror_r(error_number, buf, size);
#else
  if (strerror_r(error_number, buf, size) != 0) snprintf(buf, size, "error %d", error_number);
  return buf;
#endif
}

static lector_status read_failed(lector_error *err, int error_number) {
  char buf[128];
  return fail(err, LECTOR_EIO, 0, "cannot read: %s", describe_errno(error_number, buf, sizeof buf));
}

/*
 * Double a full read buffer, but never past the max + 1 bytes (plus NUL) it
 * can ever need, so a pipe near the limit does not cost twice the limit.
 */
static int grow_for_stream(byte_buffer *b, size_t max) {
  size_t cap = b->cap < STREAM_CHUNK_BYTES ? STREAM_CHUNK_BYTES : b->cap * 2;
  if (cap > max + 2) cap = max + 2;
  if (cap <= b->cap) return 0;
  unsigned char *data = realloc(b->data, cap);
  if (!data) return 0;
  b->data = data;
  b->cap = cap;
  return 1;
}

/*
 * Read fd to its end into a malloc'd, NUL-terminated buffer, refusing more
 * than max bytes. A regular file's size is known in advance, so one over the
 * limit is refused before reading anything; a pipe is read until it passes
 * the limit by one byte, which is enough to know it is too large.
 */
static lector_status read_descriptor(int fd, size_t max, char **raw, size_t *len,
                                     lector_error *err) {
  struct stat st;
  if (fstat(fd, &st) != 0) return read_failed(err, errno);
  if (S_ISDIR(st.st_mode)) return fail(err, LECTOR_EIO, 0, "is a directory");

  size_t expected = STREAM_CHUNK_BYTES;
  if (S_ISREG(st.st_mode)) {
    off_t position = lseek(fd, 0, SEEK_CUR);
    off_t remaining = st.st_size - (position > 0 ? position : 0);
    if (remaining < 0) remaining = 0;
    if ((uintmax_t)remaining > max) return too_large(err, (size_t)remaining, max);
    expected = (size_t)remaining + 1;  /* one more byte notices a file that grew */
  }
  byte_buffer b = {NULL, 0, 0};
  if (!reserve_bytes(&b, expected < max + 1 ? expected : max + 1)) return out_of_memory(err);
  for (;;) {
    if (b.len == b.cap - 1 && !grow_for_stream(&b, max)) {
      free(b.data);
      return out_of_memory(err);
    }
    size_t room = b.cap - 1 - b.len;
    if (room > max + 1 - b.len) room = max + 1 - b.len;
    ssize_t got = read(fd, b.data + b.len, room);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error_number = errno;
      free(b.data);
      if (error_number == EISDIR) return fail(err, LECTOR_EIO, 0, "is a directory");
      return read_failed(err, error_number);
    }
    if (got == 0) break;
    b.len += (size_t)got;
    if (b.len > max) {
      free(b.data);
      return fail(err, LECTOR_ETOOLARGE, 0,
                  "too large (more than %zu bytes; the limit is %zu bytes)", max, max);
    }
  }
  b.data[b.len] = '\0';
  *raw = (char *)b.data;
  *len = b.len;
  return LECTOR_OK;
}

/*
 * "-" is standard input, which is read but not closed. Errors name no file:
 * the caller knows which one it asked for.
 */
lector_status lector_text_read_file(const char *path, const lector_text_opts *opts,
                                    char **raw, size_t *len, lector_error *err) {
  clear_error(err);
  if (!raw || !len) return fail(err, LECTOR_EINVAL, 0, "no place for the bytes read");
  *raw = NULL;
  *len = 0;
  if (!path) return fail(err, LECTOR_EINVAL, 0, "no file given");
  size_t max = effective_max_bytes(opts);
  if (strcmp(path, "-") == 0) return read_descriptor(STDIN_FILENO, max, raw, len, err);

  int fd;
  do fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return read_failed(err, errno);
  lector_status status = read_descriptor(fd, max, raw, len, err);
  close(fd);
  return status;
}
