# Runs a Python program under native/pdb/frame-boundaries.c (not used by fred_pdb yet), for the
# benchmark: `untraced` counts frame boundaries with every frame but the main module's untraced
# (what a forward run could cost), `full` traces every frame (what counting every event costs).
#
# usage: frame_boundaries_run.py MODULE_FILE untraced|full PROGRAM [ARGS...]

import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location('_fred_frame_boundaries', sys.argv[1])
boundaries = importlib.util.module_from_spec(spec)
spec.loader.exec_module(boundaries)
mode, program = sys.argv[2], os.path.abspath(sys.argv[3])
sys.argv[:] = [program] + sys.argv[4:]
with open(program) as source:
    code = compile(source.read(), program, 'exec')
boundaries.start(code, lambda filename: filename == program, mode == 'full', None, None, None)
try:
    exec(code, {'__name__': '__main__', '__file__': program, '__builtins__': __builtins__})
finally:
    boundaries.stop()
