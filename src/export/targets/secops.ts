/**
 * Google SecOps YARA-L 2.0 on UDM (cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax; query-languages.md
 * §3.7, formats.md §2.5). String `=` and `/regex/` are case-sensitive; `nocase` makes them case-insensitive and must
 * never follow an enum field (the engine type-checks enums). Regexes are unanchored RE2 searches, so prefix,
 * suffix, contains and lists become anchored regexes (`/^(a|b)$/ nocase`, not pySigma's unanchored `/a|b/`).
 * Missing UDM strings compare as "" (so `!= ""` tests presence). Correlations use a `match:` window over the
 * group-by placeholders: counts (`#e`), distinct values (`#value`), several event variables for temporal, and
 * timestamp ordering for temporal_ordered.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { COMPARE_SYMBOL, countedField, groupFieldsOf, spanSeconds, thresholds, TextQueryBackend, type RuleContext, type RuleParts, type StringMatch } from '../backend.js';
import type { LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toRe2 } from '../regex.js';
import { escapeRegexLiteral, globToRegex } from '../strings.js';
import type { Approximation, CompiledQuery, TargetName } from '../types.js';

/** A YARA-L string literal. */
export function yaralString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A YARA-L regex literal (`/` escaped). */
function yaralRegex(re: string): string {
  return `/${re.replace(/(^|[^\\])\//g, '$1\\/')}/`;
}

/** A rule name YARA-L accepts: letters, digits and underscores, starting with a letter. */
export function yaralRuleName(title: string): string {
  const s = title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(s) ? s : `rule_${s}`;
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' } as const;

/** The SecOps compiler. */
export class SecopsBackend extends TextQueryBackend {
  readonly target: TargetName = 'secops';
  private variable = '$e';

  private ref(f: FieldSpec): string {
    return `${this.variable}.${f.name}`;
  }

  private nocase(f: FieldSpec, cased: boolean): string {
    return cased || f.kind === 'enum' ? '' : ' nocase';
  }

  protected str(f: FieldSpec, m: StringMatch): string {
    if (f.kind === 'enum' && !m.cased && m.shape.kind !== 'exact') {
      return fail('case-insensitive-unavailable', `${f.name} is an enum field: no nocase and no pattern`);
    }
    const nc = this.nocase(f, m.cased);
    switch (m.shape.kind) {
      case 'exact':
        return `${this.ref(f)} = ${yaralString(m.shape.text)}${nc}`;
      case 'prefix':
        return `${this.ref(f)} = ${yaralRegex(`^${escapeRegexLiteral(m.shape.text)}`)}${nc}`;
      case 'suffix':
        return `${this.ref(f)} = ${yaralRegex(`${escapeRegexLiteral(m.shape.text)}$`)}${nc}`;
      case 'contains':
        return `${this.ref(f)} = ${yaralRegex(escapeRegexLiteral(m.shape.text))}${nc}`;
      case 'pattern':
        return `${this.ref(f)} = ${yaralRegex(globToRegex(m.shape.parts))}${nc}`;
    }
  }

  protected override list(f: FieldSpec, ms: StringMatch[]): string | null {
    if (f.kind === 'enum') return null;
    const alts = ms.map((m) => {
      switch (m.shape.kind) {
        case 'exact':
          return escapeRegexLiteral(m.shape.text);
        case 'prefix':
          return `${escapeRegexLiteral(m.shape.text)}.*`;
        case 'suffix':
          return `.*${escapeRegexLiteral(m.shape.text)}`;
        case 'contains':
          return `.*${escapeRegexLiteral(m.shape.text)}.*`;
        case 'pattern':
          return globToRegex(m.shape.parts).slice(1, -1);
      }
    });
    return `${this.ref(f)} = ${yaralRegex(`^(?:${alts.join('|')})$`)}${this.nocase(f, ms[0].cased)}`;
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }): string {
    if (f.kind === 'enum') return fail('case-insensitive-unavailable', `${f.name} is an enum field`);
    const re = toRe2(parseRegex(v.pattern), { multiline: v.multiline, dotAll: v.dotAll });
    return `${this.ref(f)} = ${yaralRegex(re)}${v.ignoreCase ? ' nocase' : ''}`;
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return `${this.ref(f)} ${exists ? '!=' : '='} ""`;
  }

  protected isNull(f: FieldSpec): string {
    return `${this.ref(f)} = ""`;
  }

  protected override number(f: FieldSpec, v: LeafValue & { kind: 'number' }, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'number') return `${this.ref(f)} = ${v.value}`;
    return super.number(f, v, guard, ctx);
  }

  protected override cidr(f: FieldSpec, cidr: string): string {
    return `net.ip_in_range_cidr(${this.ref(f)}, ${yaralString(cidr)})`;
  }

  protected override compare(f: FieldSpec, op: keyof typeof COMPARE_SYMBOL, value: number): string {
    return `${this.ref(f)} ${COMPARE_SYMBOL[op]} ${value}`;
  }

  /** Scope: the UDM conditions of the source (log type, vendor). */
  protected override scopeEquals(field: string, values: string[]): string {
    const spec: FieldSpec = { name: field, kind: 'enum' };
    if (values.length === 1) return `${this.ref(spec)} = ${yaralString(values[0])}`;
    return `(${values.map((v) => `${this.ref(spec)} = ${yaralString(v)}`).join(' or ')})`;
  }

  /** The events section lines of one rule for one event variable. */
  private eventLines(p: RuleParts, variable: string, expr: string): string[] {
    const lines: string[] = [];
    if (p.scope) lines.push(p.scope.replaceAll('$e.', `${variable}.`));
    lines.push(expr.replaceAll('$e.', `${variable}.`));
    return lines;
  }

  private meta(rule: SigmaRule | SigmaCorrelation): string[] {
    const lines = [
      `author = ${yaralString(rule.author ?? 'mirrorwatch')}`,
      // The whole description on one line: a folded YAML description's first line stops mid-sentence.
      `description = ${yaralString((rule.description ?? rule.title).replace(/\s+/g, ' ').trim())}`,
      `severity = ${yaralString((rule.level ?? 'medium').toUpperCase())}`,
      `rule_id = ${yaralString(rule.id ?? '')}`,
      'tactic = "TA0010"',
      'technique = "T1020.001"',
      'mitre_attack_url = "https://attack.mitre.org/techniques/T1020/001/"',
    ];
    return lines;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    const rule = p.ctx.rule;
    const text = [
      `rule ${yaralRuleName(rule.title)} {`,
      '  meta:',
      ...this.meta(rule).map((l) => `    ${l}`),
      '  events:',
      ...this.eventLines(p, '$e', p.condition).map((l) => `    ${l}`),
      '  condition:',
      '    $e',
      '}',
    ].join('\n');
    return [{ on: p.ctx.source.from, text }];
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[], parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    const t = thresholds(corr);
    const groups = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => parts[i].ctx.field(g).name));
    const placeholders = corr.groupBy.map((g) => `$${g.replace(/[^A-Za-z0-9_]/g, '_')}`);
    const lines: string[] = [];
    const vars = parts.map((_, i) => (parts.length === 1 ? '$e' : `$e${i + 1}`));
    parts.forEach((p, i) => {
      lines.push(...this.eventLines(p, vars[i], p.condition));
      groups[i].forEach((g, k) => lines.push(`${placeholders[k]} = ${vars[i]}.${g}`));
    });
    let condition: string;
    const outcome: string[] = [];
    switch (corr.correlationType) {
      case 'event_count': {
        const counts = vars.map((v) => `#${v.slice(1)}`);
        if (vars.length > 1) return fail('correlation-unsupported', 'event_count over several rules (YARA-L counts one event variable)');
        condition = t.map((c) => `${counts[0]} ${OPS[c.op]} ${c.value}`).join(' and ');
        break;
      }
      case 'value_count': {
        if (vars.length > 1) return fail('correlation-unsupported', 'value_count over several rules');
        lines.push(`$mw_value = ${vars[0]}.${parts[0].ctx.field(countedField(corr)).name}`);
        condition = `${vars[0]} and ${t.map((c) => `#mw_value ${OPS[c.op]} ${c.value}`).join(' and ')}`;
        break;
      }
      case 'temporal':
      case 'temporal_ordered': {
        if (!(t.length === 1 && t[0].op === 'gte' && t[0].value === rules.length)) {
          return fail('correlation-condition-unsupported', 'YARA-L joins need every referenced rule');
        }
        if (corr.correlationType === 'temporal_ordered') {
          for (let i = 1; i < vars.length; i++) lines.push(`${vars[i - 1]}.metadata.event_timestamp.seconds < ${vars[i]}.metadata.event_timestamp.seconds`);
        }
        condition = vars.join(' and ');
        break;
      }
      default:
        return fail('correlation-unsupported', corr.correlationType);
    }
    const match = placeholders.length ? placeholders.join(', ') : null;
    if (!match) return fail('correlation-condition-unsupported', 'YARA-L multi-event rules need group-by fields for the match section');
    const seconds = spanSeconds(corr);
    if (seconds % 60 !== 0) return fail('correlation-condition-unsupported', `a ${corr.timespan.text} window (YARA-L match windows are whole minutes or more)`);
    const text = [
      `rule ${yaralRuleName(corr.title)} {`,
      '  meta:',
      ...this.meta(corr).map((l) => `    ${l}`),
      '  events:',
      ...lines.map((l) => `    ${l}`),
      '  match:',
      `    ${match} over ${seconds / 60}m`,
      ...(outcome.length ? ['  outcome:', ...outcome] : []),
      '  condition:',
      `    ${condition}`,
      '}',
    ].join('\n');
    return { queries: [{ on: [...new Set(parts.map((p) => p.ctx.source.from))].join(', '), text }], approximations: [] };
  }
}
