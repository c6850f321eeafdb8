# Stepping for FredPdb with the event counter always installed: bdb's stepping commands also set
# what the counting tracer hands to bdb, `continue` keeps counting where bdb would stop tracing,
# and a running replay primitive gets each stop before pdb would prompt.

import bdb
import pdb
import signal
import sys


class CountedStepping:
    """Mixed into FredPdb (a pdb.Pdb) ahead of pdb.Pdb; uses its `events`, `replay`, `moved` and
    `interrupted` attributes."""

    def _run(self, target):
        # Every run counts from zero; a primitive still running has seen its program end.
        if self.replay is not None:
            self.replay.program_ended = True
        self.events.restart()
        # The record-replay shim records while the program runs: from here to each stop, and
        # from the end of each stop (interaction) to the next.
        self.program_running = True
        self.shim.resume_recording()
        try:
            super()._run(target)
        finally:
            self.shim.pause_recording()
            self.program_running = False

    def set_step(self):
        if not self.leaving_exit_hold():
            super().set_step()
            self.following()

    def set_next(self, frame):
        if not self.leaving_exit_hold():
            super().set_next(frame)
            self.following()

    def set_return(self, frame):
        if not self.leaving_exit_hold():
            super().set_return(frame)
            self.following()

    def set_until(self, frame, lineno=None):
        if not self.leaving_exit_hold():
            super().set_until(frame, lineno)
            self.following()

    def leaving_exit_hold(self):
        """A user's step, next, return, until or continue while the program is held at its exit:
        plain pdb would already have restarted it and stopped at its first line, so the program
        ends without a stop, restarts, and the command runs from that first line (fred_pdb's
        preloop replays it there, silently)."""
        if self.replay is not None or not self.at_exit_hold:
            return False
        self.after_restart = self.command_line
        self.stack_entry_unshown = True
        self._set_stopinfo(self.botframe, None, -1)
        self.events.run_free()
        self.moved = True
        return True

    def following(self):
        self.events.follow_debugger()
        self.moved = True

    def stop_for_early_interrupt(self):
        """The command runs as Ctrl-C would have left it: stopped at the next event, interrupted."""
        self.message("\nProgram interrupted. (Use 'cont' to resume).")  # as pdb's sigint_handler
        self.interrupt_pending = False
        self.interrupted = True
        bdb.Bdb.set_step(self)
        self.events.follow_debugger()
        self.moved = True

    def set_continue(self):
        if self.leaving_exit_hold():
            return
        # bdb would remove its tracing when there are no breakpoints; the events must still count.
        self._set_stopinfo(self.botframe, None, -1)
        if self.breaks:
            self.events.breakpoints_only()
        else:
            self.events.run_free()
        self.moved = True

    def continue_at_breakpoints(self):
        self._set_stopinfo(self.botframe, None, -1)
        self.events.breakpoints_only()

    def breakpoint_lines(self, filename):
        return frozenset(self.breaks.get(self.canonic(filename), ()))

    def prompt_interrupt(self, signum, frame):
        """SIGINT while the program is stopped (pdb puts back this handler at every stop). fred
        interrupts only while a command is on its way; unless pdb is evaluating the user's code
        (cut short, as in plain pdb), the command is left whole, even half read, and if it lets
        the program run, the program stops at once, reported interrupted (postcmd)."""
        if self.cut_short_by_interrupt and not self.awaiting_command:
            raise KeyboardInterrupt
        self.interrupt_pending = True

    def sigint_handler(self, signum, frame):
        if self.allow_kbdint:
            self.prompt_interrupt(signum, frame)
            return
        if self.at_exit_hold:
            return  # the program has ended (hold_at_exit): nothing runs to be interrupted
        # The handler's calls (pdb's set_trace checks linecache) are not the program's boundaries.
        self.events.suspend()
        try:
            self.interrupt_program(signum, frame)
        finally:
            self.events.resume()

    def interrupt_program(self, signum, frame):
        deferred = self.events.request_stop()
        # A second interrupt while one waits for the next frame boundary (a loop without calls
        # may never get there; fred repeats the user's Ctrl-C, never its checkpoint signal) stops
        # the program now, where the position is not known: fred then goes to a moment it can
        # name, near it (PdbReplay). One cancelling a replay waits: the replay ends at its target.
        forced = deferred == 2 and self.interrupt_waiting and self.replay is None
        if deferred and not forced:
            # Frames run untraced: the stop comes at the next event whose position is known
            # (interrupt_landed), which says it was interrupted; what runs until then is the
            # program's own, recorded as usual. A breakpoint hit on the way is its own stop.
            self.interrupt_waiting = True
            if self.replay is not None:
                self.replay.interrupted = True
            return
        # The handler runs in the program's frame: its own calls are not program events, for the
        # event counter or for the record shim (a replay, never interrupted, would not make them).
        # The program then runs on to its next event, where it stops: what it does until then
        # (the rest of a write the signal interrupted) is its own, recorded as in any run.
        self.shim.pause_recording()
        try:
            sys.settrace(None)
            self.interrupted = True
            if self.replay is not None:
                self.replay.interrupted = True
            super().sigint_handler(signum, frame)  # ends with set_trace, which traces again
            if forced:
                self.events.mark_inexact()
        finally:
            if self.program_running:
                self.shim.resume_recording()

    def catch_interrupts(self):
        """Ctrl-C stops the program at its next event, as during pdb's `continue`."""
        if not self.nosigint:
            try:
                pdb.Pdb._previous_sigint_handler = signal.signal(signal.SIGINT, self.sigint_handler)
            except ValueError:
                pass

    def interaction(self, frame, traceback):
        self.shim.pause_recording()
        try:
            self.stop(frame, traceback)
        finally:
            if self.program_running:  # not after post mortem: the run is over
                self.shim.resume_recording()

    def stop(self, frame, traceback):
        self.stop_count += 1
        self.interrupt_waiting = False
        replay = self.replay
        if replay is not None:
            if replay.absorb(frame, traceback):
                return
            self.replay = None
            self.events.stop_at(None)
            self.pending_reply = replay.result()
        super().interaction(frame, traceback)

    def interrupt_landed(self, frame, event, arg):
        """The event where an interrupt taken while frames ran untraced lands: a stop as `step`
        would make there, after pdb's sigint_handler. Landing where a breakpoint holds (the line
        after a call, where the interrupt waited for the call to return, often is one), the stop
        is the breakpoint's: the interrupt would have stopped the program an event earlier."""
        bdb.Bdb.set_step(self)
        self.events.follow_debugger()
        if event == 'line' and self.breaks and self.replay is None and self.break_here(frame):
            self.user_line(frame)
            if self.quitting:
                raise bdb.BdbQuit
            return
        self.message("\nProgram interrupted. (Use 'cont' to resume).")  # as pdb's sigint_handler
        self.interrupted = True
        self.stop_at_event(frame, event, arg)

    def event_reached(self, frame, event, arg):
        if self.replay is not None:
            self.replay.at_target(frame, event, arg)

    def stop_at_event(self, frame, event, arg):
        """Stops at this trace event exactly as `step` would have stopped at it."""
        if event == 'call':
            self.message('--Call--')
            self.interaction(frame, None)
        elif event == 'return' and self.events.program_ending() is not None and \
                self.hold_at_exit(frame, self.events.program_ending()[0]):
            pass  # the end of the program, reached again: held as it was the first time
        elif event == 'return':
            try:
                self.frame_returning = frame
                pdb.Pdb.user_return(self, frame, arg)
            finally:
                self.frame_returning = None
            # What bdb's dispatch_return does after a stop: `next` or `until` from a returning frame.
            if not self.quitting and self.stopframe is frame and self.stoplineno != -1:
                self._set_stopinfo(None, None)
        elif event == 'exception':
            pdb.Pdb.user_exception(self, frame, arg)
        else:
            self.interaction(frame, None)
        if self.quitting:
            raise bdb.BdbQuit
