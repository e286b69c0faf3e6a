/**
 * Read-ahead across files: while the scan parses one file, the next ones are read and decompressed whole, in a
 * thread of their own when there are many files (`prefetch-worker.ts`), else on libuv's thread pool, so decompression
 * (one core) and parsing (this thread) overlap instead of taking turns.
 *
 * Only files small enough to hold in memory take this path (CloudTrail writes a file per account, region and five
 * minutes: kilobytes to a few megabytes); anything larger, stdin, and every file whose whole-buffer read fails for any
 * reason (a truncated or corrupt gzip member, a compression we do not read, an I/O error) goes through the streaming
 * path of `openBytes`, which reports the problem with its byte offset and still yields what could be decoded. So the
 * read-ahead never decides what is reported: it is only a faster way to the same bytes.
 *
 * Why whole buffers: a zlib stream returns to the JavaScript thread after every output chunk (16 KiB by default), so a
 * busy parser starves its own decompressor. One `zlib.gunzip` call with an output chunk as large as the file's
 * recorded size (the gzip trailer's ISIZE field, RFC 1952 §2.3.1) is one job on the thread pool and runs without
 * waiting for this thread: measured on the bench archive, 0.98 s against 2.0 s for the same files streamed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { gunzip, gunzipSync } from 'node:zlib';
import type { InputFile } from './source.js';

/** A file read and decompressed ahead of time. */
export interface Prefetched {
  /** The decompressed bytes. */
  bytes: Buffer;
  /** Bytes read from disk. */
  bytesIn: number;
  gzip: boolean;
  /** True when the read-ahead thread found every byte ASCII (the scanning thread then need not check). */
  ascii?: boolean;
}

/** Files up to this size on disk are read whole. */
export const WHOLE_FILE_MAX_BYTES = 16 * 1024 * 1024;
/** A whole-buffer gunzip that would produce more than this gives up and leaves the file to the streaming path. */
const WHOLE_OUTPUT_MAX_BYTES = 64 * 1024 * 1024;
/** Read-ahead budget: at most this many files, and this many decompressed bytes, waiting ahead of the parser. */
const AHEAD_FILES = 2;
const AHEAD_BYTES = 32 * 1024 * 1024;

/** zlib options for inflating `buf` whole: one output chunk of the size its trailer records, and a ceiling. */
export function gunzipOptions(buf: Buffer): { chunkSize: number; maxOutputLength: number } {
  // ISIZE: the uncompressed size modulo 2^32 of the last member; a hint for the output chunk, not trusted further.
  const isize = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
  return { chunkSize: Math.min(Math.max(isize + 1024, 64 * 1024), 64 * 1024 * 1024), maxOutputLength: WHOLE_OUTPUT_MAX_BYTES };
}

/** A gzip member starts with these two bytes (RFC 1952 §2.3.1). */
function isGzip(buf: Buffer): boolean {
  return buf[0] === 0x1f && buf[1] === 0x8b;
}

function gunzipWhole(buf: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(buf, gunzipOptions(buf), (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** A request to the read-ahead thread (`prefetch-worker.ts`). */
export interface PrefetchRequest {
  index: number;
  path: string;
  size: number;
}

/** Its answer: the bytes, or nothing (the streaming path takes the file). */
export interface PrefetchReply {
  index: number;
  /** Holds the content in its first `length` bytes. */
  bytes?: ArrayBuffer;
  length?: number;
  bytesIn?: number;
  gzip?: boolean;
  ascii?: boolean;
}

/**
 * Reading and inflating in a thread of their own, for scans of many files: the main thread then only receives
 * finished buffers (measured on the bench archive: the thread-pool path still cost the parsing thread about 0.4 s in
 * file-handle and zlib bookkeeping, this one costs it nothing). One request is answered at a time, in order.
 */
class FetchThread {
  private readonly worker = new Worker(new URL('../readers/prefetch-worker.js', import.meta.url));
  private readonly waiting = new Map<number, (r: Prefetched | undefined) => void>();

  constructor() {
    this.worker.on('message', (m: PrefetchReply) => {
      const done = this.waiting.get(m.index);
      this.waiting.delete(m.index);
      done?.(m.bytes === undefined ? undefined : { bytes: Buffer.from(m.bytes, 0, m.length), bytesIn: m.bytesIn as number, gzip: m.gzip as boolean, ascii: m.ascii === true });
      if (this.waiting.size === 0) this.worker.unref();
    });
    // A thread that cannot start or dies leaves every file to the streaming path.
    this.worker.on('error', () => this.failAll());
    this.worker.on('exit', () => this.failAll());
    this.worker.unref();
  }

  private failAll(): void {
    for (const done of this.waiting.values()) done(undefined);
    this.waiting.clear();
  }

  fetch(index: number, file: InputFile): Promise<Prefetched | undefined> {
    return new Promise((resolve) => {
      this.waiting.set(index, resolve);
      this.worker.ref(); // an answer is awaited: keep the process alive for it
      this.worker.postMessage({ index, path: file.path, size: file.size as number } satisfies PrefetchRequest);
    });
  }

  close(): void {
    void this.worker.terminate();
  }
}

/** From this many files to read ahead, a thread of its own does the reading (below, starting it costs more). */
const THREAD_MIN_FILES = 8;

/** Reads a file expected to hold `size` bytes; undefined when it holds more or fewer now (it changed since listed). */
async function readWhole(path: string, size: number): Promise<Buffer | undefined> {
  const fh = await open(path, 'r');
  try {
    // One byte more than expected, to notice a file that grew.
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === size ? buf.subarray(0, size) : undefined;
  } finally {
    await fh.close();
  }
}

/** The file's bytes if it still holds exactly `size` of them (the synchronous twin of `readWhole`). */
export function readWholeSync(path: string, size: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(size + 1); // one byte more, to notice a file that grew
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === size ? buf.subarray(0, size) : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and decompresses one file whole in the calling thread, or says (undefined) that the streaming path must take
 * it. Used by the read-ahead thread, and by scan workers, which each keep a core busy on their own files.
 */
export function fetchWholeSync(path: string, size: number): Prefetched | undefined {
  try {
    const raw = readWholeSync(path, size);
    if (raw === undefined) return undefined;
    const gzip = isGzip(raw);
    return { bytes: gzip ? gunzipSync(raw, gunzipOptions(raw)) : raw, bytesIn: raw.length, gzip };
  } catch {
    return undefined; // the streaming path will read it and say what is wrong
  }
}

/** Reads and decompresses one file whole, or says (undefined) that the streaming path must take it. */
async function fetchWhole(file: InputFile): Promise<Prefetched | undefined> {
  try {
    const raw = await readWhole(file.path, file.size as number);
    // A file that grew or shrank since it was listed: the streaming path sees it as it is now.
    if (raw === undefined) return undefined;
    const gzip = isGzip(raw);
    return { bytes: gzip ? await gunzipWhole(raw) : raw, bytesIn: raw.length, gzip };
  } catch {
    return undefined;
  }
}

/** Whether a file can be read ahead whole. */
function eligible(file: InputFile): boolean {
  return file.text === undefined && file.bytes === undefined && file.path !== '-' && file.size !== undefined && file.size > 0 && file.size <= WHOLE_FILE_MAX_BYTES;
}

/** How files are read whole (see `Prefetcher`). */
export type ReadAheadMode = 'thread' | 'pool' | 'inline';

/**
 * Reads ahead over a list of inputs, taken in order with `take(i)`. A file not eligible, or past the budget when it
 * is its turn, resolves to undefined: the caller streams it.
 */
export class Prefetcher {
  private readonly pending = new Map<number, Promise<Prefetched | undefined>>();
  private next = 0;
  private aheadBytes = 0;
  private readonly thread: FetchThread | undefined;

  private readonly inline: boolean;

  /**
   * `mode`: `thread` reads in a thread of its own, `pool` on libuv's thread pool, `inline` in the calling thread when
   * a file is taken (no reading ahead: for scan workers, whose parallelism is across files). Default: `thread` when
   * there are at least 8 files to read ahead, else `pool`.
   */
  constructor(
    private readonly inputs: readonly InputFile[],
    mode?: ReadAheadMode,
  ) {
    const m = mode ?? (inputs.filter(eligible).length >= THREAD_MIN_FILES ? 'thread' : 'pool');
    this.thread = m === 'thread' ? new FetchThread() : undefined;
    this.inline = m === 'inline';
  }

  /** Stops the read-ahead thread, if any (the scan is over). */
  close(): void {
    this.thread?.close();
  }

  /** The prefetched content of input `index` (inputs must be taken in increasing order). */
  async take(index: number): Promise<Prefetched | undefined> {
    if (this.inline) {
      const file = this.inputs[index];
      return eligible(file) ? fetchWholeSync(file.path, file.size as number) : undefined;
    }
    this.fill(index);
    const p = this.pending.get(index);
    this.pending.delete(index);
    this.fill(index + 1);
    if (!p) return undefined;
    const r = await p;
    if (r) this.aheadBytes -= r.bytes.length;
    // Refill now that the budget has room again.
    this.fill(index + 1);
    return r;
  }

  /** Starts reads for the inputs after `from`, within the budget. */
  private fill(from: number): void {
    if (this.next < from) this.next = from;
    while (this.next < this.inputs.length && this.pending.size < AHEAD_FILES && this.aheadBytes < AHEAD_BYTES) {
      const i = this.next++;
      const file = this.inputs[i];
      if (!eligible(file)) continue;
      this.pending.set(
        i,
        (this.thread ? this.thread.fetch(i, file) : fetchWhole(file)).then((r) => {
          if (r) this.aheadBytes += r.bytes.length;
          return r;
        }),
      );
    }
  }
}
