/**
 * `guarantor ledger ...`: the log operator's commands on the local database. `vkey` prints the
 * verifier key to hand to member states; `export-tiles DIR` writes the log as a tlog-tiles directory.
 */
import { loadConfig } from '../kernel/config/config.ts';
import { exportTiles } from '../kernel/ledger/export-tiles.ts';
import { LedgerService } from '../kernel/ledger/ledger-service.ts';
import { loadOrCreateLogKey } from '../kernel/ledger/log-key.ts';
import { openStore, storeOptionsFor } from '../kernel/store/store.ts';

interface StoreFlags {
  data?: string;
  databaseUrl?: string;
  origin?: string;
}

export async function ledgerVkeyCommand(flags: StoreFlags): Promise<void> {
  const config = loadConfig(process.env, { dataDir: flags.data });
  process.stdout.write(`${loadOrCreateLogKey(config.dataDir, flags.origin).vkey}\n`);
}

export async function exportTilesCommand(dir: string, flags: StoreFlags): Promise<void> {
  const config = loadConfig(process.env, { dataDir: flags.data, databaseUrl: flags.databaseUrl });
  const key = loadOrCreateLogKey(config.dataDir, flags.origin);
  const store = await openStore(storeOptionsFor(config));
  try {
    const { checkpoint, written } = await exportTiles(new LedgerService(store, key), dir);
    process.stdout.write(
      `exported the ledger at size ${checkpoint.size} to ${dir} (${written} files written)\n`,
    );
  } finally {
    await store.close();
  }
}
