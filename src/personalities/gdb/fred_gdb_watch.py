# fred's reverse-watch primitives inside gdb's Python (sourced after fred_gdb.py, whose helpers
# it shares): evaluate an expression in the watched frame, run for a while toward a mark, and
# step forward until the expression takes a given value — all without a pty round trip per step.
#
# The watched frame is named by its depth counted from the outermost frame and its function, so
# it can be found again at any moment; where it does not exist (yet), the expression is
# evaluated in the outermost frame, where only globals are in scope.

import gdb
import json
import os
import signal
import threading
import time

UNAVAILABLE = "<unavailable>"


def _frames_outermost_first():
    frames = []
    frame = gdb.newest_frame()
    while frame is not None:
        frames.append(frame)
        frame = frame.older()
    frames.reverse()
    return frames


def evaluate_in_watched_frame(expression, watched):
    """The expression's value as gdb prints it, or UNAVAILABLE when it cannot be evaluated."""
    frames = _frames_outermost_first()
    depth = int(watched["depth"])
    target = frames[0] if frames else None
    if 0 < depth <= len(frames) and frames[depth - 1].name() == watched["function"]:
        target = frames[depth - 1]
    if target is None:
        return UNAVAILABLE
    selected = gdb.selected_frame()
    # A function call in the expression runs in the program, below $sp: the leftovers would
    # become the garbage in the next frames' uninitialized locals, which marks fingerprint, and
    # a replay that does not evaluate would never reach moments recorded after this. Put the dead
    # stack back as it was, as a checkpoint's fork does.
    saved = _stack_below_sp()
    # Likewise the allocation count, if the expression's calls allocate.
    progress = _progress.count()
    try:
        target.select()
        return gdb.parse_and_eval(expression).format_string()
    except gdb.error:
        return UNAVAILABLE
    finally:
        try:
            _put_stack_below_sp(saved)
            if progress is not None:
                _progress.set_count(progress)
            selected.select()
        except (gdb.error, gdb.MemoryError):
            pass


class EvaluateCommand(gdb.MICommand):
    """-fred-evaluate WATCHED EXPR: EXPR's value in the watched frame. (Moving: calling a
    function in the program resumes it, so the result comes through -fred-last-result.)"""

    def __init__(self):
        super().__init__("-fred-evaluate")

    @_moving
    def invoke(self, argv):
        return {"value": evaluate_in_watched_frame(argv[1], json.loads(argv[0]))}


class RunForCommand(gdb.MICommand):
    """-fred-run-for MARK MS: run toward MARK, interrupting after MS milliseconds (fractions
    allowed). The moment where the interrupt lands is arbitrary but real: reverse-watch
    checkpoints it and bisects. Reports how long the program ran, measured here, where gdb's own
    overhead is small, so bisection can work on runs of a millisecond."""

    def __init__(self):
        super().__init__("-fred-run-for")

    @_moving
    def invoke(self, argv):
        until = _Until(json.loads(argv[0]))
        pid = _inferior_pid()
        fired = threading.Event()

        def interrupt():
            fired.set()
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass

        timer = threading.Timer(float(argv[1]) / 1000.0, interrupt)
        status = "ended"
        started = time.perf_counter()
        try:
            with _UserBreakpointsOff():
                timer.start()
                while _alive():
                    _execute("continue")
                    if until.check():
                        status = "reached"
                        break
                    if _program_over():
                        break
                    if fired.is_set() and isinstance(_watcher.last, gdb.SignalEvent):
                        status = "interrupted"
                        break
        finally:
            timer.cancel()
            until.delete()
        elapsed = (time.perf_counter() - started) * 1000.0
        # A timer that fired as the program stopped for another reason (it reached the mark,
        # ended) left its SIGINT pending: it would strike at the next resume, which may be one
        # of gdb's own calls into the program (restart's lseek, checkpoint's fork) and fail it.
        timer.join()
        if fired.is_set() and status != "interrupted":
            drain_pending_interrupt()
        return {"status": status, "elapsed": "%.6f" % elapsed}


def _watch_arguments(argv):
    """LEVEL UNTIL LIMIT WATCHED EXPR VALUE, as both watch scans take them."""
    return int(argv[0]), _Until(json.loads(argv[1])), int(argv[2]), json.loads(argv[3]), argv[4], argv[5]


class WatchScanCommand(gdb.MICommand):
    """-fred-watch-scan LEVEL UNTIL LIMIT WATCHED EXPR TARGET: like -fred-scan, evaluating EXPR
    at every entry and stopping at the first whose value is TARGET (status 'changed')."""

    def __init__(self):
        super().__init__("-fred-watch-scan")

    @_moving
    def invoke(self, argv):
        level, until, limit, watched, expression, target = _watch_arguments(argv)
        entries = []
        try:
            with _UserBreakpointsOff():
                status = self._scan(level, until, limit, watched, expression, target, entries)
        finally:
            until.delete()
        return {"status": status, "entries": entries}

    def _scan(self, level, until, limit, watched, expression, target, entries):
        def record(kind):
            entry = current_mark()
            entry["kind"] = kind
            entry["value"] = evaluate_in_watched_frame(expression, watched)
            entries.append(entry)
            return entry["value"] == target
        return step_through(level, until, limit, record)


class LastDifferentCommand(gdb.MICommand):
    """-fred-watch-last-different LEVEL UNTIL LIMIT WATCHED EXPR VALUE: step to UNTIL like
    -fred-scan, evaluating EXPR at every entry, and report only the last entry whose value was
    not VALUE: where a value that left and came back was last different."""

    def __init__(self):
        super().__init__("-fred-watch-last-different")

    @_moving
    def invoke(self, argv):
        level, until, limit, watched, expression, value = _watch_arguments(argv)
        found = {"last": None, "count": 0}

        def remember_if_different(kind):
            found["count"] += 1
            current = evaluate_in_watched_frame(expression, watched)
            if current != value:
                entry = current_mark()
                entry["kind"] = kind
                entry["value"] = current
                found["last"] = entry
            return False

        try:
            with _UserBreakpointsOff():
                status = step_through(level, until, limit, remember_if_different)
        finally:
            until.delete()
        last, count = found["last"], found["count"]
        result = {"status": status, "count": str(count)}
        if last is not None:
            result["last"] = last
        return result


EvaluateCommand()
RunForCommand()
WatchScanCommand()
LastDifferentCommand()
