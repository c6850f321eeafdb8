# fred's pdb: `python3 -m pdb PROGRAM` with the program on its own terminal and with replies a
# machine can read. Every prompt is preceded by one `@fred {"status": ...}` line; commands named
# fred_* never pass through pdb's alias and ";;" handling, and most answer with one `@fred {json}`.
# The program runs in a worker process under a supervisor (fred_pdb_supervisor), so that fork
# checkpoints (fred_pdb_snapshots) can replace the live process; an event counter
# (fred_pdb_events, driven by fred_pdb_stepping) names every moment, and the replay commands
# (fred_pdb_commands, fred_pdb_replay) run forward to or through them.
#
# usage: python3 -u fred_pdb.py [--program-tty PATH] [--stdin FILE] -- PROGRAM [ARGS...]

import base64
import bdb
import json
import os
import pdb
import signal
import sys
import traceback

# Siblings, imported while sys.path[0] is still this folder (target.check() replaces it).
from fred_pdb_commands import ReplayCommands
from fred_pdb_recording import ShimSwitch
from fred_pdb_events import EventCounter
from fred_pdb_snapshots import Snapshots
from fred_pdb_stepping import CountedStepping
from fred_pdb_supervisor import CHECKPOINT_SIGNAL, start_supervised
from fred_pdb_dmtcp import dmtcp_commands, open_dmtcp_dialogue

MARKER = '@fred '

# pdb's commands that let the program run.
MOVING_COMMANDS = frozenset((
    's', 'step', 'n', 'next', 'r', 'return', 'c', 'cont', 'continue', 'unt', 'until', 'j', 'jump',
    'run', 'restart'))


class FredRestart(BaseException):
    """Unwinds the running program for a restart. A BaseException, like SystemExit, so that a
    program's `except Exception:` cannot swallow it (pdb's own Restart is an Exception)."""

    def __init__(self, run_to_breakpoint):
        super().__init__()
        self.run_to_breakpoint = run_to_breakpoint


class Dialogue:
    """pdb's output stream. Remembers whether the last text written ended its line, so that a
    status line always gets a line of its own even after `!sys.stdout.write('no newline')`."""

    def __init__(self, stream):
        self.stream = stream
        self.at_line_start = True
        # While a replay primitive runs, the stops it passes through print nothing.
        self.muted = False
        # Text a signal handler wrote while a write was under way (pdb's sigint_handler prints
        # "Program interrupted"): the stream's own write is not reentrant ("RuntimeError:
        # reentrant call inside <_io.BufferedWriter>", which the program then died of).
        self.writing = False
        self.pending = []

    def write(self, text):
        if self.muted:
            return len(text)
        if text:
            self.at_line_start = text.endswith('\n')
        if self.writing:
            self.pending.append(text)
            return len(text)
        self.writing = True
        try:
            written = self.stream.write(text)
            while self.pending:
                self.stream.write(self.pending.pop(0))
            return written
        finally:
            self.writing = False

    def __getattr__(self, name):
        return getattr(self.stream, name)


class FredPdb(ReplayCommands, CountedStepping, pdb.Pdb):
    def __init__(self, dialogue_in, dialogue_out, supervision=None):
        # No .pdbrc: a `continue` in it would answer a command fred never sent.
        super().__init__(stdin=dialogue_in, stdout=Dialogue(dialogue_out), readrc=False)
        self.status = {'state': 'stopped'}
        # How the previous run ended; reported by the first stop of the next run.
        self.ending = None
        self.run_to_breakpoint = False
        # True once a command let the program run (or moved it); reported by the next status.
        self.moved = False
        # True once Ctrl-C stopped the program; reported by the next status.
        self.interrupted = False
        # bdb's own dispatcher; the counting tracer in front of it is what bdb installs.
        self.dispatch = bdb.Bdb.trace_dispatch.__get__(self)
        self.shim = ShimSwitch()
        self.program_running = False
        self.events = EventCounter(
            self.dispatch, self.event_reached, self.interrupt_landed, self.breakpoint_lines,
            self.is_main_code, self.hold_at_exit, lambda: self.stop_count)
        # Stops so far (each interaction); the exit hold only happens where nothing else stopped.
        self.stop_count = 0
        # True once the exit hold told the user how the program ended: main() must not repeat it.
        self.exit_announced = False
        self.stack_entry_unshown = False
        # True while the user's commands run at the exit hold (in its interaction).
        self.at_exit_hold = False
        # Ctrl-C at the prompt (see prompt_interrupt): waiting for a command; an interrupt for
        # it came early. A prompt shown again for a queued command is silent.
        self.awaiting_command = False
        self.interrupt_pending = False
        # An interrupt waits for the next frame boundary (fred_pdb_stepping.interrupt_program).
        self.interrupt_waiting = False
        self.cut_short_by_interrupt = False
        self.reprompt_silently = False
        # The command being run, and one to run again after the exit hold's restart.
        self.command_line = ''
        self.after_restart = None
        self.trace_dispatch = self.events.trace
        # The replay primitive running, and the result its last stop reports.
        self.replay = None
        self.pending_reply = None
        # Index in self.stack of the frame pdb stopped in (`up` and `down` move curindex only).
        self.stop_index = 0
        self.snapshots = Snapshots(supervision) if supervision is not None else None
        if self.snapshots is not None:
            self.snapshots.evaluator = self.value_at_stop
        self.fred_commands = {
            'fred_state': self.fred_state,
            'fred_eval': self.fred_eval,
            'fred_backtrace': self.fred_backtrace,
            'fred_breakpoints': self.fred_breakpoints,
            'fred_break': self.fred_break,
            'fred_run': self.fred_run,
            'fred_builtin': self.fred_builtin,
            'fred_mark': self.fred_mark,
            'fred_checkpoint': self.fred_checkpoint,
            'fred_restore': self.fred_restore,
            'fred_discard': self.fred_discard,
            'fred_values_at': self.fred_values_at,
            'fred_run_until': self.fred_run_until,
            'fred_scan': self.fred_scan,
            'fred_breakpoint_hits': self.fred_breakpoint_hits,
            'fred_evaluate_in': self.fred_evaluate_in,
            'fred_changes_program': self.fred_changes_program,
            'fred_watch_scan': self.fred_watch_scan,
            'fred_last_different': self.fred_last_different,
        }

    # --- replies -------------------------------------------------------------------------

    def reply(self, payload):
        # ensure_ascii keeps the reply on one line whatever the values contain.
        self.message(MARKER + json.dumps(payload, ensure_ascii=True))

    def report_status(self):
        if not self.stdout.at_line_start:
            self.stdout.write('\n')
        status = dict(self.status)
        status['location'] = None if status['state'] == 'exited' else self.current_location()
        # The moment's mark with it: fred needs it after every command that moved the program,
        # and a fred_mark round trip costs as much as a short `next`.
        mark = self.current_mark()
        if mark is not None:
            status['mark'] = mark
        if self.moved:
            status['resumed'] = True
            self.moved = False
        if self.interrupted:
            status['interrupted'] = True
            self.interrupted = False
        self.reply({'status': status})

    def announce_restart(self):
        """A DMTCP image restarted at the prompt: its status and prompt again, on the new dialogue
        (what fred waits for before it writes a command there)."""
        self.report_status()
        self.stdout.write(self.prompt)
        self.stdout.flush()

    def preloop(self):
        # An interrupt that came too late for the last command (after postcmd) is for no one.
        self.interrupt_pending = False
        if self.after_restart is not None:
            # The first stop of a run restarted from the exit hold: the command given there runs
            # now, and only its own stop is reported.
            self.cmdqueue.append(self.after_restart)
            self.after_restart = None
            self.reprompt_silently = True
        if self.reprompt_silently:
            # Nothing may be said before the queued command answers.
            self.stdout.muted = True
            self.awaiting_command = True
            return
        self.stdout.muted = False
        if self.pending_reply is not None:
            self.reply(self.pending_reply)
            self.pending_reply = None
        super().preloop()
        self.report_status()
        self.awaiting_command = True

    def evaluates_user_code(self, line):
        """Commands that a Ctrl-C cuts short, as in plain pdb (`p`, `!stmt`, fred_eval): they may
        run the program's code for long. Any other is never cut in the middle: a command that
        moves the program gets stopped right after it starts instead."""
        name = self.command_name(line)
        if name == 'fred_builtin':
            name = self.command_name(line.strip().partition(' ')[2])
        if name in self.fred_commands:
            return name in ('fred_eval', 'fred_evaluate_in', 'fred_values_at')
        return name not in MOVING_COMMANDS

    def postcmd(self, stop, line):
        if self.interrupt_pending:
            self.interrupt_pending = False
            if stop and self.replay is not None:
                self.replay.interrupted = True
            elif stop and self.after_restart is None:
                self.stop_for_early_interrupt()
        # A command that resumes the program is reported at its next stop, by preloop.
        if not stop:
            self.report_status()
            self.awaiting_command = True
        return stop

    # --- the program's own frames ----------------------------------------------------------

    def program_start(self):
        """Index in self.stack of the main module's frame: frames above it are pdb, bdb and the
        exec wrapper, not the program."""
        for index, (frame, _) in enumerate(self.stack):
            if self.is_main_module(frame):
                return index
        return len(self.stack)

    def describe(self, frame, lineno):
        return {
            'file': self.canonic(frame.f_code.co_filename),
            'line': lineno,
            'function': frame.f_code.co_name or '<lambda>',
        }

    def current_location(self):
        return self.location_at(self.curindex)

    def location_at(self, index):
        if not self.stack:
            return None
        frame, lineno = self.stack[index]
        location = self.describe(frame, lineno)
        location['depth'] = max(0, index - self.program_start() + 1)
        return location

    def is_main_module(self, frame):
        return self.is_main_code(frame.f_code)

    def is_main_code(self, code):
        return code.co_name == '<module>' and self.canonic(code.co_filename) == self.mainpyfile

    def hold_at_exit(self, frame, exception):
        """At the program's last event (its main module returning), stops it there, alive, as
        having exited, the way fred_gdb holds a C program at _exit: the end can be inspected,
        checkpointed and gone back from. An uncaught exception other than SystemExit is left to
        post mortem. False when the program is not held."""
        if self.quitting:
            return False
        if exception is not None and not issubclass(exception[0], SystemExit):
            return False
        # From here the program has ended: a Ctrl-C (fred's own, for a checkpoint) is no news,
        # and must not be taken for a step typed at the hold, which restarts the program.
        self.at_exit_hold = True
        try:
            if exception is None:
                code = 0
                self.message('The program finished and will be restarted')
            else:
                code = exit_code(exception[1])
                self.message('The program exited via sys.exit(). Exit status: %s' % (exception[1],))
            self.exit_announced = True
            # The end is the news, whatever Ctrl-C came on the way.
            self.interrupted = False
            self.ending = {'state': 'exited', 'code': code, 'held': True}
            if self.replay is not None:
                self.replay.program_ended = True
            # To the user the program has ended: no "> file(line)" for this stop.
            self.stack_entry_unshown = True
            self.interaction(frame, None)
        finally:
            self.at_exit_hold = False
        return True

    def user_return(self, frame, return_value):
        # Ctrl-C that stops the program at its very last event stops it at its exit hold.
        ending = self.events.program_ending()
        if ending is not None and self.interrupted and self.replay is None and self.hold_at_exit(frame, ending[0]):
            return
        super().user_return(frame, return_value)

    def print_stack_entry(self, frame_lineno, prompt_prefix=pdb.line_prefix):
        if self.stack_entry_unshown:
            self.stack_entry_unshown = False
            return
        super().print_stack_entry(frame_lineno, prompt_prefix)

    def depth_of(self, frame):
        """The depth current_location() gives `frame` when pdb stops in it, without building the stack."""
        depth = 0
        count = 0
        while frame is not None:
            count += 1
            if self.is_main_module(frame):
                depth = count
            if frame is self.botframe:
                break
            frame = frame.f_back
        return depth

    def mark_of(self, frame):
        """The mark of a stop in `frame` at the current event."""
        mark = self.describe(frame, frame.f_lineno)
        mark['depth'] = self.depth_of(frame)
        mark['index'] = self.events.count()
        return mark

    # --- run bookkeeping -------------------------------------------------------------------

    def setup(self, frame, traceback):
        # Every stop sets up pdb's stack here, whether through interaction() or a breakpoint's
        # `commands`; the first stop after a run ended reports how it ended.
        self.status, self.ending = (self.ending or {'state': 'stopped'}), None
        result = super().setup(frame, traceback)
        self.stop_index = self.curindex
        return result

    def user_line(self, frame):
        if self.replay is not None and not self._wait_for_mainpyfile:
            # A breakpoint's `commands` are the user's business, not a replay's.
            self.interaction(frame, None)
            return
        if self._wait_for_mainpyfile and self.run_to_breakpoint:
            if self.mainpyfile != self.canonic(frame.f_code.co_filename) or frame.f_lineno <= 0:
                return
            # `run` goes straight to the first breakpoint, which may be on the very first line.
            self._wait_for_mainpyfile = False
            self.run_to_breakpoint = False
            if not self.break_here(frame):
                self.set_continue()
                return
        # An interrupt that stops the program at a line where a breakpoint holds: bdb asks
        # break_here only when the step would not stop anyway, so the stop was the interrupt's,
        # and a `continue` fred had interrupted for an automatic checkpoint ran on past the
        # breakpoint. The stop is the breakpoint's (its hit counted, its condition asked).
        if self.interrupted and self.breaks and self.replay is None and self.break_here(frame):
            self.interrupted = False
        super().user_line(frame)

    def restart(self, run_to_breakpoint):
        self.moved = True
        # No tracing while the program unwinds: its finally blocks must not stop.
        sys.settrace(None)
        frame = sys._getframe()
        while frame is not None:
            frame.f_trace = None
            frame = frame.f_back
        raise FredRestart(run_to_breakpoint)

    def do_run(self, arg):
        if arg:
            import shlex
            try:
                sys.argv[1:] = shlex.split(arg)
            except ValueError as e:
                self.error('Cannot run %s: %s' % (arg, e))
                return
        self.restart(run_to_breakpoint=False)

    do_restart = do_run

    def do_interact(self, arg):
        self.error('interact is not supported under fred (its input would be the program terminal)')

    def do_debug(self, arg):
        self.error('debug is not supported under fred')

    def do_break(self, arg, temporary=0):
        # Remember what the user asked for, for fred_breakpoints.
        before = bdb.Breakpoint.next
        super().do_break(arg, temporary)
        if arg and bdb.Breakpoint.next != before:
            breakpoint = bdb.Breakpoint.bpbynumber[-1]
            if breakpoint is not None:
                breakpoint.fred_spec = arg.split(',', 1)[0].strip()

    do_b = do_break

    def do_jump(self, arg):
        before = self.curframe.f_lineno if self.curframe is not None else None
        super().do_jump(arg)
        if self.curframe is not None and self.curframe.f_lineno != before:
            self.moved = True

    do_j = do_jump

    # --- fred_* commands --------------------------------------------------------------------

    def command_name(self, line):
        return line.strip().partition(' ')[0]

    def precmd(self, line):
        self.awaiting_command = False
        self.command_line = line
        self.cut_short_by_interrupt = self.evaluates_user_code(line)
        if self.reprompt_silently:
            self.reprompt_silently = False
            self.stdout.muted = False
        # The command line ended the prompt's line (there is no echo to show it).
        self.stdout.at_line_start = True
        if self.command_name(line) in self.fred_commands:
            return line
        return super().precmd(line)

    def onecmd(self, line):
        name = self.command_name(line)
        if name in self.fred_commands:
            # Dispatched directly: no alias expansion, no ";;", and lastcmd is left alone so
            # an empty line still repeats the user's last command.
            return self.fred_commands[name](line.strip().partition(' ')[2].strip())
        return super().onecmd(line)

    def decode(self, payload):
        text = base64.b64decode(payload.encode('ascii'), validate=True).decode('utf-8')
        if '\n' in text or '\r' in text:
            raise ValueError('payload must be a single line')
        return text

    def fred_state(self, arg):
        """Does nothing: its reply, like every reply, ends with the status line."""

    def fred_eval(self, arg):
        try:
            expression = self.decode(arg)
        except Exception as e:
            self.reply({'error': 'bad fred_eval payload: %s' % self._format_exc(e)})
            return
        try:
            value = eval(expression, self.curframe.f_globals, self.curframe_locals)
        except BaseException as e:
            self.reply({'error': self._format_exc(e)})
            return
        self.reply({'value': self._safe_repr(value, expression)})

    def fred_backtrace(self, arg):
        frames = [self.describe(frame, lineno) for frame, lineno in self.stack[self.program_start():]]
        selected = self.curindex - self.program_start()
        if 0 <= selected < len(frames):
            frames[selected]['selected'] = True
        frames.reverse()
        for level, frame in enumerate(frames):
            frame['level'] = level
        self.reply({'frames': frames})

    def fred_breakpoints(self, arg):
        breakpoints = []
        for breakpoint in bdb.Breakpoint.bpbynumber:
            if breakpoint is None:
                continue
            breakpoints.append({
                'id': breakpoint.number,
                'spec': getattr(breakpoint, 'fred_spec', '%s:%d' % (breakpoint.file, breakpoint.line)),
                'file': breakpoint.file,
                'line': breakpoint.line,
                'function': breakpoint.funcname,
                'condition': breakpoint.cond,
                'enabled': bool(breakpoint.enabled),
                'hits': breakpoint.hits,
                'temporary': bool(breakpoint.temporary),
            })
        self.reply({'breakpoints': breakpoints})

    def fred_break(self, arg):
        """Payload: JSON {"spec": ..., "condition": ...}; prints pdb's usual `break` text."""
        try:
            request = json.loads(self.decode(arg))
            spec = request['spec']
            condition = request.get('condition')
            if not isinstance(spec, str) or not spec.strip() or ',' in spec:
                raise ValueError('bad breakpoint location %r' % spec)
        except Exception as e:
            self.error('bad fred_break payload: %s' % self._format_exc(e))
            return
        if condition:
            try:
                compile(condition, '<condition>', 'eval')
            except SyntaxError as e:
                self.error('Invalid condition %s: %s' % (condition, self._format_exc(e)))
                return
            spec = '%s, %s' % (spec, condition)
        self.do_break(spec)

    def fred_builtin(self, arg):
        """A pdb command as pdb defines it, whatever aliases the user made; still one command."""
        if self.command_name(arg) in self.fred_commands:
            self.error('fred_builtin runs pdb commands only')
            return
        return super().onecmd(arg)

    def fred_run(self, arg):
        """Restart the program from the beginning and run to a breakpoint, the end or a crash."""
        self.restart(run_to_breakpoint=True)

def exit_code(system_exit):
    code = system_exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1


def crash_reason(error):
    return traceback.format_exception_only(type(error), error)[-1].strip()


def parse_arguments(argv):
    program_tty = None
    stdin_file = None
    index = 0
    while index < len(argv) and argv[index] != '--':
        option = argv[index]
        if option in ('--program-tty', '--stdin') and index + 1 < len(argv):
            if option == '--program-tty':
                program_tty = argv[index + 1]
            else:
                stdin_file = argv[index + 1]
            index += 2
        else:
            raise SystemExit('fred_pdb: unknown option %r' % option)
    program = argv[index + 1:]
    if not program:
        raise SystemExit('usage: fred_pdb.py [--program-tty PATH] [--stdin FILE] -- PROGRAM [ARGS...]')
    return program_tty, stdin_file, program


def open_dialogue():
    """pdb keeps talking on the terminal fred_pdb was started on, through duplicates of fds 0
    and 1, so that fds 0, 1 and 2 can be handed to the program."""
    dialogue_in = open(os.dup(0), 'r', encoding='utf-8', errors='replace')
    dialogue_out = open(os.dup(1), 'w', encoding='utf-8', errors='backslashreplace', buffering=1)
    return dialogue_in, dialogue_out


def give_program_its_streams(program_tty):
    if program_tty is not None:
        terminal = os.open(program_tty, os.O_RDWR | os.O_NOCTTY)
        for fd in (0, 1, 2):
            os.dup2(terminal, fd)
        os.close(terminal)
    # sys.stdin/stdout/stderr already wrap fds 0, 1 and 2; make sure output is never held back.
    for stream in (sys.stdout, sys.stderr):
        if not stream.write_through:
            stream.reconfigure(line_buffering=True)


def rewind_stdin(stdin_file, again=False):
    """Every run reads the --stdin file from its start: a fresh fd 0, and a fresh sys.stdin,
    since the old one may hold text the previous run read ahead. A pipe cannot be read again (a
    second open would wait for a new writer): later runs get what is left of it."""
    if again and not os.path.isfile(stdin_file):
        return
    source = os.open(stdin_file, os.O_RDONLY)
    os.dup2(source, 0)
    os.close(source)
    sys.stdin = open(0, 'r', encoding=sys.__stdin__.encoding, errors=sys.__stdin__.errors, closefd=False)


def restarting(target):
    return 'Restarting %s with arguments:\n\t%s' % (target, ' '.join(sys.argv[1:]))


def main():
    # --dmtcp (first): the process runs under DMTCP, which checkpoints it whole (fred_pdb_dmtcp).
    dmtcp = sys.argv[1:2] == ['--dmtcp']
    if dmtcp:
        del sys.argv[1]
    program_tty, stdin_file, program = parse_arguments(sys.argv[1:])
    target = pdb._ScriptTarget(program[0])
    target.check()
    # The process fred spawned keeps the terminal; only the worker returns.
    supervision = None if dmtcp else start_supervised()
    try:
        if dmtcp:
            dialogue_in, dialogue_out = open_dmtcp_dialogue(stdin_file)
            program_tty = None
        else:
            dialogue_in, dialogue_out = open_dialogue()
        give_program_its_streams(program_tty)
        if stdin_file is not None:
            rewind_stdin(stdin_file)
    except OSError as e:
        print('Error: %s' % e)
        sys.exit(1)
    sys.argv[:] = program

    debugger = FredPdb(dialogue_in, dialogue_out, supervision)
    if dmtcp:
        debugger.fred_commands.update(dmtcp_commands(debugger))
        dialogue_in.on_restart = debugger.announce_restart
    signal.signal(signal.SIGINT, debugger.prompt_interrupt)
    # The same handler as Ctrl-C's (stop at the next event, or a pending interrupt at the prompt).
    signal.signal(CHECKPOINT_SIGNAL, debugger.sigint_handler)
    signal.siginterrupt(CHECKPOINT_SIGNAL, False)
    say = debugger.message
    run_to_breakpoint = False
    while True:
        debugger.run_to_breakpoint, run_to_breakpoint = run_to_breakpoint, False
        debugger.exit_announced = False
        try:
            if stdin_file is not None:
                rewind_stdin(stdin_file, again=True)
            debugger._run(target)
            if debugger._user_requested_quit:
                break
            if not debugger.exit_announced:
                say('The program finished and will be restarted')
            debugger.ending = {'state': 'exited', 'code': 0}
            continue
        except FredRestart as restart:
            run_to_breakpoint = restart.run_to_breakpoint
            say(restarting(target))
            continue
        except SystemExit as e:
            # In most cases SystemExit does not warrant a post-mortem session.
            if not debugger.exit_announced:
                say('The program exited via sys.exit(). Exit status: %s' % (e,))
            debugger.ending = {'state': 'exited', 'code': exit_code(e)}
            continue
        except SyntaxError:
            say(traceback.format_exc().rstrip('\n'))
            sys.exit(1)
        except BaseException as e:
            crash = e
        # Post mortem, outside the except block so that nothing chains to the program's exception.
        say(''.join(traceback.format_exception(crash)).rstrip('\n'))
        say('Uncaught exception. Entering post mortem debugging')
        say("Running 'cont' or 'step' will restart the program")
        debugger.ending = {'state': 'crashed', 'reason': crash_reason(crash)}
        try:
            debugger.interaction(None, crash.__traceback__)
        except FredRestart as restart:
            run_to_breakpoint = restart.run_to_breakpoint
            say(restarting(target))
            continue
        if debugger._user_requested_quit:
            break
        say('Post mortem debugger finished. The %s will be restarted' % target)


if __name__ == '__main__':
    # Run as module `fred_pdb`, not `__main__`: pdb replaces __main__'s namespace with the
    # program's, which would wipe these globals.
    import importlib.util
    spec = importlib.util.spec_from_file_location('fred_pdb', __file__)
    module = importlib.util.module_from_spec(spec)
    sys.modules['fred_pdb'] = module
    spec.loader.exec_module(module)
    module.main()
