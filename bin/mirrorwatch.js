#!/usr/bin/env node
// Entry point for the `mirrorwatch` command: loads the compiled CLI (run `npm run build` after changing sources).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
