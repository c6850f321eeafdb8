/* The event machinery every interposed call goes through: decides whether a call is recorded,
 * replayed from the log or simply run, and keeps this process's place in the log. */
#ifndef FRED_RECORDER_H
#define FRED_RECORDER_H

#include <stdint.h>
#include "log-format.h"

#define FRED_EXPORT __attribute__((visibility("default")))
/* The C side of an entry point of trampolines.S: NAME's is fred_impl_NAME. */
#define FRED_INTERPOSED __attribute__((visibility("hidden")))

/* Declares real_NAME: the definition of NAME the shim's own interposes (libc's). */
#define FRED_REAL(name) \
  static __typeof__(name) *real_##name; \
  if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

enum fred_call_mode {
  /* Not an event: run the real call (no log, paused, a debugger's own call, another thread,
   * a call made inside an event). */
  FRED_CALL_LIVE,
  /* Run the real call, then fred_call_record(). */
  FRED_CALL_RECORD,
  /* Take the result from call->logged, then fred_call_replayed(). */
  FRED_CALL_REPLAY,
};

struct fred_call {
  uint32_t kind;
  uint64_t arguments;
  const struct fred_log_event *logged;
  /* errno before the call: a call that succeeds leaves it as it was, recorded or replayed. */
  int saved_errno;
};

/* Set by trampolines.S for the call in progress: where its return address is. */
extern __thread void **fred_caller_slot __attribute__((tls_model("initial-exec")));
/* The top of the private stack the shim runs on (main thread only; 0 while on it). */
extern __thread uintptr_t fred_private_stack_top __attribute__((tls_model("initial-exec")));

enum fred_call_mode fred_call_begin(struct fred_call *call, uint32_t kind, uint64_t arguments);

/* Logs a recorded call. Returns FRED_CALL_RECORD when done, or FRED_CALL_REPLAY when the log
 * got this very event while the call ran (this process is a copy restored from a checkpoint
 * taken inside the call): then the caller uses call->logged, as for a replay. */
enum fred_call_mode fred_call_record(struct fred_call *call, int64_t result, int error, const void *payload,
                                     uint32_t payload_size);

/* Ends a replayed event and returns its logged result; errno is the logged one if it failed. */
int64_t fred_call_replayed(struct fred_call *call);

/* While a recorded call waits for input: true (and call->logged set) once the log holds this
 * event, as for fred_call_record(); a different event there is a divergence. */
int fred_call_logged_meanwhile(struct fred_call *call);

static inline const void *fred_event_payload(const struct fred_log_event *event) {
  return event + 1;
}

/* True in the program's own recording process (not paused, not a forked child of it). */
int fred_recorder_is_program(void);
/* The program forked: its child runs unrecorded. */
void fred_recorder_detach_child(void);
/* True when the call in progress comes from gdb (an expression, checkpoint's fork). */
int fred_recorder_called_by_debugger(void);
/* True when the clock read in progress is CPython's for a deadline of its own (every lock
 * acquire in 3.11 reads the monotonic clock), not a time the program sees. */
int fred_recorder_called_for_python_deadline(void);
void fred_recorder_count_swallowed(const void *output, uint64_t bytes);
/* One step of progress (an allocation) by the caller at `caller`, unless it is not the
 * program's own (paused, another thread, inside an event, gdb's call). */
void fred_recorder_progress(const void *caller);

#endif
