/**
 * What `rt-billing` says about itself: one overview, and each command's own usage with an example. Kept apart from
 * the commands so that `--help` and a mistyped command answer without loading the engine, SQLite or the charts.
 */
export interface CommandHelp {
  readonly synopsis: string;
  readonly about: string;
  readonly options: readonly (readonly [string, string])[];
  readonly examples: readonly string[];
}

const DATES: readonly (readonly [string, string])[] = [
  ['--as-of DATE', 'the date undated orders are evaluated as of (YYYY-MM-DD; default: today at the clinic)'],
  ['--time-zone ZONE', "the clinic's IANA zone (e.g. America/Chicago; default: CLINIC_TIME_ZONE), for dates of service"],
  ['--policies DIR', "a department's payer policy files (default: PAYER_POLICY_DIR), beside the shipped ones in policies/"],
];

const WORKERS: readonly [string, string] = [
  '--workers N',
  'threads that evaluate patients of a folder while the input is read and the output written (default: one per core, up to 8; at most 32; 0: none)',
];

const REMITTANCE: readonly [string, string] = [
  'REMITTANCE',
  'what the payer paid: X12 835 files or FHIR JSON (ExplanationOfBenefit, ClaimResponse use claim), joined to each patient',
];

export const COMMANDS = {
  evaluate: {
    synopsis:
      'rt-billing evaluate PATH [REMITTANCE...] [--format json|ndjson|csv] [--out FILE] [--as-of DATE] [--time-zone ZONE] [--policies DIR] [--workers N]',
    about:
      'Evaluates FHIR R4 against the 2026 radiation oncology billing rules. PATH is a Bundle file, a folder of Bundles, or a folder of FHIR Bulk Data NDJSON files ($export output, .ndjson or .ndjson.gz). Patients are evaluated one at a time, each on its own, on as many threads as the machine has cores; progress goes to stderr.',
    options: [
      ['--format json', 'one determination per patient and a summary (a single Bundle: its determination, as the API answers)'],
      ['--format ndjson', 'one line per patient, error lines where they occur, a {"summary": ...} line last'],
      ['--format csv', 'one line per billable line or finding'],
      ['--out FILE', 'write there instead of stdout'],
      REMITTANCE,
      ...DATES,
      WORKERS,
    ],
    examples: [
      'rt-billing evaluate fixtures/a4-left-breast-breath-hold-surface-monitored.json',
      'rt-billing evaluate export/ --format ndjson --out results.ndjson',
    ],
  },
  report: {
    synopsis: 'rt-billing report PATH [REMITTANCE...] --html FILE [--as-of DATE] [--time-zone ZONE] [--policies DIR] [--workers N]',
    about:
      'Writes one self-contained HTML report (works offline): money billable, at risk until signed and lost; every warning and critical with its deadline; the 77412 share by month; charges to fix; signatures due; signature timeliness. PATH is what evaluate reads, or its NDJSON output.',
    options: [['--html FILE', 'where to write the report (required)'], REMITTANCE, ...DATES, WORKERS],
    examples: ['rt-billing report export/ --html report.html', 'rt-billing report results.ndjson --html report.html'],
  },
  appeal: {
    synopsis: 'rt-billing appeal BUNDLE REMITTANCE... --out DIR [--as-of DATE] [--time-zone ZONE] [--policies DIR]',
    about:
      'Writes an appeal packet for each remittance line the record supports against the payer (E-DENIED-26, E-ZERO-PAY, E-DOWNCODE, E-AUTH, E-NOT-ADOPTED, E-UNDERPAID): DIR/NAME.html (printable) and DIR/NAME.json (an R4 DocumentReference whose content is that document), NAME being the session date, its Encounter id and the code.',
    options: [['--out DIR', 'the folder the packets are written to (required)'], REMITTANCE, ...DATES],
    examples: ['rt-billing appeal patient.json march.835 --out appeals/'],
  },
  merge: {
    synopsis: 'rt-billing merge SHARD.ndjson... [--out FILE]',
    about: 'Joins the NDJSON outputs of shards (a department split by patient) into one, with one summary.',
    options: [['--out FILE', 'write there instead of stdout']],
    examples: ['rt-billing merge shard-*.ndjson --out department.ndjson'],
  },
} as const satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMANDS;

export const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name);

const EXIT_CODES =
  'Exit codes: 0 everything was read; 3 some lines or resources could not be read (error records say which); 2 the input cannot be read at all, or usage.';

/** `rt-billing` alone, or `--help`: the commands, one line each, and how to ask about one. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: rt-billing COMMAND ...',
    '',
    ...Object.entries(COMMANDS).map(([name, help]) => `  ${name.padEnd(width)}  ${help.synopsis.replace('rt-billing ', '')}`),
    '',
    'rt-billing COMMAND --help   the usage of one command, with examples',
    '',
    EXIT_CODES,
  ].join('\n');
}

/** One command's usage: synopsis, what it does, its options and examples. */
export function commandUsage(name: CommandName): string {
  const help: CommandHelp = COMMANDS[name];
  const width = Math.max(...help.options.map(([flag]) => flag.length));
  return [
    `Usage: ${help.synopsis}`,
    '',
    help.about,
    '',
    ...help.options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    'Examples:',
    ...help.examples.map((example) => `  ${example}`),
    '',
    EXIT_CODES,
  ].join('\n');
}
