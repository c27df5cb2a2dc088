/**
 * Reads an evidence upload: a multipart/form-data body with one file part named `file` and a few
 * small text fields. The file streams to disk as it arrives (never held in memory); fields are
 * capped in number and size.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { Problem } from '../../kernel/http/errors.ts';
import type { EvidenceFiles, ReceivedFile } from './evidence-files.ts';

export interface Upload {
  file: ReceivedFile;
  /** The name the sender gave the file, a claim only. */
  fileName: string | undefined;
  /** The type the sender declared for the part, a claim only. */
  declaredType: string | undefined;
  fields: Record<string, string>;
}

export interface UploadOptions {
  maxBytes: number;
  checkHead?: (head: Uint8Array, claims: { fileName?: string; declaredType?: string }) => void;
}

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 8192;

export function receiveUpload(
  body: Readable,
  headers: IncomingHttpHeaders,
  files: EvidenceFiles,
  options: UploadOptions,
): Promise<Upload> {
  return new Promise<Upload>((resolve, reject) => {
    let bb: BusboyInstance;
    try {
      bb = Busboy({
        headers: headers as IncomingHttpHeaders & { 'content-type': string },
        isPartAFile: (name) => name === 'file',
        limits: {
          files: 1,
          // One byte over the limit is enough for receive() to refuse; busboy drops the rest.
          fileSize: options.maxBytes + 1,
          fields: MAX_FIELDS,
          fieldSize: MAX_FIELD_BYTES,
          parts: MAX_FIELDS + 1,
        },
      });
    } catch (e) {
      reject(new Problem('unsupported_media_type', `a multipart/form-data body is expected: ${String(e)}`));
      return;
    }
    let received: Promise<ReceivedFile> | undefined;
    let fileName: string | undefined;
    let declaredType: string | undefined;
    const fields: Record<string, string> = {};
    let fileStream: Readable | undefined;
    let failed = false;
    /** `stop`: the body cannot be parsed further, so the file part is cut off and the rest drained. */
    const fail = (e: unknown, stop = false) => {
      if (stop) {
        fileStream?.destroy(e instanceof Error ? e : new Error(String(e)));
        body.unpipe(bb);
        body.resume();
      }
      if (failed) return;
      failed = true;
      // A file already on its way to disk cleans up after itself; wait for that before answering.
      (received ?? Promise.resolve()).then(
        async (f) => {
          if (f) await files.discard(f.tmpPath);
          reject(e);
        },
        () => reject(e),
      );
    };

    bb.on('file', (_name, stream, filename, _encoding, mimeType) => {
      if (failed) {
        stream.resume();
        return;
      }
      fileStream = stream;
      fileName = filename || undefined;
      declaredType = mimeType || undefined;
      const claims = {
        ...(fileName ? { fileName } : {}),
        ...(declaredType ? { declaredType } : {}),
      };
      received = files.receive(stream, {
        maxBytes: options.maxBytes,
        checkHead: (head) => options.checkHead?.(head, claims),
      });
      received.catch(() => undefined);
    });
    bb.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (nameTruncated || valueTruncated) {
        fail(new Problem('validation_failed', `field ${name} is too long`, { field: name }));
        return;
      }
      fields[name] = value;
    });
    bb.on('error', (e) =>
      fail(new Problem('validation_failed', `malformed multipart body: ${String(e)}`), true),
    );
    bb.on('finish', () => {
      if (failed) return;
      if (!received) {
        fail(new Problem('validation_failed', 'the upload has no file part named "file"', { field: 'file' }));
        return;
      }
      received.then(
        (file) => resolve({ file, fileName, declaredType, fields }),
        (e) => {
          failed = true;
          reject(e);
        },
      );
    });
    body.on('error', (e) => fail(new Problem('validation_failed', `upload interrupted: ${String(e)}`), true));
    body.pipe(bb);
  });
}
