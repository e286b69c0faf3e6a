/**
 * `npm run build` runs this after compiling: parses the rule files under the given directories (default: the
 * bundled `rules/`) and writes the parse cache (`parse-cache.ts`) beside the compiled loader.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { findRuleFiles, parseRuleText } from './load.js';
import { buildParseCache, PARSE_CACHE_URL } from './parse-cache.js';

const dirs = process.argv.slice(2);
const paths = dirs.length > 0 ? dirs : [fileURLToPath(new URL('../../../rules', import.meta.url))];
const files = await findRuleFiles(paths, (d) => process.stderr.write(`${d.code} ${d.message}\n`));
const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
const { bytes, files: cached } = buildParseCache(texts, (text, file) => parseRuleText(text, file));
await writeFile(PARSE_CACHE_URL, bytes);
process.stdout.write(`rule parse cache: ${cached} of ${files.length} files, ${bytes.length} bytes\n`);
