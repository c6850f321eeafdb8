# Runs a Python program twice from one fork snapshot, the way fred_pdb's checkpoints work: the
# snapshot is forked while recording is paused (a debugger's fork, so the copy keeps its place in
# the record log), the original runs the program, then the copy is released and runs it again.
# After each run, with recording paused, prints "@snapshot original|copy NAME=VALUE ..." with the
# program's globals. Without the shim loaded, pausing and resuming do nothing.
#
# usage: python3 fork_snapshot_driver.py PROGRAM
#        (under the shim: LD_PRELOAD, FRED_RECORD_LOG and FRED_RECORD_PAUSED=1)

import ctypes
import os
import sys

GLOBALS = ('started', 'pid', 'roll', 'outcome', 'elapsed', 'total', 'bad')


def shim_function(name):
    try:
        return getattr(ctypes.CDLL(None), name)
    except AttributeError:
        return lambda: None


pause = shim_function('fred_record_pause')
resume = shim_function('fred_record_resume')


def snapshot():
    """The original gets (release pipe, copy's pid); the copy returns None once released."""
    release_read, release_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(release_write)
        os.read(release_read, 1)
        return None
    os.close(release_read)
    return release_write, pid


def run(program):
    namespace = {'__name__': '__main__', '__file__': program}
    with open(program) as source:
        code = compile(source.read(), program, 'exec')
    resume()
    try:
        exec(code, namespace)
    except SystemExit:
        pass
    sys.stdout.flush()
    pause()
    return namespace


def main():
    program = sys.argv[1]
    sys.argv[:] = [program]
    pause()
    sys.stdout.flush()
    handle = snapshot()
    namespace = run(program)
    role = 'copy' if handle is None else 'original'
    values = ' '.join('%s=%r' % (name, namespace[name]) for name in GLOBALS if name in namespace)
    print('@snapshot %s %s' % (role, values), flush=True)
    if handle is None:
        os._exit(0)
    release, copy = handle
    os.write(release, b'x')
    os.waitpid(copy, 0)


main()
