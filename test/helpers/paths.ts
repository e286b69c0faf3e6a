/** Paths for tests: compiled tests run from `dist/`, fixtures stay in the source tree, so resolve from the root. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const up = dirname(dir);
    // Compiled somewhere outside the tree (a private --outDir): fall back to the working directory.
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The repository root (the directory holding package.json, never `dist/`). */
export const repoRoot = process.env.MIRRORWATCH_ROOT ?? findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

/**
 * The reference samples: public CloudTrail, Azure, GCP and device records (see SOURCES.md there), copied from
 * `../shared/reference/samples` into the repository so that tests run on any checkout.
 */
export const samplesDir = join(repoRoot, 'test', 'fixtures', 'reference-samples');

/** True when the samples are present (always, in a complete checkout). */
export const haveSamples = existsSync(samplesDir);
