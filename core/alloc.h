/*
 * The allocator the C core's containers (graphs, lexicons) use when the
 * caller gives none; they take lua_Alloc's contract so that one made in a
 * plugin's state can count against that state's memory limit instead.
 */
#ifndef LECTOR_ALLOC_H
#define LECTOR_ALLOC_H

#include <stddef.h>

/* lua_Alloc over malloc: nsize 0 frees ptr and returns NULL; otherwise
 * realloc. ud and osize are not needed. */
void *lector_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
