/*
 * Key phrases: candidate phrases are runs of content words in a
 * document's sentences; the words are ranked by PageRank on their
 * co-occurrence graph, biased towards the words met early (TextRank with
 * PositionRank's prior); a phrase scores the sum of its words' ranks,
 * weighted by how often it occurs; a phrase that starts or ends with a
 * shorter one is merged into it as its variant (docs/summarization.md).
 *
 * The engine holds its configuration (borrowed lexicons and stemmer, word
 * lists) and memos of per-word answers kept across documents, bounded to
 * LECTOR_PHRASES_MEMO_WORDS words. Its memory comes from the allocator it
 * was made with (lua_Alloc's contract). No function here raises: failures
 * are statuses, and a failed call leaves the engine usable.
 */
#ifndef LECTOR_PHRASES_H
#define LECTOR_PHRASES_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "lexicon.h"
#include "stem.h"

typedef struct lector_phrases lector_phrases;

typedef void *(*lector_phrases_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

typedef struct lector_phrases_config {
  uint32_t max_words;               /* longest phrase, in words (>= 1) */
  uint32_t window;                  /* words this close are linked in the graph (>= 2) */
  uint32_t max_tokens;              /* tokens read at most, from the first sentence */
  uint32_t max_distinct;            /* distinct words at most (<= LECTOR_GRAPH_MAX_NODES) */
} lector_phrases_config;

/* The word lists a configuration adds to. */
typedef enum lector_phrases_list {
  LECTOR_PHRASES_STOPWORD,     /* more stop words, compared with the folded word */
  LECTOR_PHRASES_CONNECTOR,    /* stop words that may join two capitalized words */
  LECTOR_PHRASES_EDGE_WORD,    /* words that never start or end a phrase */
  LECTOR_PHRASES_EDGE_SUFFIX,  /* nor words ending so after 3 bytes or more */
  LECTOR_PHRASES_LIST_COUNT
} lector_phrases_list;

/* NULL when out of memory. */
lector_phrases *lector_phrases_new(const lector_phrases_config *cfg, lector_phrases_alloc alloc,
                                   void *ud);
void lector_phrases_free(lector_phrases *ph);
/* Add a word to one of the lists: LECTOR_EINVAL for an empty word or an
 * unknown list, LECTOR_ENOMEM. */
lector_status lector_phrases_add(lector_phrases *ph, lector_phrases_list list, const char *word,
                                 size_t len, lector_error *err);
size_t lector_phrases_bytes(const lector_phrases *ph);   /* memory held */

/* A range of the document's text, in bytes. */
typedef struct lector_phrases_range {
  uint32_t start, stop;
} lector_phrases_range;

/* The lexicons and the stemmer must be the same at every call of one
 * engine: its memos keep their answers. */
typedef struct lector_phrases_input {
  const lector_doc *doc;
  const lector_lexicon *stopwords;    /* may be NULL; end a phrase */
  const lector_lexicon *verbs;        /* may be NULL; split a phrase unless capitalized */
  lector_stemmer *stemmer;            /* phrases are told apart by their words' stems */
  const lector_phrases_range *skip;   /* tokens starting in these are not read */
  size_t skip_count;
  lector_phrases_range headline;      /* where verbs split capitalized runs too */
  uint32_t count;                     /* phrases wanted */
} lector_phrases_input;

/* One phrase found, with its variants merged into it. Its occurrences are
 * its own then each variant's, in the order the variants were first met;
 * parts[first_part .. first_part + part_count) counts them in that order
 * (its own first).
 *
 * A form is an occurrence's text without a final ’s or 's (or both, in
 * that order) and with each run of white space made one space. The
 * phrase is named by the most frequent form of its own occurrences (of
 * equal counts, the shortest, then the first in byte order); its variants
 * are its other forms, then each variant's forms not listed yet, each
 * part's in byte order. */
typedef struct lector_phrase {
  double score;           /* not normalized */
  uint32_t count;         /* occurrences, the variants' included */
  uint32_t first_occurrence;
  uint32_t first_part, part_count;
  lector_phrases_range name;          /* in the result's text */
  uint32_t first_variant, variant_count;
} lector_phrase;

/* The best phrases, best first (higher score, then the first met). The
 * arrays are the engine's, valid until its next call. */
typedef struct lector_phrases_result {
  const lector_phrase *phrases;
  uint32_t count;
  const lector_phrases_range *occurrences;   /* from a phrase's first token to its last */
  const uint32_t *parts;
  const lector_phrases_range *variants;      /* in text */
  const char *text;                          /* the names and variants */
} lector_phrases_result;

/* LECTOR_ENOMEM; LECTOR_ETOOLARGE when the graph is over its limits. */
lector_status lector_phrases_extract(lector_phrases *ph, const lector_phrases_input *in,
                                     lector_phrases_result *out, lector_error *err);

/* The terms of a run of tokens, as the summary pass compares sentences:
 * a word or number token's word is its folded form with every ’ made '
 * and a final 's dropped; a token whose word has no ASCII letter or digit
 * nor any non-ASCII byte, or is a stop word (the input's lexicon or the
 * STOPWORD list), has no term. A word token's term is its word's stem, a
 * number token's its word. The arrays are the engine's, valid until its
 * next call. */
typedef struct lector_phrases_term_list {
  const lector_phrases_range *terms;         /* in text, in token order */
  uint32_t count;
  uint32_t words;                            /* word and number tokens */
  const uint32_t *numbers;                   /* the number tokens' terms, from 0 */
  uint32_t number_count;
  /* in text: the words of the word tokens with a term whose word could
   * be a number's (it starts with a digit or a non-ASCII character) */
  const lector_phrases_range *number_like;
  uint32_t number_like_count;
  const char *text;
} lector_phrases_term_list;

/* The terms of tokens [first, first + count) of in->doc, through memos
 * of the terms of folded words kept across calls (each started afresh at
 * LECTOR_PHRASES_TERM_MEMO_WORDS words) (in->stopwords and
 * in->stemmer must be the same at every call, as for extract; the other
 * fields of in are not used). LECTOR_EINVAL when the tokens are out of
 * range, LECTOR_ENOMEM. */
lector_status lector_phrases_terms(lector_phrases *ph, const lector_phrases_input *in,
                                   uint32_t first, uint32_t count, lector_phrases_term_list *out,
                                   lector_error *err);

#endif
