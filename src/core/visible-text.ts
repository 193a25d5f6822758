// Tokens shown with their whitespace visible, the one format the CLI and the panel share:
// · space, ⇥ tab, ⏎ newline, ␍ carriage return, control bytes as their symbols (␀…␟, ␡).

export function visibleToken(text: string, special = false): string {
  if (special) return text;
  if (text === '') return '∅';
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === ' ') out += '·';
    else if (ch === '\t') out += '⇥';
    else if (ch === '\n') out += '⏎';
    else if (ch === '\r') out += '␍';
    else if (code < 0x20) out += String.fromCodePoint(0x2400 + code); // ␀…␟
    else if (code === 0x7f) out += '␡';
    else out += ch;
  }
  return out;
}
