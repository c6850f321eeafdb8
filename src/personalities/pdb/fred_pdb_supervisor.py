# The process fred spawns on the pty stays a supervisor: it keeps the terminal (its exit is the
# session's end), adopts and reaps every worker and snapshot, forwards Ctrl-C to the live worker,
# and when the live worker ends for good, or on SIGTERM/SIGHUP, kills every process it adopted.
#
# Workers announce themselves on a pipe ("live PID\n") before the previous live worker ends, so
# a worker's death is the end of the session only if no successor was announced before it.

import os
import signal

from fred_pdb_native import native_process

PR_SET_CHILD_SUBREAPER = 36


class Supervision:
    """A worker's side of the supervisor: where to announce itself, and the session's secret for
    naming snapshot sockets."""

    def __init__(self, announce_fd, token):
        self.announce_fd = announce_fd
        self.token = token

    def announce_live(self):
        os.write(self.announce_fd, b'live %d\n' % os.getpid())


def start_supervised():
    """Forks the first worker and returns its Supervision in it; the original process supervises
    and never returns."""
    _become_subreaper()
    token = os.urandom(12).hex()
    announcements, announce_fd = os.pipe()
    worker = os.fork()
    if worker == 0:
        os.close(announcements)
        return Supervision(announce_fd, token)
    os.close(announce_fd)
    _Supervisor(worker, announcements).run()


def _become_subreaper():
    # Snapshots and restored workers are orphans (fred_pdb_snapshots.fork_orphan): they must come
    # back to us.
    if native_process is not None:
        try:
            native_process.set_child_subreaper()
            return
        except OSError:
            pass
    import ctypes  # (~2 ms to import: only without _fred_pdb_process)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# fred's interrupt for an automatic checkpoint: Ctrl-C's effect, but the program's system calls
# restart in the kernel instead of failing with EINTR. A write cut short and retried takes other
# locks in Python (each reading the clock) than the uninterrupted write of a replay: recorded,
# the difference made replays diverge. (SIGINT keeps interrupting: a program waiting for input
# must stop at the user's Ctrl-C.) pdb-personality.ts sends the same number.
CHECKPOINT_SIGNAL = signal.SIGRTMIN + 2


class _Supervisor:
    def __init__(self, worker, announcements):
        self.live = worker
        self.announcements = announcements
        self.unread = b''
        self.ending = False
        os.set_blocking(announcements, False)

    def run(self):
        signal.signal(signal.SIGINT, self.interrupt)
        signal.signal(CHECKPOINT_SIGNAL, self.interrupt)
        signal.signal(signal.SIGTERM, self.terminate)
        signal.signal(signal.SIGHUP, self.terminate)
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                self.end(0)
            self.read_announcements()
            if pid == self.live:
                code = os.waitstatus_to_exitcode(status)
                self.end(code if code >= 0 else 128 - code)

    def read_announcements(self):
        while True:
            try:
                chunk = os.read(self.announcements, 4096)
            except (BlockingIOError, InterruptedError):
                break
            if not chunk:
                break
            self.unread += chunk
        *lines, self.unread = self.unread.split(b'\n')
        for line in lines:
            word, _, pid = line.partition(b' ')
            if word == b'live' and pid.isdigit():
                self.live = int(pid)

    def interrupt(self, signum, frame):
        self.read_announcements()
        try:
            os.kill(self.live, signum)
        except OSError:
            pass

    def terminate(self, signum, frame):
        self.end(128 + signum)

    def end(self, code):
        if self.ending:
            return
        self.ending = True
        _kill_descendants()
        os._exit(code)


def _children():
    me = os.getpid()
    children = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name, 'rb') as stat:
                fields = stat.read().rpartition(b')')[2].split()
        except OSError:
            continue
        if len(fields) > 1 and int(fields[1]) == me:
            children.append(int(name))
    return children


def _kill_descendants():
    """Kills children until there are none: as a subreaper we inherit grandchildren (the program's
    own subprocesses, snapshots' workers) when their parents die."""
    while True:
        children = _children()
        if not children:
            break
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass
        for child in children:
            try:
                os.waitpid(child, 0)
            except ChildProcessError:
                pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
