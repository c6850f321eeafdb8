// Fitting text into a fixed number of terminal columns: tabs expanded, long text cut with a mark,
// short text padded. Text from programs and debuggers is escaped before it meets blessed's tags.

export function expandTabs(text: string, tabWidth = 8): string {
  if (!text.includes('\t')) return text;
  let result = '';
  for (const character of text) {
    if (character === '\t') result += ' '.repeat(tabWidth - (result.length % tabWidth));
    else result += character;
  }
  return result;
}

/** Exactly `width` columns: cut (the last column showing `cutMark`) or padded with spaces. */
export function fit(text: string, width: number, cutMark = '…'): string {
  if (width <= 0) return '';
  if (text.length > width) return text.slice(0, Math.max(width - cutMark.length, 0)) + cutMark.slice(0, width);
  return text.padEnd(width);
}

/** Plain text made safe inside a tagged blessed string (blessed's own escaping). */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (brace) => (brace === '{' ? '{open}' : '{close}'));
}
