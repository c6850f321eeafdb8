# Fork checkpoints of the debugged Python process. A snapshot is a double-forked copy of the live
# worker (adopted by the supervisor) that waits on a Unix socket. Restoring asks it for a new live
# worker, which rewinds regular-file offsets, announces itself and only then releases the old
# worker, which exits without a word: one process reads the pdb dialogue at any time. The new
# worker is the snapshot's standby, a copy it forked ahead of time (on the other core, while the
# program ran), so that a restore waits for no fork.

import gc
import json
import os
import signal
import stat
import struct
import sys
from contextlib import closing

import _socket

from fred_pdb_native import native_process

# Only _socket: the socket module takes ~3 ms to import (it builds enums), in the live program at
# its first restore and in every snapshot before it can serve one.


def fork_process(fork=os.fork):
    """os.fork, except that the child keeps the `random` module's state: random reseeds itself in
    every forked child, which would make a restored program draw other numbers."""
    generator = sys.modules.get('random')
    state = generator.getstate() if generator is not None else None
    pid = fork()
    if pid == 0 and state is not None:
        generator.setstate(state)
    return pid


def fork_orphan(fast=False):
    """A copy of this process that is not its child (the program's wait() must not see it): an
    intermediate forks it and exits, and the supervisor, a subreaper, adopts it. Its pid here, 0
    in it. `fast`: with _fred_pdb_process, one page-table copy instead of two (a vfork child as
    the intermediate), for a copy that only waits: glibc in it does not know its thread id (see
    native/pdb/process.c), so copies that run the program are made from it by os.fork."""
    if fast and native_process is not None:
        return fork_process(native_process.fork_orphan)
    report_in, report_out = os.pipe()
    intermediate = fork_process()
    if intermediate == 0:
        try:
            os.close(report_in)
            orphan = fork_process()
            if orphan != 0:
                os.write(report_out, b'%d' % orphan)
                os._exit(0)
            os.close(report_out)
            return 0
        except BaseException:
            # Never let a copy fall back into pdb: two processes would read the dialogue.
            os._exit(1)
    os.close(report_out)
    with open(report_in, 'rb') as report:
        orphan = report.read()
    reap(intermediate)
    if not orphan:
        raise OSError('the copy of the process did not start')
    return int(orphan)


def reap(pid):
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # the program may reap children itself, or ignore SIGCHLD


def regular_file_offsets():
    """fd -> offset of every regular file open in this process. Forked processes share offsets, so
    each restore must put them back."""
    offsets = {}
    for name in os.listdir('/proc/self/fd'):
        fd = int(name)
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                offsets[fd] = os.lseek(fd, 0, os.SEEK_CUR)
        except OSError:
            continue
    return offsets


def rewind(offsets):
    for fd, offset in offsets.items():
        try:
            os.lseek(fd, offset, os.SEEK_SET)
        except OSError:
            pass


def flush_program_streams():
    # Text the program wrote but Python still holds would be written once by each copy.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


def send_line(connection, payload):
    connection.sendall(json.dumps(payload).encode('utf-8') + b'\n')


class LineReader:
    """JSON lines from a connection, one at a time (a copy sends its pid, then its value)."""

    def __init__(self, connection, buffered=b''):
        self.connection = connection
        self.buffered = buffered  # what an earlier read brought already

    def next(self):
        while b'\n' not in self.buffered:
            chunk = self.connection.recv(65536)
            if not chunk:
                return None
            self.buffered += chunk
        line, _, self.buffered = self.buffered.partition(b'\n')
        try:
            return json.loads(line.decode('utf-8'))
        except ValueError:
            return None


def announced_pid(line):
    """The pid in a copy's first line ({"pid": N}), or None."""
    return line['pid'] if isinstance(line, dict) and isinstance(line.get('pid'), int) else None


class Restored:
    """What a snapshot's copy finds when it becomes the live worker."""

    def __init__(self, state):
        self.state = state


class Standby:
    """A copy of a snapshot made ahead of time (Snapshots.prepare_standby). It waits on a channel
    for the one request it is to serve, a restore (it becomes the live worker) or an evaluation
    (it answers and ends), which comes with the requester's connection as a descriptor."""

    def __init__(self, channel):
        self.channel = channel

    def hand_over(self, request, connection):
        """False if the standby is gone: the snapshot serves the request itself then."""
        data = json.dumps(request).encode('utf-8') + b'\n'
        descriptor = struct.pack('i', connection.fileno())
        try:
            sent = self.channel.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, descriptor)], _socket.MSG_NOSIGNAL)
            if sent < len(data):
                self.channel.sendall(data[sent:], _socket.MSG_NOSIGNAL)
            return True
        except OSError:
            return False
        finally:
            self.channel.close()

    @staticmethod
    def receive(channel):
        """In the standby: (request, connection), or None when the channel closed first."""
        size = struct.calcsize('i')
        try:
            data, ancillary, _, _ = channel.recvmsg(65536, _socket.CMSG_SPACE(size))
        except OSError:
            return None
        descriptors = [struct.unpack('i', payload[:size])[0] for level, kind, payload in ancillary
                       if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS and len(payload) >= size]
        if not descriptors:
            return None
        connection = _socket.socket(fileno=descriptors[0])
        # The rest of the line, if the first read did not bring all of it.
        request = LineReader(channel, data).next()
        if not isinstance(request, dict):
            connection.close()
            return None
        return request, connection


class Snapshots:
    def __init__(self, supervision):
        self.supervision = supervision
        # request -> value, run in a throwaway copy of a snapshot (set by the debugger).
        self.evaluator = None

    def address(self, checkpoint):
        # Abstract socket namespace: nothing on disk to clean up; the token keeps others' names apart.
        return b'\0fred-pdb-%s-%d' % (self.supervision.token.encode('ascii'), checkpoint)

    def take(self, checkpoint):
        """Returns the snapshot's pid in the live worker; in a worker restored from the snapshot
        (possibly much later) returns a Restored instead."""
        flush_program_streams()
        offsets = regular_file_offsets()
        listener = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        listener.bind(self.address(checkpoint))
        listener.listen(8)
        # A waiting snapshot must run none of the program's code, finalizers included: no
        # collection from the fork on (the live process collects again once it is made).
        collecting = gc.isenabled()
        gc.disable()
        try:
            snapshot = fork_orphan(fast=True)
        except BaseException:
            if collecting:
                gc.enable()
            raise
        if snapshot == 0:
            try:
                restored = self.wait(listener, offsets)
                if collecting:
                    gc.enable()
                return restored
            except BaseException:
                # Never let a copy fall back into pdb: two processes would read the dialogue.
                os._exit(1)
        if collecting:
            gc.enable()
        listener.close()
        return snapshot

    def wait(self, listener, offsets):
        """The snapshot's life: frozen here until asked to discard itself, to fork a worker or to
        evaluate in a copy. A standby copy made ahead of time serves the next such request (see
        Standby); the standby that takes over returns from here."""
        standby = None
        while True:
            if standby is None:
                standby = self.prepare_standby(listener, offsets)
                if isinstance(standby, Restored):
                    return standby
            connection = _socket.socket(fileno=listener._accept()[0])
            with closing(connection):
                if not self.trusted(connection):
                    continue
                request = LineReader(connection).next()
                if request is None:
                    continue
                op = request.get('op')
                if op == 'discard':
                    send_line(connection, {'ok': True})
                    os._exit(0)  # the standby sees its channel close and ends too
                if op not in ('restore', 'evaluate'):
                    continue
                if standby is not None:
                    handed_over = standby.hand_over(request, connection)
                    standby = None
                    if handed_over:
                        continue
                if op == 'evaluate':
                    self.evaluate_in_copy(connection, request)
                    continue
                try:
                    worker = self.fork_worker()
                except OSError as e:
                    send_line(connection, {'error': str(e)})
                    continue
                if worker is None:
                    continue  # in the snapshot: wait for the next request
                listener.close()
                return self.go_live(connection, request, offsets)

    def go_live(self, connection, request, offsets):
        """In a copy of the snapshot that takes over as the live worker."""
        rewind(offsets)
        self.supervision.announce_live()
        send_line(connection, {'ok': True, 'pid': os.getpid()})
        return Restored(request.get('state'))

    def prepare_standby(self, listener, offsets):
        """Forks the snapshot's next worker or evaluating copy ahead of time, while nothing waits
        for it (a process's copy costs two page-table copies, ~4 ms: see fork_orphan). In the
        snapshot: a Standby, or None if it could not be made (requests then fork on demand). In
        the standby, once it took over as the live worker: a Restored."""
        try:
            ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_STREAM)
        except OSError:
            return None
        try:
            standby = fork_orphan()
        except OSError:
            ours.close()
            theirs.close()
            return None
        if standby != 0:
            theirs.close()
            return Standby(ours)
        try:
            ours.close()
            listener.close()
            received = Standby.receive(theirs)
            if received is None:
                os._exit(0)  # the snapshot was discarded (or ended with the session)
            request, connection = received
            theirs.close()
            if request.get('op') == 'restore':
                restored = self.go_live(connection, request, offsets)
                connection.close()
                return restored
            self.evaluate_here(connection, request)
        except BaseException:
            pass
        # Never let a copy fall back into pdb: two processes would read the dialogue.
        os._exit(1)

    def evaluate_in_copy(self, connection, request):
        """A value at this checkpoint's moment, computed in a throwaway copy of the snapshot (which
        stays as it is and goes back to waiting at once): `evaluator(request)` gives it. The copy
        is an orphan the supervisor adopts; it says its pid first, so that the one who asked can
        end it (Ctrl-C during an evaluation that does not finish). Its output goes nowhere."""
        try:
            copy = fork_orphan()
        except OSError as e:
            send_line(connection, {'error': str(e)})
            return
        if copy == 0:
            self.evaluate_here(connection, request)

    def evaluate_here(self, connection, request):
        """In a throwaway copy of the snapshot: answers the evaluation and ends."""
        try:
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            send_line(connection, {'pid': os.getpid()})
            send_line(connection, {'value': self.evaluator(request)})
        finally:
            os._exit(0)

    def values_at(self, checkpoints, request):
        """`request` evaluated at each checkpoint's moment (see evaluate_in_copy): a value, or
        None where a checkpoint did not answer. Ctrl-C (KeyboardInterrupt) ends the copies still
        evaluating; their values are None."""
        # One reader per checkpoint asked (None where it could not be reached), kept for both
        # phases below: what an interrupted read buffered stays there.
        readers = []
        values = [None] * len(checkpoints)
        copies = {}
        answered = set()
        try:
            for checkpoint in checkpoints:
                try:
                    connection = self.connect(checkpoint)
                except OSError:
                    readers.append(None)
                    continue
                readers.append(LineReader(connection))
                send_line(connection, dict(request, op='evaluate'))
            for index, reader in enumerate(readers):
                if reader is None:
                    continue
                pid = announced_pid(reader.next())
                if pid is not None:
                    copies[index] = pid
                    answer = reader.next()
                    del copies[index]
                    if isinstance(answer, dict):
                        values[index] = answer.get('value')
                answered.add(index)
        except (KeyboardInterrupt, OSError):
            # Copies asked but not heard from yet say their pid within moments of starting.
            for index, reader in enumerate(readers):
                if reader is None or index in answered or index in copies:
                    continue
                try:
                    reader.connection.settimeout(0.5)
                    pid = announced_pid(reader.next())
                    if pid is not None:
                        copies[index] = pid
                except (OSError, KeyboardInterrupt):
                    pass
            for pid in copies.values():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        finally:
            for reader in readers:
                if reader is not None:
                    reader.connection.close()
        return values

    def fork_worker(self):
        """Forks the new live worker (as an orphan, so the supervisor adopts it); returns None in
        the snapshot."""
        return True if fork_orphan() == 0 else None

    @staticmethod
    def trusted(connection):
        credentials = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, struct.calcsize('3i'))
        _, user, _ = struct.unpack('3i', credentials)
        return user == os.getuid()

    def restore(self, checkpoint, state):
        """Hands the dialogue over to a copy of the snapshot and exits; returns an error message if
        that could not be done."""
        try:
            connection = self.connect(checkpoint)
        except OSError:
            return 'no checkpoint %d' % checkpoint
        try:
            send_line(connection, {'op': 'restore', 'state': state})
            reply = LineReader(connection).next()
        except (OSError, ValueError) as e:
            reply = {'error': str(e)}
        finally:
            connection.close()
        if reply and reply.get('ok'):
            os._exit(0)
        # A failed successor may have announced itself: we are still the live worker.
        self.supervision.announce_live()
        return 'cannot restore checkpoint %d: %s' % (checkpoint, (reply or {}).get('error', 'the checkpoint process failed'))

    def discard(self, checkpoint):
        try:
            connection = self.connect(checkpoint)
        except OSError:
            return
        try:
            send_line(connection, {'op': 'discard'})
            LineReader(connection).next()
        except (OSError, ValueError):
            pass
        finally:
            connection.close()

    def connect(self, checkpoint):
        connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            connection.connect(self.address(checkpoint))
        except OSError:
            connection.close()
            raise
        return connection
