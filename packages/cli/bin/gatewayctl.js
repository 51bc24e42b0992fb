#!/usr/bin/env node
// The file npm links as `gatewayctl`. It is committed (dist/ is not), so `npm install` can link it on a fresh clone;
// the CLI itself is dist/main.js, built by `npm run build`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'gatewayctl is not built yet: run "npm run build" from the repository root, then try again\n',
  );
  process.exit(1);
}
await import(main.href);
