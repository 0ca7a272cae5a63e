/*
 * Valence scoring: the tone of a sentence from its lexicon hits, each
 * valence word changed by the rule words around it (boosters, negation,
 * scare words, contrast, concession and hedge clauses), by capitals and
 * quotation marks, summed and squashed into a compound score in [-1, 1].
 *
 * The engine knows the rules, not the words or the weights: every hit
 * comes with a role, and every weight is a constant of the configuration.
 * It allocates nothing, so a caller may raise (longjmp) from its emit
 * callback. Numbers carry Lua's subtype (integer or float) so that a
 * result reads the same as the Lua arithmetic it replaces would.
 */
#ifndef LECTOR_VALENCE_H
#define LECTOR_VALENCE_H

#include <stddef.h>
#include <stdint.h>

/* A number and whether Lua would hold it as an integer. Integers are kept
 * exact up to 2^53, far beyond any valence or weight. */
typedef struct lector_vnum {
  double v;
  int integer;
} lector_vnum;

typedef enum lector_valence_role {
  LECTOR_VALENCE_NONE,       /* a hit whose label has no role: it ends look-backs */
  LECTOR_VALENCE_WORD,       /* "valence": a word or expression with a valence */
  LECTOR_VALENCE_BOOSTER,
  LECTOR_VALENCE_NEGATION,
  LECTOR_VALENCE_CONTRAST,
  LECTOR_VALENCE_CONCESSION,
  LECTOR_VALENCE_HEDGE,
  LECTOR_VALENCE_SCARE,
  LECTOR_VALENCE_NEUTRAL,
  LECTOR_VALENCE_ROLE_COUNT
} lector_valence_role;

/* The role's name as configurations spell it ("valence", "booster", ...;
 * NULL for NONE), and the role of a name (NONE when unknown). */
const char *lector_valence_role_name(lector_valence_role role);
lector_valence_role lector_valence_role_of(const char *name);

/* The weights, in the order of lector_valence_constant_name. */
typedef enum lector_valence_constant {
  LECTOR_VK_NEG_SCOPE,       /* a negation reaches this many tokens after it */
  LECTOR_VK_NEG_FACTOR,      /* a negated valence is multiplied by it */
  LECTOR_VK_NEG_NEGATIVE,    /* ... a negated negative one by this */
  LECTOR_VK_BARE_NEGATION,   /* added for a negation that negates no word */
  LECTOR_VK_BOOST_REACH,     /* a booster reaches this many tokens after it */
  LECTOR_VK_BOOST_DECAY,     /* ... its value times decay ^ tokens between */
  LECTOR_VK_CAPS,            /* added (away from 0) to a word in capitals */
  LECTOR_VK_EXCL,            /* each '!' pushes the sum away from 0 by this */
  LECTOR_VK_EXCL_MAX,        /* ... for at most this many */
  LECTOR_VK_BEFORE_CONTRAST, /* words before a contrast word, by default */
  LECTOR_VK_AFTER_CONTRAST,  /* ... and after it */
  LECTOR_VK_CONCESSION,      /* words in a concession or hedge clause, by default */
  LECTOR_VK_SCARE_POSITIVE,  /* a positive word after a scare word or in quotes */
  LECTOR_VK_SCARE_NEGATIVE,  /* ... a negative one */
  LECTOR_VK_SCALE,           /* compound = tanh(sum / scale) */
  LECTOR_VK_NEUTRAL,         /* |compound| below this is neutral */
  LECTOR_VK_COUNT
} lector_valence_constant;

/* "neg_scope", "neg_factor", ...: the names of the constants. */
const char *lector_valence_constant_name(lector_valence_constant k);

typedef struct lector_valence_config {
  lector_vnum k[LECTOR_VK_COUNT];
} lector_valence_config;

/* A lexicon hit: byte offsets [start, stop) of the text, its first and
 * last token numbers, its role and value (an absent value is integer 0). */
typedef struct lector_valence_hit {
  uint32_t start, stop;
  int64_t first, last;
  lector_valence_role role;
  lector_vnum value;
} lector_valence_hit;

/* A document as the scorer reads it. Hits are in text order and do not
 * overlap; blocked ranges (names, whose words are not counted) are in
 * text order. negated is scratch of nhits bytes the scorer writes. */
typedef struct lector_valence_text {
  const char *text;
  size_t len;
  const lector_valence_hit *hits;
  size_t nhits;
  const uint32_t *block_start, *block_stop;
  size_t nblocked;
  uint8_t *negated;
} lector_valence_text;

/* One sentence: its bytes, its tokens, its hits [first_hit, end_hit) and
 * the '!' in it. */
typedef struct lector_valence_sentence {
  uint32_t start, stop;
  int64_t tokens;
  size_t first_hit, end_hit;
  int64_t exclamations;
} lector_valence_sentence;

typedef struct lector_valence_score {
  lector_vnum compound, pos, neg, neu, sum;
} lector_valence_score;

/* What fired, reported in the order an explanation lists it. Per hit:
 * WORD, then its rules, then WORD_END (a blocked word: WORD, BLOCKED,
 * WORD_END); a rule word with a role: RULE_WORD. Then the sentence's:
 * BARE_NEGATION..., EXCLAMATION, CONTRAST, CLAUSE_CUE..., SUM. */
typedef enum lector_valence_event_kind {
  LECTOR_VE_WORD,          /* hit, value: a valence word */
  LECTOR_VE_BLOCKED,       /* hit, cue: the blocked range that holds it */
  LECTOR_VE_BOOSTER,       /* hit, cue, factor: the booster's share */
  LECTOR_VE_CAPITALS,      /* hit, factor, flag: the sign */
  LECTOR_VE_NEGATED,       /* hit, cue, factor */
  LECTOR_VE_SCARE,         /* hit, cue (LECTOR_VALENCE_NO_CUE: quotation marks), factor */
  LECTOR_VE_CONTRAST_SIDE, /* hit, cue, factor, flag: before the contrast word */
  LECTOR_VE_CLAUSE,        /* hit, cue, factor, flag: a hedge (else a concession) */
  LECTOR_VE_WORD_END,      /* hit, value: the word's contribution, flag: blocked */
  LECTOR_VE_RULE_WORD,     /* hit, flag: its role */
  LECTOR_VE_BARE_NEGATION, /* cue, factor */
  LECTOR_VE_EXCLAMATION,   /* count, factor, flag: the sign of the new sum */
  LECTOR_VE_CONTRAST,      /* cue, factor (before), value (after) */
  LECTOR_VE_CLAUSE_CUE,    /* cue, factor, flag: a hedge */
  LECTOR_VE_SUM            /* value: the sum, factor: the compound */
} lector_valence_event_kind;

#define LECTOR_VALENCE_NO_CUE SIZE_MAX

/* The most positive (and negative) sentences a scorer keeps, at most. */
#define LECTOR_VALENCE_MAX_EXTREMES 64

typedef struct lector_valence_event {
  lector_valence_event_kind kind;
  size_t hit, cue;         /* hit indexes, or for BLOCKED the range's index */
  lector_vnum factor, value;
  int64_t count;
  int flag;
} lector_valence_event;

typedef void (*lector_valence_emit)(void *ud, const lector_valence_event *ev);

/* Score one sentence of t. cursor is the first blocked range that may
 * still hold a word: 0 before the first sentence, then left as the call
 * leaves it, sentence after sentence in text order. emit may be NULL. */
void lector_valence_score_sentence(const lector_valence_config *cfg, const lector_valence_text *t,
                                   const lector_valence_sentence *s, size_t *cursor,
                                   lector_valence_emit emit, void *ud, lector_valence_score *out);

/* tanh(sum / scale), an integer ±1 once |sum / scale| > 20. */
lector_vnum lector_valence_compound(const lector_valence_config *cfg, lector_vnum sum);

/* x rounded to 4 decimals, as (x * 10000 + 0.5) // 1 / 10000 in Lua. */
double lector_valence_round4(double x);

/* The '!' in text[start, stop). */
int64_t lector_valence_exclamations(const char *text, uint32_t start, uint32_t stop);

#endif
