/*
 * The name finder of the entities pass (names.h). Offsets are byte offsets
 * into the text, stops exclusive. The rules read the text byte by byte as
 * the entities pass always has: capitals are ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic ones; case folding is ASCII only.
 */
#include "names.h"

#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "lector_limits.h"

/* ---- labels --------------------------------------------------------------- */

/* The labels the rules read by name; configured labels come after them. */
enum {
  L_PERSON, L_ORG, L_GPE, L_PRODUCT, L_NORP, L_COUNTRY, L_TITLE, L_TITLEMOD, L_GIVEN, L_LAST,
  L_COMMON, L_FREQ, L_DATEWORD, L_FIRST, L_GPE_WEAK, L_SHIP, L_MAKER, L_ORGHEAD,
  L_RULE_COUNT
};
static const char *const RULE_LABELS[L_RULE_COUNT] = {
  "PERSON", "ORG", "GPE", "PRODUCT", "NORP", "COUNTRY", "TITLE", "TITLEMOD", "GIVEN", "LAST",
  "COMMON", "FREQ", "DATEWORD", "FIRST", "GPE_WEAK", "SHIP", "MAKER", "ORGHEAD",
};

#define NO_LABEL 0xffffffffu
/* Gazetteer label addresses remembered (a lexicon keeps one copy of each
 * label, so a gazetteer has about as many as it has labels). */
#define LABEL_CACHE 256
#define BIT(l) ((uint64_t)1 << (l))

/* What the gazetteer says of a phrase: its labels as a set, the entity
 * label by priority and the label its head word gives (NO_LABEL: none). */
typedef struct labels_of {
  uint64_t set;
  uint32_t entity, head;
} labels_of;

/* A string of a table, its bytes in the table's arena: a word of a list
 * (the list in ls.entity) or a remembered phrase (its labels). */
typedef struct str_slot {
  uint64_t hash;
  uint32_t off, len;   /* len 0: empty slot */
  labels_of ls;
} str_slot;

/* An open-addressing table of strings, at most half full. */
typedef struct str_table {
  str_slot *slots;
  size_t cap, count;
} str_table;

typedef struct span32 {
  uint32_t s, e;
} span32;

/* The labels of a span of the text of a find. */
typedef struct span_labels {
  uint64_t find;       /* the find it belongs to (lector_names.finds) */
  uint32_t s, e;
  labels_of ls;
} span_labels;

#define SPAN_CACHE 256

/* ---- per find ------------------------------------------------------------- */

/* A capitalized word found by the scanner; cut: a tail ("’s", "-led") was
 * cut off it, which ends its run. */
typedef struct item {
  uint32_t s, e;
  uint8_t cut;
} item;

/* A word of a run: a capitalized word or a connector. */
typedef struct word {
  uint32_t s, e;
  uint32_t sentence;
  uint8_t conn, keep, initial;
} word;

typedef struct mention {
  uint32_t start, stop;
  span32 first, last;     /* first and last words */
  uint32_t label;         /* NO_LABEL: none yet */
  int evidence, nwords;
  int link;               /* mention index, -1 */
  uint8_t caps, before_place, after_speech, acronym, guessed;
} mention;

/* A run of a headline in capitals, kept for the end of the document. */
typedef struct caps_run {
  uint32_t first, n;      /* its words in caps_words */
  int initial;
} caps_run;

/* A map from text (or a folded text) to an int. */
typedef struct map_slot {
  const char *p;
  uint32_t len;
  int tag;
  int value;
  int used;
} map_slot;

typedef struct map {
  map_slot *slots;
  size_t cap, count;
  int fold;
  int ready;           /* its slots are cleared: made on the first key set */
} map;

struct lector_names {
  lector_names_alloc alloc;
  void *ud;
  const lector_lexicon *gaz;
  /* labels */
  char *label_names[LECTOR_NAMES_MAX_LABELS];
  uint32_t nlabels;
  uint32_t priority[LECTOR_NAMES_MAX_LABELS], npriority;
  uint32_t head[LECTOR_NAMES_MAX_LABELS], head_label[LECTOR_NAMES_MAX_LABELS], nheads;
  struct { const char *p; uint32_t label; } label_cache[LABEL_CACHE];
  span_labels span_cache[SPAN_CACHE];
  uint64_t finds;                  /* finds begun, from 1 */
  /* word lists */
  str_table words;
  char *words_bytes;
  size_t words_bytes_len, words_bytes_cap;
  span32 *abbrev;                  /* offsets into words_bytes, in order */
  size_t nabbrev, abbrev_cap;
  int abbrev_letters;              /* every abbreviation is ASCII letters only */
  /* memo */
  str_table memo;
  char *memo_bytes;
  size_t memo_bytes_len, memo_bytes_cap;
  /* per find, kept for the next */
  item *items; size_t items_cap;
  uint32_t *caps_count; size_t caps_count_cap;
  int8_t *headline, *allcaps; size_t headline_cap, allcaps_cap;
  word *caps_words; size_t caps_words_cap;
  caps_run *caps_runs; size_t caps_runs_cap;
  mention *found; size_t found_cap;
  lector_names_mention *out; size_t out_cap;
  char *acronyms; size_t acronyms_cap;
  map_slot *map_slots; size_t map_slots_cap;
  int *ints; size_t ints_cap;
};

/* One find's state. */
typedef struct doc {
  lector_names *nf;
  const char *text;
  size_t len;
  const lector_sentence *sent;
  size_t ns;
  size_t nitems;
  size_t ncaps_words, ncaps_runs, nfound;
  size_t top;              /* the end of the first three lines */
  int sports;
  size_t next_lower;       /* next lower-case letter from the sentence asked last */
  map lower_seen, inside_seen;
  size_t search_left;      /* bytes the searches of seen_* may still read */
  int failed;              /* an allocation failed */
} doc;

/* ---- memory --------------------------------------------------------------- */

static void *nf_realloc(lector_names *nf, void *p, size_t osize, size_t nsize) {
  if (nsize == 0) {
    if (p) nf->alloc(nf->ud, p, osize, 0);
    return NULL;
  }
  return nf->alloc(nf->ud, p, osize, nsize);
}

/* Room for need elements of size in *array (capacity *cap); 0 when out of
 * memory (the array is then as it was). */
static int reserve(lector_names *nf, void **array, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  if (n > SIZE_MAX / size) return 0;
  void *p = nf_realloc(nf, *array, *cap * size, n * size);
  if (!p) return 0;
  *array = p;
  *cap = n;
  return 1;
}
#define RESERVE(nf, field, need) \
  reserve((nf), (void **)&(nf)->field, &(nf)->field##_cap, (need), sizeof *(nf)->field)

static void table_put(str_table *t, str_slot slot) {
  size_t mask = t->cap - 1;
  size_t i = slot.hash & mask;
  while (t->slots[i].len) i = (i + 1) & mask;
  t->slots[i] = slot;
  t->count++;
}

/* Room for one more string in t: its slots doubled (from first) when half
 * full; 0 when out of memory. */
static int table_room(lector_names *nf, str_table *t, size_t first) {
  if ((t->count + 1) * 2 <= t->cap) return 1;
  size_t cap = t->cap ? t->cap * 2 : first;
  str_slot *fresh = nf_realloc(nf, NULL, 0, cap * sizeof *fresh);
  if (!fresh) return 0;
  memset(fresh, 0, cap * sizeof *fresh);
  str_table old = *t;
  *t = (str_table){fresh, cap, 0};
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].len) table_put(t, old.slots[i]);
  nf_realloc(nf, old.slots, old.cap * sizeof *old.slots, 0);
  return 1;
}

/* ---- bytes ---------------------------------------------------------------- */

static uint64_t hash_bytes(const char *p, size_t n, int fold) {
  uint64_t h = 1469598103934665603ULL;
  if (!fold) {
    /* eight bytes at a time; the mix below spreads them */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
      h ^= h >> 29;
    }
    for (; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return lector_mix64(h ^ n);
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (fold && c >= 'a' && c <= 'z') c = (unsigned char)(c - 32);
    h = (h ^ c) * 1099511628211ULL;
  }
  return lector_mix64(h ^ n);
}

static int upper_ascii(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
static int lower_ascii(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Equal once ASCII letters are of one case (Lua's upper() of each). */
static int fold_equal(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (upper_ascii((unsigned char)a[i]) != upper_ascii((unsigned char)b[i])) return 0;
  return 1;
}

static int is_az(int c) { return c >= 'a' && c <= 'z'; }
static int is_AZ(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_ascii_letter(int c) { return is_az(c) || is_AZ(c); }
static int is_cont(int c) { return c >= 0x80 && c <= 0xbf; }

/* The byte at p, or -1 past the end. */
static inline int at(const doc *d, size_t p) {
  return p < d->len ? (unsigned char)d->text[p] : -1;
}

static int has_prefix(const doc *d, size_t p, const char *s, size_t n) {
  return p <= d->len && d->len - p >= n && memcmp(d->text + p, s, n) == 0;
}

/* The length of the upper-case letter at p (0: none): ASCII, Latin-1
 * without ×, the upper-case member of each pair of Latin Extended-A,
 * Greek and Cyrillic capitals. */
static size_t upper_len(const doc *d, size_t p) {
  int c = at(d, p);
  if (is_AZ(c)) return 1;
  int c2 = at(d, p + 1);
  if (c2 < 0x80 || c2 > 0xbf) return 0;
  switch (c) {
  case 0xc3: return (c2 <= 0x96 || (c2 >= 0x98 && c2 <= 0x9e)) ? 2 : 0;
  case 0xc4: return ((c2 <= 0xb6 && c2 % 2 == 0) || c2 == 0xb9 || c2 == 0xbb || c2 == 0xbd ||
                     c2 == 0xbf) ? 2 : 0;
  case 0xc5:
    return (c2 == 0x81 || c2 == 0x83 || c2 == 0x85 || c2 == 0x87 ||
            (c2 >= 0x8a && c2 <= 0xb8 && c2 % 2 == 0) || c2 == 0xb9 || c2 == 0xbb || c2 == 0xbd)
               ? 2 : 0;
  case 0xce:
    return (c2 == 0x86 || c2 == 0x88 || c2 == 0x89 || c2 == 0x8a || c2 == 0x8c || c2 == 0x8e ||
            c2 == 0x8f || (c2 >= 0x91 && c2 <= 0xa1) || (c2 >= 0xa3 && c2 <= 0xa9)) ? 2 : 0;
  case 0xd0: return c2 <= 0xaf ? 2 : 0;
  default: return 0;
  }
}

/* The length of the letter at p (0: none): ASCII, and multi-byte
 * characters other than the punctuation and symbol blocks (U+0080-U+00BF,
 * U+2000-U+2BFF) and emoji. */
static size_t letter_len(const doc *d, size_t p) {
  int c = at(d, p);
  if (is_ascii_letter(c)) return 1;
  if (c >= 0xc3 && c <= 0xdf) return is_cont(at(d, p + 1)) ? 2 : 0;
  if ((c >= 0xe0 && c <= 0xe1) || (c >= 0xe3 && c <= 0xef))
    return is_cont(at(d, p + 1)) && is_cont(at(d, p + 2)) ? 3 : 0;
  if (c == 0xf0) {
    int c2 = at(d, p + 1);
    return c2 >= 0x90 && c2 <= 0x9e && is_cont(at(d, p + 2)) && is_cont(at(d, p + 3)) ? 4 : 0;
  }
  if (c >= 0xf1 && c <= 0xf4)
    return is_cont(at(d, p + 1)) && is_cont(at(d, p + 2)) && is_cont(at(d, p + 3)) ? 4 : 0;
  return 0;
}

static size_t wordch_len(const doc *d, size_t p) {
  return is_digit(at(d, p)) ? 1 : letter_len(d, p);
}

/* "-", U+2010 or U+2011. */
static size_t hyphen_len(const doc *d, size_t p) {
  int c = at(d, p);
  if (c == '-') return 1;
  if (c == 0xe2 && at(d, p + 1) == 0x80 && (at(d, p + 2) == 0x90 || at(d, p + 2) == 0x91))
    return 3;
  return 0;
}

/* "'" or U+2019. */
static size_t apostrophe_len(const doc *d, size_t p) {
  int c = at(d, p);
  if (c == '\'') return 1;
  if (c == 0xe2 && at(d, p + 1) == 0x80 && at(d, p + 2) == 0x99) return 3;
  return 0;
}

/* What continues a capitalized word at p: a letter or digit, a hyphen or
 * an apostrophe before one, "&" before a capital ("AT&T"), a period
 * before an initial ("U.S"). */
static size_t inner_len(const doc *d, size_t p) {
  size_t n = wordch_len(d, p);
  if (n) return n;
  if ((n = hyphen_len(d, p)) && wordch_len(d, p + n)) return n;
  if ((n = apostrophe_len(d, p)) && letter_len(d, p + n)) return n;
  int c = at(d, p);
  if (c == '&' && upper_len(d, p + 1)) return 1;
  if (c == '.' && is_AZ(at(d, p + 1)) && at(d, p + 2) == '.') return 1;
  return 0;
}

/* What ends a name inside a capitalized word: a possessive ("Peskov’s")
 * or a hyphen before a lower-case word ("Russian-supplied"), but not a
 * particle between two parts of a name ("Inzamam-ul-Haq"). */
static int name_tail_at(const doc *d, size_t p) {
  size_t n = apostrophe_len(d, p);
  if (n) return at(d, p + n) == 's' && !inner_len(d, p + n + 1);
  if (at(d, p) != '-' || !is_az(at(d, p + 1))) return 0;
  size_t q = p + 2;
  for (int k = 0; k < 2 && is_az(at(d, q)); k++) q++;
  return !(at(d, q) == '-' && is_AZ(at(d, q + 1)));
}

static int is_space_at(const doc *d, size_t p, size_t *n) {
  int c = at(d, p);
  if (c == ' ' || c == '\t') {
    *n = 1;
    return 1;
  }
  if (c == 0xc2 && at(d, p + 1) == 0xa0) {
    *n = 2;
    return 1;
  }
  return 0;
}

/* After spaces (" ", tab, no-break space) from p. */
static size_t skip_spaces(const doc *d, size_t p) {
  size_t n;
  while (is_space_at(d, p, &n)) p += n;
  return p;
}

static int is_blank(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static size_t skip_blanks(const doc *d, size_t p) {
  while (is_blank(at(d, p))) p++;
  return p;
}

/* ---- word lists ----------------------------------------------------------- */

static const char *const LIST_NAMES[LECTOR_NAMES_LIST_COUNT] = {
  "connectors", "connector_pairs", "abbreviations", "speaks", "speaks_before", "place_prep",
  "name_particle", "company_suffix", "sport_words", "team_before", "team_after", "lost",
};

const char *lector_names_list_name(lector_names_list list) {
  return list < LECTOR_NAMES_LIST_COUNT ? LIST_NAMES[list] : NULL;
}

lector_names_list lector_names_list_of(const char *name) {
  for (int k = 0; k < LECTOR_NAMES_LIST_COUNT; k++)
    if (strcmp(LIST_NAMES[k], name) == 0) return (lector_names_list)k;
  return LECTOR_NAMES_LIST_COUNT;
}

static int in_list(const lector_names *nf, lector_names_list list, const char *w, size_t n) {
  const str_table *t = &nf->words;
  if (!t->cap || n == 0 || n > LECTOR_NAMES_MAX_WORD_BYTES) return 0;
  uint64_t h = hash_bytes(w, n, 0) ^ (uint64_t)list;
  size_t mask = t->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const str_slot *s = &t->slots[i];
    if (!s->len) return 0;
    if (s->hash == h && s->ls.entity == (uint32_t)list && s->len == n &&
        memcmp(nf->words_bytes + s->off, w, n) == 0)
      return 1;
  }
}

lector_status lector_names_add_word(lector_names *nf, lector_names_list list, const char *w,
                                    size_t n) {
  if (list >= LECTOR_NAMES_LIST_COUNT || n == 0 || n > LECTOR_NAMES_MAX_WORD_BYTES ||
      memchr(w, 0, n))
    return LECTOR_EINVAL;
  if (list != LECTOR_NAMES_ABBREVIATIONS && in_list(nf, list, w, n)) return LECTOR_OK;
  if (!table_room(nf, &nf->words, 64)) return LECTOR_ENOMEM;
  if (!RESERVE(nf, words_bytes, nf->words_bytes_len + n)) return LECTOR_ENOMEM;
  if (list == LECTOR_NAMES_ABBREVIATIONS && !RESERVE(nf, abbrev, nf->nabbrev + 1))
    return LECTOR_ENOMEM;
  uint32_t off = (uint32_t)nf->words_bytes_len;
  memcpy(nf->words_bytes + off, w, n);
  nf->words_bytes_len += n;
  if (list == LECTOR_NAMES_ABBREVIATIONS) {
    if (nf->nabbrev == 0) nf->abbrev_letters = 1;
    for (size_t i = 0; i < n; i++) nf->abbrev_letters &= is_ascii_letter((unsigned char)w[i]);
    nf->abbrev[nf->nabbrev++] = (span32){off, off + (uint32_t)n};
  }
  if (in_list(nf, list, w, n)) return LECTOR_OK;
  table_put(&nf->words, (str_slot){hash_bytes(w, n, 0) ^ (uint64_t)list, off, (uint32_t)n,
                                   {0, (uint32_t)list, NO_LABEL}});
  return LECTOR_OK;
}

static int listed_span(const doc *d, lector_names_list list, span32 w) {
  return in_list(d->nf, list, d->text + w.s, w.e - w.s);
}

/* ---- the finder ----------------------------------------------------------- */

/* The index of label name, added when new; NO_LABEL when the table is full
 * or out of memory. */
static uint32_t intern_label(lector_names *nf, const char *name) {
  for (uint32_t k = 0; k < nf->nlabels; k++)
    if (strcmp(nf->label_names[k], name) == 0) return k;
  if (nf->nlabels >= LECTOR_NAMES_MAX_LABELS) return NO_LABEL;
  size_t n = strlen(name) + 1;
  char *copy = nf_realloc(nf, NULL, 0, n);
  if (!copy) return NO_LABEL;
  memcpy(copy, name, n);
  nf->label_names[nf->nlabels] = copy;
  return nf->nlabels++;
}

lector_names *lector_names_new(const lector_lexicon *gazetteer, lector_names_alloc alloc,
                               void *ud) {
  if (!alloc) alloc = lector_default_alloc;
  lector_names *nf = alloc(ud, NULL, 0, sizeof *nf);
  if (!nf) return NULL;
  memset(nf, 0, sizeof *nf);
  nf->alloc = alloc;
  nf->ud = ud;
  nf->gaz = gazetteer;
  for (int k = 0; k < L_RULE_COUNT; k++) {
    if (intern_label(nf, RULE_LABELS[k]) == NO_LABEL) {
      lector_names_free(nf);
      return NULL;
    }
  }
  return nf;
}

void lector_names_free(lector_names *nf) {
  if (!nf) return;
  for (uint32_t k = 0; k < nf->nlabels; k++)
    nf_realloc(nf, nf->label_names[k], strlen(nf->label_names[k]) + 1, 0);
#define DROP(field) nf_realloc(nf, nf->field, nf->field##_cap * sizeof *nf->field, 0)
  nf_realloc(nf, nf->words.slots, nf->words.cap * sizeof *nf->words.slots, 0);
  nf_realloc(nf, nf->memo.slots, nf->memo.cap * sizeof *nf->memo.slots, 0);
  DROP(words_bytes);
  DROP(abbrev);
  DROP(memo_bytes);
  DROP(items);
  DROP(caps_count);
  DROP(headline);
  DROP(allcaps);
  DROP(caps_words);
  DROP(caps_runs);
  DROP(found);
  DROP(out);
  DROP(acronyms);
  DROP(map_slots);
  DROP(ints);
#undef DROP
  nf->alloc(nf->ud, nf, sizeof *nf, 0);
}

static int valid_label(const char *label) {
  size_t n = label ? strlen(label) : 0;
  return n > 0 && n <= LECTOR_MAX_NAME_BYTES;
}

lector_status lector_names_add_priority(lector_names *nf, const char *label) {
  if (!valid_label(label) || nf->npriority >= LECTOR_NAMES_MAX_LABELS) return LECTOR_EINVAL;
  uint32_t l = intern_label(nf, label);
  if (l == NO_LABEL)
    return nf->nlabels >= LECTOR_NAMES_MAX_LABELS ? LECTOR_EINVAL : LECTOR_ENOMEM;
  nf->priority[nf->npriority++] = l;
  return LECTOR_OK;
}

lector_status lector_names_add_head(lector_names *nf, const char *head, const char *label) {
  if (!valid_label(head) || !valid_label(label) || nf->nheads >= LECTOR_NAMES_MAX_LABELS)
    return LECTOR_EINVAL;
  uint32_t h = intern_label(nf, head);
  uint32_t l = h == NO_LABEL ? NO_LABEL : intern_label(nf, label);
  if (l == NO_LABEL)
    return nf->nlabels >= LECTOR_NAMES_MAX_LABELS ? LECTOR_EINVAL : LECTOR_ENOMEM;
  nf->head[nf->nheads] = h;
  nf->head_label[nf->nheads++] = l;
  return LECTOR_OK;
}

const char *lector_names_label(const lector_names *nf, uint32_t label) {
  return label < nf->nlabels ? nf->label_names[label] : NULL;
}

/* ---- gazetteer labels ----------------------------------------------------- */

/* The index of a gazetteer label (NO_LABEL: one the finder does not know),
 * remembered by the label's address. */
static uint32_t label_index(lector_names *nf, const char *label) {
  size_t mask = LABEL_CACHE - 1;
  size_t i = (size_t)(lector_mix64((uint64_t)(uintptr_t)label) & mask);
  for (size_t probes = 0; probes < LABEL_CACHE / 2 && nf->label_cache[i].p; probes++) {
    if (nf->label_cache[i].p == label) return nf->label_cache[i].label;
    i = (i + 1) & mask;
  }
  uint32_t found = NO_LABEL;
  for (uint32_t k = 0; k < nf->nlabels && found == NO_LABEL; k++)
    if (strcmp(nf->label_names[k], label) == 0) found = k;
  if (!nf->label_cache[i].p) {
    nf->label_cache[i].p = label;
    nf->label_cache[i].label = found;
  }
  return found;
}

static uint64_t gazetteer_set(lector_names *nf, const char *p, size_t n) {
  uint64_t set = 0;
  for (const lector_lexicon_entry *e = lector_lexicon_get(nf->gaz, p, n); e; e = e->next) {
    uint32_t l = label_index(nf, e->label);
    if (l != NO_LABEL) set |= BIT(l);
  }
  return set;
}

/* Whether a hyphenated word joins month or weekday names only ("May", not
 * a DATEWORD alone because of the verb, is a month here). */
static int month_range(lector_names *nf, const char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    while (i < n && p[i] == '-') i++;
    if (i >= n) break;
    size_t j = i;
    while (j < n && p[j] != '-') j++;
    int dateword = (j - i == 3 && (memcmp(p + i, "May", 3) == 0 || memcmp(p + i, "MAY", 3) == 0)) ||
                   (gazetteer_set(nf, p + i, j - i) & BIT(L_DATEWORD));
    if (!dateword) return 0;
    i = j;
  }
  return 1;
}

static labels_of compute_labels(lector_names *nf, const char *p, size_t n) {
  labels_of ls = {gazetteer_set(nf, p, n), NO_LABEL, NO_LABEL};
  if (!(ls.set & BIT(L_DATEWORD)) && memchr(p, '-', n) && month_range(nf, p, n))
    ls.set |= BIT(L_DATEWORD);              /* "Jan-April", "January-June" */
  for (uint32_t k = 0; k < nf->npriority; k++) {
    if (ls.set & BIT(nf->priority[k])) {
      ls.entity = nf->priority[k];
      break;
    }
  }
  /* the label a head word gives the name it ends, in a fixed order:
   * "League" heads an organization before an event */
  for (uint32_t k = 0; k < nf->nheads; k++) {
    if (ls.set & BIT(nf->head[k])) {
      ls.head = nf->head_label[k];
      break;
    }
  }
  return ls;
}

/* Room for one more phrase of n bytes in the memo: it starts again when
 * full; 0 when out of memory (the phrase is then not remembered). */
static int memo_room(lector_names *nf, size_t n) {
  if (nf->memo.count >= LECTOR_NAMES_MEMO) {
    memset(nf->memo.slots, 0, nf->memo.cap * sizeof *nf->memo.slots);
    nf->memo.count = 0;
    nf->memo_bytes_len = 0;
  }
  return RESERVE(nf, memo_bytes, nf->memo_bytes_len + n) && table_room(nf, &nf->memo, 1024);
}

/* The labels of a phrase, remembered for the finder's life (up to
 * LECTOR_NAMES_MEMO phrases at a time). */
static labels_of labels(lector_names *nf, const char *p, size_t n) {
  if (n == 0) return compute_labels(nf, p, n);
  uint64_t h = hash_bytes(p, n, 0);
  if (nf->memo.cap) {
    size_t mask = nf->memo.cap - 1;
    for (size_t i = h & mask; nf->memo.slots[i].len; i = (i + 1) & mask) {
      const str_slot *s = &nf->memo.slots[i];
      if (s->hash == h && s->len == n && memcmp(nf->memo_bytes + s->off, p, n) == 0) return s->ls;
    }
  }
  labels_of ls = compute_labels(nf, p, n);
  if (n > UINT32_MAX || !memo_room(nf, n)) return ls;
  uint32_t off = (uint32_t)nf->memo_bytes_len;
  memcpy(nf->memo_bytes + off, p, n);
  nf->memo_bytes_len += n;
  table_put(&nf->memo, (str_slot){h, off, (uint32_t)n, ls});
  return ls;
}

/* The labels of the text [s, e) of the document: the rules ask for a
 * word's several times, so the last asked at each start are kept, for
 * this find only (its number tells). */
static labels_of labels_span(const doc *d, uint32_t s, uint32_t e) {
  lector_names *nf = d->nf;
  span_labels *c = &nf->span_cache[s & (SPAN_CACHE - 1)];
  if (c->find == nf->finds && c->s == s && c->e == e) return c->ls;
  labels_of ls = labels(nf, d->text + s, e - s);
  *c = (span_labels){nf->finds, s, e, ls};
  return ls;
}

static labels_of labels_word(const doc *d, const word *w) { return labels_span(d, w->s, w->e); }

static int has(labels_of ls, int label) { return (ls.set & BIT(label)) != 0; }

/* ---- maps ----------------------------------------------------------------- */

/* A map on cap slots (a power of two), cleared when its first key is set:
 * a document's maps that are never written cost nothing. */
static void map_init(map *m, map_slot *slots, size_t cap, int fold) {
  *m = (map){slots, cap, 0, fold, 0};
}

static size_t map_cap_for(size_t n) {
  size_t cap = 16;
  while (cap < 2 * n + 2) cap *= 2;
  return cap;
}

static map_slot *map_find(const map *m, const char *p, size_t n, int tag) {
  uint64_t h = hash_bytes(p, n, m->fold) ^ (uint64_t)(unsigned)tag;
  size_t mask = m->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    map_slot *s = &m->slots[i];
    if (!s->used) return s;
    if (s->len == n && s->tag == tag &&
        (m->fold ? fold_equal(s->p, p, n) : memcmp(s->p, p, n) == 0))
      return s;
  }
}

/* The value of a key, or -1. */
static int map_get(const map *m, const char *p, size_t n, int tag) {
  if (!m->ready) return -1;
  map_slot *s = map_find(m, p, n, tag);
  return s->used ? s->value : -1;
}

/* Set a key; refused (0) when the map is full. */
static int map_set(map *m, const char *p, size_t n, int tag, int value) {
  if (!m->ready) {
    memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->ready = 1;
  }
  map_slot *s = map_find(m, p, n, tag);
  if (!s->used) {
    if ((m->count + 1) * 2 > m->cap) return 0;
    *s = (map_slot){p, (uint32_t)n, tag, value, 1};
    m->count++;
    return 1;
  }
  s->value = value;
  return 1;
}

static int get_span(const doc *d, const map *m, uint32_t s, uint32_t e) {
  return map_get(m, d->text + s, e - s, 0);
}

static void set_span(doc *d, map *m, uint32_t s, uint32_t e, int value) {
  if (!map_set(m, d->text + s, e - s, 0, value)) d->failed = 1;
}

/* ---- scanning ------------------------------------------------------------- */

/* The end of the abbreviation at p and its period ("Mr."), or 0. The
 * abbreviations are an ordered choice: the first of the list that starts
 * at p is the one that must be followed by the period ("Mrs." is not one
 * after "Mr"). */
static size_t abbreviation_end(const doc *d, size_t p) {
  const lector_names *nf = d->nf;
  if (nf->abbrev_letters) {
    /* all letters: the period must end the letters at p */
    size_t q = p;
    while (is_ascii_letter(at(d, q))) q++;
    if (at(d, q) != '.') return 0;
  }
  for (size_t k = 0; k < nf->nabbrev; k++) {
    span32 a = nf->abbrev[k];
    size_t n = a.e - a.s;
    if (!has_prefix(d, p, nf->words_bytes + a.s, n)) continue;
    return at(d, p + n) == '.' && !wordch_len(d, p + n + 1) ? p + n + 1 : 0;
  }
  return 0;
}

/* The forms of a capitalized word that end in a period: "U.S.", "R.",
 * "Mr."; the end, or 0. */
static size_t dotted_end(const doc *d, size_t p) {
  size_t q = p, reps = 0, u;
  while ((u = upper_len(d, q)) && at(d, q + u) == '.') {
    q += u + 1;
    reps++;
  }
  if (reps >= 2) return q;
  u = upper_len(d, p);
  if (u && at(d, p + u) == '.' && !wordch_len(d, p + u + 1)) return p + u + 1;
  return abbreviation_end(d, p);
}

/* The end of the name word at p (a capital there), or 0: "Venezuela",
 * "Su-30", "Peskov" of "Peskov’s", "U.S", "AT&T". */
static size_t name_word_end(const doc *d, size_t p) {
  size_t q = dotted_end(d, p);
  if (q) return q;
  size_t u = upper_len(d, p);
  if (!u) return 0;
  q = p + u;
  for (;;) {
    if (name_tail_at(d, q)) return q;
    size_t n = inner_len(d, q);
    if (!n) return q;
    q += n;
  }
}

static const char *const ARABIC_ARTICLES[] = {"al", "el", "Al", "El", "ad", "as", "ash", "an",
                                              "ar", "at"};

/* The end of a capitalized word at p, tails included, as the title-case
 * test reads one ("al-Assad", "iPhone" too), or 0. */
static size_t capword_end(const doc *d, size_t p) {
  size_t q = dotted_end(d, p);
  if (q) return q;
  size_t u = upper_len(d, p);
  if (u) {
    q = p + u;
  } else {
    for (size_t k = 0; k < sizeof ARABIC_ARTICLES / sizeof *ARABIC_ARTICLES; k++) {
      size_t n = strlen(ARABIC_ARTICLES[k]);
      if (!has_prefix(d, p, ARABIC_ARTICLES[k], n)) continue;
      size_t h = hyphen_len(d, p + n);
      if (h && upper_len(d, p + n + h)) q = p + n + h;
      break;
    }
    if (!q && (at(d, p) == 'i' || at(d, p) == 'e') && upper_len(d, p + 1)) q = p + 1;
    if (!q) return 0;
  }
  size_t n;
  while ((n = inner_len(d, q))) q += n;
  return q;
}

static int is_cap_lead(int c) {
  return is_AZ(c) || c == 0xc3 || c == 0xc4 || c == 0xc5 || c == 0xce || c == 0xd0;
}

static int after_word(const doc *d, size_t p) {
  if (p == 0) return 0;
  int c = (unsigned char)d->text[p - 1];
  return is_ascii_letter(c) || is_digit(c);
}

/* The capitalized words that do not continue another word, nor go on
 * with "$" ("US$"), into nf->items. */
static int scan(doc *d) {
  lector_names *nf = d->nf;
  size_t n = 0;
  for (size_t p = 0; p < d->len;) {
    if (!is_cap_lead((unsigned char)d->text[p]) || after_word(d, p)) {
      p++;
      continue;
    }
    size_t e = name_word_end(d, p);
    if (!e) {
      p++;
      continue;
    }
    if (at(d, e) == '$') {
      /* "US$": every capital inside the word would end there too, before
       * the same "$"; going on after it keeps the scan linear */
      p = e;
      continue;
    }
    if (!RESERVE(nf, items, n + 1)) return 0;
    nf->items[n++] = (item){(uint32_t)p, (uint32_t)e, (uint8_t)name_tail_at(d, e)};
    p = e;
  }
  d->nitems = n;
  return 1;
}

/* ---- sentences and headlines ---------------------------------------------- */

/* The end of the first three lines that are not blank (and the blank ones
 * before them): where a headline can be. */
static size_t top_lines_end(const doc *d) {
  size_t p = 0;
  for (int line = 0;; line++) {
    for (;;) {
      size_t q = p;
      while (at(d, q) == ' ' || at(d, q) == '\t' || at(d, q) == '\r') q++;
      if (at(d, q) != '\n') break;
      p = q + 1;
    }
    if (line == 3 || p >= d->len) return p;
    while (p < d->len && d->text[p] != '\n') p++;
    if (p < d->len) p++;
  }
}

/* The connector at p followed by no letter or digit (its length), or 0. */
static size_t connector_at(const doc *d, size_t p) {
  size_t q = p;
  if (at(d, q) == '&') {
    q++;
  } else {
    while (q - p <= LECTOR_NAMES_MAX_WORD_BYTES && is_az(at(d, q))) q++;
    if (q == p) return 0;
  }
  if (wordch_len(d, q)) return 0;
  return in_list(d->nf, LECTOR_NAMES_CONNECTORS, d->text + p, q - p) ? q - p : 0;
}

/* Whether [s, e) holds a lower-case word other than a connector: a
 * headline in title case has none. */
static int has_lowercase_word(const doc *d, size_t s, size_t e) {
  doc sub = *d;
  sub.len = e;      /* the sentence is the subject: nothing after it is read */
  size_t p = s, n;
  while (p < e) {
    size_t c;
    if ((n = connector_at(&sub, p))) {
      p += n;
    } else if ((c = capword_end(&sub, p))) {
      p = c;
    } else if (is_az(at(&sub, p))) {
      return 1;
    } else if (is_digit(at(&sub, p))) {
      p++;
      while ((n = inner_len(&sub, p))) p += n;
    } else {
      p++;
    }
  }
  return 0;
}

/* A headline in title case: on one of the first three lines, with three
 * capitalized words or more and no other lower-case word (a line of
 * results further down, "5. Isolde Kostner ( Italy ) 1:18.19", has no
 * lower-case word either). */
static int is_headline(doc *d, size_t k) {
  lector_names *nf = d->nf;
  if (nf->headline[k] >= 0) return nf->headline[k];
  uint32_t c = nf->caps_count[k];
  size_t s = d->sent[k].start, e = d->sent[k].stop, len = e - s;
  int h = 0;
  if (c >= 3 && (size_t)c * 12 >= len && len <= 400 && s < d->top)
    h = !has_lowercase_word(d, s, e);
  nf->headline[k] = (int8_t)h;
  return h;
}

/* A sentence written in capitals: no lower-case ASCII letter, two capitals
 * in a row within its first 400 bytes. */
static int is_caps_sentence(doc *d, size_t k) {
  lector_names *nf = d->nf;
  if (nf->allcaps[k] >= 0) return nf->allcaps[k];
  size_t s = d->sent[k].start, e = d->sent[k].stop;
  if (d->next_lower <= s) {
    size_t p = s;
    while (p < d->len && !is_az((unsigned char)d->text[p])) p++;
    d->next_lower = p;
  }
  int c = 0;
  if (d->next_lower >= e) {
    size_t end = e < s + 400 ? e : s + 400;
    for (size_t p = s; p + 1 < end && !c; p++)
      c = is_AZ((unsigned char)d->text[p]) && is_AZ((unsigned char)d->text[p + 1]);
  }
  nf->allcaps[k] = (int8_t)c;
  return c;
}

/* A sports report: a headline of team sport words, "SOCCER - ", on one of
 * the first three lines. Every word read must be a sport word. */
static int sport_head_at(const doc *d, size_t p) {
  while (at(d, p) == ' ' || at(d, p) == '\t') p++;
  for (int first = 1;; first = 0) {
    size_t w = first ? p : skip_spaces(d, p);
    if (!first && w == p) break;
    size_t q = w;
    while (is_AZ(at(d, q))) q++;
    if (q - w < 2) {
      if (first) return 0;
      break;
    }
    if (!in_list(d->nf, LECTOR_NAMES_SPORT_WORDS, d->text + w, q - w)) return 0;
    p = q;
  }
  return at(d, skip_spaces(d, p)) == '-';
}

static size_t next_line(const doc *d, size_t p) {
  while (p < d->len && d->text[p] != '\n') p++;
  return p < d->len ? p + 1 : 0;
}

static int is_sports_report(const doc *d) {
  if (sport_head_at(d, 0)) return 1;
  size_t p = next_line(d, 0);
  if (!p) return 0;
  if (sport_head_at(d, p)) return 1;
  p = next_line(d, p);
  return p && sport_head_at(d, p);
}

/* ---- the words around a name ---------------------------------------------- */

static int back_letter(int c) { return is_ascii_letter(c) || c == '\'' || c == 226 || c == 128 || c == 153; }
static int back_blank(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* The word (letters, apostrophes) just before offset ws and blanks,
 * looking back at most 24 bytes; 0 when punctuation is there. */
static int prev_word(const doc *d, size_t ws, span32 *w) {
  if (ws < 2) return 0;
  int b = (unsigned char)d->text[ws - 1];
  if (b == ' ') {
    /* one space: a word needs a letter or an apostrophe just before it */
    int b2 = (unsigned char)d->text[ws - 2];
    if (!(is_ascii_letter(b2) || b2 == '\'' || b2 == 153)) return 0;
  } else if (!(b >= '\t' && b <= '\r')) {
    return 0;
  }
  size_t from = ws > 24 ? ws - 23 : 1;     /* 1-based, as the bytes are counted back */
  size_t k = ws;
  while (k >= from && back_blank((unsigned char)d->text[k - 1])) k--;
  size_t last = k;
  while (k >= from && back_letter((unsigned char)d->text[k - 1])) k--;
  if (k == last) return 0;
  *w = (span32){(uint32_t)k, (uint32_t)last};
  return 1;
}

/* The word before offset pos, lower-cased into buf (at most 24 bytes). */
static int word_before(const doc *d, size_t pos, char *buf, size_t *n, span32 *w) {
  if (!prev_word(d, pos, w)) return 0;
  *n = w->e - w->s;
  for (size_t i = 0; i < *n; i++) buf[i] = (char)lower_ascii((unsigned char)d->text[w->s + i]);
  return 1;
}

/* Whether the word at s is after an opening quote, a bracket or a colon
 * and blanks, within the 4 bytes before it ("said: “We"). */
static int opener_before(const doc *d, size_t s) {
  size_t low = s > 4 ? s - 3 : 1;
  size_t k = s;
  while (k >= low) {
    int b = (unsigned char)d->text[k - 1];
    if (b == '"' || b == '(' || b == ':') return 1;
    if (b == 156 && k >= 3 && (unsigned char)d->text[k - 2] == 128 &&
        (unsigned char)d->text[k - 3] == 226)
      return k - 2 >= low;
    int nbsp = b == 160 && k >= 2 && (unsigned char)d->text[k - 2] == 194;
    if (!(b == ' ' || b == '\t' || b == '\n' || nbsp)) return 0;
    k -= nbsp ? 2 : 1;
  }
  return 0;
}

static int not_word_boundary(int b) {
  return is_ascii_letter(b) || b >= 128 || is_digit(b);
}

/* The next occurrence of the n bytes of p (lower-cased with lower) in
 * the text from `from`, or -1. */
/* What the searches of seen_lowercase and seen_inside may read in one find. */
static size_t search_budget(size_t len) {
  size_t per = LECTOR_NAMES_SEARCH_PER_BYTE;
  return len > (SIZE_MAX - LECTOR_NAMES_SEARCH_SLACK) / per ? SIZE_MAX
                                                           : per * len + LECTOR_NAMES_SEARCH_SLACK;
}

/* The first place of p (n bytes) in the text's bytes [from, stop), or -1;
 * with lower, p matches its lower-case form. */
static long find_within(const doc *d, size_t from, size_t stop, const char *p, size_t n,
                        int lower) {
  if (n == 0 || n > stop) return -1;
  int first = lower ? lower_ascii((unsigned char)p[0]) : (unsigned char)p[0];
  for (size_t i = from; i + n <= stop;) {
    const char *c = memchr(d->text + i, first, stop - n + 1 - i);
    if (!c) return -1;
    i = (size_t)(c - d->text);
    size_t j = 1;
    if (lower) {
      while (j < n && (unsigned char)c[j] == lower_ascii((unsigned char)p[j])) j++;
    } else {
      j = memcmp(c, p, n) == 0 ? n : 0;
    }
    if (j == n) return (long)i;
    i++;
  }
  return -1;
}

/* find_within the whole text from `from`, reading at most d->search_left
 * bytes, which it uses up: once they are spent nothing more is found, so
 * the searches of one find read at most LECTOR_NAMES_SEARCH_PER_BYTE times
 * the text (a text of many different capitalized words would otherwise
 * be read once for each). */
static long find_bytes(doc *d, size_t from, const char *p, size_t n, int lower) {
  if (from > d->len) return -1;
  size_t room = d->len - from;
  size_t stop = room > d->search_left ? from + d->search_left : d->len;
  long found = find_within(d, from, stop, p, n, lower);
  size_t read = found < 0 ? stop - from : (size_t)found + n - from;
  d->search_left = found < 0 && stop < d->len ? 0 : d->search_left - read;
  return found;
}

/* Is the lower-case form of a word used in the document? ("Military" at a
 * sentence start is common when "military" appears elsewhere.) */
static int seen_lowercase(doc *d, span32 w) {
  size_t n = w.e - w.s;
  const char *p = d->text + w.s;
  int same = 1;
  for (size_t i = 0; i < n; i++) same &= !is_AZ((unsigned char)p[i]);
  if (same) return 0;
  int cached = map_get(&d->lower_seen, p, n, 0);
  if (cached >= 0) return cached;
  int found = 0;
  size_t from = 0;
  for (int tries = 0; tries < 32 && !found; tries++) {
    long s = find_bytes(d, from, p, n, 1);
    if (s < 0) break;
    int before = s > 0 ? (unsigned char)d->text[s - 1] : ' ';
    int after = (size_t)s + n < d->len ? (unsigned char)d->text[s + n] : ' ';
    found = !not_word_boundary(before) && !not_word_boundary(after);
    from = (size_t)s + n;
  }
  if (!map_set(&d->lower_seen, p, n, 0, found)) d->failed = 1;
  return found;
}

/* Is a word capitalized elsewhere in the document after another word of
 * its sentence ("Lebed said" at a sentence start, "met Lebed" later)? */
static int seen_inside(doc *d, span32 w) {
  size_t n = w.e - w.s;
  const char *p = d->text + w.s;
  int cached = map_get(&d->inside_seen, p, n, 0);
  if (cached >= 0) return cached;
  int found = 0;
  size_t from = 0;
  for (int tries = 0; tries < 32 && !found; tries++) {
    long s = find_bytes(d, from, p, n, 0);
    if (s < 0) break;
    if (s > 1) {
      int b = (unsigned char)d->text[s - 2];
      int sp = (unsigned char)d->text[s - 1];
      found = (is_az(b) || is_digit(b) || b == ',' || b == ';') && (sp == ' ' || sp == '\t') &&
              !wordch_len(d, (size_t)s + n);
    }
    from = (size_t)s + n;
  }
  if (!map_set(&d->inside_seen, p, n, 0, found)) d->failed = 1;
  return found;
}

/* A date or number after a word: "BRUSSELS 1996-08-22". */
static int dateline_after(const doc *d, uint32_t e) {
  size_t p = skip_blanks(d, e);
  if (at(d, p) == ',') p = skip_blanks(d, p + 1);
  return is_digit(at(d, p));
}

/* The word after a run: "said" in "Peskov said" (*w), or a comma and
 * "who" (returns 2); 0 when neither. */
static int word_after(const doc *d, size_t p, span32 *w) {
  size_t q = skip_spaces(d, p);
  if (at(d, q) == '\n') q = skip_spaces(d, q + 1);
  size_t s = q;
  for (;;) {
    if (is_ascii_letter(at(d, q)) || at(d, q) == '\'') q++;
    else if (at(d, q) == 0xe2 && at(d, q + 1) == 0x80 && at(d, q + 2) == 0x99) q += 3;
    else break;
  }
  if (q > s) {
    *w = (span32){(uint32_t)s, (uint32_t)q};
    return 1;
  }
  q = skip_spaces(d, p);
  if (at(d, q) != ',') return 0;
  q = skip_spaces(d, q + 1);
  /* "who" is tried first and alone: "whose" never reads as one */
  return has_prefix(d, q, "who", 3) && !wordch_len(d, q + 3) ? 2 : 0;
}

static int ends_with(const char *p, size_t n, const char *suffix, size_t min_len) {
  size_t k = strlen(suffix);
  return n >= min_len && n > k && memcmp(p + n - k, suffix, k) == 0;
}

/* A lone sentence-initial word that reads as a verb form or an adverb:
 * "Concerning", "Edited", "Reportedly" (not "Ahmed", "Mohammed", "Lebed"). */
static int verb_like(const char *p, size_t n) {
  return ends_with(p, n, "ing", 5) || ends_with(p, n, "ly", 4) ||
         (ends_with(p, n, "ed", 6) && !ends_with(p, n, "med", 4) && !ends_with(p, n, "bed", 4));
}

/* No lower-case ASCII letter and two capitals in a row: "UNODC", not "U.S.". */
static int is_all_caps(const char *p, size_t n) {
  int pair = 0;
  for (size_t i = 0; i < n; i++) {
    if (is_az((unsigned char)p[i])) return 0;
    if (i + 1 < n && is_AZ((unsigned char)p[i]) && is_AZ((unsigned char)p[i + 1])) pair = 1;
  }
  return pair;
}

/* An initial: "R." */
static int is_initial(const char *p, size_t n) {
  return n == 2 && is_AZ((unsigned char)p[0]) && p[1] == '.';
}

/* A model's name: "Su-30", "Il-76", "Kh-31A", "S-300VM", "F-16", "MK2". */
static int model_like(const char *p, size_t n) {
#define C(i) ((i) < n ? (unsigned char)p[i] : -1)
  if (!is_AZ(C(0))) return 0;
  size_t q = 1;
  if (is_ascii_letter(C(q))) {
    q++;
    if (is_ascii_letter(C(q))) q++;
    if (C(q) == '-') q++;
    if (is_digit(C(q))) return 1;
  }
  q = 1;
  if (C(q) == '-') q++;
  if (is_digit(C(q))) return 1;
  q = 1;
  while (is_ascii_letter(C(q))) q++;
  if (C(q) == '-') {
    size_t r = q + 1;
    if (is_AZ(C(r))) r++;
    if (is_digit(C(r))) return 1;
  }
  q = 1;
  if (!is_az(C(q))) return 0;
  while (is_az(C(q))) q++;
  return C(q) == '-' && is_AZ(C(q + 1)) && q + 2 == n;
#undef C
}

/* ---- the analysis of a run ------------------------------------------------ */

/* What is around a run: the word before it (lower-cased), whether that
 * word is a place preposition or a title, whether the run is a dateline's
 * place; the word after it and whether it says the run is a speaker. */
typedef struct context_before {
  int place, title, dateline, has_word;
  char word[32];
  size_t word_len;
} context_before;

typedef struct context_after {
  int speech, has_word;
} context_after;

static const char *word_text(const doc *d, const word *w) { return d->text + w->s; }
static size_t word_len(const word *w) { return w->e - w->s; }

static int word_is(const doc *d, const word *w, const char *s) {
  size_t n = strlen(s);
  return word_len(w) == n && memcmp(word_text(d, w), s, n) == 0;
}

static int word_listed(const doc *d, lector_names_list list, const word *w) {
  return in_list(d->nf, list, word_text(d, w), word_len(w));
}

/* Add a mention of words[i..j]; its index. */
static int emit(doc *d, const word *w, size_t i, size_t j, uint32_t label, int evidence) {
  lector_names *nf = d->nf;
  int nwords = 0;
  for (size_t k = i; k <= j; k++) nwords += !w[k].conn;
  mention *m = &nf->found[d->nfound];
  *m = (mention){.start = w[i].s, .stop = w[j].e, .first = {w[i].s, w[i].e},
                 .last = {w[j].s, w[j].e}, .label = label, .evidence = evidence,
                 .nwords = nwords, .link = -1};
  return (int)d->nfound++;
}

/* The head label of a word (ORG for "Ministry", "Inc", ...), or NO_LABEL. */
static uint32_t head_of(const doc *d, const word *w) { return labels_word(d, w).head; }

/* The longest gazetteer entity starting at word i, not past word last:
 * its last word (-1: none), its label, and whether it is a weak place. */
static long gazetteer_at(const doc *d, const word *w, size_t i, size_t last, uint32_t *label,
                         int *weak) {
  size_t top = i;
  if (has(labels_word(d, &w[i]), L_FIRST)) top = i + 8 < last ? i + 8 : last;
  for (size_t j = top + 1; j-- > i;) {
    if (w[j].conn) continue;
    labels_of ls = labels_span(d, w[i].s, w[j].e);
    *weak = 0;
    if (ls.entity != NO_LABEL) {
      *label = ls.entity;
      return (long)j;
    }
    if (has(ls, L_GPE_WEAK)) {
      *label = L_GPE;
      *weak = 1;
      return (long)j;
    }
  }
  return -1;
}

/* Is word i a title ("President", "Minister", "Gen.")? The index after
 * the title chain (TITLEMOD* TITLE (of|for TITLEMOD+)?), or -1. */
static long title_chain(const doc *d, const word *w, size_t i, size_t n) {
  size_t k = i;
  while (k < n && !w[k].conn) {
    labels_of ls = labels_word(d, &w[k]);
    if (!has(ls, L_TITLEMOD) || has(ls, L_TITLE)) break;
    k++;
  }
  if (k >= n || w[k].conn) return -1;
  if (!has(labels_word(d, &w[k]), L_TITLE)) return -1;
  k++;
  /* "Secretary of State", "High Commissioner for Human Rights" */
  if (k + 1 < n && w[k].conn && (word_is(d, &w[k], "of") || word_is(d, &w[k], "for"))) {
    size_t j = k + 1;
    while (j < n && !w[j].conn && has(labels_word(d, &w[j]), L_TITLEMOD)) j++;
    if (j > k + 1) k = j;
  }
  return (long)k;
}

/* A person's name starting at word i: the index of its last word. Name
 * words are capitalized words that are not titles or heads; particles
 * (de, van, bin, ...) may join them. */
static size_t person_extent(const doc *d, const word *w, size_t i, size_t n) {
  size_t j = i, k = i + 1;
  while (k < n) {
    if (w[k].conn) {
      if (!word_listed(d, LECTOR_NAMES_NAME_PARTICLE, &w[k])) break;
      /* a particle needs a name after it */
      size_t k2 = k;
      while (k2 < n && w[k2].conn && word_listed(d, LECTOR_NAMES_NAME_PARTICLE, &w[k2])) k2++;
      if (k2 >= n || w[k2].conn) break;
      k = k2;
      continue;
    }
    labels_of ls = labels_word(d, &w[k]);
    if (has(ls, L_TITLE) || has(ls, L_ORGHEAD)) break;
    /* after an initial comes a surname, whatever else the word names ("B. Lara") */
    if (!is_initial(word_text(d, &w[j]), word_len(&w[j])) || has(ls, L_COUNTRY) ||
        has(ls, L_NORP)) {
      if (has(ls, L_COMMON) && !has(ls, L_GIVEN) && !has(ls, L_LAST)) break;
      if ((has(ls, L_GPE) || has(ls, L_NORP) || has(ls, L_ORG)) &&
          !(has(ls, L_LAST) || has(ls, L_GIVEN) || has(ls, L_PERSON)))
        break;
    }
    j = k++;
  }
  return j;
}

/* The label of the words i..j of an unknown capitalized sequence by its
 * heads ("Foreign Ministry", "University of X", "Gulf of Mexico"), or
 * NO_LABEL. */
static uint32_t head_label(const doc *d, const word *w, size_t i, size_t j) {
  uint32_t last = head_of(d, &w[j]);
  if (last != NO_LABEL &&
      (j > i || (last == L_ORG && is_all_caps(word_text(d, &w[j]), word_len(&w[j])))))
    return last;
  for (size_t k = i; k < j; k++) {
    const word *c = &w[k + 1];
    if (c->conn && (word_is(d, c, "of") || word_is(d, c, "for") || word_is(d, c, "on"))) {
      uint32_t h = head_of(d, &w[k]);
      if (h != NO_LABEL) return h;
    }
  }
  return NO_LABEL;
}

/* Whether the connector k of a run belongs to a name: "Bank of England",
 * "Office on Drugs and Crime", "de la", not "Russia and China". */
static int keeps_connector(const doc *d, const word *w, size_t k) {
  const word *c = &w[k], *left = &w[k - 1];
  if (word_is(d, c, "&")) return 1;
  int particle = word_listed(d, LECTOR_NAMES_NAME_PARTICLE, c);
  int the = word_is(d, c, "the");
  /* particles come in pairs ("von der", "de la"); other connectors follow a name word */
  if (left->conn && !the && !(particle && word_listed(d, LECTOR_NAMES_NAME_PARTICLE, left)))
    return 0;
  if (particle) return 1;
  if (the) return word_is(d, left, "of");
  /* of / for / on / and / upon: inside organization and place names only */
  if (head_of(d, left) != NO_LABEL) return 1;
  if (word_is(d, c, "and")) {
    /* "Office on Drugs and Crime": an "and" after a connector-joined part */
    for (size_t j = k - 1; j-- > 0;)
      if (w[j].conn) return !word_is(d, &w[j], "and") && w[j].keep;
    return 0;
  }
  if (word_is(d, c, "of") || word_is(d, c, "for")) {
    labels_of ls = labels_word(d, left);
    if (has(ls, L_TITLE) || has(ls, L_TITLEMOD)) return 1;
  }
  return 0;
}

/* The words k.. of a name of products: models after a maker ("Sukhoi
 * Su-30"), or models and products; the index of the last. */
static size_t products_end(const doc *d, const word *w, size_t e, size_t n, int products) {
  while (e + 1 < n && !w[e + 1].conn &&
         (model_like(word_text(d, &w[e + 1]), word_len(&w[e + 1])) ||
          (products && has(labels_word(d, &w[e + 1]), L_PRODUCT))))
    e++;
  return e;
}

/* A gazetteer entry at i..j; it may head a longer name ("Russian Foreign
 * Ministry"): the last word of that name and its label, or -1. */
static long extended_by_head(const doc *d, const word *w, size_t j, size_t n, uint32_t *label) {
  for (size_t e = n; e-- > j + 1;) {
    if (w[e].conn) continue;
    uint32_t h = head_of(d, &w[e]);
    if (h == NO_LABEL || h == L_GPE) continue;
    int ok = 1;
    for (size_t q = j + 1; q <= e && ok; q++)
      ok = w[q].conn || !has(labels_word(d, &w[q]), L_TITLE);
    if (ok) {
      *label = h;
      return (long)e;
    }
  }
  return -1;
}

/* An unknown sequence from word i up to the next title or gazetteer
 * entry: its last word. */
static size_t unknown_end(const doc *d, const word *w, size_t i, size_t n) {
  size_t e = i;
  while (e + 1 < n) {
    const word *nx = &w[e + 1];
    if (!nx->conn) {
      if (title_chain(d, w, e + 1, n) >= 0) break;
      labels_of nls = labels_word(d, nx);
      /* "Mushtaq Ahmed": an unknown word and a given name are one name */
      if ((has(nls, L_GIVEN) && e > i) || has(nls, L_SHIP) || has(nls, L_DATEWORD)) break;
      uint32_t glabel;
      int weak;
      long gj = gazetteer_at(d, w, e + 1, n - 1, &glabel, &weak);
      /* "Washington Post": a place followed by a head stays in */
      if (gj >= 0 && (glabel != L_GPE || (size_t)gj + 1 < n) &&
          head_label(d, w, i, (size_t)gj) == NO_LABEL)
        break;
    }
    e++;
  }
  while (e > i && w[e].conn) e--;
  return e;
}

/* The unknown sequence i..e: labelled by its heads, else a mention whose
 * label the document decides, with what its context says. */
static void emit_unknown(doc *d, const word *w, size_t i, size_t e, size_t n,
                         const context_before *before, const context_after *after) {
  size_t tlen = word_len(&w[i]);
  if (e == i && tlen == 1) return;  /* "I", a grade "C", a compass "N": no name */
  uint32_t h = head_label(d, w, i, e);
  if (h != NO_LABEL) {
    emit(d, w, i, e, h, 2);
    return;
  }
  int dateline = before && before->dateline && i == 0;
  mention *m = &d->nf->found[emit(d, w, i, e, dateline ? L_GPE : NO_LABEL, 1)];
  if (!dateline) m->evidence = 0;
  m->before_place = before && before->place && i == 0;
  m->after_speech =
      (after && after->speech && e == n - 1) ||
      (before && before->has_word &&
       in_list(d->nf, LECTOR_NAMES_SPEAKS_BEFORE, before->word, before->word_len) && i == 0 &&
       e == n - 1 && after && !after->has_word);
  m->acronym = e == i && is_all_caps(word_text(d, &w[i]), tlen) && tlen <= 6;
}

/* A gazetteer entry at i..j with its label: it may head a longer name
 * ("Russian Foreign Ministry"), or be a given name that is also a place
 * before a surname ("Victoria Nuland"). The index after what is emitted. */
static size_t emit_gazetteer_entry(doc *d, const word *w, size_t i, size_t j, size_t n,
                                   uint32_t label, int weak, int *person_next) {
  uint32_t ext;
  long k = extended_by_head(d, w, j, n, &ext);
  if (k >= 0) {
    emit(d, w, i, (size_t)k, ext, 2);
    return (size_t)k + 1;
  }
  labels_of ls = labels_word(d, &w[i]);
  labels_of next = i + 1 < n ? labels_word(d, &w[i + 1]) : ls;
  if ((has(ls, L_GIVEN) || *person_next) && label != L_PERSON && j == i && i + 1 < n &&
      !w[i + 1].conn && next.entity == NO_LABEL && !has(next, L_ORGHEAD)) {
    size_t e = person_extent(d, w, i, n);
    emit(d, w, i, e, L_PERSON, 2);
    *person_next = 0;
    return e + 1;
  }
  emit(d, w, i, j, label, label == L_PERSON ? 4 : weak ? 1 : 3);
  return j + 1;
}

/* A person's name opening at i (a given name, a surname, an initial, or
 * after a title), unless its head makes it something else; its last word. */
static size_t emit_person(doc *d, const word *w, size_t i, size_t n, int person_next) {
  size_t e = person_extent(d, w, i, n);
  uint32_t h = e > i ? head_label(d, w, i, e) : NO_LABEL;
  if (h != NO_LABEL && h != L_GPE) {
    emit(d, w, i, e, h, 2);
    return e;
  }
  int given = has(labels_word(d, &w[i]), L_GIVEN);
  emit(d, w, i, e, L_PERSON, person_next || (given && e > i) ? 3 : 2);
  return e;
}

/* Analyse one part of a run: gazetteer matches, titles, person names, heads. */
static void analyse_part(doc *d, const word *w, size_t n, const context_before *before,
                         const context_after *after) {
  size_t i = 0;
  int person_next = before && before->title;
  while (i < n) {
    if (w[i].conn) {
      i++;     /* a connector left over after a date word ("West Bank on Thursday") */
      continue;
    }
    const char *t = word_text(d, &w[i]);
    size_t tlen = word_len(&w[i]);
    labels_of ls = labels_word(d, &w[i]);
    long chain = title_chain(d, w, i, n);
    uint32_t label = NO_LABEL;
    int weak = 0;
    long j = gazetteer_at(d, w, i, n - 1, &label, &weak);
    if (chain >= 0 && !(j >= 0 && j >= chain)) {
      /* a title: the name after it is a person */
      person_next = 1;
      i = (size_t)chain;
    } else if (has(ls, L_SHIP) && i + 1 < n) {
      /* "USS Gerald R. Ford": the ship is a product, never a person */
      emit(d, w, i, n - 1, L_PRODUCT, 3);
      return;
    } else if (has(ls, L_MAKER) && i + 1 < n &&
               (model_like(word_text(d, &w[i + 1]), word_len(&w[i + 1])) ||
                has(labels_word(d, &w[i + 1]), L_PRODUCT))) {
      size_t e = products_end(d, w, i + 1, n, 0);
      emit(d, w, i, e, L_PRODUCT, 3);
      i = e + 1;
    } else if (has(ls, L_DATEWORD)) {
      i++;
    } else if (j >= 0 && !(label == L_GPE && weak && person_next)) {
      i = emit_gazetteer_entry(d, w, i, (size_t)j, n, label, weak, &person_next);
    } else if (has(ls, L_GIVEN) || person_next || has(ls, L_LAST) || is_initial(t, tlen)) {
      i = emit_person(d, w, i, n, person_next) + 1;
      person_next = 0;
    } else if (has(ls, L_PRODUCT) || model_like(t, tlen)) {
      size_t e = products_end(d, w, i, n, 1);
      emit(d, w, i, e, L_PRODUCT, 2);
      i = e + 1;
    } else {
      size_t e = unknown_end(d, w, i, n);
      emit_unknown(d, w, i, e, n, before, after);
      i = e + 1;
    }
  }
}

/* Analyse one run of words (capitalized words and connectors of one
 * sentence, with no other word between them): its connectors split it
 * where they do not belong to a name ("Russia and China"). */
static void analyse_run(doc *d, word *w, size_t n, const context_before *before,
                        const context_after *after) {
  while (n > 0 && w[n - 1].conn) n--;
  size_t first = 0;
  while (first < n && w[first].conn) first++;
  if (first >= n) return;
  w += first;
  n -= first;
  span32 parts[LECTOR_NAMES_MAX_RUN * 2];
  size_t nparts = 0, start = 0;
  for (size_t k = 0; k < n; k++) {
    if (!w[k].conn) continue;
    if (keeps_connector(d, w, k)) {
      w[k].keep = 1;
      continue;
    }
    if (k > start) parts[nparts++] = (span32){(uint32_t)start, (uint32_t)k};
    start = k + 1;
  }
  if (n > start) parts[nparts++] = (span32){(uint32_t)start, (uint32_t)n};
  for (size_t p = 0; p < nparts; p++) {
    /* a part may end in a dangling connector ("Bank of" before a split) */
    size_t e = parts[p].e;
    while (e > parts[p].s && w[e - 1].conn) e--;
    if (e > parts[p].s)
      analyse_part(d, w + parts[p].s, e - parts[p].s, p == 0 ? before : NULL,
                   p == nparts - 1 ? after : NULL);
  }
}

/* ---- runs ----------------------------------------------------------------- */

/* The run being gathered. */
typedef struct run {
  word w[LECTOR_NAMES_MAX_RUN + 4];
  size_t n;
} run;

/* The context of a run from the words around it. */
static void read_context(doc *d, const run *r, context_before *before, context_after *after) {
  memset(before, 0, sizeof *before);
  memset(after, 0, sizeof *after);
  span32 pw;
  if (prev_word(d, r->w[0].s, &pw)) {
    size_t n = pw.e - pw.s;
    int lowered = 1;
    for (size_t k = 0; k < n; k++) {
      int c = (unsigned char)d->text[pw.s + k];
      before->word[k] = (char)lower_ascii(c);
      lowered &= !is_AZ(c);
    }
    before->word_len = n;
    before->has_word = 1;
    before->place = in_list(d->nf, LECTOR_NAMES_PLACE_PREP, before->word, n);
    if (lowered) before->title = has(labels(d->nf, before->word, n), L_TITLE);
  }
  span32 nw;
  int got = word_after(d, r->w[r->n - 1].e, &nw);
  if (got == 2) {
    after->speech = 1;
  } else if (got) {
    after->has_word = 1;
    after->speech = listed_span(d, LECTOR_NAMES_SPEAKS, nw);
  }
}

/* Keep a run of a headline in capitals for the end of the document. */
static void keep_caps_run(doc *d, const run *r) {
  lector_names *nf = d->nf;
  caps_run *c = &nf->caps_runs[d->ncaps_runs++];
  c->first = (uint32_t)d->ncaps_words;
  c->n = (uint32_t)r->n;
  c->initial = r->w[0].initial;
  memcpy(nf->caps_words + d->ncaps_words, r->w, r->n * sizeof *r->w);
  d->ncaps_words += r->n;
}

/* Whether a sentence's first word, not at the sentence's start, is an
 * ordinary word: "The", "Military". */
static int drops_common(const doc *d, const run *r) {
  labels_of ls = labels_word(d, &r->w[0]);
  if (!has(ls, L_COMMON) || ls.entity != NO_LABEL || has(ls, L_TITLE) || has(ls, L_GIVEN) ||
      has(ls, L_DATEWORD))
    return 0;
  if (r->n == 1) return 1;
  uint32_t label;
  int weak;
  return head_label(d, r->w, 0, r->n - 1) == NO_LABEL &&
         gazetteer_at(d, r->w, 0, r->n - 1, &label, &weak) < 0;
}

/* Whether the first word of a sentence is an ordinary word capitalized for
 * its place: "New Zealand" stays, "Military" (used in lower case
 * elsewhere) and a lone "Concerning" go. */
static int drops_initial(doc *d, const run *r, const context_after *after) {
  const word *first = &r->w[0];
  labels_of ls = labels_word(d, first);
  uint32_t label;
  int weak;
  if (has(ls, L_TITLE) || has(ls, L_DATEWORD)) return 0;
  if (ls.entity != NO_LABEL && !(has(ls, L_COMMON) && r->n == 1)) return 0;
  if (has(ls, L_COMMON))
    /* "New Zealand", "New York": a common word opening a known name stays */
    return !(has(ls, L_GIVEN) && r->n > 1 && !r->w[1].conn) &&
           !(r->n > 1 && gazetteer_at(d, r->w, 0, r->n - 1, &label, &weak) >= 0);
  if (has(ls, L_GIVEN) || has(ls, L_LAST) || has(ls, L_SHIP) || has(ls, L_MAKER)) return 0;
  span32 t = {first->s, first->e};
  if (seen_lowercase(d, t)) return 1;
  return r->n == 1 &&
         ((has(ls, L_FREQ) && !after->speech) || verb_like(word_text(d, first), word_len(first))) &&
         !seen_inside(d, t);
}

/* Analyse the run gathered (or keep it, in a headline in capitals). */
static void analyse_gathered(doc *d, run *r) {
  size_t k = r->w[0].sentence;
  context_before before;
  context_after after;
  read_context(d, r, &before, &after);
  if (is_caps_sentence(d, k) || is_headline(d, k)) {
    keep_caps_run(d, r);
    return;
  }
  word *w = r->w;
  int initial = w[0].initial;
  if (initial ? drops_initial(d, r, &after) : drops_common(d, r)) {
    if (r->n == 1) return;
    memset(&before, 0, sizeof before);
    analyse_run(d, w + 1, r->n - 1, &before, &after);
    return;
  }
  if (initial && w[0].s == d->sent[k].start && dateline_after(d, w[r->n - 1].e))
    before.dateline = 1;
  analyse_run(d, w, r->n, &before, &after);
}

static void flush(doc *d, run *r) {
  if (r->n == 0) return;
  analyse_gathered(d, r);
  r->n = 0;
}

/* The first word of a sentence: nothing but punctuation before it, or an
 * opening quote or a colon ("said: “We"). */
static int starts_sentence(const doc *d, size_t sentence_start, size_t s, int sentence_first) {
  if (sentence_first) {
    size_t p = sentence_start;
    while (p < d->len && !wordch_len(d, p)) p++;
    if (p == s) return 1;
  }
  return opener_before(d, s);
}

/* The text between two capitalized words that keeps them in one run:
 * white space, or connectors ("of", "of the", "de la", "&") between
 * single spaces, added to the run. 0: the run ends there. */
static int join_gap(doc *d, run *r, size_t from, size_t to, uint32_t sentence) {
  const char *g = d->text + from;
  size_t n = to - from;
  if (n >= 3 && g[0] == ' ' && g[n - 1] == ' ') {
    const char *sp = memchr(g + 1, ' ', n - 2);
    size_t a = sp ? (size_t)(sp - g) : n - 1;
    int ok = a > 1 && in_list(d->nf, LECTOR_NAMES_CONNECTORS, g + 1, a - 1);
    if (ok && sp) ok = a + 1 < n - 1 && in_list(d->nf, LECTOR_NAMES_CONNECTOR_PAIRS, g + a + 1, n - 2 - a);
    if (ok) {
      r->w[r->n++] = (word){(uint32_t)from + 1, (uint32_t)(from + a), sentence, 1, 0, 0};
      if (sp) r->w[r->n++] = (word){(uint32_t)(from + a + 1), (uint32_t)(to - 1), sentence, 1, 0, 0};
      return 1;
    }
  }
  for (size_t p = from; p < to;) {
    size_t sn;
    if (d->text[p] == '\n') p++;
    else if (is_space_at(d, p, &sn) && p + sn <= to) p += sn;
    else return 0;
  }
  return n > 0;
}

/* Break the capitalized words of the document into runs and analyse them. */
static void collect_runs(doc *d) {
  lector_names *nf = d->nf;
  size_t si = 0, ns = d->ns;
  run r = {.n = 0};
  size_t prev_stop = 0;
  int sentence_first = 1;
  for (size_t i = 0; i < d->nitems; i++) {
    uint32_t s = nf->items[i].s, e = nf->items[i].e;
    if (si + 1 < ns && s >= d->sent[si + 1].start) {
      flush(d, &r);
      while (si + 1 < ns && s >= d->sent[si + 1].start) si++;
      sentence_first = 1;
    }
    size_t nrun = r.n;
    if (nrun > 0) {
      size_t gap = s - prev_stop;
      if (gap == 1 && d->text[s - 1] == ' ') {
        /* one space: the common case */
      } else if (s <= prev_stop || gap > 12) {
        flush(d, &r);
      } else if (!join_gap(d, &r, prev_stop, s, (uint32_t)si)) {
        flush(d, &r);
      }
    }
    prev_stop = e;
    word w = {s, e, (uint32_t)si, 0, 0, 0};
    /* "al-Assad": the article belongs to the name */
    if (s >= 3 && d->text[s - 1] == '-' && d->text[s - 2] == 'l') {
      int a = (unsigned char)d->text[s - 3];
      if ((a == 'a' || a == 'e' || a == 'A' || a == 'E') &&
          (s == 3 || !wordch_len(d, s - 4)))
        w.s = s - 3;
    }
    if (nrun == 0) w.initial = (uint8_t)starts_sentence(d, d->sent[si].start, s, sentence_first);
    sentence_first = 0;
    r.w[r.n++] = w;
    /* no name is this long: a longer run is a list or a table */
    if (nf->items[i].cut || r.n >= LECTOR_NAMES_MAX_RUN) flush(d, &r);
  }
  flush(d, &r);
}

/* ---- the document --------------------------------------------------------- */

/* The maps of a find, their slots from the finder's pool. */
enum { MAP_BEST, MAP_PERSONS, MAP_ACRONYMS, MAP_COMPANIES,
       MAP_KNOWN_UPPER, MAP_TEAMS, MAP_ENTITIES, MAP_COUNT };

typedef struct doc_maps {
  map m[MAP_COUNT];
} doc_maps;

static const char *mention_text(const doc *d, const mention *m) { return d->text + m->start; }
static size_t mention_len(const mention *m) { return m->stop - m->start; }

static int is_word_at(const doc *d, size_t p, const char *w) {
  size_t n = strlen(w);
  return has_prefix(d, p, w, n);
}

/* Between two items of a list: ", ", " and ", " or ", ", and " (the gap
 * is the subject: nothing after it is read). */
static int is_list_gap(const doc *d, size_t from, size_t to) {
  doc g = *d;
  g.len = to;
  size_t p = skip_spaces(&g, from);
  if (at(&g, p) == ',') {
    p = skip_spaces(&g, p + 1);
    if (is_word_at(&g, p, "and")) {
      size_t q = skip_spaces(&g, p + 3);
      if (q > p + 3) p = q;
    }
    return p == to;
  }
  if (p == from) return 0;
  if (is_word_at(&g, p, "and")) p += 3;
  else if (is_word_at(&g, p, "or")) p += 2;
  else return 0;
  size_t q = skip_spaces(&g, p);
  return q > p && q == to;
}

static int gap_has(const doc *d, size_t from, size_t to, const char *w) {
  size_t n = strlen(w);
  for (size_t p = from; p + n <= to; p++)
    if (memcmp(d->text + p, w, n) == 0) return 1;
  return 0;
}

/* Whether mention a is listed with b after it. A comma after a place that
 * opens its clause ("In Kenya, Safaricom ...") is no list. */
static int listed(const doc *d, const mention *a, const mention *b) {
  if (a->stop > b->start) return 0;
  if (!is_list_gap(d, a->stop, b->start)) return 0;
  if (gap_has(d, a->stop, b->start, "and") || gap_has(d, a->stop, b->start, "or")) return 1;
  char buf[32];
  size_t n;
  span32 at_word;
  if (!word_before(d, a->start, buf, &n, &at_word)) return 1;
  return !in_list(d->nf, LECTOR_NAMES_PLACE_PREP, buf, n);
}

/* A one-word name labelled by default that is listed with places is a
 * place: "Canada , Kazakstan and Ghana"; in both directions, so that the
 * label goes down a list. */
static void places_in_lists(doc *d) {
  mention *f = d->nf->found;
  size_t n = d->nfound;
  if (n < 2) return;
  for (size_t k = 1; k < n; k++) {
    mention *m = &f[k];
    if (m->guessed && m->nwords == 1 && f[k - 1].label == L_GPE && listed(d, &f[k - 1], m)) {
      m->label = L_GPE;
      m->guessed = 0;
    }
  }
  for (size_t k = n - 1; k-- > 0;) {
    mention *m = &f[k];
    if (m->guessed && m->nwords == 1 && f[k + 1].label == L_GPE && listed(d, m, &f[k + 1])) {
      m->label = L_GPE;
      m->guessed = 0;
    }
  }
}

/* A score after a name: " 2", " 2-1" (not a date or a year); its end, or 0. */
static size_t score_end(const doc *d, size_t p) {
  size_t q = skip_spaces(d, p);
  if (q == p || !is_digit(at(d, q))) return 0;
  q++;
  if (is_digit(at(d, q))) q++;
  if (at(d, q) == '-' && is_digit(at(d, q + 1))) {
    q += 2;
    if (is_digit(at(d, q))) q++;
  }
  int c = at(d, q);
  if (wordch_len(d, q) || c == '-' || c == '/' || c == ':' || (c == '.' && is_digit(at(d, q + 1))))
    return 0;
  return q;
}

/* Capitalized words (letters, periods, apostrophes) from p, then a score:
 * the score's end, or 0. */
static size_t score_item_end(const doc *d, size_t p) {
  if (after_word(d, p)) return 0;
  size_t u = upper_len(d, p);
  if (!u) return 0;
  size_t q = p + u;
  for (;;) {
    size_t n;
    for (;;) {
      if ((n = letter_len(d, q))) q += n;
      else if (at(d, q) == '.' || at(d, q) == '\'') q++;
      else break;
    }
    size_t s = skip_spaces(d, q);
    if (s == q || !(u = upper_len(d, s))) break;
    q = s + u;
  }
  return score_end(d, q);
}

/* Whether the line from p holds two results ("Leeds 2 Arsenal 1"). */
static int two_scores(const doc *d, size_t p) {
  int count = 0;
  while (p < d->len && d->text[p] != '\n') {
    size_t e = score_item_end(d, p);
    if (e) {
      if (++count >= 2) return 1;
      p = e;
    } else {
      p++;
    }
  }
  return 0;
}

static size_t line_start(const doc *d, size_t pos) {
  size_t k = pos;
  while (k > 0 && d->text[k - 1] != '\n' && pos - k < 400) k--;
  return k;
}

/* What follows the place of a dateline: "LONDON 1996-08-22", "PARIS,
 * Aug 3", "ROME (Reuters)". */
static int dateline_rest(const doc *d, size_t p) {
  p = skip_spaces(d, p);
  int c = at(d, p);
  if (c == ',' || c == '(') return 1;
  return is_digit(c) && is_digit(at(d, p + 1)) && is_digit(at(d, p + 2)) &&
         is_digit(at(d, p + 3)) && (at(d, p + 4) == '-' || at(d, p + 4) == '/');
}

/* The lower-case word after spaces from p ("beat"), as a span; 0: none. */
static int next_lower_word(const doc *d, size_t p, span32 *w) {
  size_t q = skip_spaces(d, p);
  if (q == p || !is_az(at(d, q))) return 0;
  size_t s = q;
  while (is_az(at(d, q))) q++;
  if (wordch_len(d, q)) return 0;
  *w = (span32){(uint32_t)s, (uint32_t)q};
  return 1;
}

/* Sports reports: the name of a city, state or county stands for its club
 * ("Leeds beat Arsenal", "Leeds 2 Arsenal 1"), while a country's name
 * keeps its label (national sides are named as places). */
static void sports_teams(doc *d, doc_maps *mp) {
  lector_names *nf = d->nf;
  map *teams = &mp->m[MAP_TEAMS];
  int *candidates = nf->ints;
  size_t ncand = 0;
  for (size_t k = 0; k < d->nfound; k++) {
    mention *m = &nf->found[k];
    if (m->label != L_GPE || has(labels_span(d, m->start, m->stop), L_COUNTRY)) continue;
    char prev[32];
    size_t plen = 0;
    span32 at_word;
    int got = word_before(d, m->start, prev, &plen, &at_word);
    /* "lost to Leeds": the club is the one that won */
    if (got && plen == 2 && memcmp(prev, "to", 2) == 0) {
      char before[32];
      size_t blen;
      span32 b;
      if (word_before(d, at_word.s, before, &blen, &b) &&
          in_list(nf, LECTOR_NAMES_LOST, before, blen)) {
        memcpy(prev, "lost to", 7);
        plen = 7;
      }
    }
    int starts_line = m->start == 0 || d->text[m->start - 1] == '\n';
    if ((got && in_list(nf, LECTOR_NAMES_PLACE_PREP, prev, plen)) ||
        (starts_line && dateline_rest(d, m->stop)))
      continue;
    candidates[ncand++] = (int)k;
    span32 next;
    if (d->sports || (got && in_list(nf, LECTOR_NAMES_TEAM_BEFORE, prev, plen)) ||
        (next_lower_word(d, m->stop, &next) && listed_span(d, LECTOR_NAMES_TEAM_AFTER, next)) ||
        (score_end(d, m->stop) && two_scores(d, line_start(d, m->start)))) {
      if (!map_set(teams, mention_text(d, m), mention_len(m), 0, 1)) d->failed = 1;
    }
  }
  for (size_t c = 0; c < ncand; c++) {
    mention *m = &nf->found[candidates[c]];
    if (map_get(teams, mention_text(d, m), mention_len(m), 0) >= 0) m->label = L_ORG;
  }
}

static int is_name_sep(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ','; }

/* A name split before its last word: the words before end at *rest, the
 * last word starts at *last; 0 when the name has no such split. */
static int name_and_last(const char *p, size_t n, size_t *rest, size_t *last) {
  if (n == 0 || is_name_sep((unsigned char)p[n - 1])) return 0;
  size_t b = n;
  while (b > 0 && !is_name_sep((unsigned char)p[b - 1])) b--;
  if (b == 0) return 0;
  size_t q = b;
  while (q > 0 && is_name_sep((unsigned char)p[q - 1])) q--;
  if (q == 0) return 0;
  *rest = q;
  *last = b;
  return 1;
}

/* Note the short names of company k: the name without its suffixes, and
 * its first word unless the gazetteer gives that word a label of its own
 * ("American" of "American Motors Corp"); the first company met keeps a
 * short name. */
static void company_short_names(doc *d, map *shorts, int k) {
  const mention *m = &d->nf->found[k];
  const char *name = mention_text(d, m);
  size_t n = mention_len(m), rest, last;
  int stripped = 0;
  while (name_and_last(name, n, &rest, &last) &&
         in_list(d->nf, LECTOR_NAMES_COMPANY_SUFFIX, name + last, n - last)) {
    n = rest;
    stripped = 1;
  }
  if (!stripped) return;
  if (map_get(shorts, name, n, 0) < 0 && labels(d->nf, name, n).entity == NO_LABEL &&
      !map_set(shorts, name, n, 0, k))
    d->failed = 1;
  const char *first = d->text + m->first.s;
  size_t fn = m->first.e - m->first.s;
  if ((fn != n || memcmp(first, name, n) != 0) && map_get(shorts, first, fn, 0) < 0 &&
      labels(d->nf, first, fn).entity == NO_LABEL && !map_set(shorts, first, fn, 0, k))
    d->failed = 1;
}

/* "United Nations" -> "UN": the capital letter opening each word, into
 * the finder's acronym buffer at *used; its length. */
static size_t initials(doc *d, const mention *m, size_t *used) {
  char *out = d->nf->acronyms + *used;
  size_t n = 0;
  const char *p = mention_text(d, m);
  size_t len = mention_len(m);
  for (size_t i = 0; i < len;) {
    if (is_blank((unsigned char)p[i])) {
      i++;
      continue;
    }
    if (is_AZ((unsigned char)p[i])) out[n++] = p[i];
    while (i < len && !is_blank((unsigned char)p[i])) i++;
  }
  *used += n;
  return n;
}

static void set_text(doc *d, map *mp, const char *p, size_t n, int value) {
  if (!map_set(mp, p, n, 0, value)) d->failed = 1;
}

/* The first pass of resolve: the best-evidenced mention of each text, the
 * persons by surname, organizations and places by acronym, companies by
 * short name. */
static void index_mentions(doc *d, doc_maps *mp) {
  mention *f = d->nf->found;
  size_t used = 0;
  for (size_t k = 0; k < d->nfound; k++) {
    mention *m = &f[k];
    if (m->label == L_ORG && m->nwords >= 2) company_short_names(d, &mp->m[MAP_COMPANIES], (int)k);
    if (m->label == NO_LABEL) continue;
    int b = get_span(d, &mp->m[MAP_BEST], m->start, m->stop);
    if (b < 0 || m->evidence > f[b].evidence) set_span(d, &mp->m[MAP_BEST], m->start, m->stop, (int)k);
    if (m->label == L_PERSON && m->nwords >= 2) {
      int p = get_span(d, &mp->m[MAP_PERSONS], m->last.s, m->last.e);
      if (p < 0 || mention_len(m) > mention_len(&f[p]))
        set_span(d, &mp->m[MAP_PERSONS], m->last.s, m->last.e, (int)k);
    }
    if ((m->label == L_ORG || m->label == L_GPE) && m->nwords >= 2) {
      size_t at_acr = used, n = initials(d, m, &used);
      const char *acr = d->nf->acronyms + at_acr;
      if (n >= 2 && map_get(&mp->m[MAP_ACRONYMS], acr, n, 0) < 0)
        set_text(d, &mp->m[MAP_ACRONYMS], acr, n, (int)k);
    }
  }
  /* "(UNODC)" right after an organization's name: its acronym */
  for (size_t k = 1; k < d->nfound; k++) {
    const mention *prev = &f[k - 1], *m = &f[k];
    if ((prev->label != L_ORG && prev->label != L_GPE) || m->nwords != 1 ||
        !is_all_caps(mention_text(d, m), mention_len(m)))
      continue;
    if (prev->stop > m->start) continue;
    size_t p = skip_blanks(d, prev->stop);
    if (p + 1 == m->start && d->text[p] == '(')
      set_span(d, &mp->m[MAP_ACRONYMS], m->start, m->stop, (int)k - 1);
  }
}

/* The label of a mention that has none: from another mention of the same
 * text, from its context, else by default (noted as guessed). */
static void label_by_default(doc *d, doc_maps *mp, mention *m) {
  int b = get_span(d, &mp->m[MAP_BEST], m->start, m->stop);
  if (b >= 0) {
    m->label = d->nf->found[b].label;
    return;
  }
  if (m->after_speech) m->label = L_PERSON;
  else if (m->acronym) m->label = L_ORG;
  else if (m->before_place) m->label = L_GPE;
  else {
    /* in a sports report an unknown name without a score is a player's */
    int person = m->nwords >= 2 || (d->sports && !score_end(d, m->stop));
    m->label = person ? L_PERSON : L_ORG;
    m->guessed = 1;
  }
}

/* Document-level decisions: label unknown names from their other
 * mentions, link surnames, acronyms and short company names. */
static void resolve(doc *d, doc_maps *mp) {
  mention *f = d->nf->found;
  index_mentions(d, mp);
  for (size_t k = 0; k < d->nfound; k++) {
    mention *m = &f[k];
    int p = m->nwords == 1 ? get_span(d, &mp->m[MAP_PERSONS], m->start, m->stop) : -1;
    if (p >= 0) {
      /* a surname of a person named in full is that person, even in "the
       * Maduro administration" */
      if (m->label != L_PERSON && (m->label == NO_LABEL || m->evidence < 4)) m->label = L_PERSON;
      m->link = p;
    }
    int o = m->nwords == 1 ? get_span(d, &mp->m[MAP_ACRONYMS], m->start, m->stop) : -1;
    if (o >= 0 && o != (int)k &&
        (m->label == NO_LABEL || m->label == f[o].label || m->evidence <= 3)) {
      m->label = f[o].label;
      m->link = o;
    }
    int c = get_span(d, &mp->m[MAP_COMPANIES], m->start, m->stop);
    if (c >= 0 && c != (int)k && p < 0 && (m->label == NO_LABEL || m->evidence < 4)) {
      /* a short name of a company named in full is that company ("GTE
       * said"), unless it is the surname of a person named in full */
      m->label = L_ORG;
      m->link = c;
    } else if (m->label == NO_LABEL && m->nwords >= 2 &&
               get_span(d, &mp->m[MAP_COMPANIES], m->first.s, m->first.e) >= 0) {
      m->label = L_ORG;     /* a unit of it ("Alcan Australia" after "Alcan Aluminium Ltd") */
    }
    if (m->label == NO_LABEL) {
      label_by_default(d, mp, m);
    } else if (m->evidence < 3) {
      int b = get_span(d, &mp->m[MAP_BEST], m->start, m->stop);
      if (b >= 0 && f[b].evidence > m->evidence) m->label = f[b].label;
    }
  }
  places_in_lists(d);
}

/* The names of the document, upper-cased, for headlines in capitals. */
static void know_upper(doc *d, doc_maps *mp) {
  mention *f = d->nf->found;
  map *known = &mp->m[MAP_KNOWN_UPPER];
  for (size_t k = 0; k < d->nfound; k++) {
    const mention *m = &f[k];
    if (m->caps || m->label == NO_LABEL) continue;
    int old = get_span(d, known, m->start, m->stop);
    if (old < 0 || m->evidence > f[old].evidence) set_span(d, known, m->start, m->stop, (int)k);
  }
  for (size_t k = 0; k < d->nfound; k++) {
    const mention *m = &f[k];
    if (m->caps || m->label != L_PERSON || m->nwords < 2) continue;
    if (get_span(d, known, m->last.s, m->last.e) < 0) set_span(d, known, m->last.s, m->last.e, (int)k);
  }
}

/* The runs of headlines in capitals: only the gazetteer and the names
 * found elsewhere in the document are trusted. */
static void resolve_caps(doc *d, doc_maps *mp) {
  lector_names *nf = d->nf;
  map *known = &mp->m[MAP_KNOWN_UPPER];
  for (size_t r = 0; r < d->ncaps_runs; r++) {
    const word *w = nf->caps_words + nf->caps_runs[r].first;
    size_t n = nf->caps_runs[r].n;
    for (size_t i = 0; i < n;) {
      if (w[i].conn) {
        i++;
        continue;
      }
      long hit = -1;
      size_t top = has(labels_word(d, &w[i]), L_FIRST) ? (i + 5 < n - 1 ? i + 5 : n - 1) : i;
      for (size_t j = top + 1; j-- > i;) {
        if (w[j].conn) continue;
        int known_m = get_span(d, known, w[i].s, w[j].e);
        uint32_t label = known_m >= 0 ? nf->found[known_m].label : NO_LABEL;
        int ev = 3;
        size_t end = j;
        if (label == NO_LABEL) {
          labels_of ls = labels_span(d, w[i].s, w[j].e);
          label = ls.entity;
          if (label == NO_LABEL && has(ls, L_GIVEN) && j == i && i + 1 < n && !w[i + 1].conn &&
              labels_word(d, &w[i + 1]).entity == NO_LABEL) {
            label = L_PERSON;
            end = i + 1;
            ev = 2;
          }
        }
        if (label != NO_LABEL) {
          hit = (long)end;
          mention *m = &nf->found[emit(d, w, i, end, label, ev)];
          m->caps = 1;
          m->link = known_m;
          break;
        }
      }
      if (hit < 0 && i == 0 && nf->caps_runs[r].initial && n == 1 && dateline_after(d, w[0].e)) {
        nf->found[emit(d, w, 0, 0, L_GPE, 2)].caps = 1;
        hit = 0;
      }
      i = (hit >= 0 ? (size_t)hit : i) + 1;
    }
  }
}

/* Entity keys and canonical names: a mention linked to another (at most
 * 8 links away) of the same label is that one's entity. */
static size_t finish(doc *d, doc_maps *mp) {
  lector_names *nf = d->nf;
  map *entities = &mp->m[MAP_ENTITIES];
  int *canonical = nf->ints;      /* per entity, the mention whose text is its name */
  size_t nout = 0, nentities = 0;
  for (size_t k = 0; k < d->nfound; k++) {
    const mention *m = &nf->found[k];
    if (m->label == NO_LABEL) continue;
    const mention *root = m;
    for (int guard = 0; root->link >= 0 && guard < 8; guard++) root = &nf->found[root->link];
    if (root->label != m->label) root = m;
    int e = map_get(entities, mention_text(d, root), mention_len(root), (int)m->label);
    if (e < 0) {
      e = (int)nentities++;
      canonical[e] = (int)(root - nf->found);
      if (!map_set(entities, mention_text(d, root), mention_len(root), (int)m->label, e))
        d->failed = 1;
    } else if (mention_len(root) > mention_len(&nf->found[canonical[e]])) {
      canonical[e] = (int)(root - nf->found);
    }
    nf->out[nout++] = (lector_names_mention){m->start, m->stop, m->label, (uint32_t)e,
                                             root->start, root->stop, 0, 0};
  }
  for (size_t k = 0; k < nout; k++) {
    const mention *c = &nf->found[canonical[nf->out[k].entity]];
    nf->out[k].canonical_start = c->start;
    nf->out[k].canonical_stop = c->stop;
  }
  return nout;
}

/* Room for a find over nitems capitalized words, ns sentences and len
 * bytes; 0 when out of memory. */
static int reserve_find(lector_names *nf, size_t nitems, size_t ns, size_t len) {
  return RESERVE(nf, caps_count, ns) && RESERVE(nf, headline, ns) && RESERVE(nf, allcaps, ns) &&
         RESERVE(nf, found, nitems + 1) && RESERVE(nf, caps_words, 3 * nitems + 1) &&
         RESERVE(nf, caps_runs, nitems + 1) && RESERVE(nf, out, nitems + 1) &&
         RESERVE(nf, acronyms, len + 1) && RESERVE(nf, ints, nitems + 1);
}

/* The maps of the runs' analysis (words seen elsewhere in the document),
 * for at most nitems words each; 0 when out of memory. */
static int run_maps(doc *d) {
  size_t cap = map_cap_for(d->nitems);
  if (!RESERVE(d->nf, map_slots, 2 * cap)) return 0;
  map_init(&d->lower_seen, d->nf->map_slots, cap, 1);
  map_init(&d->inside_seen, d->nf->map_slots + cap, cap, 0);
  return 1;
}

/* The maps of the document's resolution, once its mentions are known,
 * each with room for the keys it may get: one per mention (two for the
 * acronyms, short names and names in capitals), and for the teams and
 * the entities one per word of a headline in capitals too; 0 when out of
 * memory. */
static int resolve_maps(doc *d, doc_maps *mp) {
  size_t n = d->nfound, caps = d->ncaps_words;
  const size_t keys[MAP_COUNT] = {n, n, 2 * n, 2 * n, 2 * n, n + caps, n + caps};
  size_t cap[MAP_COUNT], total = 0;
  for (int k = 0; k < MAP_COUNT; k++) total += cap[k] = map_cap_for(keys[k]);
  if (!RESERVE(d->nf, map_slots, total)) return 0;
  map_slot *slots = d->nf->map_slots;
  for (int k = 0; k < MAP_COUNT; k++) {
    map_init(&mp->m[k], slots, cap[k], k == MAP_KNOWN_UPPER || k == MAP_TEAMS || k == MAP_ENTITIES);
    slots += cap[k];
  }
  return 1;
}

lector_status lector_names_find(lector_names *nf, const char *text, size_t len,
                                const lector_sentence *sentences, size_t ns,
                                const lector_names_mention **out, size_t *count) {
  *out = nf->out;
  *count = 0;
  if (len == 0 || ns == 0 || len >= UINT32_MAX) return LECTOR_OK;
  doc d = {.nf = nf, .text = text, .len = len, .sent = sentences, .ns = ns,
           .search_left = search_budget(len)};
  nf->finds++;
  if (!scan(&d) || !reserve_find(nf, d.nitems, ns, len) || !run_maps(&d)) return LECTOR_ENOMEM;
  *out = nf->out;
  memset(nf->caps_count, 0, ns * sizeof *nf->caps_count);
  memset(nf->headline, -1, ns);
  memset(nf->allcaps, -1, ns);
  for (size_t k = 0, si = 0; k < d.nitems; k++) {
    while (si + 1 < ns && nf->items[k].s >= sentences[si + 1].start) si++;
    nf->caps_count[si]++;
  }
  d.top = top_lines_end(&d);
  d.sports = is_sports_report(&d);
  collect_runs(&d);
  doc_maps mp;
  if (!resolve_maps(&d, &mp)) return LECTOR_ENOMEM;
  resolve(&d, &mp);
  if (d.ncaps_runs > 0) {
    know_upper(&d, &mp);
    resolve_caps(&d, &mp);
  }
  sports_teams(&d, &mp);
  *count = finish(&d, &mp);
  return d.failed ? LECTOR_ENOMEM : LECTOR_OK;
}
