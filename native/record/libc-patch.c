/* Redirects libc's own read() and write() to the shim by writing a jump over their first bytes.
 * Interposing the symbols is not enough: stdio (fgets, scanf, printf, ...) calls them inside
 * libc through hidden aliases that LD_PRELOAD cannot reach, and those are exactly the reads of
 * a terminal or pipe and the writes to stdout the shim must see. The shim's replacements make
 * the system calls themselves (raw-syscall.h) and never return into the patched code.
 * x86-64 only: the jump is `jmp *0(%rip)` followed by the absolute address. */
#define _GNU_SOURCE
#include "libc-patch.h"

#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "interpose-io.h"
#include "libc-symbols.h"

#define JUMP_SIZE 14

/* Both functions' first bytes, usually on one page: one mprotect each way. */
static int make_writable(unsigned char *first, unsigned char *second, int writable) {
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t low = (uintptr_t)(first < second ? first : second);
  uintptr_t high = (uintptr_t)(first < second ? second : first) + JUMP_SIZE;
  uintptr_t start = low & ~(uintptr_t)(page - 1);
  uintptr_t end = (high + page - 1) & ~(uintptr_t)(page - 1);
  int protection = PROT_READ | PROT_EXEC | (writable ? PROT_WRITE : 0);
  /* read() and write() sit next to each other in libc; anything else is not what we know. */
  if (end - start > 4 * (uintptr_t)page) return -1;
  return mprotect((void *)start, end - start, protection);
}

static void write_jump(unsigned char *code, void *target) {
  unsigned char jump[JUMP_SIZE] = {0xff, 0x25, 0, 0, 0, 0};
  uint64_t address = (uint64_t)(uintptr_t)target;
  memcpy(jump + 6, &address, sizeof address);
  memcpy(code, jump, sizeof jump);
}

int fred_patch_libc(void) {
  size_t read_size = 0, write_size = 0;
  unsigned char *libc_read = fred_libc_function("read", &read_size);
  unsigned char *libc_write = fred_libc_function("write", &write_size);
  if (!libc_read || !libc_write || read_size < JUMP_SIZE || write_size < JUMP_SIZE) return 0;
  /* The program's calls must reach these very definitions (nothing else interposes them). */
  if (dlsym(RTLD_DEFAULT, "read") != libc_read || dlsym(RTLD_DEFAULT, "write") != libc_write) return 0;
  if (make_writable(libc_read, libc_write, 1) != 0) return 0;
  write_jump(libc_read, (void *)fred_read);
  write_jump(libc_write, (void *)fred_write);
  make_writable(libc_read, libc_write, 0);
  return 1;
}
