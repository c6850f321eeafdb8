/* fred's event counter for pdb, in C: fred_pdb_events.EventCounter's RUN_FREE mode without a
 * Python call per event. Python's own tracing machinery still runs (a frame object per call, a
 * line number per event), but the trace function itself costs a few instructions instead of a
 * Python call, which is most of the forward-run overhead of fred on Python programs.
 *
 * It must count exactly what the Python tracer counts (the index names one moment of a run,
 * whichever tracer counted it): every call, line, return and exception event in a frame of a
 * program file (classified by the same Python function, into the same dict). The main module's
 * call and return events are the Python tracer's business (its return is the program's end), and
 * so is the event whose index is the stop target: at those, `on_main(frame, event, arg)` (not
 * counted here) or `on_reached(frame, event, arg)` (counted) is called, and Python takes over.
 * Like the Python tracer, it keeps the exception unwinding the main module's frame, if one is
 * (from its exception event to its next line event), for the Python tracer to take over. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

static struct {
    long long count;
    long long stop_at;    /* -1: never */
    PyObject *main_code;  /* the main module's code object */
    PyObject *program_files;  /* dict filename -> bool, shared with the Python tracer */
    PyObject *is_program;     /* filename -> bool */
    PyObject *on_reached;
    PyObject *on_main;
    PyObject *unwinding;  /* the exception unwinding the main module's frame, or NULL */
    PyObject *finishing;  /* a frame whose return event goes to on_finished (counted), or NULL */
    PyObject *on_finished;
    PyObject *on_line;     /* line events where a breakpoint may be go to on_line (counted), or NULL */
    PyObject *lines_by_file;  /* dict filename -> frozenset of breakpoint lines, filled by lines_of */
    PyObject *lines_of;       /* filename -> frozenset */
    PyObject *last_code;  /* one-entry cache: a code object (held) and whether it is counted */
    int last_counted;
    int installed;
} state = { .stop_at = -1 };

static PyObject *event_names[4];  /* PyTrace_CALL, _EXCEPTION, _LINE, _RETURN */

/* Holds `value` in `*slot`, releasing what was there. */
static void keep(PyObject **slot, PyObject *value) {
    Py_INCREF(value);
    Py_XSETREF(*slot, value);
}

static int counted_file(PyObject *filename) {
    PyObject *known = PyDict_GetItemWithError(state.program_files, filename);  /* borrowed */
    if (known == NULL) {
        if (PyErr_Occurred()) return -1;
        PyObject *verdict = PyObject_CallOneArg(state.is_program, filename);
        if (verdict == NULL) return -1;
        int stored = PyDict_SetItem(state.program_files, filename, verdict);
        int counted = PyObject_IsTrue(verdict);
        Py_DECREF(verdict);
        return stored < 0 ? -1 : counted;
    }
    return PyObject_IsTrue(known);
}

static int hand_over(PyObject *callback, PyFrameObject *frame, int what, PyObject *arg) {
    PyObject *result = PyObject_CallFunctionObjArgs(
        callback, (PyObject *)frame, event_names[what], arg != NULL ? arg : Py_None, NULL);
    if (result == NULL) return -1;
    Py_DECREF(result);
    return 0;
}

/* 1 when a breakpoint may be on this line event's line (bdb decides: the line, or a function
 * breakpoint at the code's first line, as fred_pdb_events' `watching` tracer asks), else 0;
 * -1 on error. */
static int may_break(PyCodeObject *code, PyFrameObject *frame) {
    PyObject *lines = PyDict_GetItemWithError(state.lines_by_file, code->co_filename);  /* borrowed */
    if (lines == NULL) {
        if (PyErr_Occurred()) return -1;
        PyObject *computed = PyObject_CallOneArg(state.lines_of, code->co_filename);
        if (computed == NULL) return -1;
        int stored = PyDict_SetItem(state.lines_by_file, code->co_filename, computed);
        Py_DECREF(computed);
        if (stored < 0) return -1;
        lines = PyDict_GetItemWithError(state.lines_by_file, code->co_filename);
        if (lines == NULL) return -1;
    }
    if (!PyAnySet_Check(lines) || PySet_GET_SIZE(lines) == 0) return 0;
    int numbers[2] = {PyFrame_GetLineNumber(frame), code->co_firstlineno};
    for (int i = 0; i < 2; i++) {
        PyObject *number = PyLong_FromLong(numbers[i]);
        if (number == NULL) return -1;
        int found = PySet_Contains(lines, number);
        Py_DECREF(number);
        if (found != 0) return found;
    }
    return 0;
}

static int trace(PyObject *unused, PyFrameObject *frame, int what, PyObject *arg) {
    (void)unused;
    if (what > PyTrace_RETURN) return 0;  /* opcode events: never asked for */
    PyObject *code = (PyObject *)PyFrame_GetCode(frame);  /* new reference */
    if (code == state.main_code) {
        if (what == PyTrace_CALL || what == PyTrace_RETURN) {
            Py_DECREF(code);
            return hand_over(state.on_main, frame, what, arg);
        }
        if (what == PyTrace_EXCEPTION) {
            Py_XINCREF(arg);
            Py_XSETREF(state.unwinding, arg);
        } else {
            Py_CLEAR(state.unwinding);
        }
    } else if (code == state.last_code) {
        if (!state.last_counted) {
            Py_DECREF(code);
            return 0;
        }
    } else {
        int counted = counted_file(((PyCodeObject *)code)->co_filename);
        if (counted < 0) {
            Py_DECREF(code);
            return -1;
        }
        keep(&state.last_code, code);  /* its address cannot be reused meanwhile */
        state.last_counted = counted;
        if (!counted) {
            Py_DECREF(code);
            return 0;
        }
    }
    int result = 0;
    if (++state.count == state.stop_at) {
        result = hand_over(state.on_reached, frame, what, arg);
    } else if (what == PyTrace_RETURN && (PyObject *)frame == state.finishing) {
        result = hand_over(state.on_finished, frame, what, arg);
    } else if (what == PyTrace_LINE && state.on_line != NULL) {
        int line = may_break((PyCodeObject *)code, frame);
        result = line < 0 ? -1 : line ? hand_over(state.on_line, frame, what, arg) : 0;
    }
    Py_DECREF(code);
    return result;
}

/* start(count, stop_at, main_code, unwinding, program_files, is_program, on_reached, on_main) */
static PyObject *start(PyObject *self, PyObject *args) {
    (void)self;
    long long count, stop_at;
    PyObject *main_code, *unwinding, *program_files, *is_program, *on_reached, *on_main;
    if (!PyArg_ParseTuple(args, "LLOOO!OOO", &count, &stop_at, &main_code, &unwinding, &PyDict_Type,
                          &program_files, &is_program, &on_reached, &on_main))
        return NULL;
    if (unwinding == Py_None) {
        Py_CLEAR(state.unwinding);
    } else {
        keep(&state.unwinding, unwinding);
    }
    state.count = count;
    state.stop_at = stop_at;
    keep(&state.main_code, main_code);
    keep(&state.program_files, program_files);
    keep(&state.is_program, is_program);
    keep(&state.on_reached, on_reached);
    keep(&state.on_main, on_main);
    Py_CLEAR(state.last_code);
    state.installed = 1;
    PyEval_SetTrace(trace, NULL);
    Py_RETURN_NONE;
}

/* stop() -> (count, still_installed, unwinding or None): removes this trace function if it is still the thread's
 * (a SIGINT handler may have replaced it already) and gives the count back to Python. */
static PyObject *stop(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    PyThreadState *thread = PyThreadState_Get();
    int installed = state.installed && thread->c_tracefunc == trace;
    if (installed) PyEval_SetTrace(NULL, NULL);
    state.installed = 0;
    Py_CLEAR(state.last_code);
    Py_CLEAR(state.finishing);
    Py_CLEAR(state.on_finished);
    Py_CLEAR(state.on_line);
    Py_CLEAR(state.lines_by_file);
    Py_CLEAR(state.lines_of);
    PyObject *unwinding = state.unwinding != NULL ? state.unwinding : Py_None;
    PyObject *result = Py_BuildValue("(LOO)", state.count, installed ? Py_True : Py_False, unwinding);
    Py_CLEAR(state.unwinding);
    return result;
}

static PyObject *count(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLongLong(state.count);
}

static PyObject *set_stop_at(PyObject *self, PyObject *args) {
    (void)self;
    if (!PyArg_ParseTuple(args, "L", &state.stop_at)) return NULL;
    Py_RETURN_NONE;
}

/* finish(frame, on_finished): frame's return event (counted) goes to on_finished(frame, event, arg),
 * as fred_pdb_events' FINISH_FRAME mode does (a scan running a deeper call out), until stop(). */
static PyObject *finish(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *frame, *on_finished;
    if (!PyArg_ParseTuple(args, "OO", &frame, &on_finished)) return NULL;
    keep(&state.finishing, frame);
    keep(&state.on_finished, on_finished);
    Py_RETURN_NONE;
}

/* watch(lines_by_file, lines_of, on_line): line events where a breakpoint may be (lines_of(filename)
 * gives a file's lines, cached in lines_by_file) go to on_line(frame, event, arg), as
 * fred_pdb_events' BREAKPOINTS_ONLY mode does (`continue` with breakpoints), until stop(). */
static PyObject *watch(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lines_by_file, *lines_of, *on_line;
    if (!PyArg_ParseTuple(args, "O!OO", &PyDict_Type, &lines_by_file, &lines_of, &on_line)) return NULL;
    keep(&state.lines_by_file, lines_by_file);
    keep(&state.lines_of, lines_of);
    keep(&state.on_line, on_line);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"finish", finish, METH_VARARGS, "Hands one frame's return event to a callback."},
    {"watch", watch, METH_VARARGS, "Hands line events where a breakpoint may be to a callback."},
    {"start", start, METH_VARARGS, "Counts events in C from `count` on."},
    {"stop", stop, METH_NOARGS, "Stops counting: (count, whether still installed, the main frame's unwinding)."},
    {"count", count, METH_NOARGS, "Events counted so far."},
    {"set_stop_at", set_stop_at, METH_VARARGS, "The index whose event goes to on_reached (-1: none)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fred_event_counter", "fred's event counter for pdb, in C.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fred_event_counter(void) {
    const char *names[4] = {"call", "exception", "line", "return"};
    for (int i = 0; i < 4; i++) {
        event_names[i] = PyUnicode_InternFromString(names[i]);
        if (event_names[i] == NULL) return NULL;
    }
    return PyModule_Create(&module);
}
