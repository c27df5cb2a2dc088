/**
 * Importing a file of reports (NDJSON, CSV or GeoJSON), for the roles that may: good rows land, and
 * each refused row is listed with its line and field, as the command line and the API report them.
 */
import { importOutcome, importSummaryIn } from '../../../src/monitoring/import/summary.ts';
import { ApiError, api, type ImportSummary } from '../api.ts';
import { h, mount } from '../dom.ts';
import { IMPORT_EXTENSIONS, importContentType } from '../import-file.ts';
import { type Field, field, showErrors } from './forms.ts';
import type { View } from './view.ts';

export const importPage: View = (root) => {
  document.title = 'Import reports — Guarantor';
  let disposed = false;
  const file = h('input', { type: 'file', name: 'file', accept: IMPORT_EXTENSIONS });
  const mapping = h('input', { type: 'file', name: 'mapping', accept: '.json' });
  const allOrNothing = h('input', { type: 'checkbox', name: 'allOrNothing' });
  const fields: Record<string, Field> = {
    file: field('File of reports', file, {
      hint: 'NDJSON (.ndjson, .jsonl), CSV (.csv) or GeoJSON (.geojson); the extension says which.',
    }),
    mapping: field('Column mapping (optional, CSV only)', mapping, {
      hint: 'A JSON file that reads a foreign CSV layout, such as examples/acled-mapping.json.',
    }),
  };
  const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Import');
  const result = h('div', { 'data-testid': 'import-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form', novalidate: true, 'aria-label': 'Import reports' },
    general,
    fields.file!.element,
    fields.mapping!.element,
    h(
      'div',
      { class: 'field' },
      h('label', { class: 'check' }, allOrNothing, 'All or nothing: import no row if any row is refused'),
    ),
    submit,
  );

  mount(
    root,
    h('h1', {}, 'Import reports'),
    h(
      'p',
      { class: 'muted' },
      'The reports become incidents in the operations room as they land; widen its time slider to the days they cover.',
    ),
    h('section', { class: 'card' }, form, result),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    const type = chosen ? importContentType(chosen.name) : undefined;
    const errors: Record<string, string> = {};
    if (!chosen) errors.file = 'Choose a file.';
    else if (!type) errors.file = 'The file must end in .ndjson, .jsonl, .csv or .geojson.';
    let mappingText: string | undefined;
    const mappingFile = mapping.files?.[0];
    if (mappingFile) {
      mappingText = await mappingFile.text();
      try {
        JSON.parse(mappingText);
      } catch {
        errors.mapping = 'The mapping file is not JSON.';
      }
      if (type && type !== 'text/csv') errors.mapping = 'A column mapping reads CSV files only.';
    }
    showErrors(fields, general, errors);
    if (!chosen || !type || Object.keys(errors).length) return;
    submit.disabled = true;
    mount(result, h('p', { role: 'status' }, `Importing ${chosen.name}…`));
    try {
      const summary = await api.importReports(chosen, type, {
        allOrNothing: allOrNothing.checked,
        ...(mappingText ? { mapping: mappingText } : {}),
      });
      if (!disposed) mount(result, ...summaryView(summary));
    } catch (error) {
      if (disposed) return;
      // An all-or-nothing import that was rolled back is refused with its summary in the problem.
      const summary = error instanceof ApiError ? importSummaryIn(error.problem) : undefined;
      if (summary) mount(result, ...summaryView(summary));
      else {
        result.replaceChildren();
        showErrors(fields, general, {}, `The import failed: ${(error as Error).message}`);
      }
    } finally {
      submit.disabled = false;
    }
  });

  return () => {
    disposed = true;
  };
};

function summaryView(s: ImportSummary): HTMLElement[] {
  const refused: HTMLElement | null = s.errors.length
    ? h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data' },
          h('caption', {}, s.errorsTruncated ? `The first ${s.errors.length} refused rows` : 'Refused rows'),
          h('thead', {}, h('tr', {}, ...['Line', 'Field', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            ...s.errors.map((e) =>
              h(
                'tr',
                {},
                h('td', { class: 'num' }, String(e.line)),
                h('td', {}, e.field ?? '—'),
                h('td', {}, e.message),
              ),
            ),
          ),
        ),
      )
    : null;
  const outcome = h(
    'p',
    { class: s.rolledBack || s.rejected ? 'notice' : 'flash', role: 'status' },
    importOutcome(s),
  );
  return refused ? [outcome, refused] : [outcome];
}
