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

/* read(2) that never blocks (preadv2 with RWF_NOWAIT at the current position): -EAGAIN when it
 * would wait, -EOPNOTSUPP where the file does not support it (terminals). */
static inline long fred_raw_read_nowait(int fd, void *buffer, unsigned long size) {
  struct {
    void *base;
    unsigned long length;
  } vector = {buffer, size};
  long result;
  register long r10 __asm__("r10") = -1; /* position: the current one */
  register long r8 __asm__("r8") = 0;
  register long r9 __asm__("r9") = 0x00000008; /* RWF_NOWAIT */
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(SYS_preadv2), "D"(fd), "S"(&vector), "d"(1), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return result;
}

static inline long fred_raw_write(int fd, const void *buffer, unsigned long size) {
  return fred_raw_syscall(SYS_write, fd, (long)buffer, (long)size, 0);
}

static inline long fred_raw_getpid(void) {
  return fred_raw_syscall(SYS_getpid, 0, 0, 0, 0);
}

#endif
