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
 * every size over it a malloc block, whichever way it was reached.
 *
 * Several states may share a heap, so that what one frees another takes
 * (a plugin's state shares the heap of the state that made it): each holds
 * a reference, and the heap and its slabs go back to the system when the
 * last one lets go. The states sharing a heap must run on one thread at a
 * time, as a state and the plugin states it calls do.
 */
#ifndef LECTOR_STATE_HEAP_H
#define LECTOR_STATE_HEAP_H

#include <stddef.h>

#define STATE_HEAP_SMALL 256

typedef struct state_heap state_heap;

/* A new empty heap with one reference, or NULL when out of memory. */
state_heap *state_heap_new(void);

/* One more reference to heap; returns heap. */
state_heap *state_heap_retain(state_heap *heap);

/* Lets go of a reference; the last one frees the heap and every block it
 * holds. NULL is ignored. */
void state_heap_release(state_heap *heap);

/* lua_Alloc's contract: ptr NULL makes a block of nsize; nsize 0 frees
 * ptr (of osize) and returns NULL; otherwise resizes ptr from osize to
 * nsize, keeping its first min(osize, nsize) bytes. Returns NULL when out
 * of memory, leaving ptr as it was. */
void *state_heap_realloc(state_heap *heap, void *ptr, size_t osize, size_t nsize);

/* Bytes held from the system in slabs (blocks in use and free alike). */
size_t state_heap_slab_bytes(const state_heap *heap);

#endif
