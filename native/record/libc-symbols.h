/* Finds a function libc defines, with its size, without scanning libc's symbol table. */
#ifndef FRED_LIBC_SYMBOLS_H
#define FRED_LIBC_SYMBOLS_H

#include <stddef.h>

/* libc's own (non-IFUNC) definition of `name`: its address, and its size in bytes; NULL when
 * there is none. */
void *fred_libc_function(const char *name, size_t *size);

#endif
