/** Text destinations for the CLI: stdout, or a file opened for writing. */
import { createWriteStream } from 'node:fs';
import type { TextOut } from '../sinks/types.js';

/** Standard output (never closed: other output may follow). */
export function stdoutOut(): TextOut {
  return {
    write: (t) => {
      process.stdout.write(t);
    },
    // Resolves once everything written so far has left the process: a scan commits its state only after that.
    end: () => new Promise((resolve, reject) => process.stdout.write('', (err) => (err ? reject(err) : resolve()))),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
  };
}

/** A file, created or truncated; resolves `end` when the data is on disk, rejects on a write error. */
export function fileOut(path: string): TextOut {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure = err;
  });
  return {
    write: (t) => {
      if (!failure) stream.write(t);
    },
    end: () =>
      new Promise((resolve, reject) => {
        if (failure) {
          reject(failure);
          return;
        }
        stream.end(() => (failure ? reject(failure) : resolve()));
      }),
    isTTY: false,
  };
}
