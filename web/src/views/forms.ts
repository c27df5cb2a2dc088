/**
 * Form fields with their own error slot, wired for assistive technology (aria-invalid,
 * aria-describedby), and the server's problem details shown next to the field they name.
 */
import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import type { FieldErrors } from '../verification.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface Field {
  element: HTMLElement;
  setError(message: string | undefined): void;
}

let counter = 0;

/** A labelled control with a slot for its error; `key` is the request field the server may name. */
export function field(
  label: string,
  control: Control | HTMLFieldSetElement,
  options: { hint?: string } = {},
): Field {
  const id = control.id || `f${++counter}`;
  control.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const hint = options.hint ? h('p', { class: 'hint', id: `${id}-hint` }, options.hint) : null;
  const describedBy = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const element =
    control instanceof HTMLFieldSetElement
      ? h('div', { class: 'field' }, control, hint, error)
      : h('div', { class: 'field' }, h('label', { for: id }, label), control, hint, error);
  return {
    element,
    setError(message) {
      error.hidden = !message;
      error.textContent = message ?? '';
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    },
  };
}

/**
 * Shows each message next to its field, the rest in the form's general slot, and moves focus to
 * the first field in error so a keyboard user lands where the fix is needed.
 */
export function showErrors(
  fields: Record<string, Field>,
  general: HTMLElement,
  errors: FieldErrors,
  leftover?: string,
): void {
  const unplaced: string[] = [];
  for (const [key, f] of Object.entries(fields)) f.setError(errors[key]);
  for (const [key, message] of Object.entries(errors)) {
    if (message && !fields[key]) unplaced.push(message);
  }
  if (leftover) unplaced.push(leftover);
  general.hidden = unplaced.length === 0;
  general.textContent = unplaced.join(' ');
  const first = Object.keys(fields).find((k) => errors[k]);
  const control = first ? fields[first]?.element.querySelector<HTMLElement>('input, select, textarea') : null;
  control?.focus();
}

/** Turns a failed request into messages keyed by the fields the problem names. */
export function problemErrors(
  error: unknown,
  known: readonly string[],
): { errors: FieldErrors; leftover?: string } {
  if (!(error instanceof ApiError))
    return { errors: {}, leftover: `The request failed: ${(error as Error).message}` };
  const errors: FieldErrors = {};
  for (const e of error.problem.errors ?? []) {
    const key =
      known.find((k) => e.field === k || e.field.startsWith(`${k}.`)) ??
      known.find((k) => k.startsWith(`${e.field}.`));
    if (key && !errors[key]) errors[key] = e.message;
  }
  const field = error.problem.field;
  const named = field ? known.find((k) => field === k || field.startsWith(`${k}.`)) : undefined;
  if (named && !errors[named]) errors[named] = error.message;
  const placed = Object.keys(errors).length > 0;
  return placed ? { errors } : { errors, leftover: error.message };
}

/**
 * Wires an action form: check it locally, send it, and show the server's problems next to the
 * fields they name. `send` returns what to do once the form's view is still on screen (it may have
 * been left while the request was in flight).
 */
export function onAction<B>(
  form: HTMLFormElement,
  submit: HTMLButtonElement,
  fields: Record<string, Field>,
  general: HTMLElement,
  check: () => { body?: B; errors: FieldErrors },
  send: (body: B) => Promise<() => void>,
  isDisposed: () => boolean,
): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const checked = check();
    showErrors(fields, general, checked.errors);
    if (!checked.body) return;
    submit.disabled = true;
    try {
      const show = await send(checked.body);
      if (!isDisposed()) show();
    } catch (error) {
      const { errors, leftover } = problemErrors(error, Object.keys(fields));
      showErrors(fields, general, errors, leftover);
    } finally {
      submit.disabled = false;
    }
  });
}
