/**
 * The evidence behind each report of an incident, with its chain of custody: for every report the
 * reader can see, how many items it has (collapsed until asked for), and for each item its type, size,
 * SHA-256, what the file says about its capture, the verdict on its C2PA content credentials, the
 * thumbnail Guarantor rendered, its ledger leaves (the item's checked in this browser) and the custody
 * log. Reading the original and exporting are plain links: the session cookie authenticates them and
 * the server writes each into the custody log before it sends a byte. Attaching a file and reporting
 * a custody event (a copy handed on, collection in the field) are forms, offered only to the roles
 * that may use them.
 */

import { LEAF_KINDS } from '../../../src/monitoring/evidence/evidence-model.ts';
import { can, type Session } from '../access.ts';
import {
  ApiError,
  type CustodyEvent,
  type EvidenceDetail,
  type EvidenceItem,
  evidenceApi,
  evidenceContentUrl,
  evidenceExportUrl,
  type IncidentDetail,
} from '../api.ts';
import { type Children, h, mount } from '../dom.ts';
import {
  CUSTODY_MEANING,
  captureFacts,
  checkCustody,
  checkUpload,
  credentialsView,
  custodyDetails,
  custodyNote,
  EVIDENCE_ACCEPT,
  EVIDENCE_TYPES_TEXT,
  exactBytes,
  formatBytes,
  itemCount,
  uploadProblemField,
  uploadProblemMessage,
} from '../evidence.ts';
import { formatSpan, formatTime, words } from '../format.ts';
import type { InclusionChecker, InclusionStatus } from '../inclusion-check.ts';
import type { FieldErrors } from '../verification.ts';
import { ledgerBadge } from './badges.ts';
import { type Field, field, onAction, problemErrors, showErrors } from './forms.ts';

type Report = IncidentDetail['reports'][number];

const CHECKING: InclusionStatus = {
  state: 'pending',
  code: 'checking',
  reason: 'checking the inclusion proof in this browser',
};

/** How often, and how many times, an item is asked again after a download until its log shows it. */
const AFTER_DOWNLOAD_MS = 700;
const AFTER_DOWNLOAD_TRIES = 6;

/**
 * The incident page's evidence section, or null for a reader who may neither see nor attach evidence.
 * `isDisposed` says the page was left, so late answers change nothing.
 */
export function evidenceSection(
  reports: readonly Report[],
  session: Session,
  isDisposed: () => boolean,
  /** The page's checker, so the checkpoint is fetched and verified once for the whole page. */
  checker: InclusionChecker,
): HTMLElement | null {
  const may = {
    read: can(session, 'evidence:read'),
    upload: can(session, 'evidence:upload'),
    export: can(session, 'evidence:export'),
    custody: can(session, 'evidence:custody'),
  };
  if (!may.read && !may.upload) return null;
  const inclusion = (id: string) => checker.check({ id, kinds: [LEAF_KINDS.item] });

  return h(
    'section',
    { class: 'card evidence', 'aria-labelledby': 'evidence-heading', 'data-testid': 'evidence' },
    h('h2', { id: 'evidence-heading' }, 'Evidence'),
    h(
      'p',
      { class: 'hint' },
      may.read
        ? 'Files attached to each report, with their chain of custody. Capture details are what each file says about itself, not findings. Downloading an original or exporting it is recorded in its custody log.'
        : 'Attach files to the reports below. Your roles do not include reading evidence, so what is already attached is not listed.',
    ),
    reports.length === 0 ? h('p', { class: 'muted' }, 'No report of this incident is visible to you.') : null,
    ...reports.map((r, i) => reportBlock(r, i)),
  );

  function reportBlock(report: Report, index: number): HTMLElement {
    const headingId = `evidence-report-${report.id}`;
    const listSlot = h('div', { class: 'evidence-list' });
    /** Ids listed last time, to tell a fresh upload from the same bytes sent again. */
    let known = new Set<string>();
    let open = false;

    const block = h(
      'section',
      {
        class: 'evidence-report',
        id: `evidence-${report.id}`,
        'aria-labelledby': headingId,
        'data-testid': 'evidence-report',
        'data-report-id': report.id,
      },
      h(
        'h3',
        { id: headingId },
        `Report ${index + 1}: ${report.source.participant} ${words(report.source.kind)}, ${words(report.type)} `,
        h('small', { class: 'muted' }, formatSpan(report.observedFrom, report.observedTo)),
      ),
      may.read ? listSlot : null,
      may.upload ? uploadForm(report, headingId, () => known, uploaded) : null,
    );
    /** What is listed, and each item's view once drawn: a view loads its detail once, not per redraw. */
    let listed: { items: EvidenceItem[]; total: number } | undefined;
    const views = new Map<string, HTMLElement>();
    const viewOf = (item: EvidenceItem): HTMLElement => {
      let view = views.get(item.id);
      if (!view) {
        view = itemView(item);
        views.set(item.id, view);
      }
      return view;
    };

    async function refresh(options: { open?: boolean; focus?: string } = {}): Promise<void> {
      if (!may.read) return;
      if (!listSlot.hasChildNodes()) mount(listSlot, h('p', { role: 'status' }, 'Loading evidence…'));
      try {
        listed = await evidenceApi.list(report.id);
      } catch (error) {
        if (isDisposed()) return;
        mount(
          listSlot,
          h('p', { role: 'alert' }, `The evidence could not be listed: ${(error as Error).message}`),
        );
        return;
      }
      if (isDisposed()) return;
      show(listed, options);
    }

    /** A new upload joins the list as it is; only a list never drawn is asked for. */
    async function uploaded(item: EvidenceItem): Promise<void> {
      if (!may.read) return;
      if (!listed) return refresh({ open: true, focus: item.id });
      if (!known.has(item.id)) listed = { items: [...listed.items, item], total: listed.total + 1 };
      show(listed, { open: true, focus: item.id });
    }

    function show(
      page: { items: EvidenceItem[]; total: number },
      options: { open?: boolean; focus?: string },
    ) {
      if (options.open) open = true;
      known = new Set(page.items.map((i) => i.id));
      if (page.items.length === 0) {
        mount(listSlot, h('p', { class: 'muted', 'data-testid': 'evidence-none' }, 'No evidence attached.'));
        return;
      }
      const list = h('ul', { class: 'evidence-items' });
      let drawn = false;
      const draw = () => {
        if (drawn) return;
        drawn = true;
        mount(list, ...page.items.map(viewOf));
      };
      const details = h(
        'details',
        { class: 'evidence-details', open },
        h(
          'summary',
          { 'data-testid': 'evidence-summary', 'data-count': page.total },
          `Evidence: ${itemCount(page.total)}`,
          page.items.length < page.total ? ` (the first ${page.items.length} shown)` : '',
        ),
        list,
      );
      // The items, their thumbnails and custody logs are asked for only once someone opens the list.
      details.addEventListener('toggle', () => {
        open = details.open;
        if (details.open) draw();
      });
      if (open) draw();
      mount(listSlot, details);
      if (options.focus) {
        list.querySelector<HTMLElement>(`[data-evidence-id="${CSS.escape(options.focus)}"] h4`)?.focus();
      }
    }

    void refresh();
    return block;
  }

  /** One item: what the list already says at once, then its detail (thumbnail, custody, ledger). */
  function itemView(item: EvidenceItem): HTMLElement {
    const name = item.originalName ?? `unnamed ${item.mediaType} file`;
    const thumbSlot = h('div', { class: 'evidence-thumb' }, h('p', { class: 'muted' }, 'Loading…'));
    const copiesSlot = h('dd', {}, '…');
    const ledgerSlot = h('dd', { 'data-testid': 'evidence-ledger' }, '…');
    const custodySlot = h('div', { 'data-testid': 'custody' }, h('p', { role: 'status' }, 'Loading…'));
    const credentials = credentialsView(item.c2pa);
    const capture = captureFacts(item.capture);
    const hash = h('code', { class: 'hash', 'data-testid': 'sha256' }, item.sha256);
    let custodyCount = 0;

    const load = async (): Promise<EvidenceDetail | undefined> => {
      try {
        const detail = await evidenceApi.get(item.id);
        if (isDisposed()) return undefined;
        showDetail(detail);
        return detail;
      } catch (error) {
        if (isDisposed()) return undefined;
        mount(
          custodySlot,
          h('p', { role: 'alert' }, `The custody log could not be loaded: ${(error as Error).message}`),
        );
        mount(thumbSlot);
        return undefined;
      }
    };

    let thumbShown = false;
    const showDetail = (detail: EvidenceDetail) => {
      custodyCount = detail.custody.length;
      if (!thumbShown) {
        thumbShown = true;
        mount(thumbSlot, thumbnail(detail, name));
      }
      mount(copiesSlot, copiesText(detail));
      mount(custodySlot, custodyLog(detail));
      const own = detail.ledger.find((l) => l.recordId === detail.id);
      if (!own) {
        mount(ledgerSlot, h('span', { class: 'muted' }, 'No ledger leaf is recorded for this item.'));
        return;
      }
      const badge = h('span', { 'aria-live': 'polite' }, ledgerBadge(CHECKING));
      mount(
        ledgerSlot,
        h(
          'span',
          {},
          `Leaf ${own.idx} (the item), ${detail.ledger.length} leaves in all with its custody events and copies. `,
        ),
        h('br'),
        badge,
      );
      inclusion(detail.id)
        .catch(
          (e: unknown): InclusionStatus => ({ state: 'failed', reason: String((e as Error)?.message ?? e) }),
        )
        .then((status) => {
          if (!isDisposed()) mount(badge, ledgerBadge(status));
        });
    };

    /** Polls until the log shows the download (the server records it before it sends the file). */
    const afterDownload = () => {
      const before = custodyCount;
      let tries = 0;
      const again = () => {
        if (isDisposed() || tries++ >= AFTER_DOWNLOAD_TRIES) return;
        void evidenceApi
          .get(item.id)
          .then((detail) => {
            if (isDisposed()) return;
            if (detail.custody.length > before) showDetail(detail);
            else setTimeout(again, AFTER_DOWNLOAD_MS);
          })
          .catch(() => {
            // The log stays as it was; the next page load shows the event.
          });
      };
      setTimeout(again, AFTER_DOWNLOAD_MS);
    };

    const download = h(
      'a',
      {
        class: 'button',
        href: evidenceContentUrl(item.id),
        download: '',
        'data-testid': 'evidence-download',
        onclick: afterDownload,
      },
      'Download original',
      h('span', { class: 'visually-hidden' }, ` of ${name}`),
    );
    const exportLink = may.export
      ? h(
          'a',
          {
            class: 'button',
            href: evidenceExportUrl(item.id),
            download: '',
            'data-testid': 'evidence-export',
            onclick: afterDownload,
          },
          'Export with hashes and custody log (.tar)',
          h('span', { class: 'visually-hidden' }, ` of ${name}`),
        )
      : null;

    const row = (term: string, ...value: Children[]) => [h('dt', {}, term), h('dd', {}, ...value)];
    const li = h(
      'li',
      {
        class: 'evidence-item',
        'data-evidence-id': item.id,
        'data-sha256': item.sha256,
        'data-testid': 'evidence-item',
      },
      h('h4', { tabindex: '-1' }, name),
      h(
        'div',
        { class: 'evidence-body' },
        thumbSlot,
        h(
          'dl',
          { class: 'facts' },
          ...row('Type', item.mediaType),
          ...row(
            'Size',
            h('span', { title: exactBytes(item.size) }, formatBytes(item.size)),
            ` (${exactBytes(item.size)})`,
          ),
          ...row('SHA-256', hash, ' ', copyButton(item.sha256, hash, name)),
          ...row('Attached', `${formatTime(item.createdAt)} by ${item.uploadedBy}`),
          ...row(
            'Capture',
            capture.length
              ? h(
                  'dl',
                  { class: 'facts capture', 'data-testid': 'capture' },
                  ...capture.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
                )
              : h(
                  'span',
                  { class: 'muted', 'data-testid': 'capture' },
                  'The file records no time, place or device.',
                ),
          ),
          ...row(
            'Content credentials',
            h(
              'span',
              {
                class: `badge c2pa c2pa-${credentials.verdict}`,
                'data-testid': 'c2pa',
                'data-verdict': credentials.verdict,
              },
              credentials.label,
            ),
            h('br'),
            h('small', {}, credentials.explanation),
            credentials.signer
              ? [h('br'), h('small', { class: 'muted' }, `Signer: ${credentials.signer}`)]
              : null,
            credentials.failureCodes.length
              ? h(
                  'ul',
                  {
                    class: 'evidence-codes',
                    'aria-label': 'C2PA failure codes',
                    'data-testid': 'c2pa-codes',
                  },
                  ...credentials.failureCodes.map((c) => h('li', {}, h('code', {}, c))),
                )
              : null,
          ),
          h('dt', {}, 'Copies'),
          copiesSlot,
          h('dt', {}, 'Ledger'),
          ledgerSlot,
        ),
      ),
      h('div', { class: 'actions', role: 'group', 'aria-label': `Get ${name}` }, download, exportLink),
      h('h5', {}, 'Chain of custody'),
      custodySlot,
      may.custody ? custodyForm(item, name, load) : null,
    );
    void load();
    return li;
  }

  function uploadForm(
    report: Report,
    headingId: string,
    known: () => Set<string>,
    uploaded: (item: EvidenceItem) => Promise<void>,
  ): HTMLElement {
    const file = h('input', { type: 'file', name: 'file', accept: EVIDENCE_ACCEPT, required: true });
    const collectedAt = h('input', { type: 'datetime-local', name: 'collectedAt', step: 1 });
    const collectedBy = h('input', {
      type: 'text',
      name: 'collectedBy',
      maxlength: 200,
      autocomplete: 'off',
    });
    const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
    const fields: Record<string, Field> = {
      file: field('File', file, {
        hint: `${EVIDENCE_TYPES_TEXT}. The type is read from the content; a name that says otherwise is refused. The same file attached twice is kept once.`,
      }),
      collectedAt: field('Collected at (UTC, optional)', collectedAt, {
        hint: 'When it was recorded or taken in the field, if known.',
      }),
      collectedBy: field('Collected by (optional)', collectedBy, {
        hint: 'Who collected it in the field, if not you. You are recorded as the one who attached it.',
      }),
      note: field('Note (optional)', note),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const progress = h(
      'div',
      { class: 'upload-progress', hidden: true },
      h('progress', { 'aria-label': 'Uploading' }),
      h('span', {}),
    );
    const status = h('p', {
      class: 'upload-status',
      role: 'status',
      'aria-live': 'polite',
      'data-testid': 'upload-status',
    });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Upload');
    const form = h(
      'form',
      {
        class: 'inline-form evidence-upload',
        novalidate: true,
        'aria-labelledby': `${headingId}-attach`,
        'data-testid': 'evidence-upload',
      },
      general,
      fields.file!.element,
      fields.collectedAt!.element,
      fields.collectedBy!.element,
      fields.note!.element,
      h('div', { class: 'buttons' }, submit),
      progress,
    );

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      status.textContent = '';
      const chosen = file.files?.[0];
      const checked = checkUpload(
        {
          file: chosen,
          collectedAt: collectedAt.value,
          collectedBy: collectedBy.value,
          note: note.value,
        },
        Date.now(),
      );
      showErrors(fields, general, checked.errors);
      if (!checked.fields || !chosen) return;
      const body = new FormData();
      // The text fields first: the server reads the parts in order, and the file is the large one.
      for (const [key, value] of Object.entries(checked.fields)) body.append(key, value);
      body.append('file', chosen, chosen.name);
      const before = known();
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      progress.hidden = false;
      mount(
        progress.lastElementChild!,
        `Uploading “${chosen.name}” (${formatBytes(chosen.size)}); the server hashes and checks it as it arrives…`,
      );
      try {
        const item = await evidenceApi.upload(report.id, body);
        if (isDisposed()) return;
        form.reset();
        status.textContent = before.has(item.id)
          ? `These bytes were already attached to this report (SHA-256 ${item.sha256}); nothing new was stored.`
          : `Attached “${item.originalName ?? chosen.name}”, SHA-256 ${item.sha256}.`;
        await uploaded(item);
      } catch (error) {
        if (isDisposed()) return;
        const errors: FieldErrors = {};
        let leftover: string | undefined;
        if (error instanceof ApiError) {
          const named = uploadProblemField(error.problem);
          const message = uploadProblemMessage(error.problem, error.message);
          if (named) errors[named] = message;
          else {
            const placed = problemErrors(error, Object.keys(fields));
            Object.assign(errors, placed.errors);
            leftover = placed.leftover;
          }
        } else {
          // A server that refuses a body as it arrives (too large) may close the connection mid-upload.
          errors.file = `The upload did not complete (${(error as Error).message}). A file over the server’s size limit is cut off this way.`;
        }
        showErrors(fields, general, errors, leftover);
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
        progress.hidden = true;
      }
    });

    return h(
      'details',
      { class: 'evidence-attach' },
      h('summary', { id: `${headingId}-attach` }, 'Attach evidence to this report'),
      form,
      status,
    );
  }

  function custodyForm(
    item: EvidenceItem,
    name: string,
    reload: () => Promise<EvidenceDetail | undefined>,
  ): HTMLElement {
    const event = h(
      'select',
      { name: 'event' },
      h('option', { value: 'copied' }, 'copied: a copy was handed on'),
      h('option', { value: 'collected' }, 'collected: it was collected in the field'),
    );
    const recipient = h('input', { type: 'text', name: 'recipient', maxlength: 200, autocomplete: 'off' });
    const at = h('input', { type: 'datetime-local', name: 'at', step: 1 });
    const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
    const fields: Record<string, Field> = {
      event: field('What happened', event),
      recipient: field('To whom or where', recipient, {
        hint: 'For a copy: the person, body or system that received it.',
      }),
      at: field('When (UTC, optional)', at, { hint: 'Leave empty for now.' }),
      note: field('Note (optional)', note),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const status = h('p', {
      class: 'upload-status',
      role: 'status',
      'aria-live': 'polite',
      'data-testid': 'custody-status',
    });
    const submit = h('button', { type: 'submit' }, 'Record the event');
    const summaryId = `custody-form-${item.id}`;
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-labelledby': summaryId, 'data-testid': 'custody-form' },
      general,
      fields.event!.element,
      fields.recipient!.element,
      fields.at!.element,
      fields.note!.element,
      submit,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () => {
        status.textContent = '';
        return checkCustody(
          { event: event.value, at: at.value, recipient: recipient.value, note: note.value },
          Date.now(),
        );
      },
      async (body) => {
        const recorded = await evidenceApi.recordCustody(item.id, body);
        await reload();
        return () => {
          form.reset();
          status.textContent = `Recorded: ${words(recorded.event)}${body.recipient ? ` to ${body.recipient}` : ''}, ${formatTime(recorded.at, { seconds: true })}.`;
        };
      },
      isDisposed,
    );
    return h(
      'details',
      { class: 'evidence-custody-form' },
      h('summary', { id: summaryId }, `Record a custody event for ${name}`),
      form,
      status,
    );
  }
}

function copyButton(text: string, target: HTMLElement, name: string): HTMLElement {
  const said = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'copy-button' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      said.textContent = 'Copied';
    } catch {
      // Without clipboard access, select it, so one keystroke copies it.
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      said.textContent = 'Selected: press Ctrl+C to copy';
    }
    setTimeout(() => {
      said.textContent = '';
    }, 4000);
  });
  button.setAttribute('aria-label', `Copy the SHA-256 of ${name}`);
  return h('span', {}, button, ' ', said);
}

function thumbnail(detail: EvidenceDetail, name: string): HTMLElement {
  const t = detail.thumbnail;
  if (!t.available) {
    const why =
      t.reason === 'not_an_image'
        ? 'No thumbnail: not an image.'
        : t.reason === 'failed'
          ? `No thumbnail: it could not be drawn (${t.detail}).`
          : `No thumbnail: ${t.detail}.`;
    return h('p', { class: 'muted', 'data-testid': 'no-thumbnail' }, why);
  }
  // A plain image from this origin: the session cookie goes with it, and the CSP allows 'self'.
  const img = h('img', {
    src: t.url,
    alt: `Thumbnail of ${name}, rendered by Guarantor from the stored original`,
    width: t.width ?? null,
    height: t.height ?? null,
    decoding: 'async',
    'data-testid': 'thumbnail',
  });
  img.addEventListener('error', () => {
    img.replaceWith(h('p', { class: 'muted' }, 'The thumbnail could not be loaded.'));
  });
  return h(
    'figure',
    {},
    img,
    h('figcaption', { class: 'muted' }, 'Rendered copy; the original is unchanged.'),
  );
}

function copiesText(detail: EvidenceDetail): (Node | string)[] {
  if (detail.derived.length === 0 && detail.derivationFailures.length === 0) return ['none'];
  return [
    h(
      'ul',
      { class: 'evidence-copies' },
      ...detail.derived.map((d) =>
        h(
          'li',
          {},
          `${words(d.purpose)} (${d.method === 'exif-embedded' ? 'the device’s own, embedded in the file' : words(d.method)}`,
          d.width && d.height ? `, ${d.width}×${d.height}` : '',
          `, ${formatBytes(d.size)}), SHA-256 `,
          h('code', { class: 'hash' }, d.sha256),
        ),
      ),
      ...detail.derivationFailures.map((f) =>
        h('li', { class: 'muted' }, `${words(f.purpose)} not made (${words(f.method)}): ${f.reason}`),
      ),
    ),
  ];
}

function custodyLog(detail: EvidenceDetail): HTMLElement {
  const leafOf = new Map(detail.ledger.map((l) => [l.recordId, l.idx]));
  if (detail.custody.length === 0) return h('p', { class: 'muted' }, 'No custody events.');
  return h(
    'ol',
    { class: 'timeline custody-log' },
    ...detail.custody.map((e: CustodyEvent) => {
      const details = custodyDetails(e);
      const note = custodyNote(e);
      const leaf = leafOf.get(e.id);
      return h(
        'li',
        { class: 'timeline-entry', 'data-event': e.event, 'data-custody-id': e.id },
        h('time', { datetime: e.at }, formatTime(e.at, { seconds: true })),
        ' ',
        h('strong', { class: 'custody-event' }, words(e.event)),
        ' by ',
        h('strong', {}, e.actor),
        h('span', { class: 'muted' }, ` — ${CUSTODY_MEANING[e.event] ?? words(e.event)}`),
        leaf !== undefined ? h('small', { class: 'muted' }, ` · ledger leaf ${leaf}`) : null,
        details ? h('p', { class: 'muted details' }, details) : null,
        note ? h('p', { class: 'reason' }, `“${note}”`) : null,
      );
    }),
  );
}
