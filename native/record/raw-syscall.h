/* System calls made without libc. The shim replaces libc's own read() and write() (see
 * libc-patch.c), so its real reads and writes must not go through them. x86-64 only. */
#ifndef FRED_RAW_SYSCALL_H
#define FRED_RAW_SYSCALL_H

#include <sys/syscall.h>

static inline long fred_raw_syscall(long number, long a, long b, long c, long d) {
  long result;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return result;
}

/* -errno on failure, as the kernel returns it. */
static inline long fred_raw_read(int fd, void *buffer, unsigned long size) {
  return fred_raw_syscall(SYS_read, fd, (long)buffer, (long)size, 0);
}

static inline long fred_raw_write(int fd, const void *buffer, unsigned long size) {
  return fred_raw_syscall(SYS_write, fd, (long)buffer, (long)size, 0);
}

static inline long fred_raw_getpid(void) {
  return fred_raw_syscall(SYS_getpid, 0, 0, 0, 0);
}

#endif
