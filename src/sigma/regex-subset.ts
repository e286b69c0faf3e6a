/**
 * The regular-expression subset Sigma guarantees across backends (spec v2.1, `sigma-appendix-modifiers.md`,
 * "Regular Expression"): `.`; anchors `^ $`; quantifiers `* + ? {n,m}`; classes `[a-z]`, `[^a-z]`; groups `()`;
 * alternation `|`; escaped metacharacters. Anything else may not convert to every query language, so the linter
 * warns about it. This is a scanner, not a validator: compile errors are the loader's job.
 */

/** The features of a pattern outside the Sigma subset, each named once, in order of appearance. */
export function regexOutsideSubset(pattern: string): string[] {
  const found: string[] = [];
  const add = (f: string): void => {
    if (!found.includes(f)) found.push(f);
  };
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) break;
      i++;
      if (/[dDwWsS]/.test(n)) add(`\\${n}`);
      else if (/[bBAZzG]/.test(n) && !inClass) add(`anchor \\${n}`);
      else if (/[1-9]/.test(n)) add(`backreference \\${n}`);
      else if (n === 'k') add('named backreference \\k');
      else if (n === 'p' || n === 'P') add(`unicode property \\${n}{…}`);
      else if (n === 'x' || n === 'u') add(`hex escape \\${n}`);
      else if (/[ntrfv0]/.test(n)) add(`escape \\${n}`);
      else if (/[a-zA-Z]/.test(n)) add(`escape \\${n}`);
      // Other escapes are escaped punctuation: literal characters, inside the subset.
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '[' && pattern[i + 1] === ':') add('posix class [:…:]');
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member, not the end.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith(':')) add('non-capturing group (?:…)');
      else if (rest.startsWith('=')) add('lookahead (?=…)');
      else if (rest.startsWith('!')) add('negative lookahead (?!…)');
      else if (rest.startsWith('<=')) add('lookbehind (?<=…)');
      else if (rest.startsWith('<!')) add('negative lookbehind (?<!…)');
      else if (rest.startsWith('<') || rest.startsWith('P<')) add('named group (?<name>…)');
      else if (rest.startsWith('>')) add('atomic group (?>…)');
      else add('inline flags (?…)');
      continue;
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && i > 0) {
      const n = pattern[i + 1];
      if (n === '?') {
        add(`lazy quantifier ${c === '}' ? '{…}' : c}?`);
        i++;
      } else if (n === '+') {
        add(`possessive quantifier ${c === '}' ? '{…}' : c}+`);
        i++;
      }
    }
  }
  return found;
}
