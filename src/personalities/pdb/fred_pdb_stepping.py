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
        super()._run(target)

    def set_step(self):
        super().set_step()
        self.following()

    def set_next(self, frame):
        super().set_next(frame)
        self.following()

    def set_return(self, frame):
        super().set_return(frame)
        self.following()

    def set_until(self, frame, lineno=None):
        super().set_until(frame, lineno)
        self.following()

    def following(self):
        self.events.follow_debugger()
        self.moved = True

    def set_continue(self):
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

    def sigint_handler(self, signum, frame):
        if self.allow_kbdint:
            raise KeyboardInterrupt
        # The handler runs in the program's frame: its own calls are not program events.
        sys.settrace(None)
        self.interrupted = True
        if self.replay is not None:
            self.replay.interrupted = True
        super().sigint_handler(signum, frame)  # ends with set_trace, which traces again

    def catch_interrupts(self):
        """Ctrl-C stops the program at its next event, as during pdb's `continue`."""
        if not self.nosigint:
            try:
                pdb.Pdb._previous_sigint_handler = signal.signal(signal.SIGINT, self.sigint_handler)
            except ValueError:
                pass

    def interaction(self, frame, traceback):
        replay = self.replay
        if replay is not None:
            if replay.absorb(frame, traceback):
                return
            self.replay = None
            self.events.stop_at(None)
            self.pending_reply = replay.result()
        super().interaction(frame, traceback)

    def event_reached(self, frame, event, arg):
        if self.replay is not None:
            self.replay.at_target(frame, event, arg)

    def stop_at_event(self, frame, event, arg):
        """Stops at this trace event exactly as `step` would have stopped at it."""
        if event == 'call':
            self.message('--Call--')
            self.interaction(frame, None)
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
