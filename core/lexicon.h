/*
 * Lexicon: single words and multi-word phrases with labels and values,
 * loaded from TSV and matched over a document's tokens. Built once, then
 * read-only, so any number of passes may share one.
 */
#ifndef LECTOR_LEXICON_H
#define LECTOR_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "lector.h"

typedef struct lector_lexicon lector_lexicon;

/* One (phrase, label, value) entry. A phrase may hold several entries,
 * one per label, chained through next in the order they were added. */
typedef struct lector_lexicon_entry {
  const char *label;
  double value;
  const struct lector_lexicon_entry *next;
} lector_lexicon_entry;

/* The allocator a lexicon takes its memory from: lua_Alloc's contract, so
 * a lexicon made in a plugin's state counts against that state's memory
 * limit. NULL means malloc. */
typedef void *(*lector_lexicon_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

/* fold: compare tokens by their case-folded form instead of exactly. */
lector_lexicon *lector_lexicon_new(int fold, lector_lexicon_alloc alloc, void *ud,
                                   lector_error *err);
void lector_lexicon_free(lector_lexicon *lex);
int lector_lexicon_folds(const lector_lexicon *lex);

/* Add one entry. The phrase is split into tokens with lector's tokenizer,
 * so it matches the text wherever the segmenter makes the same tokens.
 * Adding the same phrase and label again replaces the value. */
lector_status lector_lexicon_add(lector_lexicon *lex, const char *phrase, size_t len,
                                 const char *label, double value, lector_error *err);
/* Add every line of a TSV text: PHRASE<TAB>LABEL[<TAB>VALUE]. Blank lines
 * and lines starting with '#' are skipped. name prefixes messages
 * ("places.tsv:12: ..."). On failure nothing of this text is kept. */
lector_status lector_lexicon_load(lector_lexicon *lex, const char *tsv, size_t len,
                                  const char *name, lector_error *err);

size_t lector_lexicon_size(const lector_lexicon *lex);      /* entries */
size_t lector_lexicon_bytes(const lector_lexicon *lex);     /* C memory held */
size_t lector_lexicon_max_tokens(const lector_lexicon *lex); /* longest phrase */

/* The entries of a phrase given as text, or NULL. */
const lector_lexicon_entry *lector_lexicon_get(const lector_lexicon *lex, const char *phrase,
                                               size_t len);
/* The longest phrase starting at token `first` of doc that ends before
 * token `end`: its length in tokens (0 when none) and its entries. */
uint32_t lector_lexicon_longest(const lector_lexicon *lex, const lector_doc *doc,
                                uint32_t first, uint32_t end,
                                const lector_lexicon_entry **entries);

#endif
