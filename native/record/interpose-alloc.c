/* malloc, calloc, realloc and free as progress: each call the program's main thread makes while
 * recording adds one to fred_progress_count. Allocation is deterministic, so in a replay the
 * count reaches the same value at the same moment, and programs that build data structures
 * allocate all the time: the count lets a debugger run at full speed to an exact point between
 * two checkpoints (fred_progress_stop_at, fred_progress_reached), the middle level of
 * reverse-watch's search. Nothing is logged: the calls run as they are. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "recorder.h"

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* dlsym may allocate while the real functions are being looked up: from here. */
static char bootstrap[16384] __attribute__((aligned(16)));
static size_t bootstrap_used;
static int resolving;

static void *bootstrap_alloc(size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (size > sizeof bootstrap - bootstrap_used) return NULL;
  void *block = bootstrap + bootstrap_used;
  bootstrap_used += size;
  return block;
}

static int from_bootstrap(const void *block) {
  return (const char *)block >= bootstrap && (const char *)block < bootstrap + sizeof bootstrap;
}

static int resolve(void) {
  if (real_free) return 1;
  if (resolving) return 0;
  resolving = 1;
  real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
  real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
  real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
  real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
  resolving = 0;
  return real_malloc && real_calloc && real_realloc && real_free;
}

FRED_EXPORT void *malloc(size_t size) {
  if (!resolve()) return bootstrap_alloc(size);
  fred_recorder_progress(__builtin_return_address(0));
  return real_malloc(size);
}

FRED_EXPORT void *calloc(size_t count, size_t size) {
  if (!resolve()) {
    if (size && count > SIZE_MAX / size) return NULL;
    return bootstrap_alloc(count * size); /* static memory is zeroed */
  }
  fred_recorder_progress(__builtin_return_address(0));
  return real_calloc(count, size);
}

FRED_EXPORT void *realloc(void *block, size_t size) {
  if (!resolve() || from_bootstrap(block)) {
    void *moved = resolve() ? real_malloc(size) : bootstrap_alloc(size);
    if (moved && block) memcpy(moved, block, size); /* bootstrap blocks are never large */
    return moved;
  }
  fred_recorder_progress(__builtin_return_address(0));
  return real_realloc(block, size);
}

FRED_EXPORT void free(void *block) {
  if (!block || from_bootstrap(block)) return;
  if (!resolve()) return;
  fred_recorder_progress(__builtin_return_address(0));
  real_free(block);
}
