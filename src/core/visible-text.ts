// Tokens shown with their whitespace visible: · space, ⇥ tab, ⏎ newline, ␍ carriage return.

export function visibleToken(text: string, special = false): string {
  if (special) return text;
  if (text === '') return '∅';
  return text.replace(/ /g, '·').replace(/\t/g, '⇥').replace(/\r/g, '␍').replace(/\n/g, '⏎');
}
