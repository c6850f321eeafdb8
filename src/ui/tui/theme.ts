// How the terminal UI marks things up: colours, or inverse/bold/underline on terminals without
// them; Unicode or ASCII glyphs. What matters has a glyph too, so nothing depends on colour alone.

export interface Glyphs {
  breakpoint: string;
  currentLine: string;
  timelineLine: string;
  timelineStart: string;
  timelineEnd: string;
  userCheckpoint: string;
  automaticCheckpoint: string;
  stop: string;
  now: string;
  searchFill: string;
  spinner: string[];
}

export interface Theme {
  colour: boolean;
  glyphs: Glyphs;
  /** The line the program is stopped at. */
  currentLine(text: string): string;
  /** The source cursor (where `b` sets a breakpoint). */
  cursorLine(text: string): string;
  breakpoint(text: string): string;
  error(text: string): string;
  /** Commands echoed in the console. */
  command(text: string): string;
  /** Secondary text (line numbers, hints). */
  dim(text: string): string;
  selected(text: string): string;
  /** The status line, the search bracket: always visible, whatever the terminal. */
  bar(text: string): string;
  /** Border colour of the pane the arrow keys move in (its label is marked too). */
  focusColour?: string;
}

const UNICODE_GLYPHS: Glyphs = {
  breakpoint: '●',
  currentLine: '▶',
  timelineLine: '─',
  timelineStart: '├',
  timelineEnd: '┤',
  userCheckpoint: '◆',
  automaticCheckpoint: '○',
  stop: '·',
  now: '▲',
  searchFill: '═',
  spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
};

const ASCII_GLYPHS: Glyphs = {
  breakpoint: '*',
  currentLine: '>',
  timelineLine: '-',
  timelineStart: '|',
  timelineEnd: '|',
  userCheckpoint: '#',
  automaticCheckpoint: 'o',
  stop: '.',
  now: '^',
  searchFill: '=',
  spinner: ['|', '/', '-', '\\'],
};

const wrap = (open: string) => (text: string) => (text === '' ? '' : `{${open}}${text}{/${open}}`);

/** `colours`: what terminfo says the terminal has (blessed's tput.colors; -1 or 0 for none). */
export function themeFor(colours: number, unicode: boolean): Theme {
  const glyphs = unicode ? UNICODE_GLYPHS : ASCII_GLYPHS;
  if (colours >= 8) {
    return {
      colour: true,
      glyphs,
      currentLine: (text) => `{bold}{white-fg}{blue-bg}${text}{/blue-bg}{/white-fg}{/bold}`,
      cursorLine: wrap('underline'),
      breakpoint: (text) => `{red-fg}{bold}${text}{/bold}{/red-fg}`,
      error: wrap('red-fg'),
      command: wrap('cyan-fg'),
      dim: wrap('gray-fg'),
      selected: (text) => `{black-fg}{cyan-bg}${text}{/cyan-bg}{/black-fg}`,
      bar: (text) => `{white-fg}{blue-bg}${text}{/blue-bg}{/white-fg}`,
      focusColour: 'cyan',
    };
  }
  return {
    colour: false,
    glyphs,
    currentLine: wrap('inverse'),
    cursorLine: wrap('underline'),
    breakpoint: wrap('bold'),
    error: wrap('bold'),
    command: wrap('bold'),
    dim: (text) => text,
    selected: wrap('inverse'),
    bar: wrap('inverse'),
  };
}
