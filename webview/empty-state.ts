// What the panel says when there is nothing to explain yet, and what the user can do about it.

import type { StateMessage } from '../src/protocol';
import { h } from './dom';

const COMMAND = 'NextToken: Explain Next Token';

export function renderEmptyState(state: StateMessage): HTMLElement | null {
  const cmd = (): HTMLElement => h('span', { class: 'command' }, COMMAND);
  switch (state.status) {
    case 'loading':
      return h('div', { class: 'empty' }, h('vscode-progress-ring', { 'aria-label': 'Loading' }), h('p', {}, h('strong', {}, 'Loading the model…')), h('p', { class: 'note' }, 'The panel fills in as soon as it is ready.'));
    case 'error':
      return h(
        'div',
        { class: 'empty error', role: 'alert' },
        h('p', {}, h('strong', {}, 'The model could not run.')),
        state.error ? h('pre', { class: 'error-text' }, state.error) : null,
        h('p', { class: 'note' }, 'Fix the cause above, then run ', cmd(), ' to try again.'),
      );
    case 'no-editor':
      return h('div', { class: 'empty' }, h('p', {}, h('strong', {}, 'Open a file and place the cursor.')), h('p', { class: 'note' }, 'The panel explains the ghost text of the active editor.'));
    case 'ready':
      return state.record ? null : h('div', { class: 'empty' }, h('p', {}, h('strong', {}, 'No suggestion in this file yet.')), h('p', { class: 'note' }, 'Type until ghost text appears, or run ', cmd(), ' at the cursor: the panel then shows how that suggestion was made.'));
  }
}
