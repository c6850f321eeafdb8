# fred's helper inside gdb's embedded Python: replay primitives that would cost one pty round
# trip per step if driven from outside. Each is an MI command returning a proper MI result.
#
# A *mark* names one exact moment of a deterministic execution: the pc, the stack pointer and a
# fingerprint of registers, stack and writable data (plus the heap, checked only when the cheap
# part matches). The same pc and $sp recur in every loop iteration; the fingerprint tells them
# apart because some state (a loop counter, a pointer) differs.
#
# Invariant: while a primitive runs, the user's breakpoints are disabled, so replays and scans do
# not depend on breakpoints the user added or removed after the fact.

import gdb
import hashlib
import json
import math
import os
import re

HEAP_LIMIT = 64 * 1024 * 1024


def _inferior_pid():
    inferior = gdb.selected_inferior()
    return inferior.pid if inferior is not None else 0


def _alive():
    return _inferior_pid() != 0 and gdb.selected_thread() is not None


def _mappings(pid):
    with open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            permissions = fields[1]
            path = fields[5] if len(fields) > 5 else ""
            yield start, end, permissions, path


def _read(inferior, start, end, digest):
    try:
        digest.update(inferior.read_memory(start, end - start).tobytes())
    except gdb.MemoryError:
        digest.update(b"?")


def _stack_pointer():
    # The real $sp, not a frame's: gdb presents the same pc as an inlined function's frame or
    # its caller's depending on how it got there, so frame identity is not stable; $sp is.
    return int(gdb.newest_frame().read_register("sp"))


def _depth(frame):
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.older()
    return depth


def _fingerprints(with_heap=True):
    """(cheap, heap, parts) digests of the current state; the heap's is "" unless asked for.
    The cheap one digests three parts, registers, the stack in use and the executable's data;
    `parts` names each part's own digest briefly, so that a replay that passes a moment's pc and
    $sp in another state can tell which part differed (run_until's misses)."""
    inferior = gdb.selected_inferior()
    frame = gdb.newest_frame()
    registers_digest = hashlib.blake2b(digest_size=12)
    stack_digest = hashlib.blake2b(digest_size=12)
    data_digest = hashlib.blake2b(digest_size=12)
    # Not rcx and r11: the `syscall` instruction leaves the return address and the flags there,
    # and the flags differ (trap flag) when gdb single-steps across a system call. Nor rax just
    # after a `syscall`: a program interrupted inside a system call (an automatic checkpoint's
    # Ctrl-C) shows -ERESTARTSYS there, which a replay reaching the same pc never does.
    registers = ("rip", "rsp", "rbp", "rax", "rbx", "rdx", "rsi", "rdi",
                 "r8", "r9", "r10", "r12", "r13", "r14", "r15")
    if _after_syscall(inferior, frame.pc()):
        registers = tuple(register for register in registers if register != "rax")
    # A restored checkpoint is another process: a register holding the process's own id (abort's
    # tgkill) is the same moment whatever the id.
    pid = inferior.pid
    for register in registers:
        try:
            value = int(frame.read_register(register))
            registers_digest.update(b"pid" if value == pid else str(value).encode())
        except (gdb.error, ValueError):
            pass
    sp = int(frame.read_register("sp"))
    heap = hashlib.blake2b(digest_size=12)
    executable = gdb.selected_inferior().progspace.filename
    real_executable = None
    try:
        import os
        real_executable = os.path.realpath(executable) if executable else None
    except OSError:
        pass
    for start, end, permissions, path in _mappings(inferior.pid):
        if "w" not in permissions:
            continue
        if start <= sp < end:
            _read(inferior, sp, end, stack_digest)
        elif path and real_executable and path == real_executable:
            _read(inferior, start, end, data_digest)
        elif with_heap and path == "[heap]" and end - start <= HEAP_LIMIT:
            _read(inferior, start, end, heap)
    parts = (registers_digest.digest(), stack_digest.digest(), data_digest.digest())
    cheap = hashlib.blake2b(b"".join(parts), digest_size=12).hexdigest()
    named = " ".join(name + part.hex()[:8] for name, part in zip(("r", "s", "d"), parts))
    return cheap, heap.hexdigest() if with_heap else "", named


def _after_syscall(inferior, pc):
    try:
        return inferior.read_memory(pc - 2, 2).tobytes() == b"\x0f\x05"
    except gdb.MemoryError:
        return False


def _location(frame):
    sal = frame.find_sal()
    symtab = sal.symtab
    return {
        "file": symtab.fullname() if symtab is not None else "",
        "line": str(sal.line if symtab is not None else 0),
        "func": frame.name() or "??",
    }


def read_word(address):
    """The program's 64-bit word at `address`."""
    return int.from_bytes(gdb.selected_inferior().read_memory(address, 8).tobytes(), "little")


class ShimSymbols:
    """Values of expressions over the record shim's symbols (addresses, constants), looked up
    once per set of loaded objects: () without the shim (--no-record, a static program, before
    the program runs)."""

    def __init__(self, *expressions):
        self.expressions = expressions
        self.values = None
        gdb.events.new_objfile.connect(self._forget)
        gdb.events.clear_objfiles.connect(self._forget)

    def _forget(self, event):
        self.values = None

    def get(self):
        if self.values is None:
            try:
                self.values = tuple(int(gdb.parse_and_eval(expression)) for expression in self.expressions)
            except gdb.error:
                self.values = ()
        return self.values


class _Progress:
    """The record shim's count of the program's allocations (native/record/interpose-alloc.c),
    read and steered through its variables in the program's memory: no call into the program.
    None without the shim."""

    def __init__(self):
        self.symbols = ShimSymbols("(unsigned long)&fred_progress_count", "(unsigned long)&fred_progress_stop_at")

    def count(self):
        addresses = self.symbols.get() if _alive() else ()
        if not addresses:
            return None
        try:
            return read_word(addresses[0])
        except gdb.MemoryError:
            return None

    def _write(self, index, value):
        addresses = self.symbols.get() if _alive() else ()
        if addresses:
            gdb.selected_inferior().write_memory(addresses[index], int(value).to_bytes(8, "little"))

    def set_count(self, value):
        """Puts the count back after fred's own evaluation, which may have allocated."""
        self._write(0, value)

    def stop_at(self, value):
        self._write(1, value)


_progress = _Progress()


def current_mark():
    frame = gdb.newest_frame()
    progress = _progress.count()
    # With the allocation count in the mark, the heap's digest (milliseconds for a big heap) is
    # not needed to tell loop iterations apart: the count and the cheap digest do.
    cheap, heap, parts = _fingerprints(with_heap=progress is None)
    mark = {
        "pc": str(frame.pc()),
        "sp": str(_stack_pointer()),
        "fp": cheap,
        "parts": parts,
        "heap": heap,
        "depth": str(_depth(frame)),
    }
    if progress is not None:
        mark["progress"] = str(progress)
    if _within_shim(frame):
        # Inside a recorded call (an interrupt landed there): a replay takes the shim's other
        # path, so this moment can be restored from a checkpoint but never found again.
        mark["unreplayable"] = "1"
    mark.update(_location(frame))
    return mark


def _same_moment(mark, misses=None):
    """Whether the program is at the moment `mark` names. A stop at its pc, $sp (and allocation
    count) in another state is appended to `misses` (which parts differed: a replay that never
    reaches its moment tells why)."""
    frame = gdb.newest_frame()
    if str(frame.pc()) != mark["pc"] or str(_stack_pointer()) != mark["sp"]:
        return False
    if "progress" in mark and str(_progress.count()) != mark["progress"]:
        return False
    cheap, heap, parts = _fingerprints(with_heap=mark["heap"] != "")
    same = cheap == mark["fp"] and heap == mark["heap"]
    if not same and misses is not None and len(misses) < 4:
        recorded = mark.get("parts", "").split()
        differing = [part[0] for part in parts.split() if part not in recorded]
        misses.append("".join(differing) + ("h" if heap != mark["heap"] else ""))
    return same


def run_to_progress(target):
    """Runs natively (user breakpoints are off) until the allocation count becomes `target`,
    stopped inside the shim's fred_progress_reached. True when there; False if the program
    ended, the count is already past `target`, or fred cancelled."""
    now = _progress.count()
    if now is None or now >= target:
        return now == target
    _progress.stop_at(target)
    try:
        return run_to_breakpoint("fred_progress_reached", lambda: _progress.count() == target)
    finally:
        if _alive():
            _progress.stop_at(0)


def run_to_breakpoint(locations, arrived):
    """Runs natively until a silent internal breakpoint at one of `locations` (one, or a list)
    stops the program where arrived() holds. False if the program ended or fred cancelled
    first."""
    breakpoints = []
    try:
        for location in [locations] if isinstance(locations, str) else locations:
            breakpoint = gdb.Breakpoint(location, internal=True)
            breakpoint.silent = True
            breakpoints.append(breakpoint)
        while _alive():
            _execute("continue")
            if any(_stopped_at(breakpoint) for breakpoint in breakpoints) and arrived():
                return True
            if _program_over() or _cancellation.requested():
                return False
        return False
    finally:
        for breakpoint in breakpoints:
            if breakpoint.is_valid():
                breakpoint.delete()


class _Until:
    """The moment a primitive runs to: an internal breakpoint at the mark's pc, conditional on
    the mark's $sp (gdb checks that and goes on without a stop: recursion passes the pc at every
    level); each stop is checked against the whole mark here. (A Python `stop` method would do
    all of it, but gdb stops calling it in a fork restored with `restart`.)"""

    def __init__(self, mark, misses=None):
        self.mark = mark
        self.reached = False
        # Stops at the mark's pc and $sp in another state: which parts differed (see _same_moment).
        self.misses = [] if misses is None else misses
        self.breakpoint = None
        if mark is not None:
            self.breakpoint = gdb.Breakpoint("*" + mark["pc"], internal=True)
            self.breakpoint.condition = "$sp == %d" % int(mark["sp"])

    def check(self):
        """After a stop: are we at the moment? Remembers a yes."""
        if self.mark is not None and not self.reached and _same_moment(self.mark, self.misses):
            self.reached = True
        return self.reached

    def passed(self):
        """True once the allocation count is past the mark's: the moment was not found on the
        way and never will be (the replay diverged), so a loop must give up, not run on."""
        if self.mark is None or "progress" not in self.mark:
            return False
        count = _progress.count()
        return count is not None and count > int(self.mark["progress"])

    def delete(self):
        if self.breakpoint is not None and self.breakpoint.is_valid():
            self.breakpoint.delete()


def _stopped_at(breakpoint):
    """True when the last stop was a breakpoint stop at `breakpoint`, whichever other breakpoints
    share its address (a scan's `until` does, for a moment just after a call returned)."""
    event = _watcher.last
    return isinstance(event, gdb.BreakpointEvent) and breakpoint in event.breakpoints


class _ExitGuard:
    """A silent internal breakpoint on _exit: the program stops just before it would end, alive,
    so the moment of exit can be checkpointed and gone back from, and gdb never has to switch
    to a checkpoint fork because the live process died."""

    def __init__(self):
        self.breakpoint = gdb.Breakpoint("_exit", internal=True)
        self.breakpoint.silent = True

    def holding(self):
        event = _watcher.last
        return isinstance(event, gdb.BreakpointEvent) and self.breakpoint in event.breakpoints


class _StartGuard:
    """A silent, temporary internal breakpoint on main, armed before `run`: fred checkpoints the
    start of the program there, so the whole run is recorded, then continues."""

    def __init__(self):
        self.breakpoint = None

    def arm(self):
        self.disarm()
        try:
            self.breakpoint = gdb.Breakpoint("main", internal=True, temporary=True)
            self.breakpoint.silent = True
        except gdb.error:
            self.breakpoint = None  # no `main` (stripped program): the run starts unrecorded

    def disarm(self):
        if self.breakpoint is not None and self.breakpoint.is_valid():
            self.breakpoint.delete()

    def holding(self):
        event = _watcher.last
        return (self.breakpoint is not None and isinstance(event, gdb.BreakpointEvent)
                and self.breakpoint in event.breakpoints)


def _program_over():
    return _watcher.exited or not _alive() or _watcher.fatal_signal() or _exit_guard.holding()


class _UserBreakpointsOff:
    """Disables the user's breakpoints for the duration of a primitive."""

    def __enter__(self):
        self.disabled = [b for b in gdb.breakpoints() if b.enabled and b.number > 0]
        for breakpoint in self.disabled:
            breakpoint.enabled = False
        return self

    def __exit__(self, *exc):
        for breakpoint in self.disabled:
            if breakpoint.is_valid():
                breakpoint.enabled = True
        return False


class _StopWatcher:
    """Remembers why the last stop happened."""

    def __init__(self):
        self.last = None
        self.exited = False
        gdb.events.stop.connect(self._on_stop)
        gdb.events.exited.connect(self._on_exit)

    def _on_stop(self, event):
        self.last = event

    def _on_exit(self, event):
        self.exited = True

    def reset(self):
        """Before resuming: forget the last stop, and note the user's breakpoints' hit counts."""
        self.last = None
        self.exited = False
        self.hit_counts = {b.number: b.hit_count for b in gdb.breakpoints() if b.number > 0}

    def user_breakpoint_hit(self):
        """Whether a user breakpoint stopped the program, its condition true. A stop event lists
        every breakpoint at the address, also one whose condition was false when another (one of
        fred's) made the stop; gdb counts a hit only when the condition held."""
        event = self.last
        if not isinstance(event, gdb.BreakpointEvent):
            return False
        counts = getattr(self, "hit_counts", {})
        return any(b.number > 0 and b.is_valid() and b.hit_count > counts.get(b.number, 0) for b in event.breakpoints)

    def fatal_signal(self):
        return isinstance(self.last, gdb.SignalEvent) and self.last.stop_signal not in ("SIGINT", "SIGTRAP")


class _CheapCallReturns:
    """After a call into the program, gdb writes back every register it saved, one at a time,
    each write skipped only if the register is already read and equal. Registers of the x86
    extended state are not read at that stop, so each one costs a read-modify-write of the whole
    state (two ptrace calls): some 250 calls, 0.5 ms, with AVX-512. Reading one of them when the
    call returns (before the write-back) reads them all at once, and only those the call changed
    are written. gdb makes such calls for every checkpoint (fork, then lseek on each descriptor),
    every restart (lseek) and every expression that calls a function: a probe of reverse-watch
    costs 3 to 4 ms less. What the program sees is the same: the same values are restored."""

    def __init__(self):
        gdb.events.inferior_call.connect(self._on_call)

    @staticmethod
    def _on_call(event):
        if not isinstance(event, gdb.InferiorCallPostEvent):
            return
        try:
            frame = gdb.newest_frame()
            if "x86-64" in frame.architecture().name():
                frame.read_register("xmm0")
        except (gdb.error, ValueError, RuntimeError):
            pass


_watcher = _StopWatcher()
_cheap_call_returns = _CheapCallReturns()
_exit_guard = _ExitGuard()
_start_guard = _StartGuard()


class _Results:
    """gdb answers `^running` instead of an MI command's result whenever the command resumed the
    program, so moving commands leave their result here for -fred-last-result to fetch."""

    last = {}


def _moving(invoke):
    def wrapper(self, argv):
        _Results.last = {}
        _Results.last = invoke(self, argv)
        return _Results.last
    return wrapper


class LastResultCommand(gdb.MICommand):
    """-fred-last-result: the result of the last moving primitive, and (live-fork) the pid of
    the live process: when the program ended on the way, gdb switched to one of the forks."""

    def __init__(self):
        super().__init__("-fred-last-result")

    def invoke(self, argv):
        return dict(_Results.last, **{"live-fork": str(_live_fork())})


def _execute(command):
    _watcher.reset()
    gdb.execute(command, to_string=True)


def _sigint_pending(pid):
    """Whether a SIGINT waits, undelivered, for process `pid` to run again."""
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith(("SigPnd:", "ShdPnd:")) and int(line.split()[1], 16) & (1 << 1):
                    return True
    except (OSError, ValueError, IndexError):
        pass
    return False


def drain_pending_interrupt():
    """An interrupt sent as the program was stopping for another reason (a breakpoint, its
    exit) stays pending and would strike at the next resume: in one of fred's calls into the
    program (a checkpoint's fork), or as a spurious stop of the user's next step. Resuming
    without a signal makes the kernel deliver it before any instruction runs; gdb stops for it
    and never passes SIGINT on, so the program is exactly where it was. The reason for the
    stop before is kept: fred's guards are recognised by it. True if there was one."""
    if not _alive() or not _sigint_pending(_inferior_pid()):
        return False
    last, exited = _watcher.last, _watcher.exited
    try:
        with _UserBreakpointsOff():
            gdb.execute("signal 0", to_string=True)
    finally:
        _watcher.last, _watcher.exited = last, exited
    return True


class DrainInterruptCommand(gdb.MICommand):
    """-fred-drain-interrupt: see drain_pending_interrupt."""

    def __init__(self):
        super().__init__("-fred-drain-interrupt")

    @_moving
    def invoke(self, argv):
        return {"drained": "1" if drain_pending_interrupt() else "0"}


class MarkCommand(gdb.MICommand):
    """-fred-mark: the mark of the current moment."""

    def __init__(self):
        super().__init__("-fred-mark")

    def invoke(self, argv):
        if not _alive():
            raise gdb.GdbError("The program is not being run.")
        return {"mark": current_mark()}


class RunUntilCommand(gdb.MICommand):
    """-fred-run-until MARK: run forward at native speed to the moment MARK names."""

    def __init__(self):
        super().__init__("-fred-run-until")

    @_moving
    def invoke(self, argv):
        mark = json.loads(argv[0])
        if mark is not None and "hitsSite" in mark:
            # Counted from the moment fred replays from (fred_gdb_hits.py): one stop. From an
            # earlier one it stops earlier, and the run below goes on from there.
            run_to_hit(mark["hitsSite"], int(mark["hitsCount"]))
        misses = []
        reached = run_until(mark, misses=misses)
        done = reached or (mark is None and (not _alive() or _exit_guard.holding()))
        return _with_misses({"reached": "1" if done else "0"}, done, misses)


def run_until(mark, passes=None, misses=None):
    """Runs natively (user breakpoints off) to the moment `mark` names; True when there. With
    `passes`, False after that many stops at the mark's pc that were not the moment (a loop
    passes it in every iteration: each stop costs a ptrace round trip). `misses` collects what
    _same_moment found different at such stops."""
    if mark is not None and "progress" in mark:
        # First to the mark's allocation count, at full speed with one stop: a breakpoint at
        # the mark's pc alone would stop in every iteration of a loop before it.
        with _UserBreakpointsOff():
            run_to_progress(int(mark["progress"]))
    until = _Until(mark, misses)
    if until.check():
        until.delete()
        return True
    try:
        with _UserBreakpointsOff():
            while _alive():
                _execute("continue")
                if until.check() or _program_over() or _cancellation.requested() or until.passed():
                    break
                if passes is not None:
                    passes -= 1
                    if passes < 0:
                        break
    finally:
        until.delete()
    return until.reached


class RunToProgressCommand(gdb.MICommand):
    """-fred-run-to-progress UNTIL FRACTION: run natively until the allocation count is that
    fraction of the way from now to UNTIL (at least one allocation on, one short of UNTIL),
    then out of the shim to the code that made that allocation, just after it: a moment between
    two checkpoints found with two stops however long the stretch (reverse-watch's bisection).
    reached=0 without moving when fewer than two allocations remain; else its mark."""

    def __init__(self):
        super().__init__("-fred-run-to-progress")

    @_moving
    def invoke(self, argv):
        until, fraction = int(argv[0]), float(argv[1])
        here = _progress.count()
        if here is None or until - here < 2:
            return {"reached": "0", "moved": "0"}
        target = here + min(until - here - 1, max(1, int(math.floor((until - here) * fraction))))
        with _UserBreakpointsOff():
            if not run_to_progress(target):
                return {"reached": "0"}
            while _alive() and _in_shim(gdb.newest_frame()):
                _execute("finish")
                if _program_over():
                    return {"reached": "0"}
        return {"reached": "1", "mark": current_mark()}


def _in_shim(frame):
    name = gdb.solib_name(frame.pc())
    return name is not None and "libfred-record" in name


def _within_shim(frame):
    """In the shim, or in the C library the shim called (an interrupt landing in the libc malloc
    or brk under the shim's malloc, with malloc's lock held: a checkpoint's fork() there waits
    for that lock forever): a library frame above the program's own frames is the shim's. Stops
    in the program's own code cost nothing more."""
    while frame is not None and gdb.solib_name(frame.pc()) is not None:
        if _in_shim(frame):
            return True
        try:
            frame = frame.older()
        except gdb.error:
            return False
    return False


class ScanCommand(gdb.MICommand):
    """-fred-scan LEVEL UNTIL LIMIT [EXPAND]: step forward, recording each stop, until the moment
    UNTIL.

    Frames deeper than LEVEL are not stepped through: their entry is recorded as an 'entered'
    entry and `finish` runs them at native speed, so the cost follows the lines executed at
    LEVEL and above, not everything below. EXPAND (default 0): frames one level deeper are
    stepped through too, for at most EXPAND stops in all (see step_through).
    """

    def __init__(self):
        super().__init__("-fred-scan")

    @_moving
    def invoke(self, argv):
        level = int(argv[0])
        mark = json.loads(argv[1])
        limit = int(argv[2])
        expand = int(argv[3]) if len(argv) > 3 else 0
        entries = []
        misses = []
        until = _Until(mark, misses)
        try:
            if until.check():
                return {"status": "reached", "entries": entries}
            with _UserBreakpointsOff():
                status = self._scan(level, until, limit, expand, entries)
        finally:
            until.delete()
        return _with_misses({"status": status, "entries": entries}, status == "reached", misses)

    def _scan(self, level, until, limit, expand, entries):
        def record(kind):
            entry = current_mark()
            entry["kind"] = kind
            entries.append(entry)
            return False

        def run_out(first):
            # The frame entered at visit `first` was run out: its first entry stands for it.
            del entries[first + 1:]
            entries[first]["kind"] = "entered"
        return step_through(level, until, limit, record, expand, run_out)


class _Cancellation:
    """fred's request to give up a long loop: while gdb runs one MI command it reads nothing
    else, so fred creates a file (its path set by -fred-cancel-file) that the loops look for
    between stops; they then end early with status 'limit'. A native run in progress (the
    program between two stops) is not cut short."""

    def __init__(self):
        self.path = None

    def requested(self):
        return self.path is not None and os.path.exists(self.path)


_cancellation = _Cancellation()


class CancelFileCommand(gdb.MICommand):
    """-fred-cancel-file PATH: the file whose existence cancels fred's loops."""

    def __init__(self):
        super().__init__("-fred-cancel-file")

    def invoke(self, argv):
        _cancellation.path = argv[0]
        return None


def step_through(level, until, limit, visit, expand=0, ran_out=None):
    """The stepping loop behind every scan: `step` until `until`, calling visit(kind) at each
    stop ('stop', or 'entered' for the first stop in a frame deeper than `level`, which is then
    run out natively). visit returns True to end the scan there ('changed'). At most `limit`
    visits; returns the scan status.

    With `expand`, frames at level + 1 are stepped through as well (visit('stop') in them), for at
    most `expand` visits in all: reverse-step wants the last line of the last frame a line ran
    through, and finding it in the same pass saves going back to scan that frame. The frame that
    would take more is run out: ran_out(v), v the visit that entered it (counted from 0), which
    now stands for it as 'entered'; the rest of the scan expands nothing."""
    visits = 0
    deepest = level + 1 if expand > 0 else level
    inner = 0
    # The expanded frame the last visit was in, and the visit that entered it.
    frame, entered_at = None, None
    while visits < limit:
        if not _alive():
            return "ended"
        if _cancellation.requested():
            return "limit"
        line = gdb.newest_frame().find_sal().line
        _step()
        # The breakpoint on `until`'s pc ends a step wherever it is passed (another iteration
        # of a loop, mid-line): where a plain step would not have stopped, step on.
        while not until.check() and _until_only(until) and not _step_stops_here(line):
            _step()
        if until.check():
            return "reached"
        if _program_over():
            return "ended"
        newest = gdb.newest_frame()
        depth = _depth(newest)
        if deepest > level and depth > level:
            inner += 1
            here = newest
            for _ in range(depth - deepest):
                here = here.older()
            if here != frame:
                frame, entered_at = here, visits
            if inner > expand:
                deepest, frame = level, None
                # At the frame's first stop nothing was recorded in it: that stop is recorded
                # below, as 'entered', and the frame run out as any deeper one.
                if entered_at < visits:
                    ran_out(entered_at)
                    visits = entered_at + 1
                    outcome = _run_out(level, until)
                    if outcome is not None:
                        return outcome
                    continue
        else:
            frame = None
        visits += 1
        deeper = depth > deepest
        if visit("entered" if deeper else "stop"):
            return "changed"
        if deeper:
            outcome = _run_out(deepest, until)
            if outcome is not None:
                return outcome
    return "limit"


# Instructions stepped, at most, out of code gdb knows no function of (see _step).
_UNKNOWN_CODE_INSTRUCTIONS = 100000


def _step():
    """gdb's `step`. Where gdb knows no function of the code (a trampoline of the record shim's
    or of a hit counter, where an interrupt may have left a checkpoint a scan starts from), `step`
    fails with "Cannot find bounds of current function": single instructions then take the
    program back to code gdb knows, where the step ends if it is a line's start (a return often
    lands on the line after the call's), else goes on from there."""
    for _ in range(_UNKNOWN_CODE_INSTRUCTIONS):
        try:
            _execute("step")
            return
        except gdb.error as error:
            if "Cannot find bounds of current function" not in str(error) or not _alive():
                raise
        _execute("stepi")
        if not _alive() or _step_stops_here(0):
            return
    raise gdb.GdbError("stepped %d instructions without reaching code gdb knows" % _UNKNOWN_CODE_INSTRUCTIONS)


def _until_only(until):
    """Whether the last stop was only `until`'s breakpoint."""
    event = _watcher.last
    return (until.breakpoint is not None and isinstance(event, gdb.BreakpointEvent)
            and all(breakpoint == until.breakpoint for breakpoint in event.breakpoints))


def _step_stops_here(line_before):
    """Whether a plain `step` that started on `line_before` would stop at the current pc: the
    start of another line's row, past a function's prologue."""
    pc = gdb.newest_frame().pc()
    sal = gdb.find_pc_line(pc)
    if sal.symtab is None or sal.pc != pc or sal.line == line_before:
        return False
    block = gdb.block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    return block is None or block.start != pc


def _run_out(level, until):
    """Runs natively until the frames deeper than `level` have returned (like `finish`),
    stopping early at `until`. Returns a scan status, or None to go on stepping."""
    frame = gdb.newest_frame()
    while _depth(frame) > level + 1:
        frame = frame.older()
    caller = frame.older()
    if caller is None:
        return None
    returned = gdb.Breakpoint("*%d" % caller.pc(), internal=True)
    # Deeper levels of a recursion return there too, with a lower $sp: gdb passes them without
    # a stop. (>=, not ==: the depth check below stays the judge.)
    returned.condition = "$sp >= %d" % int(caller.read_register("sp"))
    try:
        while True:
            _execute("continue")
            if until.check():
                return "reached"
            if _program_over():
                return "ended"
            # Recursion passes the same return address at deeper levels: only a return to
            # `level` counts.
            if _stopped_at(returned) and _depth(gdb.newest_frame()) <= level:
                return None
            if _cancellation.requested():
                return "limit"
    finally:
        if returned.is_valid():
            returned.delete()


class BreakpointHitsCommand(gdb.MICommand):
    """-fred-breakpoint-hits UNTIL LIMIT: continue with the user's breakpoints (and their
    conditions) active, recording the mark of each breakpoint stop until the moment UNTIL."""

    def __init__(self):
        super().__init__("-fred-breakpoint-hits")

    @_moving
    def invoke(self, argv):
        mark = json.loads(argv[0])
        limit = int(argv[1])
        # A breakpoint hit exactly at UNTIL counts when UNTIL is an earlier segment's boundary.
        include_until = len(argv) > 2 and argv[2] == "1"
        hits = []
        status = "limit"
        misses = []
        until = _Until(mark, misses)
        try:
            while len(hits) < limit:
                if not _alive():
                    status = "ended"
                    break
                _execute("continue")
                if until.check():
                    if include_until and _watcher.user_breakpoint_hit():
                        hits.append(current_mark())
                    status = "reached"
                    break
                if _program_over():
                    status = "ended"
                    break
                if _watcher.user_breakpoint_hit():
                    hits.append(current_mark())
                if _cancellation.requested():
                    break
        finally:
            until.delete()
        return _with_misses({"status": status, "hits": hits}, status == "reached", misses)


def _with_misses(result, reached, misses):
    """A result whose run passed its moment's place in another state and ended without it says
    which parts differed (for fred's debug log; see _same_moment)."""
    if not reached and misses:
        result["misses"] = ",".join(misses)
    return result


_CHECKPOINT_ANSWER = re.compile(r"checkpoint (\d+): fork returned pid (\d+)")
_CHECKPOINT_LINE = re.compile(r"^(\*?)\s*(\d+)\s+(?:process (\d+)|Thread \S+ \(LWP (\d+)\))", re.MULTILINE)


def _forks():
    """[(gdb number, pid, live)] from `info checkpoints`. gdb renumbers its forks (when only
    one is left it becomes the "main process" again), so fred names checkpoints by pid."""
    text = gdb.execute("info checkpoints", to_string=True)
    return [(int(m.group(2)), int(m.group(3) or m.group(4)), m.group(1) == "*")
            for m in _CHECKPOINT_LINE.finditer(text)]


def _number_of(pid):
    for number, fork_pid, _ in _forks():
        if fork_pid == pid:
            return number
    raise gdb.GdbError("checkpoint process %d is gone" % pid)


# How far below $sp a checkpoint's call of fork() may write (it uses well under 1 KiB).
_STACK_WINDOW = 64 * 1024


def _stack_below_sp():
    """(address, bytes) of the dead stack just below $sp. Pages the stack has not grown into yet
    read as the zeros the kernel would map there."""
    inferior = gdb.selected_inferior()
    sp = _stack_pointer()
    low = sp - _STACK_WINDOW
    mapped_from = _mapped_from(inferior.pid, low, sp)
    data = bytes(mapped_from - low) + inferior.read_memory(mapped_from, sp - mapped_from).tobytes()
    return low, data


def _put_stack_below_sp(saved):
    """Puts the dead stack back as saved. Only the stretch that differs is written: a call
    changes well under a kilobyte of it, and writing all of it cost gdb 0.7 ms (at every
    checkpoint and every restart)."""
    low, data = saved
    inferior = gdb.selected_inferior()
    sp = low + len(data)
    mapped_from = _mapped_from(inferior.pid, low, sp)
    wanted = data[mapped_from - low:]
    present = inferior.read_memory(mapped_from, len(wanted)).tobytes()
    chunk = 256
    differing = [start for start in range(0, len(wanted), chunk)
                 if wanted[start:start + chunk] != present[start:start + chunk]]
    if differing:
        start, end = differing[0], min(differing[-1] + chunk, len(wanted))
        inferior.write_memory(mapped_from + start, wanted[start:end])


def _mapped_from(pid, low, sp):
    """The lowest address >= low of the stack mapping just below sp (sp itself if none)."""
    for start, end, _, _ in _mappings(pid):
        if start < sp <= end:
            return max(low, start)
    return sp


# Saved dead stack of each checkpoint fork (by pid), put back when the fork is restarted.
_fork_stacks = {}


class CheckpointCommand(gdb.MICommand):
    """-fred-checkpoint: take a fork checkpoint; returns the pid of the frozen fork.

    gdb forks by calling fork() in the program, whose frames land below $sp; the parent and
    the child are left with different leftovers there (fork returns differently in each). The
    program can read them later as uninitialized locals, and they are part of every mark, so a
    moment recorded in one process would not be recognised when replayed in the other. Both get
    the dead stack back as it was before the call: as if no checkpoint had been taken."""

    def __init__(self):
        super().__init__("-fred-checkpoint")

    def invoke(self, argv):
        return {"pid": str(_checkpoint())}


def _checkpoint():
    """Takes a fork checkpoint (see CheckpointCommand); the frozen fork's pid."""
    saved = _stack_below_sp()
    # gdb reports the new fork only to an interactive caller (from_tty).
    text = gdb.execute("checkpoint", True, True)
    match = _CHECKPOINT_ANSWER.search(text)
    if match is None:
        raise gdb.GdbError(text.strip() or "checkpoint failed")
    _put_stack_below_sp(saved)
    _fork_stacks[int(match.group(2))] = saved
    return int(match.group(2))


def _restart(pid):
    """Makes the checkpoint fork PID the live process (running on consumes it); its pid."""
    # A process stopped by a crash (SIGSEGV, SIGABRT) has the signal queued for its next
    # resume, and gdb resumes it at once: `restart` calls lseek in the process it leaves (to
    # save its file offsets), and now and then the signal strikes there and the restart fails;
    # and the queued signal carries over to the fork it switches to, which would die of it
    # at its first step. A checkpoint is taken stopped, with no signal on its way: drop it.
    if _alive():
        gdb.execute("queue-signal 0", to_string=True)
    gdb.execute("restart %d" % _number_of(pid), to_string=True)
    saved = _fork_stacks.pop(pid, None)
    if saved is not None:
        _put_stack_below_sp(saved)
    return _inferior_pid()


class RestartCommand(gdb.MICommand):
    """-fred-restart PID: make the checkpoint fork PID the live process (gdb consumes it)."""

    def __init__(self):
        super().__init__("-fred-restart")

    def invoke(self, argv):
        return {"pid": str(_restart(int(argv[0])))}


def _draw_allocator_key():
    """Has glibc's malloc set itself up before fred checkpoints the start. At its first
    allocation it draws a random key (its freed-block check) with a raw getrandom system call,
    which no shim sees: drawn after the start checkpoint, every replay from there drew another
    one, left in registers and in freed blocks, and no replay found the recorded moments again
    (a program whose first malloc comes after main's first line). Under the record shim, which
    allocates once as it starts, or in a program that allocated already, there is a heap and
    nothing to do; else (--no-record) one call from gdb (~2 ms)."""
    if any(path == "[heap]" for _, _, _, path in _mappings(_inferior_pid())):
        return
    with _UserBreakpointsOff():
        try:
            gdb.parse_and_eval("((void (*)(void *)) free)(((void *(*)(unsigned long)) malloc)(1))")
        except gdb.error:
            pass  # no malloc in this program (static, or its own allocator under another name)


class HeldCommand(gdb.MICommand):
    """-fred-held: after a silent stop, whether fred's guards hold the program at its start or
    at its exit (with the exit status)."""

    def __init__(self):
        super().__init__("-fred-held")

    def invoke(self, argv):
        if _alive() and _exit_guard.holding():
            return {"at": "exit", "status": str(int(gdb.newest_frame().read_register("rdi")) & 0xFF)}
        if _alive() and _start_guard.holding():
            _start_guard.disarm()
            _draw_allocator_key()
            return {"at": "start"}
        return {"at": ""}


class HoldAtStartCommand(gdb.MICommand):
    """-fred-hold-at-start: stop silently at main on the next run."""

    def __init__(self):
        super().__init__("-fred-hold-at-start")

    def invoke(self, argv):
        _start_guard.arm()
        return {}


class LiveForkCommand(gdb.MICommand):
    """-fred-live-fork: pid of the live process. When the live process exits, gdb silently
    switches to another fork, so fred asks which one it is."""

    def __init__(self):
        super().__init__("-fred-live-fork")

    def invoke(self, argv):
        return {"pid": str(_live_fork())}


def _live_fork():
    # The inferior's process (`info checkpoints` marks the same one, but costs gdb a line-table
    # lookup per fork: this is asked after every moving command).
    pid = _inferior_pid()
    if pid == 0:
        live = [fork_pid for _, fork_pid, is_live in _forks() if is_live]
        pid = live[0] if live else 0
    return pid


class DeleteCheckpointCommand(gdb.MICommand):
    """-fred-delete-checkpoint PID"""

    def __init__(self):
        super().__init__("-fred-delete-checkpoint")

    def invoke(self, argv):
        _delete_checkpoint(int(argv[0]))
        return {}


def _delete_checkpoint(pid):
    _fork_stacks.pop(pid, None)
    for number, fork_pid, live in _forks():
        # Deleting number 0, gdb's "main process", crashes gdb 13.
        if fork_pid == pid and not live and number != 0:
            gdb.execute("delete checkpoint %d" % number, to_string=True)


MarkCommand()
LastResultCommand()
CancelFileCommand()
RunToProgressCommand()
RunUntilCommand()
ScanCommand()
BreakpointHitsCommand()
CheckpointCommand()
DeleteCheckpointCommand()
RestartCommand()
LiveForkCommand()
HeldCommand()
HoldAtStartCommand()
DrainInterruptCommand()


# The C library's own sources (Debian's libc6-dbg records them as "./malloc/./malloc/malloc.c",
# and its assembly string functions relative to their directory, as
# "../sysdeps/x86_64/multiarch/strcmp-evex.S") are not stepped into, as if they had no line
# information: users debug their program, and scans stay fast. Plain gdb without libc debug info
# behaves the same way.
_C_LIBRARY_DIRECTORIES = (
    "assert", "csu", "ctype", "debug", "dirent", "dlfcn", "elf", "gmon", "iconv", "inet", "intl",
    "io", "libio", "locale", "login", "malloc", "misc", "nptl", "nss", "posix", "pwd", "resolv",
    "setjmp", "signal", "socket", "stdio-common", "stdlib", "string", "sysdeps", "termios",
    "time", "wcsmbs", "wctype",
)

for _directory in _C_LIBRARY_DIRECTORIES:
    for _levels in range(1, 5):
        for _prefix in (".", ".."):
            gdb.execute("skip -gfi %s/%s/%s" % (_prefix, _directory, "/".join(["*"] * _levels)), to_string=True)
