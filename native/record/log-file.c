/* Opening, mapping and growing the record log file. The file is never shrunk: other processes
 * map it, and touching a mapped page past the end of a file is a SIGBUS. */
#define _GNU_SOURCE
#include "log-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static int in_memory(int fd) {
  struct statfs status;
  return fstatfs(fd, &status) == 0 && status.f_type == TMPFS_MAGIC;
}

int fred_log_in_memory(const char *path) {
  struct statfs status;
  return statfs(path, &status) == 0 && status.f_type == TMPFS_MAGIC;
}

/* On tmpfs, fallocate leaves its pages blank but "not yet written": the first touch of each one
 * through a mapping then faults it in alone (about 1 us a page here, paid by the recording
 * program for every 4 KiB of input it records). Writing zeros over them once (0.4 us a page)
 * puts them in the page cache as written pages, which a single read fault maps 64 KiB at a time
 * (the kernel's fault-around), writable: see populate_ahead() in recorder.c. Only the new range
 * [from, to), beyond what any process may have written yet. Best effort: the pages exist. */
static void write_zeros(int fd, uint64_t from, uint64_t to) {
  static const char zeros[4096];
  struct iovec vector[256];
  for (size_t i = 0; i < sizeof vector / sizeof vector[0]; i++) {
    vector[i].iov_base = (void *)zeros;
    vector[i].iov_len = sizeof zeros;
  }
  while (from < to) {
    uint64_t left = to - from;
    int count = 0;
    while (count < 256 && left > 0) {
      vector[count].iov_len = left < sizeof zeros ? left : sizeof zeros;
      left -= vector[count++].iov_len;
    }
    ssize_t written = pwritev(fd, vector, count, (off_t)from);
    vector[count - 1].iov_len = sizeof zeros;
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    from += (uint64_t)written;
  }
}

/* Sets the file's size to `size` (from `from`, its size before) with its blocks allocated, so
 * later writes through the mapping cannot fail for want of space. */
static int allocate(int fd, uint64_t from, uint64_t size) {
  int result;
  /* fallocate may give up with EINTR when a signal is pending (a debugger's interrupt for an
   * automatic checkpoint, say; tmpfs did on older kernels, this one never did in 10,000 signals):
   * unretried, recording would stop there (the log `full`). */
  do result = fallocate(fd, 0, 0, (off_t)size);
  while (result != 0 && errno == EINTR);
  if (result == 0) {
    if (in_memory(fd)) write_zeros(fd, from, size);
    return 0;
  }
  if (errno != EOPNOTSUPP) return -1;
  do result = ftruncate(fd, (off_t)size); /* a filesystem without fallocate: sparse, as good as it gets */
  while (result != 0 && errno == EINTR);
  return result;
}

/* flock(LOCK_EX), waiting through signals. */
static int lock(int fd) {
  int result;
  do result = flock(fd, LOCK_EX);
  while (result != 0 && errno == EINTR);
  return result;
}

static void initialise(struct fred_log_header *log) {
  memset(log, 0, sizeof *log);
  log->version = FRED_LOG_VERSION;
  log->header_size = FRED_LOG_HEADER_SIZE;
  log->reserved_size = FRED_LOG_RESERVED_SIZE;
  log->allocated = FRED_LOG_GROWTH;
  log->end = FRED_LOG_HEADER_SIZE;
  log->stop_at = FRED_LOG_NO_STOP;
  log->stop_reached = FRED_LOG_NO_STOP;
  /* Last: a reader that sees the magic sees an initialised header. */
  __atomic_store_n(&log->magic, FRED_LOG_MAGIC, __ATOMIC_RELEASE);
}

static int valid(const struct fred_log_header *log) {
  return __atomic_load_n(&log->magic, __ATOMIC_ACQUIRE) == FRED_LOG_MAGIC && log->version == FRED_LOG_VERSION
         && log->reserved_size == FRED_LOG_RESERVED_SIZE;
}

struct fred_log_header *fred_log_map(const char *path, int create) {
  int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0) return NULL;
  struct fred_log_header *log = NULL;
  struct stat status;
  /* The lock makes creation atomic when fred and the program open the log at once. A log that
   * exists and is valid needs none (the common case: fred creates it before the program runs). */
  int locked = fstat(fd, &status) == 0 && status.st_size == 0;
  if (locked && lock(fd) != 0) goto fail;
  if (fstat(fd, &status) != 0) goto fail;
  int fresh = status.st_size == 0;
  if (fresh && !create) {
    errno = EINVAL;
    goto fail;
  }
  if (fresh && allocate(fd, 0, FRED_LOG_GROWTH) != 0) goto fail;
  void *address = mmap(NULL, FRED_LOG_RESERVED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (address == MAP_FAILED) goto fail;
  log = address;
  if (fresh) initialise(log);
  /* Sized but not valid yet: its creator may still hold the lock; wait for it, then look again. */
  if (!valid(log) && !locked && lock(fd) == 0) locked = 1;
  if (!valid(log)) {
    errno = EINVAL;
    goto fail;
  }
  /* Unlock explicitly: the mapping holds the open file, so closing alone would keep the lock. */
  if (locked) flock(fd, LOCK_UN);
  close(fd); /* the mapping keeps the file; no descriptor is left in the program */
  return log;
fail:;
  int saved = errno;
  if (log) munmap(log, FRED_LOG_RESERVED_SIZE);
  close(fd); /* nothing is mapped any more: closing releases any lock */
  errno = saved;
  return NULL;
}

int fred_log_reserve(struct fred_log_header *log, const char *path, uint64_t needed) {
  if (needed <= __atomic_load_n(&log->allocated, __ATOMIC_ACQUIRE)) return 0;
  if (needed > log->reserved_size) return -1;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return -1;
  int result = -1;
  if (lock(fd) == 0) {
    uint64_t size = __atomic_load_n(&log->allocated, __ATOMIC_ACQUIRE);
    if (size >= needed) {
      result = 0;
    } else {
      uint64_t target = (needed + FRED_LOG_GROWTH - 1) / FRED_LOG_GROWTH * FRED_LOG_GROWTH;
      if (target > log->reserved_size) target = log->reserved_size;
      if (allocate(fd, size, target) == 0) {
        __atomic_store_n(&log->allocated, target, __ATOMIC_RELEASE);
        result = 0;
      }
    }
    flock(fd, LOCK_UN);
  }
  close(fd);
  return result;
}

void fred_log_unmap(struct fred_log_header *log) {
  if (log) munmap(log, FRED_LOG_RESERVED_SIZE);
}
