/* Positions in a Python run that can be reached without tracing most of it (CPython 3.11).
 *
 * Not used by fred_pdb yet: the groundwork for issue #3's untraced forward runs, kept with the
 * exactness test that says it works (test/native/frame-boundaries.test.ts). Any trace function
 * makes 3.11 run traced frames unspecialized (~2.6-3.2x on inventory.py), so a forward run at
 * near native speed must leave most frames untraced, and a position must then be nameable
 * without having counted every event before it:
 *
 *   position = (E, k): E counts the boundaries of program frames (each entry and each exit of a
 *   frame whose code is in a program file, counted by a PEP 523 frame-evaluation hook, which
 *   sees every frame since 3.11 does not inline Python-to-Python calls while a hook is set), and
 *   k counts the trace events (line, return, exception) in program frames since the last
 *   boundary. A call event is (E, 0), just after its entry boundary; the exit boundary comes after
 *   the frame's return event.
 *
 * Tracing is switched per frame through the thread's CFrame.use_tracing (0 or 255), which a
 * callee's CFrame inherits and the eval loop checks at every instruction: the hook sets it for
 * the callee before evaluating it and restores the caller's after. FULL traces every frame; in
 * the untraced mode only the main module's frame is traced (its events are few and its end is
 * the program's), and every frame from the target's boundary on (E >= target E, so a target
 * past a segment's last event is met at the next event). Frames of other files are neither
 * boundaries nor counted; they inherit their caller's tracing. Nothing is counted while the
 * thread is inside a trace function (tstate->tracing), e.g. a debugger's prompt. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define Py_BUILD_CORE 1
#include <internal/pycore_frame.h>
#define SUPPORTED 1
#else
#define SUPPORTED 0
#endif

#if SUPPORTED

static struct {
    long long boundaries;  /* E */
    long long events;      /* k */
    long long target_boundaries;  /* -1: no target */
    long long target_events;
    long long trace_calls;  /* how often the trace function ran: what tracing cost */
    int full;
    int installed;
    PyObject *main_code;
    PyObject *program_files;  /* dict filename -> bool */
    PyObject *is_program;     /* filename -> bool */
    PyObject *on_event;       /* FULL: (E, k, frame, event) at every counted event, or NULL */
    PyObject *on_reached;     /* (E, k, frame, event) at the first event at or past the target */
    PyObject *last_code;      /* one-entry cache: a code object (held) and whether it counts */
    int last_counted;
} state = { .target_boundaries = -1 };

static PyObject *event_names[4];  /* PyTrace_CALL, _EXCEPTION, _LINE, _RETURN */

/* 1 when frames of `code` are the program's, 0 when not, -1 on error (an exception set). */
static int counted_code(PyObject *code) {
    if (code == state.last_code) return state.last_counted;
    PyObject *filename = ((PyCodeObject *)code)->co_filename;
    PyObject *known = PyDict_GetItemWithError(state.program_files, filename);  /* borrowed */
    int counted;
    if (known == NULL) {
        if (PyErr_Occurred()) return -1;
        PyObject *verdict = PyObject_CallOneArg(state.is_program, filename);
        if (verdict == NULL) return -1;
        int stored = PyDict_SetItem(state.program_files, filename, verdict);
        counted = PyObject_IsTrue(verdict);
        Py_DECREF(verdict);
        if (stored < 0 || counted < 0) return -1;
    } else {
        counted = PyObject_IsTrue(known);
        if (counted < 0) return -1;
    }
    Py_INCREF(code);
    Py_XSETREF(state.last_code, code);
    state.last_counted = counted;
    return counted;
}

static int past_target_boundary(void) {
    return state.target_boundaries >= 0 && state.boundaries >= state.target_boundaries;
}

static PyObject *evaluate(PyThreadState *thread, struct _PyInterpreterFrame *frame, int throwflag) {
    if (!state.installed || thread->tracing) return _PyEval_EvalFrameDefault(thread, frame, throwflag);
    int counted = counted_code((PyObject *)frame->f_code);
    if (counted < 0) PyErr_WriteUnraisable((PyObject *)frame->f_code);
    if (counted <= 0) return _PyEval_EvalFrameDefault(thread, frame, throwflag);
    state.boundaries++;
    state.events = 0;
    /* thread->cframe is still the caller's here: the callee's CFrame copies its use_tracing. */
    uint8_t callers = thread->cframe->use_tracing;
    int traced = state.full || (PyObject *)frame->f_code == state.main_code || past_target_boundary();
    thread->cframe->use_tracing = traced ? 255 : 0;
    PyObject *result = _PyEval_EvalFrameDefault(thread, frame, throwflag);
    state.boundaries++;
    state.events = 0;
    thread->cframe->use_tracing = state.full || past_target_boundary() ? 255 : callers;
    return result;
}

static int call_back(PyObject *callback, PyFrameObject *frame, int what) {
    PyObject *result = PyObject_CallFunction(callback, "LLOO", state.boundaries, state.events, (PyObject *)frame,
                                             event_names[what]);
    if (result == NULL) return -1;
    Py_DECREF(result);
    return 0;
}

static int trace(PyObject *unused, PyFrameObject *frame, int what, PyObject *arg) {
    (void)unused;
    (void)arg;
    state.trace_calls++;
    if (what > PyTrace_RETURN) return 0;  /* C calls, opcodes: never counted */
    PyObject *code = (PyObject *)PyFrame_GetCode(frame);  /* new reference */
    int counted = counted_code(code);
    Py_DECREF(code);
    if (counted <= 0) return counted;
    if (what != PyTrace_CALL) state.events++;
    if (state.on_event != NULL && call_back(state.on_event, frame, what) < 0) return -1;
    if (state.on_reached != NULL && state.target_boundaries >= 0
        && (state.boundaries > state.target_boundaries
            || (state.boundaries == state.target_boundaries && state.events >= state.target_events))) {
        state.target_boundaries = -1;
        return call_back(state.on_reached, frame, what);
    }
    return 0;
}

static void keep(PyObject **slot, PyObject *value) {
    Py_XINCREF(value);
    Py_XSETREF(*slot, value);
}

/* start(main_code, is_program, full, on_event, target, on_reached): counts from (0, 0).
 * `target` is an (E, k) tuple or None; on_event and on_reached may be None. */
static PyObject *start(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *main_code, *is_program, *on_event, *target, *on_reached;
    int full;
    if (!PyArg_ParseTuple(args, "O!OpOOO", &PyCode_Type, &main_code, &is_program, &full, &on_event, &target,
                          &on_reached))
        return NULL;
    long long target_boundaries = -1, target_events = 0;
    if (target != Py_None && !PyArg_ParseTuple(target, "LL", &target_boundaries, &target_events)) return NULL;
    PyObject *files = PyDict_New();
    if (files == NULL) return NULL;
    Py_XSETREF(state.program_files, files);
    keep(&state.main_code, main_code);
    keep(&state.is_program, is_program);
    keep(&state.on_event, on_event == Py_None ? NULL : on_event);
    keep(&state.on_reached, on_reached == Py_None ? NULL : on_reached);
    Py_CLEAR(state.last_code);
    state.boundaries = state.events = state.trace_calls = 0;
    state.target_boundaries = target_boundaries;
    state.target_events = target_events;
    state.full = full;
    state.installed = 1;
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(), evaluate);
    PyEval_SetTrace(trace, NULL);
    Py_RETURN_NONE;
}

/* stop() -> (E, k, trace calls): removes the hook and the trace function. */
static PyObject *stop(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    PyEval_SetTrace(NULL, NULL);
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(), _PyEval_EvalFrameDefault);
    state.installed = 0;
    Py_CLEAR(state.last_code);
    Py_CLEAR(state.on_event);
    Py_CLEAR(state.on_reached);
    return Py_BuildValue("(LLL)", state.boundaries, state.events, state.trace_calls);
}

#endif

static PyMethodDef methods[] = {
#if SUPPORTED
    {"start", start, METH_VARARGS, "start(main_code, is_program, full, on_event, target, on_reached)"},
    {"stop", stop, METH_NOARGS, "stop() -> (E, k, trace calls)"},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "_fred_frame_boundaries", .m_size = -1, .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fred_frame_boundaries(void) {
    PyObject *created = PyModule_Create(&module);
    if (created == NULL) return NULL;
#if SUPPORTED
    const char *names[4] = {"call", "exception", "line", "return"};
    for (int i = 0; i < 4; i++) {
        event_names[i] = PyUnicode_InternFromString(names[i]);
        if (event_names[i] == NULL) return NULL;
    }
#endif
    if (PyModule_AddIntConstant(created, "supported", SUPPORTED) < 0) return NULL;
    return created;
}
