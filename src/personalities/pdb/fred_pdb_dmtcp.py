# fred_pdb under DMTCP (fred --backend dmtcp): the whole Python process is checkpointed to disk by
# DMTCP and restarted by dmtcp_restart under a fresh pseudo-terminal. DMTCP gives a restarted
# process the restarter's fds 0, 1 and 2 and drops every other terminal fd (it cannot reopen a
# terminal created outside the computation), so fred always starts us, under dmtcp_launch and
# under dmtcp_restart alike, with the dialogue on fds 0 and 1 and the program's terminal on fd 2.
# After a restart the dialogue's duplicates are stale: usually gone (a read fails with EBADF), but
# DMTCP reopens a terminal by its path when that path exists again, and pseudo-terminal numbers
# are reused: the duplicate may then be some other process's terminal, where a read waits
# forever (seen under load). So the prompt waits in short slices and checks whether fd 1 is still
# the program's terminal it was made at launch: after a restart it is the new dialogue. Either
# way the channels are rebuilt from fds 1 and 2 exactly as at launch (fd 1 is the terminal's
# read-write slave; fd 0 may be a --stdin file, which DMTCP restores itself). The restarted dialogue's
# terminal comes back in canonical mode with echo: it is made raw again, and only then does
# fred_pdb say where it is (fred writes nothing to a restarted image before that).

import base64
import errno
import json
import os
import select
import stat

from fred_pdb_state import apply_debugger_state, debugger_state


class Channels:
    """The dialogue (duplicates of fd 1, the terminal's read-write slave) and the program's streams
    (fd 2 on fds 1 and 2, and on fd 0 unless --stdin gave the program a file)."""

    def __init__(self, stdin_file):
        self.stdin_file = stdin_file
        # File objects of earlier lives: never closed (their fds are gone or reused by DMTCP).
        self.retired = []
        self.reader = None
        self.writer = None
        self.attach()

    def restarted(self):
        """Whether fd 1 is no longer the program's terminal: a restart gave it the new dialogue."""
        try:
            return terminal_identity(1) != self.program_terminal
        except OSError:
            return True

    def attach(self):
        if self.reader is not None:
            self.retired += [self.reader, self.writer]
        self.reader = open(os.dup(1), 'r', encoding='utf-8', errors='replace', closefd=False)
        self.writer = open(os.dup(1), 'w', encoding='utf-8', errors='backslashreplace', buffering=1, closefd=False)
        program = os.dup(2)
        # fd 1 is the program's terminal from here on, until a restart gives us the new dialogue.
        self.program_terminal = terminal_identity(program)
        # A --stdin file on fd 0 is DMTCP's to restore (a regular file, reopened at its offset).
        for fd in (1, 2) if self.stdin_file is not None and stat.S_ISREG(os.fstat(0).st_mode) else (0, 1, 2):
            os.dup2(program, fd)
        os.close(program)


# How often the prompt looks whether a restart happened meanwhile (see the top of this file).
RESTART_POLL_SECONDS = 0.05


def terminal_identity(fd):
    status = os.fstat(fd)
    return status.st_dev, status.st_ino, status.st_rdev


class DialogueIn:
    def __init__(self, channels):
        self.channels = channels
        # Called once the dialogue is back after a restart, before the next command is read.
        self.on_restart = None

    def readline(self, *args):
        # fred writes one command and waits for its answer: a line is never left in the reader's
        # buffer while we wait here, so waiting on the descriptor is waiting for the next command.
        while True:
            try:
                readable, _, _ = select.select([self.channels.reader], [], [], RESTART_POLL_SECONDS)
                if not self.channels.restarted():
                    if readable:
                        return self.channels.reader.readline(*args)
                    continue
            except OSError as e:
                if e.errno != errno.EBADF:
                    raise
            # Restarted from an image: the terminal fred restarted us on is on fds 0 and 1 now.
            self.channels.attach()
            make_raw(self.channels.reader.fileno())
            if self.on_restart is not None:
                self.on_restart()

    def __getattr__(self, name):
        return getattr(self.channels.reader, name)


class DialogueOut:
    def __init__(self, channels):
        self.channels = channels

    def write(self, text):
        return self.channels.writer.write(text)

    def flush(self):
        try:
            self.channels.writer.flush()
        except OSError:
            pass

    def __getattr__(self, name):
        return getattr(self.channels.writer, name)


def make_raw(fd):
    """What `stty raw -echo` made of the dialogue's terminal at launch. DMTCP restarts it in
    canonical mode with echo: every command would come back echoed, and a line longer than 4095
    bytes (a long expression's payload) would be cut."""
    import termios  # here: fred_pdb without DMTCP never needs them
    import tty
    try:
        tty.setraw(fd, termios.TCSANOW)
    except termios.error:
        pass  # not a terminal (nothing to undo)


def open_dmtcp_dialogue(stdin_file=None):
    channels = Channels(stdin_file)
    return DialogueIn(channels), DialogueOut(channels)


def dmtcp_commands(debugger):
    """fred_* commands the DMTCP backend needs: a restarted image carries the breakpoints of its
    own time, so fred reads the live debugger's state before a restore and applies it after."""

    def fred_dmtcp_state(arg):
        debugger.reply({'state': base64.b64encode(json.dumps(debugger_state(debugger)).encode('utf-8')).decode('ascii')})

    def fred_dmtcp_apply(arg):
        try:
            state = json.loads(debugger.decode(arg))
            apply_debugger_state(debugger, state)
        except Exception as e:
            debugger.reply({'error': 'breakpoints could not be carried over: %s' % debugger._format_exc(e)})
            return
        debugger.reply({'applied': True})

    return {'fred_dmtcp_state': fred_dmtcp_state, 'fred_dmtcp_apply': fred_dmtcp_apply}
