/* The clocks: time, gettimeofday, clock_gettime (every clock), timespec_get and clock. glibc
 * answers most of them from the vDSO without a system call; interposing the libc symbols
 * catches the program's calls all the same, since they bind to the first definition. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "digest.h"
#include "recorder.h"

/* A replayed call that filled `out`: copies the logged bytes back and ends the event. */
static int64_t replay_into(struct fred_call *call, void *out, size_t size) {
  if (call->logged->payload_size == size) memcpy(out, fred_event_payload(call->logged), size);
  return fred_call_replayed(call);
}

FRED_INTERPOSED time_t fred_impl_time(time_t *out) {
  FRED_REAL(time);
  /* The result is the time; `out` just gets a copy of it. */
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_TIME, FRED_EVENT_TIME);
  if (mode == FRED_CALL_LIVE) return real_time(out);
  time_t now = 0;
  if (mode == FRED_CALL_RECORD) {
    now = real_time(NULL);
    mode = fred_call_record(&call, now, 0, NULL, 0);
  }
  if (mode == FRED_CALL_REPLAY) now = (time_t)fred_call_replayed(&call);
  if (out) *out = now;
  return now;
}

FRED_INTERPOSED int fred_impl_gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  FRED_REAL(gettimeofday);
  /* The time zone argument is obsolete (zeros on Linux): not recorded. */
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_GETTIMEOFDAY, FRED_EVENT_GETTIMEOFDAY);
  if (mode == FRED_CALL_LIVE) return real_gettimeofday(tv, tz);
  if (mode == FRED_CALL_RECORD) {
    int result = real_gettimeofday(tv, tz);
    int error = result < 0 ? errno : 0;
    if (fred_call_record(&call, result, error, tv, result == 0 ? sizeof *tv : 0) == FRED_CALL_RECORD) return result;
  }
  return (int)replay_into(&call, tv, sizeof *tv);
}

FRED_INTERPOSED int fred_impl_clock_gettime(clockid_t clock, struct timespec *ts) {
  FRED_REAL(clock_gettime);
  if (fred_recorder_called_for_python_deadline()) return real_clock_gettime(clock, ts);
  uint64_t arguments = fred_digest_word(FRED_EVENT_CLOCK_GETTIME, (uint64_t)(int64_t)clock);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_CLOCK_GETTIME, arguments);
  if (mode == FRED_CALL_LIVE) return real_clock_gettime(clock, ts);
  if (mode == FRED_CALL_RECORD) {
    int result = real_clock_gettime(clock, ts);
    int error = result < 0 ? errno : 0;
    if (fred_call_record(&call, result, error, ts, result == 0 ? sizeof *ts : 0) == FRED_CALL_RECORD) return result;
  }
  return (int)replay_into(&call, ts, sizeof *ts);
}

FRED_INTERPOSED int fred_impl_timespec_get(struct timespec *ts, int base) {
  FRED_REAL(timespec_get);
  uint64_t arguments = fred_digest_word(FRED_EVENT_TIMESPEC_GET, (uint64_t)base);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_TIMESPEC_GET, arguments);
  if (mode == FRED_CALL_LIVE) return real_timespec_get(ts, base);
  if (mode == FRED_CALL_RECORD) {
    int result = real_timespec_get(ts, base);
    if (fred_call_record(&call, result, 0, ts, result ? sizeof *ts : 0) == FRED_CALL_RECORD) return result;
  }
  return (int)replay_into(&call, ts, sizeof *ts);
}

FRED_INTERPOSED clock_t fred_impl_clock(void) {
  FRED_REAL(clock);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_CLOCK, FRED_EVENT_CLOCK);
  if (mode == FRED_CALL_LIVE) return real_clock();
  if (mode == FRED_CALL_RECORD) {
    clock_t result = real_clock();
    if (fred_call_record(&call, result, 0, NULL, 0) == FRED_CALL_RECORD) return result;
  }
  return (clock_t)fred_call_replayed(&call);
}
