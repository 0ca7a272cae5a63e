/*
 * Expressions: the grammar of lector.patterns (numbers, ordinals,
 * percentages, money, quantities, durations, dates, times, URLs and e-mail
 * addresses) as a recognizer over bytes, with no Lua in it.
 *
 * Given a text, a 0-based position and the pattern wanted, it tells whether
 * an expression of that pattern starts there, where it ends, and its
 * normalized value: the fields of the table the Lua pattern captures
 * (docs/lua-api.md, "Patterns"). Matching is PEG matching: each pattern
 * gives at most one match at a position, with ordered choices and greedy
 * repetitions, so a pattern composes with others as an LPeg pattern does.
 */
#ifndef LECTOR_EXPRESSIONS_H
#define LECTOR_EXPRESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The patterns, as lector.patterns names them. */
typedef enum lector_expr_pattern {
  LECTOR_EXPR_ANY,
  LECTOR_EXPR_NUMBER_WORDS,
  LECTOR_EXPR_INTEGER,
  LECTOR_EXPR_NUMBER,
  LECTOR_EXPR_ORDINAL,
  LECTOR_EXPR_PERCENT,
  LECTOR_EXPR_MONEY,
  LECTOR_EXPR_QUANTITY,
  LECTOR_EXPR_DURATION,
  LECTOR_EXPR_WEEKDAY,
  LECTOR_EXPR_MONTH,
  LECTOR_EXPR_YEAR,
  LECTOR_EXPR_DATE,
  LECTOR_EXPR_TIME,
  LECTOR_EXPR_URL,
  LECTOR_EXPR_EMAIL,
  LECTOR_EXPR_PATTERNS   /* how many there are */
} lector_expr_pattern;

/* "any", "number_words", ... in the order above. */
extern const char *const lector_expr_pattern_names[LECTOR_EXPR_PATTERNS];

/* The kind of a match (its table's `kind`). */
typedef enum lector_expr_kind {
  LECTOR_KIND_NUMBER,
  LECTOR_KIND_ORDINAL,
  LECTOR_KIND_PERCENT,
  LECTOR_KIND_MONEY,
  LECTOR_KIND_QUANTITY,
  LECTOR_KIND_DURATION,
  LECTOR_KIND_DATE,
  LECTOR_KIND_TIME,
  LECTOR_KIND_URL,
  LECTOR_KIND_EMAIL,
  LECTOR_KINDS
} lector_expr_kind;

extern const char *const lector_expr_kind_names[LECTOR_KINDS];

/* A number as Lua holds it: an integer (wrapping as Lua's do) or a float. */
typedef struct lector_expr_number {
  int64_t integer;
  double real;
  bool is_real;
} lector_expr_number;

/* The date and time fields, as bits of lector_expression.fields and as
 * the entries of its `order`. */
typedef enum lector_expr_field {
  LECTOR_FIELD_YEAR, LECTOR_FIELD_MONTH, LECTOR_FIELD_DAY, LECTOR_FIELD_WEEKDAY,
  LECTOR_FIELD_DECADE, LECTOR_FIELD_PART, LECTOR_FIELD_OFFSET, LECTOR_FIELD_COUNT,
  LECTOR_FIELD_UNIT, LECTOR_FIELD_AGO, LECTOR_FIELD_APPROX, LECTOR_FIELD_RELATIVE,
  LECTOR_FIELD_ISO, LECTOR_FIELD_HOUR, LECTOR_FIELD_MINUTE, LECTOR_FIELD_SECOND,
  LECTOR_FIELD_AMPM, LECTOR_FIELD_ZONE, LECTOR_FIELD_SCHEME
} lector_expr_field;

#define LECTOR_HAS(e, field) (((e)->fields >> (field)) & 1u)

/* A span of the text: [start, stop), 0-based. */
typedef struct lector_expr_span {
  size_t start, stop;
} lector_expr_span;

/* One match. Which fields hold depends on the kind, as in the Lua tables:
 *   number, ordinal   value; approx (vague numbers: "thousands")
 *   percent           value; points ("percentage points")
 *   money             value (the amount); currency (NULL when unnamed)
 *   quantity          value, unit, dimension
 *   duration          value, unit
 *   date              the LECTOR_FIELD_* bits in fields: year, month, day,
 *                     weekday, decade, part, offset, count, unit, approx,
 *                     relative, iso
 *   time              hour, minute, second, ampm, zone, iso
 *   url               host, scheme (LECTOR_FIELD_SCHEME); the url is the text
 *   email             user, domain; the address is the text
 * Strings are static; host and domain are spans, to be lowered. */
typedef struct lector_expression {
  lector_expr_kind kind;
  lector_expr_span text;
  lector_expr_number value;
  bool approx, points;
  const char *currency, *unit, *dimension;
  uint32_t fields;
  int year, month, day, weekday, decade, hour, minute, second;
  lector_expr_number offset, count;
  const char *part, *relative, *ampm, *zone;
  char iso[40];
  lector_expr_span scheme, host, user, domain;
  /* A date or time read by the grammar's field captures (not a year,
   * month or weekday alone): the fields in the order it read them, which
   * the Lua table is built in; `ago` when a count came with "ago" (the
   * count became the offset). */
  uint8_t order[8];
  uint8_t norder;
  bool ago;
} lector_expression;

/* The bytes an expression of pattern `which` may start with, as a
 * string of them in byte order (lpeg.S takes it): a byte not in it starts
 * no match, so a caller may test it first. */
const char *lector_expression_first_bytes(lector_expr_pattern which);

/* Whether an expression of pattern `which` starts at byte pos of
 * text[0, len); when it does, *out gets it. A pos at or past len matches
 * nothing. The text need not be valid UTF-8 nor end with a NUL. */
bool lector_expression_at(const char *text, size_t len, size_t pos, lector_expr_pattern which,
                          lector_expression *out);

#endif
