#!/usr/bin/env -S node --max-semi-space-size=32
// The `guarantor` command. Sources are TypeScript, loaded through tsx's ESM hooks so the
// installed command and `npm start` run the same code with no separate build step.
// Young-generation semi-spaces of 32 MiB (V8's default is 16) collect the short-lived objects of
// ingest less often, so a bulk import lands faster. Larger ones made each collection longer, and with
// it the slowest reads: at 64 MiB, one day's GeoJSON list of 1,000 incidents at 1M reports had p95
// 48-53 ms against 40-43 ms at 32 MiB and 31-34 ms at 16. The import worker, which serves no reads,
// sets its own larger young generation (prepared-upload.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
