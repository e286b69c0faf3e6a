/** Shared pieces for command modules: option-value validation and the `--rules` convention. */
import { CLI } from './cli-diagnostic-codes.js';
import type { Parsed } from './options.js';
import { BUNDLED_RULES } from './paths.js';

/** A usage mistake found while validating options: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Returns a parsed option value or throws a UsageError naming the option. */
export function value<T>(p: Parsed<T>, option: string): T {
  if (!p.ok) throw new UsageError(`${CLI.badOption.code} ${option}: ${p.message}`);
  return p.value;
}

/** Commander collector for repeatable options. */
export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** Resolves `--rules` values: `default` (or none given) means the bundled pack. */
export function ruleDirs(given: string[] | undefined): string[] {
  if (!given || given.length === 0) return [BUNDLED_RULES];
  return given.map((d) => (d === 'default' || d === 'bundled' ? BUNDLED_RULES : d));
}

/** Receives a command's exit code. */
export type SetCode = (code: number) => void;
