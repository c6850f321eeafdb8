# fred's event index for pdb: one trace function that counts every trace event (call, line,
# return, exception) in the program's frames, whatever pdb is doing, and hands pdb the events it
# needs. Its index names one exact moment of a run, so it must never depend on the debugger.
#
# A moment is a position (E, k): frame boundaries and events since the last one (see
# native/pdb/event-counter.c). The C counter owns the position when it is built for this python3,
# and the Python tracers count through it (tick); without it they follow the same rule in Python.
# In RUN_FREE mode (`continue` without breakpoints, replays), FINISH_FRAME (it hands over the
# finishing frame's return) and BREAKPOINTS_ONLY (it hands over the line events where a breakpoint
# may be) the C counter's trace function counts instead of a Python call per event, and with its
# frame hook (CPython 3.11) most frames are not traced at all (UNTRACED): only those the mode
# needs. An interrupt then lands at the next event whose position is known (request_stop).

import bdb
import cmd
import importlib
import os
import pdb
import runpy
import sys

import fred_pdb_native

# What the tracer does with an event besides counting it.
RUN_FREE = 0          # nothing: runUntil, and `continue` without breakpoints
FOLLOW_DEBUGGER = 1   # every event to bdb: step, next, return, until, interrupts, scans
FINISH_FRAME = 2      # nothing until one frame returns, then a callback (a scan's "finish")
BREAKPOINTS_ONLY = 3  # line events of files with breakpoints to bdb: `continue`, breakpoint hits


def _c_counter():
    """native/build/Release/_fred_event_counter, or None when it is not built for this python3 (or
    FRED_PDB_PYTHON_COUNTER is set, to compare the two)."""
    if os.environ.get('FRED_PDB_PYTHON_COUNTER'):
        return None
    return fred_pdb_native.load('_fred_event_counter')


def _machinery():
    """Files and folders of the debugger itself and of the import system: their frames are not the
    program's. Imports in particular depend on what the debugger imported first."""
    files = {bdb.__file__, pdb.__file__, cmd.__file__, runpy.__file__}
    folders = (os.path.dirname(os.path.abspath(__file__)) + os.sep, os.path.dirname(importlib.__file__) + os.sep)
    return files, folders


class EventCounter:
    """`trace` is the trace function (bdb installs it as self.trace_dispatch); `reached(frame,
    event, arg)` is called at the first event at or past the position given to `stop_at`;
    `interrupted(frame, event, arg)` at the event where an interrupt taken by `request_stop`
    lands; `dispatch` is bdb's own trace_dispatch; `breakpoint_lines(filename)` the lines with
    breakpoints in a file; `is_main(code)` tells the main module's code; `ending(frame,
    exception)` is called at its return event (the program's last event, `exception` the exc_info
    tuple unwinding it or None) and `stops()` counts the debugger's stops, so that `ending` is only
    called when nothing stopped at that event."""

    def __init__(self, dispatch, reached, interrupted, breakpoint_lines, is_main, ending, stops):
        files, folders = _machinery()
        c_counter = _c_counter()

        def is_program(filename):
            if filename in files or filename.startswith('<frozen importlib'):
                return False
            return not filename.startswith(folders)

        mode = FOLLOW_DEBUGGER
        finishing = None
        finished = None
        program_files = {}
        lines_by_file = {}
        watchers = {}
        main_code = None
        unwinding = None  # the exception leaving the main module's frame, if one is
        ending_with = None  # during the main module's return event: (that exception or None,)
        counting_in_c = False  # the C counter's trace function is the thread's
        # line_in_c runs (bdb sees a line where a breakpoint may be, then C counts on): an
        # interrupt meanwhile is owed, and line_in_c takes it (request_stop).
        handing_over = False
        owed = False
        breakpoints_seen = 0  # changes with every resume: the breakpoints may have changed

        # The position, counted in Python only without the C counter (the same rule as its own
        # without the frame hook): a call starts a boundary, and so does the event after a return.
        E = 0
        k = 0
        exiting = False
        target = None

        def python_tick(event):
            nonlocal E, k, exiting, target
            if exiting:
                E += 1
                k = 0
                exiting = False
            if event == 'call':
                E += 1
                k = 0
            else:
                k += 1
                exiting = event == 'return'
            if target is not None and (E > target[0] or (E == target[0] and k >= target[1])):
                target = None
                return 1
            return 0

        tick = c_counter.tick if c_counter is not None else python_tick

        def arrive(how, frame, event, arg):
            # tick's 1: the target; 2: where an interrupt lands.
            if how == 1:
                reached(frame, event, arg)
            else:
                interrupted(frame, event, arg)

        # Three kinds of local tracer. `local` serves every mode; `quiet` only counts; a `watching`
        # tracer hands bdb only the lines of one file that have breakpoints. A frame keeps its
        # tracer between events, so a change of mode gives the frames on the stack new ones.

        def quiet(frame, event, arg):
            how = tick(event)
            if how:
                arrive(how, frame, event, arg)
                return frame.f_trace  # a stop may have changed the mode, and the tracer with it
            return quiet

        def local(frame, event, arg):
            how = tick(event)
            if how:
                arrive(how, frame, event, arg)
                return frame.f_trace
            if mode:
                special(frame, event, arg)
                return frame.f_trace
            return local

        def watching(lines):
            def watch(frame, event, arg):
                how = tick(event)
                if how:
                    arrive(how, frame, event, arg)
                    return frame.f_trace
                if mode != BREAKPOINTS_ONLY:
                    if mode:
                        special(frame, event, arg)
                elif event == 'line' and (frame.f_lineno in lines or frame.f_code.co_firstlineno in lines):
                    # bdb looks for the line, or a function breakpoint at the code's first line.
                    dispatch(frame, event, arg)
                    return frame.f_trace
                return watch
            return watch

        def main_frame(frame, event, arg):
            # The main module's frame, in every mode: its return event is the end of the program,
            # where fred holds it (a `continue` would otherwise let it vanish without a stop).
            nonlocal unwinding, ending_with
            if event != 'return':
                if event == 'exception':
                    unwinding = arg
                elif event == 'line':
                    unwinding = None
                tracer_for_mode(frame)(frame, event, arg)
                return main_frame
            before = stops()
            ending_with, unwinding = (unwinding,), None
            try:
                tracer_for_mode(frame)(frame, event, arg)
                if stops() == before:
                    ending(frame, ending_with[0])
            finally:
                ending_with = None
            return main_frame

        def trace(frame, event, arg):
            # The global trace function (call events), and whatever bdb puts in a frame's f_trace.
            nonlocal main_code, E, k, exiting
            code = frame.f_code
            if code is main_code:
                return main_frame(frame, event, arg)
            filename = code.co_filename
            counted = program_files.get(filename)
            if counted is None:
                counted = program_files[filename] = is_program(filename)
            if not counted:
                return None
            if main_code is None and code.co_name == '<module>' and is_main(code):
                # pdb compiles the program as it starts it: its code is known at its first call.
                main_code = code
                # Positions count from here: the debugger's own start is not the program's.
                if c_counter is not None:
                    c_counter.set_main(code)
                else:
                    E, k, exiting = 0, 0, False
                return main_frame(frame, event, arg)
            how = tick(event)
            if how:
                arrive(how, frame, event, arg)
                return tracer_for(frame)
            # Inlined tracer_for: this runs at every call.
            if mode == RUN_FREE:
                return quiet
            if mode == BREAKPOINTS_ONLY:
                # Only line events can hit a breakpoint.
                watcher = watchers.get(filename)
                return watcher if watcher is not None else watcher_for(filename)
            special(frame, event, arg)
            return local

        def tracer_for(frame):
            if frame.f_code is main_code:
                return main_frame
            return tracer_for_mode(frame)

        def tracer_for_mode(frame):
            if mode == RUN_FREE:
                return quiet
            if mode == BREAKPOINTS_ONLY:
                return watcher_for(frame.f_code.co_filename)
            return local

        def watcher_for(filename):
            watcher = watchers.get(filename)
            if watcher is None:
                lines = lines_in(filename)
                watcher = watchers[filename] = watching(lines) if lines else quiet
            return watcher

        def lines_in(filename):
            lines = lines_by_file.get(filename)
            if lines is None:
                lines = lines_by_file[filename] = breakpoint_lines(filename)
            return lines

        def special(frame, event, arg):
            nonlocal mode, finishing, finished
            if mode == FOLLOW_DEBUGGER:
                dispatch(frame, event, arg)
            elif mode == BREAKPOINTS_ONLY:
                if event == 'line':
                    code = frame.f_code
                    lines = lines_in(code.co_filename)
                    if lines and (frame.f_lineno in lines or code.co_firstlineno in lines):
                        dispatch(frame, event, arg)
            elif event == 'return' and frame is finishing:
                callback = finished
                set_mode(RUN_FREE)
                callback(frame, arg)

        def retrace(stacked, wanted):
            """Gives `stacked` and the frames below it for which wanted(frame) holds the tracer of
            the current mode."""
            while stacked is not None:
                if wanted(stacked):
                    stacked.f_trace = tracer_for(stacked)
                stacked = stacked.f_back

        def count_in_c():
            # UNTRACED where the hook exists: it traces only the frames the mode needs.
            nonlocal counting_in_c
            if c_counter is None or main_code is None or ending_with is not None:
                return  # the main module's frame is not known yet, or is returning
            c_counter.start(main_code, unwinding, True, reached_in_c, main_in_c, interrupted_in_c)
            counting_in_c = True

        def count_in_python(frame=None):
            """Takes over from the C counter's trace function; `frame` is the frame of the event
            it handed over (or the caller's). Frames called meanwhile have no tracer of their own.
            True if an interrupt waiting in C for its event was dropped."""
            nonlocal counting_in_c, unwinding
            installed, unwinding, interrupt_dropped = c_counter.stop()
            counting_in_c = False
            retrace(frame if frame is not None else sys._getframe(2), counts)
            if installed:  # (a SIGINT handler may have removed it: then it traces again itself)
                sys.settrace(trace)
            return interrupt_dropped

        def line_in_c(frame, event, arg):
            # A line where a breakpoint may be: bdb decides (a condition, an ignore count), and C
            # counts on. An interrupt that waited in C for its event, or comes meanwhile, is owed
            # (request_stop): it lands here if bdb has not seen this event yet, else at the next
            # event whose position is known. (Dropped, a checkpoint's interrupt was lost for the
            # rest of a `continue` to a breakpoint on a hot line.)
            nonlocal handing_over, owed
            handing_over = True
            try:
                if count_in_python(frame):
                    owed = True
                if owed:
                    owed = False
                    interrupted(frame, event, arg)
                    return
                stopped = stops()
                dispatch(frame, event, arg)
                if stops() != stopped:
                    owed = False  # bdb stopped here first: that stop was the interrupt's too
                if mode == BREAKPOINTS_ONLY and not counting_in_c:
                    watch_in_c()  # no stop: run on in C (after a stop, `continue` did this)
                if owed and counting_in_c:
                    owed = False
                    c_counter.request_stop()
            finally:
                # (Still owed only where C could not take over: the program's last event.)
                handing_over = owed = False

        def watch_in_c():
            # Where the hook exists, only frames that may hit a breakpoint are traced.
            in_c_handing_over(
                lambda: c_counter.watch(lines_by_file, breakpoint_lines, line_in_c, may_break, breakpoints_seen))

        def may_break(code):
            """Whether a breakpoint may be hit in a frame of `code`: one of its file's breakpoint
            lines lies within the code's lines (a function breakpoint is at its first line)."""
            lines = lines_in(code.co_filename)
            if not lines:
                return False
            first = code.co_firstlineno
            last = max((line for _, _, line in code.co_lines() if line is not None), default=first)
            return any(first <= line <= last for line in lines)

        def in_c_handing_over(hand_over):
            """Counts in C, which calls back at the events the mode acts on (`hand_over` says
            which); in Python where the C counter cannot start yet."""
            count_in_c()
            if counting_in_c:
                hand_over()
            else:
                retrace(sys._getframe(), traced_locally)

        def traced_locally(stacked):
            # (Every tracer serves RUN_FREE.) Frames with `trace` classify themselves.
            return stacked.f_trace is not None and stacked.f_trace is not trace

        def finished_in_c(frame, event, arg):
            count_in_python(frame)
            special(frame, event, arg)  # the finishing frame's return: the callback

        def reached_in_c(frame, event, arg):
            count_in_python(frame)
            reached(frame, event, arg)

        def interrupted_in_c(frame, event, arg):
            count_in_python(frame)
            interrupted(frame, event, arg)

        def main_in_c(frame, event, arg):
            count_in_python(frame)
            main_frame(frame, event, arg)

        def set_mode(new_mode, frame=None, callback=None):
            nonlocal mode, finishing, finished, breakpoints_seen
            if counting_in_c:
                count_in_python()
            if new_mode == mode == FOLLOW_DEBUGGER:
                return  # every step of a scan: the stack's tracers are all `local` already
            mode, finishing, finished = new_mode, frame, callback
            # Breakpoints may have changed since the last resume.
            lines_by_file.clear()
            watchers.clear()
            breakpoints_seen += 1
            if new_mode == RUN_FREE:
                count_in_c()
            elif new_mode == BREAKPOINTS_ONLY and c_counter is not None:
                # The C counter hands over the lines that may hold a breakpoint.
                watch_in_c()
            elif new_mode == FINISH_FRAME and c_counter is not None:
                # The C counter watches for the frame's return: nothing else to do until then, and
                # the frames it calls run untraced where the hook exists.
                in_c_handing_over(lambda: c_counter.finish(frame, finished_in_c))
            else:
                retrace(sys._getframe(), traced_locally)

        def request_stop():
            nonlocal owed
            taken = counting_in_c and c_counter.request_stop()
            if taken:
                return taken
            if handing_over:
                owed = True
                return 1
            return 0

        def set_stop_at(position):
            nonlocal target
            if c_counter is not None:
                c_counter.set_target(position)
            else:
                target = position

        def position():
            return c_counter.position() if c_counter is not None else (E, k)

        def restart():
            nonlocal E, k, exiting, main_code, unwinding
            set_mode(FOLLOW_DEBUGGER)
            E, k, exiting = 0, 0, False
            main_code, unwinding = None, None
            if c_counter is not None:
                c_counter.begin_run(program_files, is_program)
            set_stop_at(None)

        def counts(frame):
            filename = frame.f_code.co_filename
            counted = program_files.get(filename)
            return is_program(filename) if counted is None else counted

        self.trace = trace
        # During the program's last event, (the exc_info unwinding it or None,); else None.
        self.program_ending = lambda: ending_with
        self.counts = counts
        # The position (E, k) of the current event: a tuple, compared as such.
        self.count = position
        self.stop_at = set_stop_at
        self.restart = restart
        # `continue` without breakpoints, replays.
        self.run_free = lambda: set_mode(RUN_FREE)
        self.follow_debugger = lambda: set_mode(FOLLOW_DEBUGGER)
        self.breakpoints_only = lambda: set_mode(BREAKPOINTS_ONLY)
        # Runs `frame` to its return event without bdb, then calls callback(frame, return_value).
        self.finish_frame = lambda frame, callback: set_mode(FINISH_FRAME, frame, callback)
        # An interrupt (SIGINT, a checkpoint's signal) while frames run untraced or line_in_c
        # runs: taken at the next event whose position is known (`interrupted` is called there):
        # 1, the next event; 2, the first at or past the next frame boundary. 0 when every event
        # is counted: the caller stops at the next event as pdb does.
        self.request_stop = request_stop
        # A stop forced in an untraced frame: its events since the frame's last boundary were not
        # counted, so the position is not known (inexact() says so until the next boundary).
        self.mark_inexact = lambda: c_counter.mark_inexact()
        self.inexact = lambda: c_counter is not None and c_counter.inexact()
        # Around the debugger's own code outside a trace function (a signal handler calling into
        # the standard library, say linecache): its frames are no boundaries of the program's.
        self.suspend = c_counter.suspend if c_counter is not None else lambda: None
        self.resume = c_counter.resume if c_counter is not None else lambda: None
