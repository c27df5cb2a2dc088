import { describe, expect, it } from 'vitest';
import type { ContentCredentials } from '../../src/monitoring/evidence/credentials-verdict.ts';
import {
  captureFacts,
  checkCustody,
  checkUpload,
  credentialsView,
  custodyDetails,
  custodyNote,
  EVIDENCE_ACCEPT,
  exactBytes,
  formatBytes,
  formatPlace,
  itemCount,
  uploadProblemField,
  uploadProblemMessage,
  utcInputToRfc3339,
} from './evidence.ts';
import { formatTime } from './format.ts';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('sizes', () => {
  it('writes bytes below a KiB exactly, and binary units above', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(166_864)).toBe('163 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('never rounds up to 1024 of a unit', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(10 * 1024 - 30)).toBe('10 KiB');
  });

  it('refuses nonsense rather than printing it', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('writes the exact size with separators', () => {
    expect(exactBytes(166_864)).toBe('166,864 bytes');
    expect(exactBytes(1)).toBe('1 byte');
  });

  it('counts items', () => {
    expect(itemCount(1)).toBe('1 item');
    expect(itemCount(3)).toBe('3 items');
  });
});

describe('C2PA verdict', () => {
  const signer = {
    trusted: false,
    issuer: 'C2PA Test Signing Cert',
    commonName: 'C2PA Signer',
    alg: 'Ps256',
    time: '2024-08-06T21:53:37+00:00',
  };

  it('marks a valid manifest from an unvouched signer as untrusted, never plain valid', () => {
    const v = credentialsView({
      verdict: 'untrusted',
      state: 'valid',
      trustAnchors: 0,
      failureCodes: ['signingCredential.untrusted'],
      signer,
    });
    expect(v.verdict).toBe('untrusted');
    expect(v.label).toBe('Valid · untrusted signer');
    expect(v.explanation).toContain('no trust anchors were configured');
    expect(v.signer).toBe(
      'C2PA Signer, issued by C2PA Test Signing Cert (Ps256), signed 2024-08-06 21:53:37 UTC',
    );
    expect(
      credentialsView({ state: 'valid', trustAnchors: 2, failureCodes: [], signer }).explanation,
    ).toContain('none of the 2 configured trust anchors');
  });

  it('says trusted only when the signer chains to a configured anchor', () => {
    const v = credentialsView({
      verdict: 'trusted',
      state: 'valid',
      trustAnchors: 1,
      failureCodes: [],
      signer: { ...signer, trusted: true },
    });
    expect(v.label).toBe('Valid · trusted signer');
  });

  it('lists the failure codes of an invalid manifest', () => {
    const v = credentialsView({
      verdict: 'invalid',
      state: 'invalid',
      failureCodes: ['signingCredential.untrusted', 'claimSignature.mismatch'],
      signer,
    });
    expect(v.label).toBe('Invalid');
    expect(v.failureCodes).toEqual(['signingCredential.untrusted', 'claimSignature.mismatch']);
  });

  it('says none, and why, when there is no manifest', () => {
    expect(
      credentialsView({ verdict: 'none', state: 'none', failureCodes: [], detail: 'JumbfNotFound' }),
    ).toEqual({
      verdict: 'none',
      label: 'None',
      explanation: 'The file carries no content credentials.',
      failureCodes: [],
    });
    expect(
      credentialsView({
        verdict: 'none',
        state: 'none',
        failureCodes: [],
        detail: 'content credentials do not apply to this type',
      }).explanation,
    ).toBe('Content credentials do not apply to this type of file.');
    expect(credentialsView(undefined).verdict).toBe('none');
  });

  it('works the verdict out for items recorded before it was kept', () => {
    const old = (c: Partial<ContentCredentials>) =>
      credentialsView({ failureCodes: [], state: 'none', ...c }).verdict;
    expect(old({ state: 'valid', signer: { trusted: true } })).toBe('trusted');
    expect(old({ state: 'valid', signer: { trusted: false } })).toBe('untrusted');
    expect(old({ state: 'valid' })).toBe('untrusted');
    expect(old({ state: 'invalid' })).toBe('invalid');
    expect(old({ state: 'none' })).toBe('none');
  });
});

describe('capture metadata', () => {
  it('says nothing when the file says nothing', () => {
    expect(captureFacts({ sources: [] })).toEqual([]);
    expect(captureFacts(undefined)).toEqual([]);
  });

  it('shows a zoned time in UTC with what the file said, and a zoneless one as the device clock', () => {
    expect(
      captureFacts({ sources: ['exif'], capturedAt: '2025-03-14T09:26:53+02:00', capturedAtHasZone: true }),
    ).toEqual([
      ['Captured', '2025-03-14 07:26:53 UTC (the file says 2025-03-14T09:26:53+02:00)'],
      ['Read from', 'EXIF'],
    ]);
    expect(captureFacts({ sources: ['xmp'], capturedAt: '2024-05-01T14:03:07' })[0]).toEqual([
      'Captured',
      '2024-05-01 14:03:07 on the device’s clock, time zone unknown',
    ]);
  });

  it('writes place, accuracy, altitude and the device, naming the make once', () => {
    const facts = captureFacts({
      sources: ['exif', 'xmp'],
      gpsTime: '2025-03-14T07:26:53.000Z',
      position: { lat: 48.0159, lon: 37.8028, altitudeM: 212.5, errorM: 12 },
      device: { make: 'Canon', model: 'Canon EOS R6', serialNumber: 'SN-0042' },
    });
    expect(facts).toEqual([
      ['GPS time', '2025-03-14 07:26:53 UTC'],
      ['Place', '48.01590° N, 37.80280° E ± 12 m, altitude 213 m'],
      ['Device', 'Canon EOS R6, serial SN-0042'],
      ['Read from', 'EXIF and XMP'],
    ]);
    expect(captureFacts({ sources: ['exif'], device: { make: 'Apple', model: 'iPhone 12' } })[0]).toEqual([
      'Device',
      'Apple iPhone 12',
    ]);
  });

  it('writes the hemisphere instead of a sign', () => {
    expect(formatPlace(-33.8688, -70.5)).toBe('33.86880° S, 70.50000° W');
    expect(formatTime('2026-11-29T23:30:05+02:00', { seconds: true })).toBe('2026-11-29 21:30:05 UTC');
    expect(formatTime('not a time', { seconds: true })).toBe('not a time');
  });
});

describe('custody events in words', () => {
  it('says what was received, from the details the server recorded', () => {
    expect(
      custodyDetails({
        event: 'received',
        actor: 'demo-analyst (GBR)',
        details: {
          sha256: 'ab'.repeat(32),
          size: 166_864,
          mediaType: 'image/jpeg',
          declaredType: 'image/jpeg',
          originalName: 'CA.jpg',
        },
      }),
    ).toBe('SHA-256 abababababababab…, 163 KiB, image/jpeg, sent as “CA.jpg”');
  });

  it('names the recipient of a copy and keeps the note apart', () => {
    const e = {
      event: 'copied' as const,
      actor: 'demo-analyst (GBR)',
      details: { recipient: 'OSCE archive', note: 'sealed USB drive' },
    };
    expect(custodyDetails(e)).toBe('to OSCE archive');
    expect(custodyNote(e)).toBe('sealed USB drive');
    expect(custodyNote({ details: null })).toBeUndefined();
  });

  it('says who reported a collection only when someone else collected it', () => {
    const details = { reportedBy: 'demo-analyst (GBR)' };
    expect(custodyDetails({ event: 'collected', actor: 'Sgt. Kovalenko', details })).toBe(
      'reported by demo-analyst (GBR)',
    );
    expect(custodyDetails({ event: 'collected', actor: 'demo-analyst (GBR)', details })).toBe('');
    expect(custodyDetails({ event: 'viewed', actor: 'x', details: null })).toBe('');
  });
});

describe('the upload form', () => {
  const file = { name: 'photo.jpg', size: 1000 };

  it('needs a non-empty file', () => {
    expect(
      checkUpload({ file: undefined, collectedAt: '', collectedBy: '', note: '' }, NOW).errors.file,
    ).toBe('Choose a file to attach.');
    expect(
      checkUpload({ file: { name: 'x', size: 0 }, collectedAt: '', collectedBy: '', note: '' }, NOW).errors
        .file,
    ).toBe('The file is empty.');
  });

  it('sends only the fields filled in, the time as UTC', () => {
    expect(checkUpload({ file, collectedAt: '', collectedBy: ' ', note: '' }, NOW)).toEqual({
      fields: {},
      errors: {},
    });
    expect(
      checkUpload({ file, collectedAt: '2026-11-28T09:15', collectedBy: ' Sgt. K ', note: ' bag 4 ' }, NOW),
    ).toEqual({
      fields: { collectedAt: '2026-11-28T09:15:00Z', collectedBy: 'Sgt. K', note: 'bag 4' },
      errors: {},
    });
  });

  it('refuses a collection time in the future or not a time', () => {
    expect(
      checkUpload({ file, collectedAt: '2026-11-30T09:15', collectedBy: '', note: '' }, NOW).errors
        .collectedAt,
    ).toMatch(/cannot be in the future/);
    expect(utcInputToRfc3339('2026-02-30T09:15')).toBeUndefined();
    expect(utcInputToRfc3339('yesterday')).toBeUndefined();
    expect(utcInputToRfc3339('2026-11-28T09:15:30')).toBe('2026-11-28T09:15:30Z');
  });

  it('puts a refused file’s problem next to the file, and writes the limit as a size', () => {
    expect(uploadProblemField({ code: 'unsupported_media_type', field: 'file' })).toBe('file');
    expect(uploadProblemField({ code: 'payload_too_large' })).toBe('file');
    expect(uploadProblemField({ code: 'validation_failed', field: 'collectedAt' })).toBe('collectedAt');
    expect(uploadProblemField({ code: 'not_found' })).toBeUndefined();
    expect(
      uploadProblemMessage(
        { code: 'payload_too_large' },
        `an evidence file is at most ${200 * 1024 * 1024} bytes`,
      ),
    ).toBe('The file is too large: an evidence file is at most 200 MiB.');
    expect(uploadProblemMessage({ code: 'unsupported_media_type' }, 'no')).toBe('no');
  });

  it('offers every accepted type in the file chooser', () => {
    for (const t of ['image/jpeg', '.jpg', '.jpeg', '.mov', '.pdf', '.json']) {
      expect(EVIDENCE_ACCEPT.split(',')).toContain(t);
    }
  });
});

describe('the custody form', () => {
  it('needs a recipient for a copy', () => {
    expect(checkCustody({ event: 'copied', at: '', recipient: ' ', note: '' }, NOW).errors.recipient).toBe(
      'Say to whom or where the copy went.',
    );
    expect(checkCustody({ event: 'copied', at: '', recipient: 'OSCE archive', note: '' }, NOW)).toEqual({
      body: { event: 'copied', recipient: 'OSCE archive' },
      errors: {},
    });
  });

  it('takes only the events a person reports', () => {
    expect(checkCustody({ event: 'viewed', at: '', recipient: '', note: '' }, NOW).errors.event).toBe(
      'Choose what happened.',
    );
    expect(
      checkCustody({ event: 'collected', at: '2026-11-28T08:00', recipient: '', note: ' in bag ' }, NOW),
    ).toEqual({
      body: { event: 'collected', at: '2026-11-28T08:00:00Z', note: 'in bag' },
      errors: {},
    });
  });

  it('refuses a note longer than the server keeps', () => {
    expect(
      checkCustody({ event: 'copied', at: '', recipient: 'x', note: 'n'.repeat(2001) }, NOW).errors.note,
    ).toBe('At most 2000 characters.');
  });
});
