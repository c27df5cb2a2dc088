/**
 * The witness's memory: per log origin, the latest checkpoint it cosigned, in one JSON file. Losing
 * or rolling back this file would let the witness cosign a fork, so every update is written to a
 * temporary file, flushed, and renamed over the old one (a crash leaves the old state or the new,
 * never half of either), and a lock file keeps a second witness process off the same state.
 * Refused submissions that carried the log's valid signature are kept as evidence (the latest 100).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { WitnessEvidence, WitnessedCheckpoint, WitnessStateStore } from './witness.ts';

const MAX_EVIDENCE = 100;

/** State files this process holds: the lock file's pid cannot tell two of our own opens apart. */
const HELD = new Set<string>();

interface StateFile {
  version: 1;
  logs: Record<string, WitnessedCheckpoint>;
  evidence: WitnessEvidence[];
}

export class WitnessStateError extends Error {
  override name = 'WitnessStateError';
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileWitnessState implements WitnessStateStore {
  private state: StateFile;
  private readonly lockFile: string;
  private locked = false;

  private constructor(readonly file: string) {
    this.lockFile = `${file}.lock`;
    this.state = { version: 1, logs: {}, evidence: [] };
  }

  /** Opens (or creates) the state file and takes its lock; `close()` releases it. */
  static open(file: string): FileWitnessState {
    file = resolve(file);
    if (HELD.has(file)) throw new WitnessStateError(`the witness state ${file} is in use by this process`);
    mkdirSync(dirname(file), { recursive: true });
    const s = new FileWitnessState(file);
    s.lock();
    try {
      s.state = s.read();
    } catch (e) {
      s.close();
      throw e;
    }
    return s;
  }

  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.locked = true;
        HELD.add(this.file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number.parseInt(readFileSync(this.lockFile, 'utf8'), 10);
        if (Number.isSafeInteger(pid) && pid !== process.pid && isProcessAlive(pid)) {
          throw new WitnessStateError(`the witness state ${this.file} is in use by process ${pid}`);
        }
        // Left behind by a witness that died: its state file is whole (see save), so take over.
        rmSync(this.lockFile, { force: true });
      }
    }
    throw new WitnessStateError(`could not lock the witness state ${this.file}`);
  }

  private read(): StateFile {
    if (!existsSync(this.file)) return { version: 1, logs: {}, evidence: [] };
    let parsed: StateFile;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as StateFile;
    } catch (e) {
      throw new WitnessStateError(`the witness state ${this.file} is not JSON: ${(e as Error).message}`);
    }
    if (parsed?.version !== 1 || typeof parsed.logs !== 'object' || parsed.logs === null) {
      throw new WitnessStateError(`the witness state ${this.file} is not a version 1 state file`);
    }
    return { version: 1, logs: parsed.logs, evidence: Array.isArray(parsed.evidence) ? parsed.evidence : [] };
  }

  private save(): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(this.state, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    // The rename itself must survive a power cut too.
    try {
      const dir = openSync(dirname(this.file), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Some platforms cannot fsync a directory; the rename is still atomic there.
    }
  }

  async get(origin: string): Promise<WitnessedCheckpoint | undefined> {
    return Object.hasOwn(this.state.logs, origin) ? this.state.logs[origin] : undefined;
  }

  async put(origin: string, checkpoint: WitnessedCheckpoint): Promise<void> {
    if (!this.locked) throw new WitnessStateError('the witness state is closed');
    this.state = { ...this.state, logs: { ...this.state.logs, [origin]: checkpoint } };
    this.save();
  }

  async recordEvidence(evidence: WitnessEvidence): Promise<void> {
    if (!this.locked) return;
    this.state = { ...this.state, evidence: [...this.state.evidence, evidence].slice(-MAX_EVIDENCE) };
    this.save();
  }

  get evidence(): readonly WitnessEvidence[] {
    return this.state.evidence;
  }

  close(): void {
    if (!this.locked) return;
    this.locked = false;
    HELD.delete(this.file);
    rmSync(this.lockFile, { force: true });
  }
}
