/* Asks for the time N times (N = argv[1]) with a callback on fred_event_reached: prints
 * "@reached COUNT at CALL" when the shim calls it, then "@done COUNT" with its final event count. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int call;

static void reached(uint64_t count) {
  printf("@reached %lu at %d\n", (unsigned long)count, call);
}

int main(int argc, char **argv) {
  void (*set_callback)(void (*)(uint64_t)) = (void (*)(void (*)(uint64_t)))dlsym(RTLD_DEFAULT, "fred_record_set_reached_callback");
  int64_t (*count)(void) = (int64_t(*)(void))dlsym(RTLD_DEFAULT, "fred_record_count");
  if (!set_callback || !count) return 2;
  set_callback(reached);
  int calls = argc > 1 ? atoi(argv[1]) : 5;
  for (call = 1; call <= calls; call++) time(NULL);
  printf("@done %ld\n", (long)count());
  return 0;
}
