/**
 * The ledger, for anyone: its latest checkpoint verified in this browser (the log's signature and any
 * witnesses' cosignatures), a check of any record's inclusion by its id, and how a member state checks
 * the whole record independently. Seeing that a record exists is public; its content is not shown here.
 */
import { h, mount } from '../dom.ts';
import { InclusionChecker, RECORD_KINDS, type TrustedCheckpoint } from '../inclusion-check.ts';
import { ledgerBadge } from './badges.ts';
import { card } from './card.ts';
import { type Field, field, showErrors } from './forms.ts';
import type { View } from './view.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ledgerPage: View = (root) => {
  document.title = 'Ledger — Guarantor';
  let disposed = false;
  const checker = new InclusionChecker();
  const checkpointSlot = h(
    'div',
    { 'data-testid': 'ledger-checkpoint', 'aria-live': 'polite' },
    h('p', { role: 'status' }, 'Checking the latest checkpoint in this browser…'),
  );
  const vkeySlot = h('code', { class: 'vkey', 'data-testid': 'ledger-vkey' }, '…');

  mount(
    root,
    h('h1', {}, 'The ledger'),
    h(
      'p',
      {},
      'Every report, verification step and access event appends a leaf to an append-only Merkle tree. ',
      'Guarantor signs a checkpoint of it every minute; member states’ witnesses may cosign it. ',
      'This page checks the signatures here, in your browser, without taking the server’s word.',
    ),
    card({ key: 'checkpoint', title: 'Latest checkpoint' }, checkpointSlot),
    card({ key: 'record', title: 'Is a record in the ledger?' }, recordForm()),
    card(
      { key: 'independent', title: 'Checking independently' },
      h('p', {}, 'The log’s public key, as this server publishes it:'),
      h('p', {}, vkeySlot),
      h(
        'p',
        {},
        'A member state compares it with the key it was given, then follows the log with ',
        h('code', {}, 'guarantor verify <url> --key "<vkey>" --state member.state'),
        ', which checks every checkpoint against the last one it saw and, with ',
        h('code', {}, '--full'),
        ', rebuilds the whole tree. The tiles are served at ',
        h('code', {}, '/ledger/'),
        ' (C2SP tlog-tiles).',
      ),
    ),
  );

  checker
    .latest()
    .then((cp) => {
      if (disposed) return;
      if ('state' in cp) {
        mount(
          checkpointSlot,
          h(
            'p',
            { role: 'alert', 'data-ledger': cp.state },
            cp.state === 'failed'
              ? `The checkpoint did not verify: ${cp.reason}`
              : cp.state === 'pending'
                ? `Not available yet: ${cp.reason}`
                : 'No checkpoint.',
          ),
        );
        return;
      }
      mount(checkpointSlot, checkpointFacts(cp));
    })
    .catch((error: Error) => {
      if (!disposed) mount(checkpointSlot, h('p', { role: 'alert' }, `Could not check: ${error.message}`));
    });

  fetch('/ledger/vkey', { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`status ${r.status}`))))
    .then((vkey) => {
      if (!disposed) vkeySlot.textContent = vkey.trim();
    })
    .catch(() => {
      if (!disposed) vkeySlot.textContent = 'not available';
    });

  function recordForm(): HTMLElement {
    const kind = h(
      'select',
      { name: 'kind' },
      h('option', { value: 'report' }, 'report'),
      h('option', { value: 'incident' }, 'incident'),
    );
    const id = h('input', {
      type: 'text',
      name: 'id',
      spellcheck: 'false',
      autocomplete: 'off',
      maxlength: 100,
    });
    const fields: Record<string, Field> = {
      kind: field('Kind of record', kind),
      id: field('Its id', id, { hint: 'As printed on a spot report or a daily report.' }),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const result = h('p', { class: 'ledger-line', 'data-testid': 'record-ledger', 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Check');
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-label': 'Check a record' },
      general,
      fields.kind!.element,
      fields.id!.element,
      submit,
      result,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = id.value.trim();
      if (!UUID.test(value)) {
        showErrors(fields, general, {
          id: 'Give the record’s id, a UUID such as 01a22b4e-fb3e-702e-8f41-07745f360aa9.',
        });
        return;
      }
      showErrors(fields, general, {});
      submit.disabled = true;
      mount(result, 'Checking…');
      const kinds = kind.value === 'incident' ? RECORD_KINDS.incident : RECORD_KINDS.report;
      const status = await checker.check({ id: value, kinds });
      submit.disabled = false;
      if (!disposed) mount(result, ...ledgerBadge(status));
    });
    return form;
  }

  return () => {
    disposed = true;
  };
};

function checkpointFacts(cp: TrustedCheckpoint): HTMLElement {
  const row = (term: string, ...value: (Node | string)[]) => [h('dt', {}, term), h('dd', {}, ...value)];
  return h(
    'dl',
    { class: 'facts', 'data-ledger': 'verified', 'data-size': cp.size },
    ...row('Log', h('code', {}, cp.origin)),
    ...row('Leaves', String(cp.size)),
    ...row('Root', h('code', { class: 'root-hash' }, cp.root)),
    ...row('Signature', 'the log’s signature verified in this browser'),
    ...row(
      'Witnesses',
      cp.witnessed
        ? `cosigned by ${cp.cosigners.join(', ')} (quorum ${cp.quorum})`
        : cp.quorum > 0
          ? `short of the quorum of ${cp.quorum}`
          : 'none configured: signed by the log only, so this shows what the log claims, not that anyone else saw the same history',
    ),
  );
}
