/* libfred-record.so's core: this process's place in the shared log (its event count, in private
 * memory, so a restored fork resumes at its checkpoint's count), recording, replaying,
 * divergence, the stop-at-event probe, and the controls fred's debuggers call.
 *
 * What is counted: only calls the program's main thread makes while recording is on, outside
 * any other event. gdb's own calls into the program (checkpoint's fork, expressions the user
 * evaluates) return to gdb's dummy-frame breakpoint, which gdb 13 on x86-64 puts on the stack
 * just above the call (other configurations use the program's entry point): a return address
 * no compiled code has, so such calls are recognised by it and never counted. pdb runs its own
 * code in the same process as the program, so there recording starts paused and fred_pdb
 * resumes it only while the program runs.
 */
#define _GNU_SOURCE
#include "recorder.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hit-area.h"
#include "libc-patch.h"
#include "log-file.h"
#include "raw-syscall.h"

struct recorder {
  struct fred_log_header *log;
  /* This process's place in the log: events gone through, and where the next one is. */
  uint64_t count;
  uint64_t offset;
  int paused;
  /* A forked child of the program, or a process whose stretch of history was cut off: its
   * calls run unrecorded. */
  int detached;
  int in_event;
  int64_t real_pid;
  /* The log is populated (its pages faulted in) up to here; UINT64_MAX: populating failed. */
  uint64_t populated;
  /* 1: populate the log by reading it (it is in memory), -1: with madvise, 0: not known yet. */
  int populate_by_reading;
  const void *entry;
  void (*reached_callback)(uint64_t);
  char path[PATH_MAX];
};

static struct recorder recorder;
__thread void **fred_caller_slot __attribute__((tls_model("initial-exec")));
__thread uintptr_t fred_private_stack_top __attribute__((tls_model("initial-exec")));
/* Where the main thread runs the shim (see trampolines.S). */
static char private_stack[256 * 1024] __attribute__((aligned(64)));
/* The top of the main thread's stack (set by the dynamic loader). */
extern void *__libc_stack_end;
/* Only the main thread's calls are events: another thread's would interleave differently in
 * every run. */
static __thread int program_thread __attribute__((tls_model("initial-exec")));

/* ---- probes: functions a debugger breaks on -------------------------------------------- */

/* Entered when this process's event count reaches the log's stop_at: gdb breaks here, so a
 * replay runs at full speed to an exact event. */
/* Probes are called directly, never through the PLT: lazy binding at the first call would leave
 * other scratch registers than a run that never called it, and marks fingerprint registers. */
#define FRED_PROBE __attribute__((visibility("protected"), noinline))

FRED_PROBE void fred_event_reached(uint64_t count) {
  __asm__ volatile("" : : "r"(count) : "memory");
}

/* Progress (interpose-alloc.c): this process's count of the program's allocations, in private
 * memory like the event count; a debugger reads it, and sets stop_at to be stopped (in
 * fred_progress_reached) when the count gets there. */
FRED_EXPORT volatile uint64_t fred_progress_count;
FRED_EXPORT volatile uint64_t fred_progress_stop_at;

FRED_PROBE void fred_progress_reached(uint64_t count) {
  __asm__ volatile("" : : "r"(count) : "memory");
}

/* Entered when a replay diverged from the log (the log is cut there first). */
FRED_PROBE void fred_record_diverged(uint64_t event) {
  __asm__ volatile("" : : "r"(event) : "memory");
}

/* ---- the log ------------------------------------------------------------------------- */

static const struct fred_log_event *event_at(uint64_t offset) {
  return (const struct fred_log_event *)((const char *)recorder.log + offset);
}

/* Cuts the log at this process's place: events from here on will be recorded afresh. */
static void cut_here(void) {
  struct fred_log_header *log = recorder.log;
  __atomic_store_n(&log->length, recorder.count, __ATOMIC_RELEASE);
  __atomic_store_n(&log->end, recorder.offset, __ATOMIC_RELEASE);
}

static void diverge(uint32_t expected, uint32_t actual) {
  struct fred_log_header *log = recorder.log;
  log->divergence_event = recorder.count;
  log->divergence_expected = expected;
  log->divergence_actual = actual;
  __atomic_add_fetch(&log->divergences, 1, __ATOMIC_RELEASE);
  cut_here();
  fred_record_diverged(recorder.count);
}

static void advance(uint64_t record_size) {
  struct fred_log_header *log = recorder.log;
  recorder.count++;
  recorder.offset += record_size;
  /* Learnt at the first event, not at start-up: a system call costs a small program dearly. */
  if (!recorder.real_pid) recorder.real_pid = fred_raw_getpid();
  __atomic_store_n(&log->live_count, recorder.count, __ATOMIC_RELAXED);
  __atomic_store_n(&log->live_pid, recorder.real_pid, __ATOMIC_RELAXED);
  if (recorder.count == __atomic_load_n(&log->stop_at, __ATOMIC_RELAXED)) {
    __atomic_store_n(&log->stop_reached, recorder.count, __ATOMIC_RELEASE);
    if (recorder.reached_callback) recorder.reached_callback(recorder.count);
    fred_event_reached(recorder.count);
  }
  recorder.in_event = 0;
}

/* This process's history was cut off behind it (its count is past the log's end): it can
 * neither replay nor append, so it runs on unrecorded. */
static void detach_stale(void) {
  recorder.detached = 1;
  recorder.in_event = 0;
}

/* ---- the event protocol ------------------------------------------------------------- */

enum fred_call_mode fred_call_begin(struct fred_call *call, uint32_t kind, uint64_t arguments) {
  struct fred_log_header *log = recorder.log;
  if (!log || recorder.paused || recorder.detached || recorder.in_event || !program_thread
      || fred_recorder_called_by_debugger()) {
    return FRED_CALL_LIVE;
  }
  recorder.in_event = 1;
  call->kind = kind;
  call->arguments = arguments;
  call->logged = NULL;
  call->saved_errno = errno;
  uint64_t length = __atomic_load_n(&log->length, __ATOMIC_ACQUIRE);
  if (__atomic_exchange_n(&log->truncate_requested, 0, __ATOMIC_ACQ_REL) && recorder.count <= length) {
    cut_here();
    length = recorder.count;
  }
  if (recorder.count < length) {
    const struct fred_log_event *logged = event_at(recorder.offset);
    if (logged->kind == kind && logged->arguments == arguments) {
      call->logged = logged;
      return FRED_CALL_REPLAY;
    }
    diverge(logged->kind, kind);
    return FRED_CALL_RECORD;
  }
  if (recorder.count == length && recorder.offset == __atomic_load_n(&log->end, __ATOMIC_ACQUIRE)) return FRED_CALL_RECORD;
  detach_stale();
  return FRED_CALL_LIVE;
}

int fred_call_logged_meanwhile(struct fred_call *call) {
  if (__atomic_load_n(&recorder.log->length, __ATOMIC_ACQUIRE) <= recorder.count) return 0;
  const struct fred_log_event *logged = event_at(recorder.offset);
  if (logged->kind == call->kind && logged->arguments == call->arguments) {
    call->logged = logged;
    return 1;
  }
  diverge(logged->kind, call->kind);
  return 0;
}

/* A fresh page of the log faults in at its first write, a few microseconds on a file in TMPDIR:
 * recorded input (a page per 4 KiB read) paid that per read. Populating a stretch ahead costs
 * less. In memory (tmpfs, where fred puts the log) the file's pages were written with zeros when
 * it grew (log-file.c): reading one byte of the stretch faults in all of it at once (the kernel's
 * fault-around, 64 KiB), writable (tmpfs tracks no dirty pages), ~0.2 us a page instead of
 * ~1 us; every page is read, so a smaller fault-around, or pages not written yet (a log made by
 * an older fred), only cost as much as before. Elsewhere, one call (Linux 5.14's
 * MADV_POPULATE_WRITE; without it pages fault in one by one). */
#define FRED_POPULATE_STRETCH (64u * 1024u)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static void populate_ahead(uint64_t end) {
  if (end <= recorder.populated || recorder.populated == UINT64_MAX) return;
  /* Decided at the first recorded payload, not at start-up: a system call costs a small program
   * dearly. (Not MADV_RANDOM, which halved the cost of unmapping the log at exit: every fork
   * restored by a search then faulted the log's pages in one by one, without fault-around; a
   * 2M-insertion bisection took 10% longer.) */
  if (!recorder.populate_by_reading) recorder.populate_by_reading = fred_log_in_memory(recorder.path) ? 1 : -1;
  uint64_t start = recorder.offset & ~(uint64_t)4095;
  if (start < recorder.populated) start = recorder.populated;
  uint64_t stop = start + FRED_POPULATE_STRETCH;
  uint64_t allocated = __atomic_load_n(&recorder.log->allocated, __ATOMIC_ACQUIRE);
  if (stop > allocated) stop = allocated;
  if (stop <= start) {
    recorder.populated = UINT64_MAX;
    return;
  }
  if (recorder.populate_by_reading > 0) {
    for (uint64_t page = start; page < stop; page += 4096) (void)*(volatile const char *)((const char *)recorder.log + page);
  } else if (madvise((char *)recorder.log + start, stop - start, MADV_POPULATE_WRITE) != 0) {
    recorder.populated = UINT64_MAX;
    return;
  }
  recorder.populated = stop;
}

enum fred_call_mode fred_call_record(struct fred_call *call, int64_t result, int error, const void *payload,
                                     uint32_t payload_size) {
  struct fred_log_header *log = recorder.log;
  uint64_t length = __atomic_load_n(&log->length, __ATOMIC_ACQUIRE);
  if (length > recorder.count) {
    const struct fred_log_event *logged = event_at(recorder.offset);
    if (logged->kind == call->kind && logged->arguments == call->arguments) {
      call->logged = logged;
      return FRED_CALL_REPLAY;
    }
    diverge(logged->kind, call->kind);
  } else if (length < recorder.count || __atomic_load_n(&log->end, __ATOMIC_ACQUIRE) != recorder.offset) {
    detach_stale();
    return FRED_CALL_RECORD;
  }
  uint64_t size = fred_log_record_size(payload_size);
  if (fred_log_reserve(log, recorder.path, recorder.offset + size) != 0) {
    __atomic_store_n(&log->full, 1, __ATOMIC_RELEASE);
    detach_stale();
    return FRED_CALL_RECORD;
  }
  if (payload_size) populate_ahead(recorder.offset + size);
  struct fred_log_event *event = (struct fred_log_event *)((char *)log + recorder.offset);
  event->kind = call->kind;
  event->payload_size = payload_size;
  event->arguments = call->arguments;
  event->result = result;
  event->error = error;
  event->reserved = 0;
  if (payload_size) memcpy(event + 1, payload, payload_size);
  errno = error ? error : call->saved_errno;
  __atomic_store_n(&log->end, recorder.offset + size, __ATOMIC_RELEASE);
  __atomic_store_n(&log->length, recorder.count + 1, __ATOMIC_RELEASE);
  __atomic_add_fetch(&log->recorded, 1, __ATOMIC_RELAXED);
  advance(size);
  return FRED_CALL_RECORD;
}

int64_t fred_call_replayed(struct fred_call *call) {
  const struct fred_log_event *logged = call->logged;
  __atomic_add_fetch(&recorder.log->replayed, 1, __ATOMIC_RELAXED);
  int64_t result = logged->result;
  int error = logged->error;
  advance(fred_log_record_size(logged->payload_size));
  errno = error ? error : call->saved_errno;
  return result;
}

int fred_recorder_is_program(void) {
  return recorder.log && !recorder.paused && !recorder.detached;
}

void fred_recorder_detach_child(void) {
  recorder.detached = 1;
}

/* CPython's internal monotonic clock (what its lock, sleep and select deadlines read), where the
 * process has one: [start, end) of its code. Python 3.11 reads it at every lock acquire, even a
 * try-lock, and which locks a run takes depends on where signals landed (a write interrupted by
 * fred's Ctrl-C retries with other locks): recorded, these reads made replays diverge. The values
 * the program asks for (time.monotonic, time.time) come through other functions. */
static struct {
  uintptr_t start, end;
} python_deadline_clocks[2];

/* Looked up at the first clock read, not at start: a failed dlsym allocates (dlerror's message),
 * and allocations are the progress count, which must be the same in every run at main. Inside
 * the lookup they are not counted (in_event). */
static void find_python_deadline_clocks(void) {
  const char *names[2] = {"_PyTime_GetMonotonicClock", "_PyTime_MonotonicUnchecked"};
  for (int i = 0; i < 2; i++) {
    void *address = dlsym(RTLD_DEFAULT, names[i]);
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (address && dladdr1(address, &info, (void **)&symbol, RTLD_DL_SYMENT) && symbol && symbol->st_size) {
      python_deadline_clocks[i].start = (uintptr_t)address;
      python_deadline_clocks[i].end = (uintptr_t)address + symbol->st_size;
    }
  }
}

int fred_recorder_called_for_python_deadline(void) {
  static int looked_up;
  if (!looked_up) {
    looked_up = 1;
    int in_event = recorder.in_event;
    recorder.in_event = 1;
    find_python_deadline_clocks();
    recorder.in_event = in_event;
  }
  void **slot = fred_caller_slot;
  if (!slot) return 0;
  uintptr_t caller = (uintptr_t)*slot;
  for (int i = 0; i < 2; i++) {
    if (caller >= python_deadline_clocks[i].start && caller < python_deadline_clocks[i].end) return 1;
  }
  return 0;
}

int fred_recorder_called_by_debugger(void) {
  void **slot = fred_caller_slot;
  if (!program_thread || !slot) return 0;
  const void *caller = *slot;
  /* Only asked on the main thread, whose stack __libc_stack_end ends (another thread's stack
   * may lie just below a library's code): gdb's return address is on it, above the call. */
  int on_stack = (uintptr_t)caller > (uintptr_t)slot && (uintptr_t)caller < (uintptr_t)__libc_stack_end;
  return on_stack || caller == recorder.entry;
}

void fred_recorder_progress(const void *caller) {
  if (!recorder.log || recorder.paused || recorder.in_event || !program_thread) return;
  /* gdb's own calls return to its dummy frame on the stack (see fred_recorder_called_by_debugger). */
  char here;
  if (((uintptr_t)caller > (uintptr_t)&here && (uintptr_t)caller < (uintptr_t)__libc_stack_end) || caller == recorder.entry) return;
  uint64_t count = fred_progress_count + 1;
  fred_progress_count = count;
  if (count == fred_progress_stop_at) fred_progress_reached(count);
}

void fred_recorder_count_swallowed(const void *output, uint64_t bytes) {
  /* UTF-16 code units of the UTF-8 text: one per character, two for those beyond U+FFFF. */
  const unsigned char *text = output;
  uint64_t units = 0;
  for (uint64_t i = 0; i < bytes; i++) units += (text[i] & 0xc0) != 0x80 ? 1u + (text[i] >= 0xf0) : 0u;
  __atomic_add_fetch(&recorder.log->swallowed_bytes, bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&recorder.log->swallowed_text_units, units, __ATOMIC_RELAXED);
}

/* ---- controls, for a debugger (gdb can call them, pdb through ctypes) ------------------ */

/* pdb: the debugger's own code runs in the program's process; it pauses recording while it
 * has control and resumes it when the program runs. */
FRED_EXPORT void fred_record_pause(void) {
  recorder.paused = 1;
}

FRED_EXPORT void fred_record_resume(void) {
  recorder.paused = 0;
}

/* This process's event count (-1: not recording). */
FRED_EXPORT int64_t fred_record_count(void) {
  return recorder.log && !recorder.detached ? (int64_t)recorder.count : -1;
}

/* Cuts the log at this process's count: what the program does from here on is a new branch of
 * history. 0, or -1 when this process does not record. */
FRED_EXPORT int fred_record_truncate(void) {
  if (!recorder.log || recorder.detached) return -1;
  if (recorder.count > __atomic_load_n(&recorder.log->length, __ATOMIC_ACQUIRE)) return -1;
  cut_here();
  return 0;
}

/* Called (inside the event, on the program's thread) whenever fred_event_reached() is. */
FRED_EXPORT void fred_record_set_reached_callback(void (*callback)(uint64_t)) {
  recorder.reached_callback = callback;
}

/* ---- start-up ------------------------------------------------------------------------ */

static void after_fork_in_child(void) {
  recorder.real_pid = 0;
}

/* Programs the program starts must not record into its log: take our variables and our own
 * LD_PRELOAD entry out of the environment it passes on. */
static void hide_from_children(void) {
  Dl_info self;
  const char *preload = getenv("LD_PRELOAD");
  if (preload && dladdr((void *)fred_event_reached, &self) && self.dli_fname) {
    static char kept[PATH_MAX * 2];
    size_t used = 0;
    const char *cursor = preload;
    while (*cursor) {
      size_t span = strcspn(cursor, ": ");
      int ours = span == strlen(self.dli_fname) && strncmp(cursor, self.dli_fname, span) == 0;
      if (!ours && span > 0 && used + span + 2 < sizeof kept) {
        if (used) kept[used++] = ':';
        memcpy(kept + used, cursor, span);
        used += span;
      }
      cursor += span;
      if (*cursor) cursor++;
    }
    kept[used] = '\0';
    if (used) setenv("LD_PRELOAD", kept, 1);
    else unsetenv("LD_PRELOAD");
  }
  unsetenv("FRED_RECORD_LOG");
  unsetenv("FRED_RECORD_PAUSED");
  if (getenv("FRED_BIND_NOW")) {  /* fred asked the dynamic linker to bind at start, not the user */
    unsetenv("LD_BIND_NOW");
    unsetenv("FRED_BIND_NOW");
  }
}

__attribute__((constructor)) static void start_recording(void) {
  const char *path = getenv("FRED_RECORD_LOG");
  if (!path || !*path) return;
  const char *paused = getenv("FRED_RECORD_PAUSED");
  /* Kept absolute: the log is reopened to grow it, maybe after the program changed directory. */
  size_t used = 0;
  if (path[0] != '/') {
    if (!getcwd(recorder.path, sizeof recorder.path)) return;
    used = strlen(recorder.path);
    recorder.path[used++] = '/';
  }
  if (used + strlen(path) >= sizeof recorder.path) return;
  strcpy(recorder.path + used, path);
  struct fred_log_header *log = fred_log_map(recorder.path, 1);
  if (!log) return;
  recorder.paused = paused && strcmp(paused, "1") == 0;
  recorder.entry = (const void *)getauxval(AT_ENTRY);
  program_thread = 1;
  fred_private_stack_top = (uintptr_t)(private_stack + sizeof private_stack);
  /* A new run of the program appends to the runs before it: checkpoints of those stay valid. */
  recorder.count = __atomic_load_n(&log->length, __ATOMIC_ACQUIRE);
  recorder.offset = __atomic_load_n(&log->end, __ATOMIC_ACQUIRE);
  if (!fred_patch_libc()) return; /* libc looks different from what the patch expects: stay out */
  pthread_atfork(NULL, NULL, after_fork_in_child);
  /* glibc's malloc draws a random key at its first allocation, with a raw getrandom this shim
   * cannot replay: drawn now, before fred checkpoints main, every replay has the same one (see
   * _draw_allocator_key in fred_gdb.py). Uncounted: the log is not in place yet. (volatile:
   * the compiler drops a malloc freed unused.) */
  void *volatile block = malloc(1);
  free(block);
  recorder.log = log;
  if (!recorder.paused) {
    /* gdb's program (pdb's python3 starts paused, and fred counts its events otherwise). */
    fred_reserve_hit_area();
    __atomic_add_fetch(&log->starts, 1, __ATOMIC_RELAXED);
    /* pdb's python3 (started paused) keeps them: fred_pdb's processes are forks, not execs. */
    hide_from_children();
  }
}
