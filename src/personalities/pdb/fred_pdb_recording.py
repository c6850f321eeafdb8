# The record-replay shim (native/record, preloaded into this python3 by fred) from fred_pdb's side.
# pdb's own code runs in the program's process, so the shim starts paused (FRED_RECORD_PAUSED=1):
# it records the program's calls (clock, randomness, pid, input) only while the program runs,
# never the debugger's. Without the shim (--no-record) these do nothing.

from fred_pdb_native import native_process


class ShimSwitch:
    def __init__(self):
        self.resume_recording = _nothing
        self.pause_recording = _nothing
        if native_process is not None:
            if native_process.shim_present():
                self.resume_recording = native_process.shim_resume
                self.pause_recording = native_process.shim_pause
            return
        import ctypes  # (~2 ms to import: only without _fred_pdb_process)
        try:
            process = ctypes.CDLL(None)
            resume, pause = process.fred_record_resume, process.fred_record_pause
        except (OSError, AttributeError):
            return  # not preloaded
        resume.restype = pause.restype = None
        resume.argtypes = pause.argtypes = []
        self.resume_recording = resume
        self.pause_recording = pause


def _nothing():
    pass
