/**
 * The decompression limit: gunzips every `.gz` file under a directory with Node's zlib, one file after another in one
 * thread, counting the bytes. Prints the total. Usage: `node dist/bench/gunzip.js <dir>`.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { filesUnder } from './tools.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: gunzip.js <dir>\n');
  process.exit(2);
}
let total = 0;
for (const f of filesUnder(dir)) {
  if (!f.path.endsWith('.gz')) continue;
  for await (const chunk of createReadStream(f.path, { highWaterMark: 1 << 20 }).pipe(createGunzip())) total += (chunk as Buffer).length;
}
process.stdout.write(`${total}\n`);
