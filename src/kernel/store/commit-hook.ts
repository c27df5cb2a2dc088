/**
 * Work that must commit with whatever a piece of code changes, without that code knowing of it: the
 * HTTP layer runs a write request's handler under a hook, and every store transaction the handler
 * starts calls the hook just before it commits, in that transaction. The access trail's entry for a
 * write is written this way, so no change is stored without the entry that says who made it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tx } from './store.ts';

export type CommitHook = (trx: Tx) => Promise<void>;

const current = new AsyncLocalStorage<CommitHook>();

/** Runs `work` (and everything it awaits) with `hook` called before each transaction it commits. */
export function withCommitHook<T>(hook: CommitHook, work: () => Promise<T>): Promise<T> {
  return current.run(hook, work);
}

/** Called by the store as a transaction's last step. */
export async function runCommitHook(trx: Tx): Promise<void> {
  await current.getStore()?.(trx);
}
