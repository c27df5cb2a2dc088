/**
 * The restricted records a request read, noted where the label check lets them through. The access
 * trail cannot learn them all from the answer: a spot report, an evidence file or a leaf opening
 * carries no label of its own, and an answer sent as HTML or a file is not an object to look into.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string[]>();

/** Runs `work` noting restricted reads into `log`. */
export function withReadLog<T>(log: string[], work: () => Promise<T>): Promise<T> {
  return current.run(log, work);
}

/** Notes that the current request read a record labelled above PUBLIC. */
export function noteRestrictedRead(id: string, labelLevel: number): void {
  if (labelLevel > 0) current.getStore()?.push(id);
}
