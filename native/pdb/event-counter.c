/* fred's event counter for pdb, in C: the position of a Python run, and fred_pdb_events'
 * tracer modes without a Python call per event.
 *
 * A position is a pair (E, k) that names one trace event of a run, whichever tracer counted it:
 *
 *   With the frame hook (CPython 3.11): E counts the boundaries of program frames (each entry
 *   and each exit of a frame whose code is in a program file, counted by a PEP 523 frame
 *   evaluation hook, which sees every frame since 3.11 does not inline Python-to-Python calls
 *   while a hook is set), and k counts the trace events (line, return, exception) in program
 *   frames since the last boundary; a call event is (E, 0), just after its entry boundary, and
 *   the exit boundary comes after the frame's return event. Positions can then be reached
 *   without tracing most of a run: in the UNTRACED mode (`continue`, replays, a scan running a
 *   call out) only the main module's frame is traced (its end is the program's), the frames of
 *   code that holds a breakpoint (watch), the frame a finish waits for, and every frame from the
 *   target's boundary on; the others run at nearly native speed (a trace function makes 3.11 run
 *   traced frames unspecialized, ~2.5-3x slower).
 *
 *   Without it (another python3): the same pairs by the events alone (fred_pdb_events' Python
 *   counter follows the same rule): a call event starts a boundary, (E + 1, 0); other events
 *   are (E, k + 1); after a return event the next event starts a boundary. Every frame is traced.
 *
 * Tracing is switched per frame through the thread's CFrame.use_tracing (0 or 255), which a
 * callee's CFrame inherits and the eval loop checks at every instruction: the hook sets it for
 * the callee before evaluating it and sets the caller's after. Frames of other files are neither
 * boundaries nor counted; they inherit their caller's tracing. Nothing is counted while the
 * thread is inside a trace function (tstate->tracing): the debugger's own evaluations.
 *
 * The main module's call and return events are the Python tracer's business (its return is the
 * program's end): they go to on_main uncounted, and Python counts them (tick). The event at or
 * past the target goes to on_reached, or to on_interrupt when the target was an interrupt's (see
 * request_stop). The exception unwinding the main module's frame, if one is, is kept for the
 * Python tracer (from its exception event to its next line event). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define Py_BUILD_CORE 1
#include <internal/pycore_frame.h>
#define HOOKED 1
#else
#define HOOKED 0
#endif

/* Code objects' extra slots (PEP 523), under their 3.12 names. */
#if PY_VERSION_HEX >= 0x030C0000
#define code_get_extra PyUnstable_Code_GetExtra
#define code_set_extra PyUnstable_Code_SetExtra
#define request_code_extra_index PyUnstable_Eval_RequestCodeExtraIndex
#else
#define code_get_extra _PyCode_GetExtra
#define code_set_extra _PyCode_SetExtra
#define request_code_extra_index _PyEval_RequestCodeExtraIndex
#endif

enum reached { NOT_YET = 0, TARGET = 1, INTERRUPT = 2 };

static struct {
    long long E, k;
    int exiting;     /* without the hook: the last event was a return, the next starts a boundary */
    int has_target;
    int target_is_interrupt;
    long long target_E, target_k;
    int running;     /* a run of the program is being counted (begin_run) */
    int installed;   /* the C trace function is the thread's */
    int untraced;    /* UNTRACED mode: the hook leaves frames before the target untraced */
    int classifying; /* is_program is running */
    int suspended;   /* the debugger runs code outside a trace function (a signal handler) */
    PyThreadState *thread;  /* the thread that runs the program: other threads' frames are not counted */
    int inexact;     /* k is not known: a stop forced in an untraced frame (until the next boundary) */
    long long trace_calls;  /* how often the C trace function ran: what tracing cost */
    PyObject *main_code;      /* the main module's code object, or NULL until known */
    PyObject *program_files;  /* dict filename -> bool, shared with the Python tracer */
    PyObject *is_program;     /* filename -> bool */
    PyObject *on_reached;
    PyObject *on_main;
    PyObject *on_interrupt;
    PyObject *unwinding;  /* the exception unwinding the main module's frame, or NULL */
    PyObject *finishing;  /* a frame whose return event goes to on_finished (counted), or NULL */
    PyObject *on_finished;
    PyObject *on_line;     /* line events where a breakpoint may be go to on_line (counted), or NULL */
    PyObject *lines_by_file;  /* dict filename -> frozenset of breakpoint lines, filled by lines_of */
    PyObject *lines_of;       /* filename -> frozenset */
    PyObject *may_break;      /* code -> bool, or NULL: in UNTRACED mode, the frames that can hit a breakpoint are traced */
    long long breakpoints_generation;  /* may_break's verdicts hold while this does */
} state;

static PyObject *event_names[4];  /* PyTrace_CALL, _EXCEPTION, _LINE, _RETURN */

/* Holds `value` (or nothing) in `*slot`, releasing what was there. */
static void keep(PyObject **slot, PyObject *value) {
    Py_XINCREF(value);
    Py_XSETREF(*slot, value);
}

/* Each code object's verdict, kept in its co_extra slot (PEP 523): looked up at every frame entry
 * and exit, it must cost less than a dict lookup. 0: not known yet. */
static Py_ssize_t verdict_slot = -1;
#define PROGRAM ((void *)2)
#define NOT_PROGRAM ((void *)1)

/* 1 when frames of `code` are the program's, 0 when not, -1 on error (an exception set). */
static int counted_code(PyObject *code) {
    void *known = NULL;
    if (verdict_slot >= 0 && code_get_extra(code, verdict_slot, &known) == 0 && known != NULL) return known == PROGRAM;
    if (state.program_files == NULL) return 0;
    PyObject *filename = ((PyCodeObject *)code)->co_filename;
    PyObject *verdict = PyDict_GetItemWithError(state.program_files, filename);  /* borrowed */
    int counted;
    if (verdict == NULL) {
        if (PyErr_Occurred()) return -1;
        /* is_program is Python: its own frames pass the hook, which must not ask again. */
        state.classifying = 1;
        verdict = PyObject_CallOneArg(state.is_program, filename);
        state.classifying = 0;
        if (verdict == NULL) return -1;
        int stored = PyDict_SetItem(state.program_files, filename, verdict);
        counted = PyObject_IsTrue(verdict);
        Py_DECREF(verdict);
        if (stored < 0 || counted < 0) return -1;
    } else {
        counted = PyObject_IsTrue(verdict);
        if (counted < 0) return -1;
    }
    /* is_program is the same function for the process's life: the verdict stays true. */
    if (verdict_slot >= 0 && code_set_extra(code, verdict_slot, counted ? PROGRAM : NOT_PROGRAM) < 0) PyErr_Clear();
    return counted;
}

/* Counts one trace event of a program frame; says whether it is at or past the target (which
 * is then dropped). */
static enum reached count_event(int what) {
#if HOOKED
    if (what != PyTrace_CALL) state.k++;
#else
    if (state.exiting) {
        state.E++;
        state.k = 0;
        state.exiting = 0;
    }
    if (what == PyTrace_CALL) {
        state.E++;
        state.k = 0;
    } else {
        state.k++;
        state.exiting = what == PyTrace_RETURN;
    }
#endif
    if (state.has_target && (state.E > state.target_E || (state.E == state.target_E && state.k >= state.target_k))) {
        state.has_target = 0;
        return state.target_is_interrupt ? INTERRUPT : TARGET;
    }
    return NOT_YET;
}

#if HOOKED

static int past_target_boundary(void) {
    return state.has_target && state.E >= state.target_E;
}

/* Each code object's may_break verdict for the current breakpoints, kept like its program verdict:
 * (generation << 1 | verdict) + 1, 0 when not known. */
static Py_ssize_t may_break_slot = -1;

/* 1 when a frame of `code` (a program frame) must be traced because a breakpoint may be hit in
 * it (watch mode), else 0. */
static int traced_for_breakpoints(PyObject *code) {
    if (state.may_break == NULL) return 0;
    void *known = NULL;
    if (may_break_slot >= 0 && code_get_extra(code, may_break_slot, &known) == 0 && known != NULL) {
        uintptr_t packed = (uintptr_t)known - 1;
        if ((long long)(packed >> 1) == state.breakpoints_generation) return (int)(packed & 1);
    }
    state.classifying = 1;  /* may_break is Python (bdb's canonic): its frames are not the program's */
    PyObject *verdict = PyObject_CallOneArg(state.may_break, code);
    state.classifying = 0;
    int traced = verdict == NULL ? 1 : PyObject_IsTrue(verdict);  /* when in doubt, traced */
    Py_XDECREF(verdict);
    if (traced < 0 || PyErr_Occurred()) {
        PyErr_WriteUnraisable(code);
        traced = 1;
    }
    uintptr_t packed = ((uintptr_t)state.breakpoints_generation << 1 | (uintptr_t)traced) + 1;
    if (may_break_slot >= 0 && code_set_extra(code, may_break_slot, (void *)packed) < 0) PyErr_Clear();
    return traced;
}

/* Whether `frame` is the frame FINISH_FRAME waits for, which stays traced: its return event is
 * what the mode is for. */
static int finishing_frame(struct _PyInterpreterFrame *frame) {
    return state.finishing != NULL && ((PyFrameObject *)state.finishing)->f_frame == frame;
}

/* The hook: every frame evaluation of the interpreter passes here. */
static PyObject *evaluate(PyThreadState *thread, struct _PyInterpreterFrame *frame, int throwflag) {
    if (!state.running || thread != state.thread || thread->tracing || state.classifying || state.suspended)
        return _PyEval_EvalFrameDefault(thread, frame, throwflag);
    /* The classification below may call Python (is_program, may_break) and reports its own errors
     * as unraisable: an exception already set (a generator's throw() arrives with one) is put
     * aside meanwhile, or it would be cleared and the frame would run without it. */
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    int counted = counted_code((PyObject *)frame->f_code);
    if (counted < 0) PyErr_WriteUnraisable((PyObject *)frame->f_code);
    /* Calling a generator or coroutine function evaluates its frame only as far as
     * RETURN_GENERATOR, before any trace event: no boundary (its resumptions are). */
    if (counted <= 0 || ((frame->f_code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR))
                         && frame->prev_instr < _PyCode_CODE(frame->f_code))) {
        PyErr_Restore(type, value, traceback);
        return _PyEval_EvalFrameDefault(thread, frame, throwflag);
    }
    state.E++;
    state.k = 0;
    state.inexact = 0;
    /* thread->cframe is still the caller's here: the callee's CFrame copies its use_tracing. */
    _PyCFrame *callers_cframe = thread->cframe;
    uint8_t callers = callers_cframe->use_tracing;
    struct _PyInterpreterFrame *caller = callers_cframe->current_frame;
    if (state.untraced) {
        PyObject *code = (PyObject *)frame->f_code;
        int traced = code == state.main_code || past_target_boundary() || traced_for_breakpoints(code);
        callers_cframe->use_tracing = traced ? 255 : 0;
    }
    PyErr_Restore(type, value, traceback);
    PyObject *result = _PyEval_EvalFrameDefault(thread, frame, throwflag);
    state.E++;
    state.k = 0;
    state.inexact = 0;
    /* The main module's exit ends the run: what the debugger does next (a post mortem's
     * traceback) is not the program's. */
    if ((PyObject *)frame->f_code == state.main_code) state.running = 0;
    if (state.untraced) {
        /* The caller runs traced if it is the main module's frame or the target's boundary is
         * passed; a program frame otherwise not (it may have been traced before UNTRACED began);
         * another file's frame as it was. (The exception a frame that raised returns with is its
         * caller's to handle: put aside while the caller is classified, as at entry. Cleared
         * there, the interpreter saw a NULL result without one: "SystemError: <function ...>
         * returned NULL without setting an exception", seen under 1 ms checkpoints on crash.py.) */
        PyErr_Fetch(&type, &value, &traceback);
        uint8_t after = callers;
        if (past_target_boundary()) {
            after = 255;
        } else if (caller != NULL) {
            PyObject *code = (PyObject *)caller->f_code;
            if (code == state.main_code || finishing_frame(caller)) after = 255;
            else if (counted_code(code) == 1) after = traced_for_breakpoints(code) ? 255 : 0;
            else if (PyErr_Occurred()) PyErr_WriteUnraisable(code);
        }
        thread->cframe->use_tracing = after;
        PyErr_Restore(type, value, traceback);
    }
    return result;
}

#endif

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
static int line_may_break(PyCodeObject *code, PyFrameObject *frame) {
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
    state.trace_calls++;
    if (what > PyTrace_RETURN) return 0;  /* opcode events: never asked for */
    PyObject *code = (PyObject *)PyFrame_GetCode(frame);  /* new reference */
    if (code == state.main_code) {
        if (what == PyTrace_CALL || what == PyTrace_RETURN) {
            Py_DECREF(code);
            return hand_over(state.on_main, frame, what, arg);
        }
        if (what == PyTrace_EXCEPTION) {
            keep(&state.unwinding, arg);
        } else {
            Py_CLEAR(state.unwinding);
        }
    } else {
        int counted = counted_code(code);
        if (counted <= 0) {
            Py_DECREF(code);
            return counted;
        }
    }
    int result = 0;
    enum reached reached = count_event(what);
    if (reached == TARGET) {
        result = hand_over(state.on_reached, frame, what, arg);
    } else if (reached == INTERRUPT) {
        result = hand_over(state.on_interrupt, frame, what, arg);
    } else if (what == PyTrace_RETURN && (PyObject *)frame == state.finishing) {
        result = hand_over(state.on_finished, frame, what, arg);
    } else if (what == PyTrace_LINE && state.on_line != NULL) {
        int line = line_may_break((PyCodeObject *)code, frame);
        result = line < 0 ? -1 : line ? hand_over(state.on_line, frame, what, arg) : 0;
    }
    Py_DECREF(code);
    return result;
}

/* begin_run(program_files, is_program): a run of the program starts, its main module's code not
 * known yet (set_main); with the hook, frames are counted from now on. */
static PyObject *begin_run(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *program_files, *is_program;
    if (!PyArg_ParseTuple(args, "O!O", &PyDict_Type, &program_files, &is_program)) return NULL;
    keep(&state.program_files, program_files);
    keep(&state.is_program, is_program);
    Py_CLEAR(state.main_code);
    Py_CLEAR(state.unwinding);
    state.E = state.k = 0;
    state.exiting = 0;
    state.inexact = 0;
    state.has_target = 0;
    state.untraced = 0;
    state.running = 1;
    /* Like a trace function, which is the thread's: the program's other threads run as they may. */
    state.thread = PyThreadState_Get();
#if HOOKED
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(), evaluate);
#endif
    Py_RETURN_NONE;
}

/* set_main(code), at the main module's call event: positions count from its entry, (1, 0) once
 * its call event is counted; what ran before (the debugger starting the program) is not the
 * program's. */
static PyObject *set_main(PyObject *self, PyObject *code) {
    (void)self;
    if (!PyCode_Check(code)) {
        PyErr_SetString(PyExc_TypeError, "set_main takes a code object");
        return NULL;
    }
    keep(&state.main_code, code);
    state.E = HOOKED ? 1 : 0;  /* the hook has counted the entry; the rule counts the call event */
    state.k = 0;
    state.exiting = 0;
    state.inexact = 0;
    Py_RETURN_NONE;
}

/* tick(event) -> 0, 1 (the target) or 2 (an interrupt's target): a Python tracer counts one
 * event of a program frame (other than the main module's call and return). */
static PyObject *tick(PyObject *self, PyObject *event) {
    (void)self;
    int what;
    if (event == event_names[PyTrace_LINE]) what = PyTrace_LINE;
    else if (event == event_names[PyTrace_CALL]) what = PyTrace_CALL;
    else if (event == event_names[PyTrace_RETURN]) what = PyTrace_RETURN;
    else if (event == event_names[PyTrace_EXCEPTION]) what = PyTrace_EXCEPTION;
    else {
        what = -1;
        for (int i = 0; i <= PyTrace_RETURN && what < 0; i++) {
            int equal = PyUnicode_Compare(event, event_names[i]);
            if (equal == -1 && PyErr_Occurred()) return NULL;
            if (equal == 0) what = i;
        }
        if (what < 0) return PyLong_FromLong(NOT_YET);  /* c_call and the like: not counted */
    }
    return PyLong_FromLong(count_event(what));
}

static PyObject *position(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return Py_BuildValue("(LL)", state.E, state.k);
}

/* set_target((E, k) or None): the first event at or past it goes to on_reached (or tick says 1). */
static PyObject *set_target(PyObject *self, PyObject *target) {
    (void)self;
    if (target == Py_None) {
        state.has_target = 0;
        Py_RETURN_NONE;
    }
    long long E, k;
    if (!PyArg_ParseTuple(target, "LL", &E, &k)) return NULL;
    state.target_E = E;
    state.target_k = k;
    state.target_is_interrupt = 0;
    state.has_target = 1;
    Py_RETURN_NONE;
}

/* request_stop() -> 0, 1 or 2: in UNTRACED mode, an interrupt is taken at the next event whose
 * position is known, and goes to on_interrupt (unless the target comes first): 1, the next event
 * (the frame running is traced); 2, the first event at or past the next boundary (it is not: a
 * loop without calls may never get there). 0 (nothing done) in other modes, where every event is
 * counted. */
static PyObject *request_stop(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (!state.installed || !state.untraced) return PyLong_FromLong(0);
#if HOOKED
    /* Called from the signal handler's frame, whose CFrame copied the interrupted frame's. */
    int exact = PyThreadState_Get()->cframe->use_tracing != 0 && !state.inexact;
#else
    int exact = 1;  /* (never here: without the hook nothing runs untraced) */
#endif
    long long E = exact ? state.E : state.E + 1, k = exact ? state.k + 1 : 0;
    if (!state.has_target || state.target_is_interrupt || E < state.target_E || (E == state.target_E && k < state.target_k)) {
        state.target_E = E;
        state.target_k = k;
        state.target_is_interrupt = 1;
        state.has_target = 1;
    }
    return PyLong_FromLong(exact ? 1 : 2);
}

/* suspend() and resume(): the debugger's own code runs outside a trace function (fred_pdb's signal
 * handler, which calls into the standard library): its frames are not the program's. */
static PyObject *suspend(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    state.suspended++;
    Py_RETURN_NONE;
}

static PyObject *resume(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (state.suspended > 0) state.suspended--;
    Py_RETURN_NONE;
}

/* mark_inexact(): the program stops where k is not known (an interrupt that could not wait for
 * the next boundary); inexact() says so until the next boundary. */
static PyObject *mark_inexact(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    state.inexact = 1;
    Py_RETURN_NONE;
}

static PyObject *inexact(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyBool_FromLong(state.inexact);
}

/* start(main_code, unwinding, untraced, on_reached, on_main, on_interrupt): the C trace
 * function takes over (mode RUN_FREE, or UNTRACED when asked and the hook exists). */
static PyObject *start(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *main_code, *unwinding, *on_reached, *on_main, *on_interrupt;
    int untraced;
    if (!PyArg_ParseTuple(args, "O!OpOOO", &PyCode_Type, &main_code, &unwinding, &untraced, &on_reached, &on_main,
                          &on_interrupt))
        return NULL;
    keep(&state.unwinding, unwinding == Py_None ? NULL : unwinding);
    keep(&state.main_code, main_code);
    keep(&state.on_reached, on_reached);
    keep(&state.on_main, on_main);
    keep(&state.on_interrupt, on_interrupt);
    state.installed = 1;
    state.untraced = HOOKED && untraced;
    PyEval_SetTrace(trace, NULL);
    Py_RETURN_NONE;
}

/* stop() -> (still_installed, unwinding or None, interrupt_dropped): removes this trace function
 * if it is still the thread's (a SIGINT handler may have replaced it already); Python counts
 * (tick) from here. An interrupt still waiting for its event is dropped and said so: the caller
 * takes it (fred_pdb_events' line_in_c) or the program stops anyway. */
static PyObject *stop(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    PyThreadState *thread = PyThreadState_Get();
    int installed = state.installed && thread->c_tracefunc == trace;
    if (installed) PyEval_SetTrace(NULL, NULL);
    state.installed = 0;
    state.untraced = 0;
    int dropped = state.has_target && state.target_is_interrupt;
    if (dropped) state.has_target = 0;
    Py_CLEAR(state.finishing);
    Py_CLEAR(state.on_finished);
    Py_CLEAR(state.on_line);
    Py_CLEAR(state.lines_by_file);
    Py_CLEAR(state.lines_of);
    Py_CLEAR(state.may_break);
    PyObject *unwinding = state.unwinding != NULL ? state.unwinding : Py_None;
    PyObject *result = Py_BuildValue("(OON)", installed ? Py_True : Py_False, unwinding, PyBool_FromLong(dropped));
    Py_CLEAR(state.unwinding);
    return result;
}

/* finish(frame, on_finished): frame's return event (counted) goes to on_finished(frame, event, arg),
 * as fred_pdb_events' FINISH_FRAME mode does (a scan running a deeper call out), until stop(). In
 * UNTRACED mode the frame stays traced, and the frames it calls run untraced. */
static PyObject *finish(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *frame, *on_finished;
    if (!PyArg_ParseTuple(args, "OO", &frame, &on_finished)) return NULL;
    keep(&state.finishing, frame);
    keep(&state.on_finished, on_finished);
    Py_RETURN_NONE;
}

/* watch(lines_by_file, lines_of, on_line, may_break, generation): line events where a breakpoint may be
 * (lines_of(filename) gives a file's lines, cached in lines_by_file) go to on_line(frame, event,
 * arg), as fred_pdb_events' BREAKPOINTS_ONLY mode does (`continue` with breakpoints), until stop().
 * In UNTRACED mode only the frames of code objects for which may_break(code) holds are traced
 * (besides the main module's); may_break is asked once per code object and `generation` (a
 * number that changes when the breakpoints may have). */
static PyObject *watch(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lines_by_file, *lines_of, *on_line, *may_break;
    long long generation;
    if (!PyArg_ParseTuple(args, "O!OOOL", &PyDict_Type, &lines_by_file, &lines_of, &on_line, &may_break, &generation))
        return NULL;
    keep(&state.lines_by_file, lines_by_file);
    keep(&state.lines_of, lines_of);
    keep(&state.on_line, on_line);
    keep(&state.may_break, may_break);
    state.breakpoints_generation = generation;
    Py_RETURN_NONE;
}

static PyObject *trace_calls(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLongLong(state.trace_calls);
}

static PyMethodDef methods[] = {
    {"begin_run", begin_run, METH_VARARGS, "A run of the program starts at (0, 0)."},
    {"set_main", set_main, METH_O, "The main module's code object."},
    {"tick", tick, METH_O, "Counts one event of a program frame: 0, 1 (target) or 2 (interrupt)."},
    {"position", position, METH_NOARGS, "The position (E, k) of the last event counted."},
    {"set_target", set_target, METH_O, "(E, k) or None: where on_reached is called."},
    {"request_stop", request_stop, METH_NOARGS, "In UNTRACED mode, an interrupt at the next known position."},
    {"mark_inexact", mark_inexact, METH_NOARGS, "k is not known until the next boundary."},
    {"suspend", suspend, METH_NOARGS, "The debugger's own code runs: no boundaries counted."},
    {"resume", resume, METH_NOARGS, "The program's code runs again."},
    {"inexact", inexact, METH_NOARGS, "Whether k is not known."},
    {"start", start, METH_VARARGS, "The C trace function counts from here."},
    {"stop", stop, METH_NOARGS, "Stops the C trace function: (whether still installed, the main frame's unwinding, whether an interrupt was dropped)."},
    {"finish", finish, METH_VARARGS, "Hands one frame's return event to a callback."},
    {"watch", watch, METH_VARARGS, "Hands line events where a breakpoint may be to a callback."},
    {"trace_calls", trace_calls, METH_NOARGS, "How often the C trace function ran."},
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
    verdict_slot = request_code_extra_index(NULL);
#if HOOKED
    may_break_slot = request_code_extra_index(NULL);
#endif
    PyObject *created = PyModule_Create(&module);
    if (created == NULL) return NULL;
    if (PyModule_AddIntConstant(created, "hooked", HOOKED) < 0) return NULL;
    return created;
}
