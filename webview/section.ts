// A collapsible section (<details>): keyboard and screen-reader friendly by default; whether
// it is open is remembered in the webview state.

import { h } from './dom';
import { saveUi, ui } from './vscode-state';

export interface Section {
  root: HTMLDetailsElement;
  /** Text beside the title (a short figure, e.g. the top candidate); stays visible when closed. */
  aside: HTMLElement;
  body: HTMLElement;
}

export function section(id: string, title: string, openByDefault = true): Section {
  const aside = h('span', { class: 'section-aside' });
  const body = h('div', { class: 'section-body' });
  const root = h('details', { class: 'section', id: `section-${id}` }, h('summary', {}, h('span', { class: 'section-title' }, title), aside), body);
  root.open = ui.open[id] ?? openByDefault;
  root.addEventListener('toggle', () => saveUi({ open: { ...ui.open, [id]: root.open } }));
  return { root, aside, body };
}
