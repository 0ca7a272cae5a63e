/*
 * An allocator for allocation-failure tests (lua_Alloc's contract): the
 * first `allowed` allocations succeed and the rest fail, and the bytes
 * held are counted by the sizes the caller reports, so a test can check
 * that every failure path frees what it took.
 */
#ifndef LECTOR_TEST_FAILING_ALLOC_H
#define LECTOR_TEST_FAILING_ALLOC_H

#include <stdlib.h>

typedef struct failing {
  long allowed;    /* allocations that succeed before the rest fail; < 0: all */
  long calls;      /* allocations asked for */
  long long held;  /* bytes held, by the sizes the caller reports */
} failing;

static inline void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  failing *f = ud;
  if (nsize == 0) {
    f->held -= ptr ? (long long)osize : 0;
    free(ptr);
    return NULL;
  }
  if (f->allowed >= 0 && f->calls++ >= f->allowed) return NULL;
  void *p = realloc(ptr, nsize);
  if (p) f->held += (long long)nsize - (ptr ? (long long)osize : 0);
  return p;
}

#endif
