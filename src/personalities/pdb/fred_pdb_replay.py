# The replay primitives of fred's pdb, each one fred_* command run inside the Python process: run
# to a position, scan the stops `step` would make, collect breakpoint hits. While one runs,
# every stop pdb would make comes to `absorb` instead of a prompt; the last one becomes a normal
# pdb stop, whose prompt is preceded by the primitive's result.


class Target:
    """A mark's payload: a position (E, k) (fred_pdb_events), or the post-mortem moment of a run
    that crashed at position `index`. In JSON the position is [E, k]."""

    def __init__(self, index, crashed=False):
        self.index = index
        self.crashed = crashed

    @staticmethod
    def parse(payload):
        if payload is None:
            return None
        index = payload.get('index') if isinstance(payload, dict) else None
        if not (isinstance(index, list) and len(index) == 2 and all(
                isinstance(part, int) and not isinstance(part, bool) and part >= 0 for part in index)):
            raise ValueError('bad mark %r' % (payload,))
        return Target(tuple(index), payload.get('crashed') is True)

    def stop_at(self):
        # A crash has no event of its own: it is reached by running to the end.
        return None if self.crashed else self.index


class Primitive:
    def __init__(self, debugger, target):
        self.debugger = debugger
        self.target = target
        self.program_ended = False
        self.interrupted = False
        self.status = None  # decided: the next stop is the last one

    def where_now(self):
        """'here' if the current moment is the target, 'ended' if the program is not running,
        'crashed' in post mortem, 'past' if the target was already passed, else None."""
        debugger, target = self.debugger, self.target
        state = debugger.status['state']
        count = debugger.events.count()
        if state == 'exited':
            # Held at its exit, the program's last moment is a moment like any other.
            if debugger.status.get('held') and target is not None and not target.crashed:
                if target.index == count:
                    return 'here'
                if target.index < count:
                    return 'past'
            return 'ended'
        if state == 'crashed':
            return 'here' if target is not None and target.crashed and target.index == count else 'crashed'
        if target is None or target.crashed:
            return None
        if target.index == count:
            return 'here'
        return 'past' if target.index < count else None

    def begin(self):
        """Sets pdb running; the result comes with the last stop."""
        self.debugger.events.stop_at(None if self.target is None else self.target.stop_at())

    def at_target(self, frame, event, arg):
        self.status = 'reached'
        self.debugger.stop_at_event(frame, event, arg)

    def absorb(self, frame, traceback):
        """Called instead of each pdb stop: True to keep running."""
        if self.status is not None:
            return False
        if frame is None:
            # Post mortem: the program crashed; that is the target only if it is a crash mark.
            reached = self.target is not None and self.target.crashed and self.target.index == self.debugger.events.count()
            self.status = 'reached' if reached else 'ended'
            return False
        if self.program_ended:
            self.status = 'ended'
            return False
        if self.interrupted:
            self.status = 'limit'
            return False
        return self.keep_going(frame)

    def keep_going(self, frame):
        return False


class RunUntil(Primitive):
    def immediate(self):
        where = self.where_now()
        if where is None:
            return None
        reached = where == 'here' or (where == 'ended' and self.target is None)
        return {'reached': reached}

    def begin(self):
        super().begin()
        self.debugger.events.run_free()

    def absorb(self, frame, traceback):
        keep_going = super().absorb(frame, traceback)
        if self.status == 'ended' and self.target is None and frame is not None:
            self.status = 'reached'  # the end of the program was the target
        return keep_going

    def result(self):
        return {'reached': self.status == 'reached'}


class Recording(Primitive):
    """A primitive that records at most `limit` stops; its answer is `reply(status)`."""

    def __init__(self, debugger, target, limit):
        super().__init__(debugger, target)
        self.limit = limit

    def immediate(self):
        where = self.where_now()
        if where == 'here':
            return self.reply('reached')
        if where in ('ended', 'crashed'):
            return self.reply('ended')
        if self.limit <= 0:
            return self.reply('limit')
        return None

    def result(self):
        return self.reply(self.status)


class Scan(Recording):
    """`step` to the target, recording each stop at depth <= level; a deeper frame's first stop
    is recorded as 'entered' and the frame runs to its return unrecorded. With `expand`, frames
    one level deeper are stepped through too, for at most `expand` stops in all (reverse-step
    wants the last stop of the last frame a line ran through, found in the same pass); the
    frame that would take more is finished unrecorded, its first entry standing for it as
    'entered', and the rest of the scan expands nothing."""

    def __init__(self, debugger, target, level, limit, expand=0):
        super().__init__(debugger, target, limit)
        self.level = level
        self.recorded = 0
        self.entries = []
        self.deepest = level + 1 if expand > 0 else level
        self.expand = expand
        self.inner = 0
        # The expanded frame the last stop was in, and the index of its first entry.
        self.expanded_frame = None
        self.expanded_from = None
        # (innermost traceback, what was recorded before) at each exception stop: a scan toward a
        # crash ends where the fatal exception was raised, not in its unwinding.
        self.exception_stops = []

    def begin(self):
        super().begin()
        self.debugger.set_step()

    def absorb(self, frame, traceback):
        if frame is not None and traceback is not None:
            self.exception_stops.append((innermost(traceback), self.recorded_so_far()))
        elif frame is None and traceback is not None and self.status is None:
            self.forget_unwinding(innermost(traceback))
        return super().absorb(frame, traceback)

    def forget_unwinding(self, raised_at):
        """Post mortem: the stops from the fatal exception's raise point on (its unwinding through
        every frame, where the crashing frames are already gone) are not moments before the crash:
        the post-mortem moment stands for the raise point."""
        for traceback, recorded in self.exception_stops:
            if traceback is raised_at:
                self.restore_recorded(recorded)
                return

    def recorded_so_far(self):
        return len(self.entries)

    def restore_recorded(self, recorded):
        del self.entries[recorded:]

    def keep_going(self, frame):
        debugger = self.debugger
        mark = debugger.mark_of(frame)
        depth = mark['depth']
        if self.deepest > self.level and depth > self.level:
            self.inner += 1
            here = self.outermost_deeper(frame, depth, self.level)
            if here is not self.expanded_frame:
                self.expanded_frame, self.expanded_from = here, len(self.entries)
            if self.inner > self.expand:
                self.deepest, self.expanded_frame = self.level, None
                # Stops recorded in the frame: it runs out, its first entry standing for it. (At
                # its first stop, that stop is recorded below as 'entered' like any deeper one.)
                if self.expanded_from < len(self.entries):
                    del self.entries[self.expanded_from + 1:]
                    self.entries[self.expanded_from]['kind'] = 'entered'
                    # An exception raised in the frame now unwinds from its 'entered' entry.
                    self.exception_stops = [(traceback, min(recorded, self.expanded_from + 1))
                                            for traceback, recorded in self.exception_stops]
                    debugger.events.finish_frame(here, self.finished)
                    return True
        else:
            self.expanded_frame = None
        deeper = depth > self.deepest
        self.recorded += 1
        if not self.record({'kind': 'entered' if deeper else 'stop', 'mark': mark}, frame):
            return False
        if deeper:
            # Like gdb's finish: the deeper frame runs to its return unrecorded.
            debugger.events.finish_frame(self.outermost_deeper(frame, depth, self.deepest), self.finished)
            return True
        if self.recorded >= self.limit:
            self.status = 'limit'
            return False
        debugger.set_step()
        return True

    def record(self, entry, frame):
        """Keeps an entry; False to end the scan at it."""
        self.entries.append(entry)
        return True

    def outermost_deeper(self, frame, depth, level):
        """The outermost frame deeper than `level` whose return the counter sees (frames of the
        import system between, say, an importing line and the imported module are not traced)."""
        outer = frame
        for _ in range(depth - level - 1):
            frame = frame.f_back
            if self.debugger.events.counts(frame):
                outer = frame
        return outer

    def finished(self, frame, return_value):
        if self.recorded >= self.limit:
            self.status = 'limit'
            self.debugger.stop_at_event(frame, 'return', return_value)
        else:
            self.debugger.set_step()

    def reply(self, status):
        return {'scan': {'status': status, 'entries': self.entries}}


class BreakpointHits(Recording):
    def __init__(self, debugger, target, limit, include_until):
        super().__init__(debugger, target, limit)
        self.include_until = include_until
        self.at_until = False
        self.hits = []

    def begin(self):
        super().begin()
        self.debugger.continue_at_breakpoints()

    def at_target(self, frame, event, arg):
        # bdb decides whether a breakpoint stops here too (conditions, ignore counts).
        self.at_until = True
        self.debugger.dispatch(frame, event, arg)
        if self.debugger.replay is self:
            super().at_target(frame, event, arg)

    def keep_going(self, frame):
        mark = self.debugger.mark_of(frame)
        if self.at_until:
            if self.include_until:
                self.hits.append(mark)
            self.status = 'reached'
            return False
        self.hits.append(mark)
        if len(self.hits) >= self.limit:
            self.status = 'limit'
            return False
        self.debugger.continue_at_breakpoints()
        return True

    def reply(self, status):
        return {'hits': {'status': status, 'marks': self.hits}}


class WatchScan(Scan):
    """A scan that evaluates an expression in the watched frame at every entry and stops at the
    first entry where its value is `value` (status 'changed'), without finishing an entered call."""

    def __init__(self, debugger, target, level, limit, watched, expression, value):
        super().__init__(debugger, target, level, limit)
        self.watched = watched
        self.expression = expression
        self.value = value

    def record(self, entry, frame):
        entry['value'] = self.debugger.value_in_watched_frame(frame, self.watched, self.expression)
        self.entries.append(entry)
        if entry['value'] == self.value:
            self.status = 'changed'
            return False
        return True


class LastDifferent(WatchScan):
    """A scan to `until` that keeps only the last entry where the expression's value was not
    `value`: where a value that left and came back was last different."""

    def __init__(self, debugger, target, level, limit, watched, expression, value):
        super().__init__(debugger, target, level, limit, watched, expression, value)
        self.last = None

    def record(self, entry, frame):
        value = self.debugger.value_in_watched_frame(frame, self.watched, self.expression)
        if value != self.value:
            entry['value'] = value
            self.last = entry
        return True

    def recorded_so_far(self):
        return self.last

    def restore_recorded(self, recorded):
        self.last = recorded

    def reply(self, status):
        return {'last_different': {'status': status, 'last': self.last}}


def innermost(traceback):
    """The traceback entry of the frame that raised: the same object at the exception's first
    stop and in post mortem, however far the exception has travelled since."""
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback
