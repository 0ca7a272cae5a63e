/*
 * A Lua state's heap: size-class free lists over slabs for small blocks,
 * malloc for the rest (see state_heap.h for why and for the contract).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state_heap.h"

/* Under AddressSanitizer, a free block is poisoned like freed memory, and
 * a block in use only up to the size asked for, so a use after free or a
 * write past the end is still reported. */
#if defined(__SANITIZE_ADDRESS__)
#define HEAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_ASAN 1
#endif
#endif
#ifdef HEAP_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* malloc's alignment, which Lua's objects need too. */
#define CLASS_BYTES 16
#define CLASSES (STATE_HEAP_SMALL / CLASS_BYTES)
#define SLAB_BYTES (64 * 1024)

typedef struct free_block {
  struct free_block *next;
} free_block;

/* A slab's first CLASS_BYTES bytes link it to the others; blocks follow. */
typedef struct slab {
  struct slab *next;
} slab;

_Static_assert(sizeof(slab) <= CLASS_BYTES, "a slab's link fits before its first block");
_Static_assert(STATE_HEAP_SMALL % CLASS_BYTES == 0, "small sizes end on a class");

struct state_heap {
  free_block *free[CLASSES];
  char *next_fresh;   /* the current slab's bytes not handed out yet */
  char *slab_end;
  slab *slabs;
  size_t slab_bytes;
  int refs;
};

static size_t class_of(size_t size) {
  return (size - 1) / CLASS_BYTES;
}

static size_t class_bytes(size_t class) {
  return (class + 1) * CLASS_BYTES;
}

static int is_small(size_t size) {
  return size <= STATE_HEAP_SMALL;
}

state_heap *state_heap_new(void) {
  state_heap *heap = calloc(1, sizeof(state_heap));
  if (heap) heap->refs = 1;
  return heap;
}

state_heap *state_heap_retain(state_heap *heap) {
  heap->refs++;
  return heap;
}

void state_heap_release(state_heap *heap) {
  if (!heap || --heap->refs > 0) return;
  slab *s = heap->slabs;
  while (s) {
    slab *next = s->next;
    UNPOISON(s, SLAB_BYTES);
    free(s);
    s = next;
  }
  free(heap);
}

size_t state_heap_slab_bytes(const state_heap *heap) {
  return heap->slab_bytes;
}

/* A new slab to carve from. What was left of the last one (less than a
 * block of the largest class) is not used. */
static int add_slab(state_heap *heap) {
  slab *s = malloc(SLAB_BYTES);
  if (!s) return 0;
  s->next = heap->slabs;
  heap->slabs = s;
  heap->slab_bytes += SLAB_BYTES;
  heap->next_fresh = (char *)s + CLASS_BYTES;
  heap->slab_end = (char *)s + SLAB_BYTES;
  POISON(heap->next_fresh, (size_t)(heap->slab_end - heap->next_fresh));
  return 1;
}

static void *small_alloc(state_heap *heap, size_t size) {
  size_t class = class_of(size);
  size_t bytes = class_bytes(class);
  free_block *block = heap->free[class];
  if (block) {
    UNPOISON(block, sizeof *block);
    heap->free[class] = block->next;
    POISON(block, sizeof *block);
    UNPOISON(block, size);
    return block;
  }
  int room = heap->next_fresh && (size_t)(heap->slab_end - heap->next_fresh) >= bytes;
  if (!room && !add_slab(heap)) return NULL;
  void *fresh = heap->next_fresh;
  heap->next_fresh += bytes;
  UNPOISON(fresh, size);
  return fresh;
}

static void small_release(state_heap *heap, void *ptr, size_t size) {
  size_t class = class_of(size);
  free_block *block = ptr;
  UNPOISON(block, sizeof *block);
  block->next = heap->free[class];
  heap->free[class] = block;
  POISON(block, class_bytes(class));
}

static void *block_alloc(state_heap *heap, size_t size) {
  return is_small(size) ? small_alloc(heap, size) : malloc(size);
}

static void block_release(state_heap *heap, void *ptr, size_t size) {
  if (is_small(size))
    small_release(heap, ptr, size);
  else
    free(ptr);
}

void *state_heap_realloc(state_heap *heap, void *ptr, size_t osize, size_t nsize) {
  if (nsize == 0) {
    if (ptr) block_release(heap, ptr, osize);
    return NULL;
  }
  if (!ptr) return block_alloc(heap, nsize);
  if (is_small(osize) && is_small(nsize)) {
    if (class_of(osize) == class_of(nsize)) {
      POISON(ptr, class_bytes(class_of(osize)));
      UNPOISON(ptr, nsize);
      return ptr;
    }
  } else if (!is_small(osize) && !is_small(nsize)) {
    return realloc(ptr, nsize);
  }
  void *moved = block_alloc(heap, nsize);
  if (!moved) return NULL;
  memcpy(moved, ptr, osize < nsize ? osize : nsize);
  block_release(heap, ptr, osize);
  return moved;
}
