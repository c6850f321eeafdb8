# fred's in-program hit counter (sourced after fred_gdb.py, whose helpers it shares): counts the
# executions of one instruction at native speed, and stops the program at the k-th.
#
# Why: a loop that allocates nothing gives the record shim nothing to count, gdb has no
# instruction counter without a PMU (none here), and a breakpoint costs a ptrace stop (~0.2 ms)
# per hit. So the instruction at a line start in the hot loop is overwritten by a jump to a
# trampoline near the code (in an area the record shim reserves), which counts, stops when a
# countdown reaches zero, then runs the overwritten instructions (relocated) and jumps back.
#
# Invariants: the trampoline changes no register, flag or stack byte of the program (it saves
# rcx in its own data and counts with lea/jrcxz, which leave the flags alone); the program's
# code is patched only during one primitive, so no checkpoint holds a patch. Counts are
# relative to where the primitive started: fred replays a counted mark from the moment its count
# started from.

import gdb
import json
import os
import re

_PAGE = 4096
_SAVED_RCX, _COUNT, _REMAINING = 0, 8, 16
_RIP_TARGET = re.compile(r"#\s*0x([0-9a-f]+)")
# Instructions that move control (or enter the kernel): never relocated.
_CONTROL = re.compile(r"^(j|call|ret|loop|syscall|sysenter|int|hlt|ud|iret|lret|enter|xbegin|bnd)")
_BRANCH = re.compile(r"^(?:notrack |bnd )?(j\w+|call|loop\w*)\s")
_DIRECT_TARGET = re.compile(r"^(?:bnd )?(?:j\w+|call|loop\w*)\s+0x([0-9a-f]+)")
_JUMP = 5  # e9 rel32
# A count gives up on reaching a moment inside the loop it counts (its pc is passed at every
# iteration) after this many passes: fred then searches that stretch by time.
_PASSES = 64


def _le(value, size):
    return int(value).to_bytes(size, "little", signed=value < 0)


class _Site:
    """One place the trampoline can go: the instructions at `address` it displaces, each with
    its relocation (the RIP-relative target, if any)."""

    def __init__(self, address, instructions):
        self.address = address
        self.instructions = instructions  # [(address, bytes, rip_target or None)]
        self.length = sum(len(code) for _, code, _ in instructions)

    def covers(self, pc):
        return self.address <= pc < self.address + self.length


def _in_program(symtab):
    name = symtab.fullname()
    return os.path.isabs(name) and os.path.exists(name)


class _Function:
    """A function's code as far as patching it goes: its bounds, line-table rows, and the
    addresses its own jumps go to (any of which may not lie inside a site)."""

    def __init__(self, start, end, rows):
        self.start, self.end, self.rows = start, end, rows
        self.targets = set()
        # A jump through a register or a table may go anywhere: then only sites of a single
        # instruction (whose inside no jump can target).
        self.indirect_jumps = False
        for instruction in gdb.selected_frame().architecture().disassemble(start, end - 1):
            text = instruction["asm"].strip()
            if not _BRANCH.match(text):
                continue
            match = _DIRECT_TARGET.match(text)
            if match is not None:
                self.targets.add(int(match.group(1), 16))
            elif "*" in text and not text.startswith("call") and not text.startswith("notrack call"):
                self.indirect_jumps = True


_functions = {}
gdb.events.new_objfile.connect(lambda event: _functions.clear())
gdb.events.clear_objfiles.connect(lambda event: _functions.clear())


def _function_at(pc):
    """The _Function holding pc, if it has line information; None otherwise."""
    block = gdb.block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    symtab = gdb.find_pc_line(pc).symtab
    if block is None or symtab is None:
        return None
    if block.start not in _functions:
        rows = sorted({entry.pc for entry in symtab.linetable() if block.start <= entry.pc < block.end})
        _functions[block.start] = _Function(block.start, block.end, rows)
    return _functions[block.start]


def _site_at(function, address, here, until):
    """The site at `address` if its displaced instructions can run elsewhere: none moves
    control, no jump goes inside, all within the function. The program may stand at the site
    but not inside it, and the moment a run goes to (`until`'s pc) may not be in it at all: the
    copy runs instead, so a breakpoint there would never be hit (or, at the site itself, be hit
    at every count)."""
    architecture = gdb.selected_frame().architecture()
    inferior = gdb.selected_inferior()
    instructions = []
    length = 0
    at = address
    while length < _JUMP:
        if at >= function.end or (at != address and function.indirect_jumps):
            return None
        found = architecture.disassemble(at, count=1)
        if not found:
            return None
        text = found[0]["asm"].strip()
        size = found[0]["length"]
        # (An instruction that faults in the copy stops the program inside the trampoline, as
        # an interrupt may: HitCounters.remove puts it back at the same instruction in place.)
        if _CONTROL.match(text):
            return None
        target = None
        if "rip" in text:
            match = _RIP_TARGET.search(text)
            if match is None:
                return None
            target = int(match.group(1), 16)
        instructions.append((at, inferior.read_memory(at, size).tobytes(), target))
        length += size
        at += size
    site = _Site(address, instructions)
    # No jump may land inside, nor another line begin there (a jump target too, as a rule).
    if any(address < target < address + length for target in (*function.targets, *function.rows)):
        return None
    # A breakpoint there would never be hit: the copy runs instead.
    if any(site.covers(pc) for pc in _breakpoint_addresses()):
        return None
    if (site.covers(here) and here != address) or (until is not None and site.covers(until)):
        return None
    return site


def _breakpoint_addresses():
    addresses = []
    for breakpoint in gdb.breakpoints():
        for location in getattr(breakpoint, "locations", []):
            if location.address is not None:
                addresses.append(location.address)
    return addresses


class _HitArea:
    """Where the record shim reserved room for trampolines (native/record/hit-area.c): (data,
    code, end) addresses, or None (no shim: --no-record, a static program; no room)."""

    def __init__(self):
        self.symbols = ShimSymbols("(unsigned long)&fred_hit_area", "(unsigned long)fred_hit_area_size")

    def get(self):
        found = self.symbols.get()
        if not found:
            return None
        pointer, size = found
        data = read_word(pointer)
        return None if data == 0 else (data, data + _PAGE, data + size)


_hit_area = _HitArea()


class _Trampoline:
    """The code for one site, at `code` in the area, with its three data slots at `data`."""

    def __init__(self, site, data, code):
        self.site, self.data, self.code = site, data, code

    def assemble(self):
        """The trampoline's bytes, or None when a displaced instruction cannot be moved."""
        data, code = self.data, bytearray()

        def at():
            return self.code + len(code)

        def rip(opcode, slot):  # opcode [rip+slot], disp32 last
            code.extend(opcode + _le(data + slot - (at() + len(opcode) + 4), 4))

        rip(b"\x48\x89\x0d", _SAVED_RCX)   # mov [saved], rcx
        rip(b"\x48\x8b\x0d", _COUNT)       # mov rcx, [count]
        code.extend(b"\x48\x8d\x49\x01")   # lea rcx, [rcx+1]
        rip(b"\x48\x89\x0d", _COUNT)       # mov [count], rcx
        rip(b"\x48\x8b\x0d", _REMAINING)   # mov rcx, [remaining]
        code.extend(b"\x48\x8d\x49\xff")   # lea rcx, [rcx-1]
        rip(b"\x48\x89\x0d", _REMAINING)   # mov [remaining], rcx
        code.extend(b"\xe3\x00")           # jrcxz hit (its offset set below)
        jrcxz = len(code)
        rip(b"\x48\x8b\x0d", _SAVED_RCX)   # mov rcx, [saved]
        resume = at()
        # Where each address of the copy is in the program's code (see HitCounters.remove).
        self.origins = {}
        for original, instruction, target in self.site.instructions:
            self.origins[at()] = original
            moved = bytearray(instruction)
            if target is not None:
                old = _le(target - (original + len(instruction)), 4)
                if moved.count(old) != 1:
                    return None
                new = target - (at() + len(instruction))
                if abs(new) >= 2**31:
                    return None
                index = moved.index(old)
                moved[index:index + 4] = _le(new, 4)
            code.extend(moved)
        back = self.site.address + self.site.length
        self.origins[at()] = back
        code.extend(b"\xe9" + _le(back - (at() + 5), 4))  # jmp back
        code[jrcxz - 1] = len(code) - jrcxz
        rip(b"\x48\x8b\x0d", _SAVED_RCX)   # hit: mov rcx, [saved]
        self.stop = at()                     # registers as at the site: the countdown's stop
        code.extend(b"\xe9" + _le(resume - (at() + 5), 4))  # jmp resume
        self.end = at()
        return code


class HitCounters:
    """Trampolines at some sites of the live process, in the shim's area, until `remove`. Each
    counts its site's executions and stops the program (at its `stop`) when its countdown
    reaches zero (0: never). `shared`: one count and one countdown for all the sites, the
    executions of any of them (the trampolines run one at a time: one thread)."""

    _DATA = 24  # bytes of data per site, in the area's data page
    MOST = 32

    def __init__(self, sites, shared=False):
        self.sites = sites[:self.MOST]
        self.shared = shared
        self.trampolines = []
        self.installed = False
        self.pid = _inferior_pid()

    def install(self, countdown):
        """False (nothing installed) without the shim's area, when no site's code can move, or
        in a multi-threaded program (the trampolines keep one saved rcx and one count: another
        thread running them at once would corrupt both)."""
        area = _hit_area.get() if self.sites else None
        if area is None or len(gdb.selected_inferior().threads()) != 1:
            return False
        data, code_start, end = area
        code_at = code_start
        inferior = gdb.selected_inferior()
        code = bytearray()
        for index, site in enumerate(self.sites):
            if abs(code_at - site.address) > 2**31 - (end - data):
                continue
            trampoline = _Trampoline(site, data + (0 if self.shared else index * self._DATA), code_at)
            assembled = trampoline.assemble()
            if assembled is None:
                continue
            if trampoline.end > end:
                break
            code.extend(assembled)
            self.trampolines.append(trampoline)
            code_at = trampoline.end
        if not self.trampolines:
            return False
        # Few writes: each costs gdb a tenth of a millisecond, and there may be 32 sites.
        slots = 1 if self.shared else len(self.sites)
        inferior.write_memory(data, (_le(0, 8) + _le(0, 8) + _le(countdown, 8)) * slots)
        inferior.write_memory(code_start, bytes(code))
        patches = []
        for trampoline in self.trampolines:
            site = trampoline.site
            jump = b"\xe9" + _le(trampoline.code - (site.address + _JUMP), 4)
            # The rest of the displaced bytes trap: nothing should ever jump there.
            patches.append((site.address, jump + b"\xcc" * (site.length - _JUMP)))
        _write_code(inferior, patches)
        self.installed = True
        return True

    def counts(self):
        """[(count, site address)] so far."""
        return [(read_word(trampoline.data + _COUNT), trampoline.site.address) for trampoline in self.trampolines]

    def spec(self):
        """The sites counted, as marks and fred name them: their addresses joined by commas."""
        return ",".join(str(trampoline.site.address) for trampoline in self.trampolines)

    def remove(self):
        """Puts the program's code back. A program stopped inside a trampoline (an interrupt, a
        countdown's stop) is moved to the same place in the original code: True then."""
        if not self.installed or _inferior_pid() != self.pid or not _alive():
            return False
        self.installed = False
        inferior = gdb.selected_inferior()
        _write_code(inferior, [(trampoline.site.address, b"".join(code for _, code, _ in trampoline.site.instructions))
                               for trampoline in self.trampolines])
        pc = gdb.newest_frame().pc()
        moved = False
        for trampoline in self.trampolines:
            if trampoline.code <= pc < trampoline.end:
                moved = True
                moved_to = trampoline.origins.get(pc)
                if moved_to is None:
                    # In the counting code or at the stop: the site itself, rcx as it was there.
                    gdb.execute("set var $rcx = %d" % read_word(trampoline.data + _SAVED_RCX), to_string=True)
                    moved_to = trampoline.site.address
                gdb.execute("set var $pc = %d" % moved_to, to_string=True)
        return moved


def _write_code(inferior, patches):
    """Writes [(address, bytes)] into the program's code, neighbours in one read and one write."""
    patches = sorted(patches)
    index = 0
    while index < len(patches):
        start, end = patches[index][0], patches[index][0] + len(patches[index][1])
        last = index
        while last + 1 < len(patches) and patches[last + 1][0] - end <= 256:
            last += 1
            end = max(end, patches[last][0] + len(patches[last][1]))
        window = bytearray(inferior.read_memory(start, end - start).tobytes()) if last > index else bytearray(end - start)
        for address, code in patches[index:last + 1]:
            window[address - start:address - start + len(code)] = code
        inferior.write_memory(start, bytes(window))
        index = last + 1


def site_at(site_address, until_pc):
    """The site at `site_address` (replaying a counted mark), if still usable from here."""
    function = _function_at(site_address)
    here = gdb.newest_frame().pc()
    return None if function is None else _site_at(function, site_address, here, until_pc)


def candidate_sites(until_pc):
    """Where to count a stretch from here to `until_pc`: every usable line start of the
    functions running here (newest first) and of the one `until_pc` is in. The loop that fills
    the stretch is in one of them, or is called from one (its call line then counts calls)."""
    here = gdb.newest_frame().pc()
    pcs = []
    frame = gdb.newest_frame()
    while frame is not None:
        # An older frame's pc is a return address: the call is just before it.
        pcs.append(frame.pc() if frame == gdb.newest_frame() else frame.pc() - 1)
        frame = frame.older()
    if until_pc is not None:
        pcs.insert(1, until_pc)
    sites, functions = [], set()
    for pc in pcs:
        function = _function_at(pc)
        if function is None or function.start in functions or not _in_program(gdb.find_pc_line(pc).symtab):
            continue
        functions.add(function.start)
        sites.extend(site for site in (_site_at(function, row, here, until_pc) for row in function.rows) if site is not None)
    return sites


def counted_mark(sites, k):
    """The current mark, saying how it is found again: the k-th execution of the sites (an
    address, or addresses joined by commas: any of them), counted from the moment it was
    reached from (RunUntilCommand)."""
    mark = current_mark()
    mark["hitsSite"], mark["hitsCount"] = str(sites), str(k)
    return mark


def run_to_hit(sites, k):
    """Runs natively (user breakpoints off) to the k-th execution of the sites (see
    counted_mark) counted from here, and stops before it. True when there."""
    found = [site_at(int(address), None) for address in str(sites).split(",")]
    if any(site is None for site in found):
        return False
    counters = HitCounters(found, shared=True)
    try:
        # Every site must count, as when the count was taken, or the k-th is another moment.
        if not counters.install(k) or len(counters.trampolines) != len(found):
            return False
        with _UserBreakpointsOff():
            return run_to_breakpoint(["*%d" % trampoline.stop for trampoline in counters.trampolines], lambda: True)
    finally:
        counters.remove()


class CountHitsCommand(gdb.MICommand):
    """-fred-count-hits UNTIL [SITE]: run natively to the moment UNTIL, counting the executions of
    the candidate sites (candidate_sites). Reports the site executed most and its count (`site`,
    `hits`: a loop's iterations), and all the sites and the executions of any of them (`sites`,
    `total`: a position every few lines of the code running there, also where no loop runs, a
    recursion unwinding; run_to_hit counts those together). With SITE (an address), only that
    site is counted. Nothing when no site would do or UNTIL was missed."""

    def __init__(self):
        super().__init__("-fred-count-hits")

    @_moving
    def invoke(self, argv):
        mark = json.loads(argv[0])
        if len(argv) > 1:
            site = site_at(int(argv[1]), int(mark["pc"]))
            sites = [] if site is None else [site]
        else:
            sites = candidate_sites(int(mark["pc"]))
        counters = HitCounters(sites)
        hits = None
        try:
            # (Any failure is no count: fred then searches the stretch as it would without.)
            if counters.install(0) and run_until(mark, passes=_PASSES):
                hits = counters.counts()
        except gdb.error:
            hits = None
        finally:
            counters.remove()
        if not hits:
            return {}
        count, address = max(hits)
        total = sum(count for count, _ in hits)
        return {"site": str(address), "hits": str(count), "sites": counters.spec(), "total": str(total)}


class RunToHitCommand(gdb.MICommand):
    """-fred-run-to-hit SITES K: from where -fred-count-hits started, run to the K-th execution
    of SITES (see counted_mark) and stop before it; reports the mark there, which names how it
    was reached."""

    def __init__(self):
        super().__init__("-fred-run-to-hit")

    @_moving
    def invoke(self, argv):
        if not run_to_hit(argv[0], int(argv[1])):
            return {"reached": "0"}
        return {"reached": "1", "mark": counted_mark(argv[0], argv[1])}


class _Segment:
    """The counters of a `continue` segment (between two automatic checkpoints): installed
    after one checkpoint, removed before the next moment is marked. Once a site has counted,
    only it is counted (its counts add up along the chain of checkpoints; every trampoline costs
    the program a few instructions per execution). Not where the program allocates often: the
    allocation count tells its moments apart already."""

    counters = None
    site = None
    progress = None  # the allocation count where the last segment started


# Segments that made this many allocations are not counted, nor the next.
_ALLOCATING = 64


class CountStartCommand(gdb.MICommand):
    """-fred-count-start: count the sites near the current position while the program runs on."""

    def __init__(self):
        super().__init__("-fred-count-start")

    def invoke(self, argv):
        _Segment.counters = None
        progress, last = _progress.count(), _Segment.progress
        _Segment.progress = progress
        if progress is not None and last is not None and progress - last >= _ALLOCATING:
            return {"counting": "0"}
        preferred = site_at(_Segment.site, None) if _Segment.site is not None else None
        counters = HitCounters([preferred] if preferred is not None else candidate_sites(None))
        try:
            if counters.install(0):
                _Segment.counters = counters
        except gdb.error:
            counters.remove()
        return {"counting": "1" if _Segment.counters is not None else "0"}


class CountStopCommand(gdb.MICommand):
    """-fred-count-stop: remove the segment's counters; the mark of the current moment with the
    count of its best site (the preferred one if it ran), if any ran; moved=1 when the program
    stood in a trampoline (an interrupt landed there) and was moved to its place in the code."""

    def __init__(self):
        super().__init__("-fred-count-stop")

    def invoke(self, argv):
        counters, _Segment.counters = _Segment.counters, None
        if counters is None:
            return {}
        hits, moved = [], False
        try:
            if _alive() and _inferior_pid() == counters.pid:
                hits = counters.counts()
        except gdb.error:
            hits = []
        finally:
            moved = counters.remove()
        preferred = [(count, address) for count, address in hits if address == _Segment.site and count > 0]
        count, address = (preferred or sorted(hits) or [(0, None)])[-1]
        result = {"moved": "1" if moved else "0"}
        # A site that no longer runs: the next segment looks at all candidates again.
        _Segment.site = None
        if count > 0:
            _Segment.site = address
            result["mark"] = counted_mark(address, count)
        return result


CountHitsCommand()
RunToHitCommand()
CountStartCommand()
CountStopCommand()
