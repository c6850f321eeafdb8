# Runs a Python program under fred's event counter (native/pdb/event-counter.c) alone, for the
# benchmark: `untraced` counts frame boundaries with every frame but the main module's untraced
# (the floor of fred's `continue`), `full` traces every frame with the C trace function (the floor
# of counting every event).
#
# usage: event_counter_run.py MODULE_FILE untraced|full PROGRAM [ARGS...]

import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location('_fred_event_counter', sys.argv[1])
counter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(counter)
mode, program = sys.argv[2], os.path.abspath(sys.argv[3])
sys.argv[:] = [program] + sys.argv[4:]
with open(program) as source:
    code = compile(source.read(), program, 'exec')


def main_event(frame, event, arg):
    if event == 'call':
        counter.set_main(code)
    counter.tick(event)


counter.begin_run({}, lambda filename: filename == program)
counter.start(code, None, mode == 'untraced', None, main_event, None)
try:
    exec(code, {'__name__': '__main__', '__file__': program, '__builtins__': __builtins__})
finally:
    counter.stop()
