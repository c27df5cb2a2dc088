/** `guarantor admin ...`: account administration on the local database (see access/admin-create.ts). */
import { type AdminCreateOptions, adminCreate } from '../access/admin-create.ts';
import { loadConfig } from '../kernel/config/config.ts';
import { openStore, storeOptionsFor } from '../kernel/store/store.ts';
import { type Io, processIo } from './io.ts';
import { canPromptSecret, promptSecret } from './secret-prompt.ts';

export interface AdminCreateFlags extends AdminCreateOptions {
  data?: string;
  databaseUrl?: string;
}

/** Runs `admin create` on the configured database; returns (and sets) the exit code. */
export async function adminCreateCommand(flags: AdminCreateFlags, io: Io = processIo): Promise<number> {
  const config = loadConfig(process.env, { dataDir: flags.data, databaseUrl: flags.databaseUrl });
  const store = await openStore(storeOptionsFor(config));
  let code: number;
  try {
    code = await adminCreate(
      store,
      {
        username: flags.username,
        participant: flags.participant,
        ...(flags.displayName !== undefined ? { displayName: flags.displayName } : {}),
        ...(flags.clearance !== undefined ? { clearance: flags.clearance } : {}),
        ...(flags.passwordFile !== undefined ? { passwordFile: flags.passwordFile } : {}),
      },
      io,
      canPromptSecret() ? { promptSecret } : {},
    );
  } finally {
    await store.close();
  }
  process.exitCode = code;
  return code;
}
