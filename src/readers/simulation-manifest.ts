/**
 * `mirrorwatch simulate` writes `manifest.json` beside the telemetry it generates (the scenario, its records and the
 * alerts to expect). It is not a log: this reader recognises it so that `mirrorwatch scan DIR` on a simulation's
 * output skips it quietly instead of reporting an unknown format.
 */
import type { FileReader, FormatReader, SniffResult } from './types.js';

/** A manifest starts with its format marker (`src/simulate/manifest.ts` writes it first). */
const MANIFEST_HEAD = /^\uFEFF?\s*\{\s*"mirrorwatch_manifest"\s*:\s*\d+/;

/** Recognises simulation manifests so they are skipped without an error. */
export const simulationManifestReader: FormatReader = {
  format: 'simulation-manifest',
  datasets: [],
  prefilterable: true,
  sniff(head): SniffResult {
    if (!MANIFEST_HEAD.test(head)) return { kind: 'no' };
    return { kind: 'skip', reason: 'mirrorwatch simulation manifest (the scenario and the alerts to expect), not a log; skipped' };
  },
  open(): FileReader {
    return { push: () => undefined, end: () => undefined, parse: () => [] };
  },
};
