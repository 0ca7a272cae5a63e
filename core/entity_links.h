/*
 * Entity links: the mentions an extraction pass found, grouped into the
 * document's entities by key. Each entity is numbered in the order of its
 * first mention, takes its label and name from that mention, counts its
 * mentions and lists, as aliases, the other surfaces it was written with.
 * No Lua here: the Document's add_entities reads the mentions and writes
 * the spans and the value this builds.
 */
#ifndef LECTOR_ENTITY_LINKS_H
#define LECTOR_ENTITY_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "jsonbuf.h"

/* One mention. Two mentions are of one entity when their keys are equal:
 * key, or (when key is NULL) label and surface together. name is the
 * entity's name when this mention is its first (NULL: the surface). The
 * strings need not end in NUL and must stay put while the links are used. */
typedef struct lector_mention {
  const char *key;
  size_t key_len;
  const char *label;
  size_t label_len;
  const char *name;
  size_t name_len;
  const char *surface;
  size_t surface_len;
} lector_mention;

#define LECTOR_NO_ALIAS UINT32_MAX

/* The links of n mentions. Arrays by mention: entity_of (its entity's
 * number, from 0) and next_alias (the next mention that added an alias to
 * the same entity, or LECTOR_NO_ALIAS). Arrays by entity: first (its first
 * mention), mentions (how many), aliases (the first mention that added an
 * alias, or LECTOR_NO_ALIAS). */
typedef struct lector_entity_links {
  size_t n, count;
  uint32_t *entity_of, *next_alias;
  uint32_t *first, *mentions, *aliases, *last_alias;
  uint32_t *key_slots, *alias_slots;     /* hash tables: index + 1, 0 for empty */
  size_t key_mask, alias_mask;
} lector_entity_links;

/* The bytes lector_entity_links_init needs for n mentions; 0 when n is
 * too large to link (over UINT32_MAX - 1 or the size overflows). */
size_t lector_entity_links_bytes(size_t n);
/* Link mentions[0..n) using memory (lector_entity_links_bytes(n) bytes,
 * aligned for uint32_t), which the links then point into. */
void lector_entity_links_init(lector_entity_links *links, const lector_mention *mentions, size_t n,
                              void *memory);

/* An entity's name: its first mention's name, or surface. */
void lector_entity_name(const lector_entity_links *links, const lector_mention *mentions,
                        size_t entity, const char **name, size_t *len);
/* Write an entity's id, "E" and its number from 1, into buf (at least
 * LECTOR_ENTITY_ID_BYTES); returns its length. */
#define LECTOR_ENTITY_ID_BYTES 24
size_t lector_entity_id(size_t entity, char *buf);

/* Write the entities as a JSON list of {"aliases", "id", "label",
 * "mentions", "name"} objects (keys sorted, as lector's JSON writer
 * orders them), leaving out those whose label listed() refuses. */
typedef int (*lector_entity_listed)(void *ud, const char *label, size_t len);
void lector_entity_links_json(const lector_entity_links *links, const lector_mention *mentions,
                              lector_entity_listed listed, void *ud, jsonbuf *out);

#endif
