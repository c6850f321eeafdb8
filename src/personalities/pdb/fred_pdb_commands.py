# The fred_* commands of FredPdb for fred's reversible powers: marks, fork checkpoints, the replay
# primitives (fred_pdb_replay) and the expression evaluation reverse-watch needs. Payloads are
# base64 JSON; every answer is one `@fred {json}` line, the primitives' with their last stop.

import json
import os

from fred_pdb_replay import BreakpointHits, LastDifferent, RunUntil, Scan, Target, WatchScan
from fred_pdb_snapshots import Restored
from fred_pdb_state import apply_debugger_state, debugger_state

# What an expression is worth where it cannot be evaluated (as in fred's replay.ts).
UNAVAILABLE = '<unavailable>'


class ReplayCommands:
    """Mixed into FredPdb; uses its `events`, `snapshots`, `replay` and stop bookkeeping."""

    def fred_mark(self, arg):
        """The current moment (also sent with every status line: see report_status)."""
        mark = self.current_mark()
        if mark is None:
            self.reply({'error': 'The program is not being run.', 'code': 'not-running'})
            return
        self.reply({'mark': mark})

    def current_mark(self):
        """The event index and where pdb stopped (not the frame `up` chose); None when the program
        is not there to mark."""
        if not self.program_alive():
            return None
        mark = self.location_at(self.stop_index)
        mark['index'] = self.events.count()
        if self.status['state'] == 'crashed':
            mark['crashed'] = True
        elif self.events.inexact():
            mark['inexact'] = True  # a Ctrl-C that could not wait (fred_pdb_stepping)
        return mark

    def fred_checkpoint(self, arg):
        """`fred_checkpoint ID`: fork a snapshot of this moment, named by fred's ID."""
        checkpoint = self.checkpoint_number(arg)
        if checkpoint is None:
            return
        self.stdout.flush()
        try:
            taken = self.snapshots.take(checkpoint)
        except OSError as e:
            self.reply({'error': 'cannot take a checkpoint: %s' % e})
            return
        if not isinstance(taken, Restored):
            reply = {'checkpoint': checkpoint, 'pid': taken}
            if not self.events.inexact():
                reply['index'] = self.events.count()  # where it was taken (PdbReplay)
            self.reply(reply)
            return
        # This process is a copy of the snapshot and now the live worker.
        try:
            apply_debugger_state(self, taken.state)
        except Exception as e:
            self.error('breakpoints could not be carried over: %s' % self._format_exc(e))
        self.reply({'restored': checkpoint, 'pid': os.getpid()})

    def fred_restore(self, arg):
        """`fred_restore ID`: a copy of the snapshot takes over (and answers); this process ends."""
        checkpoint = self.checkpoint_number(arg)
        if checkpoint is None:
            return
        self.stdout.flush()
        self.reply({'error': self.snapshots.restore(checkpoint, debugger_state(self))})

    def fred_discard(self, arg):
        checkpoint = self.checkpoint_number(arg)
        if checkpoint is None:
            return
        self.snapshots.discard(checkpoint)
        self.reply({'discarded': checkpoint})

    def program_alive(self):
        """Stopped in the program: also when held at its exit, not once it has ended."""
        return bool(self.stack) and (self.status['state'] != 'exited' or self.status.get('held') is True)

    def checkpoint_number(self, arg):
        if self.snapshots is None:
            self.reply({'error': 'checkpoints need the supervised fred_pdb'})
            return None
        if not arg.isdigit():
            self.reply({'error': 'bad checkpoint number %r' % arg})
            return None
        return int(arg)

    def fred_run_until(self, arg):
        """Payload {"target": mark payload or null}: run, ignoring breakpoints, to that event."""
        return self.start_replay(arg, lambda request: RunUntil(self, Target.parse(request['target'])))

    def fred_scan(self, arg):
        """Payload {"level", "until", "limit", "expand" (optional)}: record the stops `step` makes,
        finishing deeper frames (see Scan)."""
        return self.start_replay(arg, lambda request: Scan(
            self, Target.parse(request['until']), integer(request['level']), integer(request['limit']),
            integer(request.get('expand', 0))))

    def fred_breakpoint_hits(self, arg):
        """Payload {"until", "limit", "include_until"}: record the breakpoint stops before `until`."""
        return self.start_replay(arg, lambda request: BreakpointHits(
            self, Target.parse(request['until']), integer(request['limit']), request['include_until'] is True))

    def fred_watch_scan(self, arg):
        """Payload {"level", "until", "limit", "frame": {"depth", "function"}, "expression", "value"}:
        fred_scan, evaluating the expression at each entry, up to the first entry with that value."""
        return self.start_replay(arg, lambda request: WatchScan(
            self, Target.parse(request['until']), integer(request['level']), integer(request['limit']),
            watched_frame(request['frame']), text(request['expression']), text(request['value'])))

    def fred_last_different(self, arg):
        """Payload as fred_watch_scan's: scan to `until`, answering only the last entry where the
        expression's value was not "value"."""
        return self.start_replay(arg, lambda request: LastDifferent(
            self, Target.parse(request['until']), integer(request['level']), integer(request['limit']),
            watched_frame(request['frame']), text(request['expression']), text(request['value'])))

    def fred_evaluate_in(self, arg):
        """Payload {"frame": {"depth", "function"}, "expression"}: the value in that frame of the
        stop (not the frame `up` chose), falling back to the program's globals."""
        request = self.watched_request(arg, 'fred_evaluate_in')
        if request is None:
            return
        if not self.program_alive():
            self.reply({'value': UNAVAILABLE})
            return
        frame, expression = request
        self.reply({'value': self.evaluate_in(frame, expression)})

    def fred_values_at(self, arg):
        """Payload {"checkpoints": [ids], "frame", "expression"}: fred_evaluate_in's value at each
        checkpoint's own moment, computed in throwaway copies of the snapshots at once; the program
        here does not move. {"values": [value or null where a checkpoint did not answer]}."""
        try:
            request = json.loads(self.decode(arg))
            checkpoints = request['checkpoints']
            if not isinstance(checkpoints, list) or not all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in checkpoints):
                raise ValueError('checkpoints must be a list of checkpoint numbers')
            question = {'frame': watched_frame(request['frame']), 'expression': text(request['expression'])}
        except Exception as e:
            self.reply({'error': 'bad fred_values_at payload: %s' % self._format_exc(e)})
            return
        if self.snapshots is None:
            self.reply({'error': 'checkpoints need the supervised fred_pdb'})
            return
        self.stdout.flush()
        self.reply({'values': self.snapshots.values_at(checkpoints, question)})

    def value_at_stop(self, question):
        """fred_evaluate_in's answer for {"frame", "expression"} at this stop (in a snapshot's copy:
        the stop the checkpoint was taken at)."""
        if not self.program_alive():
            return UNAVAILABLE
        return self.evaluate_in(self.watched_frame_of_stop(question['frame']), question['expression'])

    def watched_request(self, arg, command):
        """(the watched frame of the stop, or None; the expression) from a {"frame", "expression"}
        payload; None after replying with the error when the payload is bad."""
        try:
            request = json.loads(self.decode(arg))
            watched, expression = watched_frame(request['frame']), text(request['expression'])
        except Exception as e:
            self.reply({'error': 'bad %s payload: %s' % (command, self._format_exc(e))})
            return None
        return self.watched_frame_of_stop(watched), expression

    def watched_frame_of_stop(self, watched):
        """The watched frame among the stop's frames (not the frame `up` chose), or None."""
        frames = [frame for frame, _ in self.stack[:self.stop_index + 1]]
        return self.frame_at_depth(frames, watched) if frames else None

    def fred_changes_program(self, arg):
        """Payload as fred_evaluate_in's: whether evaluating the expression in that frame changes
        the program's data (`stock.clear()`, `items.pop()`), found out in a forked copy that is
        thrown away, so the program itself is untouched."""
        request = self.watched_request(arg, 'fred_changes_program')
        if request is None:
            return
        frame, expression = request
        if not self.program_alive() or frame is None:
            self.reply({'changes': False})
            return
        local_names = self.curframe_locals if frame is self.curframe else frame.f_locals
        self.stdout.flush()
        try:
            changes = evaluation_changes_program(frame, local_names, expression)
        except OSError as e:
            self.reply({'error': 'cannot check %s for side effects: %s' % (expression, e)})
            return
        self.reply({'changes': changes})

    def value_in_watched_frame(self, stop_frame, watched, expression):
        frames = []
        frame = stop_frame
        while frame is not None:
            frames.append(frame)
            if frame is self.botframe:
                break
            frame = frame.f_back
        frames.reverse()
        return self.evaluate_in(self.frame_at_depth(frames, watched), expression)

    def frame_at_depth(self, frames, watched):
        """Among `frames` (outermost first), the one at the watched depth if it runs the watched
        function, else the main module's (only globals in scope there); None if neither exists."""
        start = next((index for index, frame in enumerate(frames) if self.is_main_module(frame)), None)
        if start is None:
            return None
        index = start + watched['depth'] - 1
        if start <= index < len(frames) and frames[index].f_code.co_name == watched['function']:
            return frames[index]
        return frames[start]

    def evaluate_in(self, frame, expression):
        if frame is None:
            return UNAVAILABLE
        # pdb's cached locals of the selected frame hold what `!name = value` assigned there.
        local_names = self.curframe_locals if frame is self.curframe else frame.f_locals
        try:
            value = eval(expression, frame.f_globals, local_names)
        except BaseException:
            return UNAVAILABLE
        return self._safe_repr(value, expression)

    def start_replay(self, arg, create):
        try:
            request = json.loads(self.decode(arg))
            replay = create(request)
        except Exception as e:
            self.reply({'error': 'bad replay payload: %s' % self._format_exc(e)})
            return None
        answer = replay.immediate()
        if answer is not None:
            self.reply(answer)
            return None
        self.replay = replay
        self.stdout.muted = True
        self.catch_interrupts()
        replay.begin()
        return 1


def integer(value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError('%r is not an integer' % (value,))
    return value


def text(value):
    if not isinstance(value, str) or '\n' in value or '\r' in value:
        raise ValueError('%r is not one line of text' % (value,))
    return value


def watched_frame(value):
    if not isinstance(value, dict):
        raise ValueError('bad watched frame %r' % (value,))
    return {'depth': integer(value.get('depth')), 'function': text(value.get('function'))}


def evaluation_changes_program(frame, local_names, expression):
    """Evaluates in a forked child, which compares the data reachable from the frame before and
    after and exits at once (no atexit, no flush, its output to /dev/null)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            roots = [frame.f_globals, local_names]
            before = data_fingerprint(roots)
            try:
                eval(expression, frame.f_globals, local_names)
            except BaseException:
                pass
            os.write(write_end, b'1' if data_fingerprint(roots) != before else b'0')
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        answer = os.read(read_end, 1)
    finally:
        os.close(read_end)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    return answer == b'1'


_SCALARS = (int, float, complex, str, bytes, bool, type(None))
_OPAQUE = (type(os), type, type(len), type(evaluation_changes_program))


def data_fingerprint(roots, limit=200000):
    """The shape and scalar values of the data reachable from `roots` (containers, instances'
    attributes), in a fixed order; modules, classes and functions are not entered."""
    seen = set()
    pending = list(roots)
    shape = []
    while pending and len(shape) < limit:
        value = pending.pop()
        kind = type(value)
        if kind in _SCALARS:
            shape.append(value)
            continue
        if id(value) in seen:
            shape.append(('seen', id(value)))
            continue
        seen.add(id(value))
        if isinstance(value, _OPAQUE):
            shape.append(('opaque', id(value)))
        elif isinstance(value, dict):
            shape.append(('dict', id(value), len(value)))
            for key, item in value.items():
                pending.append(key)
                pending.append(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            shape.append((kind.__name__, id(value), len(value)))
            pending.extend(sorted(value, key=id) if isinstance(value, (set, frozenset)) else value)
        elif isinstance(value, (bytearray, memoryview)):
            shape.append(bytes(value))
        else:
            shape.append((kind.__name__, id(value)))
            attributes = getattr(value, '__dict__', None)
            if isinstance(attributes, dict):
                pending.append(attributes)
    return shape
