/*
 * A Lua state's heap: blocks of every size class and over it keep their
 * bytes through resizes across classes and to and from malloc blocks,
 * freed blocks are handed out again, slabs are added only when needed, a
 * shared heap outlives all but its last holder, and a random mix of
 * operations, checked byte by byte, corrupts nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state_heap.h"

static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed * 31u + i * 7u);
}

static void assert_filled(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(seed * 31u + i * 7u))
      fail_msg("byte %zu of a block of %zu changed", i, n);
}

static void every_size_is_aligned_and_holds_its_bytes(void **state) {
  (void)state;
  state_heap *heap = state_heap_new();
  assert_non_null(heap);
  void *blocks[STATE_HEAP_SMALL + 65];
  for (size_t size = 1; size <= STATE_HEAP_SMALL + 64; size++) {
    unsigned char *p = state_heap_realloc(heap, NULL, 0, size);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    fill(p, size, (unsigned)size);
    blocks[size] = p;
  }
  for (size_t size = 1; size <= STATE_HEAP_SMALL + 64; size++) {
    assert_filled(blocks[size], size, (unsigned)size);
    assert_null(state_heap_realloc(heap, blocks[size], size, 0));
  }
  state_heap_release(heap);
}

static void a_freed_block_is_handed_out_again_for_its_class(void **state) {
  (void)state;
  state_heap *heap = state_heap_new();
  void *a = state_heap_realloc(heap, NULL, 0, 40);
  void *b = state_heap_realloc(heap, NULL, 0, 40);
  assert_ptr_not_equal(a, b);
  state_heap_realloc(heap, a, 40, 0);
  /* 33..48 bytes are one class */
  assert_ptr_equal(state_heap_realloc(heap, NULL, 0, 33), a);
  /* another class does not take it */
  state_heap_realloc(heap, b, 40, 0);
  void *c = state_heap_realloc(heap, NULL, 0, 64);
  assert_ptr_not_equal(c, b);
  state_heap_release(heap);
}

static void resizing_within_a_class_keeps_the_block(void **state) {
  (void)state;
  state_heap *heap = state_heap_new();
  unsigned char *p = state_heap_realloc(heap, NULL, 0, 17);
  fill(p, 17, 5);
  assert_ptr_equal(state_heap_realloc(heap, p, 17, 32), p);
  assert_filled(p, 17, 5);
  state_heap_release(heap);
}

/* Small to small of another class, small to malloc and back, each keeping
 * the bytes both sizes share. */
static void resizing_across_classes_keeps_the_bytes(void **state) {
  (void)state;
  state_heap *heap = state_heap_new();
  const size_t sizes[] = {8, 24, 200, STATE_HEAP_SMALL, STATE_HEAP_SMALL + 1, 5000, 300, 100, 1};
  size_t n = sizeof sizes / sizeof sizes[0];
  unsigned char *p = state_heap_realloc(heap, NULL, 0, sizes[0]);
  fill(p, sizes[0], 9);
  for (size_t i = 1; i < n; i++) {
    size_t kept = sizes[i - 1] < sizes[i] ? sizes[i - 1] : sizes[i];
    p = state_heap_realloc(heap, p, sizes[i - 1], sizes[i]);
    assert_non_null(p);
    assert_filled(p, kept, 9);
    fill(p, sizes[i], 9);
  }
  state_heap_realloc(heap, p, sizes[n - 1], 0);
  state_heap_release(heap);
}

static void slabs_are_added_only_when_one_is_used_up(void **state) {
  (void)state;
  state_heap *heap = state_heap_new();
  assert_int_equal(state_heap_slab_bytes(heap), 0);
  void *first = state_heap_realloc(heap, NULL, 0, 16);
  size_t one = state_heap_slab_bytes(heap);
  assert_true(one > 0);
  /* free and make again: the same block, no new slab */
  for (int i = 0; i < 100000; i++) {
    state_heap_realloc(heap, first, 16, 0);
    assert_ptr_equal(state_heap_realloc(heap, NULL, 0, 16), first);
  }
  assert_int_equal(state_heap_slab_bytes(heap), one);
  /* blocks over the small sizes take no slab space */
  void *big = state_heap_realloc(heap, NULL, 0, STATE_HEAP_SMALL + 1);
  assert_int_equal(state_heap_slab_bytes(heap), one);
  state_heap_realloc(heap, big, STATE_HEAP_SMALL + 1, 0);
  /* more blocks than one slab holds */
  size_t count = one / 64 + 10;
  void **many = malloc(count * sizeof *many);
  for (size_t i = 0; i < count; i++) many[i] = state_heap_realloc(heap, NULL, 0, 64);
  assert_true(state_heap_slab_bytes(heap) > one);
  free(many);
  state_heap_release(heap);
}

/* Two holders of one heap: what one frees the other gets, and the heap
 * lives until the last lets go, whichever that is. */
static void a_shared_heap_lives_until_its_last_reference(void **state) {
  (void)state;
  state_heap *heap = state_heap_new();
  state_heap *shared = state_heap_retain(heap);
  assert_ptr_equal(shared, heap);
  unsigned char *a = state_heap_realloc(heap, NULL, 0, 96);
  state_heap_realloc(heap, a, 96, 0);
  unsigned char *b = state_heap_realloc(shared, NULL, 0, 90);
  assert_ptr_equal(b, a);
  state_heap_release(heap);               /* the first holder goes */
  fill(b, 90, 3);                         /* the block is still the second's */
  assert_filled(b, 90, 3);
  state_heap_realloc(shared, b, 90, 0);
  state_heap_release(shared);
  state_heap_release(NULL);
}

/* A Lua-like mix: many blocks of random sizes, resized and freed at
 * random, each checked before it changes. */
static void a_random_mix_corrupts_nothing(void **state) {
  (void)state;
  enum { SLOTS = 2000, STEPS = 200000 };
  state_heap *heap = state_heap_new();
  unsigned char *block[SLOTS] = {0};
  size_t size[SLOTS] = {0};
  unsigned seed_of[SLOTS] = {0};
  unsigned long rng = 12345;
  for (unsigned step = 0; step < STEPS; step++) {
    rng = rng * 6364136223846793005ul + 1442695040888963407ul;
    size_t slot = (rng >> 33) % SLOTS;
    size_t want = (rng >> 13) % 8 == 0 ? (rng >> 20) % 2000 + 1 : (rng >> 20) % 300 + 1;
    if (block[slot]) assert_filled(block[slot], size[slot], seed_of[slot]);
    if (block[slot] && (rng >> 40) % 3 == 0) {
      state_heap_realloc(heap, block[slot], size[slot], 0);
      block[slot] = NULL;
      continue;
    }
    unsigned char *p = state_heap_realloc(heap, block[slot], block[slot] ? size[slot] : 0, want);
    assert_non_null(p);
    if (block[slot]) {
      size_t kept = size[slot] < want ? size[slot] : want;
      assert_filled(p, kept, seed_of[slot]);
    }
    block[slot] = p;
    size[slot] = want;
    seed_of[slot] = step;
    fill(p, want, step);
  }
  for (size_t i = 0; i < SLOTS; i++) {
    if (!block[i]) continue;
    assert_filled(block[i], size[i], seed_of[i]);
    state_heap_realloc(heap, block[i], size[i], 0);
  }
  state_heap_release(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_size_is_aligned_and_holds_its_bytes),
      cmocka_unit_test(a_freed_block_is_handed_out_again_for_its_class),
      cmocka_unit_test(resizing_within_a_class_keeps_the_block),
      cmocka_unit_test(resizing_across_classes_keeps_the_bytes),
      cmocka_unit_test(slabs_are_added_only_when_one_is_used_up),
      cmocka_unit_test(a_shared_heap_lives_until_its_last_reference),
      cmocka_unit_test(a_random_mix_corrupts_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
