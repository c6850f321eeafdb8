/* The area a debugger writes its hit counters' trampolines into (fred_gdb_hits.py): reserved
 * here, at start-up, a little below the program's executable, because a jump patched into the
 * program's code reaches only 2 GiB. Reserving it in every run (not only when a debugger asks)
 * keeps the program's address space the same in every run and every checkpoint, and spares the
 * debugger calls into the program (which a crashed program cannot take). */
#include "hit-area.h"

#include <errno.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "recorder.h"

/* Page 0: the counters' data (read-write); the rest: their code (read and execute: the
 * debugger writes it through ptrace, which page protections do not stop). 0: no area. */
FRED_EXPORT void *volatile fred_hit_area;
FRED_EXPORT const uint64_t fred_hit_area_size = FRED_HIT_AREA_SIZE;

void fred_reserve_hit_area(void) {
  int saved_errno = errno;
  const uintptr_t page = 4096;
  const uintptr_t program = (uintptr_t)getauxval(AT_PHDR) & ~(page - 1);
  for (uintptr_t gap = 1u << 20; gap <= 64u << 20 && gap < program; gap += 1u << 20) {
    void *want = (void *)(program - gap);
    void *got = mmap(want, FRED_HIT_AREA_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == MAP_FAILED) continue;
    if (got != want) { /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
      munmap(got, FRED_HIT_AREA_SIZE);
      continue;
    }
    if (mprotect((char *)got + page, FRED_HIT_AREA_SIZE - page, PROT_READ | PROT_EXEC) == 0) fred_hit_area = got;
    else munmap(got, FRED_HIT_AREA_SIZE);
    break;
  }
  errno = saved_errno;
}
