/**
 * The read-ahead (`prefetch.ts`) is only a faster way to the same bytes: for every kind of file — gzip (one member
 * and several), plain text, truncated and corrupt gzip, other compressions, empty files, a file that changed size
 * after it was listed, stdin-like and in-memory inputs — `openBytes` with what the read-ahead fetched yields exactly
 * the bytes, counters and diagnostics of the streaming path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { Prefetcher } from '../../src/readers/prefetch.js';
import { openBytes, type InputFile, type ReadStats } from '../../src/readers/source.js';

async function drain(file: InputFile, prefetched?: Awaited<ReturnType<Prefetcher['take']>>) {
  const diagnostics: Diagnostic[] = [];
  const stats: ReadStats = { bytesIn: 0, bytesOut: 0, gzip: false };
  const chunks: Buffer[] = [];
  for await (const c of openBytes(file, (d) => diagnostics.push(d), stats, prefetched)) chunks.push(c);
  return { bytes: Buffer.concat(chunks).toString('latin1'), stats, diagnostics };
}

const MODES = { pool: 'on the thread pool', thread: 'in its own thread', inline: 'in the calling thread' } as const;
for (const [mode, where] of Object.entries(MODES) as [keyof typeof MODES, string][]) test(`read-ahead (${where}) yields the same bytes, counters and diagnostics as streaming, file by file`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-prefetch-'));
  try {
    const records = (n: number) => `{"Records":[${Array.from({ length: n }, (_, i) => `{"eventVersion":"1.10","eventID":"e${i}","eventName":"DescribeInstances"}`).join(',')}]}`;
    const big = records(20000);
    const gz = gzipSync(big);
    const files: [string, Buffer | string][] = [
      ['a-one-member.json.gz', gz],
      ['b-two-members.json.gz', Buffer.concat([gzipSync('{"Records":[{"eventVersion":"1.10","eventID":"x"}'), gzipSync(']}\n')])],
      ['c-plain.json', records(5)],
      ['d-truncated.json.gz', gz.subarray(0, Math.floor(gz.length / 2))],
      ['e-corrupt.json.gz', Buffer.concat([gz.subarray(0, 200), Buffer.alloc(64, 0x41), gz.subarray(264)])],
      ['f-zip.zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4])],
      ['g-empty.json', ''],
      ['h-gzip-of-nothing.gz', gzipSync('')],
      ['i-only-magic.gz', Buffer.from([0x1f, 0x8b])],
    ];
    const inputs: InputFile[] = files.map(([name, content]) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      const st = statSync(path);
      return { path, mtimeMs: st.mtimeMs, size: st.size };
    });
    // Listed at one size, then grown before it is read: the streaming path sees it as it is now.
    const grown = join(dir, 'j-grown.json');
    writeFileSync(grown, records(2));
    inputs.push({ path: grown, mtimeMs: 0, size: statSync(grown).size });
    writeFileSync(grown, records(3));
    inputs.push({ path: 'in-memory.json', mtimeMs: 0, text: records(1) });

    const prefetcher = new Prefetcher(inputs, mode);
    let wholeTaken = 0;
    try {
      for (let i = 0; i < inputs.length; i++) {
        const pre = await prefetcher.take(i);
        if (pre) wholeTaken++;
        const viaReadAhead = await drain(inputs[i], pre);
        const streamed = await drain(inputs[i]);
        assert.deepEqual(viaReadAhead, streamed, inputs[i].path);
      }
    } finally {
      prefetcher.close();
    }
    // The good gzip, multi-member, plain, zip (named by openBytes) and gzip-of-nothing files came whole; the broken
    // gzip files, the empty and grown files and the in-memory input were streamed.
    assert.equal(wholeTaken, 5);
    const again = new Prefetcher(inputs, mode);
    const truncated = (await drain(inputs[3], await again.take(3))).diagnostics;
    again.close();
    assert.match(truncated[0]?.message ?? '', /truncated gzip data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
