// The terminal UI's keys, declared once: the key handler dispatches from this table and the `?`
// help screen is generated from it. Keys are blessed's names (`S-s` is shift-s, `C-c` ctrl-c).

import type { Glyphs } from './theme.js';

export type Action =
  | 'next' | 'step' | 'continue' | 'finish'
  | 'reverse-next' | 'reverse-step' | 'reverse-continue' | 'reverse-finish'
  | 'reverse-watch' | 'toggle-breakpoint' | 'checkpoint' | 'undo'
  | 'add-watch' | 'clear-watches' | 'command-line' | 'focus-next-pane'
  | 'cursor-up' | 'cursor-down' | 'page-up' | 'page-down' | 'cursor-to-current'
  | 'interrupt' | 'help' | 'quit';

export interface KeyBinding {
  keys: string[];
  /** How the help screen shows the keys. */
  label: string;
  action: Action;
  help: string;
}

export const keyBindings: KeyBinding[] = [
  { keys: ['n'], label: 'n', action: 'next', help: 'next line (over calls); starts the program at main first' },
  { keys: ['s'], label: 's', action: 'step', help: 'step into calls; starts the program at main first' },
  { keys: ['c'], label: 'c', action: 'continue', help: 'continue (runs the program if it has not started, or again after it ended)' },
  { keys: ['f'], label: 'f', action: 'finish', help: 'finish the current function' },
  { keys: ['S-n', 'N'], label: 'N', action: 'reverse-next', help: 'reverse-next: back one line of this function' },
  { keys: ['S-s', 'S'], label: 'S', action: 'reverse-step', help: 'reverse-step: back one line, into calls' },
  { keys: ['S-c', 'C'], label: 'C', action: 'reverse-continue', help: 'reverse-continue: back to the last breakpoint hit' },
  { keys: ['S-f', 'F'], label: 'F', action: 'reverse-finish', help: 'reverse-finish: back to the call of this function' },
  { keys: ['w'], label: 'w', action: 'reverse-watch', help: 'reverse-watch EXPR: back to where EXPR last changed' },
  { keys: ['b'], label: 'b / click', action: 'toggle-breakpoint', help: 'toggle a breakpoint on the cursor line (or the clicked line)' },
  { keys: ['k'], label: 'k', action: 'checkpoint', help: 'take a checkpoint (go back with :restart N)' },
  { keys: ['u'], label: 'u', action: 'undo', help: 'undo the last command that moved execution' },
  { keys: ['e'], label: 'e', action: 'add-watch', help: 'watch an expression in the variables pane' },
  { keys: ['S-e', 'E'], label: 'E', action: 'clear-watches', help: 'clear the watched expressions' },
  { keys: [':'], label: ':', action: 'command-line', help: 'command line: any fred or debugger command (up/down: history)' },
  { keys: ['tab'], label: 'Tab', action: 'focus-next-pane', help: 'switch the arrow keys between source and stack' },
  { keys: ['up'], label: 'Up', action: 'cursor-up', help: 'move the source cursor, or select the caller frame' },
  { keys: ['down'], label: 'Down', action: 'cursor-down', help: 'move the source cursor, or select the callee frame' },
  { keys: ['pageup'], label: 'PgUp', action: 'page-up', help: 'scroll the source up' },
  { keys: ['pagedown'], label: 'PgDn', action: 'page-down', help: 'scroll the source down' },
  { keys: ['.'], label: '.', action: 'cursor-to-current', help: 'back to the current line' },
  { keys: ['C-c'], label: 'Ctrl-C', action: 'interrupt', help: 'interrupt the running program, or cancel a command going back' },
  { keys: ['?'], label: '?', action: 'help', help: 'this help' },
  { keys: ['q'], label: 'q', action: 'quit', help: 'quit (asks first while the program is alive)' },
];

/** The action a key (blessed's `key.full`, or the character typed) is bound to. */
export function actionForKey(full: string, character: string | undefined): Action | undefined {
  for (const binding of keyBindings) {
    if (binding.keys.includes(full) || (character !== undefined && binding.keys.includes(character))) return binding.action;
  }
  return undefined;
}

/** The `?` screen: every key, then what the command line and the timeline's glyphs are. */
export function helpLines(debuggerName: string, glyphs: Glyphs): string[] {
  const width = Math.max(...keyBindings.map((binding) => binding.label.length));
  return [
    ...keyBindings.map((binding) => `${binding.label.padEnd(width)}  ${binding.help}`),
    '',
    `Command line (:): every fred command (\`help\` lists them) and any ${debuggerName} command.`,
    `Timeline: ${glyphs.now} now  ${glyphs.userCheckpoint} your checkpoints  ${glyphs.automaticCheckpoint} automatic ones  ${glyphs.stop} where commands started`,
  ];
}
