/**
 * Diagnostic codes for input handling that is not specific to one format (MW2000–MW2099): files, compression,
 * encoding, format recognition.
 */
import type { CodeInfo } from '../core/diagnostic.js';

/** Input diagnostics, by name. */
export const INPUT = {
  notFound: { code: 'MW2001', severity: 'error', summary: 'input path does not exist' },
  unreadable: { code: 'MW2002', severity: 'error', summary: 'input cannot be read (permissions or I/O error)' },
  unknownFormat: { code: 'MW2003', severity: 'error', summary: 'content is not a format mirrorwatch reads' },
  binary: { code: 'MW2004', severity: 'error', summary: 'binary content that is not a supported compression' },
  unsupportedCompression: { code: 'MW2005', severity: 'error', summary: 'compression format not supported' },
  truncatedGzip: { code: 'MW2006', severity: 'error', summary: 'gzip stream is truncated or corrupt' },
  invalidUtf8: { code: 'MW2007', severity: 'error', summary: 'invalid UTF-8; bytes replaced with U+FFFD' },
  empty: { code: 'MW2008', severity: 'info', summary: 'empty input' },
  skipped: { code: 'MW2009', severity: 'info', summary: 'input recognised and skipped on purpose' },
  notAFile: { code: 'MW2010', severity: 'warning', summary: 'not a regular file (socket, device); skipped' },
} as const satisfies Record<string, CodeInfo>;
