/*
 * Valence scoring of one sentence from its lexicon hits (valence.h).
 *
 * Only the hits are visited, never every token: a valence word looks back
 * over the rule words just before it, up to the reach of the longest rule
 * and never across a clause boundary. Every double is computed in the
 * order the rules were first written in (docs/sentiment.md), so scores
 * stay the same to the last bit.
 */
#include <math.h>
#include <string.h>

#include "valence.h"

static const char *const ROLE_NAMES[LECTOR_VALENCE_ROLE_COUNT] = {
  NULL, "valence", "booster", "negation", "contrast", "concession", "hedge", "scare", "neutral"
};

static const char *const CONSTANT_NAMES[LECTOR_VK_COUNT] = {
  "neg_scope", "neg_factor", "neg_negative", "bare_negation", "boost_reach", "boost_decay",
  "caps", "excl", "excl_max", "before_contrast", "after_contrast", "concession",
  "scare_positive", "scare_negative", "scale", "neutral"
};

const char *lector_valence_role_name(lector_valence_role role) {
  return (unsigned)role < LECTOR_VALENCE_ROLE_COUNT ? ROLE_NAMES[role] : NULL;
}

lector_valence_role lector_valence_role_of(const char *name) {
  for (int r = 1; r < LECTOR_VALENCE_ROLE_COUNT; r++)
    if (strcmp(ROLE_NAMES[r], name) == 0) return (lector_valence_role)r;
  return LECTOR_VALENCE_NONE;
}

const char *lector_valence_constant_name(lector_valence_constant k) {
  return (unsigned)k < LECTOR_VK_COUNT ? CONSTANT_NAMES[k] : NULL;
}

/* ---- numbers with Lua's subtypes ------------------------------------------ */

static lector_vnum vint(double v) {
  return (lector_vnum){v, 1};
}

static lector_vnum vfloat(double v) {
  return (lector_vnum){v, 0};
}

static lector_vnum vadd(lector_vnum a, lector_vnum b) {
  return (lector_vnum){a.v + b.v, a.integer && b.integer};
}

static lector_vnum vsub(lector_vnum a, lector_vnum b) {
  return (lector_vnum){a.v - b.v, a.integer && b.integer};
}

static lector_vnum vmul(lector_vnum a, lector_vnum b) {
  return (lector_vnum){a.v * b.v, a.integer && b.integer};
}

static lector_vnum vneg(lector_vnum a) {
  return (lector_vnum){-a.v, a.integer};
}

/* Lua's float power: a square is a product, as luai_numpow makes it. */
static double power(double a, double b) {
  return b == 2 ? a * a : pow(a, b);
}

double lector_valence_round4(double x) {
  return floor(x * 10000 + 0.5) / 10000;
}

lector_vnum lector_valence_compound(const lector_valence_config *cfg, lector_vnum sum) {
  double x = sum.v / cfg->k[LECTOR_VK_SCALE].v;
  if (x > 20) return vint(1);
  if (x < -20) return vint(-1);
  double e = exp(2 * x);
  return vfloat((e - 1) / (e + 1));
}

int64_t lector_valence_exclamations(const char *text, uint32_t start, uint32_t stop) {
  int64_t n = 0;
  const char *p = text + start, *end = text + stop;
  while (p < end && (p = memchr(p, '!', (size_t)(end - p))) != NULL) {
    n++;
    p++;
  }
  return n;
}

/* ---- the bytes of a clause ------------------------------------------------ */

static int is_lower(unsigned char c) {
  return c >= 'a' && c <= 'z';
}

static int is_upper(unsigned char c) {
  return c >= 'A' && c <= 'Z';
}

/* An en or em dash (E2 80 93, E2 80 94) at p, wholly before end. */
static int is_dash(const unsigned char *p, const unsigned char *end) {
  return end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94);
}

static int is_clause_mark(unsigned char c) {
  return c == ',' || c == ';' || c == ':' || c == '(' || c == ')';
}

static int is_boundary_mark(unsigned char c) {
  return is_clause_mark(c) || c == '[' || c == ']' || c == '!' || c == '?';
}

/* Punctuation in text[from, to) that ends a clause: rules do not reach
 * across it. */
static int has_boundary(const char *text, uint32_t from, uint32_t to) {
  const unsigned char *p = (const unsigned char *)text + from, *end = (const unsigned char *)text + to;
  for (; p < end; p++)
    if (is_boundary_mark(*p) || is_dash(p, end)) return 1;
  return 0;
}

/* Where the clause starting at from ends: its first clause mark or dash
 * before stop, else stop. */
static uint32_t clause_end(const char *text, uint32_t from, uint32_t stop) {
  const unsigned char *base = (const unsigned char *)text, *end = base + stop;
  for (const unsigned char *p = base + from; p < end; p++)
    if (is_clause_mark(*p) || is_dash(p, end)) return (uint32_t)(p - base);
  return stop;
}

/* Where the clause holding offset at starts: after the last clause mark
 * (dashes aside) in text[sstart, at), else sstart. */
static uint32_t clause_start(const char *text, uint32_t sstart, uint32_t at) {
  for (uint32_t p = at; p > sstart; p--)
    if (is_clause_mark((unsigned char)text[p - 1])) return p;
  return sstart;
}

/* ---- quotation marks ------------------------------------------------------ */

/* Whether the n bytes at text + at (within len) are s. */
static int bytes_are(const char *text, size_t len, size_t at, const char *s, size_t n) {
  return at + n <= len && memcmp(text + at, s, n) == 0;
}

/* An opening mark ending right before offset start: " ' ` or a
 * typographic one (“ ‘ «). */
static int opens_quote(const char *text, size_t len, uint32_t start) {
  if (start == 0) return 0;
  char c = text[start - 1];
  if (c == '"' || c == '\'' || c == '`') return 1;
  return (start >= 3 && (bytes_are(text, len, start - 3, "\xE2\x80\x9C", 3)
                         || bytes_are(text, len, start - 3, "\xE2\x80\x98", 3)))
         || (start >= 2 && bytes_are(text, len, start - 2, "\xC2\xAB", 2));
}

/* A closing mark right at offset stop: " ' or ” ’ ». */
static int closes_quote(const char *text, size_t len, uint32_t stop) {
  if (stop < len && (text[stop] == '"' || text[stop] == '\'')) return 1;
  return bytes_are(text, len, stop, "\xE2\x80\x9D", 3) || bytes_are(text, len, stop, "\xE2\x80\x99", 3)
         || bytes_are(text, len, stop, "\xC2\xBB", 2);
}

/* The writer puts this word, and only it, in quotes. */
static int in_scare_quotes(const char *text, size_t len, uint32_t start, uint32_t stop) {
  return opens_quote(text, len, start) && closes_quote(text, len, stop);
}

/* ---- capitals ------------------------------------------------------------- */

static int has_lower(const char *text, uint32_t from, uint32_t to) {
  for (uint32_t p = from; p < to; p++)
    if (is_lower((unsigned char)text[p])) return 1;
  return 0;
}

static int has_two_upper(const char *text, uint32_t from, uint32_t to) {
  for (uint32_t p = from; p + 1 < to; p++)
    if (is_upper((unsigned char)text[p]) && is_upper((unsigned char)text[p + 1])) return 1;
  return 0;
}

/* A word in capitals: no lower-case letter and two capitals in a row. */
static int in_capitals(const char *text, uint32_t start, uint32_t stop) {
  return !has_lower(text, start, stop) && has_two_upper(text, start, stop);
}

/* ---- one sentence --------------------------------------------------------- */

/* The rules of the whole sentence, gathered before its words are scored. */
typedef struct sentence_rules {
  size_t contrast;                 /* the last contrast word, or NO_CUE */
  lector_vnum before, after;       /* the weights on either side of it */
  int clauses;                     /* any concession or hedge word */
  int has_lower;                   /* -1 until a word in capitals asks */
} sentence_rules;

/* What a word's lexicon value makes a rule's weight: a value in (0, 2)
 * is the weight after a contrast word, 2 - value before it. */
static void contrast_weights(const lector_valence_config *cfg, lector_vnum v, sentence_rules *r) {
  if (v.v > 0 && v.v < 2) {
    r->before = vsub(vint(2), v);
    r->after = v;
  } else {
    r->before = cfg->k[LECTOR_VK_BEFORE_CONTRAST];
    r->after = cfg->k[LECTOR_VK_AFTER_CONTRAST];
  }
}

static lector_vnum clause_weight(const lector_valence_config *cfg, const lector_valence_hit *h) {
  return h->value.v > 0 ? h->value : cfg->k[LECTOR_VK_CONCESSION];
}

static void gather_rules(const lector_valence_config *cfg, const lector_valence_text *t,
                         const lector_valence_sentence *s, sentence_rules *r) {
  r->contrast = LECTOR_VALENCE_NO_CUE;
  r->before = cfg->k[LECTOR_VK_BEFORE_CONTRAST];
  r->after = cfg->k[LECTOR_VK_AFTER_CONTRAST];
  r->clauses = 0;
  r->has_lower = -1;
  for (size_t i = s->first_hit; i < s->end_hit; i++) {
    const lector_valence_hit *h = &t->hits[i];
    t->negated[i] = 0;
    if (h->role == LECTOR_VALENCE_CONTRAST) {
      r->contrast = i;
      contrast_weights(cfg, h->value, r);
    } else if (h->role == LECTOR_VALENCE_CONCESSION || h->role == LECTOR_VALENCE_HEDGE) {
      r->clauses = 1;
    }
  }
}

static void emit_event(lector_valence_emit emit, void *ud, lector_valence_event ev) {
  if (emit) emit(ud, &ev);
}

/* The blocked range holding hit h (advancing the cursor past those that
 * end before it), or NO_CUE. */
static size_t blocked_by(const lector_valence_text *t, const lector_valence_hit *h, size_t *cursor) {
  size_t k = *cursor;
  while (k < t->nblocked && t->block_stop[k] <= h->start) k++;
  *cursor = k;
  if (k < t->nblocked && t->block_start[k] <= h->start && h->stop <= t->block_stop[k]) return k;
  return LECTOR_VALENCE_NO_CUE;
}

/* Roles that end a look-back from a valence word: their words are not
 * the rules of the word after them. A hedge is transparent ("not likely
 * to succeed"). */
static int stops_look_back(lector_valence_role role) {
  return role == LECTOR_VALENCE_NONE || role == LECTOR_VALENCE_WORD
         || role == LECTOR_VALENCE_CONTRAST || role == LECTOR_VALENCE_CONCESSION
         || role == LECTOR_VALENCE_NEUTRAL;
}

/* The rule words before valence word i: the boosters' sum, the negation
 * and the scare word acting on it. */
typedef struct look_back {
  lector_vnum boost;
  size_t negator, scare;
} look_back;

static look_back look_back_from(const lector_valence_config *cfg, const lector_valence_text *t,
                                const lector_valence_sentence *s, size_t i,
                                lector_valence_emit emit, void *ud) {
  const lector_valence_hit *hits = t->hits, *w = &hits[i];
  double neg_scope = cfg->k[LECTOR_VK_NEG_SCOPE].v, boost_reach = cfg->k[LECTOR_VK_BOOST_REACH].v;
  double reach = boost_reach > neg_scope ? boost_reach : neg_scope;
  look_back lb = {vint(0), LECTOR_VALENCE_NO_CUE, LECTOR_VALENCE_NO_CUE};
  for (size_t j = i; j-- > s->first_hit;) {
    const lector_valence_hit *h = &hits[j];
    double gap = (double)(w->first - h->last - 1);
    if (gap >= reach || stops_look_back(h->role)) break;
    if (w->start > h->stop && has_boundary(t->text, h->stop, w->start)) break;
    if (h->role == LECTOR_VALENCE_BOOSTER && gap < boost_reach) {
      double b = h->value.v * power(cfg->k[LECTOR_VK_BOOST_DECAY].v, gap);
      lb.boost = vadd(lb.boost, vfloat(b));
      emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_BOOSTER, .hit = i, .cue = j,
                                                  .factor = vfloat(b)});
    } else if (h->role == LECTOR_VALENCE_NEGATION && lb.negator == LECTOR_VALENCE_NO_CUE
               && gap < neg_scope) {
      lb.negator = j;
    } else if (h->role == LECTOR_VALENCE_SCARE && gap <= 1) {
      lb.scare = j;
    }
  }
  return lb;
}

/* The capitals rule: decided on the first two bytes for most words (a
 * lower-case letter first, or second in a word of two bytes or more). */
static int capitals_apply(const lector_valence_text *t, const lector_valence_sentence *s,
                          const lector_valence_hit *w, sentence_rules *r) {
  const unsigned char *b = (const unsigned char *)t->text + w->start;
  if (is_lower(b[0])) return 0;
  if (w->start + 1 < t->len && is_lower(b[1]) && w->stop - w->start >= 2) return 0;
  if (!in_capitals(t->text, w->start, w->stop)) return 0;
  if (r->has_lower < 0) r->has_lower = has_lower(t->text, s->start, s->stop);
  return r->has_lower;
}

/* Whether valence word w lies in the clause of concession or hedge word c. */
static int in_clause(const lector_valence_text *t, const lector_valence_sentence *s,
                     const lector_valence_hit *c, const lector_valence_hit *w) {
  if (w->start >= c->start) return w->start < clause_end(t->text, c->stop, s->stop);
  if (c->role == LECTOR_VALENCE_HEDGE) return w->start >= clause_start(t->text, s->start, c->start);
  return 0;
}

/* The contribution of valence word i after every rule. */
static lector_vnum score_word(const lector_valence_config *cfg, const lector_valence_text *t,
                              const lector_valence_sentence *s, size_t i, sentence_rules *r,
                              lector_valence_emit emit, void *ud) {
  const lector_valence_hit *w = &t->hits[i];
  lector_vnum v = w->value;
  lector_vnum sign = vint(v.v < 0 ? -1 : 1);
  look_back lb = look_back_from(cfg, t, s, i, emit, ud);
  lector_vnum m = vadd(v.v < 0 ? vneg(v) : v, lb.boost);
  if (m.v < 0) m = vint(0);
  lector_vnum after = vmul(sign, m);
  if (capitals_apply(t, s, w, r)) {
    after = vadd(after, vmul(sign, cfg->k[LECTOR_VK_CAPS]));
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_CAPITALS, .hit = i,
                                                .factor = cfg->k[LECTOR_VK_CAPS],
                                                .flag = (int)sign.v});
  }
  if (lb.negator != LECTOR_VALENCE_NO_CUE) {
    /* a negated negative word is weaker than a positive one ("not bad") */
    lector_vnum f = cfg->k[after.v < 0 ? LECTOR_VK_NEG_NEGATIVE : LECTOR_VK_NEG_FACTOR];
    after = vmul(after, f);
    t->negated[lb.negator] = 1;
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_NEGATED, .hit = i,
                                                .cue = lb.negator, .factor = f});
  }
  int scare = lb.scare != LECTOR_VALENCE_NO_CUE
              || in_scare_quotes(t->text, t->len, w->start, w->stop);
  if (scare && after.v != 0) {
    lector_vnum f = cfg->k[after.v > 0 ? LECTOR_VK_SCARE_POSITIVE : LECTOR_VK_SCARE_NEGATIVE];
    after = vmul(after, f);
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_SCARE, .hit = i,
                                                .cue = lb.scare, .factor = f});
  }
  if (r->contrast != LECTOR_VALENCE_NO_CUE) {
    int before = w->start < t->hits[r->contrast].start;
    lector_vnum f = before ? r->before : r->after;
    after = vmul(after, f);
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_CONTRAST_SIDE, .hit = i,
                                                .cue = r->contrast, .factor = f, .flag = before});
  }
  for (size_t k = s->first_hit; r->clauses && k < s->end_hit; k++) {
    const lector_valence_hit *c = &t->hits[k];
    if (c->role != LECTOR_VALENCE_CONCESSION && c->role != LECTOR_VALENCE_HEDGE) continue;
    if (!in_clause(t, s, c, w)) continue;
    lector_vnum f = clause_weight(cfg, c);
    after = vmul(after, f);
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_CLAUSE, .hit = i, .cue = k,
                                                .factor = f,
                                                .flag = c->role == LECTOR_VALENCE_HEDGE});
  }
  return after;
}

/* Running sums of a sentence: the total, its positive and negative parts
 * and the tokens its scored words cover. */
typedef struct sums {
  lector_vnum sum, pos, neg;
  int64_t covered;
} sums;

static void add_word(sums *z, const lector_valence_hit *w, lector_vnum after) {
  z->sum = vadd(z->sum, after);
  if (after.v > 0) z->pos = vadd(z->pos, after);
  else z->neg = vsub(z->neg, after);
  z->covered += w->last - w->first + 1;
}

/* The words of the sentence, each scored (or blocked, or reported as a
 * rule word). */
static void score_words(const lector_valence_config *cfg, const lector_valence_text *t,
                        const lector_valence_sentence *s, size_t *cursor, sentence_rules *r,
                        lector_valence_emit emit, void *ud, sums *z) {
  for (size_t i = s->first_hit; i < s->end_hit; i++) {
    const lector_valence_hit *w = &t->hits[i];
    if (w->role != LECTOR_VALENCE_WORD) {
      if (w->role != LECTOR_VALENCE_NONE)
        emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_RULE_WORD, .hit = i,
                                                    .flag = (int)w->role});
      continue;
    }
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_WORD, .hit = i,
                                                .value = w->value});
    size_t block = t->nblocked ? blocked_by(t, w, cursor) : LECTOR_VALENCE_NO_CUE;
    if (block != LECTOR_VALENCE_NO_CUE) {
      emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_BLOCKED, .hit = i,
                                                  .cue = block});
      emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_WORD_END, .hit = i,
                                                  .value = vint(0), .flag = 1});
      continue;
    }
    lector_vnum after = score_word(cfg, t, s, i, r, emit, ud);
    add_word(z, w, after);
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_WORD_END, .hit = i,
                                                .value = after});
  }
}

/* A negation that reaches no valence word still denies something. */
static void bare_negations(const lector_valence_config *cfg, const lector_valence_text *t,
                           const lector_valence_sentence *s, lector_valence_emit emit, void *ud,
                           sums *z) {
  lector_vnum bare = cfg->k[LECTOR_VK_BARE_NEGATION];
  for (size_t i = s->first_hit; i < s->end_hit; i++) {
    if (t->hits[i].role != LECTOR_VALENCE_NEGATION || t->negated[i]) continue;
    z->sum = vadd(z->sum, bare);
    z->neg = vsub(z->neg, bare);
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_BARE_NEGATION, .cue = i,
                                                .factor = bare});
  }
}

/* Each '!' (up to excl_max) pushes a sum that is not 0 away from 0. */
static void exclamation(const lector_valence_config *cfg, const lector_valence_sentence *s,
                        lector_valence_emit emit, void *ud, sums *z) {
  if (s->exclamations <= 0 || z->sum.v == 0) return;
  lector_vnum most = cfg->k[LECTOR_VK_EXCL_MAX];
  lector_vnum n = most.v < (double)s->exclamations ? most : vint((double)s->exclamations);
  lector_vnum e = vmul(n, cfg->k[LECTOR_VK_EXCL]);
  z->sum = vadd(z->sum, z->sum.v > 0 ? e : vneg(e));
  int64_t count = n.v > 0 ? (int64_t)n.v : 0;     /* n.v <= the '!' counted, when positive */
  emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_EXCLAMATION, .count = count,
                                              .factor = e, .flag = z->sum.v > 0 ? 1 : -1});
}

/* The rules of the whole sentence, for its explanation. */
static void report_sentence_rules(const lector_valence_config *cfg, const lector_valence_text *t,
                                  const lector_valence_sentence *s, const sentence_rules *r,
                                  lector_valence_emit emit, void *ud) {
  if (r->contrast != LECTOR_VALENCE_NO_CUE)
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_CONTRAST, .cue = r->contrast,
                                                .factor = r->before, .value = r->after});
  for (size_t k = s->first_hit; r->clauses && k < s->end_hit; k++) {
    const lector_valence_hit *c = &t->hits[k];
    if (c->role != LECTOR_VALENCE_CONCESSION && c->role != LECTOR_VALENCE_HEDGE) continue;
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_CLAUSE_CUE, .cue = k,
                                                .factor = clause_weight(cfg, c),
                                                .flag = c->role == LECTOR_VALENCE_HEDGE});
  }
}

/* The shares of positive, negative and neutral weight: the neutral one
 * is the tokens no scored word covers. */
static void proportions(const lector_valence_sentence *s, const sums *z, lector_valence_score *out) {
  int64_t neutral = s->tokens - z->covered;
  if (neutral < 0) neutral = 0;
  lector_vnum total = vadd(vadd(z->pos, z->neg), vint((double)neutral));
  if (total.v > 0) {
    out->pos = vfloat(z->pos.v / total.v);
    out->neg = vfloat(z->neg.v / total.v);
    out->neu = vfloat((double)neutral / total.v);
  } else {
    out->pos = vint(0);
    out->neg = vint(0);
    out->neu = vint(1);
  }
}

void lector_valence_score_sentence(const lector_valence_config *cfg, const lector_valence_text *t,
                                   const lector_valence_sentence *s, size_t *cursor,
                                   lector_valence_emit emit, void *ud, lector_valence_score *out) {
  sentence_rules r;
  gather_rules(cfg, t, s, &r);
  sums z = {vint(0), vint(0), vint(0), 0};
  score_words(cfg, t, s, cursor, &r, emit, ud, &z);
  bare_negations(cfg, t, s, emit, ud, &z);
  exclamation(cfg, s, emit, ud, &z);
  out->sum = z.sum;
  out->compound = lector_valence_compound(cfg, z.sum);
  proportions(s, &z, out);
  if (emit) {
    report_sentence_rules(cfg, t, s, &r, emit, ud);
    emit_event(emit, ud, (lector_valence_event){.kind = LECTOR_VE_SUM, .value = z.sum,
                                                .factor = out->compound});
  }
}
