/* getpid, getppid and fork. A restored checkpoint is another process (gdb's checkpoints are
 * forks, and so are pdb's), so the program is shown the ids it first saw, in every replay and
 * after it. Its own forked children run unrecorded (they would append to the same log). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "raw-syscall.h"
#include "recorder.h"

/* The ids the program first saw; kept in private memory, so they travel with every fork. */
static pid_t first_pid;
static pid_t first_ppid;

/* kind: FRED_EVENT_GETPID or FRED_EVENT_GETPPID */
static pid_t program_id(uint32_t kind, pid_t *first) {
  struct fred_call call;
  switch (fred_call_begin(&call, kind, kind)) {
  case FRED_CALL_LIVE:
    /* gdb's own calls and the program's other threads see the program's ids too. */
    if (*first && fred_recorder_is_program()) return *first;
    return (pid_t)fred_raw_syscall(kind == FRED_EVENT_GETPID ? SYS_getpid : SYS_getppid, 0, 0, 0, 0);
  case FRED_CALL_RECORD: {
    pid_t id = *first ? *first : (pid_t)fred_raw_syscall(kind == FRED_EVENT_GETPID ? SYS_getpid : SYS_getppid, 0, 0, 0, 0);
    if (fred_call_record(&call, id, 0, NULL, 0) == FRED_CALL_RECORD) {
      *first = id;
      return id;
    }
    break;
  }
  case FRED_CALL_REPLAY:
    break;
  }
  *first = (pid_t)fred_call_replayed(&call);
  return *first;
}

FRED_INTERPOSED pid_t fred_impl_getpid(void) {
  return program_id(FRED_EVENT_GETPID, &first_pid);
}

FRED_INTERPOSED pid_t fred_impl_getppid(void) {
  return program_id(FRED_EVENT_GETPPID, &first_ppid);
}

/* gdb's `checkpoint` calls fork() inside the program: that child is a frozen copy which must
 * keep recording exactly as the original (it is recognised by its caller, see recorder.c), as
 * must pdb's forks, made while recording is paused. Only the program's own forks let go. */
FRED_INTERPOSED pid_t fred_impl_fork(void) {
  static pid_t (*real_fork)(void);
  if (!real_fork) real_fork = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
  if (!real_fork) {
    errno = ENOSYS;
    return -1;
  }
  int program_fork = fred_recorder_is_program() && !fred_recorder_called_by_debugger();
  pid_t pid = real_fork();
  if (pid == 0 && program_fork) fred_recorder_detach_child();
  return pid;
}
