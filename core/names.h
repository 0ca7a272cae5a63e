/*
 * Names: the name finder of the entities pass. Candidate names are runs
 * of capitalized words (and the connectors between them: "of", "de la",
 * "&") within a sentence; each run is labelled from a gazetteer, from cue
 * words (titles, given names, heads such as "Ministry") and from the words
 * around it, then the names of the document are linked (surnames,
 * acronyms, short company names) and each gets a key and a canonical name.
 *
 * The engine knows the rules, not the words: the gazetteer (a Lexicon
 * whose labels the rules read: TITLE, GIVEN, ORGHEAD, ...) and every word
 * list (speech verbs, place prepositions, connectors, abbreviations, ...)
 * come from the configuration. docs/extraction.md ("## entities") explains
 * the rules. Its memory comes from the allocator it is made with; a find
 * keeps its buffers in the finder for the next one.
 */
#ifndef LECTOR_NAMES_H
#define LECTOR_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "lector.h"
#include "lexicon.h"

typedef struct lector_names lector_names;

typedef void *(*lector_names_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

/* The word lists of a finder, each a set of exact words. */
typedef enum lector_names_list {
  LECTOR_NAMES_CONNECTORS,      /* lower-case words that may join two capitalized words */
  LECTOR_NAMES_CONNECTOR_PAIRS, /* words that may follow a connector: "of the", "de la" */
  LECTOR_NAMES_ABBREVIATIONS,   /* words whose period is theirs ("Mr.", "Corp."), in order */
  LECTOR_NAMES_SPEAKS,          /* words after a name that say it is a person */
  LECTOR_NAMES_SPEAKS_BEFORE,   /* speech verbs before their speaker: "...," said Henke */
  LECTOR_NAMES_PLACE_PREP,      /* words before a name that say it is a place */
  LECTOR_NAMES_NAME_PARTICLE,   /* connectors inside a person's name: de, van, bin */
  LECTOR_NAMES_COMPANY_SUFFIX,  /* words that end a company's name: Corp, Ltd, AG */
  LECTOR_NAMES_SPORT_WORDS,     /* headline words of a team sports report */
  LECTOR_NAMES_TEAM_BEFORE,     /* words before a club's name: beat, v */
  LECTOR_NAMES_TEAM_AFTER,      /* words after a club's name: beat, beats */
  LECTOR_NAMES_LOST,            /* words before "to" that make "lost to" */
  LECTOR_NAMES_LIST_COUNT
} lector_names_list;

/* The list's name as configurations spell it ("speaks", "place_prep",
 * ...), and the list of a name (LECTOR_NAMES_LIST_COUNT when unknown). */
const char *lector_names_list_name(lector_names_list list);
lector_names_list lector_names_list_of(const char *name);

/* A finder reading gazetteer (which must outlive it), or NULL when out of
 * memory. alloc NULL means malloc. */
lector_names *lector_names_new(const lector_lexicon *gazetteer, lector_names_alloc alloc,
                               void *ud);
void lector_names_free(lector_names *nf);

/* Add a word to a list. LECTOR_EINVAL: an empty word, one over
 * LECTOR_NAMES_MAX_WORD_BYTES or with a NUL byte. */
lector_status lector_names_add_word(lector_names *nf, lector_names_list list, const char *word,
                                    size_t len);
/* The entity labels a gazetteer gives, by priority (first added wins), and
 * the head labels with the entity label each gives the name it ends
 * ("ORGHEAD" -> "ORG"), in the order they are tried. LECTOR_EINVAL: an
 * empty label, one over LECTOR_MAX_NAME_BYTES, more labels than
 * LECTOR_NAMES_MAX_LABELS in all, or more entries than that in a list. */
lector_status lector_names_add_priority(lector_names *nf, const char *label);
lector_status lector_names_add_head(lector_names *nf, const char *head, const char *label);

/* A name found: its bytes, its label (lector_names_label), and the entity
 * it belongs to: entities are numbered from 0 in the order of their first
 * mention; key_start/key_stop is the text whose lower-case form, after the
 * label, makes the entity's key; canonical_start/canonical_stop its
 * canonical name (its longest mention). */
typedef struct lector_names_mention {
  uint32_t start, stop;
  uint32_t label;
  uint32_t entity;
  uint32_t key_start, key_stop;
  uint32_t canonical_start, canonical_stop;
} lector_names_mention;

const char *lector_names_label(const lector_names *nf, uint32_t label);

/* The names of a text whose sentences are given (offsets into it, in
 * order). *out stays valid until the next find or the finder is freed.
 * LECTOR_ENOMEM when out of memory. */
lector_status lector_names_find(lector_names *nf, const char *text, size_t len,
                                const lector_sentence *sentences, size_t nsentences,
                                const lector_names_mention **out, size_t *count);

#endif
