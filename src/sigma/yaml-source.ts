/**
 * Reading YAML nodes with their locations: every Sigma diagnostic points at the node it is about. Uses the `yaml`
 * package's CST-backed documents and a `LineCounter` (offsets → 1-based line and column).
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, ParsedNode, Scalar } from 'yaml';
import type { SourceLocation } from './types.js';

/** A YAML document being read, with the means to locate its nodes. */
export class YamlSource {
  constructor(
    readonly file: string,
    /** The whole text of the file (for mapping offsets inside scalars). */
    readonly text: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** The location of an offset in the file. */
  at(offset: number): SourceLocation {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  /** The location where a node starts (the document start when the node has no range). */
  loc(node: Node | null | undefined): SourceLocation {
    const range = node?.range;
    return this.at(range ? range[0] : (this.doc.range?.[0] ?? 0));
  }

  /** Follows an alias (`*anchor`) to the node it names. */
  deref(node: unknown): ParsedNode | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as ParsedNode | undefined) ?? null;
    return node as ParsedNode;
  }

  /** A node as plain JSON-like data (for custom attributes). */
  toJS(node: unknown): unknown {
    const n = this.deref(node);
    return n === null ? null : n.toJS(this.doc);
  }
}

/**
 * Maps an offset inside a scalar's value to a file location: exact for one-line plain and quoted scalars (escapes in
 * double quotes aside), the scalar's start otherwise.
 */
export function scalarOffsetLocator(src: YamlSource, node: ParsedNode): (offset: number) => SourceLocation {
  const range = node.range;
  if (!isScalar(node) || range === undefined) return () => src.loc(node);
  const raw = src.text.slice(range[0], range[1]);
  if (raw.includes('\n') || (node.type !== 'PLAIN' && node.type !== 'QUOTE_SINGLE' && node.type !== 'QUOTE_DOUBLE')) {
    return () => src.loc(node);
  }
  const base = range[0] + (node.type === 'PLAIN' ? 0 : 1);
  return (offset) => src.at(Math.min(base + offset, range[1]));
}

/** A short description of a node for messages: "a list", "a map", "a string", "a number", "null". */
export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string') return 'a string';
    if (typeof v === 'number') return 'a number';
    if (typeof v === 'boolean') return 'a boolean';
  }
  return 'an unsupported value';
}

/** A map entry with its key as text. */
export interface MapEntry {
  key: string;
  keyNode: Node | null;
  value: ParsedNode | null;
}

/** The entries of a YAML map; keys are read as text (`1: x` gives key "1"). */
export function mapEntries(src: YamlSource, node: ParsedNode): MapEntry[] {
  if (!isMap(node)) return [];
  const out: MapEntry[] = [];
  for (const pair of node.items) {
    const keyNode = src.deref(pair.key);
    const key = isScalar(keyNode) ? scalarText(keyNode) : String(src.toJS(keyNode));
    out.push({ key, keyNode, value: src.deref(pair.value) });
  }
  return out;
}

/** The text of a scalar: strings as they are, numbers as written in the source, booleans and null as words. */
export function scalarText(node: Scalar): string {
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && typeof node.source === 'string' && node.source !== '') return node.source;
  if (v === null || v === undefined) return '';
  return String(v);
}

/** Reads a string scalar (numbers and booleans written plainly are accepted as their text); else undefined. */
export function readString(node: ParsedNode | null): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return scalarText(node);
  return undefined;
}
