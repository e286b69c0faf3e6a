/**
 * Sources: where bytes come from. Expands the paths a user names (directories walked recursively, `-` for stdin)
 * into input files, and opens each as a stream of decoded text: gzip is detected by its magic bytes (not by the
 * file name) and decompressed while streaming, other compressions and binary content are reported, and invalid
 * UTF-8 is reported with its byte offset and replaced, so that the rest of the file is still read.
 */
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAscii, isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import type { Diagnostic, Report } from '../core/diagnostic.js';
import { INPUT } from './input-diagnostic-codes.js';
import type { Prefetched } from './prefetch.js';

/** One input to read. */
export interface InputFile {
  /** The path as shown to the user (relative if the user gave a relative path), or `-` for stdin. */
  path: string;
  /** Modification time in epoch ms (now for stdin): the reference for RFC 3164 year inference. */
  mtimeMs: number;
  /** Size on disk in bytes (undefined for stdin). */
  size?: number;
  /** In-memory content (rule examples, tests): read instead of the path. */
  text?: string;
  /**
   * A stretch of the file, not the whole of it: its bytes from `range.start` up to `range.end`, cut at line ends and
   * read with one reader (`range.format`) without sniffing. A large uncompressed file is scanned this way in pieces,
   * side by side (`detect/parallel.ts`).
   */
  range?: FileRange;
  /** The stretch's bytes, already read (handed over by the thread that cut the file into stretches). */
  bytes?: Uint8Array;
}

/** Where a stretch of a file lies (see `InputFile.range`). */
export interface FileRange {
  /** Byte offsets in the file: the stretch is [start, end). */
  start: number;
  end: number;
  /** The file's line number of the stretch's first line (1-based). */
  firstLine: number;
  /** The reader that read the file's head (`FormatReader.format`). */
  format: string;
}

/** True for a stretch of a file that does not start at its first byte. */
export function continuesFile(file: InputFile): boolean {
  return file.range !== undefined && file.range.start > 0;
}

/**
 * Expands user-named paths into files, in a stable order (directory entries sorted by name), each file once even
 * when reached twice through symbolic links (the first place in that order wins). Missing and unreadable paths are
 * reported and skipped. A directory's entries are looked at concurrently (a CloudTrail archive is thousands of files
 * in a deep tree: one `stat` after another took 120 ms for 538 files); the result and the reports keep the order.
 */
export async function expandInputs(paths: readonly string[], report: Report): Promise<InputFile[]> {
  type Found = { file: InputFile; key: string } | { report: Diagnostic };
  /** Everything under `path`, in order. `ancestors`: real paths of the directories above (a link back is a loop). */
  const visit = async (path: string, named: boolean, ancestors: readonly string[], known?: { real: string }): Promise<Found[]> => {
    let st: Stats;
    try {
      st = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !named) {
        // A dangling symbolic link inside a directory: say so, as a warning.
        return [{ report: { ...diag(INPUT.notFound, `broken link or vanished file: ${path}`, path), severity: 'warning' } }];
      }
      return [{ report: diag(code === 'ENOENT' ? INPUT.notFound : INPUT.unreadable, describeFsError(err, path), path) }];
    }
    let real = known?.real;
    if (real === undefined) {
      try {
        real = await realpath(path);
      } catch {
        real = path;
      }
    }
    if (st.isDirectory()) {
      if (ancestors.includes(real)) return []; // a link back up the tree
      let entries: Dirent[];
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch (err) {
        return [{ report: diag(INPUT.unreadable, describeFsError(err, path), path) }];
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const below = [...ancestors, real];
      const out: Found[] = [];
      // Hidden files and .git are never logs a user meant to scan.
      const visible = entries.filter((e) => !e.name.startsWith('.'));
      for (let k = 0; k < visible.length; k += DIR_BATCH) {
        const batch = visible.slice(k, k + DIR_BATCH).map((e) =>
          // A plain entry's real path is its directory's real path and its name: no call needed.
          visit(join(path, e.name), false, below, e.isSymbolicLink() ? undefined : { real: join(real as string, e.name) }),
        );
        for (const found of await Promise.all(batch)) out.push(...found);
      }
      return out;
    }
    if (!st.isFile()) return [{ report: diag(INPUT.notAFile, `not a regular file: ${path}`, path) }];
    return [{ file: { path, mtimeMs: st.mtimeMs, size: st.size }, key: real }];
  };
  const out: InputFile[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (p === '-') {
      out.push({ path: '-', mtimeMs: Date.now() });
      continue;
    }
    for (const f of await visit(p, true, [])) {
      if ('report' in f) report(f.report);
      else if (!seen.has(f.key)) {
        seen.add(f.key);
        out.push(f.file);
      }
    }
  }
  return out;
}

/** How many entries of one directory are looked at at once. */
const DIR_BATCH = 64;

function diag(info: { code: string; severity: 'error' | 'warning' | 'info' }, message: string, file: string) {
  return { code: info.code, severity: info.severity, message, file };
}

function describeFsError(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return `no such file or directory: ${path}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${path}`;
    case 'EISDIR':
      return `is a directory: ${path}`;
    default:
      return `cannot read ${path}: ${e.message}`;
  }
}

/** Compressions recognised by magic bytes; only gzip is decompressed, the rest are named in a clear error. */
const MAGIC: { name: string; bytes: number[] }[] = [
  { name: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'bzip2', bytes: [0x42, 0x5a, 0x68] },
  { name: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: '7z', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'Parquet', bytes: [0x50, 0x41, 0x52, 0x31] },
];

function startsWith(buf: Buffer, bytes: number[]): boolean {
  if (buf.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[i] !== bytes[i]) return false;
  return true;
}

/** Counters a text stream keeps while it is read (for the summary and the progress line). */
export interface ReadStats {
  /** Bytes read from disk or stdin. */
  bytesIn: number;
  /** Bytes after decompression. */
  bytesOut: number;
  gzip: boolean;
}

/**
 * Opens an input as decoded text chunks. Problems are reported (with the file and byte offset) and end the stream
 * early where reading cannot continue (a truncated gzip member), after everything decoded so far was yielded.
 */
export async function* openText(file: InputFile, report: Report, stats: ReadStats): AsyncGenerator<string> {
  yield* decodeText(openBytes(file, report, stats), file, report);
}

/**
 * Opens an input as decompressed bytes: gzip is recognised by its magic bytes and inflated while streaming; other
 * compressions are named in an error. `stats.bytesOut` counts the bytes yielded. `prefetched` is the file already
 * read (and decompressed) whole by the read-ahead (`prefetch.ts`).
 */
export async function* openBytes(file: InputFile, report: Report, stats: ReadStats, prefetched?: Prefetched): AsyncGenerator<Buffer> {
  // A stretch of an uncompressed file, handed over already read, is a whole buffer too.
  const whole = file.bytes !== undefined ? { bytes: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength), bytesIn: file.bytes.byteLength, gzip: false } : prefetched;
  if (whole) {
    stats.bytesIn += whole.bytesIn;
    stats.gzip = whole.gzip;
    const buf = whole.bytes;
    // (Magic numbers mean nothing in the middle of a file.)
    if (!whole.gzip && file.bytes === undefined) {
      const other = MAGIC.find((m) => startsWith(buf, m.bytes));
      if (other) {
        report(unsupportedCompression(other.name, file.path));
        return;
      }
    }
    stats.bytesOut += buf.length;
    if (buf.length > 0) yield buf;
    return;
  }
  if (file.text !== undefined) {
    const buf = Buffer.from(file.text, 'utf8');
    stats.bytesIn += buf.length;
    stats.bytesOut += buf.length;
    if (buf.length === 0) report(diag(INPUT.empty, `empty input: ${file.path}`, file.path));
    else yield buf;
    return;
  }
  let raw: AsyncIterator<Buffer>;
  let stop: () => void;
  if (file.path === '-') {
    raw = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    stop = () => undefined;
  } else {
    const chunks = readAhead(file.path);
    raw = chunks;
    stop = () => void chunks.return(undefined).catch(() => undefined);
  }
  let first: IteratorResult<Buffer>;
  try {
    first = await nextNonEmpty(raw);
  } catch (err) {
    report(diag(INPUT.unreadable, describeFsError(err, file.path), file.path));
    return;
  }
  if (first.done) {
    report(diag(INPUT.empty, `empty file: ${file.path}`, file.path));
    return;
  }
  const head = first.value;
  stats.bytesIn += head.length;
  try {
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      stats.gzip = true;
      yield* gunzipChunks(head, raw, stop, file, report, stats);
      return;
    }
    for (const m of MAGIC) {
      if (startsWith(head, m.bytes)) {
        report(unsupportedCompression(m.name, file.path));
        return;
      }
    }
    stats.bytesOut += head.length;
    yield head;
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await raw.next();
      } catch (err) {
        report(diag(INPUT.unreadable, describeFsError(err, file.path), file.path));
        return;
      }
      if (r.done) return;
      stats.bytesIn += r.value.length;
      stats.bytesOut += r.value.length;
      yield r.value;
    }
  } finally {
    // Stop reading when the consumer stops early (a skipped file, an unknown format).
    stop();
  }
}

function unsupportedCompression(name: string, path: string) {
  return diag(INPUT.unsupportedCompression, `${name} content is not supported; extract it first (mirrorwatch reads plain and gzip-compressed text and pcap/pcapng captures): ${path}`, path);
}

/** Bytes per read of a file read as a stream, and how many reads are kept in flight ahead of the reader. */
const READ_CHUNK_BYTES = 1 << 20;
const READS_AHEAD = 2;

/**
 * A file's bytes in chunks, with the next reads already issued while the caller works on the current chunk. (A
 * `fs.ReadStream` issues its next read from `process.nextTick`, which waits until the caller's promise chain lets go:
 * on a 560 MB NDJSON file that left the scanning thread idle for 0.19 s, waiting for reads it could have overlapped.)
 * A short read is the end of the file.
 */
async function* readAhead(path: string): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  const inFlight: Promise<Buffer>[] = [];
  try {
    let position = 0;
    const issue = () => {
      const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      inFlight.push(fh.read(buf, 0, READ_CHUNK_BYTES, position).then((r) => buf.subarray(0, r.bytesRead)));
      position += READ_CHUNK_BYTES;
    };
    for (let k = 0; k < READS_AHEAD; k++) issue();
    for (;;) {
      const chunk = await (inFlight.shift() as Promise<Buffer>);
      if (chunk.length === 0) return;
      const last = chunk.length < READ_CHUNK_BYTES;
      if (!last) issue();
      yield chunk;
      if (last) return;
    }
  } finally {
    // Reads still in flight when the caller stops early: their results, or errors, are no longer wanted.
    for (const p of inFlight) p.catch(() => undefined);
    await fh.close();
  }
}

async function nextNonEmpty(it: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> {
  for (;;) {
    const r = await it.next();
    if (r.done || r.value.length > 0) return r;
  }
}


/**
 * Decompresses a gzip stream (concatenated members included, as `zcat` does). A truncated or corrupt stream is
 * reported with the compressed offset reached; everything decompressed before the fault is still yielded.
 */
async function* gunzipChunks(
  head: Buffer,
  rest: AsyncIterator<Buffer>,
  stopSource: () => void,
  file: InputFile,
  report: Report,
  stats: ReadStats,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  let failed: Error | undefined;
  gunzip.on('error', (err) => {
    failed = err;
  });
  // Feed compressed bytes in the background, respecting back-pressure.
  const feed = (async () => {
    try {
      if (!gunzip.write(head)) await onceDrain(gunzip);
      for (;;) {
        const r = await rest.next();
        if (r.done) break;
        stats.bytesIn += r.value.length;
        if (failed) break;
        if (!gunzip.write(r.value)) await onceDrain(gunzip);
      }
    } catch (err) {
      failed ??= err as Error;
    } finally {
      gunzip.end();
    }
  })();
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      stats.bytesOut += chunk.length;
      yield chunk;
    }
  } catch (err) {
    failed ??= err as Error;
  }
  await feed.catch(() => undefined);
  if (failed) {
    stopSource();
    const what = /unexpected end/i.test(failed.message) ? 'truncated gzip data' : `corrupt gzip data (${failed.message})`;
    report({
      code: INPUT.truncatedGzip.code,
      severity: 'error',
      message: `${what} after ${stats.bytesOut} decompressed bytes; records before the fault were read`,
      file: file.path,
      offset: stats.bytesIn,
    });
  }
}

function onceDrain(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = () => {
      cleanup();
      resolve();
    };
    const bad = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      stream.off('drain', ok);
      stream.off('error', bad);
      stream.off('close', ok);
    };
    stream.once('drain', ok);
    stream.once('error', bad);
    stream.once('close', ok);
  });
}

/** Bytes at the end of `buf` that start an incomplete UTF-8 sequence (0–3), to carry into the next chunk. */
function incompleteTail(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** The offset of the first byte that breaks UTF-8 in `buf` (a slow scan, run only when `isUtf8` said no). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let need: number;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b < 0xe0) need = 1;
    else if (b >= 0xe0 && b < 0xf0) need = 2;
    else if (b >= 0xf0 && b < 0xf5) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length || (buf[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return buf.length;
}

/** Size of the decoded text pieces: small enough that V8 decodes and scans them in cache (~3× faster than 1 MiB). */
export const TEXT_PIECE_BYTES = 64 * 1024;

/**
 * What the decoder knows about the piece of text it just yielded, read by the consumer before it asks for the next
 * one. `plain` is true when the piece is all ASCII and holds no `\u` escape (also none that starts at the end of the
 * previous piece): the prefilter can then trust a case-insensitive ASCII search (see `detect/prefilter.ts`).
 */
export interface PieceInfo {
  plain: boolean;
  /** Running count of pieces yielded. */
  index: number;
}

/**
 * Decodes UTF-8 (a leading byte-order mark is dropped) into pieces of at most `TEXT_PIECE_BYTES`, cut at character
 * boundaries. Binary content (NUL bytes in the first chunk) is reported and not decoded. Invalid bytes are reported
 * once per file, with the first offset and a count, and replaced with U+FFFD.
 */
export async function* decodeText(
  chunks: AsyncIterator<Buffer>,
  file: InputFile,
  report: Report,
  info: PieceInfo = { plain: false, index: 0 },
  /** Every byte is known to be ASCII (the read-ahead thread checked the whole file): pieces are not checked again. */
  allAscii = false,
): AsyncGenerator<string> {
  let offset = 0;
  let carry: Buffer | undefined;
  let firstChunk = true;
  let invalidAt = -1;
  let invalidChunks = 0;
  let prevEndsWithBackslash = false;
  for (;;) {
    let r: IteratorResult<Buffer>;
    try {
      r = await chunks.next();
    } catch (err) {
      report(diag(INPUT.unreadable, describeFsError(err, file.path), file.path));
      break;
    }
    if (r.done) break;
    let buf = r.value;
    // A stretch in the middle of a file: the file's start (binary content, byte order mark) is the first stretch's.
    if (firstChunk && !continuesFile(file)) {
      firstChunk = false;
      if (looksBinary(buf)) {
        await chunks.return?.(undefined);
        report(diag(INPUT.binary, `binary content, not a log format mirrorwatch reads: ${file.path}`, file.path));
        return;
      }
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf = buf.subarray(3);
        offset = 3;
      }
    }
    if (carry) {
      buf = Buffer.concat([carry, buf]);
      carry = undefined;
    }
    const tail = incompleteTail(buf);
    const whole = tail ? buf.subarray(0, buf.length - tail) : buf;
    if (tail) carry = Buffer.from(buf.subarray(buf.length - tail));
    let start = 0;
    while (start < whole.length) {
      let end = Math.min(whole.length, start + TEXT_PIECE_BYTES);
      if (end < whole.length) {
        // Never cut a multi-byte character: back up over continuation bytes to a lead byte.
        while (end > start && (whole[end] & 0xc0) === 0x80) end--;
        if (end === start) end = Math.min(whole.length, start + TEXT_PIECE_BYTES);
      }
      const piece = whole.subarray(start, end);
      const ascii = allAscii || isAscii(piece);
      if (!ascii && !isUtf8(piece)) {
        if (invalidAt < 0) invalidAt = offset + firstInvalidUtf8(piece);
        invalidChunks++;
      }
      info.plain = ascii && piece.indexOf(BACKSLASH_U) === -1 && !(prevEndsWithBackslash && piece[0] === 0x75);
      prevEndsWithBackslash = piece.length > 0 && piece[piece.length - 1] === 0x5c;
      info.index++;
      offset += piece.length;
      start = end;
      // ASCII reads the same as Latin-1, whose decoder is a plain copy (a third faster than UTF-8's on 64 KiB pieces).
      const text = ascii ? piece.toString('latin1') : piece.toString('utf8');
      if (text.length > 0) yield text;
    }
  }
  if (carry) {
    // The input ended inside a multi-byte character.
    if (invalidAt < 0) invalidAt = offset;
    invalidChunks++;
    info.plain = false;
    info.index++;
    yield carry.toString('utf8');
  }
  if (invalidAt >= 0) {
    report({
      code: INPUT.invalidUtf8.code,
      severity: INPUT.invalidUtf8.severity,
      message: `invalid UTF-8 at byte offset ${invalidAt}${invalidChunks > 1 ? ` (and in ${invalidChunks - 1} more place(s))` : ''}; invalid bytes were replaced with U+FFFD and the records were still read`,
      file: file.path,
      offset: invalidAt,
    });
  }
}

const BACKSLASH_U = Buffer.from('\\u');

/** Text logs never hold NUL bytes; UTF-16 logs would, but no supported source writes them. */
export function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return n > 0 && control / n > 0.1;
}
