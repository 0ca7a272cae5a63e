/*
 * Text loading and normalization: every way raw input can be refused, with
 * its status, offset and message; lossy repair byte for byte; BOM, line
 * ends and NFC (checked against utf8proc over every code point); reading
 * files, directories, devices and pipes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "lector.h"
#include "lector_limits.h"

#ifndef LECTOR_FIXTURES_DIR
#define LECTOR_FIXTURES_DIR "tests/fixtures"
#endif

#define FIXTURE LECTOR_FIXTURES_DIR "/000_eec91c594e6a2ce7.txt"

/* ---- helpers ---------------------------------------------------------- */

static void assert_out_empty(const lector_text *out) {
  assert_null(out->data);
  assert_int_equal(out->len, 0);
  assert_int_equal(out->repairs, 0);
}

/* Normalize and expect a refusal with exactly this status, offset, message. */
static void expect_refusal(const char *raw, size_t len, const lector_text_opts *opts,
                           lector_status status, size_t offset, const char *message) {
  lector_text out = {(char *)"stale", 99, 99};
  lector_error err;
  assert_int_equal(lector_text_normalize(raw, len, opts, &out, &err), status);
  assert_int_equal(err.status, status);
  assert_int_equal(err.offset, offset);
  assert_string_equal(err.message, message);
  assert_out_empty(&out);
}

/* Normalize and expect exactly `want` (want_len bytes) and `repairs`. */
static void expect_text(const char *raw, size_t len, const lector_text_opts *opts,
                        const char *want, size_t want_len, size_t repairs) {
  lector_text out;
  lector_error err;
  lector_status status = lector_text_normalize(raw, len, opts, &out, &err);
  if (status != LECTOR_OK) fail_msg("refused: %s", err.message);
  assert_int_equal(out.len, want_len);
  assert_memory_equal(out.data, want, want_len);
  assert_int_equal(out.data[out.len], '\0');
  assert_int_equal(out.repairs, repairs);
  lector_text_free(&out);
  assert_null(out.data);
}

#define EXPECT_TEXT(raw, want) expect_text(raw, sizeof raw - 1, NULL, want, sizeof want - 1, 0)

static char *read_whole(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)size + 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
  data[size] = '\0';
  fclose(f);
  *len = (size_t)size;
  return data;
}

/* A temporary file holding n bytes of s; its path is written to path. */
static void write_temp(char *path, size_t pathsize, const char *s, size_t n) {
  const char *dir = getenv("TMPDIR");
  snprintf(path, pathsize, "%s/lector_text_XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, s, n), (ssize_t)n);
  close(fd);
}

/* What utf8proc makes of s under NFC: the reference lector must agree with. */
static char *reference_nfc(const char *s, size_t n, size_t *out_len) {
  utf8proc_uint8_t *out = NULL;
  utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  assert_true(len >= 0);
  *out_len = (size_t)len;
  return (char *)out;
}

static void expect_reference_nfc(const char *s, size_t n) {
  size_t want_len;
  char *want = reference_nfc(s, n, &want_len);
  expect_text(s, n, NULL, want, want_len, 0);
  free(want);
}

/* ---- refusals --------------------------------------------------------- */

static void test_empty_input(void **state) {
  (void)state;
  expect_refusal("", 0, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
  expect_refusal(NULL, 0, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
}

static void test_white_space_only(void **state) {
  (void)state;
  const char ascii[] = " \t\n\r\n\v\f  \r";
  expect_refusal(ascii, sizeof ascii - 1, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
  /* NBSP, ideographic space, em space, line separator, NNBSP, ZWSP */
  const char unicode[] = "\xC2\xA0\xE3\x80\x80\xE2\x80\x83\xE2\x80\xA8\xE2\x80\xAF\xE2\x80\x8B\n";
  expect_refusal(unicode, sizeof unicode - 1, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
  /* One visible character is enough, and the white space around it stays. */
  EXPECT_TEXT("  \xC2\xA0x\n\n", "  \xC2\xA0x\n\n");
}

static void test_bom_only(void **state) {
  (void)state;
  expect_refusal("\xEF\xBB\xBF", 3, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
  expect_refusal("\xEF\xBB\xBF \r\n", 6, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
}

static void test_nul_byte_is_binary(void **state) {
  (void)state;
  expect_refusal("abc\0def", 7, NULL, LECTOR_EBINARY, 3, "binary data (NUL byte at byte 3)");
  expect_refusal("\0", 1, NULL, LECTOR_EBINARY, 0, "binary data (NUL byte at byte 0)");
  /* Binary wins over invalid UTF-8 that comes earlier, and lossy mode does
   * not repair it. */
  lector_text_opts lossy = {0, 1};
  expect_refusal("\xFF\xFE" "a\0", 4, &lossy, LECTOR_EBINARY, 3,
                 "binary data (NUL byte at byte 3)");
}

static void test_too_large(void **state) {
  (void)state;
  lector_text_opts small = {4, 0};
  expect_refusal("hello", 5, &small, LECTOR_ETOOLARGE, 0,
                 "too large (5 bytes; the limit is 4 bytes)");
  expect_text("hell", 4, &small, "hell", 4, 0);
  /* The limit applies to raw bytes, before the BOM is stripped. */
  expect_refusal("\xEF\xBB\xBFhi", 5, &small, LECTOR_ETOOLARGE, 0,
                 "too large (5 bytes; the limit is 4 bytes)");
}

static void test_limit_is_clamped_to_hard_maximum(void **state) {
  (void)state;
  /* The size is checked before a single byte is read, so a short buffer
   * with a claimed length past the hard limit is safe to pass here. */
  char byte = 'x';
  lector_text_opts huge = {SIZE_MAX, 0};
  char message[128];
  snprintf(message, sizeof message, "too large (%zu bytes; the limit is %zu bytes)",
           (size_t)LECTOR_HARD_MAX_DOC_BYTES + 1, (size_t)LECTOR_HARD_MAX_DOC_BYTES);
  expect_refusal(&byte, LECTOR_HARD_MAX_DOC_BYTES + 1, &huge, LECTOR_ETOOLARGE, 0, message);
  /* max_bytes 0 means the default limit. */
  lector_text_opts zero = {0, 0};
  snprintf(message, sizeof message, "too large (%zu bytes; the limit is %zu bytes)",
           (size_t)LECTOR_DEFAULT_MAX_DOC_BYTES + 1, (size_t)LECTOR_DEFAULT_MAX_DOC_BYTES);
  expect_refusal(&byte, LECTOR_DEFAULT_MAX_DOC_BYTES + 1, &zero, LECTOR_ETOOLARGE, 0, message);
  expect_refusal(&byte, LECTOR_DEFAULT_MAX_DOC_BYTES + 1, NULL, LECTOR_ETOOLARGE, 0, message);
}

/* ---- invalid UTF-8, strict and lossy ---------------------------------- */

typedef struct bad_utf8 {
  const char *name;
  const char *raw;
  size_t len;
  size_t offset;       /* where strict mode reports it */
  const char *lossy;   /* what lossy mode makes of it */
  size_t repairs;
} bad_utf8;

#define FFFD "\xEF\xBF\xBD"
#define CASE(name, raw, offset, lossy, repairs) \
  {name, raw, sizeof raw - 1, offset, lossy, repairs}

static const bad_utf8 BAD_UTF8[] = {
  CASE("stray continuation byte", "ab\x80" "cd", 2, "ab" FFFD "cd", 1),
  CASE("two stray continuation bytes", "a\x80\xBF" "b", 1, "a" FFFD FFFD "b", 2),
  CASE("truncated 2-byte at end", "ab\xC3", 2, "ab" FFFD, 1),
  CASE("truncated 2-byte mid-text", "a\xC3" "b", 1, "a" FFFD "b", 1),
  CASE("truncated 3-byte at end", "a\xE2\x80", 1, "a" FFFD, 1),
  CASE("truncated 3-byte mid-text", "a\xE2\x80" "b", 1, "a" FFFD "b", 1),
  CASE("3-byte lead alone mid-text", "a\xE2" "bc", 1, "a" FFFD "bc", 1),
  CASE("truncated 4-byte at end", "a\xF0\x9F\x98", 1, "a" FFFD, 1),
  CASE("truncated 4-byte mid-text", "a\xF0\x9F\x98" "b", 1, "a" FFFD "b", 1),
  CASE("truncated then valid", "\xE2\x80\xE2\x80\x99", 0, FFFD "\xE2\x80\x99", 1),
  CASE("overlong C0 AF", "a\xC0\xAF" "b", 1, "a" FFFD FFFD "b", 2),
  CASE("overlong C1 BF", "\xC1\xBF", 0, FFFD FFFD, 2),
  CASE("overlong E0 80 AF", "a\xE0\x80\xAF" "b", 1, "a" FFFD FFFD FFFD "b", 3),
  CASE("overlong F0 80 80 AF", "\xF0\x80\x80\xAF", 0, FFFD FFFD FFFD FFFD, 4),
  CASE("surrogate ED A0 80", "x\xED\xA0\x80" "y", 1, "x" FFFD FFFD FFFD "y", 3),
  CASE("low surrogate ED BF BF", "\xED\xBF\xBF", 0, FFFD FFFD FFFD, 3),
  CASE("F5 lead", "a\xF5\x80\x80\x80", 1, "a" FFFD FFFD FFFD FFFD, 4),
  CASE("FF byte", "a\xFF" "b", 1, "a" FFFD "b", 1),
  CASE("above U+10FFFF", "a\xF4\x90\x80\x80" "b", 1, "a" FFFD FFFD FFFD FFFD "b", 4),
  CASE("error after a BOM", "\xEF\xBB\xBF" "ab\x80", 5, "ab" FFFD, 1),
  CASE("error after CRLF", "a\r\n\x80", 3, "a\n" FFFD, 1),
  CASE("first of several", "ok \xC3(\xFF", 3, "ok " FFFD "(" FFFD, 2),
};

static void test_invalid_utf8_strict(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof BAD_UTF8 / sizeof BAD_UTF8[0]; i++) {
    const bad_utf8 *c = &BAD_UTF8[i];
    char message[64];
    snprintf(message, sizeof message, "invalid UTF-8 at byte %zu", c->offset);
    print_message("%s\n", c->name);
    expect_refusal(c->raw, c->len, NULL, LECTOR_EUTF8, c->offset, message);
  }
}

static void test_invalid_utf8_lossy(void **state) {
  (void)state;
  lector_text_opts lossy = {0, 1};
  for (size_t i = 0; i < sizeof BAD_UTF8 / sizeof BAD_UTF8[0]; i++) {
    const bad_utf8 *c = &BAD_UTF8[i];
    print_message("%s\n", c->name);
    expect_text(c->raw, c->len, &lossy, c->lossy, strlen(c->lossy), c->repairs);
  }
}

static void test_lossy_on_valid_text_repairs_nothing(void **state) {
  (void)state;
  lector_text_opts lossy = {0, 1};
  const char valid[] = "Nicol\xC3\xA1s \xE2\x80\x9Cpeace\xE2\x80\x9D \xF0\x9F\x98\x80";
  expect_text(valid, sizeof valid - 1, &lossy, valid, sizeof valid - 1, 0);
}

static void test_lossy_replacement_only_is_text(void **state) {
  (void)state;
  /* Garbage repaired is still something to look at, not "empty". */
  lector_text_opts lossy = {0, 1};
  expect_text("\xFF", 1, &lossy, FFFD, 3, 1);
  /* Repairs can make the text longer than the raw input. */
  lector_text_opts small = {4, 1};
  expect_text("\xFF\xFF\xFF\xFF", 4, &small, FFFD FFFD FFFD FFFD, 12, 4);
}

/* ---- BOM and line ends ------------------------------------------------ */

static void test_bom_is_stripped(void **state) {
  (void)state;
  EXPECT_TEXT("\xEF\xBB\xBFHello", "Hello");
  /* Only a leading BOM: one later on is a character of the text. */
  EXPECT_TEXT("a\xEF\xBB\xBF" "b", "a\xEF\xBB\xBF" "b");
  EXPECT_TEXT("\xEF\xBB\xBF\xEF\xBB\xBFx", "\xEF\xBB\xBFx");
}

static void test_line_ends(void **state) {
  (void)state;
  EXPECT_TEXT("a\r\nb\rc\n\r\n\r", "a\nb\nc\n\n\n");
  EXPECT_TEXT("a\r\r\n", "a\n\n");
  EXPECT_TEXT("x\n\r", "x\n\n");
  EXPECT_TEXT("\r\nx", "\nx");
  /* CR next to multi-byte characters and inside long ASCII runs. */
  EXPECT_TEXT("caf\xC3\xA9\r\n\xE2\x80\x9Cquote\xE2\x80\x9D\r",
              "caf\xC3\xA9\n\xE2\x80\x9Cquote\xE2\x80\x9D\n");
  EXPECT_TEXT("0123456789abcdef0123456\r\n789abcdef", "0123456789abcdef0123456\n789abcdef");
}

/* ---- NFC -------------------------------------------------------------- */

static void test_nfc_composes(void **state) {
  (void)state;
  /* e + COMBINING ACUTE ACCENT -> U+00E9 */
  EXPECT_TEXT("caf" "e\xCC\x81", "caf\xC3\xA9");
  /* A + COMBINING RING ABOVE -> U+00C5; ANGSTROM SIGN (a singleton) too */
  EXPECT_TEXT("A\xCC\x8A" "ngstr\xC3\xB6m", "\xC3\x85ngstr\xC3\xB6m");
  EXPECT_TEXT("\xE2\x84\xAB", "\xC3\x85");
  /* Hangul jamo L V T -> syllable U+AC01, and LV syllable + T -> U+AC01 */
  EXPECT_TEXT("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", "\xEA\xB0\x81");
  EXPECT_TEXT("\xEA\xB0\x80\xE1\x86\xA8", "\xEA\xB0\x81");
  /* Marks are put in canonical order: dot below (220) before dot above (230) */
  EXPECT_TEXT("q\xCC\x87\xCC\xA3", "q\xCC\xA3\xCC\x87");
  /* Kannada: a starter that is the second half of a composition */
  EXPECT_TEXT("\xE0\xB2\xBF\xE0\xB3\x95", "\xE0\xB3\x80");
  /* Greek with the compatibility-free oxia form U+1F71 -> U+03AC */
  EXPECT_TEXT("\xE1\xBD\xB1", "\xCE\xAC");
}

static void test_nfc_leaves_nfc_alone(void **state) {
  (void)state;
  const char *samples[] = {
    "Nicol\xC3\xA1s Maduro \xE2\x80\x9Cpeace\xE2\x80\x9D",
    "\xCE\x97 \xCE\xBA\xCF\x85\xCE\xB2\xCE\xAD\xCF\x81\xCE\xBD\xCE\xB7\xCF\x83\xCE\xB7",
    "Vi\xE1\xBB\x87t Nam \xE1\xBA\xA7",
    "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4",
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
    /* a lone combining mark at the very start has nothing to join */
    "\xCC\x81" "abc",
    "\xF0\x9F\x87\xBB\xF0\x9F\x87\xAA emoji",
  };
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
    expect_text(samples[i], strlen(samples[i]), NULL, samples[i], strlen(samples[i]), 0);
}

/* Append the UTF-8 of cp to buf at *len. */
static void put_code_point(char *buf, size_t *len, utf8proc_int32_t cp) {
  *len += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)buf + *len);
}

static int is_scalar_value(utf8proc_int32_t cp) {
  return cp < 0xD800 || (cp > 0xDFFF && cp <= 0x10FFFF);
}

/* Every Unicode scalar value in order, as one text, normalizes exactly as
 * utf8proc normalizes it (NUL and CR left out: lector treats them apart). */
static void test_nfc_matches_utf8proc_on_every_code_point(void **state) {
  (void)state;
  char *buf = malloc((size_t)0x110000 * 4);
  assert_non_null(buf);
  size_t len = 0;
  for (utf8proc_int32_t cp = 1; cp <= 0x10FFFF; cp++)
    if (is_scalar_value(cp) && cp != '\r') put_code_point(buf, &len, cp);
  expect_reference_nfc(buf, len);
  free(buf);
}

/* The canonical decomposition of every code point, each after an "x" and
 * all run together, composes as utf8proc composes it. This is what shows
 * lector finds every code point that can join the one before it. */
static void test_nfc_matches_utf8proc_on_every_decomposition(void **state) {
  (void)state;
  size_t cap = (size_t)1 << 20, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (utf8proc_int32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
    if (!is_scalar_value(cp)) continue;
    utf8proc_int32_t parts[8];
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, parts, 8, UTF8PROC_DECOMPOSE, &boundclass);
    assert_true(n >= 1 && n <= 8);
    if (n == 1 && parts[0] == cp) continue;
    if (len + 40 > cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    buf[len++] = 'x';
    for (utf8proc_ssize_t i = 0; i < n; i++) put_code_point(buf, &len, parts[i]);
  }
  assert_true(len > 10000);
  expect_reference_nfc(buf, len);
  free(buf);
}

/* ---- the fixture and big inputs --------------------------------------- */

static void test_fixture_is_unchanged(void **state) {
  (void)state;
  size_t len;
  char *raw = read_whole(FIXTURE, &len);
  assert_non_null(strstr(raw, "\xE2\x80\x9CWe want everything"));  /* curly quotes */
  assert_non_null(strstr(raw, "Nicol\xC3\xA1s"));                  /* precomposed accent */
  expect_text(raw, len, NULL, raw, len, 0);
  free(raw);
}

static void test_fixture_with_crlf_bom_and_nfd_comes_back(void **state) {
  (void)state;
  size_t len;
  char *raw = read_whole(FIXTURE, &len);
  char *nfd = (char *)utf8proc_NFD((const utf8proc_uint8_t *)raw);
  assert_non_null(nfd);
  assert_true(strlen(nfd) > len);  /* the accents really were taken apart */
  size_t nfd_len = strlen(nfd);
  char *mangled = malloc(3 + nfd_len * 2);
  assert_non_null(mangled);
  size_t m = 0;
  memcpy(mangled, "\xEF\xBB\xBF", 3);
  m = 3;
  for (size_t i = 0; i < nfd_len; i++) {
    if (nfd[i] == '\n') mangled[m++] = '\r';
    mangled[m++] = nfd[i];
  }
  expect_text(mangled, m, NULL, raw, len, 0);
  free(mangled);
  free(nfd);
  free(raw);
}

/* One letter carrying `marks` combining marks, alternately dot below
 * (class 220) and acute (230), as UTF-8 in buf; returns its length. */
static size_t letter_with_marks(char *buf, size_t marks) {
  buf[0] = 'a';
  for (size_t i = 0; i < marks; i++) memcpy(buf + 1 + 2 * i, i % 2 ? "\xCC\x81" : "\xCC\xA3", 2);
  return 1 + 2 * marks;
}

/* Its NFC: a + dot below compose to U+1EA1, the other dots below come next
 * (canonical order), then every acute, none of which composes with U+1EA1. */
static size_t letter_with_marks_nfc(char *buf, size_t marks) {
  size_t below = (marks + 1) / 2, acute = marks / 2, len = 0;
  memcpy(buf, "\xE1\xBA\xA1", 3);
  len = 3;
  for (size_t i = 1; i < below; i++, len += 2) memcpy(buf + len, "\xCC\xA3", 2);
  for (size_t i = 0; i < acute; i++, len += 2) memcpy(buf + len, "\xCC\x81", 2);
  return len;
}

static void test_one_megabyte_line(void **state) {
  (void)state;
  size_t len = (size_t)1 << 20;
  char *line = malloc(len);
  char *want = malloc(len + 8);
  assert_non_null(line);
  assert_non_null(want);
  for (size_t i = 0; i < len; i++) line[i] = "word "[i % 5];
  expect_text(line, len, NULL, line, len, 0);

  /* The expected form of a letter with many marks, checked against utf8proc
   * where utf8proc is quick enough (its mark ordering is quadratic)... */
  size_t small = letter_with_marks(line, 1001);
  expect_reference_nfc(line, small);
  size_t small_want = letter_with_marks_nfc(want, 1001);
  expect_text(line, small, NULL, want, small_want, 0);
  /* ...then half a million marks in one line: a single NFC stretch, which
   * must take linear time. */
  size_t marks = (len - 1) / 2;
  size_t big = letter_with_marks(line, marks);
  size_t big_want = letter_with_marks_nfc(want, marks);
  expect_text(line, big, NULL, want, big_want, 0);
  free(want);
  free(line);
}

/* ---- reading files ---------------------------------------------------- */

static void expect_read_refusal(const char *path, const lector_text_opts *opts,
                                lector_status status, const char *message) {
  char *raw = (char *)"stale";
  size_t len = 99;
  lector_error err;
  assert_int_equal(lector_text_read_file(path, opts, &raw, &len, &err), status);
  assert_int_equal(err.status, status);
  assert_string_equal(err.message, message);
  assert_null(raw);
  assert_int_equal(len, 0);
}

static void test_read_missing_file(void **state) {
  (void)state;
  expect_read_refusal("/nonexistent/lector/no-such-file.txt", NULL, LECTOR_EIO,
                      "cannot read: No such file or directory");
}

static void test_read_directory(void **state) {
  (void)state;
  expect_read_refusal(LECTOR_FIXTURES_DIR, NULL, LECTOR_EIO, "is a directory");
}

static void test_read_regular_file(void **state) {
  (void)state;
  char path[256];
  const char content[] = "Caracas, November 3\r\n\xE2\x80\x9CPeace\xE2\x80\x9D";
  write_temp(path, sizeof path, content, sizeof content - 1);
  char *raw = NULL;
  size_t len = 0;
  lector_error err;
  assert_int_equal(lector_text_read_file(path, NULL, &raw, &len, &err), LECTOR_OK);
  assert_int_equal(len, sizeof content - 1);
  assert_memory_equal(raw, content, len);
  assert_int_equal(raw[len], '\0');
  free(raw);
  /* Exactly at the limit is fine. */
  lector_text_opts exact = {sizeof content - 1, 0};
  assert_int_equal(lector_text_read_file(path, &exact, &raw, &len, &err), LECTOR_OK);
  assert_int_equal(len, sizeof content - 1);
  free(raw);
  unlink(path);
}

static void test_read_fixture(void **state) {
  (void)state;
  char *raw = NULL;
  size_t len = 0;
  lector_error err;
  assert_int_equal(lector_text_read_file(FIXTURE, NULL, &raw, &len, &err), LECTOR_OK);
  size_t want_len;
  char *want = read_whole(FIXTURE, &want_len);
  assert_int_equal(len, want_len);
  assert_memory_equal(raw, want, len);
  free(want);
  free(raw);
}

static void test_read_file_over_limit(void **state) {
  (void)state;
  char path[256];
  write_temp(path, sizeof path, "0123456789", 10);
  lector_text_opts small = {4, 0};
  expect_read_refusal(path, &small, LECTOR_ETOOLARGE, "too large (10 bytes; the limit is 4 bytes)");
  unlink(path);
}

static void test_read_dev_null(void **state) {
  (void)state;
  char *raw = NULL;
  size_t len = 99;
  lector_error err;
  assert_int_equal(lector_text_read_file("/dev/null", NULL, &raw, &len, &err), LECTOR_OK);
  assert_non_null(raw);
  assert_int_equal(len, 0);
  assert_int_equal(raw[0], '\0');
  /* Reading it is fine; it is normalizing it that finds nothing there. */
  expect_refusal(raw, len, NULL, LECTOR_EEMPTY, 0, "empty input (no text)");
  free(raw);
}

/* Fork a child that writes `total` bytes of a repeated pattern into a pipe;
 * returns the read end. The child dies quietly if the reader stops early. */
static int pipe_from_writer(size_t total, pid_t *child) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  *child = fork();
  assert_true(*child >= 0);
  if (*child == 0) {
    close(fds[0]);
    char chunk[4096];
    for (size_t sent = 0; sent < total;) {
      size_t n = total - sent < sizeof chunk ? total - sent : sizeof chunk;
      for (size_t i = 0; i < n; i++) chunk[i] = "pipe text\n"[(sent + i) % 10];
      ssize_t w = write(fds[1], chunk, n);
      if (w <= 0) _exit(1);
      sent += (size_t)w;
    }
    _exit(0);
  }
  close(fds[1]);
  return fds[0];
}

/* Read standard input ("-") with the pipe standing in for it. */
static lector_status read_stdin_from(int fd, const lector_text_opts *opts, char **raw,
                                     size_t *len, lector_error *err) {
  int saved = dup(STDIN_FILENO);
  assert_true(saved >= 0);
  assert_true(dup2(fd, STDIN_FILENO) >= 0);
  lector_status status = lector_text_read_file("-", opts, raw, len, err);
  assert_true(dup2(saved, STDIN_FILENO) >= 0);
  close(saved);
  return status;
}

static void test_read_pipe_on_stdin(void **state) {
  (void)state;
  size_t total = 300000;  /* several read calls and buffer growths */
  pid_t child;
  int fd = pipe_from_writer(total, &child);
  char *raw = NULL;
  size_t len = 0;
  lector_error err;
  assert_int_equal(read_stdin_from(fd, NULL, &raw, &len, &err), LECTOR_OK);
  close(fd);
  assert_int_equal(len, total);
  for (size_t i = 0; i < total; i++)
    if (raw[i] != "pipe text\n"[i % 10]) fail_msg("byte %zu differs", i);
  assert_int_equal(raw[len], '\0');
  free(raw);
  int wstatus;
  assert_int_equal(waitpid(child, &wstatus, 0), child);
  assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

static void test_read_pipe_over_limit(void **state) {
  (void)state;
  pid_t child;
  int fd = pipe_from_writer(100000, &child);
  lector_text_opts small = {1000, 0};
  char *raw = (char *)"stale";
  size_t len = 99;
  lector_error err;
  assert_int_equal(read_stdin_from(fd, &small, &raw, &len, &err), LECTOR_ETOOLARGE);
  close(fd);  /* the writer gets EPIPE or SIGPIPE, either way it ends */
  assert_string_equal(err.message, "too large (more than 1000 bytes; the limit is 1000 bytes)");
  assert_null(raw);
  assert_int_equal(len, 0);
  waitpid(child, NULL, 0);
}

static void test_version(void **state) {
  (void)state;
  assert_string_equal(lector_version(), LECTOR_VERSION);
  assert_string_equal(lector_version(), "0.1.0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty_input),
    cmocka_unit_test(test_white_space_only),
    cmocka_unit_test(test_bom_only),
    cmocka_unit_test(test_nul_byte_is_binary),
    cmocka_unit_test(test_too_large),
    cmocka_unit_test(test_limit_is_clamped_to_hard_maximum),
    cmocka_unit_test(test_invalid_utf8_strict),
    cmocka_unit_test(test_invalid_utf8_lossy),
    cmocka_unit_test(test_lossy_on_valid_text_repairs_nothing),
    cmocka_unit_test(test_lossy_replacement_only_is_text),
    cmocka_unit_test(test_bom_is_stripped),
    cmocka_unit_test(test_line_ends),
    cmocka_unit_test(test_nfc_composes),
    cmocka_unit_test(test_nfc_leaves_nfc_alone),
    cmocka_unit_test(test_nfc_matches_utf8proc_on_every_code_point),
    cmocka_unit_test(test_nfc_matches_utf8proc_on_every_decomposition),
    cmocka_unit_test(test_fixture_is_unchanged),
    cmocka_unit_test(test_fixture_with_crlf_bom_and_nfd_comes_back),
    cmocka_unit_test(test_one_megabyte_line),
    cmocka_unit_test(test_read_missing_file),
    cmocka_unit_test(test_read_directory),
    cmocka_unit_test(test_read_regular_file),
    cmocka_unit_test(test_read_fixture),
    cmocka_unit_test(test_read_file_over_limit),
    cmocka_unit_test(test_read_dev_null),
    cmocka_unit_test(test_read_pipe_on_stdin),
    cmocka_unit_test(test_read_pipe_over_limit),
    cmocka_unit_test(test_version),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
