// C-string literals as gdb writes them (decoding) and as gdb's MI command parser reads them (quoting).
// gdb writes each non-ASCII byte of a string as an octal escape, so octal and hex escapes are bytes,
// and a run of them is decoded as UTF-8 ("\303\251" is "é"); invalid UTF-8 becomes U+FFFD.

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

const simpleEscapes: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", '?': '?',
  e: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v',
};

function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** Decodes a c-string token's text, surrounding quotes included. */
export function decodeCString(literal: string): string {
  const body = literal.slice(1, -1);
  let backslash = body.indexOf('\\');
  if (backslash < 0) return body;

  let text = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length === 0) return;
    text += utf8Decoder.decode(Uint8Array.from(bytes));
    bytes = [];
  };

  let start = 0;
  while (backslash >= 0) {
    if (backslash > start) {
      flushBytes();
      text += body.slice(start, backslash);
    }
    let at = backslash + 1;
    const escape = body[at];
    const code = body.charCodeAt(at);
    if (isOctalDigit(code)) {
      let value = 0;
      const end = Math.min(at + 3, body.length);
      while (at < end && isOctalDigit(body.charCodeAt(at))) value = value * 8 + body.charCodeAt(at++) - 0x30;
      bytes.push(value & 0xff);
    } else if (escape === 'x' && hexValue(body.charCodeAt(at + 1)) >= 0) {
      at++;
      let value = 0;
      const end = Math.min(at + 2, body.length);
      while (at < end && hexValue(body.charCodeAt(at)) >= 0) value = value * 16 + hexValue(body.charCodeAt(at++));
      bytes.push(value);
    } else {
      flushBytes();
      // An unknown escape stands for the character itself, as in gdb's own parser.
      text += escape === undefined ? '\\' : (simpleEscapes[escape] ?? escape);
      at++;
    }
    start = at;
    backslash = body.indexOf('\\', start);
  }
  flushBytes();
  return text + body.slice(start);
}

/**
 * Encodes any JS string as an MI c-string literal (with quotes), escaping \\ " \n \r \t and other
 * control chars as octal, so it is safe to put in a command line sent to gdb. Non-ASCII characters
 * are sent as octal escapes of their UTF-8 bytes, so the command line itself is plain printable
 * ASCII and one line. A lone UTF-16 surrogate has no UTF-8 form and is sent as U+FFFD.
 */
export function quoteMiString(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) {
      quoted += char === '"' || char === '\\' ? '\\' + char : char;
    } else if (char === '\n') {
      quoted += '\\n';
    } else if (char === '\r') {
      quoted += '\\r';
    } else if (char === '\t') {
      quoted += '\\t';
    } else {
      for (const byte of utf8Encoder.encode(char)) quoted += '\\' + byte.toString(8).padStart(3, '0');
    }
  }
  return quoted + '"';
}
