/* Redirects libc's own read() and write() to the shim. */
#ifndef FRED_LIBC_PATCH_H
#define FRED_LIBC_PATCH_H

/* 1 when both are redirected; 0 (nothing changed) when libc does not look as expected. */
int fred_patch_libc(void);

#endif
