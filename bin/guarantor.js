#!/usr/bin/env node
// The `guarantor` command. Sources are TypeScript, loaded through tsx's ESM hooks so the
// installed command and `npm start` run the same code with no separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
