/*
 * Hashing shared by the C core's hash tables (graph edges and terms,
 * lexicon tokens and trie edges).
 */
#ifndef LECTOR_HASH_H
#define LECTOR_HASH_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64's finalizer: keys built from sequential numbers differ only
 * in a few bits, and tables take the slot from the low bits, so every
 * input bit must reach them. */
static inline uint64_t lector_mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* FNV-1a over bytes, from a seed (several fields hash into one key by
 * chaining: the hash of one is the seed of the next), mixed. */
static inline uint64_t lector_hash_bytes(const char *s, size_t len, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (size_t k = 0; k < len; k++) h = (h ^ (unsigned char)s[k]) * 1099511628211ULL;
  return lector_mix64(h);
}

#endif
