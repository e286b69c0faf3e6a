#!/usr/bin/env node
// Entry point for the `mirrorwatch` command: loads the compiled CLI, bundled into one file by `npm run build`
// (esbuild), which Node loads in about half the time of the 200-odd modules it is made of.
import { main } from '../dist/src/cli/main.bundle.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
