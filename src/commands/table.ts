// fred's own commands. Anything not listed here passes through to the underlying debugger as
// exactly one native command (gdb's `break`, `p x`, `bt`; pdb's `b`, `p x`, `!x = 1`, ...).

import { readFileSync } from 'node:fs';
import { FredError } from '../errors.js';
import { commandFileLines } from '../../grammars/command/api.js';
import type { CommandSpec } from './command.js';

export const commandTable: CommandSpec[] = [
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
