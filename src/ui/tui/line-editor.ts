// The command line's editing: text, cursor, and a history walked with up/down, as in the REPL.
// No terminal here: the app feeds it keys and draws `text` and `cursor`.

const HISTORY_LIMIT = 500;

export type EditResult = 'submit' | 'cancel' | 'edited' | 'ignored';

export class LineEditor {
  text = '';
  cursor = 0;
  private readonly history: string[] = [];
  /** Position while walking the history: history.length is the line being written. */
  private historyIndex = 0;
  private draft = '';

  constructor(initialHistory: string[] = []) {
    this.history.push(...initialHistory.slice(-HISTORY_LIMIT));
    this.historyIndex = this.history.length;
  }

  reset(): void {
    this.text = '';
    this.cursor = 0;
    this.historyIndex = this.history.length;
    this.draft = '';
  }

  /** Remembers a submitted line (not blank ones, not a repeat of the last). */
  remember(line: string): void {
    if (line.trim() === '' || this.history[this.history.length - 1] === line) return;
    this.history.push(line);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
  }

  /** One key: blessed's `key.full` name and the character it typed. */
  handle(full: string, character: string | undefined): EditResult {
    switch (full) {
      case 'enter':
      case 'return':
        return 'submit';
      case 'escape':
      case 'C-c':
      case 'C-g':
        return 'cancel';
      case 'backspace':
        if (this.cursor === 0) return 'ignored';
        this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
        this.cursor--;
        return 'edited';
      case 'delete':
      case 'C-d':
        this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
        return 'edited';
      case 'left':
      case 'C-b':
        this.cursor = Math.max(this.cursor - 1, 0);
        return 'edited';
      case 'right':
      case 'C-f':
        this.cursor = Math.min(this.cursor + 1, this.text.length);
        return 'edited';
      case 'home':
      case 'C-a':
        this.cursor = 0;
        return 'edited';
      case 'end':
      case 'C-e':
        this.cursor = this.text.length;
        return 'edited';
      case 'C-u':
        this.text = this.text.slice(this.cursor);
        this.cursor = 0;
        return 'edited';
      case 'C-k':
        this.text = this.text.slice(0, this.cursor);
        return 'edited';
      case 'up':
      case 'C-p':
        return this.walkHistory(-1);
      case 'down':
      case 'C-n':
        return this.walkHistory(1);
    }
    if (character === undefined || character.length === 0 || /[\x00-\x1f\x7f]/.test(character)) return 'ignored';
    this.text = this.text.slice(0, this.cursor) + character + this.text.slice(this.cursor);
    this.cursor += character.length;
    return 'edited';
  }

  private walkHistory(direction: -1 | 1): EditResult {
    const index = this.historyIndex + direction;
    if (index < 0 || index > this.history.length) return 'ignored';
    if (this.historyIndex === this.history.length) this.draft = this.text;
    this.historyIndex = index;
    this.text = index === this.history.length ? this.draft : this.history[index]!;
    this.cursor = this.text.length;
    return 'edited';
  }
}
