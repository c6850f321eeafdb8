# The exactness oracle for native/pdb/event-counter.c's positions. Every run is a fork of this
# process, the program not started yet, with its output discarded:
# 1. PROGRAM with every frame traced by a Python tracer that counts through the C counter (tick,
#    as fred_pdb's tracers do), recording each event's position (E, k), line and kind, and the
#    position fred_pdb's pure-Python rule gives the same event (what it counts without the C
#    counter): the two must agree at every event. A plain sys.settrace count of the program's
#    events must equal the number recorded.
# 2. For COUNT positions picked at random (SEED): PROGRAM under the C trace function in UNTRACED
#    mode (with the frame hook, only the main module's frame and the frames from the target's
#    boundary on are traced); the first event it reports at or past the target must be that same
#    event (position, line, kind).
# 3. PROGRAM untraced to its last event, and fully traced by the C trace function, saying how
#    often the trace function ran: far less untraced, or nothing was left untraced.
# Prints one JSON object.
#
# usage: event_counter_oracle.py MODULE_FILE COUNT SEED PROGRAM [ARGS...]

import importlib.util
import json
import os
import random
import sys
import warnings


def load(path):
    spec = importlib.util.spec_from_file_location('_fred_event_counter', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_child(work):
    """work()'s JSON-encodable result, computed in a fork of this process."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        warnings.simplefilter('ignore')  # a coroutine cut short by the stop is never awaited
        try:
            payload = work()
        except BaseException as e:  # noqa: B902 (the child must say what happened)
            payload = {'error': repr(e)}
        data = json.dumps(payload).encode()
        while data:
            data = data[os.write(write_end, data):]
        os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b''.join(chunks) or b'null')


class Reached(BaseException):
    pass


class Rule:
    """fred_pdb_events' pure-Python position rule, to compare with the C counter's."""

    def __init__(self):
        self.E, self.k, self.exiting = 0, 0, False

    def tick(self, event):
        if self.exiting:
            self.E, self.k, self.exiting = self.E + 1, 0, False
        if event == 'call':
            self.E, self.k = self.E + 1, 0
        else:
            self.k += 1
            self.exiting = event == 'return'
        return (self.E, self.k)


def main():
    module_file, count, seed, program = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), os.path.abspath(sys.argv[4])
    counter = load(module_file)
    with open(program) as source:
        code = compile(source.read(), program, 'exec')
    sys.argv[:] = [program] + sys.argv[5:]

    def is_program(filename):
        return filename == program

    def run_program():
        try:
            exec(code, {'__name__': '__main__', '__file__': program, '__builtins__': __builtins__})
        except Reached:
            raise
        except BaseException:  # noqa: B902 (crash.py ends in an uncaught exception)
            pass

    def record_all():
        events = []
        rule = Rule()
        disagreements = []

        def tracer(frame, event, arg):
            if frame.f_code.co_filename != program:
                return None
            if frame.f_code is code and event == 'call':
                counter.set_main(code)  # as fred_pdb does: positions count from here
            if event in ('call', 'line', 'return', 'exception'):
                counter.tick(event)
                position = counter.position()
                by_rule = rule.tick(event)
                if by_rule != position and len(disagreements) < 10:
                    disagreements.append({'c': position, 'rule': by_rule, 'line': frame.f_lineno, 'event': event})
                events.append((position[0], position[1], frame.f_lineno, event))
            return tracer

        counter.begin_run({}, is_program)
        sys.settrace(tracer)
        try:
            run_program()
        finally:
            sys.settrace(None)
        return {'events': events, 'disagreements': disagreements}

    def count_plainly():
        counted = [0]

        def tracer(frame, event, arg):
            if frame.f_code.co_filename != program:
                return None
            if event in ('call', 'line', 'return', 'exception'):
                counted[0] += 1
            return tracer

        sys.settrace(tracer)
        try:
            run_program()
        finally:
            sys.settrace(None)
        return counted[0]

    def run_in_c(target, untraced):
        def work():
            found = []

            def reached(frame, event, arg):
                position = counter.position()
                found.append((position[0], position[1], frame.f_lineno, event))
                raise Reached()

            def main_event(frame, event, arg):
                # The main module's call and return: Python counts them, as fred_pdb does.
                if event == 'call':
                    counter.set_main(code)
                if counter.tick(event) == 1:
                    reached(frame, event, arg)

            counter.begin_run({}, is_program)
            counter.set_target(None if target is None else (target[0], target[1]))
            before = counter.trace_calls()
            counter.start(code, None, untraced, reached, main_event, reached)
            try:
                run_program()
            except Reached:
                pass
            finally:
                counter.stop()
            return {'found': found[0] if found else None, 'traceCalls': counter.trace_calls() - before}
        return in_child(work)

    full = in_child(record_all)
    events = [tuple(event) for event in full['events']]
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(events)), min(count, len(events))))
    mismatches = []
    for index in picked:
        got = run_in_c(events[index], True)['found']
        if got is None or tuple(got) != events[index]:
            mismatches.append({'expected': events[index], 'got': got})
    last = run_in_c(events[-1], True)
    print(json.dumps({
        'hooked': bool(counter.hooked), 'events': len(events), 'plainEvents': in_child(count_plainly),
        'disagreements': full['disagreements'], 'checked': len(picked),
        'mismatchCount': len(mismatches), 'mismatches': mismatches[:10],
        'fullTraceCalls': run_in_c(None, False)['traceCalls'], 'untracedTraceCalls': last['traceCalls'],
        'lastReached': last['found'] is not None and tuple(last['found']) == events[-1],
    }))


main()
