/*
 * Snowball stemmers: a thin layer over libstemmer that names the
 * algorithm it was made with and bounds the words it is given.
 */
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "lector_limits.h"
#include "stem.h"

struct lector_stemmer {
  struct sb_stemmer *sb;
  const char *language;   /* libstemmer's static copy of the name */
};

const char *const *lector_stem_languages(void) {
  return (const char *const *)sb_stemmer_list();
}

/* The static list entry equal to language, so a stemmer can keep a name
 * that outlives its caller's string. */
static const char *canonical(const char *language) {
  for (const char *const *name = lector_stem_languages(); *name; name++)
    if (strcmp(*name, language) == 0) return *name;
  return NULL;
}

int lector_stem_known(const char *language) {
  return canonical(language) != NULL;
}

lector_stemmer *lector_stemmer_new(const char *language) {
  const char *name = canonical(language);
  if (!name) return NULL;
  lector_stemmer *st = malloc(sizeof *st);
  if (!st) return NULL;
  st->sb = sb_stemmer_new(name, "UTF_8");
  if (!st->sb) {
    free(st);
    return NULL;
  }
  st->language = name;
  return st;
}

void lector_stemmer_free(lector_stemmer *st) {
  if (!st) return;
  sb_stemmer_delete(st->sb);
  free(st);
}

const char *lector_stemmer_language(const lector_stemmer *st) {
  return st->language;
}

const char *lector_stemmer_stem(lector_stemmer *st, const char *word, size_t len,
                                size_t *out_len) {
  if (len > LECTOR_STEM_MAX_WORD_BYTES) {
    *out_len = len;
    return word;
  }
  const sb_symbol *stem = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
  if (!stem) return NULL;
  *out_len = (size_t)sb_stemmer_length(st->sb);
  return (const char *)stem;
}
