/*
 * Lexicon storage and phrase matching (lexicon.h).
 *
 * A lexicon is a trie over tokens, kept lean enough for millions of
 * phrases:
 *   - every distinct token string is stored once (interned) and known by
 *     a 32-bit id; labels are interned the same way;
 *   - the trie's edges live in one open-addressing hash table keyed by
 *     (parent node, token id), so a node costs no array of children, and
 *     each edge slot also holds the first entry of the node it leads to;
 *   - strings sit in chunks that never move, so labels can be handed out
 *     as plain pointers, and entries sit in fixed blocks for the same
 *     reason (their next pointers must stay valid).
 * Every byte comes from the caller's allocator. An operation that fails
 * half-way is undone from a snapshot of the counters: whatever was added
 * after it has a larger id, so it can be found and taken out again.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "lector_limits.h"
#include "lexicon.h"
#include "token.h"

/* Strings are packed into chunks of this size (a longer one gets a chunk
 * of its own size): few allocations, little slack. */
enum { CHUNK_BYTES = 64 * 1024 };
/* Entries are allocated this many at a time. */
enum { ENTRY_BLOCK = 1024 };
/* Tokens up to this long are folded on the stack when they are ASCII. */
enum { FOLD_BUFFER = 128 };
/* Hash tables grow when they would be fuller than 3/4. */
enum { LOAD_NUM = 3, LOAD_DEN = 4, FIRST_SLOTS = 16 };
/* Bits of the filters: one per token hash modulo this, set for every
 * token of every phrase (token_filter). Most tokens of a text are in no
 * phrase, and the filter (8 KiB, which stays in the cache) tells so
 * without touching the token table, whose look-ups were most of a match's
 * cost. The same for nodes (parent_filter, by node number): most phrases
 * that match are one word long, and a node with no children needs no
 * look-up of the next token. */
enum { TOKEN_FILTER_BITS = 1 << 16 };

typedef struct chunk {
  size_t size, used;
  char data[];
} chunk;

/* One interned string table: a hash set over strings stored in the
 * chunks as a 4-byte length, the bytes and a NUL. A slot's id1 is the
 * string's id plus 1, 0 for an empty slot; it keeps the string's address
 * so that a look-up touches one slot, not an array of addresses too. */
typedef struct islot {
  uint32_t id1, hash;
  const char *str;        /* the bytes, after their length */
} islot;

typedef struct interner {
  islot *slots;
  uint32_t mask;          /* slots - 1; no slots while count is 0 */
  uint32_t count;
} interner;

/* An edge of the trie. child 0 marks an empty slot (the root, node 0, is
 * nobody's child). entry is the index + 1 of the child's first entry. */
typedef struct edge {
  uint32_t child, parent, token, entry;
} edge;

/* A value replaced by a load, to put back if the load fails. */
typedef struct replaced {
  lector_lexicon_entry *entry;
  double value;
} replaced;

struct lector_lexicon {
  lector_lexicon_alloc alloc;
  void *ud;
  int fold;
  size_t bytes, failed;
  chunk **chunks;
  size_t chunk_count, chunk_cap;
  interner tokens, labels;
  edge *edges;            /* the edges from nodes other than the root */
  uint32_t edge_mask;     /* no table while it has no edge */
  uint32_t table_edges;   /* the edges in it */
  edge *roots;            /* the root's edges, by token id (child 0: none) */
  uint32_t root_cap;
  uint32_t nodes;         /* the root included */
  lector_lexicon_entry **blocks;
  uint32_t block_count, block_cap;
  uint32_t entries;
  uint32_t max_tokens;
  size_t max_token_bytes; /* the longest token stored, as compared */
  size_t max_text_bytes;  /* the longest token of a text that may compare as one stored */
  uint64_t token_filter[TOKEN_FILTER_BITS / 64];  /* see TOKEN_FILTER_BITS; never cleared */
  uint64_t parent_filter[TOKEN_FILTER_BITS / 64]; /* the same for nodes with children */
  replaced *journal;      /* NULL unless a load is running */
  size_t journal_count, journal_cap;
  int journaling;
};

/* What an operation may undo back to. */
typedef struct snapshot {
  size_t chunk_count, chunk_used;
  uint32_t tokens, labels, nodes, entries, max_tokens;
  size_t max_token_bytes;
} snapshot;

/* ---- memory ------------------------------------------------------------ */

/* Every allocation goes through here, so bytes is exact and a failure
 * leaves the old block untouched (the allocator's contract). */
static void *lex_realloc(lector_lexicon *lex, void *ptr, size_t osize, size_t nsize) {
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    if (ptr) lex->alloc(lex->ud, ptr, osize, 0);
    lex->bytes -= old;
    return NULL;
  }
  void *p = lex->alloc(lex->ud, ptr, osize, nsize);
  if (!p) {
    lex->failed = nsize;
    return NULL;
  }
  lex->bytes = lex->bytes - old + nsize;
  return p;
}

/* Grow an array of *cap elements to hold need; 0 when out of memory. */
static int reserve(lector_lexicon *lex, void **array, uint32_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t n = *cap ? (size_t)*cap * 2 : 16;
  while (n < need) n *= 2;
  if (n > UINT32_MAX || n > SIZE_MAX / size) return 0;
  void *p = lex_realloc(lex, *array, (size_t)*cap * size, n * size);
  if (!p) return 0;
  *array = p;
  *cap = (uint32_t)n;
  return 1;
}

/* Room for n bytes in the string chunks; NULL when out of memory. */
static char *arena_alloc(lector_lexicon *lex, size_t n) {
  chunk *last = lex->chunk_count ? lex->chunks[lex->chunk_count - 1] : NULL;
  if (last && last->size - last->used >= n) {
    char *p = last->data + last->used;
    last->used += n;
    return p;
  }
  if (lex->chunk_count == lex->chunk_cap) {
    size_t cap = lex->chunk_cap ? lex->chunk_cap * 2 : 16;
    chunk **list = lex_realloc(lex, lex->chunks, lex->chunk_cap * sizeof *list, cap * sizeof *list);
    if (!list) return NULL;
    lex->chunks = list;
    lex->chunk_cap = cap;
  }
  size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
  chunk *c = lex_realloc(lex, NULL, 0, sizeof *c + size);
  if (!c) return NULL;
  c->size = size;
  c->used = n;
  lex->chunks[lex->chunk_count++] = c;
  return c->data;
}

/* The few functions a match runs for every token of a text, inlined into
 * their callers: their calls cost as much as their work. */
#if defined(__GNUC__)
#define LECTOR_HOT_INLINE static inline __attribute__((always_inline))
#else
#define LECTOR_HOT_INLINE static inline
#endif

/* ---- hashing ----------------------------------------------------------- */

/* hash_bytes in steps, so that hash_folded_ascii hashes its words the same
 * way: a word of 8 bytes (native order), then the last 1..7 bytes
 * (little-endian), then the mix. */
static inline uint64_t hash_begin(size_t n) {
  return 0x9e3779b97f4a7c15u ^ n;
}

static inline uint64_t hash_word(uint64_t h, uint64_t w) {
  h = (h ^ w) * 0x9fb21c651e98df25u;
  return h ^ (h >> 29);
}

static inline uint64_t hash_tail(uint64_t h, uint64_t w) {
  return (h ^ w) * 0x9fb21c651e98df25u;
}

/* The 32 bits a table takes from a hash: the last step multiplied, which
 * carries every input bit to the high half, so one fold of that half
 * into the low one and one more multiply mix it enough, at half the cost
 * of lector_mix64 (paid once for each token of a text). */
static inline uint32_t hash_end(uint64_t h) {
  h ^= h >> 32;
  return (uint32_t)((h * 0xbf58476d1ce4e5b9u) >> 32);
}

/* The last n (1..7) bytes of a string as one little-endian word. A loop,
 * not memcpy of a variable size: most tokens end here, and the call cost
 * more than the hashing. */
static inline uint64_t tail_word(const char *s, size_t n) {
  uint64_t w = 0;
  for (size_t i = 0; i < n; i++) w |= (uint64_t)(unsigned char)s[i] << (8 * i);
  return w;
}

static uint32_t hash_bytes(const char *s, size_t n) {
  uint64_t h = hash_begin(n);
  for (; n >= 8; s += 8, n -= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    h = hash_word(h, w);
  }
  if (n) h = hash_tail(h, tail_word(s, n));
  return hash_end(h);
}

/* The high bit of every byte of a word: none is set in ASCII. */
#define HIGH_BITS 0x8080808080808080u

/* Eight ASCII bytes with A-Z made a-z at once. Adding 0x80 - 'A' to a
 * byte sets its high bit when it is at least 'A', adding 0x80 - 'Z' - 1
 * when it is past 'Z' (no byte carries into the next: all are below
 * 0x80); 0x80 >> 2 is the 0x20 between the cases. */
static inline uint64_t fold_ascii_word(uint64_t w) {
  uint64_t at_least_a = w + 0x3f3f3f3f3f3f3f3fu;
  uint64_t past_z = w + 0x2525252525252525u;
  return w | ((at_least_a & ~past_z & HIGH_BITS) >> 2);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_WORDS 1
#else
#define LITTLE_ENDIAN_WORDS 0
#endif

/* What token_key then hash_bytes give for an ASCII token of a folding
 * lexicon, in one pass over its words instead of two over its bytes: the
 * folded bytes in buf (n <= FOLD_BUFFER) and their hash. readable: the
 * bytes that may be read from s (at least n); with 8 of them past the
 * last whole word, the last 1..7 bytes are read as one word and masked
 * (little-endian: the first bytes are the low ones), and buf then holds
 * zeros after the n bytes to the end of their last word, as the token
 * table's strings do. Returns 0 when s is not all ASCII (buf is then
 * partly written). */
LECTOR_HOT_INLINE int hash_folded_ascii(const char *s, size_t n, size_t readable, char *buf,
                                        uint32_t *hash) {
  uint64_t h = hash_begin(n);
  size_t i = 0;
  for (; n - i >= 8; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & HIGH_BITS) return 0;
    w = fold_ascii_word(w);
    memcpy(buf + i, &w, 8);
    h = hash_word(h, w);
  }
  if (i < n) {
    uint64_t w;
    if (LITTLE_ENDIAN_WORDS && readable - i >= 8) {
      memcpy(&w, s + i, 8);
      w &= ~0ull >> (8 * (8 - (n - i)));
    } else {
      w = tail_word(s + i, n - i);
    }
    if (w & HIGH_BITS) return 0;
    w = fold_ascii_word(w);
    if (LITTLE_ENDIAN_WORDS) {
      memcpy(buf + i, &w, 8);      /* i <= FOLD_BUFFER - 8: i is a multiple of 8 below n */
    } else {
      for (size_t k = 0; i + k < n; k++) buf[i + k] = (char)(w >> (8 * k));
    }
    h = hash_tail(h, w);
  }
  *hash = hash_end(h);
  return 1;
}

static uint32_t edge_hash(uint32_t parent, uint32_t token) {
  return (uint32_t)lector_mix64(((uint64_t)parent << 32) | token);
}

/* ---- generic table upkeep (both slot types start with a uint32 that is 0
 * in an empty slot) ------------------------------------------------------- */

typedef uint32_t (*slot_hash_fn)(const void *slot);

static uint32_t islot_hash(const void *slot) {
  return ((const islot *)slot)->hash;
}

static uint32_t edge_slot_hash(const void *slot) {
  const edge *e = slot;
  return edge_hash(e->parent, e->token);
}

static int slot_empty(const char *slot) {
  uint32_t first;
  memcpy(&first, slot, sizeof first);
  return first == 0;
}

/* A table of twice the slots (or FIRST_SLOTS) holding the same items;
 * 0 when out of memory, the old table untouched. */
static int table_grow(lector_lexicon *lex, void **slots, uint32_t *mask, size_t size,
                      slot_hash_fn hash) {
  size_t old_cap = *slots ? (size_t)*mask + 1 : 0;
  size_t cap = old_cap ? old_cap * 2 : FIRST_SLOTS;
  if (cap - 1 > UINT32_MAX || cap > SIZE_MAX / size) return 0;
  char *fresh = lex_realloc(lex, NULL, 0, cap * size);
  if (!fresh) return 0;
  memset(fresh, 0, cap * size);
  const char *old = *slots;
  for (size_t i = 0; i < old_cap; i++) {
    const char *s = old + i * size;
    if (slot_empty(s)) continue;
    size_t j = hash(s) & (cap - 1);
    while (!slot_empty(fresh + j * size)) j = (j + 1) & (cap - 1);
    memcpy(fresh + j * size, s, size);
  }
  lex_realloc(lex, *slots, old_cap * size, 0);
  *slots = fresh;
  *mask = (uint32_t)(cap - 1);
  return 1;
}

/* Take out every item whose first field is at least limit, keeping the
 * others findable: each is deleted by shifting the rest of its cluster
 * back (linear probing's deletion without tombstones). Slot i is looked at
 * again after a deletion, since a later item may have moved into it.
 * Returns how many it took out. */
static size_t table_purge(void *slots, uint32_t mask, size_t size, slot_hash_fn hash,
                          uint32_t limit) {
  char *t = slots;
  size_t purged = 0;
  if (!t) return 0;
  for (size_t i = 0; i <= mask;) {
    uint32_t first;
    memcpy(&first, t + i * size, sizeof first);
    if (first == 0 || first < limit) {
      i++;
      continue;
    }
    size_t hole = i, j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (slot_empty(t + j * size)) break;
      size_t home = hash(t + j * size) & mask;
      /* the item at j stays when its home lies cyclically in (hole, j] */
      int stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      memcpy(t + hole * size, t + j * size, size);
      hole = j;
    }
    memset(t + hole * size, 0, size);
    purged++;
  }
  return purged;
}

/* ---- interned strings ---------------------------------------------------- */

static uint32_t string_length(const char *s) {
  uint32_t n;
  memcpy(&n, s - sizeof n, sizeof n);
  return n;
}

/* A stored string's bytes are followed by zeros up to a whole word past
 * its NUL, so that a key padded the same way (see padded_key) compares a
 * word at a time. */
static size_t stored_bytes(size_t n) {
  return (n + 1 + 7) & ~(size_t)7;
}

/* Whether stored string a equals key b, both n bytes and zeros after
 * them to the end of their last word. No libc call: most keys are a word
 * or two, and the call cost more than the comparing. */
static inline int same_words(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t x, y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    if (x != y) return 0;
  }
  return 1;
}

/* The slot of s (n bytes, hash h) or NULL. padded: s is zeros from n to
 * the end of its last word. */
LECTOR_HOT_INLINE const islot *intern_find(const interner *in, const char *s, size_t n,
                                           uint32_t h, int padded) {
  if (!in->slots) return NULL;
  for (uint32_t i = h & in->mask;; i = (i + 1) & in->mask) {
    const islot *slot = &in->slots[i];
    if (slot->id1 == 0) return NULL;
    if (slot->hash == h && string_length(slot->str) == n &&
        (padded ? same_words(slot->str, s, n) : memcmp(slot->str, s, n) == 0))
      return slot;
  }
}

/* The slot of s in the table, added when new; NULL when out of memory
 * (or when the table is full: 2^32 - 1 strings). */
static const islot *intern(lector_lexicon *lex, interner *in, const char *s, size_t n) {
  uint32_t h = hash_bytes(s, n);
  const islot *found = intern_find(in, s, n, h, 0);
  if (found) return found;
  if (n > UINT32_MAX - 8 || in->count >= UINT32_MAX - 1) return NULL;
  if ((!in->slots || ((size_t)in->count + 1) * LOAD_DEN > ((size_t)in->mask + 1) * LOAD_NUM) &&
      !table_grow(lex, (void **)&in->slots, &in->mask, sizeof(islot), islot_hash))
    return NULL;
  uint32_t len = (uint32_t)n;
  char *p = arena_alloc(lex, sizeof len + stored_bytes(n));
  if (!p) return NULL;
  memcpy(p, &len, sizeof len);
  memcpy(p + sizeof len, s, n);
  memset(p + sizeof len + n, 0, stored_bytes(n) - n);
  uint32_t i = h & in->mask;
  while (in->slots[i].id1) i = (i + 1) & in->mask;
  in->slots[i] = (islot){++in->count, h, p + sizeof len};
  return &in->slots[i];
}

static void interner_free(lector_lexicon *lex, interner *in) {
  if (in->slots) lex_realloc(lex, in->slots, ((size_t)in->mask + 1) * sizeof(islot), 0);
  memset(in, 0, sizeof *in);
}

/* ---- edges and entries ------------------------------------------------- */

static void filter_add(uint64_t *filter, uint32_t h) {
  filter[(h % TOKEN_FILTER_BITS) / 64] |= 1ull << (h % 64);
}

static int filter_has(const uint64_t *filter, uint32_t h) {
  return (int)(filter[(h % TOKEN_FILTER_BITS) / 64] >> (h % 64) & 1);
}

/* The edge from parent by token, or NULL. The root's edges are an array
 * by token id: every match begins with one, found without hashing. */
LECTOR_HOT_INLINE edge *edge_find(const lector_lexicon *lex, uint32_t parent, uint32_t token) {
  if (parent == 0) return token < lex->root_cap && lex->roots[token].child ? &lex->roots[token] : NULL;
  if (!lex->edges) return NULL;
  for (uint32_t i = edge_hash(parent, token) & lex->edge_mask;; i = (i + 1) & lex->edge_mask) {
    edge *e = &lex->edges[i];
    if (e->child == 0) return NULL;
    if (e->parent == parent && e->token == token) return e;
  }
}

/* The edge from parent by token, made (with a new child) when missing;
 * NULL when out of memory. */
static edge *edge_add(lector_lexicon *lex, uint32_t parent, uint32_t token) {
  edge *e = edge_find(lex, parent, token);
  if (e) return e;
  if (lex->nodes == UINT32_MAX) return NULL;
  if (parent == 0) {
    uint32_t old = lex->root_cap;
    if (!reserve(lex, (void **)&lex->roots, &lex->root_cap, (size_t)token + 1, sizeof(edge)))
      return NULL;
    memset(lex->roots + old, 0, (size_t)(lex->root_cap - old) * sizeof(edge));
    e = &lex->roots[token];
  } else {
    size_t edges = lex->table_edges;
    if ((!lex->edges || (edges + 1) * LOAD_DEN > ((size_t)lex->edge_mask + 1) * LOAD_NUM) &&
        !table_grow(lex, (void **)&lex->edges, &lex->edge_mask, sizeof(edge), edge_slot_hash))
      return NULL;
    uint32_t i = edge_hash(parent, token) & lex->edge_mask;
    while (lex->edges[i].child) i = (i + 1) & lex->edge_mask;
    e = &lex->edges[i];
    lex->table_edges++;
  }
  filter_add(lex->parent_filter, parent);
  e->child = lex->nodes++;
  e->parent = parent;
  e->token = token;
  e->entry = 0;
  return e;
}

/* Entries are handed out as const, but they are the lexicon's own memory
 * and it may change them. */
static lector_lexicon_entry *own(const lector_lexicon_entry *e) {
  return (lector_lexicon_entry *)(uintptr_t)e;
}

static lector_lexicon_entry *entry_at(const lector_lexicon *lex, uint32_t index) {
  return &lex->blocks[index / ENTRY_BLOCK][index % ENTRY_BLOCK];
}

/* A fresh entry, or NULL when out of memory. */
static lector_lexicon_entry *entry_new(lector_lexicon *lex) {
  if (lex->entries >= UINT32_MAX - 1) return NULL;
  uint32_t block = lex->entries / ENTRY_BLOCK;
  if (block == lex->block_count) {
    if (!reserve(lex, (void **)&lex->blocks, &lex->block_cap, (size_t)block + 1,
                 sizeof *lex->blocks))
      return NULL;
    lector_lexicon_entry *b = lex_realloc(lex, NULL, 0, ENTRY_BLOCK * sizeof *b);
    if (!b) return NULL;
    lex->blocks[lex->block_count++] = b;
  }
  return entry_at(lex, lex->entries++);
}

/* Whether e was made at or after entry index `since`: only the blocks
 * from since's on need looking at. */
static int entry_is_since(const lector_lexicon *lex, const lector_lexicon_entry *e,
                          uint32_t since) {
  for (uint32_t b = since / ENTRY_BLOCK; b < lex->block_count; b++) {
    uintptr_t base = (uintptr_t)lex->blocks[b], p = (uintptr_t)e;
    if (p >= base && p < base + ENTRY_BLOCK * sizeof *e)
      return (size_t)b * ENTRY_BLOCK + (p - base) / sizeof *e >= since;
  }
  return 0;
}

/* ---- snapshots --------------------------------------------------------- */

static void take_snapshot(const lector_lexicon *lex, snapshot *s) {
  s->chunk_count = lex->chunk_count;
  s->chunk_used = lex->chunk_count ? lex->chunks[lex->chunk_count - 1]->used : 0;
  s->tokens = lex->tokens.count;
  s->labels = lex->labels.count;
  s->nodes = lex->nodes;
  s->entries = lex->entries;
  s->max_tokens = lex->max_tokens;
  s->max_token_bytes = lex->max_token_bytes;
}

/* Take the entries made at or after index since off the chains of n
 * edges. New entries hang at the ends of chains, old nodes' chains
 * included. */
static void cut_chains(lector_lexicon *lex, edge *edges, size_t n, uint32_t since) {
  for (size_t i = 0; i < n; i++) {
    edge *e = &edges[i];
    if (!e->child || !e->entry) continue;
    if (e->entry - 1 >= since) {
      e->entry = 0;
      continue;
    }
    lector_lexicon_entry *x = entry_at(lex, e->entry - 1);
    while (x->next && !entry_is_since(lex, x->next, since))
      x = own(x->next);
    x->next = NULL;
  }
}

/* Folding changes a token's length by at most a factor of 4 and a
 * character: a token of a text longer than max_text_bytes is in no
 * phrase, and is told so without folding or hashing it. */
static void set_max_token_bytes(lector_lexicon *lex, size_t n) {
  lex->max_token_bytes = n;
  lex->max_text_bytes = lex->fold ? 4 * n + 4 : n;
}

/* Undo everything since s. Never allocates, so it cannot fail. */
static void roll_back(lector_lexicon *lex, const snapshot *s) {
  while (lex->journal_count > 0) {
    const replaced *r = &lex->journal[--lex->journal_count];
    r->entry->value = r->value;
  }
  if (lex->nodes > s->nodes) {
    lex->table_edges -= (uint32_t)table_purge(lex->edges, lex->edge_mask, sizeof(edge),
                                              edge_slot_hash, s->nodes);
    for (uint32_t i = 0; i < lex->root_cap; i++)
      if (lex->roots[i].child >= s->nodes) memset(&lex->roots[i], 0, sizeof(edge));
  }
  if (lex->entries > s->entries) {
    if (lex->edges) cut_chains(lex, lex->edges, (size_t)lex->edge_mask + 1, s->entries);
    cut_chains(lex, lex->roots, lex->root_cap, s->entries);
  }
  lex->nodes = s->nodes;
  lex->entries = s->entries;
  if (lex->tokens.count > s->tokens)
    table_purge(lex->tokens.slots, lex->tokens.mask, sizeof(islot), islot_hash, s->tokens + 1);
  lex->tokens.count = s->tokens;
  if (lex->labels.count > s->labels)
    table_purge(lex->labels.slots, lex->labels.mask, sizeof(islot), islot_hash, s->labels + 1);
  lex->labels.count = s->labels;
  while (lex->chunk_count > s->chunk_count) {
    chunk *c = lex->chunks[--lex->chunk_count];
    lex_realloc(lex, c, sizeof *c + c->size, 0);
  }
  if (lex->chunk_count) lex->chunks[lex->chunk_count - 1]->used = s->chunk_used;
  lex->max_tokens = s->max_tokens;
  set_max_token_bytes(lex, s->max_token_bytes);
}

/* ---- life -------------------------------------------------------------- */

lector_lexicon *lector_lexicon_new(int fold, lector_lexicon_alloc alloc, void *ud,
                                   lector_error *err) {
  if (!alloc) alloc = lector_default_alloc;
  lector_lexicon *lex = alloc(ud, NULL, 0, sizeof *lex);
  if (!lex) {
    if (err) {
      err->status = LECTOR_ENOMEM;
      err->offset = 0;
      snprintf(err->message, sizeof err->message, "out of memory making a lexicon");
    }
    return NULL;
  }
  memset(lex, 0, sizeof *lex);
  lex->alloc = alloc;
  lex->ud = ud;
  lex->fold = fold != 0;
  lex->bytes = sizeof *lex;
  lex->nodes = 1;
  return lex;
}

void lector_lexicon_free(lector_lexicon *lex) {
  if (!lex) return;
  for (size_t i = 0; i < lex->chunk_count; i++)
    lex_realloc(lex, lex->chunks[i], sizeof(chunk) + lex->chunks[i]->size, 0);
  lex_realloc(lex, lex->chunks, lex->chunk_cap * sizeof *lex->chunks, 0);
  interner_free(lex, &lex->tokens);
  interner_free(lex, &lex->labels);
  if (lex->edges) lex_realloc(lex, lex->edges, ((size_t)lex->edge_mask + 1) * sizeof(edge), 0);
  lex_realloc(lex, lex->roots, (size_t)lex->root_cap * sizeof(edge), 0);
  for (uint32_t b = 0; b < lex->block_count; b++)
    lex_realloc(lex, lex->blocks[b], ENTRY_BLOCK * sizeof **lex->blocks, 0);
  lex_realloc(lex, lex->blocks, (size_t)lex->block_cap * sizeof *lex->blocks, 0);
  lex_realloc(lex, lex->journal, lex->journal_cap * sizeof *lex->journal, 0);
  lex->alloc(lex->ud, lex, sizeof *lex, 0);
}

int lector_lexicon_folds(const lector_lexicon *lex) { return lex->fold; }
size_t lector_lexicon_size(const lector_lexicon *lex) { return lex->entries; }
size_t lector_lexicon_bytes(const lector_lexicon *lex) { return lex->bytes; }
size_t lector_lexicon_max_tokens(const lector_lexicon *lex) { return lex->max_tokens; }
size_t lector_lexicon_failed_bytes(const lector_lexicon *lex) { return lex->failed; }

/* ---- tokens as compared ------------------------------------------------ */

/*
 * The bytes a token is compared by: the token itself, or its case-folded
 * form when the lexicon folds. ASCII folds into buf (FOLD_BUFFER bytes)
 * without allocating; anything else goes through lector_token_fold, whose
 * result is left in *owned for the caller to free. NULL when out of
 * memory. Phrases and documents both come through here, so they fold
 * alike.
 */
static const char *token_key(int fold, const char *s, size_t n, char *buf, char **owned,
                             size_t *out) {
  *owned = NULL;
  *out = n;
  if (!fold) return s;
  if (n <= FOLD_BUFFER && lector_token_fold_ascii(s, n, buf)) return buf;
  *owned = lector_token_fold(s, n, out);
  return *owned;
}

/* ---- phrases ------------------------------------------------------------- */

/* A phrase as the segmenter cuts it. text is the phrase, or a normalized
 * copy of it (copy, malloc'd) when it needed normalizing. tokens are
 * seg's, or word for a phrase the segmenter was spared (see one_word). */
typedef struct phrase {
  const char *text;
  char *copy;
  lector_segments seg;
  const lector_token *tokens;
  size_t token_count;
  lector_token word;
} phrase;

/* Fill in err (which may be NULL) and return status. */
static lector_status fail(lector_error *err, lector_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static lector_status fail(lector_error *err, lector_status status, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->status = status;
    err->offset = 0;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}

static lector_status out_of_memory(lector_error *err) {
  return fail(err, LECTOR_ENOMEM, "out of memory");
}

static void phrase_close(phrase *p) {
  lector_segments_free(&p->seg);
  free(p->copy);
}

/* Whether a phrase is ASCII letters only, which the segmenter makes one
 * word of (a run of letters to the end of the text; dots, '@', '&' and
 * "://" are what make more of one): most lines of a lexicon are such
 * words, and segmenting each cost more than the rest of adding it. */
static int one_word(const char *s, size_t len) {
  if (len == 0 || len > LECTOR_HARD_MAX_DOC_BYTES) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned lower = (unsigned char)s[i] | 0x20;
    if (lower < 'a' || lower > 'z') return 0;
  }
  return 1;
}

/* Normalize (as documents are: NFC, LF) and segment a phrase. ASCII
 * without CR is already normal and is used as it is. */
static lector_status phrase_open(const char *s, size_t len, phrase *p, lector_error *err) {
  memset(p, 0, sizeof *p);
  p->text = s;
  if (one_word(s, len)) {
    p->word = (lector_token){.start = 0, .stop = (uint32_t)len, .kind = LECTOR_TOKEN_WORD};
    p->tokens = &p->word;
    p->token_count = 1;
    return LECTOR_OK;
  }
  if (len && memchr(s, '\0', len)) return fail(err, LECTOR_EINVAL, "the phrase holds a NUL byte");
  int plain = 1;
  for (size_t i = 0; i < len && plain; i++)
    plain = (unsigned char)s[i] < 0x80 && s[i] != '\r';
  if (!plain) {
    lector_text out;
    lector_error e;
    lector_status status = lector_text_normalize(s, len, NULL, &out, &e);
    if (status == LECTOR_EUTF8)
      return fail(err, status, "the phrase is not valid UTF-8 (at byte %zu)", e.offset + 1);
    if (status == LECTOR_ENOMEM) return out_of_memory(err);
    if (status != LECTOR_OK) return fail(err, LECTOR_EINVAL, "the phrase has no tokens");
    p->copy = out.data;
    p->text = out.data;
    len = out.len;
  }
  lector_status status = lector_segment(p->text, len, &p->seg);
  if (status != LECTOR_OK) {
    phrase_close(p);
    return status == LECTOR_ENOMEM ? out_of_memory(err)
                                   : fail(err, status, "the phrase cannot be segmented");
  }
  p->tokens = p->seg.tokens;
  p->token_count = p->seg.token_count;
  size_t n = p->token_count;
  if (n == 0) {
    phrase_close(p);
    return fail(err, LECTOR_EINVAL, "the phrase has no tokens");
  }
  if (n > LECTOR_LEXICON_MAX_PHRASE_TOKENS) {
    phrase_close(p);
    return fail(err, LECTOR_EINVAL, "the phrase has %zu tokens (at most %d)", n,
                LECTOR_LEXICON_MAX_PHRASE_TOKENS);
  }
  return LECTOR_OK;
}

/* ---- adding -------------------------------------------------------------- */

static lector_status check_label(const char *label, size_t len, lector_error *err) {
  if (len == 0) return fail(err, LECTOR_EINVAL, "the label is empty");
  if (len > LECTOR_MAX_NAME_BYTES)
    return fail(err, LECTOR_EINVAL, "the label is longer than %d bytes", LECTOR_MAX_NAME_BYTES);
  if (memchr(label, '\0', len)) return fail(err, LECTOR_EINVAL, "the label holds a NUL byte");
  if (lector_utf8_check(label, len) != len)
    return fail(err, LECTOR_EUTF8, "the label is not valid UTF-8");
  return LECTOR_OK;
}

/* The trie path of an open phrase, made as needed; the last edge, or NULL
 * when out of memory. */
static edge *add_path(lector_lexicon *lex, const phrase *p) {
  uint32_t node = 0;
  edge *e = NULL;
  char buf[FOLD_BUFFER];
  for (size_t i = 0; i < p->token_count; i++) {
    const lector_token *t = &p->tokens[i];
    char *owned;
    size_t n;
    const char *key = token_key(lex->fold, p->text + t->start, t->stop - t->start, buf, &owned, &n);
    const islot *token = key ? intern(lex, &lex->tokens, key, n) : NULL;
    free(owned);
    if (!token) return NULL;
    if (n > lex->max_token_bytes) set_max_token_bytes(lex, n);
    filter_add(lex->token_filter, token->hash);
    e = edge_add(lex, node, token->id1 - 1);
    if (!e) return NULL;
    node = e->child;
  }
  return e;
}

/* Add one entry, without undoing anything on failure (the callers do). */
static lector_status add_entry(lector_lexicon *lex, const char *s, size_t len, const char *label,
                               size_t label_len, double value, lector_error *err) {
  lector_status status = check_label(label, label_len, err);
  if (status != LECTOR_OK) return status;
  if (isinf(value)) return fail(err, LECTOR_EINVAL, "the value is not finite");
  phrase p;
  status = phrase_open(s, len, &p, err);
  if (status != LECTOR_OK) return status;
  uint32_t tokens = (uint32_t)p.token_count;
  edge *e = add_path(lex, &p);
  phrase_close(&p);
  const islot *label_slot = e ? intern(lex, &lex->labels, label, label_len) : NULL;
  if (!label_slot) return out_of_memory(err);
  const char *interned = label_slot->str;
  lector_lexicon_entry *last = NULL;
  for (lector_lexicon_entry *x = e->entry ? entry_at(lex, e->entry - 1) : NULL; x;
       x = own(x->next)) {
    if (x->label == interned) {
      if (lex->journaling) {
        if (lex->journal_count == lex->journal_cap) {
          size_t cap = lex->journal_cap ? lex->journal_cap * 2 : 64;
          replaced *j = lex_realloc(lex, lex->journal, lex->journal_cap * sizeof *j, cap * sizeof *j);
          if (!j) return out_of_memory(err);
          lex->journal = j;
          lex->journal_cap = cap;
        }
        lex->journal[lex->journal_count++] = (replaced){x, x->value};
      }
      x->value = value;
      return LECTOR_OK;
    }
    last = x;
  }
  uint32_t index = lex->entries;
  lector_lexicon_entry *fresh = entry_new(lex);
  if (!fresh) return out_of_memory(err);
  fresh->label = interned;
  fresh->value = value;
  fresh->next = NULL;
  if (last) last->next = fresh;
  else e->entry = index + 1;
  if (tokens > lex->max_tokens) lex->max_tokens = tokens;
  return LECTOR_OK;
}

lector_status lector_lexicon_add(lector_lexicon *lex, const char *phrase_text, size_t len,
                                 const char *label, double value, lector_error *err) {
  if (!lex || (!phrase_text && len) || !label) return fail(err, LECTOR_EINVAL, "no lexicon");
  snapshot s;
  take_snapshot(lex, &s);
  lector_status status = add_entry(lex, phrase_text ? phrase_text : "", len, label,
                                   strlen(label), value, err);
  if (status != LECTOR_OK) roll_back(lex, &s);
  return status;
}

/* ---- TSV --------------------------------------------------------------- */

/* A plain decimal ("-1.25", "3", ".5") of at most 15 digits, or 0 for
 * anything else. Its digits make an integer that a double holds exactly,
 * and so does the power of ten it is divided by: the one division rounds
 * as strtod does, at a fraction of its cost (most values of a lexicon are
 * such decimals). */
static int plain_decimal(const char *s, size_t n, double *value) {
  static const double powers_of_ten[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0, digits = 0, fraction = 0;
  int negative = 0, point = 0;
  if (n && (s[0] == '-' || s[0] == '+')) negative = s[i++] == '-';
  uint64_t m = 0;
  for (; i < n; i++) {
    if (s[i] >= '0' && s[i] <= '9') {
      m = m * 10 + (uint64_t)(s[i] - '0');
      fraction += point;
      if (++digits > 15) return 0;
    } else if (s[i] == '.' && !point) {
      point = 1;
    } else {
      return 0;
    }
  }
  if (digits == 0) return 0;
  double v = (double)m / powers_of_ten[fraction];
  *value = negative ? -v : v;
  return 1;
}

/* The finite number a whole field spells, or 0 when it spells none. */
static int parse_value(const char *s, size_t n, double *value) {
  if (plain_decimal(s, n, value)) return 1;
  char buf[64];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *end;
  *value = strtod(buf, &end);
  return end == buf + n && isfinite(*value);
}

static int is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t') return 0;
  return 1;
}

/* One line (without its line end): added, or status with err's message. */
static lector_status load_line(lector_lexicon *lex, const char *line, size_t n,
                               lector_error *err) {
  size_t bad = lector_utf8_check(line, n);
  if (bad != n) return fail(err, LECTOR_EUTF8, "invalid UTF-8 at byte %zu of the line", bad + 1);
  const char *tab = memchr(line, '\t', n);
  if (!tab || tab == line + n - 1)
    return fail(err, LECTOR_EINVAL, "no label (a line is PHRASE<TAB>LABEL[<TAB>VALUE])");
  size_t phrase_len = (size_t)(tab - line);
  const char *label = tab + 1;
  const char *rest = line + n;
  const char *tab2 = memchr(label, '\t', (size_t)(rest - label));
  size_t label_len = (size_t)((tab2 ? tab2 : rest) - label);
  double value = NAN;
  if (tab2) {
    const char *field = tab2 + 1;
    if (memchr(field, '\t', (size_t)(rest - field)))
      return fail(err, LECTOR_EINVAL, "more than three fields (a line is PHRASE<TAB>LABEL[<TAB>VALUE])");
    if (!parse_value(field, (size_t)(rest - field), &value)) {
      size_t shown = (size_t)(rest - field) > 40 ? 40 : (size_t)(rest - field);
      return fail(err, LECTOR_EINVAL, "the value '%.*s' is not a finite number", (int)shown,
                  field);
    }
  }
  if (label_len == 0)
    return fail(err, LECTOR_EINVAL, "no label (a line is PHRASE<TAB>LABEL[<TAB>VALUE])");
  return add_entry(lex, line, phrase_len, label, label_len, value, err);
}

/* Prefix err's message with "NAME:LINE: ", cut to whole characters. */
static void where(lector_error *err, const char *name, size_t lineno, size_t offset) {
  char full[sizeof err->message * 3];
  snprintf(full, sizeof full, "%.200s:%zu: %.255s", name, lineno, err->message);
  size_t n = strlen(full);
  if (n >= sizeof err->message) n = sizeof err->message - 1;
  while (n > 0 && ((unsigned char)full[n] & 0xC0) == 0x80) n--;
  memcpy(err->message, full, n);
  err->message[n] = '\0';
  err->offset = offset;
}

lector_status lector_lexicon_load(lector_lexicon *lex, const char *tsv, size_t len,
                                  const char *name, size_t *lines, lector_error *err) {
  if (lines) *lines = 0;
  if (!lex || (!tsv && len)) return fail(err, LECTOR_EINVAL, "no lexicon");
  if (!name) name = "lexicon";
  snapshot s;
  take_snapshot(lex, &s);
  lex->journaling = 1;
  lex->journal_count = 0;
  size_t added = 0, lineno = 0;
  lector_status status = LECTOR_OK;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(tsv + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - tsv) : len, n = end - pos;
    const char *line = tsv + pos;
    lineno++;
    if (n && line[n - 1] == '\r') n--;
    if (n && line[0] != '#' && !is_blank(line, n)) {
      status = load_line(lex, line, n, err);
      if (status != LECTOR_OK) {
        if (err) where(err, name, lineno, pos);
        break;
      }
      added++;
    }
    pos = end + 1;
  }
  if (status != LECTOR_OK) roll_back(lex, &s);
  lex->journaling = 0;
  lex->journal_count = 0;
  if (status == LECTOR_OK && lines) *lines = added;
  return status;
}

/* ---- looking up ---------------------------------------------------------- */

/* The id + 1 of the token whose compared bytes are key (kn bytes, hash
 * h), 0 when no phrase holds it. The filter answers for most tokens of a
 * text. */
LECTOR_HOT_INLINE uint32_t id1_by_key(const lector_lexicon *lex, const char *key, size_t kn,
                                      uint32_t h, int padded) {
  if (!filter_has(lex->token_filter, h)) return 0;
  const islot *token = intern_find(&lex->tokens, key, kn, h, padded);
  return token ? token->id1 : 0;
}

/* What a token of a text is to the lexicon: the id + 1 of its compared
 * bytes, 0 when no phrase holds it. readable: the bytes that may be read
 * from s, at least n (see hash_folded_ascii). */
LECTOR_HOT_INLINE uint32_t token_id1(const lector_lexicon *lex, const char *s, size_t n,
                                     size_t readable) {
  uint32_t h;
  if (n > lex->max_text_bytes) return 0;
  char buf[FOLD_BUFFER];
  if (lex->fold && n <= FOLD_BUFFER && hash_folded_ascii(s, n, readable, buf, &h))
    return id1_by_key(lex, buf, n, h, LITTLE_ENDIAN_WORDS);   /* most tokens: ASCII words */
  char *owned;
  size_t kn;
  const char *key = token_key(lex->fold, s, n, buf, &owned, &kn);
  uint32_t id1 = 0;
  if (key) {
    h = hash_bytes(key, kn);
    id1 = id1_by_key(lex, key, kn, h, 0);
  }
  if (owned) free(owned);
  return id1;
}

/* The edge a token leads along from node, or NULL. */
LECTOR_HOT_INLINE const edge *step(const lector_lexicon *lex, uint32_t node, const char *s,
                                   size_t n, size_t readable) {
  uint32_t id1 = token_id1(lex, s, n, readable);
  return id1 ? edge_find(lex, node, id1 - 1) : NULL;
}

const lector_lexicon_entry *lector_lexicon_get(const lector_lexicon *lex, const char *text,
                                               size_t len) {
  if (!lex || !lex->entries || (!text && len)) return NULL;
  phrase p;
  if (phrase_open(text ? text : "", len, &p, NULL) != LECTOR_OK) return NULL;
  const edge *e = NULL;
  uint32_t node = 0;
  for (size_t i = 0; i < p.token_count; i++) {
    const lector_token *t = &p.tokens[i];
    e = step(lex, node, p.text + t->start, t->stop - t->start, t->stop - t->start);
    if (!e) break;
    node = e->child;
  }
  phrase_close(&p);
  return e && e->entry ? entry_at(lex, e->entry - 1) : NULL;
}

/* lector_lexicon_longest on arguments already checked (first < end <=
 * the document's tokens, a lexicon with entries). */
LECTOR_HOT_INLINE uint32_t longest_from(const lector_lexicon *lex, const lector_doc *doc,
                                        uint32_t first, uint32_t end,
                                        const lector_lexicon_entry **entries) {
  uint32_t limit = end - first > lex->max_tokens ? first + lex->max_tokens : end;
  uint32_t node = 0, best = 0;
  for (uint32_t i = first; i < limit; i++) {
    const lector_token *t = &doc->seg.tokens[i];
    const edge *e = step(lex, node, doc->text + t->start, t->stop - t->start, doc->len - t->start);
    if (!e) break;
    node = e->child;
    if (e->entry) {
      best = i - first + 1;
      *entries = entry_at(lex, e->entry - 1);
    }
    if (!filter_has(lex->parent_filter, node)) break;     /* most hits */
  }
  return best;
}

uint32_t lector_lexicon_longest(const lector_lexicon *lex, const lector_doc *doc,
                                uint32_t first, uint32_t end,
                                const lector_lexicon_entry **entries) {
  *entries = NULL;
  if (!lex || !doc || end > doc->seg.token_count || first >= end || !lex->entries) return 0;
  return longest_from(lex, doc, first, end, entries);
}

/* The tokens a scan has looked up, known by their place modulo WINDOW: a
 * phrase from the scan's current token reaches at most
 * LECTOR_LEXICON_MAX_PHRASE_TOKENS ahead, so a token is looked up once,
 * not once for every phrase that might hold it. */
enum { WINDOW = 64 };
_Static_assert(WINDOW >= LECTOR_LEXICON_MAX_PHRASE_TOKENS && (WINDOW & (WINDOW - 1)) == 0,
               "a window holds a whole phrase and wraps by masking");

typedef struct token_window {
  uint32_t next;              /* the first token not looked up yet */
  uint32_t id1[WINDOW];       /* token_id1 of each token */
} token_window;

/* Look up the window's next token. */
LECTOR_HOT_INLINE void window_look_up(const lector_lexicon *lex, const lector_doc *doc,
                                      token_window *w) {
  const lector_token *t = &doc->seg.tokens[w->next];
  w->id1[w->next % WINDOW] =
      token_id1(lex, doc->text + t->start, t->stop - t->start, doc->len - t->start);
  w->next++;
}

/* longest_from over the window's look-ups. first is a token the window
 * has looked up or the next it will, and the window only moves on from
 * there. Most tokens start nothing, and are done with at the first
 * step. */
LECTOR_HOT_INLINE uint32_t longest_in_window(const lector_lexicon *lex, const lector_doc *doc,
                                             token_window *w, uint32_t first, uint32_t end,
                                             const lector_lexicon_entry **entries) {
  if (first == w->next) window_look_up(lex, doc, w);
  uint32_t id1 = w->id1[first % WINDOW];
  const edge *e = id1 ? edge_find(lex, 0, id1 - 1) : NULL;
  if (!e) return 0;
  uint32_t limit = end - first > lex->max_tokens ? first + lex->max_tokens : end;
  uint32_t best = 0;
  for (uint32_t i = first + 1;; i++) {
    if (e->entry) {
      best = i - first;
      *entries = entry_at(lex, e->entry - 1);
    }
    if (i == limit || !filter_has(lex->parent_filter, e->child)) break;
    if (i == w->next) window_look_up(lex, doc, w);
    id1 = w->id1[i % WINDOW];
    e = id1 ? edge_find(lex, e->child, id1 - 1) : NULL;
    if (!e) break;
  }
  return best;
}

/* What lector_lexicon_longest finds from each token, through a window
 * of look-ups; the checks are made once, not for every token. */
void lector_lexicon_scan(const lector_lexicon *lex, const lector_doc *doc, uint32_t first,
                         uint32_t end, int all, lector_lexicon_hit hit, void *ud) {
  if (!lex || !doc || end > doc->seg.token_count || !lex->entries) return;
  token_window w;
  w.next = first;
  for (uint32_t token = first; token < end;) {
    const lector_lexicon_entry *entries = NULL;
    uint32_t n = longest_in_window(lex, doc, &w, token, end, &entries);
    if (!n) {
      token++;
      continue;
    }
    hit(ud, token, n, entries);
    token += all ? 1 : n;
  }
}
