/*
 * Expression scans (expression_scan.h): where the search for P.any tests,
 * what it tests there, and where it goes on.
 *
 * The places and the moves are those of the LPeg search the entities pass
 * used before this file, so that both find the same expressions:
 *   - a word is a run of word bytes (ASCII letters and digits, "_", and
 *     every byte from 0x80, so UTF-8 letters and signs alike);
 *   - from a word start where nothing starts, the search moves over the
 *     word, the parts joined to it (a hyphen and a word after a letter:
 *     "Su-30"; a point or comma and a word after a digit, before a digit:
 *     "3.5"), and the one byte after them; from any other byte, one byte;
 *   - after a match that ends inside a word, over the rest of that word
 *     and its joined parts and the byte after them.
 */
#include <string.h>

#include "expression_scan.h"

/* ---- bytes ---------------------------------------------------------------- */

static bool is_digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }
static bool is_lower(unsigned char c) { return (unsigned)(c - 'a') < 26u; }
static bool is_upper(unsigned char c) { return (unsigned)(c - 'A') < 26u; }
/* one test for both cases: | 0x20 maps A-Z onto a-z and no other byte there */
static bool is_letter(unsigned char c) { return (unsigned)((c | 0x20) - 'a') < 26u; }
static bool is_alnum(unsigned char c) { return is_letter(c) || is_digit(c); }
static bool is_word_byte(unsigned char c) { return c >= 0x80 || is_alnum(c) || c == '_'; }
/* a byte a hyphen may follow inside a word: a letter or part of a UTF-8 one */
static bool is_letter_byte(unsigned char c) { return c >= 0x80 || is_letter(c); }
/* a byte of a host name's label or an e-mail address's user */
static bool is_name_byte(unsigned char c) {
  return is_alnum(c) || c == '_' || c == '%' || c == '+' || c == '-';
}
static bool is_blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\n'; }
static unsigned char lower(unsigned char c) { return is_upper(c) ? (unsigned char)(c | 0x20) : c; }

/* The same classes as bits of lector_expr_scanner.classes, one look each
 * in the loops over every byte of a word. */
enum { WORD = 1, LETTER = 2, NAME = 4 };

typedef struct text {
  const unsigned char *s;
  size_t len;
  const uint8_t *classes;
} text;

static bool has(text t, size_t p, uint8_t class) { return t.classes[t.s[p]] & class; }

static size_t word_end(text t, size_t p) {
  while (p < t.len && has(t, p, WORD)) p++;
  return p;
}

static bool word_byte_at(text t, size_t p) { return p < t.len && has(t, p, WORD); }

/* ---- moving on ------------------------------------------------------------ */

/* From p, just after a word byte: past the parts joined to the word. */
static size_t past_joined(text t, size_t p) {
  for (;;) {
    if (p + 1 >= t.len) return p;
    unsigned char before = t.s[p - 1], c = t.s[p], next = t.s[p + 1];
    bool hyphened = c == '-' && is_letter_byte(before) && is_word_byte(next);
    bool decimal = (c == '.' || c == ',') && is_digit(before) && is_digit(next);
    if (!hyphened && !decimal) return p;
    p = word_end(t, p + 1);
  }
}

/* From p, where nothing starts: the next place to test. */
static size_t skip(text t, size_t p) {
  if (!has(t, p, WORD)) return p + 1;
  p = past_joined(t, word_end(t, p));
  return p < t.len ? p + 1 : p;
}

/* After a match ending at stop: the next place to test. */
static size_t resume(text t, size_t stop) {
  if (stop == 0 || !has(t, stop - 1, WORD)) return stop;
  size_t p = past_joined(t, word_end(t, stop));
  return p < t.len ? p + 1 : p;
}

/* ---- configured words ----------------------------------------------------- */

static uint32_t hash_lower(const unsigned char *w, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ lower(w[i])) * 16777619u;
  return h;
}

static bool same_lower(const lector_scan_word *slot, const unsigned char *w, size_t len) {
  if (slot->len != len) return false;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)slot->text[i] != lower(w[i])) return false;
  return true;
}

/* The slot of word w, or the empty slot where it would go. */
static lector_scan_word *slot_of(const lector_expr_scanner *sc, const unsigned char *w,
                                 size_t len) {
  size_t i = hash_lower(w, len) & sc->mask;
  while (sc->slots[i].flags && !same_lower(&sc->slots[i], w, len)) i = (i + 1) & sc->mask;
  return &sc->slots[i];
}

void lector_expr_scanner_init(lector_expr_scanner *sc, lector_scan_word *slots, size_t nslots) {
  memset(slots, 0, nslots * sizeof *slots);
  *sc = (lector_expr_scanner){.slots = slots, .mask = nslots - 1};
  for (const char *b = lector_expression_first_bytes(LECTOR_EXPR_ANY); *b; b++)
    sc->first[(unsigned char)*b] = true;
  for (unsigned c = 0; c < 256; c++)
    sc->classes[c] = (uint8_t)((is_word_byte((unsigned char)c) ? WORD : 0) |
                               (is_letter((unsigned char)c) ? LETTER : 0) |
                               (is_name_byte((unsigned char)c) ? NAME : 0));
}

bool lector_expr_scanner_add(lector_expr_scanner *sc, const char *word, size_t len,
                             unsigned flags) {
  const unsigned char *w = (const unsigned char *)word;
  if (len == 0 || len > LECTOR_SCAN_WORD_BYTES || flags == 0 || (flags & ~LECTOR_SCAN_FLAGS))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_letter(w[i])) return false;
  lector_scan_word *slot = slot_of(sc, w, len);
  if (!slot->flags) {
    if (sc->words >= LECTOR_SCAN_MAX_WORDS || 2 * (sc->words + 1) > sc->mask + 1) return false;
    slot->len = (uint8_t)len;
    for (size_t i = 0; i < len; i++) slot->text[i] = (char)lower(w[i]);
    sc->words++;
  }
  slot->flags |= (uint8_t)flags;
  uint64_t bit = (uint64_t)1 << len;
  if (flags & ~LECTOR_SCAN_TIME_WORD) sc->openers[lower(w[0]) - 'a'] |= bit;
  if (flags & LECTOR_SCAN_TIME_WORD) sc->times[lower(w[0]) - 'a'] |= bit;
  return true;
}

unsigned lector_expr_scanner_flags(const lector_expr_scanner *sc, const char *word, size_t len) {
  if (len == 0 || len > LECTOR_SCAN_WORD_BYTES) return 0;
  return slot_of(sc, (const unsigned char *)word, len)->flags;
}

static size_t letters_end(text t, size_t p) {
  while (p < t.len && has(t, p, LETTER)) p++;
  return p;
}

/* Whether the word [p, end) of letters may be one of those `lengths`
 * (openers or times) marks: one bit test rejects most words. */
static bool may_be(const uint64_t lengths[26], text t, size_t p, size_t end) {
  return end - p <= LECTOR_SCAN_WORD_BYTES && ((lengths[lower(t.s[p]) - 'a'] >> (end - p)) & 1u);
}

/* The flags of the word [p, end) of letters, when no word byte follows. */
static unsigned word_flags(const lector_expr_scanner *sc, text t, size_t p, size_t end) {
  if (word_byte_at(t, end)) return 0;
  return lector_expr_scanner_flags(sc, (const char *)t.s + p, end - p);
}

/* What follows a word ending at p: blanks, then a digit, or (time) a
 * configured time word. */
static bool blanks_then(const lector_expr_scanner *sc, text t, size_t p, bool time) {
  size_t q = p;
  while (q < t.len && is_blank(t.s[q])) q++;
  if (q == p || q == t.len) return false;
  if (is_digit(t.s[q])) return true;
  if (!time || !is_letter(t.s[q])) return false;
  size_t end = letters_end(t, q);
  return may_be(sc->times, t, q, end) && (word_flags(sc, t, q, end) & LECTOR_SCAN_TIME_WORD);
}

/* Whether the word [p, end) of letters, a configured word, opens an
 * expression at p; lower_first says whether p is a lower-case letter. */
static bool opener_at(const lector_expr_scanner *sc, text t, size_t p, size_t end,
                      bool lower_first) {
  if (!may_be(sc->openers, t, p, end)) return false;
  unsigned flags = word_flags(sc, t, p, end);
  if (flags & LECTOR_SCAN_ANYWHERE) return true;
  if ((flags & LECTOR_SCAN_BEFORE_DIGIT) && blanks_then(sc, t, end, false)) return true;
  if ((flags & LECTOR_SCAN_BEFORE_TIME) && blanks_then(sc, t, end, true)) return true;
  if (lower_first || !(flags & LECTOR_SCAN_CAPITALIZED)) return false;
  bool title = true, caps = true;
  for (size_t i = p + 1; i < end; i++) {
    title = title && is_lower(t.s[i]);
    caps = caps && is_upper(t.s[i]);
  }
  return title || caps;
}

/* ---- host names and currency codes --------------------------------------- */

/* The end of the run of name bytes through p, remembered in st so that
 * every place inside one run reads it once. */
static size_t name_run_end(text t, size_t p, lector_expr_scan *st) {
  if (p >= st->run_from && p < st->run_to) return st->run_to;
  size_t q = p;
  while (q < t.len && has(t, q, NAME)) q++;
  st->run_from = p;
  st->run_to = q;
  return q;
}

/* A host name ("reuters.com", from a lower-case letter) or an e-mail
 * address ("ir@company.com") at p: name bytes, then "." and a lower-case
 * letter, or "@" and a letter or digit. */
static bool host_or_mail_at(text t, size_t p, lector_expr_scan *st) {
  if (!is_name_byte(t.s[p])) return false;
  size_t q = name_run_end(t, p, st);
  if (q + 1 >= t.len) return false;
  if (t.s[q] == '@') return is_alnum(t.s[q + 1]);
  return t.s[q] == '.' && is_lower(t.s[p]) && is_lower(t.s[q + 1]);
}

/* A currency code at p, a capital: "US$", "HK$", "C$", "U.S.$", or three
 * capitals alone ("USD"). */
static bool currency_code_at(text t, size_t p) {
  size_t caps = 1;
  while (caps < 3 && p + caps < t.len && is_upper(t.s[p + caps])) caps++;
  if (p + caps < t.len && t.s[p + caps] == '$') return true;
  if (caps == 3 && !word_byte_at(t, p + 3)) return true;
  return t.len - p >= 5 && memcmp(t.s + p, "U.S.$", 5) == 0;
}

/* ---- where an expression may start ---------------------------------------- */

/* A sign at p that is not ASCII: the minus sign, £ ¥ ¼ ½ ¾, the currency
 * block (€ ₹ ₽ ...) and ⅓ ⅔ ⅛ .... */
static bool sign_at(text t, size_t p) {
  const unsigned char *s = t.s + p;
  size_t n = t.len - p;
  if (s[0] == 0xC2) return n >= 2 && (s[1] == 0xA3 || s[1] == 0xA5 || (s[1] >= 0xBC && s[1] <= 0xBE));
  if (s[0] != 0xE2 || n < 3) return false;
  if (s[1] == 0x88) return s[2] == 0x92;
  if (s[1] == 0x82) return s[2] >= 0xA0 && s[2] <= 0xBF;
  return s[1] == 0x85 && s[2] >= 0x90 && s[2] <= 0x9F;
}

/* At p, a letter: a configured word, or a host name or an e-mail address
 * (which a word of letters needs a "." or "@" or another name byte after). */
static bool word_opens(const lector_expr_scanner *sc, text t, size_t p, lector_expr_scan *st) {
  size_t end = letters_end(t, p);
  if (opener_at(sc, t, p, end, is_lower(t.s[p]))) return true;
  if (end == t.len) return false;
  unsigned char c = t.s[end];
  return (c == '.' || c == '@' || is_name_byte(c)) && host_or_mail_at(t, p, st);
}

static bool may_open(const lector_expr_scanner *sc, text t, size_t p, lector_expr_scan *st) {
  unsigned char c = t.s[p];
  if (is_digit(c) || c == '+' || c == '-' || c == '$') return true;
  if (c >= 0x80) return sign_at(t, p);
  if (is_lower(c)) return word_opens(sc, t, p, st);
  if (is_upper(c)) return currency_code_at(t, p) || word_opens(sc, t, p, st);
  return host_or_mail_at(t, p, st);
}

/* ---- the scan ------------------------------------------------------------- */

void lector_expr_scan_begin(lector_expr_scan *st, size_t init) {
  *st = (lector_expr_scan){.pos = init};
}

bool lector_expr_scan_next(const lector_expr_scanner *sc, const char *s, size_t len,
                           lector_expr_scan *st, lector_expression *out) {
  text t = {(const unsigned char *)s, len, sc->classes};
  size_t p = st->pos;
  while (p < len) {
    if (sc->first[t.s[p]] && may_open(sc, t, p, st) &&
        lector_expression_at(s, len, p, LECTOR_EXPR_ANY, out) && out->text.stop > p) {
      st->pos = resume(t, out->text.stop);
      return true;
    }
    p = skip(t, p);
  }
  st->pos = len;
  return false;
}
