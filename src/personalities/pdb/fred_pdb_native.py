# fred_pdb's python3 extensions, built by `npm run build:native` into native/build/Release for the
# python3 of the build (CMake's Python3): each is optional, and fred_pdb does the same more slowly
# in Python without it.
#   _fred_event_counter  pdb/event-counter.c: the event counter (fred_pdb_events)
#   _fred_pdb_process    pdb/process.c: snapshots by one page-table copy, prctl, the record
#                        shim's switches without ctypes (fred_pdb_snapshots, _supervisor, _recording)

import importlib.machinery
import importlib.util
import os


def load(name):
    """native/build/Release/NAME for this python3, or None when it is not built for it."""
    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(here, os.pardir, os.pardir, os.pardir, 'native', 'build', 'Release')
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, name + suffix)
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    return None


native_process = load('_fred_pdb_process')
