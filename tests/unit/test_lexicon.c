/*
 * Lexicon: adding and looking up phrases, folding, longest matches over
 * segmented text, TSV loading with its errors and roll-back, allocation
 * failure at every allocation, and an informal benchmark on a million
 * entries (rates printed, never asserted).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "doc.h"
#include "lector.h"
#include "lector_limits.h"
#include "lexicon.h"

#ifndef LECTOR_FIXTURES_DIR
#define LECTOR_FIXTURES_DIR "tests/fixtures"
#endif
#define FIXTURE LECTOR_FIXTURES_DIR "/000_eec91c594e6a2ce7.txt"

/* ---- helpers ------------------------------------------------------------ */

static lector_doc *make_doc(const char *text, size_t len) {
  lector_text norm;
  lector_error err;
  assert_int_equal(lector_text_normalize(text, len, NULL, &norm, &err), LECTOR_OK);
  lector_doc *doc = NULL;
  assert_int_equal(lector_doc_new(&norm, "t", "t", NULL, NULL, &doc, &err), LECTOR_OK);
  return doc;
}

static lector_doc *doc_of(const char *text) {
  return make_doc(text, strlen(text));
}

static lector_lexicon *lexicon(int fold) {
  lector_error err;
  lector_lexicon *lex = lector_lexicon_new(fold, NULL, NULL, &err);
  assert_non_null(lex);
  return lex;
}

static void add(lector_lexicon *lex, const char *phrase, const char *label, double value) {
  lector_error err;
  lector_status status = lector_lexicon_add(lex, phrase, strlen(phrase), label, value, &err);
  if (status != LECTOR_OK) fail_msg("adding '%s': %s", phrase, err.message);
}

static const lector_lexicon_entry *get(const lector_lexicon *lex, const char *phrase) {
  return lector_lexicon_get(lex, phrase, strlen(phrase));
}

/* The text of the document's token i. */
static void token_text(const lector_doc *doc, uint32_t i, char *out, size_t size) {
  const lector_token *t = &doc->seg.tokens[i];
  snprintf(out, size, "%.*s", (int)(t->stop - t->start), doc->text + t->start);
}

/* The first token whose text is word. */
static uint32_t token_index(const lector_doc *doc, const char *word) {
  char buf[256];
  for (uint32_t i = 0; i < doc->seg.token_count; i++) {
    token_text(doc, i, buf, sizeof buf);
    if (strcmp(buf, word) == 0) return i;
  }
  fail_msg("no token '%s'", word);
  return 0;
}

/* The text of the longest match at token `first` within its document, ""
 * when none; the label of its first entry in *label. */
static const char *longest_text(const lector_lexicon *lex, const lector_doc *doc, uint32_t first,
                                const char **label) {
  static char buf[512];
  const lector_lexicon_entry *e;
  uint32_t n = lector_lexicon_longest(lex, doc, first, (uint32_t)doc->seg.token_count, &e);
  if (label) *label = e ? e->label : NULL;
  if (!n) {
    assert_null(e);
    return "";
  }
  uint32_t start = doc->seg.tokens[first].start, stop = doc->seg.tokens[first + n - 1].stop;
  snprintf(buf, sizeof buf, "%.*s", (int)(stop - start), doc->text + start);
  return buf;
}

/* ---- adding and looking up --------------------------------------------- */

static void add_and_get(void **state) {
  (void)state;
  lector_lexicon *lex = lexicon(0);
  assert_int_equal(lector_lexicon_size(lex), 0);
  assert_null(get(lex, "Caracas"));
  add(lex, "Caracas", "GPE", 1.5);
  add(lex, "United Nations", "ORG", NAN);
  const lector_lexicon_entry *e = get(lex, "Caracas");
  assert_non_null(e);
  assert_string_equal(e->label, "GPE");
  assert_true(e->value == 1.5);
  assert_null(e->next);
  e = get(lex, "United   Nations");   /* white space is not a token */
  assert_non_null(e);
  assert_true(isnan(e->value));
  assert_null(get(lex, "United"));     /* a prefix is not an entry */
  assert_null(get(lex, "United Nations Council"));
  assert_int_equal(lector_lexicon_size(lex), 2);
  assert_int_equal(lector_lexicon_max_tokens(lex), 2);
  add(lex, "Caracas", "GPE", 7);       /* same phrase and label: the value is replaced */
  assert_int_equal(lector_lexicon_size(lex), 2);
  assert_true(get(lex, "Caracas")->value == 7);
  assert_true(lector_lexicon_bytes(lex) > 0);

  lector_error err;
  assert_int_equal(lector_lexicon_add(lex, "  ", 2, "X", 0, &err), LECTOR_EINVAL);
  assert_string_equal(err.message, "the phrase has no tokens");
  assert_int_equal(lector_lexicon_add(lex, "x", 1, "", 0, &err), LECTOR_EINVAL);
  assert_int_equal(lector_lexicon_add(lex, "x", 1, "X", INFINITY, &err), LECTOR_EINVAL);
  assert_int_equal(lector_lexicon_add(lex, "a\xff", 2, "X", 0, &err), LECTOR_EUTF8);
  assert_int_equal(lector_lexicon_add(lex, "a\0b", 3, "X", 0, &err), LECTOR_EINVAL);
  char long_label[LECTOR_MAX_NAME_BYTES + 2];
  memset(long_label, 'L', sizeof long_label - 1);
  long_label[sizeof long_label - 1] = '\0';
  assert_int_equal(lector_lexicon_add(lex, "x", 1, long_label, 0, &err), LECTOR_EINVAL);
  long_label[LECTOR_MAX_NAME_BYTES] = '\0';
  add(lex, "x", long_label, 0);

  /* the most tokens a phrase may have, and one more */
  char phrase[LECTOR_LEXICON_MAX_PHRASE_TOKENS * 2 + 3] = "";
  for (int i = 0; i < LECTOR_LEXICON_MAX_PHRASE_TOKENS; i++) strcat(phrase, "w ");
  add(lex, phrase, "LONG", 0);
  assert_int_equal(lector_lexicon_max_tokens(lex), LECTOR_LEXICON_MAX_PHRASE_TOKENS);
  strcat(phrase, "w");
  assert_int_equal(lector_lexicon_add(lex, phrase, strlen(phrase), "LONG", 0, &err), LECTOR_EINVAL);
  assert_non_null(strstr(err.message, "33 tokens"));
  assert_int_equal(lector_lexicon_size(lex), 4);
  lector_lexicon_free(lex);
}

static void folding_or_exact(void **state) {
  (void)state;
  lector_lexicon *exact = lexicon(0), *folded = lexicon(1);
  for (int i = 0; i < 2; i++) {
    lector_lexicon *lex = i ? folded : exact;
    add(lex, "New York", "GPE", 0);
    add(lex, "Straße", "WORD", 0);
  }
  assert_int_equal(lector_lexicon_folds(exact), 0);
  assert_int_equal(lector_lexicon_folds(folded), 1);
  assert_non_null(get(exact, "New York"));
  assert_null(get(exact, "new york"));
  assert_non_null(get(folded, "NEW YORK"));
  assert_non_null(get(folded, "new York"));
  assert_non_null(get(folded, "STRASSE"));   /* full Unicode folding */
  assert_null(get(exact, "STRASSE"));

  lector_doc *doc = doc_of("Flights from NEW YORK and New York resumed.");
  uint32_t caps = token_index(doc, "NEW"), plain = token_index(doc, "New");
  assert_string_equal(longest_text(exact, doc, caps, NULL), "");
  assert_string_equal(longest_text(exact, doc, plain, NULL), "New York");
  assert_string_equal(longest_text(folded, doc, caps, NULL), "NEW YORK");
  assert_string_equal(longest_text(folded, doc, plain, NULL), "New York");
  lector_doc_release(doc);
  lector_lexicon_free(exact);
  lector_lexicon_free(folded);
}

/* A folding lexicon folds a document's ASCII tokens a word of 8 bytes at
 * a time, reading past a short token's end where the text goes on: words
 * of every length from 1 to 20 bytes, in any case, are found alike in the
 * middle of a text and as its last bytes, and so are non-ASCII words
 * (folded the slow way) and phrases whose later words start no phrase. */
static void folding_every_length(void **state) {
  (void)state;
  lector_lexicon *lex = lexicon(1);
  const char *letters = "abcdefghijklmnopqrstuvwxyz";
  char word[32], upper[32], text[128];
  for (size_t n = 1; n <= 20; n++) {
    snprintf(word, sizeof word, "%.*s", (int)n, letters);
    add(lex, word, "LEN", (double)n);
  }
  add(lex, "Nicolás", "PERSON", 0);
  add(lex, "zone of peace", "IDIOM", 0);
  for (size_t n = 1; n <= 20; n++) {
    for (size_t i = 0; i < n; i++) upper[i] = (char)(i % 2 ? letters[i] - 32 : letters[i]);
    upper[n] = '\0';
    for (int at_end = 0; at_end < 2; at_end++) {
      snprintf(text, sizeof text, at_end ? "Said: %s" : "Said: %s and more words follow.", upper);
      lector_doc *doc = doc_of(text);
      const char *label;
      assert_string_equal(longest_text(lex, doc, token_index(doc, upper), &label), upper);
      assert_string_equal(label, "LEN");
      assert_string_equal(longest_text(lex, doc, 0, NULL), "");        /* "Said" */
      lector_doc_release(doc);
    }
  }
  lector_doc *doc = doc_of("NICOLÁS spoke of a ZONE OF PEACE; nicolás");
  assert_string_equal(longest_text(lex, doc, 0, NULL), "NICOLÁS");
  assert_string_equal(longest_text(lex, doc, token_index(doc, "ZONE"), NULL), "ZONE OF PEACE");
  assert_string_equal(longest_text(lex, doc, token_index(doc, "OF"), NULL), "");
  assert_string_equal(longest_text(lex, doc, token_index(doc, "nicolás"), NULL), "nicolás");
  lector_doc_release(doc);
  lector_lexicon_free(lex);
}

/* A phrase of ASCII letters only is taken for one word without running
 * the segmenter: such phrases, and phrases with a byte more than letters
 * (the bytes next to the letters in ASCII among them), are cut as a
 * document of the same text is, so each matches that whole document. */
static void phrases_cut_as_documents_are(void **state) {
  (void)state;
  static const char *const phrases[] = {
    "a", "I", "word", "Www", "http", "Mr", "Zz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "x&y", "AT&T", "e-mail", "don't", "a.m.", "U.S.", "Mr.", "x@y", "a@", "@a", "ab1", "a_b",
    "hi!", "[a]", "{a}", "`a`", "z{", "www.example.com", "http://x.org", "caf\xc3\xa9",
  };
  for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++) {
    lector_lexicon *lex = lexicon(i % 2);
    add(lex, phrases[i], "L", 1);
    lector_doc *doc = doc_of(phrases[i]);
    const lector_lexicon_entry *e;
    uint32_t count = (uint32_t)doc->seg.token_count;
    if (lector_lexicon_longest(lex, doc, 0, count, &e) != count)
      fail_msg("'%s' is not cut as a document of its text is", phrases[i]);
    assert_non_null(get(lex, phrases[i]));
    lector_doc_release(doc);
    lector_lexicon_free(lex);
  }
}

static void longest_match_wins(void **state) {
  (void)state;
  lector_lexicon *lex = lexicon(1);
  add(lex, "New York", "GPE", 0);
  add(lex, "New York City", "GPE", 1);
  add(lex, "New York City Ballet", "ORG", 2);
  lector_doc *doc = doc_of("She moved to New York City in May. New York State is larger.");
  uint32_t first = token_index(doc, "New");
  const char *label;
  assert_string_equal(longest_text(lex, doc, first, &label), "New York City");
  assert_string_equal(label, "GPE");
  /* the end bound is respected: up to "York" only */
  const lector_lexicon_entry *e;
  assert_int_equal(lector_lexicon_longest(lex, doc, first, first + 2, &e), 2);
  assert_true(e->value == 0);
  assert_int_equal(lector_lexicon_longest(lex, doc, first, first + 1, &e), 0);
  assert_null(e);
  /* "New York State": the longest entry is "New York" */
  uint32_t second = first + 1;
  while (second < doc->seg.token_count) {
    char buf[16];
    token_text(doc, second, buf, sizeof buf);
    if (strcmp(buf, "New") == 0) break;
    second++;
  }
  assert_string_equal(longest_text(lex, doc, second, NULL), "New York");
  /* out of range asks find nothing */
  assert_int_equal(lector_lexicon_longest(lex, doc, 5, 5, &e), 0);
  assert_int_equal(lector_lexicon_longest(lex, doc, 0, (uint32_t)doc->seg.token_count + 1, &e), 0);
  lector_doc_release(doc);
  lector_lexicon_free(lex);
}

/* Every hit of a scan, in a list that grows. */
typedef struct hit_log {
  uint32_t *token, *n;
  const lector_lexicon_entry **entries;
  size_t count, cap;
} hit_log;

static void log_hit(void *ud, uint32_t token, uint32_t n, const lector_lexicon_entry *entries) {
  hit_log *log = ud;
  if (log->count == log->cap) {
    log->cap = log->cap ? 2 * log->cap : 64;
    log->token = realloc(log->token, log->cap * sizeof *log->token);
    log->n = realloc(log->n, log->cap * sizeof *log->n);
    log->entries = realloc(log->entries, log->cap * sizeof *log->entries);
    assert_true(log->token && log->n && log->entries);
  }
  log->token[log->count] = token;
  log->n[log->count] = n;
  log->entries[log->count++] = entries;
}

/* Scan [first, end) and check the hits against lector_lexicon_longest
 * asked at each token; the number of hits. */
static size_t check_scan(const lector_lexicon *lex, const lector_doc *doc, uint32_t first,
                         uint32_t end, int all) {
  hit_log log = {0};
  lector_lexicon_scan(lex, doc, first, end, all, log_hit, &log);
  size_t expected = 0;
  for (uint32_t token = first; token < end;) {
    const lector_lexicon_entry *e;
    uint32_t n = lector_lexicon_longest(lex, doc, token, end, &e);
    if (!n) {
      token++;
      continue;
    }
    assert_true(expected < log.count);
    assert_int_equal(log.token[expected], token);
    assert_int_equal(log.n[expected], n);
    assert_ptr_equal(log.entries[expected], e);
    expected++;
    token += all ? 1 : n;
  }
  assert_int_equal(log.count, expected);
  free(log.token);
  free(log.n);
  free(log.entries);
  return expected;
}

/* lector_lexicon_scan over a range reports, in order, the matches
 * lector_lexicon_longest finds token by token: after each match, or with
 * all at every token; nothing past the end, nothing for a bad range. */
static void scan_reports_what_longest_finds(void **state) {
  (void)state;
  static const char tsv[] = "New York\tGPE\t0\nYork City\tGPE\t1\ncity\tNOUN\t2\n";
  lector_lexicon *lex = lexicon(1);
  assert_int_equal(lector_lexicon_load(lex, tsv, strlen(tsv), "scan", NULL, NULL), LECTOR_OK);
  lector_doc *doc = doc_of("New York City is big, a city in New York.");
  uint32_t count = (uint32_t)doc->seg.token_count;
  for (int all = 0; all <= 1; all++) {
    /* all: "York City" inside "New York City" too */
    assert_int_equal(check_scan(lex, doc, 0, count, all), all ? 5 : 4);
  }
  uint32_t york = token_index(doc, "York");
  hit_log log = {0};
  lector_lexicon_scan(lex, doc, 0, york, 0, log_hit, &log);   /* "New" alone: nothing */
  assert_int_equal(log.count, 0);
  lector_lexicon_scan(lex, doc, 0, count + 1, 0, log_hit, &log);
  assert_int_equal(log.count, 0);
  lector_doc_release(doc);
  lector_lexicon_free(lex);
}

static void several_labels(void **state) {
  (void)state;
  lector_lexicon *lex = lexicon(0);
  add(lex, "Georgia", "GPE", 1);
  add(lex, "Georgia", "PERSON", 2);
  add(lex, "Georgia", "GPE", 3);   /* replaces, keeps its place */
  add(lex, "Georgia", "ORG", NAN);
  const lector_lexicon_entry *e = get(lex, "Georgia");
  const char *want[] = {"GPE", "PERSON", "ORG"};
  double values[] = {3, 2, NAN};
  for (int i = 0; i < 3; i++, e = e->next) {
    assert_non_null(e);
    assert_string_equal(e->label, want[i]);
    if (isnan(values[i])) assert_true(isnan(e->value));
    else assert_true(e->value == values[i]);
  }
  assert_null(e);
  assert_int_equal(lector_lexicon_size(lex), 3);
  /* labels are interned: the same text is the same pointer */
  add(lex, "Atlanta", "GPE", 0);
  assert_ptr_equal(get(lex, "Atlanta")->label, get(lex, "Georgia")->label);
  lector_lexicon_free(lex);
}

static void accented_phrases(void **state) {
  (void)state;
  lector_lexicon *folded = lexicon(1), *exact = lexicon(0);
  add(folded, "Nicolás Maduro", "PERSON", 0);
  add(exact, "Nicola\xcc\x81s Maduro", "PERSON", 0);   /* decomposed: normalized as documents are */
  lector_doc *doc = doc_of("Opposition leaders met NICOLÁS MADURO; Nicolás Maduro said no.");
  uint32_t caps = token_index(doc, "NICOLÁS"), plain = token_index(doc, "Nicolás");
  assert_string_equal(longest_text(folded, doc, caps, NULL), "NICOLÁS MADURO");
  assert_string_equal(longest_text(folded, doc, plain, NULL), "Nicolás Maduro");
  assert_string_equal(longest_text(exact, doc, caps, NULL), "");
  assert_string_equal(longest_text(exact, doc, plain, NULL), "Nicolás Maduro");
  assert_non_null(get(folded, "nicolás maduro"));
  assert_null(get(folded, "Nicolas Maduro"));   /* folding keeps accents */
  lector_doc_release(doc);
  lector_lexicon_free(folded);
  lector_lexicon_free(exact);
}

static void punctuation_in_phrases(void **state) {
  (void)state;
  lector_lexicon *lex = lexicon(0);
  add(lex, "U.S.", "GPE", 0);
  add(lex, "St. Petersburg", "GPE", 0);
  add(lex, "Washington, D.C.", "GPE", 0);
  add(lex, "AT&T", "ORG", 0);
  lector_doc *doc = doc_of("The U.S. Navy sailed from St. Petersburg to Washington, D.C. last "
                           "week. AT&T paid for it.");
  const char *want[] = {"U.S.", "St. Petersburg", "Washington, D.C.", "AT&T"};
  size_t found = 0;
  for (uint32_t i = 0; i < doc->seg.token_count; i++) {
    const char *text = longest_text(lex, doc, i, NULL);
    if (!*text) continue;
    assert_true(found < 4);
    assert_string_equal(text, want[found]);
    found++;
  }
  assert_int_equal(found, 4);
  lector_doc_release(doc);
  lector_lexicon_free(lex);
}

/* ---- TSV ------------------------------------------------------------------ */

static void tsv_loading(void **state) {
  (void)state;
  lector_lexicon *lex = lexicon(1);
  const char *tsv = "# places\r\n"
                    "Caracas\tGPE\t1\r\n"
                    "\r\n"
                    "   \n"
                    "Mexico City\tGPE\n"
                    "Georgia\tGPE\n"
                    "Georgia\tPERSON\t-2.5e1\n"
                    "Caracas\tGPE\t4";   /* replaces line 2; no final newline */
  lector_error err;
  size_t lines = 0;
  assert_int_equal(lector_lexicon_load(lex, tsv, strlen(tsv), "places.tsv", &lines, &err),
                   LECTOR_OK);
  assert_int_equal(lines, 5);
  assert_int_equal(lector_lexicon_size(lex), 4);
  assert_true(get(lex, "caracas")->value == 4);
  assert_true(isnan(get(lex, "Mexico City")->value));
  assert_true(get(lex, "Georgia")->next->value == -25);
  lector_lexicon_free(lex);
}

/* Each bad line is refused with its line number, and the lexicon keeps
 * exactly what it held before, values included. */
/* A value of a TSV line is the double strtod reads from it, to the bit:
 * plain decimals are read without strtod, so random ones of up to 18
 * digits, with and without a sign or a point, are checked against it,
 * and so are forms only strtod reads. */
static void values_read_as_strtod_reads_them(void **state) {
  (void)state;
  enum { VALUES = 4000 };
  static const char *const forms[] = {"-0", "0.", ".5", "-.5", "+7", "1e5", "2.5E-3", "0x10",
                                      "123456789012345", "1234567890123456", "0.000000000000001",
                                      "9007199254740993", "0.1234567890123456789", "-99.99"};
  size_t nforms = sizeof forms / sizeof forms[0];
  char (*values)[32] = malloc(VALUES * sizeof *values);
  char *tsv = malloc(VALUES * 64);
  assert_true(values && tsv);
  size_t len = 0;
  unsigned seed = 2026;
  for (unsigned i = 0; i < VALUES; i++) {
    char *v = values[i];
    if (i < nforms) {
      snprintf(v, sizeof values[i], "%s", forms[i]);
    } else {
      size_t k = 0;
      seed = seed * 1103515245u + 12345u;
      unsigned digits = 1 + (seed >> 16) % 18, point = (seed >> 8) % (digits + 2);
      if (seed % 3 == 1) v[k++] = '-';
      for (unsigned d = 0; d < digits; d++) {
        if (d == point) v[k++] = '.';
        seed = seed * 1103515245u + 12345u;
        v[k++] = (char)('0' + (seed >> 16) % 10);
      }
      v[k] = '\0';
    }
    char phrase[8];
    for (unsigned n = i, k = 0; k < 3; k++, n /= 26) phrase[k] = (char)('a' + n % 26);
    len += (size_t)sprintf(tsv + len, "w%.3s\tV\t%s\n", phrase, v);
  }
  lector_lexicon *lex = lexicon(0);
  lector_error err;
  if (lector_lexicon_load(lex, tsv, len, "values", NULL, &err) != LECTOR_OK)
    fail_msg("%s", err.message);
  for (unsigned i = 0; i < VALUES; i++) {
    char phrase[8] = "w";
    for (unsigned n = i, k = 1; k < 4; k++, n /= 26) phrase[k] = (char)('a' + n % 26);
    phrase[4] = '\0';
    double expected = strtod(values[i], NULL), got = get(lex, phrase)->value;
    if (memcmp(&expected, &got, sizeof got) != 0)
      fail_msg("'%s' read as %.17g, strtod reads %.17g", values[i], got, expected);
  }
  lector_lexicon_free(lex);
  free(tsv);
  free(values);
}

static void tsv_errors_roll_back(void **state) {
  (void)state;
  static const struct {
    const char *line, *message;
  } bad[] = {
    {"Lima", "no label"},
    {"Lima\t", "no label"},
    {"Lima\t\t3", "no label"},
    {"\tGPE", "the phrase has no tokens"},
    {"Lima\tGPE\t3x", "the value '3x' is not a finite number"},
    {"Lima\tGPE\t", "is not a finite number"},
    {"Lima\tGPE\tinf", "is not a finite number"},
    {"Lima\tGPE\tnan", "is not a finite number"},
    {"Lima\tGPE\t1\textra", "more than three fields"},
    {"Li\xc3ma\tGPE", "invalid UTF-8 at byte 3"},
    {"Lima\tG\xff", "invalid UTF-8"},
    {"a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7\tLONG",
     "the phrase has 33 tokens (at most 32)"},
  };
  lector_lexicon *lex = lexicon(0);
  add(lex, "Caracas", "GPE", 1);
  add(lex, "Mexico", "GPE", 2);
  add(lex, "New York", "GPE", 3);
  size_t bytes = lector_lexicon_bytes(lex);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char tsv[512];
    /* good lines first (new phrases, a new label, a replaced value, a
     * phrase starting with a word that only ended one, another going on
     * from an old one), then the bad one on line 7 */
    snprintf(tsv, sizeof tsv,
             "Lima\tGPE\nMexico\tGPE\t99\n# note\nBogotá\tCAPITAL\nYork\tGPE\nMexico City\tGPE\n%s\n"
             "Quito\tGPE\n",
             bad[i].line);
    lector_error err;
    size_t lines = 7;
    assert_int_equal(lector_lexicon_load(lex, tsv, strlen(tsv), "x.tsv", &lines, &err) != LECTOR_OK,
                     1);
    assert_int_equal(lines, 0);
    if (strncmp(err.message, "x.tsv:7: ", 9) != 0 || !strstr(err.message, bad[i].message))
      fail_msg("line '%s': got '%s'", bad[i].line, err.message);
    assert_int_equal(lector_lexicon_size(lex), 3);
    assert_null(get(lex, "Lima"));
    assert_null(get(lex, "Bogotá"));
    assert_null(get(lex, "York"));
    assert_null(get(lex, "Mexico City"));
    assert_true(get(lex, "New York")->value == 3);
    assert_true(get(lex, "Mexico")->value == 2);
    assert_true(get(lex, "Caracas")->value == 1);
    assert_int_equal(lector_lexicon_max_tokens(lex), 2);
    assert_true(lector_lexicon_bytes(lex) <= bytes + 4 * 65536);  /* tables may stay grown */
  }
  /* the same text without the bad line loads */
  const char *good = "Lima\tGPE\nMexico\tGPE\t99\nBogotá\tCAPITAL\n";
  assert_int_equal(lector_lexicon_load(lex, good, strlen(good), "x.tsv", NULL, NULL), LECTOR_OK);
  assert_int_equal(lector_lexicon_size(lex), 5);
  assert_string_equal(get(lex, "Bogotá")->label, "CAPITAL");
  /* the nodes the failed loads made are made again for other phrases:
   * nothing of theirs leads to them */
  static const char *const firsts[] = {"York", "Lima", "Bogotá", "Mexico", "Quito", "Cusco"};
  static const char *const seconds[] = {"Ecuador", "Peru", "Colombia", "City"};
  add(lex, "Quito Ecuador", "GPE", 10);
  add(lex, "Cusco Peru", "GPE", 11);
  add(lex, "Bogotá Colombia", "GPE", 12);
  add(lex, "Quito", "GPE", 13);
  assert_null(get(lex, "York"));
  assert_true(isnan(get(lex, "Lima")->value));
  for (size_t f = 0; f < 6; f++) {
    for (size_t k = 0; k < 4; k++) {
      char pair[64];
      snprintf(pair, sizeof pair, "%s %s", firsts[f], seconds[k]);
      const lector_lexicon_entry *e = get(lex, pair);
      int added = (f == 4 && k == 0) || (f == 5 && k == 1) || (f == 2 && k == 2);
      if (added != (e != NULL)) fail_msg("'%s' %s", pair, added ? "is lost" : "is found");
      if (added) assert_true(e->value == 10 + (double)k);
    }
  }
  lector_lexicon_free(lex);
}

/* ---- allocation failure ---------------------------------------------------- */

typedef struct failing {
  long allowed;     /* allocations that succeed before the rest fail; < 0: all */
  long calls;
  size_t live;
} failing;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  failing *f = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    f->live -= old;
    return NULL;
  }
  if (f->allowed >= 0 && f->calls++ >= f->allowed) return NULL;
  void *p = realloc(ptr, nsize);
  if (p) f->live = f->live - old + nsize;
  return p;
}

/* Fill lex with n phrases "wI wI+1 ..." under label LI%7. */
static void fill(lector_lexicon *lex, int from, int n) {
  for (int i = from; i < from + n; i++) {
    char phrase[64], label[16];
    snprintf(phrase, sizeof phrase, "w%d x%d Word%d", i % 97, i, i / 3);
    snprintf(label, sizeof label, "L%d", i % 7);
    add(lex, phrase, label, i);
  }
}

static void check_filled(const lector_lexicon *lex, int from, int n) {
  for (int i = from; i < from + n; i++) {
    char phrase[64];
    snprintf(phrase, sizeof phrase, "w%d x%d Word%d", i % 97, i, i / 3);
    const lector_lexicon_entry *e = get(lex, phrase);
    if (!e || e->value != i) fail_msg("entry %d lost", i);
  }
}

static void allocation_failure_at_every_step(void **state) {
  (void)state;
  /* lector_lexicon_new */
  for (long n = 0;; n++) {
    failing f = {n, 0, 0};
    lector_error err;
    lector_lexicon *lex = lector_lexicon_new(1, failing_alloc, &f, &err);
    if (!lex) {
      assert_int_equal(err.status, LECTOR_ENOMEM);
      assert_int_equal(f.live, 0);
      continue;
    }
    lector_lexicon_free(lex);
    assert_int_equal(f.live, 0);
    break;
  }
  /* a load that fails at its n-th allocation, again and again on one
   * lexicon whose tables already hold entries */
  failing f = {-1, 0, 0};
  lector_lexicon *lex = lector_lexicon_new(1, failing_alloc, &f, NULL);
  fill(lex, 0, 3000);
  size_t before = lector_lexicon_size(lex);
  char *tsv = malloc(64 * 2000);
  size_t len = 0;
  for (int i = 0; i < 2000; i++)
    len += (size_t)sprintf(tsv + len, "new%d phrase %d\tN%d\t%d\nw%d x%d Word%d\tL%d\t-1\n", i, i, i,
                           i, i % 97, i, i / 3, i % 7);
  long failures = 0;
  for (long n = 0;; n++) {
    f.allowed = n;
    f.calls = 0;
    lector_error err;
    lector_status status = lector_lexicon_load(lex, tsv, len, "n.tsv", NULL, &err);
    assert_int_equal(f.live, lector_lexicon_bytes(lex));
    if (status == LECTOR_OK) break;
    failures++;
    assert_int_equal(status, LECTOR_ENOMEM);
    assert_true(lector_lexicon_failed_bytes(lex) > 0);
    assert_int_equal(lector_lexicon_size(lex), before);
    assert_null(get(lex, "new0 phrase 0"));
    check_filled(lex, 0, 3000);   /* values replaced by the load were put back */
  }
  assert_true(failures > 5);
  f.allowed = -1;
  assert_int_equal(lector_lexicon_size(lex), before + 2000);
  assert_true(get(lex, "new1999 phrase 1999")->value == 1999);
  assert_true(get(lex, "w0 x0 Word0")->value == -1);
  /* single adds too */
  for (long n = 0;; n++) {
    f.allowed = n;
    f.calls = 0;
    lector_status status = lector_lexicon_add(lex, "a brand new phrase", 18, "BRAND", 1, NULL);
    if (status == LECTOR_OK) break;
    assert_int_equal(status, LECTOR_ENOMEM);
    assert_null(get(lex, "a brand new phrase"));
  }
  f.allowed = -1;
  assert_non_null(get(lex, "a brand new phrase"));
  free(tsv);
  lector_lexicon_free(lex);
  assert_int_equal(f.live, 0);
}

static char *read_fixture(size_t *len) {
  FILE *f = fopen(FIXTURE, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)size + 1);
  *len = fread(data, 1, (size_t)size, f);
  fclose(f);
  data[*len] = '\0';
  return data;
}

/* ---- a scan against token-by-token look-ups ---------------------------------- */

/* A scan looks each token up once and keeps the answers for the phrases
 * that reach it later, in a window that wraps around: over an article
 * of many windows' length, with runs of its own tokens of every length up
 * to the longest allowed as entries (lower-cased for half of them, so the
 * folding lexicon folds the text's case), a scan finds exactly what
 * lector_lexicon_longest finds token by token, in a folding lexicon and
 * in an exact one, over the whole text and sentence by sentence. */
static void scan_agrees_with_longest(void **state) {
  (void)state;
  size_t len;
  char *article = read_fixture(&len);
  lector_doc *doc = make_doc(article, len);
  uint32_t count = (uint32_t)doc->seg.token_count;
  assert_true(count > 4 * 64);
  for (int fold = 0; fold <= 1; fold++) {
    lector_lexicon *lex = lexicon(fold);
    for (uint32_t i = 0, n = 1; i + n <= count; i += 7, n = n % LECTOR_LEXICON_MAX_PHRASE_TOKENS + 1) {
      uint32_t start = doc->seg.tokens[i].start, stop = doc->seg.tokens[i + n - 1].stop;
      char phrase[4096];
      assert_true(stop - start < sizeof phrase);
      memcpy(phrase, doc->text + start, stop - start);
      for (uint32_t k = 0; i % 2 && k < stop - start; k++)
        if (phrase[k] >= 'A' && phrase[k] <= 'Z') phrase[k] = (char)(phrase[k] + 32);
      char label[16];
      snprintf(label, sizeof label, "L%u", n);
      /* refused only when cut into more tokens on its own than in the text */
      lector_error err;
      lector_status status = lector_lexicon_add(lex, phrase, stop - start, label, n, &err);
      if (status != LECTOR_OK && status != LECTOR_EINVAL)
        fail_msg("adding tokens %u..%u: %s", i, i + n, err.message);
    }
    assert_true(lector_lexicon_size(lex) > 100);
    assert_int_equal(lector_lexicon_max_tokens(lex), LECTOR_LEXICON_MAX_PHRASE_TOKENS);
    for (int all = 0; all <= 1; all++) {
      size_t hits = check_scan(lex, doc, 0, count, all);
      assert_true(hits > 20);
      for (size_t s = 0; s < doc->seg.sentence_count; s++) {
        const lector_sentence *sentence = &doc->seg.sentences[s];
        check_scan(lex, doc, sentence->first_token, sentence->first_token + sentence->token_count,
                   all);
      }
    }
    lector_lexicon_free(lex);
  }
  lector_doc_release(doc);
  free(article);
}

/* ---- many entries ------------------------------------------------------------- */

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A made-up capitalized word for n. */
static size_t word(unsigned n, char *out) {
  static const char *const syllables[] = {"ka", "ro", "mi", "len", "tos", "va", "dur", "sel",
                                          "an", "bre", "qui", "no", "zet", "pa", "hu", "ri"};
  size_t len = 0;
  do {
    const char *s = syllables[n % 16];
    n /= 16;
    memcpy(out + len, s, strlen(s));
    len += strlen(s);
  } while (n);
  out[0] = (char)(out[0] - 'a' + 'A');
  return len;
}

static void a_million_entries(void **state) {
  (void)state;
  enum { ENTRIES = 1000000, VOCABULARY = 60000, COPIES = 40 };
  size_t article_len;
  char *article = read_fixture(&article_len);
  lector_doc *one = make_doc(article, article_len);

  /* Made-up names of 1 to 4 words, plus every two-word run of the
   * article, so matching has something to find. */
  char *tsv = malloc((size_t)ENTRIES * 48 + article_len * 3);
  size_t len = 0, pairs = 0;
  unsigned seed = 12345;
  for (int i = 0; i < ENTRIES; i++) {
    seed = seed * 1103515245u + 12345u;
    int words = 1 + (int)((seed >> 16) % 4);
    for (int w = 0; w < words; w++) {
      seed = seed * 1103515245u + 12345u;
      if (w) tsv[len++] = ' ';
      len += word((seed >> 8) % VOCABULARY, tsv + len);
    }
    len += (size_t)sprintf(tsv + len, "\t%s\t%d\n", i % 3 ? "GPE" : "PERSON", i);
  }
  for (uint32_t i = 0; i + 1 < one->seg.token_count; i++) {
    const lector_token *a = &one->seg.tokens[i], *b = &one->seg.tokens[i + 1];
    if (a->kind != LECTOR_TOKEN_WORD || b->kind != LECTOR_TOKEN_WORD) continue;
    len += (size_t)sprintf(tsv + len, "%.*s %.*s\tPAIR\n", (int)(a->stop - a->start),
                           one->text + a->start, (int)(b->stop - b->start), one->text + b->start);
    pairs++;
  }

  lector_lexicon *lex = lexicon(1);
  double t0 = seconds();
  lector_error err;
  size_t lines = 0;
  assert_int_equal(lector_lexicon_load(lex, tsv, len, "big.tsv", &lines, &err), LECTOR_OK);
  double load_time = seconds() - t0;
  assert_int_equal(lines, ENTRIES + pairs);
  assert_true(lector_lexicon_size(lex) > ENTRIES / 2);   /* made-up names repeat */

  /* the article, many times over */
  char *text = malloc(article_len * COPIES + COPIES * 2);
  size_t text_len = 0;
  for (int i = 0; i < COPIES; i++) {
    memcpy(text + text_len, article, article_len);
    text_len += article_len;
    text[text_len++] = '\n';
    text[text_len++] = '\n';
  }
  lector_doc *doc = make_doc(text, text_len);
  t0 = seconds();
  size_t matches = 0, paired = 0;
  for (size_t s = 0; s < doc->seg.sentence_count; s++) {
    const lector_sentence *sen = &doc->seg.sentences[s];
    uint32_t end = sen->first_token + sen->token_count;
    for (uint32_t i = sen->first_token; i < end;) {
      const lector_lexicon_entry *e;
      uint32_t n = lector_lexicon_longest(lex, doc, i, end, &e);
      if (!n) {
        i++;
        continue;
      }
      matches++;
      for (; e; e = e->next) paired += strcmp(e->label, "PAIR") == 0;
      i += n;
    }
  }
  double match_time = seconds() - t0;
  assert_true(paired > 0 && matches >= paired);
  printf("lexicon: %zu entries loaded in %.2f s (%.0f entries/s), %zu bytes (%.0f per entry)\n",
         lector_lexicon_size(lex), load_time, (double)lines / load_time,
         lector_lexicon_bytes(lex), (double)lector_lexicon_bytes(lex) / (double)lector_lexicon_size(lex));
  printf("lexicon: %zu tokens matched in %.3f s (%.0f tokens/s), %zu matches\n",
         doc->seg.token_count, match_time, (double)doc->seg.token_count / match_time, matches);
  lector_doc_release(doc);
  lector_doc_release(one);
  lector_lexicon_free(lex);
  free(text);
  free(tsv);
  free(article);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(add_and_get),
    cmocka_unit_test(folding_or_exact),
    cmocka_unit_test(folding_every_length),
    cmocka_unit_test(phrases_cut_as_documents_are),
    cmocka_unit_test(longest_match_wins),
    cmocka_unit_test(several_labels),
    cmocka_unit_test(scan_reports_what_longest_finds),
    cmocka_unit_test(scan_agrees_with_longest),
    cmocka_unit_test(accented_phrases),
    cmocka_unit_test(punctuation_in_phrases),
    cmocka_unit_test(tsv_loading),
    cmocka_unit_test(values_read_as_strtod_reads_them),
    cmocka_unit_test(tsv_errors_roll_back),
    cmocka_unit_test(allocation_failure_at_every_step),
    cmocka_unit_test(a_million_entries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
