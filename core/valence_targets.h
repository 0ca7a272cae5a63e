/*
 * The tone of the clauses about each entity: a sentence is cut into
 * clauses at punctuation (, ; : ( ) and dashes) and at contrast and
 * concession words, and each entity met in a clause takes that clause's
 * compound score once. Rows are the entities (mentions that share a key),
 * in the order their first mention is counted. Pure C: the caller owns
 * every buffer (lector_targets_bytes tells how much).
 */
#ifndef LECTOR_VALENCE_TARGETS_H
#define LECTOR_VALENCE_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "valence.h"

/* A scored word of the sentence: where it starts, what it contributes. */
typedef struct lector_target_item {
  uint32_t at;
  lector_vnum value;
} lector_target_item;

typedef struct lector_target_row {
  uint32_t mention;            /* the first mention counted (0-based) */
  uint32_t created;            /* rows made before it */
  uint32_t mentions, clauses, positive, negative, neutral;
  double sum;                  /* of the compounds of its clauses */
  uint32_t first_entry, last_entry, nsentences;   /* its sentences' list */
} lector_target_row;

typedef struct lector_targets {
  const uint32_t *start, *key;   /* the mentions, in the caller's order; key < n */
  size_t n, next;                /* next: the first mention not yet read */
  uint32_t *row_of_key;          /* n entries: 0, or the row's number + 1 */
  lector_target_row *rows;
  size_t nrows;
  uint32_t *entry_sentence, *entry_next;   /* rows' sentence lists, n entries at most */
  size_t nentries;
  uint64_t *seen;                /* (row, clause) pairs of the current sentence */
  uint32_t *seen_stamp;
  size_t seen_mask;
  uint32_t stamp;
} lector_targets;

/* Bytes of the buffer lector_targets_init lays its tables in. */
size_t lector_targets_bytes(size_t n);
/* start and key (each < n) stay the caller's; memory has
 * lector_targets_bytes(n) bytes, aligned for a uint64_t. */
void lector_targets_init(lector_targets *t, const uint32_t *start, const uint32_t *key, size_t n,
                         void *memory);

/* Whether the sentence [sstart, sstop) holds a mention not yet read;
 * mentions before it are passed over. */
int lector_targets_in_sentence(lector_targets *t, uint32_t sstart, uint32_t sstop);
/* How many clause starts the sentence has with ncuts cuts: the room
 * lector_targets_add_sentence needs in starts and sums. */
size_t lector_targets_clause_count(const char *text, uint32_t sstart, uint32_t sstop,
                                   size_t ncuts);
/* Count the sentence's mentions (sentence is its number, from 1). cuts
 * are the offsets of its contrast and concession words; items its scored
 * words, in the order they were scored. */
void lector_targets_add_sentence(lector_targets *t, const lector_valence_config *cfg,
                                 const char *text, uint32_t sstart, uint32_t sstop,
                                 uint32_t sentence, const uint32_t *cuts, size_t ncuts,
                                 const lector_target_item *items, size_t nitems, uint32_t *starts,
                                 double *sums);

/* Put the rows in the order of the report: most mentions first, then in
 * the order they were made. */
void lector_targets_sort(lector_targets *t);

#endif
