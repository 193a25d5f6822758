// Token chips: one token's text with its whitespace visible; special tokens styled apart.

import { h } from './dom';
import { escapedToken, visibleToken } from './format';

export interface ChipToken {
  text: string;
  special: boolean;
}

/** A chip for one token; `extraClass` marks appended/suggested tokens. */
export function tokenChip(token: ChipToken, extraClass = ''): HTMLElement {
  const shown = visibleToken(token.text, token.special);
  const classes = ['chip', token.special ? 'chip-special' : '', /^\s+$/.test(token.text) ? 'chip-space' : '', extraClass].filter(Boolean).join(' ');
  return h('span', { class: classes, title: token.special ? `special token ${token.text}` : escapedToken(token.text) }, shown);
}

/** Context text with visible whitespace, as a run of characters (not chips). */
export function visibleRun(text: string): HTMLElement {
  const run = h('span', { class: 'run' });
  for (const part of text.split(/( +|\t+|\n|\r)/)) {
    if (!part) continue;
    if (/^[ \t\r\n]+$/.test(part)) run.append(h('span', { class: 'ws' }, visibleToken(part)));
    else run.append(visibleToken(part));
  }
  return run;
}
