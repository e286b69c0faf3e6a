/** Helpers for the Sigma tests: build small rules around a detection section and compile them. */
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { formatDiagnostic } from '../../src/core/diagnostic.js';
import { compileRule } from '../../src/sigma/compile.js';
import type { CompiledRule, CompileOptions } from '../../src/sigma/compile.js';
import { loadRuleText } from '../../src/sigma/load.js';
import { objectTarget } from '../../src/sigma/match-target.js';
import type { LoadOptions, LoadResult } from '../../src/sigma/types.js';

/** Removes the common leading indentation of a template literal's lines. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n') + '\n';
}

/** A whole rule around a detection section (written without the `detection:` line). */
export function ruleText(detection: string): string {
  const body = dedent(detection)
    .split('\n')
    .map((l) => (l === '' ? l : `    ${l}`))
    .join('\n');
  return `title: Test rule\nlogsource:\n    product: test\ndetection:\n${body}`;
}

/** Loads a rule around a detection section. */
export function load(detection: string, options?: LoadOptions): LoadResult {
  return loadRuleText(ruleText(detection), 'test.yml', options);
}

/** Loads and compiles a rule that must load cleanly. */
export function compile(detection: string, options?: CompileOptions): CompiledRule {
  const r = load(detection);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), [], 'the rule should load without diagnostics');
  assert.equal(r.rules.length, 1);
  return compileRule(r.rules[0], options);
}

/** True when the rule around `detection` matches the event `fields`. */
export function matches(detection: string, fields: Record<string, unknown>): boolean {
  return compile(detection).match(objectTarget(fields));
}

/** The error diagnostics of loading a rule around a detection section (the rule must be rejected). */
export function loadErrors(detection: string, options?: LoadOptions): Diagnostic[] {
  const r = load(detection, options);
  assert.equal(r.rules.length, 0, 'a rule with errors is left out');
  return r.diagnostics.filter((d) => d.severity === 'error');
}

/** Asserts exactly one error with this code and returns it. */
export function oneError(detection: string, code: string, options?: LoadOptions): Diagnostic {
  const errors = loadErrors(detection, options);
  assert.deepEqual(
    errors.map((d) => d.code),
    [code],
    `expected ${code}, got ${errors.map(formatDiagnostic).join('; ')}`,
  );
  return errors[0];
}
