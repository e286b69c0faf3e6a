/**
 * A character scanner shared by the query-language parsers under src/export/grammar/: each parser is a small
 * recursive-descent reading of one vendor grammar, scannerless (it looks at characters, not tokens) because every
 * language lexes its strings, regexes and field names differently. A syntax error is a GrammarError carrying the
 * offset, line and column in the query text.
 */

/** A query that does not parse, or breaks a rule of its language, with where. */
export class GrammarError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    readonly language: string,
    readonly offset: number,
    readonly reason: string,
    readonly text: string,
  ) {
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    super(`${language} ${line}:${column}: ${reason} (near ${JSON.stringify(text.slice(offset, offset + 24))})`);
    this.line = line;
    this.column = column;
  }
}

/** A cursor over a query text. */
export class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly language: string,
  ) {}

  /** True at the end of the text. */
  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** The character at `pos + n`, or '' past the end. */
  peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }

  /** Throws a GrammarError at `at` (default: the cursor). */
  fail(reason: string, at = this.pos): never {
    throw new GrammarError(this.language, at, reason, this.text);
  }

  /** Skips spaces, tabs and line breaks; returns true when any were skipped. */
  ws(): boolean {
    const start = this.pos;
    while (/[ \t\r\n\u00a0]/.test(this.peek())) this.pos++;
    return this.pos > start;
  }

  /** The match of a regex anchored at the cursor, without consuming it. */
  look(re: RegExp): RegExpExecArray | null {
    const sticky = new RegExp(re.source, re.flags.includes('y') ? re.flags : `${re.flags}y`);
    sticky.lastIndex = this.pos;
    return sticky.exec(this.text);
  }

  /** Consumes a literal or a regex match at the cursor; null (and nothing consumed) when absent. */
  eat(what: string | RegExp): string | null {
    if (typeof what === 'string') {
      if (this.text.startsWith(what, this.pos)) {
        this.pos += what.length;
        return what;
      }
      return null;
    }
    const m = this.look(what);
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  /** Consumes what must come next or fails naming what was expected. */
  expect(what: string | RegExp, name?: string): string {
    const got = this.eat(what);
    if (got === null) this.fail(`expected ${name ?? (typeof what === 'string' ? JSON.stringify(what) : what.source)}`);
    return got;
  }

  /**
   * Consumes a keyword (a whole word: not followed by an identifier character); `ci` makes it case-insensitive.
   * Returns false (nothing consumed) when the next word is something else.
   */
  keyword(word: string, ci = false, identChar = /[A-Za-z0-9_]/): boolean {
    const slice = this.text.slice(this.pos, this.pos + word.length);
    if (ci ? slice.toLowerCase() !== word.toLowerCase() : slice !== word) return false;
    if (identChar.test(this.text[this.pos + word.length] ?? '')) return false;
    this.pos += word.length;
    return true;
  }

  /** Like keyword() but without consuming. */
  atKeyword(word: string, ci = false, identChar = /[A-Za-z0-9_]/): boolean {
    const at = this.pos;
    const ok = this.keyword(word, ci, identChar);
    this.pos = at;
    return ok;
  }
}
