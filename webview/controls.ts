// Sampling controls (temperature, top-k, top-p, seed), posted live after a short pause and
// only when every value is inside SAMPLING_LIMITS; and the step-through buttons.

import { SAMPLING_LIMITS, type SamplingView } from '../src/protocol';
import { h } from './dom';
import { post } from './vscode-state';

const DEBOUNCE_MS = 150;

interface FieldSpec {
  key: keyof SamplingView;
  label: string;
  integer: boolean;
  hint: string;
}

const FIELDS: FieldSpec[] = [
  { key: 'temperature', label: 'temperature', integer: false, hint: 'Divides the logits: below 1 sharpens, above 1 flattens; 0 is greedy' },
  { key: 'topK', label: 'top-k', integer: true, hint: 'Keep only the k likeliest tokens (0 = no limit)' },
  { key: 'topP', label: 'top-p', integer: false, hint: 'Keep the smallest set of likeliest tokens whose mass reaches p' },
  { key: 'seed', label: 'seed', integer: true, hint: 'Seed of the random choice for Sample: the same seed, the same token' },
];

type TextField = HTMLElement & { value: string };

export interface SamplingControls {
  root: HTMLElement;
  /** Shows the host's values, except in a field the user is editing. */
  render(sampling: SamplingView): void;
}

export function createSamplingControls(): SamplingControls {
  const fields = new Map<keyof SamplingView, TextField>();
  const error = h('div', { class: 'field-error', role: 'alert' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown: SamplingView | undefined;
  const editing = new Set<keyof SamplingView>();

  const parse = (spec: FieldSpec, raw: string): number | string => {
    const text = raw.trim().replace(',', '.');
    const value = Number(text);
    const { min, max } = SAMPLING_LIMITS[spec.key];
    if (text === '' || !Number.isFinite(value)) return `${spec.label}: a number`;
    if (spec.integer && !Number.isInteger(value)) return `${spec.label}: a whole number`;
    if (value < min || value > max) return `${spec.label}: between ${min} and ${max}`;
    return value;
  };

  const flush = (): void => {
    timer = undefined;
    if (!shown) return;
    const next: SamplingView = { ...shown };
    const problems: string[] = [];
    for (const spec of FIELDS) {
      const field = fields.get(spec.key)!;
      const value = parse(spec, field.value);
      field.setAttribute('aria-invalid', String(typeof value === 'string'));
      field.classList.toggle('invalid', typeof value === 'string');
      if (typeof value === 'string') problems.push(value);
      else next[spec.key] = value;
    }
    error.textContent = problems.join(' · ');
    if (problems.length) return;
    if (FIELDS.every((s) => next[s.key] === shown![s.key])) return;
    shown = next;
    post({ type: 'setSampling', sampling: next });
  };

  const grid = h('div', { class: 'sampling-grid' });
  for (const spec of FIELDS) {
    const field = h('vscode-text-field', { class: 'sampling-field', size: '5', title: spec.hint, 'aria-label': `${spec.label}: ${spec.hint}`, inputmode: spec.integer ? 'numeric' : 'decimal' }, h('span', {}, spec.label)) as TextField;
    field.addEventListener('input', () => {
      editing.add(spec.key);
      clearTimeout(timer);
      timer = setTimeout(flush, DEBOUNCE_MS);
    });
    field.addEventListener('focusout', () => editing.delete(spec.key));
    field.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') {
        clearTimeout(timer);
        flush();
      }
    });
    fields.set(spec.key, field);
    grid.append(field);
  }

  function render(sampling: SamplingView): void {
    shown = { temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP, seed: sampling.seed };
    if (timer !== undefined) return; // a change of ours is on its way
    for (const spec of FIELDS) {
      const field = fields.get(spec.key)!;
      if (editing.has(spec.key) && field.matches(':focus-within')) continue;
      field.value = String(sampling[spec.key]);
      field.classList.remove('invalid');
      field.setAttribute('aria-invalid', 'false');
    }
    error.textContent = '';
  }

  return { root: h('div', { class: 'sampling' }, grid, error), render };
}

export interface StepButtons {
  root: HTMLElement;
  render(appended: number, seed: number, canStep: boolean): void;
}

type Button = HTMLElement & { disabled: boolean };

export function createStepButtons(): StepButtons {
  const button = (label: string, title: string, onClick: () => void, appearance = 'secondary'): Button => {
    const b = h('vscode-button', { appearance, title, 'aria-label': title }, label) as Button;
    b.addEventListener('click', () => !b.disabled && onClick());
    return b;
  };
  const greedy = button('Greedy', 'Append the likeliest token', () => post({ type: 'step', mode: 'greedy' }), 'primary');
  const sample = button('Sample', 'Append a token drawn with the sampling settings', () => post({ type: 'step', mode: 'sample' }));
  const undo = button('Undo', 'Remove the last appended token', () => post({ type: 'undoStep' }));
  const reset = button('Reset', 'Remove every appended token', () => post({ type: 'resetSteps' }));
  const insert = button('Insert', 'Write the appended tokens into the editor at the cursor', () => post({ type: 'insertAccepted' }));
  const root = h('div', { class: 'step-buttons', role: 'toolbar', 'aria-label': 'Step through generation' }, greedy, sample, undo, reset, insert);

  function render(appended: number, seed: number, canStep: boolean): void {
    greedy.disabled = sample.disabled = !canStep;
    sample.textContent = `Sample (seed ${seed})`;
    sample.title = `Append a token drawn with the sampling settings, seed ${seed}`;
    undo.disabled = reset.disabled = insert.disabled = appended === 0;
    insert.textContent = appended ? `Insert ${appended} token${appended === 1 ? '' : 's'}` : 'Insert';
    insert.setAttribute('aria-label', appended ? `Insert ${appended} appended token${appended === 1 ? '' : 's'} into the editor` : 'Insert (nothing appended yet)');
  }
  return { root, render };
}
