/*
 * Expression scans: the search for lector.patterns' P.any over a whole
 * text, without LPeg and without Lua (lector.patterns.scanner,
 * docs/lua-api.md#scanners).
 *
 * The search moves from word start to word start as P.find does, and
 * tries the recognizer (expressions.c) only where an expression can start:
 * a digit, a sign, a currency or fraction sign, a currency code ("USD",
 * "US$", "U.S.$"), a host name or e-mail address, or one of the
 * scanner's configured words followed by what that word requires. Each
 * place is tested once and each test reads a bounded stretch of text, so a
 * scan of n bytes costs O(n) tests plus the recognizer's tries.
 */
#ifndef LECTOR_EXPRESSION_SCAN_H
#define LECTOR_EXPRESSION_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expressions.h"
#include "lector_limits.h"

/* What a configured word needs to open an expression; a word may have
 * several, any of which will do. */
enum {
  LECTOR_SCAN_ANYWHERE = 1,       /* nothing: "twenty", "yesterday" */
  LECTOR_SCAN_BEFORE_DIGIT = 2,   /* blanks, then a digit: "may 5" */
  LECTOR_SCAN_BEFORE_TIME = 4,    /* blanks, then a digit or a time word: "last week" */
  LECTOR_SCAN_TIME_WORD = 8,      /* opens nothing; may follow a BEFORE_TIME word */
  LECTOR_SCAN_CAPITALIZED = 16,   /* written "May" or "MAY", with a capital first */
  LECTOR_SCAN_FLAGS = 31
};

/* One configured word, in lower case, and its flags (0: an empty slot). */
typedef struct lector_scan_word {
  uint8_t len, flags;
  char text[LECTOR_SCAN_WORD_BYTES];
} lector_scan_word;

/* A scanner's configuration: its words in an open-addressing table whose
 * slots the caller owns (a power of two of them, at least twice as many
 * as the words it will add, so that a probe always meets an empty slot). */
typedef struct lector_expr_scanner {
  lector_scan_word *slots;
  size_t mask;
  size_t words;
  bool first[256];   /* the bytes P.any may start with */
  uint8_t classes[256];   /* each byte's classes, for the scan's loops */
  /* By first letter (a-z): bit n set when a word of n letters has flags
   * that open an expression (openers) or is a time word (times), so
   * that most words are rejected without a look in the table. */
  uint64_t openers[26], times[26];
} lector_expr_scanner;

/* Where a scan is: the next place to test, and the end of the last run of
 * host name bytes read, which places inside that run share. */
typedef struct lector_expr_scan {
  size_t pos;
  size_t run_from, run_to;
} lector_expr_scan;

/* An empty scanner over nslots slots (a power of two, zeroed here). */
void lector_expr_scanner_init(lector_expr_scanner *sc, lector_scan_word *slots, size_t nslots);

/* Give word (len bytes, ASCII letters in any case) the flags; a word
 * given twice gets both sets. False when the word is empty, too long, not
 * letters, or the flags are not LECTOR_SCAN_* bits, or the scanner has
 * MAX_WORDS words or half its slots filled. */
bool lector_expr_scanner_add(lector_expr_scanner *sc, const char *word, size_t len,
                             unsigned flags);

/* The flags of a word (any case), 0 when it is not configured. */
unsigned lector_expr_scanner_flags(const lector_expr_scanner *sc, const char *word, size_t len);

/* A scan of a text from byte init, which should be a word's start. */
void lector_expr_scan_begin(lector_expr_scan *st, size_t init);

/* The next expression of text[0, len) from where st is, into *out, and st
 * moved past it to the next word start; false, and st at len, when there
 * is none. */
bool lector_expr_scan_next(const lector_expr_scanner *sc, const char *text, size_t len,
                           lector_expr_scan *st, lector_expression *out);

#endif
