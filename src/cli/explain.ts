/** `mirrorwatch explain TECHNIQUE`: the technique knowledge base (ATT&CK, detection strategy, mitigations, mappings). */
import type { Command } from 'commander';
import { CLI } from './cli-diagnostic-codes.js';
import { UsageError, type SetCode } from './command-helpers.js';
import { KNOWLEDGE, knownTechniques, lookupTechnique, type TechniqueKnowledge } from '../enrich/knowledge-base.js';
import { TUNING_CODES } from '../enrich/tuning.js';

/** Wraps text to `width` columns with a hanging indent. */
function wrap(text: string, width: number, indent: string, first = indent): string {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Renders the knowledge of one technique for a terminal. */
export function renderTechnique(k: TechniqueKnowledge, width = 100): string {
  const out: string[] = [];
  const head = (s: string): void => {
    out.push('', s, '-'.repeat(s.length));
  };
  const bullet = (s: string, level = 0): void => {
    const pad = '  '.repeat(level);
    out.push(wrap(s, width, `${pad}  `, `${pad}- `));
  };
  out.push(`${k.id} ${k.name}  (${k.parent.id} ${k.parent.name}; tactic ${k.tactic.id} ${k.tactic.name})`);
  out.push(`${k.url}  ATT&CK v${k.attackVersion}, ${k.stixId}`);
  head('Description');
  for (const p of k.description) out.push(wrap(p, width, ''), '');
  out.pop();
  head('Platforms');
  out.push(`${k.platforms.join(', ')}  (${k.platformNote})`);
  head(`Detection strategy ${k.detectionStrategy.id}`);
  out.push(wrap(`${k.detectionStrategy.name}  ${k.detectionStrategy.url}`, width, ''));
  for (const a of k.detectionStrategy.analytics) {
    out.push('', `${a.id} (${a.platform}) ${a.stixId}`);
    out.push(wrap(a.summary, width, '  '));
    out.push('  Data sources:');
    for (const l of a.logSources) bullet(`${l.dataComponent.id} ${l.dataComponent.name}: ${l.name} — ${l.channel}`, 1);
    out.push('  Mutable elements:');
    for (const m of a.mutableElements) bullet(`${m.field}: ${m.description}${m.inMirrorwatch !== undefined ? ` [mirrorwatch: ${m.inMirrorwatch}]` : ''}`, 1);
    if (a.caveats.length > 0) {
      out.push('  Caveats:');
      for (const c of a.caveats) bullet(c, 1);
    }
  }
  head('Data sources');
  for (const d of k.dataSources) bullet(`${d.id === '-' ? '' : `${d.id} `}${d.name}: ${d.note}`);
  head('Mitigations');
  for (const m of k.mitigations) {
    out.push(`${m.id} ${m.name}  ${m.url}`);
    out.push(wrap(m.summary, width, '  '));
    for (const line of m.inPractice) bullet(line, 1);
  }
  head('Mappings (Center for Threat-Informed Defense, Mappings Explorer)');
  for (const m of k.mappings) {
    const score = m.category !== undefined ? ` ${m.category}/${m.score ?? '?'}` : '';
    out.push(`${m.framework} ${m.frameworkVersion} (ATT&CK ${m.attackVersion}): ${m.capabilityId} — ${m.capability}; ${m.mappingType}${score} → ${m.attackId}`);
    out.push(wrap(m.comment, width, '  '));
  }
  for (const n of k.mappingNotes) bullet(n);
  head('What mirrorwatch covers');
  for (const c of k.coverage) bullet(c);
  head('References');
  for (const r of k.references) bullet(`${r.title}: ${r.url}`);
  return `${out.join('\n')}\n`;
}

/** Runs `explain` and returns the exit code (0); an unknown id is a usage error. */
export function runExplain(id: string, format: 'text' | 'json', width?: number): number {
  const k = lookupTechnique(id);
  if (k === undefined) {
    const known = knownTechniques().map((t) => `${t} (${KNOWLEDGE[t].name})`);
    throw new UsageError(`${TUNING_CODES.unknownTechnique.code} unknown technique "${id}": mirrorwatch knows ${known.join(', ')}`);
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify(k, null, 2)}\n`);
  else process.stdout.write(renderTechnique(k, width ?? Math.max(60, Math.min(process.stdout.columns ?? 100, 120))));
  return 0;
}

/** Adds `explain` to the command line. */
export function registerExplain(root: Command, setCode: SetCode): void {
  root
    .command('explain')
    .description('print what mirrorwatch knows about a technique: ATT&CK description, platforms, detection strategy and analytics, data sources, mitigations, mappings, references')
    .argument('<technique>', `technique id (${knownTechniques().join(', ')})`)
    .option('-f, --format <format>', 'text or json', 'text')
    .action((technique: string, o: { format: string }) => {
      const format = o.format.toLowerCase();
      if (format !== 'text' && format !== 'json') throw new UsageError(`${CLI.badOption.code} --format: unknown format "${o.format}": expected text or json`);
      setCode(runExplain(technique, format));
    });
}
