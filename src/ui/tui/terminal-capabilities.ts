// What terminfo says the user's terminal can do: colours, Unicode, cursor addressing. blessed reads
// terminfo; @types/blessed does not declare the fields of its Tput used here.

import blessed from 'blessed';

interface TputFields {
  colors?: number;
  unicode?: boolean;
  strings: Record<string, unknown>;
}

type TputFactory = (options: { terminal: string; extended: boolean }) => TputFields;

export function screenCapabilities(screen: blessed.Widgets.Screen): { colours: number; unicode: boolean } {
  const tput = screen.tput as unknown as TputFields;
  return { colours: tput.colors ?? 0, unicode: tput.unicode !== false };
}

/** Why the UI cannot be drawn on terminal type `terminal` (TERM=dumb cannot move the cursor), or null. */
export function drawingProblem(terminal: string): string | null {
  const tput = (blessed as unknown as { tput: TputFactory }).tput({ terminal: terminal || 'dumb', extended: true });
  if (!tput.strings['cursor_address']) return `this terminal (TERM=${terminal || '(unset)'}) cannot move the cursor`;
  return null;
}
