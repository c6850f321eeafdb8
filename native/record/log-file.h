/* Opening, mapping and growing the record log file; used by the shim and by the Node addon. */
#ifndef FRED_LOG_FILE_H
#define FRED_LOG_FILE_H

#include <stdint.h>
#include "log-format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens the log at `path` (creating and initialising it when `create` and it is new or empty)
 * and maps its whole reserved size. NULL with errno set on failure (EINVAL: not a log). */
struct fred_log_header *fred_log_map(const char *path, int create);

/* Makes the file hold at least `needed` bytes. 0, or -1 when it cannot (the log is full). */
int fred_log_reserve(struct fred_log_header *log, const char *path, uint64_t needed);

/* True when the log lives in memory (tmpfs, e.g. /dev/shm): its pages are then written (zeros)
 * when the file grows, and a recorder maps them 64 KiB at a time with a read (see recorder.c). */
int fred_log_in_memory(const char *path);

void fred_log_unmap(struct fred_log_header *log);

#ifdef __cplusplus
}
#endif

#endif
