/** Small helpers for the benchmarks: running a command with its wall time and peak RSS, medians, sizes. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One run of a command. */
export interface RunResult {
  wallMs: number;
  /** Peak resident set size in KiB, from GNU time (0 when it is not installed). */
  rssKb: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** True when a command is on the PATH. */
export function have(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `sh -c script` once and measures it: wall time with a monotonic clock around the process, peak RSS of the
 * whole pipeline's largest process as GNU time reports it (`%M`).
 */
export function runShell(script: string, options: { cwd?: string; maxBuffer?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const args = GNU_TIME ? ['-f', '__RSS__%M', 'sh', '-c', script] : ['-c', script];
    const started = performance.now();
    const child = spawn(GNU_TIME ?? 'sh', args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    const max = options.maxBuffer ?? 512 * 1024 * 1024;
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= max) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let stderr = Buffer.concat(err).toString('utf8');
      let rssKb = 0;
      const m = /__RSS__(\d+)\s*$/.exec(stderr);
      if (m) {
        rssKb = Number(m[1]);
        stderr = stderr.slice(0, m.index);
      }
      resolve({ wallMs, rssKb, stdout: Buffer.concat(out).toString('utf8'), stderr, code });
    });
  });
}

/** Runs a script `runs` times; returns every run (the caller takes the median). */
export async function repeat(script: string, runs: number, options: { cwd?: string } = {}): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await runShell(script, options));
  return results;
}

/** The median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** All files under a directory, sorted, with their sizes. */
export function filesUnder(dir: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push({ path: p, size: st.size });
    }
  };
  walk(dir);
  return out;
}

/** Shell-quotes a string. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `1234567` → `1.23 MB`. */
export function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}
