/** `mirrorwatch scan PATH…`: find traffic-mirroring abuse in logs on disk or stdin. */
import { Option, type Command } from 'commander';
import { isIP } from 'node:net';
import { styleText } from 'node:util';
import type { AlertDocument, Level } from '../core/alert.js';
import { LEVELS, levelRank } from '../core/alert.js';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { compareAlerts } from '../detect/alerts.js';
import { alertId, runAlertPipeline, suppressionRecords } from '../detect/alert-pipeline.js';
import type { ActiveRule } from '../detect/active-rule.js';
import { loadCorrelations } from '../detect/correlate.js';
import type { FieldAliases } from '../detect/target.js';
import { loadTuningFile, type Tuning } from '../enrich/tuning.js';
import { openStateStore } from '../store/open.js';
import type { StateStore } from '../store/types.js';
import { loadAliases, loadRuleFilesOnce, loadRuleSet } from '../detect/rule-set.js';
import type { ScanOptions, ScanStats } from '../detect/scan.js';
import { defaultJobs, scanParallel, type WorkerSetup } from '../detect/parallel.js';
import { ALL_READERS } from '../readers/registry.js';
import { ApprovedCollectors, correlateControlPlane, createNetworkAnalytics, loadCollectors, type CollectorEntry } from '../analytics/index.js';
import { expandInputs } from '../readers/source.js';
import { createJsonSink } from '../sinks/json.js';
import { createNdjsonSink } from '../sinks/ndjson.js';
import { createTableSink } from '../sinks/table.js';
import type { Sink, TextOut } from '../sinks/types.js';
import { CLI } from './cli-diagnostic-codes.js';
import { parseDuration, parseFormat, parseJobs, parseLevel, parseSize, parseTimeZone, parseYear, type Format } from './options.js';
import { collect, ruleDirs, value, type SetCode } from './command-helpers.js';
import { fileOut, stdoutOut } from './text-out.js';
import { MAPPINGS_DIR } from './paths.js';

/** Options of `scan`, validated. */
export interface ScanCommandOptions {
  paths: string[];
  rules: string[];
  format?: Format;
  output?: string;
  minLevel: Level;
  timeZone: string;
  year?: number;
  prefilter: boolean;
  maxRecordChars: number;
  ignoreUnknown: boolean;
  colour?: boolean;
  quiet: boolean;
  progress: boolean;
  exitZero: boolean;
  /** Worker threads across files (1: scan in this thread). */
  jobs: number;
  /** File listing approved mirror collectors (network analytics). */
  collectors?: string;
  /** `--allowed-lateness`: how late a match may arrive and still be correlated (ms). */
  allowedLatenessMs?: number;
  /** `--tuning FILE`: approved principals, collectors, windows and exceptions. */
  tuning?: string;
  /** Also write alerts a tuning exception suppressed (marked with `mirrorwatch.suppressed_by`). */
  showSuppressed: boolean;
  /** `--state PATH` (default: the user's data directory), or `--no-state`. */
  state?: string;
  noState: boolean;
  /** Also write alerts an earlier scan already reported. */
  includeReported: boolean;
}

/** Writes diagnostics to stderr as they happen, clearing the progress line first. */
class Console {
  private progressShown = false;
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly colour: boolean) {}

  report = (d: Diagnostic): void => {
    this.diagnostics.push(d);
    this.clearProgress();
    const text = formatDiagnostic(d);
    const style = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'gray';
    process.stderr.write(`${this.colour ? styleText(style, text) : text}\n`);
  };

  progress(text: string): void {
    process.stderr.write(`\r\x1b[2K${text}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (this.progressShown) {
      process.stderr.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

/** Runs `scan` and returns the exit code: 0 no alerts, 1 alerts, 2 usage or input errors (alerts still written). */
export async function runScan(opts: ScanCommandOptions): Promise<number> {
  const stderrColour = opts.colour ?? (Boolean(process.stderr.isTTY) && !process.env.NO_COLOR);
  const con = new Console(stderrColour);
  const rules = await loadRuleSet(opts.rules, con.report);
  if (rules.length === 0) {
    con.report({ code: CLI.rules.code, severity: 'error', message: `no usable rules in ${opts.rules.join(', ')}` });
    return 2;
  }
  const aliases = await loadAliases(MAPPINGS_DIR, con.report);
  const correlations = await loadCorrelations(opts.rules);
  const now = new Date();
  let tuning: Tuning | undefined;
  if (opts.tuning !== undefined) {
    tuning = await loadTuningFile(opts.tuning, { report: con.report, now, knownRuleIds: new Set(rules.map((r) => r.id)) });
    if (con.diagnostics.some((d) => d.severity === 'error' && d.file === opts.tuning)) return 2;
  }
  const store = openStateStore({ path: opts.state, disabled: opts.noState, report: con.report });
  if (!store) return 2;
  try {
    return await scanWithStore(opts, con, { rules, aliases, correlations, tuning, store, now });
  } finally {
    store.close();
  }
}

/**
 * The tuning file's approved collectors that are addresses or CIDR blocks, for the network analytics (which see
 * packets and flows, so only addresses): one list of approved destinations for control-plane and data-plane alerts.
 * Expired entries are left out, as everywhere else.
 */
function addressCollectors(tuning: Tuning): CollectorEntry[] {
  const out: CollectorEntry[] = [];
  for (const entry of tuning.collectors) {
    if (entry.expired) continue;
    for (const p of entry.collectors) {
      const [addr, bits] = p.text.split('/');
      const family = isIP(addr);
      const max = family === 6 ? 128 : 32;
      if (family === 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) continue;
      out.push({ cidr: p.text, name: entry.id, where: entry.location });
    }
  }
  return out;
}

/** The part of a scan that runs with the state store open. */
async function scanWithStore(
  opts: ScanCommandOptions,
  con: Console,
  ctx: { rules: ActiveRule[]; aliases: FieldAliases; correlations: Awaited<ReturnType<typeof loadCorrelations>>; tuning?: Tuning; store: StateStore; now: Date },
): Promise<number> {
  const { rules, aliases, store, now } = ctx;
  const inputs = await expandInputs(opts.paths, con.report);
  const listed = opts.collectors ? await loadCollectors(opts.collectors, con.report) : ApprovedCollectors.none();
  const collectors = new ApprovedCollectors([...listed.entries, ...(ctx.tuning ? addressCollectors(ctx.tuning) : [])]);
  const showProgress = opts.progress && Boolean(process.stderr.isTTY);
  const started = Date.now();
  const readerOptions = { timeZone: opts.timeZone, year: opts.year, maxRecordChars: opts.maxRecordChars };
  const scanOptions: ScanOptions = {
    rules,
    readers: ALL_READERS,
    // The state store backs the new-destination baseline, so a destination seen in an earlier scan is not new.
    analytics: createNetworkAnalytics({ collectors, baseline: opts.noState ? undefined : store }),
    readerOptions,
    prefilter: opts.prefilter,
    aliases,
    unknownFormatIsError: !opts.ignoreUnknown,
    report: con.report,
    onProgress: showProgress
      ? (s) => {
          if (Date.now() - started > 1000) {
            con.progress(`scanning: ${n(s.filesRead)}/${n(s.files)} files, ${mb(s.bytesOut)}, ${n(s.records)} records, ${n(s.matches)} matches`);
          }
        }
      : undefined,
  };
  const workerSetup: WorkerSetup = {
    // Parsed once here (a cached promise): workers compile them without reading YAML again.
    rules: await loadRuleFilesOnce(opts.rules).then(({ rules, filters }) => ({ rules, filters })),
    aliases,
    readerOptions,
    prefilter: opts.prefilter,
    unknownFormatIsError: !opts.ignoreUnknown,
    analyticDatasets: [...new Set((scanOptions.analytics ?? []).flatMap((a) => a.datasets))],
  };
  const { matches, findings, stats, context } = await scanParallel(inputs, scanOptions, workerSetup, opts.jobs);
  con.clearProgress();
  const stateful = !opts.noState;
  const result = runAlertPipeline({
    matches,
    findings,
    context,
    rules,
    aliases,
    correlations: ctx.correlations,
    store,
    stateful,
    tuning: ctx.tuning,
    allowedLatenessMs: opts.allowedLatenessMs,
    now,
    report: con.report,
    // A mirroring change followed by traffic to its destination raises both alerts (ATT&CK AN1131/AN1132).
    beforeEnrich: correlateControlPlane,
  });
  const candidates = opts.includeReported ? [...result.alerts, ...result.alreadyReported].sort(compareAlerts) : result.alerts;
  const all = candidates;
  const shown = candidates.filter((a) => levelRank(a.mirrorwatch.severity) >= levelRank(opts.minLevel));
  const written = opts.showSuppressed ? [...shown, ...result.suppressed].sort(compareAlerts) : shown;

  let out: TextOut;
  try {
    out = opts.output ? fileOut(opts.output) : stdoutOut();
  } catch (err) {
    con.report({ code: CLI.output.code, severity: 'error', message: `cannot write ${opts.output}: ${(err as Error).message}` });
    return 2;
  }
  const format: Format = opts.format ?? (out.isTTY ? 'table' : 'ndjson');
  const summary = () =>
    summarize(stats, all, shown, con.diagnostics, opts.minLevel, {
      suppressed: result.suppressed.length,
      alreadyReported: opts.includeReported ? 0 : result.alreadyReported.length,
      state: stateful ? store.location : undefined,
    });
  let sink: Sink;
  switch (format) {
    case 'table':
      sink = createTableSink(out, { colour: opts.colour ?? (out.isTTY && !process.env.NO_COLOR) });
      break;
    case 'ndjson':
      sink = createNdjsonSink(out);
      break;
    case 'json':
      sink = createJsonSink(out, summary);
      break;
  }
  sink.write(written);
  try {
    await sink.close();
  } catch (err) {
    con.report({ code: CLI.output.code, severity: 'error', message: `cannot write ${opts.output}: ${(err as Error).message}` });
    return 2;
  }
  // Only now, with the alerts written, is the state made durable: a crash before this line repeats alerts on the
  // next scan; it never loses one.
  store.markReported(shown.map(alertId), now.getTime());
  store.recordSuppressions(suppressionRecords(result.suppressed, now));
  store.saveCorrelationState(result.correlationState);
  if (!store.commit()) return 2;
  if (!opts.quiet) {
    const text = summaryText(summary());
    // The table is for a person: the summary follows it on stdout. Machine formats keep stdout clean.
    if (format === 'table' && !opts.output) process.stdout.write(`\n${text}\n`);
    else process.stderr.write(`${text}\n`);
  }
  const errors = con.diagnostics.some((d) => d.severity === 'error');
  if (errors) return 2;
  if (shown.length > 0 && !opts.exitZero) return 1;
  return 0;
}

/** The scan summary (also the `summary` member of `--format json`). */
export interface ScanSummary {
  files: { total: number; read: number; skipped: number; failed: number };
  bytes: { read: number; decompressed: number };
  records: { total: number; skippedByPrefilter: number; events: number };
  formats: Record<string, number>;
  alerts: {
    shown: number;
    bySeverity: Record<string, number>;
    belowMinLevel: number;
    minLevel: Level;
    /** Suppressed by a tuning exception (recorded in the state store's audit). */
    suppressed: number;
    /** Reported by an earlier scan with the same state (`--include-reported` shows them). */
    alreadyReported: number;
  };
  /** The state store's file, when state is kept. */
  state?: string;
  diagnostics: { errors: number; warnings: number };
  elapsedMs: number;
}

function summarize(
  stats: ScanStats,
  all: AlertDocument[],
  shown: AlertDocument[],
  diags: Diagnostic[],
  minLevel: Level,
  extra: { suppressed: number; alreadyReported: number; state?: string },
): ScanSummary {
  const bySeverity: Record<string, number> = {};
  for (const level of [...LEVELS].reverse()) {
    const c = shown.filter((a) => a.mirrorwatch.severity === level).length;
    if (c > 0) bySeverity[level] = c;
  }
  return {
    files: { total: stats.files, read: stats.filesRead, skipped: stats.filesSkipped, failed: stats.filesFailed },
    bytes: { read: stats.bytesIn, decompressed: stats.bytesOut },
    records: { total: stats.records, skippedByPrefilter: stats.recordsPrefiltered, events: stats.events },
    formats: stats.formats,
    alerts: { shown: shown.length, bySeverity, belowMinLevel: all.length - shown.length, minLevel, suppressed: extra.suppressed, alreadyReported: extra.alreadyReported },
    ...(extra.state !== undefined ? { state: extra.state } : {}),
    diagnostics: {
      errors: diags.filter((d) => d.severity === 'error').length,
      warnings: diags.filter((d) => d.severity === 'warning').length,
    },
    elapsedMs: Math.round(stats.elapsedMs),
  };
}

function summaryText(s: ScanSummary): string {
  const sev = Object.entries(s.alerts.bySeverity).map(([k, v]) => `${v} ${k}`).join(', ');
  const formats = Object.entries(s.formats).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [
    `Scanned ${n(s.files.read)} of ${n(s.files.total)} file(s) (${mb(s.bytes.read)} read, ${mb(s.bytes.decompressed)} decompressed) in ${(s.elapsedMs / 1000).toFixed(2)} s` +
      (formats ? `: ${formats}` : '') +
      (s.files.skipped ? `; ${n(s.files.skipped)} skipped` : '') +
      (s.files.failed ? `; ${n(s.files.failed)} with errors` : ''),
    `Records: ${n(s.records.total)} read, ${n(s.records.skippedByPrefilter)} skipped unparsed by the prefilter, ${n(s.records.events)} events parsed.`,
    `Alerts: ${n(s.alerts.shown)}${sev ? ` (${sev})` : ''}` +
      (s.alerts.belowMinLevel ? `; ${n(s.alerts.belowMinLevel)} below --min-level ${s.alerts.minLevel} not shown` : '') +
      (s.alerts.suppressed ? `; ${n(s.alerts.suppressed)} suppressed by tuning (--show-suppressed)` : '') +
      (s.alerts.alreadyReported ? `; ${n(s.alerts.alreadyReported)} already reported by an earlier scan (--include-reported)` : '') +
      '.',
  ];
  if (s.diagnostics.errors || s.diagnostics.warnings) {
    lines.push(`Problems: ${n(s.diagnostics.errors)} error(s), ${n(s.diagnostics.warnings)} warning(s), listed above on stderr.`);
  }
  return lines.join('\n');
}

/** Adds `scan` to the command line. */
export function registerScan(root: Command, setCode: SetCode): void {
  root
    .command('scan')
    .description('scan log files, directories (recursively, .gz included) or - (stdin) and report alerts')
    .argument('<paths...>', 'files, directories or - for standard input')
    .option('-r, --rules <dir>', 'rule file or directory (repeatable; "default" is the bundled T1020.001 pack)', collect)
    .addOption(new Option('-f, --format <format>', 'output format: table (default on a terminal), ndjson (default otherwise), json'))
    .option('-o, --output <file>', 'write alerts to a file instead of standard output')
    .option('--min-level <level>', 'lowest severity to report: informational, low, medium, high, critical', 'low')
    .option('--timezone <tz>', 'time zone of timestamps that carry none (RFC 3164 syslog): UTC, an IANA name or +HH:MM', 'UTC')
    .option('--year <yyyy>', 'year of RFC 3164 syslog timestamps (default: inferred from each file\'s modification time)')
    .option('--no-prefilter', 'parse every record (slower; validates every record)')
    .option('--max-record-size <size>', 'largest record to read; larger ones are reported and skipped', '32MB')
    .option('--ignore-unknown', 'report files in unrecognised formats as information, not as errors')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour')
    .option('-q, --quiet', 'no summary')
    .option('--no-progress', 'no progress line on a terminal')
    .option('--exit-zero', 'exit 0 when alerts are found (input and usage errors still exit 2)')
    .option('--collectors <file>', 'approved mirror collectors (addresses or CIDR blocks, one per line, or YAML `collectors:`); traffic copied elsewhere is alerted on')
    .option('-j, --jobs <n>', 'worker threads scanning files, or stretches of a large NDJSON file, side by side (default: half the CPUs, as inflating and GC use the rest; 1 = no workers)')
    .option('-t, --tuning <file>', 'tuning file: approved principals, collectors and user agents, time-boxed windows, exceptions')
    .option('--allowed-lateness <duration>', 'how far behind the latest correlated event a match may arrive (out of order, or in a later scan) and still be correlated (default: 15m)')
    .option('--show-suppressed', 'also write alerts the tuning file suppressed (each names its exception)')
    .option('--state <path>', 'state store (baselines, correlation windows, reported alerts); default: the user\'s data directory')
    .option('--no-state', 'keep no state: every alert is new, every principal unseen, correlation windows close at the end')
    .option('--include-reported', 'also write alerts an earlier scan with the same state already reported')
    .action(async (paths: string[], o: Record<string, unknown>) => {
      const code = await runScan({
        paths,
        rules: ruleDirs(o.rules as string[] | undefined),
        format: o.format === undefined ? undefined : value<Format>(parseFormat(String(o.format)), '--format'),
        output: o.output as string | undefined,
        minLevel: value<Level>(parseLevel(String(o.minLevel)), '--min-level'),
        timeZone: value(parseTimeZone(String(o.timezone)), '--timezone'),
        year: o.year === undefined ? undefined : value(parseYear(String(o.year)), '--year'),
        prefilter: o.prefilter !== false,
        maxRecordChars: value(parseSize(String(o.maxRecordSize)), '--max-record-size'),
        ignoreUnknown: o.ignoreUnknown === true,
        colour: o.color === undefined ? undefined : o.color === true ? true : undefined,
        quiet: o.quiet === true,
        progress: o.progress !== false,
        exitZero: o.exitZero === true,
        jobs: o.jobs === undefined ? defaultJobs() : value(parseJobs(String(o.jobs)), '--jobs'),
        collectors: o.collectors as string | undefined,
        tuning: o.tuning as string | undefined,
        showSuppressed: o.showSuppressed === true,
        allowedLatenessMs: o.allowedLateness === undefined ? undefined : value(parseDuration(String(o.allowedLateness)), '--allowed-lateness'),
        state: o.state === false ? undefined : (o.state as string | undefined),
        noState: o.state === false,
        includeReported: o.includeReported === true,
      });
      setCode(code);
    });
}
