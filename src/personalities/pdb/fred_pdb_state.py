# The debugger's own state, carried from the live worker to the worker restored from a checkpoint:
# a checkpoint rewinds the program, never the user's breakpoints, aliases or breakpoint commands
# (as in gdb, whose breakpoints live outside the program).

import bdb


def debugger_state(debugger):
    breakpoints = []
    for breakpoint in bdb.Breakpoint.bpbynumber:
        if breakpoint is None:
            continue
        breakpoints.append({
            'number': breakpoint.number,
            'file': breakpoint.file,
            'line': breakpoint.line,
            'temporary': bool(breakpoint.temporary),
            'condition': breakpoint.cond,
            'function': breakpoint.funcname,
            'enabled': bool(breakpoint.enabled),
            'ignore': breakpoint.ignore,
            'hits': breakpoint.hits,
            'first_line': breakpoint.func_first_executable_line,
            'spec': getattr(breakpoint, 'fred_spec', None),
        })
    return {
        'breakpoints': breakpoints,
        'next': bdb.Breakpoint.next,
        'aliases': dict(debugger.aliases),
        'commands': [[number, list(lines), bool(debugger.commands_doprompt.get(number)),
                      bool(debugger.commands_silent.get(number))] for number, lines in debugger.commands.items()],
        'lastcmd': debugger.lastcmd,
    }


def apply_debugger_state(debugger, state):
    bdb.Breakpoint.bplist = {}
    bdb.Breakpoint.bpbynumber = [None]
    debugger.breaks = {}
    for entry in sorted(state['breakpoints'], key=lambda entry: entry['number']):
        # Breakpoint() takes the next number and appends itself: recreate the gaps of deleted ones.
        while len(bdb.Breakpoint.bpbynumber) < entry['number']:
            bdb.Breakpoint.bpbynumber.append(None)
        bdb.Breakpoint.next = entry['number']
        breakpoint = bdb.Breakpoint(entry['file'], entry['line'], entry['temporary'], entry['condition'], entry['function'])
        breakpoint.enabled = entry['enabled']
        breakpoint.ignore = entry['ignore']
        breakpoint.hits = entry['hits']
        breakpoint.func_first_executable_line = entry['first_line']
        if entry['spec'] is not None:
            breakpoint.fred_spec = entry['spec']
        debugger._add_to_breaks(entry['file'], entry['line'])
    while len(bdb.Breakpoint.bpbynumber) < state['next']:
        bdb.Breakpoint.bpbynumber.append(None)
    bdb.Breakpoint.next = state['next']
    debugger.aliases = dict(state['aliases'])
    debugger.commands = {number: lines for number, lines, _, _ in state['commands']}
    debugger.commands_doprompt = {number: prompt for number, _, prompt, _ in state['commands']}
    debugger.commands_silent = {number: silent for number, _, _, silent in state['commands']}
    debugger.lastcmd = state['lastcmd']
