# Checks native/pdb/process.c's fork_orphan the way fred_pdb uses it, and prints a JSON report:
# this process plays the supervisor (a subreaper), its child the live worker, which makes an
# orphan copy of itself (a snapshot) and a fork of that copy (a restored worker).
#
# usage: pdb_process_check.py MODULE_FILE

import importlib.util
import json
import os
import random
import signal
import sys
import threading
import time

spec = importlib.util.spec_from_file_location('_fred_pdb_process', sys.argv[1])
native = importlib.util.module_from_spec(spec)
spec.loader.exec_module(native)

native.set_child_subreaper()
supervisor = os.getpid()
report_in, report_out = os.pipe()


def say(**facts):
    os.write(report_out, (json.dumps(facts) + '\n').encode())


worker = os.fork()
if worker == 0:
    os.close(report_in)
    random.seed(7)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    orphan = native.fork_orphan()
    if orphan == 0:
        # The copy: adopted by the supervisor once the intermediate is gone.
        for _ in range(200):
            if os.getppid() == supervisor:
                break
            time.sleep(0.005)
        adopted = os.getppid() == supervisor
        draw = random.random()  # (os.fork's protocol ran: random reseeded itself here)
        mask = sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))
        # A fork of the copy runs Python normally, a thread included.
        child = os.fork()
        if child == 0:
            seen = []
            thread = threading.Thread(target=lambda: seen.append(threading.get_native_id()))
            thread.start()
            thread.join()
            os._exit(0 if seen and seen[0] != os.getpid() else 3)
        _, status = os.waitpid(child, 0)
        say(who='orphan', adopted=adopted, pid=os.getpid(), mask=mask, forkStatus=os.waitstatus_to_exitcode(status), draw=draw)
        os._exit(0)
    mask = sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))
    try:
        os.waitpid(-1, os.WNOHANG)
        waitable = True
    except ChildProcessError:
        waitable = False  # no child at all: the orphan is not ours, the intermediate is reaped
    say(who='worker', orphan=orphan, mask=mask, childrenToWait=waitable, draw=random.random())
    os._exit(0)

os.close(report_out)
reports = {}
with os.fdopen(report_in) as lines:
    for line in lines:
        report = json.loads(line)
        reports[report['who']] = report
os.waitpid(worker, 0)
while True:
    try:
        os.waitpid(-1, 0)  # the adopted orphan
    except ChildProcessError:
        break
print(json.dumps(reports))
