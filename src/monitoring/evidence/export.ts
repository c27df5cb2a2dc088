/**
 * An evidence export: one tar holding the original byte for byte, its derived copies, `manifest.json`
 * (the item, every file's SHA-256 and size, the custody log and the ledger leaves that record them)
 * and `SHA256SUMS` for `sha256sum -c`. The recipient can check the bytes without Guarantor, and the
 * record's inclusion in the ledger with `guarantor verify`.
 */
import { createHash } from 'node:crypto';
import type { EvidenceFiles } from './evidence-files.ts';
import type { EvidenceDetail } from './evidence-service.ts';
import { type EvidenceMediaType, EXTENSION_OF } from './media-type.ts';
import { TAR_END, tarFile, tarHeader, tarPadding } from './tar.ts';

export const EXPORT_FORMAT = 'guarantor-evidence-export/1';

export interface ExportedFile {
  path: string;
  role: 'original' | 'derived';
  sha256: string;
  size: number;
  mediaType: string;
}

function extension(mediaType: string): string {
  return EXTENSION_OF[mediaType as EvidenceMediaType] ?? 'bin';
}

export function exportFiles(detail: EvidenceDetail): ExportedFile[] {
  return [
    {
      path: `original/${detail.sha256}.${extension(detail.mediaType)}`,
      role: 'original',
      sha256: detail.sha256,
      size: detail.size,
      mediaType: detail.mediaType,
    },
    ...detail.derived.map(
      (d): ExportedFile => ({
        path: `derived/${d.sha256}.${extension(d.mediaType)}`,
        role: 'derived',
        sha256: d.sha256,
        size: d.size,
        mediaType: d.mediaType,
      }),
    ),
  ];
}

export function exportManifest(detail: EvidenceDetail, exportedBy: string, exportedAt: string): unknown {
  // The thumbnail status is a view for the API, worked out from `derived` and `derivationFailures`.
  const { custody, derived, derivationFailures, thumbnail: _view, ledger, ...item } = detail;
  return {
    format: EXPORT_FORMAT,
    exportedAt,
    exportedBy,
    evidence: item,
    files: exportFiles(detail),
    derived,
    derivationFailures,
    custody,
    ledger,
  };
}

export async function* buildExport(
  detail: EvidenceDetail,
  exportedBy: string,
  files: EvidenceFiles,
): AsyncGenerator<Uint8Array> {
  const exported = detail.custody.filter((c) => c.event === 'exported').at(-1);
  const at = exported?.at ?? new Date().toISOString();
  const mtime = new Date(at);
  const list = exportFiles(detail);
  const manifest = new TextEncoder().encode(
    `${JSON.stringify(exportManifest(detail, exportedBy, at), null, 2)}\n`,
  );
  const manifestSha = createHash('sha256').update(manifest).digest('hex');
  const sums = new TextEncoder().encode(
    [...list.map((f) => `${f.sha256}  ${f.path}`), `${manifestSha}  manifest.json`, ''].join('\n'),
  );
  yield* tarFile('manifest.json', manifest, mtime);
  yield* tarFile('SHA256SUMS', sums, mtime);
  const written = new Set<string>();
  for (const f of list) {
    if (written.has(f.path)) continue;
    written.add(f.path);
    yield tarHeader(f.path, f.size, mtime);
    let seen = 0;
    for await (const chunk of files.stream(f.sha256)) {
      const bytes = chunk as Buffer;
      seen += bytes.length;
      // The file was checked against its hash just before; a change since would break the archive.
      if (seen > f.size) throw new Error(`stored file ${f.sha256} grew during export`);
      yield bytes;
    }
    if (seen !== f.size) throw new Error(`stored file ${f.sha256} shrank during export`);
    yield tarPadding(f.size);
  }
  yield TAR_END;
}
