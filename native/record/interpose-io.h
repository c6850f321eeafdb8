/* The shim's read() and write() (trampolines.S entry points), which libc's own jump to. */
#ifndef FRED_INTERPOSE_IO_H
#define FRED_INTERPOSE_IO_H

#include <sys/types.h>

ssize_t fred_read(int fd, void *buffer, size_t size);
ssize_t fred_write(int fd, const void *buffer, size_t size);

#endif
