/*
 * A Lua state's heap. Lua makes and frees small blocks by the million
 * (strings, tables, closures, hash parts) and frees them in bursts as the
 * collector sweeps, which keeps malloc off its fast path. Here blocks of
 * up to STATE_HEAP_SMALL bytes come from free lists, one per 16-byte size
 * class, carved out of large slabs; larger blocks come from malloc.
 *
 * The heap relies on lua_Alloc's contract: whoever frees or resizes a
 * block gives the size it was made with (osize), so a block needs no
 * header. Every size at or under STATE_HEAP_SMALL is a heap block and
 * every size over it a malloc block, whichever way it was reached. A heap
 * is used by one thread at a time, as its state is; its slabs go back to
 * the system only when it is freed.
 */
#ifndef LECTOR_STATE_HEAP_H
#define LECTOR_STATE_HEAP_H

#include <stddef.h>

#define STATE_HEAP_SMALL 256

typedef struct state_heap state_heap;

/* A new empty heap, or NULL when out of memory. */
state_heap *state_heap_new(void);

/* Frees the heap and every block it holds. */
void state_heap_free(state_heap *heap);

/* lua_Alloc's contract: ptr NULL makes a block of nsize; nsize 0 frees
 * ptr (of osize) and returns NULL; otherwise resizes ptr from osize to
 * nsize, keeping its first min(osize, nsize) bytes. Returns NULL when out
 * of memory, leaving ptr as it was. */
void *state_heap_realloc(state_heap *heap, void *ptr, size_t osize, size_t nsize);

/* Bytes held from the system in slabs (blocks in use and free alike). */
size_t state_heap_slab_bytes(const state_heap *heap);

#endif
