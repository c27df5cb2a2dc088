#!/usr/bin/env -S node --max-semi-space-size=64
// The `guarantor` command. Sources are TypeScript, loaded through tsx's ESM hooks so the
// installed command and `npm start` run the same code with no separate build step.
// A young generation of 64 MiB semi-spaces (V8's default is 16) collects the short-lived objects of
// ingest far less often: a bulk import runs about a tenth faster. Threads inherit the setting.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
