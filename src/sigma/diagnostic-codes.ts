/**
 * The catalogue of Sigma engine diagnostics (MW1000–MW1999), in the manner of TypeScript's
 * `diagnosticMessages.json`: one code, one default severity, one message template. Templates name their arguments in
 * braces (`{name}`); `sigmaDiagnostic` fills them and the compiler checks that every argument is given.
 *
 * Ranges: MW10xx files and YAML documents, MW11xx detection structure, MW12xx value modifiers, MW13xx conditions,
 * MW14xx correlation and filter documents, MW15xx linter checks.
 */
import type { Diagnostic, DiagnosticSeverity, Location } from '../core/diagnostic.js';

/** One catalogue entry. */
export interface SigmaDiagnosticTemplate {
  severity: DiagnosticSeverity;
  message: string;
}

/** Every Sigma diagnostic the engine emits. Messages are short and lower-case, as the style guide asks. */
export const SIGMA_DIAGNOSTICS = {
  // --- files and documents ---
  MW1001: { severity: 'error', message: 'yaml syntax error: {detail}' },
  MW1002: { severity: 'error', message: 'a sigma document must be a map of attributes, not {found}' },
  MW1003: { severity: 'error', message: 'unknown modifier "{name}"{hint}' },
  MW1004: { severity: 'error', message: 'missing required attribute "{name}"' },
  MW1005: { severity: 'error', message: '"{name}" must be {expected}' },
  MW1006: { severity: 'error', message: 'cannot read {path}: {reason}' },
  MW1007: {
    severity: 'error',
    message: '"action: {action}" (sigma 1 rule collections) is not supported: write each rule as its own document',
  },
  MW1008: { severity: 'error', message: 'unknown status "{value}": expected {expected}' },
  MW1009: { severity: 'error', message: 'unknown level "{value}": expected {expected}' },
  MW1010: { severity: 'warning', message: 'no rule files (*.yml, *.yaml) found under {path}' },
  MW1011: { severity: 'error', message: 'a document may hold only one of detection, correlation and filter' },
  MW1012: { severity: 'warning', message: '"{name}" holds {found} where text belongs (an unquoted ": " in YAML makes a map): read as "{text}"' },

  // --- detection structure ---
  MW1100: { severity: 'error', message: 'detection must be a map of search identifiers and a condition' },
  MW1101: {
    severity: 'error',
    message: 'search identifier "{name}" must be a map of fields, a list of maps or a list of keywords',
  },
  MW1102: { severity: 'error', message: 'the value of "{key}" must be a scalar or a list of scalars' },
  MW1103: { severity: 'error', message: 'search identifier "{name}" mixes maps and plain values in one list' },
  MW1104: { severity: 'error', message: 'empty value list for "{key}": it can never match' },
  MW1105: {
    severity: 'error',
    message: 'null cannot be part of a value list: put "{key}: null" in a selection of its own',
  },
  MW1106: { severity: 'error', message: 'search identifier "{name}" is empty' },
  MW1107: { severity: 'error', message: 'field name missing in "{key}"' },
  MW1108: {
    severity: 'warning',
    message: '"timeframe" belongs to sigma 1 aggregations and is ignored: write a correlation rule',
  },
  MW1109: { severity: 'error', message: 'detection has no search identifiers' },
  MW1111: { severity: 'error', message: 'a keyword cannot be null' },
  MW1110: { severity: 'error', message: 'search identifier "{name}" is a reserved word of the condition language' },

  // --- value modifiers ---
  MW1200: { severity: 'error', message: 'modifier "{modifier}" cannot be applied to {found}' },
  MW1201: { severity: 'error', message: 'modifier "all" needs a list of at least two values' },
  MW1202: { severity: 'error', message: 'modifier "{modifier}" cannot be combined with "{other}"' },
  MW1203: { severity: 'error', message: 'invalid cidr "{value}": {reason}' },
  MW1204: { severity: 'error', message: 'invalid regular expression "{value}": {reason}' },
  MW1205: { severity: 'error', message: 'modifier "{modifier}" needs a number, got "{value}"' },
  MW1206: { severity: 'error', message: 'modifier "exists" needs true or false, got "{value}"' },
  MW1207: { severity: 'error', message: 'modifier "{modifier}" needs a field: keyword searches cannot use it' },
  MW1208: {
    severity: 'error',
    message: 'modifier "{modifier}" cannot encode a value with wildcards or placeholders ("{value}")',
  },
  MW1209: { severity: 'error', message: 'a field reference must be a plain field name, got "{value}"' },
  MW1210: { severity: 'error', message: 'placeholder %{name}% is not resolved: the rule is rejected' },
  MW1211: { severity: 'error', message: 'modifier "{modifier}" is repeated' },
  MW1212: { severity: 'error', message: 'modifier "{modifier}" must come first, before "{other}"' },
  MW1213: {
    severity: 'error',
    message: '"{modifier}" turns "{value}" into bytes that are not text: follow it with base64 or base64offset',
  },
  MW1214: { severity: 'error', message: 'modifier "{modifier}" needs {range}, got {value}' },
  MW1215: { severity: 'error', message: 'windash would expand "{value}" into {count} values: split the value' },
  MW1216: { severity: 'error', message: 'modifier "{modifier}" is only valid after "re"' },

  // --- conditions ---
  MW1300: { severity: 'error', message: 'detection has no condition' },
  MW1301: { severity: 'error', message: 'condition must be a string or a list of strings' },
  MW1302: { severity: 'error', message: 'condition is empty' },
  MW1303: { severity: 'error', message: 'unknown search identifier "{name}" in condition{hint}' },
  MW1304: { severity: 'error', message: '"{pattern}" matches no search identifier' },
  MW1305: { severity: 'error', message: 'unbalanced parentheses: {detail}' },
  MW1306: { severity: 'error', message: 'unexpected "{token}" in condition: expected {expected}' },
  MW1307: { severity: 'error', message: 'unsupported quantifier "{value}": expected 1, any or all' },
  MW1308: { severity: 'error', message: 'condition ends unexpectedly: expected {expected}' },
  MW1309: {
    severity: 'error',
    message: 'sigma 1 aggregation "{text}" is not supported: write a correlation rule',
  },

  // --- correlation and filter documents ---
  MW1400: { severity: 'error', message: 'unknown correlation type "{value}": expected {expected}' },
  MW1401: { severity: 'error', message: '"rules" must be a non-empty list of rule ids or names' },
  MW1402: {
    severity: 'error',
    message: 'invalid timespan "{value}": expected a whole number followed by s, m, h or d (e.g. 90m)',
  },
  MW1403: { severity: 'error', message: 'unknown correlation condition operator "{value}": expected {expected}' },
  MW1404: { severity: 'error', message: 'correlation type {type} needs "field" in its condition' },
  MW1405: { severity: 'error', message: 'correlation condition "{op}" must be a number, got "{value}"' },
  MW1406: { severity: 'error', message: 'correlation type {type} needs "{name}"' },
  MW1407: { severity: 'error', message: 'alias "{alias}" must map rule names to field names' },
  MW1408: { severity: 'warning', message: 'alias "{alias}" names rule "{rule}", which the correlation does not list' },
  MW1409: { severity: 'error', message: 'correlation condition needs at least one of {expected}' },
  MW1410: { severity: 'warning', message: 'correlation type {type} ignores "field" in its condition' },
  MW1411: { severity: 'warning', message: 'group-by "{field}" is repeated' },
  MW1412: { severity: 'error', message: 'condition "{op}" and "{other}" cannot be combined' },
  MW1413: { severity: 'warning', message: 'unknown attribute "{name}" in the correlation section is ignored' },

  // --- linter ---
  MW1500: { severity: 'warning', message: 'id "{value}" is not a uuid' },
  MW1501: { severity: 'error', message: 'duplicate id "{value}" (also at {other})' },
  MW1502: { severity: 'error', message: 'duplicate name "{value}" (also at {other})' },
  MW1503: { severity: 'warning', message: '{name} "{value}" is not a date in the form YYYY-MM-DD' },
  MW1504: {
    severity: 'warning',
    message: 'tag "{value}" is malformed: use lower-case letters, digits, "_", "-" and "." as in attack.t1020.001',
  },
  MW1505: { severity: 'warning', message: 'tag "{value}" has unknown namespace "{namespace}": expected {expected}' },
  MW1506: { severity: 'error', message: 'title is {length} characters long: the limit is 256' },
  MW1507: { severity: 'warning', message: 'search identifier "{name}" is not used by the condition' },
  MW1508: {
    severity: 'warning',
    message: '"{name}" is left out of "them": identifiers starting with "_" are excluded',
  },
  MW1509: { severity: 'info', message: 'unknown attribute "{name}" is kept as custom metadata' },
  MW1510: { severity: 'warning', message: 'regular expression "{value}" uses {features}, outside the sigma regex subset' },
  MW1511: { severity: 'error', message: '{kind} refers to unknown rule "{value}"' },
  MW1512: { severity: 'warning', message: 'logsource sets none of category, product and service' },
  MW1513: { severity: 'warning', message: 'modified {modified} is before date {date}' },
  MW1514: { severity: 'info', message: '"all of them" is discouraged: it keeps users from adding filters' },
  MW1515: { severity: 'warning', message: 'related type "{value}" is unknown: expected {expected}' },
  MW1516: { severity: 'warning', message: 'logsource {name} "{value}" should be lower case with "_" for spaces' },
  MW1517: { severity: 'error', message: 'title is empty' },
  MW1518: { severity: 'warning', message: 'tag "{value}" is repeated' },
  MW1519: { severity: 'info', message: 'placeholder %{name}% must be resolved when the rule is compiled' },
} as const satisfies Record<string, SigmaDiagnosticTemplate>;

/** A code of the Sigma catalogue. */
export type SigmaDiagnosticCode = keyof typeof SIGMA_DIAGNOSTICS;

/** The argument names a template mentions, so a missing argument is a compile error. */
type TemplateParams<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | TemplateParams<Rest> : never;

/** The arguments a code's template needs. */
export type SigmaDiagnosticArgs<C extends SigmaDiagnosticCode> = Record<
  TemplateParams<(typeof SIGMA_DIAGNOSTICS)[C]['message']>,
  string | number
>;

/** Fills a template: `{name}` becomes `args.name`. */
export function formatSigmaMessage(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{([a-z]+)\}/gi, (whole: string, key: string) =>
    Object.prototype.hasOwnProperty.call(args, key) ? String(args[key]) : whole,
  );
}

/** Builds a located diagnostic from the catalogue; `severity` overrides the default when a check is softened. */
export function sigmaDiagnostic<C extends SigmaDiagnosticCode>(
  code: C,
  location: Location,
  args: SigmaDiagnosticArgs<C>,
  severity?: DiagnosticSeverity,
): Diagnostic {
  const entry: SigmaDiagnosticTemplate = SIGMA_DIAGNOSTICS[code];
  const d: Diagnostic = {
    code,
    severity: severity ?? entry.severity,
    message: formatSigmaMessage(entry.message, args as Record<string, string | number>),
  };
  if (location.file !== undefined) d.file = location.file;
  if (location.line !== undefined) d.line = location.line;
  if (location.column !== undefined) d.column = location.column;
  if (location.offset !== undefined) d.offset = location.offset;
  if (location.record !== undefined) d.record = location.record;
  return d;
}

/** Quotes a list of valid values for a message: `informational, low, medium, high, critical`. */
export function listValues(values: readonly string[]): string {
  return values.join(', ');
}
