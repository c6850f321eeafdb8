# The exactness oracle for native/pdb/frame-boundaries.c. Every run is a fork of this process,
# the program not started yet, with its output discarded:
# 1. PROGRAM with every frame traced, recording each counted event's position (E, k), line and
#    kind; and PROGRAM under a plain sys.settrace counter of the program file's events (the set of
#    events fred's event index counts today): the two counts must agree.
# 2. For COUNT positions picked at random (SEED): PROGRAM untraced but for the main module's frame
#    and the frames from the target's boundary on; the first event it reports at or past the
#    target must be that same event (position, line, kind).
# 3. PROGRAM untraced to its last event, saying how often the trace function ran: far less than
#    under full tracing, or nothing was left untraced.
# Prints one JSON object.
#
# usage: frame_boundaries_oracle.py MODULE_FILE COUNT SEED PROGRAM [ARGS...]

import importlib.util
import json
import os
import random
import sys
import warnings


def load(path):
    spec = importlib.util.spec_from_file_location('_fred_frame_boundaries', path)
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


def main():
    module_file, count, seed, program = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), os.path.abspath(sys.argv[4])
    boundaries = load(module_file)
    if not boundaries.supported:
        print(json.dumps({'supported': False}))
        return
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
        boundaries.start(code, is_program, True, lambda e, k, frame, event: events.append((e, k, frame.f_lineno, event)), None, None)
        try:
            run_program()
        finally:
            calls = boundaries.stop()[2]
        return {'events': events, 'traceCalls': calls}

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

    def run_to(target):
        def work():
            found = []

            def reached(e, k, frame, event):
                found.append((e, k, frame.f_lineno, event))
                raise Reached()

            boundaries.start(code, is_program, False, None, (target[0], target[1]), reached)
            try:
                run_program()
            except Reached:
                pass
            finally:
                calls = boundaries.stop()[2]
            return {'found': found[0] if found else None, 'traceCalls': calls}
        return in_child(work)

    full = in_child(record_all)
    events = [tuple(event) for event in full['events']]
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(events)), min(count, len(events))))
    mismatches = []
    for index in picked:
        got = run_to(events[index])['found']
        if got is None or tuple(got) != events[index]:
            mismatches.append({'expected': events[index], 'got': got})
    last = run_to(events[-1])
    print(json.dumps({
        'supported': True, 'events': len(events), 'plainEvents': in_child(count_plainly), 'checked': len(picked),
        'mismatchCount': len(mismatches), 'mismatches': mismatches[:10],
        'fullTraceCalls': full['traceCalls'], 'untracedTraceCalls': last['traceCalls'],
        'lastReached': last['found'] is not None and tuple(last['found']) == events[-1],
    }))


main()
