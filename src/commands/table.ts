// fred's own commands. Anything not listed here passes through to the underlying debugger as
// exactly one native command (gdb's `break`, `p x`, `bt`; pdb's `b`, `p x`, `!x = 1`, ...).

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FredError } from '../errors.js';
import { commandFileLines, type ParsedCommand } from '../../grammars/command/api.js';
import type { CommandSpec } from './command.js';

/** `N` from `[N]`: a positive count, 1 when absent. */
function countArgument(command: ParsedCommand, name: string): number {
  const word = command.words[0];
  if (word === undefined) return 1;
  const count = Number(word);
  if (!/^\d+$/.test(word) || count < 1 || command.words.length > 1) throw new FredError('usage', `usage: ${name} [N]`);
  return count;
}

function describeMoment(location: { file: string; line: number; function: string } | undefined): string {
  return location ? `${basename(location.file)}:${location.line} ${location.function}` : 'program exit';
}

export const commandTable: CommandSpec[] = [
  {
    name: 'reverse-step',
    aliases: ['rs', 'fred-reverse-step'],
    group: 'time travel',
    usage: 'reverse-step [N]',
    help: 'Go back to the previous line executed, entering functions backwards (N times).',
    async run(context, command) {
      return context.session.reverseStep(countArgument(command, 'reverse-step'));
    },
  },
  {
    name: 'reverse-next',
    aliases: ['rn', 'fred-reverse-next'],
    group: 'time travel',
    usage: 'reverse-next [N]',
    help: 'Go back to the previous line of this function, treating calls as one step (N times).',
    async run(context, command) {
      return context.session.reverseNext(countArgument(command, 'reverse-next'));
    },
  },
  {
    name: 'reverse-finish',
    aliases: ['rf', 'fred-reverse-finish'],
    group: 'time travel',
    usage: 'reverse-finish',
    help: 'Go back to the line in the caller that called the current function, before the call.',
    async run(context) {
      return context.session.reverseFinish();
    },
  },
  {
    name: 'reverse-continue',
    aliases: ['rc', 'fred-reverse-continue'],
    group: 'time travel',
    usage: 'reverse-continue',
    help: 'Go back to the most recent breakpoint hit (conditions honoured), or to the start of the recorded history.',
    async run(context) {
      return context.session.reverseContinue();
    },
  },
  {
    name: 'reverse-watch',
    aliases: ['rw', 'fred-reverse-watch'],
    group: 'time travel',
    usage: 'reverse-watch EXPR',
    help: 'Go back to the last moment EXPR changed value, just before the statement that changed it. EXPR may call functions.',
    async run(context, command) {
      if (command.argumentText === '') throw new FredError('usage', 'usage: reverse-watch EXPR');
      return context.session.reverseWatch(command.argumentText);
    },
  },
  {
    name: 'undo',
    aliases: ['fred-undo'],
    group: 'time travel',
    usage: 'undo [N]',
    help: 'Undo the last N commands that moved execution (forward or backward).',
    async run(context, command) {
      return context.session.undo(countArgument(command, 'undo'));
    },
  },
  {
    name: 'checkpoint',
    aliases: ['ckpt', 'fred-checkpoint'],
    group: 'time travel',
    usage: 'checkpoint',
    help: 'Save the current moment as a numbered checkpoint to `restart` to later.',
    async run(context) {
      const number = await context.session.checkpoint();
      return { output: `checkpoint ${number}\n` };
    },
  },
  {
    name: 'restart',
    aliases: ['fred-restart'],
    group: 'time travel',
    usage: 'restart N',
    help: 'Go to checkpoint N (without N, pdb restarts the program as usual).',
    async run(context, command) {
      if (command.words.length === 0 && context.session.kind === 'pdb') return context.session.native('restart');
      const word = command.words[0];
      if (word === undefined || !/^\d+$/.test(word) || command.words.length > 1) throw new FredError('usage', 'usage: restart N');
      return context.session.restartCheckpoint(Number(word));
    },
  },
  {
    name: 'info checkpoints',
    aliases: ['fred-info-checkpoints'],
    group: 'time travel',
    usage: 'info checkpoints',
    help: "List checkpoints: yours (numbered) and fred's automatic ones.",
    async run(context) {
      const list = context.session.checkpoints();
      if (list.length === 0) return { output: 'No checkpoints.\n' };
      const lines = list.map((entry) => {
        const label = entry.kind === 'user' ? `${entry.id}` : 'auto';
        return `${label.padStart(4)}  ${describeMoment(entry.moment.mark?.location)}`;
      });
      return { output: `${lines.join('\n')}\n` };
    },
  },
  {
    name: 'history',
    aliases: ['fred-history'],
    group: 'time travel',
    usage: 'history',
    help: 'List the commands that moved execution, oldest first, with where each started.',
    async run(context) {
      const entries = context.session.history();
      if (entries.length === 0) return { output: 'No history.\n' };
      const lines = entries.map((entry, index) =>
        `${String(index + 1).padStart(4)}  ${entry.command.padEnd(24)} from ${describeMoment(entry.before.mark?.location)}`);
      return { output: `${lines.join('\n')}\n` };
    },
  },
  {
    name: 'checkpoint-interval',
    aliases: ['fred-checkpoint-interval'],
    group: 'time travel',
    usage: 'checkpoint-interval [MS]',
    help: 'Take automatic checkpoints every MS milliseconds of execution (0 = off); without MS, show the interval (the default one stretches for a program with a big memory).',
    async run(context, command) {
      const word = command.words[0];
      if (word === undefined) {
        const { ms, effectiveMs, residentBytes } = context.session.checkpointInterval();
        if (ms === 0) return { output: 'Automatic checkpoints are off.\n' };
        const stretched = effectiveMs > ms && residentBytes !== undefined
          ? ` (now every ${effectiveMs} ms: the program has ${Math.round(residentBytes / 2 ** 20)} MiB of its own memory resident, and each checkpoint makes it copy the pages it writes)`
          : '';
        return { output: `Automatic checkpoints every ${ms} ms of execution${stretched}.\n` };
      }
      if (!/^\d+$/.test(word)) throw new FredError('usage', 'usage: checkpoint-interval [MS]');
      context.session.setCheckpointInterval(Number(word));
      return { output: '' };
    },
  },
  {
    name: 'help',
    aliases: ['fred-help'],
    group: 'session',
    usage: 'help [COMMAND]',
    help: "List fred's commands, or show one; `help X` for a native command asks the debugger.",
    async run(context, command) {
      const topic = command.words[0];
      if (topic === undefined) return { output: helpText() };
      const spec = findCommand(topic, command.words[1]);
      if (spec) return { output: `${spec.usage}\n  ${spec.help}\n` };
      const outcome = await context.session.native(`help ${command.argumentText}`);
      return { output: outcome.output };
    },
  },
  {
    name: 'source',
    aliases: ['fred-source'],
    group: 'session',
    usage: 'source FILE',
    help: 'Run the commands in FILE, one per line (blank lines and # comments skipped).',
    async run(context, command) {
      const path = command.words[0];
      if (path === undefined || command.wordsError) throw new FredError('usage', 'usage: source FILE');
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new FredError('usage', `source: cannot read ${path}`);
      }
      let output = '';
      for (const line of commandFileLines(text)) {
        const result = await context.runLine(line.text);
        output += result.output;
        if (!result.ok) throw new FredError('usage', `${path}:${line.lineNumber}: ${result.error}`);
        if (result.quit) return { output, quit: true };
      }
      return { output };
    },
  },
  {
    name: 'quit',
    aliases: ['q', 'exit', 'fred-quit'],
    group: 'session',
    usage: 'quit',
    help: 'End the session, killing the program and the debugger.',
    async run() {
      return { output: '', quit: true };
    },
  },
];

/** The table entry for a command name (or alias), trying two-word names like `info checkpoints` first. */
export function findCommand(name: string, firstWord?: string): CommandSpec | undefined {
  if (firstWord !== undefined) {
    const twoWords = `${name} ${firstWord}`;
    const match = commandTable.find((spec) => spec.name === twoWords || spec.aliases.includes(twoWords));
    if (match) return match;
  }
  return commandTable.find((spec) => spec.name === name || spec.aliases.includes(name));
}

export function helpText(): string {
  const lines = ["fred's commands (everything else goes to the debugger as a native command):"];
  for (const spec of commandTable) {
    const aliases = spec.aliases.length > 0 ? ` (${spec.aliases.join(', ')})` : '';
    lines.push(`  ${spec.usage.padEnd(28)} ${spec.help}${aliases}`);
  }
  return `${lines.join('\n')}\n`;
}
