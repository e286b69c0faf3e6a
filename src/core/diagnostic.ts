/**
 * Diagnostics: a user's mistake (a bad rule, a malformed record, a wrong option) is a numbered diagnostic with a
 * location, collected and reported, never thrown. A bug is an exception.
 *
 * Code ranges: MW1xxx rules and the Sigma engine, MW2xxx input and readers, MW3xxx command line and options,
 * MW4xxx rule tests and content checks.
 */

/** How bad a diagnostic is: `error` makes the command exit 2; `warning` and `info` do not. */
export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** Where a diagnostic points: a file and, where known, a line and column (1-based) or a byte offset. */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  /** Byte offset in the (decompressed) stream, when lines are not meaningful. */
  offset?: number;
  /** Index of the record inside a container such as `{"Records":[…]}` (0-based). */
  record?: number;
}

/** One entry of a diagnostic catalogue: its code, default severity and what it means. */
export interface CodeInfo {
  code: string;
  severity: DiagnosticSeverity;
  summary: string;
}

/** One numbered, located message about something the user can fix. */
export interface Diagnostic extends Location {
  code: string;
  severity: DiagnosticSeverity;
  message: string;
}

/** Renders a location as `file:line:column`, `file@offset` or `file record N`, as precise as it is known. */
export function formatLocation(loc: Location): string {
  let out = loc.file ?? '<input>';
  if (loc.line !== undefined) {
    out += `:${loc.line}`;
    if (loc.column !== undefined) out += `:${loc.column}`;
  } else if (loc.offset !== undefined) {
    out += `@${loc.offset}`;
  }
  if (loc.record !== undefined) out += ` (record ${loc.record})`;
  return out;
}

/** Renders a diagnostic on one line: `MW1003 error rules/aws/x.yml:12: unknown modifier "contians"`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.code} ${d.severity} ${formatLocation(d)}: ${d.message}`;
}

/** A sink for diagnostics; collecting instead of throwing keeps one bad input from stopping the rest. */
export type Report = (d: Diagnostic) => void;

/** Collects diagnostics in order and counts errors. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  /** Adds one diagnostic. */
  readonly add: Report = (d) => {
    this.items.push(d);
  };
  /** True when any collected diagnostic is an error. */
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}
