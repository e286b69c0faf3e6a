/**
 * Runs one DuckDB query (the benchmark's DuckDB peer) and prints the event ids it returns, one per line. Usage:
 * `node dist/bench/duckdb-query.js archive <glob>` or `… ndjson <file>`. DuckDB uses all cores, as it does by default.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbArchiveSql, duckdbNdjsonSql } from './peers.js';

const [kind, target] = process.argv.slice(2);
if ((kind !== 'archive' && kind !== 'ndjson') || !target) {
  process.stderr.write('usage: duckdb-query.js archive <glob> | ndjson <file>\n');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(kind === 'archive' ? duckdbArchiveSql(target) : duckdbNdjsonSql(target));
const out: string[] = [];
for (const row of reader.getRows()) out.push(String(row[0]));
process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
