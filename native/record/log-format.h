/* The record log's layout: one file, mapped MAP_SHARED by the recording program (and every fork
 * of it) and by fred's Node addon. Shared by libfred-record.so and the addon; nothing else.
 *
 * Layout: a 4 KiB header (the control block), then event records back to back. Invariants:
 *  - The file only grows (`allocated`), so no mapper ever touches a page past its end.
 *  - Events [0, length) are complete; `end` is the byte offset where event `length` goes.
 *  - Only one process appends at a time: the live program. Checkpoint forks are frozen until
 *    a debugger restores one, and then the process that was live no longer runs.
 */
#ifndef FRED_LOG_FORMAT_H
#define FRED_LOG_FORMAT_H

#include <stdint.h>

#define FRED_LOG_MAGIC 0x31474f4c44524652ULL /* "FRDRLOG1" */
#define FRED_LOG_VERSION 1u
#define FRED_LOG_HEADER_SIZE 4096u
/* Address space every mapper reserves: the log can never grow past it. */
#define FRED_LOG_RESERVED_SIZE (4ULL << 30)
/* The file grows in steps of this many bytes (allocated up front, so a full disk is an error
 * from fallocate, never a SIGBUS in the program). */
#define FRED_LOG_GROWTH (4ULL << 20)
#define FRED_LOG_NO_STOP UINT64_MAX

enum fred_event_kind {
  FRED_EVENT_TIME = 1,
  FRED_EVENT_GETTIMEOFDAY = 2,
  FRED_EVENT_CLOCK_GETTIME = 3,
  FRED_EVENT_TIMESPEC_GET = 4,
  FRED_EVENT_CLOCK = 5,
  FRED_EVENT_GETRANDOM = 6,
  FRED_EVENT_GETENTROPY = 7,
  FRED_EVENT_ARC4RANDOM = 8,
  FRED_EVENT_GETPID = 9,
  FRED_EVENT_GETPPID = 10,
  FRED_EVENT_READ = 11,
  FRED_EVENT_RECVFROM = 12,
  FRED_EVENT_RECVMSG = 13,
  FRED_EVENT_WRITE = 14,
  FRED_EVENT_KIND_LIMIT
};

struct fred_log_header {
  uint64_t magic;
  uint32_t version;
  uint32_t header_size;
  uint64_t reserved_size;
  /* Bytes of the file that exist; only grows. */
  uint64_t allocated;
  /* Events in the log, and the byte offset of the next one. */
  uint64_t length;
  uint64_t end;
  /* fred_event_reached() is called when a process's event count becomes this. */
  uint64_t stop_at;
  /* The count at which fred_event_reached() was last called (FRED_LOG_NO_STOP: never). */
  uint64_t stop_reached;
  /* Set by the debugger: the next process to make an event first cuts the log at its own
   * count (a new branch of history). */
  uint64_t truncate_requested;
  /* The event count of the process that made the latest event, and its real pid: stale after
   * a checkpoint is restored, until the restored process makes an event. */
  uint64_t live_count;
  int64_t live_pid;
  /* Replays that made a different call than the log held at that position. */
  uint64_t divergences;
  uint64_t divergence_event;
  uint32_t divergence_expected; /* the kind the log held */
  uint32_t divergence_actual;   /* the kind the program called */
  /* Statistics. */
  uint64_t recorded;
  uint64_t replayed;
  uint64_t swallowed_bytes;
  /* The same output counted as a JavaScript string of it (UTF-16 code units) would be: what
   * fred's output gate counts positions in. */
  uint64_t swallowed_text_units;
  /* 1 once an event did not fit (reserved size reached, or the disk is full): from there on
   * the program runs unrecorded. */
  uint64_t full;
  /* Processes that started recording into this log (one per run of the program). */
  uint64_t starts;
};

/* One event. `arguments` is a digest of what the call asked (clock id, fd, sizes, written
 * bytes): a replay that asks something else has diverged. */
struct fred_log_event {
  uint32_t kind;
  uint32_t payload_size;
  uint64_t arguments;
  int64_t result;
  int32_t error; /* errno, when the call failed */
  uint32_t reserved;
  /* payload_size bytes follow, padded to 8. */
};

static inline uint64_t fred_log_record_size(uint32_t payload_size) {
  return sizeof(struct fred_log_event) + (((uint64_t)payload_size + 7u) & ~7ull);
}

#endif
