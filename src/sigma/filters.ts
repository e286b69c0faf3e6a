/**
 * Applying Sigma filter documents to rules, as pySigma does (`sigma/filters.py`, `SigmaFilter.apply_on_rule`): a
 * filter applies to a rule it names (by id or name, or to every rule with `rules: any`) whose log source it covers;
 * its search identifiers join the rule's under fresh names and each rule condition becomes
 * `(rule condition) and (filter condition)`.
 */
import { combineConditions } from './detection.js';
import { formatCondition } from './condition.js';
import type { ConditionNode, SigmaCondition, SigmaFilter, SigmaLogSource, SigmaRule } from './types.js';

/** True when every log source key the filter sets is equal in the rule (pySigma: `rule.logsource in filter.logsource`). */
export function logSourceCovers(filter: SigmaLogSource, rule: SigmaLogSource): boolean {
  for (const key of ['category', 'product', 'service'] as const) {
    const want = filter[key];
    if (want !== undefined && want !== rule[key]) return false;
  }
  return true;
}

/** True when the filter applies to the rule. */
export function filterAppliesTo(filter: SigmaFilter, rule: SigmaRule): boolean {
  if (!logSourceCovers(filter.logsource, rule.logsource)) return false;
  if (filter.appliesToAll) return true;
  return filter.rules.some((r) => r === rule.id || r === rule.name);
}

function rename(node: ConditionNode, map: ReadonlyMap<string, string>): ConditionNode {
  const to = (n: string): string => map.get(n) ?? n;
  switch (node.kind) {
    case 'identifier':
      return { kind: 'identifier', name: to(node.name) };
    case 'of':
      // The identifiers were selected when the filter loaded; keep that selection under the new names.
      return { ...node, identifiers: node.identifiers.map(to) };
    case 'not':
      return { kind: 'not', child: rename(node.child, map) };
    case 'and':
    case 'or':
      return { kind: node.kind, children: node.children.map((c) => rename(c, map)) };
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Returns the rule with every applicable filter folded into its detection (the rule itself when none applies).
 * Filter identifiers are renamed `_filter<k>_<name>`: the leading `_` keeps them out of the rule's `them`.
 */
export function applyFilters(rule: SigmaRule, filters: readonly SigmaFilter[]): SigmaRule {
  let detection = rule.detection;
  let k = 0;
  for (const f of filters) {
    if (!filterAppliesTo(f, rule)) continue;
    const prefix = `_filter${k++}_`;
    const map = new Map(f.detection.identifiers.map((id) => [id.name, prefix + id.name]));
    const filterCondition = rename(f.detection.condition, map);
    const conditions: SigmaCondition[] = detection.conditions.map((c) => {
      const ast: ConditionNode = { kind: 'and', children: [c.ast, filterCondition] };
      return { text: `(${c.text}) and (${formatCondition(filterCondition)})`, ast, location: c.location };
    });
    detection = {
      ...detection,
      identifiers: [...detection.identifiers, ...f.detection.identifiers.map((id) => ({ ...id, name: prefix + id.name }))],
      conditions,
      condition: combineConditions(conditions),
    };
  }
  return detection === rule.detection ? rule : { ...rule, detection };
}
