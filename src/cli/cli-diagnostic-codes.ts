/** Diagnostic codes for the command line and options (MW3000–MW3099). */
export const CLI = {
  usage: { code: 'MW3001', summary: 'invalid command line' },
  badOption: { code: 'MW3002', summary: 'an option has an invalid value' },
  output: { code: 'MW3003', summary: 'the output file cannot be written' },
  rules: { code: 'MW3004', summary: 'no usable rules were loaded' },
} as const;
