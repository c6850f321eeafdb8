/* fred_pdb's process-level calls in C (python3 extension _fred_pdb_process), each with a slower
 * pure-Python fallback in fred_pdb where this is not built:
 *
 *   fork_orphan()          a copy of this process that is not its child (a checkpoint's snapshot)
 *   set_child_subreaper()  prctl(PR_SET_CHILD_SUBREAPER) for the supervisor (ctypes otherwise)
 *   shim_resume()/shim_pause()  the record shim's switches, if it is preloaded (ctypes otherwise)
 *
 * fork_orphan: a snapshot must not be the program's child (the program's wait() would reap it,
 * and its end would send the program SIGCHLD), so it is forked by a short-lived intermediate and
 * adopted by the supervisor (a subreaper). In Python that takes two forks, each copying the page
 * tables of the whole process, one after the other: ~4 ms for a 70 MB process against 1.3 for
 * one fork. Here the intermediate is a vfork child, which shares this process's memory instead of
 * copying it; its one system call, a plain clone without CLONE_VM, makes the snapshot from that
 * shared memory (a copy of this process as it is now), and the intermediate exits. The snapshot
 * continues where the intermediate made it, in this function's frame (the memory it copied holds
 * this process's stack, suspended in vfork), and returns 0 as fork's child does.
 *
 * The intermediate runs on this process's stack and writes only the two volatile variables the
 * parent reads; signals are blocked around it (a handler would run on the shared stack). Python's
 * fork protocol (PyOS_BeforeFork, AfterFork_Parent/Child) is kept as os.fork keeps it. glibc
 * does not know the snapshot's thread id (clone without CLONE_CHILD_SETTID): since 2.34 raise()
 * asks the kernel, and what else reads it (recursive mutexes' owner) only compares it with
 * itself; a snapshot's own children are made by os.fork, which sets theirs. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static PyObject *fork_orphan(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    sigset_t all, previous;
    sigfillset(&all);
    PyOS_BeforeFork();
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    volatile pid_t snapshot = 0;
    volatile int failure = 0;
    pid_t intermediate = vfork();
    if (intermediate == 0) {
        long made = syscall(SYS_clone, (unsigned long)SIGCHLD, 0L, 0L, 0L, 0L);
        if (made == 0) goto in_snapshot;
        if (made < 0) failure = errno;
        else snapshot = (pid_t)made;
        _exit(0);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (intermediate > 0) {
        while (waitpid(intermediate, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    PyOS_AfterFork_Parent();
    if (intermediate < 0) {
        errno = saved;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (failure != 0) {
        errno = failure;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    return PyLong_FromLong((long)snapshot);

in_snapshot:
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    PyOS_AfterFork_Child();
    return PyLong_FromLong(0);
}

static PyObject *set_child_subreaper(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

/* The record shim's switches (native/record/recorder.c), found in the process if preloaded. */
static void (*shim_resume_fn)(void);
static void (*shim_pause_fn)(void);

static PyObject *shim_present(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyBool_FromLong(shim_resume_fn != NULL && shim_pause_fn != NULL);
}

static PyObject *shim_resume(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (shim_resume_fn != NULL) shim_resume_fn();
    Py_RETURN_NONE;
}

static PyObject *shim_pause(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (shim_pause_fn != NULL) shim_pause_fn();
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"fork_orphan", fork_orphan, METH_NOARGS, "A copy of this process adopted by the subreaper: its pid here, 0 in it."},
    {"set_child_subreaper", set_child_subreaper, METH_NOARGS, "prctl(PR_SET_CHILD_SUBREAPER, 1)."},
    {"shim_present", shim_present, METH_NOARGS, "Whether the record shim is preloaded."},
    {"shim_resume", shim_resume, METH_NOARGS, "The shim records the program's calls again."},
    {"shim_pause", shim_pause, METH_NOARGS, "The shim stops recording (the debugger's own code runs)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fred_pdb_process", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__fred_pdb_process(void) {
    *(void **)&shim_resume_fn = dlsym(RTLD_DEFAULT, "fred_record_resume");
    *(void **)&shim_pause_fn = dlsym(RTLD_DEFAULT, "fred_record_pause");
    return PyModule_Create(&module);
}
