/**
 * `examples/mirrorwatch.tuning.yml` and a user's own tuning file often sit beside the logs they tune. They are not
 * logs: this reader recognises them (a top-level section of the tuning file, `src/enrich/tuning.ts`) so that
 * `mirrorwatch scan DIR` skips them quietly instead of reporting an unknown format.
 */
import type { FileReader, FormatReader, SniffResult } from './types.js';

/** A top-level section key of the tuning file at the start of a line. */
const TUNING_SECTION = /^(?:approved_principals|approved_collectors|infrastructure_as_code|windows|exceptions)\s*:/m;

/** Recognises tuning files so they are skipped without an error. */
export const tuningFileReader: FormatReader = {
  format: 'tuning-file',
  datasets: [],
  prefilterable: true,
  sniff(head): SniffResult {
    const s = head.replace(/^\uFEFF/, '').trimStart();
    if (s.startsWith('{') || s.startsWith('[') || !TUNING_SECTION.test(head)) return { kind: 'no' };
    return { kind: 'skip', reason: 'mirrorwatch tuning file (approved principals, collectors, windows, exceptions), not a log; skipped' };
  },
  open(): FileReader {
    return { push: () => undefined, end: () => undefined, parse: () => [] };
  },
};
