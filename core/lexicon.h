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
 * one per label, chained through next in the order they were added.
 * value is NaN for an entry added without one. Entries and labels stay
 * where they are until the lexicon is freed. */
typedef struct lector_lexicon_entry {
  const char *label;        /* NUL-terminated, at most LECTOR_MAX_NAME_BYTES */
  double value;
  const struct lector_lexicon_entry *next;
} lector_lexicon_entry;

/* The allocator a lexicon takes its memory from: lua_Alloc's contract, so
 * a lexicon made in a plugin's state counts against that state's memory
 * limit. NULL means malloc. */
typedef void *(*lector_lexicon_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

/* fold: compare tokens by their case-folded form instead of exactly.
 * NULL when out of memory. */
lector_lexicon *lector_lexicon_new(int fold, lector_lexicon_alloc alloc, void *ud,
                                   lector_error *err);
void lector_lexicon_free(lector_lexicon *lex);
int lector_lexicon_folds(const lector_lexicon *lex);

/* Add one entry. The phrase is normalized as documents are (NFC) and split
 * into tokens with lector's tokenizer, so it matches the text wherever the
 * segmenter makes the same tokens. Adding the same phrase and label again
 * replaces the value (NaN: none). Refused with LECTOR_EINVAL: a phrase
 * without tokens or with more than LECTOR_LEXICON_MAX_PHRASE_TOKENS, an
 * empty label or one over LECTOR_MAX_NAME_BYTES, a NUL byte, a value that
 * is infinite; LECTOR_EUTF8: invalid UTF-8. On any failure, LECTOR_ENOMEM
 * included, the lexicon is as it was. */
lector_status lector_lexicon_add(lector_lexicon *lex, const char *phrase, size_t len,
                                 const char *label, double value, lector_error *err);
/* Add every line of a TSV text: PHRASE<TAB>LABEL[<TAB>VALUE], VALUE a
 * finite number. Blank lines and lines starting with '#' are skipped; CRLF
 * line ends are accepted. name prefixes messages ("places.tsv:12: ...").
 * On failure nothing of this text is kept. *lines (may be NULL) receives
 * the number of entries the text added or replaced. */
lector_status lector_lexicon_load(lector_lexicon *lex, const char *tsv, size_t len,
                                  const char *name, size_t *lines, lector_error *err);

size_t lector_lexicon_size(const lector_lexicon *lex);      /* entries */
size_t lector_lexicon_bytes(const lector_lexicon *lex);     /* C memory held */
/* Bytes of the allocation that last failed: a caller may ask its memory
 * manager for that much before trying again. */
size_t lector_lexicon_failed_bytes(const lector_lexicon *lex);
size_t lector_lexicon_max_tokens(const lector_lexicon *lex); /* longest phrase */

/* The entries of a phrase given as text, or NULL. */
const lector_lexicon_entry *lector_lexicon_get(const lector_lexicon *lex, const char *phrase,
                                               size_t len);
/* The longest phrase starting at token `first` of doc that ends before
 * token `end`: its length in tokens (0 when none) and its entries (NULL
 * when none). Token indices are the document's, 0-based. The work is at
 * most max_tokens look-ups. */
uint32_t lector_lexicon_longest(const lector_lexicon *lex, const lector_doc *doc,
                                uint32_t first, uint32_t end,
                                const lector_lexicon_entry **entries);
/* What lector_lexicon_longest finds from each token of [first, end) in
 * turn, in one call: hit(ud, token, n, entries) for each phrase found,
 * the scan going on after it (with all, at the next token). A hit may
 * raise a Lua error: the scan holds nothing to free. */
typedef void (*lector_lexicon_hit)(void *ud, uint32_t token, uint32_t n,
                                   const lector_lexicon_entry *entries);
void lector_lexicon_scan(const lector_lexicon *lex, const lector_doc *doc, uint32_t first,
                         uint32_t end, int all, lector_lexicon_hit hit, void *ud);

#endif
