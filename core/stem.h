/*
 * Snowball stemmers (libstemmer): one word in, its stem out, UTF-8.
 *
 * A stemmer keeps a buffer for its last result, so it is not thread-safe;
 * each Lua state makes its own. libstemmer allocates with malloc, outside
 * any Lua allocator: a stemmer holds a few hundred bytes plus a buffer at
 * most about LECTOR_STEM_MAX_WORD_BYTES long.
 */
#ifndef LECTOR_STEM_H
#define LECTOR_STEM_H

#include <stddef.h>

typedef struct lector_stemmer lector_stemmer;

/* The algorithm names libstemmer knows ("english", "porter", "spanish",
 * ...), NULL-terminated, static. */
const char *const *lector_stem_languages(void);
/* Whether language is one of those names (aliases such as "en" are not). */
int lector_stem_known(const char *language);

/* NULL when the language is unknown or memory ran out (tell them apart
 * with lector_stem_known). */
lector_stemmer *lector_stemmer_new(const char *language);
void lector_stemmer_free(lector_stemmer *st);
const char *lector_stemmer_language(const lector_stemmer *st);

/* Stem word (len bytes of valid UTF-8; the algorithms expect lower case
 * and leave other characters alone). The result is the stemmer's, valid
 * until its next call; a word longer than LECTOR_STEM_MAX_WORD_BYTES is
 * returned as it is. NULL when memory ran out. */
const char *lector_stemmer_stem(lector_stemmer *st, const char *word, size_t len,
                                size_t *out_len);

#endif
