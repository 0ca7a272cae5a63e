/*
 * Tokens: character classes, kind names, shapes and case folding.
 *
 * The segmenter (segment.c) decides where tokens start and stop; this file
 * answers what a character is and derives the per-token values plugins use
 * (kind name, shape, folded form).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lector.h"
#include "token.h"

#define S LECTOR_CC_SPACE
#define U LECTOR_CC_UPPER
#define L LECTOR_CC_LOWER
#define D LECTOR_CC_DIGIT
#define P LECTOR_CC_PUNCT
#define Y LECTOR_CC_SYMBOL

/* ASCII: controls are white space (the text holds no NUL); the symbol set
 * follows lector.h ($ % & + = # @ and the like), the rest of the marks are
 * punctuation. */
const unsigned char lector_ascii_cclass[128] = {
  S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,  /* 0x00 */
  S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,  /* 0x10 */
  S, P, P, Y, Y, Y, Y, P, P, P, Y, Y, P, P, P, P,  /*  !"#$%&'()*+,-./ */
  D, D, D, D, D, D, D, D, D, D, P, P, Y, Y, Y, P,  /* 0-9 :;<=>? */
  Y, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,  /* @A-O */
  U, U, U, U, U, U, U, U, U, U, U, P, Y, P, Y, P,  /* P-Z [\]^_ */
  Y, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,  /* `a-o */
  L, L, L, L, L, L, L, L, L, L, L, P, Y, P, Y, S,  /* p-z {|}~ DEL */
};

#undef S
#undef U
#undef L
#undef D
#undef P
#undef Y

/* Pictographs outside the big emoji blocks that are emoji by default. */
static const uint32_t emoji_singles[] = {
  0x231A, 0x231B, 0x2328, 0x23CF, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23ED,
  0x23EE, 0x23EF, 0x23F0, 0x23F1, 0x23F2, 0x23F3, 0x23F8, 0x23F9, 0x23FA,
  0x24C2, 0x25AA, 0x25AB, 0x25B6, 0x25C0, 0x25FB, 0x25FC, 0x25FD, 0x25FE,
  0x2B05, 0x2B06, 0x2B07, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55, 0x3030, 0x303D,
  0x3297, 0x3299,
};

/* Format characters and separators that carry no text of their own: the
 * segmenter skips them like spaces (bidi marks, zero-width space, BOM). */
static int is_invisible_separator(uint32_t cp) {
  return cp == 0x200B || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
         cp == 0xFEFF || cp == 0x0085 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

static int is_emoji_modifier(uint32_t cp) {
  return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
         (cp >= 0xE0020 && cp <= 0xE007F) || cp == 0x20E3;
}

/* Emoji bases: symbols (So/Sk) in the pictograph blocks plus a short list
 * of older pictographs. Dingbat quotes and brackets are punctuation there,
 * so the category check keeps them out. */
static int is_emoji_base(uint32_t cp, utf8proc_category_t cat) {
  if (cp >= 0x1F000 && cp <= 0x1FAFF)
    return cat == UTF8PROC_CATEGORY_SO || cat == UTF8PROC_CATEGORY_SK;
  if (cp >= 0x2600 && cp <= 0x27BF) return cat == UTF8PROC_CATEGORY_SO;
  if (cp < 0x231A || cp > 0x3299) return 0;
  for (size_t i = 0; i < sizeof emoji_singles / sizeof emoji_singles[0]; i++)
    if (emoji_singles[i] == cp) return 1;
  return 0;
}

static int is_han(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) ||
         cp == 0x3005 || cp == 0x3007;
}

static lector_cclass class_of_category(utf8proc_category_t cat) {
  switch (cat) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT: return LECTOR_CC_UPPER;
  case UTF8PROC_CATEGORY_LL: return LECTOR_CC_LOWER;
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_NL: return LECTOR_CC_LETTER;
  case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME: return LECTOR_CC_MARK;
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NO: return LECTOR_CC_DIGIT;
  case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
  case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
  case UTF8PROC_CATEGORY_PO: return LECTOR_CC_PUNCT;
  case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
  case UTF8PROC_CATEGORY_SO: return LECTOR_CC_SYMBOL;
  case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC: return LECTOR_CC_SPACE;
  default: return LECTOR_CC_OTHER;
  }
}

/*
 * The tokenizer's view of a code point. Special cases come before the
 * Unicode category because the category alone gets them wrong for
 * tokenizing: ZWJ is a format character but glues emoji and Indic words,
 * variation selectors are marks but belong to the emoji before them,
 * ideographs and kana are letters but are cut differently from words.
 */
lector_cclass lector_cclass_of(uint32_t cp) {
  if (cp < 0x80) return (lector_cclass)lector_ascii_cclass[cp];
  /* dashes, curly quotes, ellipsis: the non-ASCII marks news text is full of */
  if (cp >= 0x2010 && cp <= 0x2027) return LECTOR_CC_PUNCT;
  if (cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0x00AD)
    return LECTOR_CC_JOINER;
  if (is_invisible_separator(cp)) return LECTOR_CC_SPACE;
  if (is_emoji_modifier(cp)) return LECTOR_CC_EMOJI_MOD;
  if (is_han(cp)) return LECTOR_CC_HAN;
  if (cp >= 0x3041 && cp <= 0x309F) return LECTOR_CC_HIRAGANA;
  if ((cp >= 0x30A0 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
      (cp >= 0xFF66 && cp <= 0xFF9F))
    return LECTOR_CC_KATAKANA;
  utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
  if (is_emoji_base(cp, cat)) return LECTOR_CC_EMOJI;
  return class_of_category(cat);
}

static const char *const kind_names[LECTOR_TOKEN_KIND_COUNT] = {
  "word", "number", "punct", "symbol", "url", "email", "emoji", "other",
};

/*
 * The lower-case name of a token kind, as shown to users and plugins.
 * A value outside the enumeration gets "unknown" rather than NULL so that
 * callers can print it unchecked.
 */
const char *lector_token_kind_name(lector_token_kind kind) {
  if ((unsigned)kind >= LECTOR_TOKEN_KIND_COUNT) return "unknown";
  return kind_names[kind];
}

/* The shape letter for a class, or 0 when the character is kept as is. */
static char shape_letter(lector_cclass k) {
  switch (k) {
  case LECTOR_CC_UPPER: return 'X';
  case LECTOR_CC_LOWER: case LECTOR_CC_LETTER: case LECTOR_CC_HAN:
  case LECTOR_CC_HIRAGANA: case LECTOR_CC_KATAKANA: return 'x';
  case LECTOR_CC_DIGIT: return 'd';
  default: return 0;
  }
}

#define SHAPE_MAX_RUN 4

/*
 * Shape of a token: X upper-case, x lower-case or uncased letter, d digit,
 * anything else copied; a run of the same class (or of the same copied
 * character) keeps only its first four. Combining marks and joiners add
 * nothing, so "José" in decomposed form has the same shape as composed.
 * A code point that does not fit in out is dropped whole, never cut, and
 * out is always NUL-terminated when outsize > 0.
 */
size_t lector_token_shape(const char *s, size_t len, char *out, size_t outsize) {
  if (!out || outsize == 0) return 0;
  const unsigned char *p = (const unsigned char *)s;
  size_t w = 0, run = 0, i = 0;
  uint32_t run_key = UINT32_MAX;
  while (s && i < len) {
    uint32_t cp;
    size_t n = lector_utf8_decode(p + i, len - i, &cp);
    lector_cclass k = lector_cclass_of(cp);
    i += n;
    if (k == LECTOR_CC_MARK || k == LECTOR_CC_JOINER) continue;
    char letter = shape_letter(k);
    /* Letters share keys below 0x80 with nothing else: copied characters
     * are keyed by code point with a high bit set. */
    uint32_t key = letter ? (uint32_t)(unsigned char)letter : (cp | 0x80000000u);
    run = key == run_key ? run + 1 : 1;
    run_key = key;
    if (run > SHAPE_MAX_RUN) continue;
    size_t need = letter ? 1 : n;
    if (w + need > outsize - 1) break;
    if (letter) out[w] = letter;
    else memcpy(out + w, p + i - n, n);
    w += need;
  }
  out[w] = '\0';
  return w;
}

/*
 * Case folding for matching: full Unicode folding ("Straße" -> "strasse"),
 * recomposed to NFC. ASCII-only input, the common case, is lowered in
 * place of a utf8proc call. Returns NULL when out of memory or when s is
 * not valid UTF-8.
 */
int lector_token_fold_ascii(const char *s, size_t len, char *buf) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x80) return 0;
    buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  return 1;
}

char *lector_token_fold(const char *s, size_t len, size_t *outlen) {
  size_t i = 0;
  while (i < len && (unsigned char)s[i] < 0x80) i++;
  if (i == len) {
    char *out = malloc(len + 1);
    if (!out) return NULL;
    lector_token_fold_ascii(s, len, out);
    out[len] = '\0';
    if (outlen) *outlen = len;
    return out;
  }
  utf8proc_uint8_t *dst = NULL;
  utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                    &dst, UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE |
                                    UTF8PROC_STABLE);
  if (n < 0) return NULL;
  if (outlen) *outlen = (size_t)n;
  return (char *)dst;
}
