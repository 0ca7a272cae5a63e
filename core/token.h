/*
 * Character classes and UTF-8 decoding shared by the segmenter (segment.c)
 * and the token helpers (token.c). Internal to the core.
 */
#ifndef LECTOR_TOKEN_H
#define LECTOR_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* What a code point is, as far as tokenization cares. */
typedef enum lector_cclass {
  LECTOR_CC_SPACE = 0, /* white space and invisible marks that separate tokens */
  LECTOR_CC_UPPER,     /* upper- and title-case letters */
  LECTOR_CC_LOWER,     /* lower-case letters */
  LECTOR_CC_LETTER,    /* letters without case (Arabic, Hebrew, Hangul, ...) */
  LECTOR_CC_MARK,      /* combining marks: they stay with the letter before them */
  LECTOR_CC_DIGIT,     /* decimal digits and other numerals */
  LECTOR_CC_HAN,       /* CJK ideographs: one token each */
  LECTOR_CC_HIRAGANA,  /* one token per run */
  LECTOR_CC_KATAKANA,  /* one token per run */
  LECTOR_CC_JOINER,    /* ZWJ, ZWNJ, word joiner, soft hyphen: glue inside a word */
  LECTOR_CC_PUNCT,
  LECTOR_CC_SYMBOL,
  LECTOR_CC_EMOJI,     /* a pictograph that starts an emoji sequence */
  LECTOR_CC_EMOJI_MOD, /* variation selectors, skin tones, tags, keycap */
  LECTOR_CC_OTHER
} lector_cclass;

/* Case folding of an ASCII string into buf (room for len bytes): 1 when s
 * is all ASCII and buf holds its fold, 0 (buf partly written) when it is
 * not, and lector_token_fold must do it. No allocation: most tokens. */
int lector_token_fold_ascii(const char *s, size_t len, char *buf);

/* Classes of the 128 ASCII bytes. */
extern const unsigned char lector_ascii_cclass[128];

/* Class of any code point; ASCII is answered from the table. */
lector_cclass lector_cclass_of(uint32_t cp);

/* Decode the code point at p, with avail bytes left (avail >= 1). Input is
 * expected to be valid UTF-8; a malformed or truncated sequence decodes as
 * U+FFFD of length 1 so that a scan always advances and never over-reads. */
static inline size_t lector_utf8_decode(const unsigned char *p, size_t avail,
                                        uint32_t *cp) {
  unsigned c = p[0];
  if (c < 0x80) { *cp = c; return 1; }
  if (c >= 0xC2 && c < 0xE0 && avail >= 2 && (p[1] & 0xC0) == 0x80) {
    *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c < 0xF0 && avail >= 3 && (p[1] & 0xC0) == 0x80 &&
      (p[2] & 0xC0) == 0x80) {
    *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  if (c >= 0xF0 && c < 0xF5 && avail >= 4 && (p[1] & 0xC0) == 0x80 &&
      (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) {
    *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
          ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
  }
  *cp = 0xFFFD;
  return 1;
}

/* A letter of any script (cased or not). */
static inline int lector_cclass_is_letter(lector_cclass k) {
  return k == LECTOR_CC_UPPER || k == LECTOR_CC_LOWER || k == LECTOR_CC_LETTER;
}

#endif
