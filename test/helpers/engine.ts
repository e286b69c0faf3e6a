/** Runs the real engine (bundled rules, every reader) over in-memory inputs, for tests that need alerts and events. */
import type { AlertDocument } from '../../src/core/alert.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event } from '../../src/core/event.js';
import type { ActiveRule } from '../../src/detect/active-rule.js';
import { buildAlert, compareAlerts, groupMatches } from '../../src/detect/alerts.js';
import { loadAliases, loadRuleSet } from '../../src/detect/rule-set.js';
import { scan } from '../../src/detect/scan.js';
import type { FieldAliases } from '../../src/detect/target.js';
import { READERS } from '../../src/readers/registry.js';
import type { FormatReader, RawRecord } from '../../src/readers/types.js';
import { repoPath } from './paths.js';

let cached: Promise<{ rules: ActiveRule[]; aliases: FieldAliases }> | undefined;

/** The bundled rule pack and aliases, loaded once per test process. */
export function bundled(): Promise<{ rules: ActiveRule[]; aliases: FieldAliases }> {
  cached ??= (async () => {
    const diags: Diagnostic[] = [];
    const rules = await loadRuleSet([repoPath('rules')], (d) => diags.push(d));
    if (diags.some((d) => d.severity === 'error')) throw new Error(`bundled rules have errors: ${JSON.stringify(diags)}`);
    return { rules, aliases: await loadAliases(repoPath('mappings'), () => undefined) };
  })();
  return cached;
}

/** Scans in-memory files with the bundled rules and returns the alerts (sorted) and diagnostics. */
export async function scanTexts(
  files: { name: string; text: string }[],
  options: { prefilter?: boolean; rules?: ActiveRule[] } = {},
): Promise<{ alerts: AlertDocument[]; diagnostics: Diagnostic[] }> {
  const { rules, aliases } = await bundled();
  const diagnostics: Diagnostic[] = [];
  const { matches, context } = await scan(
    files.map((f) => ({ path: f.name, mtimeMs: Date.parse('2026-11-23T00:00:00Z'), text: f.text })),
    {
      rules: options.rules ?? rules,
      readers: READERS,
      readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
      prefilter: options.prefilter ?? true,
      aliases,
      unknownFormatIsError: true,
      report: (d) => diagnostics.push(d),
    },
  );
  const alerts = groupMatches(matches, aliases)
    .map((g) => buildAlert(g, aliases, context))
    .sort(compareAlerts);
  return { alerts, diagnostics };
}

/** Reads every event of an in-memory file with the reader that claims it (no rules, no prefilter). */
export function readEvents(name: string, text: string): Event[] {
  const reader = READERS.find((r) => r.sniff(text.slice(0, 65536), name).kind === 'read') as FormatReader | undefined;
  if (!reader) throw new Error(`no reader claims ${name}`);
  const events: Event[] = [];
  const fr = reader.open({
    file: name,
    options: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024, referenceTimeMs: Date.parse('2026-11-23T00:00:00Z') },
    report: () => undefined,
    emit: (rec: RawRecord) => events.push(...fr.parse(rec)),
  });
  fr.push(text);
  fr.end();
  if (fr.flush) events.push(...fr.flush());
  return events;
}

/** One rule's name per alert, sorted. */
export function ruleNames(alerts: AlertDocument[]): string[] {
  return alerts.map((a) => String((a.rule as { name: string }).name)).sort();
}
