/*
 * Entity links: mentions grouped by key (see entity_links.h).
 *
 * Two open-addressing tables, each at least twice the mentions in size:
 * one from a key to the entity it names, one from (entity, surface) to the
 * mention that added that alias. Work and memory are linear in the
 * mentions, whatever they hold.
 */
#include "entity_links.h"

#include <string.h>

#include "hash.h"

/* Past this many mentions the tables' sizes would not fit size_t's or
 * uint32_t's range. */
#define MAX_MENTIONS ((size_t)1 << 30)

static size_t table_size(size_t n) {
  size_t size = 8;
  while (size < 2 * n) size *= 2;
  return size;
}

size_t lector_entity_links_bytes(size_t n) {
  if (n > MAX_MENTIONS) return 0;
  /* by mention: entity_of, next_alias; by entity (at most n): first,
   * mentions, aliases, last_alias; and the two tables */
  return (6 * n + 2 * table_size(n)) * sizeof(uint32_t);
}

static uint64_t hash_key(const lector_mention *m) {
  if (m->key) return lector_hash_bytes(m->key, m->key_len, 1);
  return lector_hash_bytes(m->surface, m->surface_len, lector_hash_bytes(m->label, m->label_len, 2));
}

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen) {
  return alen == blen && memcmp(a, b, alen) == 0;
}

static int same_key(const lector_mention *a, const lector_mention *b) {
  if (!a->key != !b->key) return 0;
  if (a->key) return same_bytes(a->key, a->key_len, b->key, b->key_len);
  return same_bytes(a->label, a->label_len, b->label, b->label_len) &&
         same_bytes(a->surface, a->surface_len, b->surface, b->surface_len);
}

void lector_entity_name(const lector_entity_links *links, const lector_mention *mentions,
                        size_t entity, const char **name, size_t *len) {
  const lector_mention *m = &mentions[links->first[entity]];
  *name = m->name ? m->name : m->surface;
  *len = m->name ? m->name_len : m->surface_len;
}

/* The entity of mention i's key, made when it is the first. */
static uint32_t entity_for(lector_entity_links *links, const lector_mention *mentions, uint32_t i) {
  size_t slot = (size_t)hash_key(&mentions[i]) & links->key_mask;
  for (uint32_t e; (e = links->key_slots[slot]) != 0; slot = (slot + 1) & links->key_mask) {
    if (same_key(&mentions[links->first[e - 1]], &mentions[i])) return e - 1;
  }
  uint32_t e = (uint32_t)links->count++;
  links->key_slots[slot] = e + 1;
  links->first[e] = i;
  links->mentions[e] = 0;
  links->aliases[e] = links->last_alias[e] = LECTOR_NO_ALIAS;
  return e;
}

/* Add mention i's surface to entity e's aliases unless it is listed. */
static void add_alias(lector_entity_links *links, const lector_mention *mentions, uint32_t e,
                      uint32_t i) {
  const lector_mention *m = &mentions[i];
  size_t slot = (size_t)lector_hash_bytes(m->surface, m->surface_len, e + 3) & links->alias_mask;
  for (uint32_t k; (k = links->alias_slots[slot]) != 0; slot = (slot + 1) & links->alias_mask) {
    const lector_mention *other = &mentions[k - 1];
    if (links->entity_of[k - 1] == e &&
        same_bytes(other->surface, other->surface_len, m->surface, m->surface_len))
      return;
  }
  links->alias_slots[slot] = i + 1;
  if (links->last_alias[e] == LECTOR_NO_ALIAS) links->aliases[e] = i;
  else links->next_alias[links->last_alias[e]] = i;
  links->last_alias[e] = i;
}

void lector_entity_links_init(lector_entity_links *links, const lector_mention *mentions, size_t n,
                              void *memory) {
  uint32_t *at = memory;
  size_t size = table_size(n);
  links->n = n;
  links->count = 0;
  links->entity_of = at;
  links->next_alias = at + n;
  links->first = at + 2 * n;
  links->mentions = at + 3 * n;
  links->aliases = at + 4 * n;
  links->last_alias = at + 5 * n;
  links->key_slots = at + 6 * n;
  links->alias_slots = at + 6 * n + size;
  links->key_mask = links->alias_mask = size - 1;
  memset(links->key_slots, 0, 2 * size * sizeof(uint32_t));
  for (uint32_t i = 0; i < n; i++) {
    uint32_t e = entity_for(links, mentions, i);
    links->entity_of[i] = e;
    links->next_alias[i] = LECTOR_NO_ALIAS;
    links->mentions[e]++;
    const char *name;
    size_t len;
    lector_entity_name(links, mentions, e, &name, &len);
    if (!same_bytes(mentions[i].surface, mentions[i].surface_len, name, len))
      add_alias(links, mentions, e, i);
  }
}

size_t lector_entity_id(size_t entity, char *buf) {
  char digits[LECTOR_ENTITY_ID_BYTES];
  size_t n = 0, number = entity + 1;
  do {
    digits[n++] = (char)('0' + number % 10);
    number /= 10;
  } while (number);
  buf[0] = 'E';
  for (size_t k = 0; k < n; k++) buf[1 + k] = digits[n - 1 - k];
  buf[n + 1] = '\0';
  return n + 1;
}

static void write_entity(const lector_entity_links *links, const lector_mention *mentions,
                         size_t e, jsonbuf *out) {
  jsonbuf_bytes(out, "{\"aliases\":[", 12);
  for (uint32_t i = links->aliases[e]; i != LECTOR_NO_ALIAS; i = links->next_alias[i]) {
    if (i != links->aliases[e]) jsonbuf_bytes(out, ",", 1);
    jsonbuf_string(out, mentions[i].surface, mentions[i].surface_len);
  }
  char id[LECTOR_ENTITY_ID_BYTES];
  size_t id_len = lector_entity_id(e, id);
  jsonbuf_bytes(out, "],\"id\":\"", 8);
  jsonbuf_bytes(out, id, id_len);
  jsonbuf_bytes(out, "\",\"label\":", 10);
  const lector_mention *first = &mentions[links->first[e]];
  jsonbuf_string(out, first->label, first->label_len);
  jsonbuf_bytes(out, ",\"mentions\":", 12);
  jsonbuf_int(out, links->mentions[e]);
  jsonbuf_bytes(out, ",\"name\":", 8);
  const char *name;
  size_t len;
  lector_entity_name(links, mentions, e, &name, &len);
  jsonbuf_string(out, name, len);
  jsonbuf_bytes(out, "}", 1);
}

void lector_entity_links_json(const lector_entity_links *links, const lector_mention *mentions,
                              lector_entity_listed listed, void *ud, jsonbuf *out) {
  int written = 0;
  jsonbuf_bytes(out, "[", 1);
  for (size_t e = 0; e < links->count; e++) {
    const lector_mention *first = &mentions[links->first[e]];
    if (listed && !listed(ud, first->label, first->label_len)) continue;
    if (written++) jsonbuf_bytes(out, ",", 1);
    write_entity(links, mentions, e, out);
  }
  jsonbuf_bytes(out, "]", 1);
}
