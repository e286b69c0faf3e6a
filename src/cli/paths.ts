/** Locations inside the installed package (the compiled CLI lives in `dist/src/cli/`). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The bundled T1020.001 rule pack. */
export const BUNDLED_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));

/** The bundled mappings (field aliases, export field maps). */
export const MAPPINGS_DIR = fileURLToPath(new URL('../../../mappings/', import.meta.url));

/** The package version, from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
