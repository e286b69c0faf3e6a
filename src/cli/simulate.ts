/**
 * `mirrorwatch simulate SCENARIO… --out DIR`: writes a scenario's telemetry in the layouts the readers read, with a
 * manifest of the alerts to expect; `--list` shows the scenarios; `--send URL --format hec|bulk|ndjson` replays them
 * to a live collector with times shifted to now.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { SIMULATE } from '../simulate/diagnostic-codes.js';
import { contextFor, DEFAULTS, planFor, prepareOutputDir, OutputDirError, replayStart, runScenario, writeScenario, type GenerateOptions } from '../simulate/generate.js';
import type { Manifest } from '../simulate/manifest.js';
import { Replay } from '../simulate/replay.js';
import { SCENARIOS, scenarioNamed } from '../simulate/scenarios.js';
import type { AzureLayout, Scenario } from '../simulate/types.js';
import type { DeliveryReport } from '../sinks/http-batcher.js';
import { createHttpSender, HTTP, parseHttpOptions, type RawHttpOptions } from '../sinks/http-options.js';
import type { SetCode } from './command-helpers.js';
import { VERSION } from './paths.js';

/** Options of `simulate`, as commander hands them over. */
interface RawOptions extends Omit<RawHttpOptions, 'url'> {
  list?: boolean;
  out?: string;
  seed: string;
  start?: string;
  account?: string;
  noise: string;
  azureLayout?: string;
  force?: boolean;
  send?: string;
}

/** Collects diagnostics and prints them to stderr as they come. */
class Diagnostics {
  readonly items: Diagnostic[] = [];
  readonly report = (d: Diagnostic): void => {
    this.items.push(d);
    process.stderr.write(`${formatDiagnostic(d)}\n`);
  };
  get errors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** An ISO 8601 date or date-time (a date alone is midnight UTC); undefined when it is not one. */
export function parseStart(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(s.trim())) return undefined;
  const v = s.trim();
  // A time without a zone is UTC, as in the logs themselves.
  const withZone = /[Tt ]\d{2}:\d{2}/.test(v) && !/([Zz]|[+-]\d{2}:?\d{2})$/.test(v) ? `${v.replace(' ', 'T')}Z` : v.replace(' ', 'T');
  const ms = Date.parse(withZone.length === 10 ? `${withZone}T00:00:00Z` : withZone);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Prints the scenario catalogue. */
function list(): void {
  const rows = SCENARIOS.map((s) => [s.name, s.benign ? 'benign' : 'attack', s.platforms.join(','), s.seedTest ?? '', s.title]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ')}\n`);
  process.stderr.write(`${SCENARIOS.length} scenario(s); simulate NAME --out DIR writes one with its manifest.json\n`);
}

/** Validates the options shared by writing and sending; undefined after reporting a problem. */
export function parseGenerateOptions(o: Pick<RawOptions, 'seed' | 'start' | 'account' | 'noise' | 'azureLayout'>, report: (d: Diagnostic) => void): GenerateOptions | undefined {
  let ok = true;
  const bad = (info: { code: string }, option: string, message: string) => {
    ok = false;
    report({ code: info.code, severity: 'error', message, file: option });
  };
  if (!/^\d{1,16}$/.test(o.seed)) bad(SIMULATE.badSeed, '--seed', `"${o.seed}" is not a whole number`);
  let startMs: number = DEFAULTS.startMs;
  if (o.start !== undefined) {
    const t = parseStart(o.start);
    if (t === undefined) bad(SIMULATE.badStart, '--start', `"${o.start}" is not an ISO 8601 time such as 2026-11-20T14:00:00Z`);
    else startMs = t;
  }
  const account = o.account ?? DEFAULTS.account;
  if (!/^\d{12}$/.test(account)) bad(SIMULATE.badAccount, '--account', `"${account}" is not an AWS account id (12 digits)`);
  const noise = Number(o.noise);
  if (!/^\d+$/.test(o.noise) || noise > 50_000_000) bad(SIMULATE.badNoise, '--noise', `"${o.noise}" is not a whole number of records (at most 50,000,000)`);
  let azureLayout: AzureLayout | undefined;
  if (o.azureLayout !== undefined) {
    if (o.azureLayout === 'storage' || o.azureLayout === 'eventhub') azureLayout = o.azureLayout;
    else bad(SIMULATE.badLayout, '--azure-layout', `"${o.azureLayout}" is not storage or eventhub`);
  }
  if (!ok) return undefined;
  return { seed: String(Number(o.seed)), startMs, account, noise, azureLayout, generator: `mirrorwatch ${VERSION}` };
}

function alertSummary(m: Manifest): string {
  const counts = new Map<string, number>();
  for (const a of m.expected_alerts) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
  const order = ['critical', 'high', 'medium', 'low', 'informational'];
  return [...counts.entries()].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])).map(([k, v]) => `${v} ${k}`).join(', ');
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Writes each scenario to its directory; returns the exit code. */
async function write(scenarios: Scenario[], out: string, g: GenerateOptions, force: boolean, d: Diagnostics): Promise<number> {
  const dirs = scenarios.map((s) => (scenarios.length === 1 ? out : join(out, s.name)));
  for (const dir of dirs) {
    try {
      await prepareOutputDir(dir, force);
    } catch (err) {
      if (!(err instanceof OutputDirError)) throw err;
      d.report({ code: SIMULATE.outputDir.code, severity: 'error', message: err.message, file: '--out' });
    }
  }
  if (d.errors) return 2;
  for (const [i, s] of scenarios.entries()) {
    const started = performance.now();
    const m = await writeScenario(s, dirs[i], g);
    const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stdout.write(
      `${s.name} → ${dirs[i]}: ${m.counts.files} file(s), ${m.counts.records.toLocaleString('en-US')} record(s) (${m.counts.scenario_records} of the scenario), ${mb(bytes)} in ${seconds} s; ` +
        `expects ${m.expected_alerts.length} alert(s)${m.expected_alerts.length ? ` (${alertSummary(m)})` : ''}${s.benign ? ' — benign activity, alerting until tuned' : ''}\n`,
    );
  }
  process.stdout.write(`Scan with: mirrorwatch scan ${out}${scenarios.length > 1 ? '/<scenario>' : ''}   (manifest.json lists the expected alerts; mirrorwatch test --scenarios checks them)\n`);
  return 0;
}

/** Replays each scenario to a collector; returns the exit code. */
async function send(scenarios: Scenario[], raw: RawOptions, g: GenerateOptions, d: Diagnostics): Promise<number> {
  const config = parseHttpOptions({ ...raw, url: raw.send }, d.report);
  if (!config) return 2;
  const { sender, encode } = createHttpSender(config);
  const replay = new Replay();
  const now = Date.now();
  let records = 0;
  let future = 0;
  for (const s of scenarios) {
    const shifted: GenerateOptions = { ...g, startMs: replayStart(s, g, now) };
    const ctx = contextFor(s, shifted);
    const plan = planFor(s, ctx);
    await runScenario(s, ctx, plan, shifted, () => ({
      add: (rec) => {
        // A background record that would lie in the future is held back (the noise window's end is not exact).
        if (rec.timeMs > now) {
          future++;
          return undefined;
        }
        records++;
        return sender.add(encode(replay.event(rec)));
      },
      finish: () => Promise.resolve(),
    }));
  }
  if (future > 0) process.stderr.write(`${future} background record(s) after the present were not sent\n`);
  const report: DeliveryReport = await sender.close();
  process.stdout.write(
    `${report.protocol} ${report.url}: ${report.delivered.toLocaleString('en-US')} of ${records.toLocaleString('en-US')} record(s) delivered in ${report.requests} request(s)` +
      `${report.retries ? `, ${report.retries} retried` : ''}${report.splits ? `, ${report.splits} batch(es) split for size` : ''}\n`,
  );
  for (const r of report.rejected) {
    d.report({ code: HTTP.rejected.code, severity: 'error', message: `record ${r.label} rejected: ${r.reason}`, file: report.url });
  }
  if (report.aborted) {
    d.report({ code: HTTP.aborted.code, severity: 'error', message: `${report.aborted}; ${report.unsent} record(s) not sent`, file: report.url });
    return 2;
  }
  return report.rejected.length > 0 ? 1 : 0;
}

/** Runs `simulate`; exit 0 done, 1 some records rejected by the collector, 2 usage errors or delivery stopped. */
export async function runSimulate(names: string[], o: RawOptions): Promise<number> {
  if (o.list) {
    list();
    return 0;
  }
  const d = new Diagnostics();
  if (names.length === 0) {
    d.report({ code: SIMULATE.noScenario.code, severity: 'error', message: 'name one or more scenarios (mirrorwatch simulate --list shows them)' });
    return 2;
  }
  const scenarios: Scenario[] = [];
  for (const n of names) {
    const s = scenarioNamed(n);
    if (s) {
      if (!scenarios.includes(s)) scenarios.push(s);
    } else {
      const near = SCENARIOS.filter((x) => x.name.includes(n) || n.includes(x.name.split('-')[0])).map((x) => x.name);
      d.report({ code: SIMULATE.unknownScenario.code, severity: 'error', message: `no scenario "${n}"${near.length ? `; did you mean ${near.slice(0, 4).join(', ')}?` : ''} (simulate --list shows all)` });
    }
  }
  const g = parseGenerateOptions(o, d.report);
  if (o.out === undefined && o.send === undefined) d.report({ code: SIMULATE.noOutput.code, severity: 'error', message: 'give --out DIR to write files, or --send URL to replay to a collector' });
  if (!g || d.errors) return 2;
  let code = 0;
  if (o.out !== undefined) code = Math.max(code, await write(scenarios, o.out, g, o.force === true, d));
  if (code === 2) return 2;
  if (o.send !== undefined) code = Math.max(code, await send(scenarios, o, g, d));
  return code;
}

/** Adds `simulate` to the command line. */
export function registerSimulate(root: Command, setCode: SetCode): void {
  root
    .command('simulate')
    .description('write realistic attack and benign telemetry for a scenario (with manifest.json of the expected alerts), or replay it to a collector')
    .argument('[scenarios...]', 'scenario names (see --list)')
    .option('--list', 'list the scenarios')
    .option('-o, --out <dir>', 'output directory (several scenarios: one subdirectory each)')
    .option('--seed <n>', 'seed of identifiers and timings: the same seed and options give byte-identical files', DEFAULTS.seed)
    .option('--start <time>', `base time, ISO 8601 (default ${new Date(DEFAULTS.startMs).toISOString()})`)
    .option('--account <id>', `AWS account id (default ${DEFAULTS.account})`)
    .option('--noise <n>', 'background records per platform the scenario touches', '0')
    .option('--azure-layout <layout>', 'Azure Activity Log files: storage (PT1H.json) or eventhub ({"records":[…]} bodies)')
    .option('--force', 'replace an earlier simulation in --out')
    .option('--send <url>', 'replay to a collector instead of (or as well as) writing files, times shifted to now')
    .option('--format <format>', 'wire format with --send: hec (Splunk HTTP Event Collector), bulk (Elasticsearch _bulk), ndjson')
    .option('--token <token>', 'HEC token, Elasticsearch API key, or bearer token for ndjson')
    .option('--index <name>', 'Splunk index or Elasticsearch index/data stream (default: the token\'s index; logs-<dataset>-default)')
    .option('--batch-size <size>', 'largest request body (default 1MB)')
    .option('--retries <n>', 'retries of a request on 429/503 and connection errors (default 5)')
    .option('--timeout <seconds>', 'time to wait for an answer (default 30)')
    .option('--insecure', 'do not verify the collector\'s TLS certificate')
    .action(async (names: string[], o: RawOptions) => {
      setCode(await runSimulate(names, o));
    });
}
