import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { CalendarDate, todayUtc } from '../dates.js';
import { determineBundle } from '../pipeline.js';

const USAGE = `Usage: rt-billing evaluate FILE [--as-of YYYY-MM-DD]

Evaluates a FHIR R4 Bundle (JSON) against the 2026 radiation oncology billing rules and prints the
determination (sessions, orders, phases, findings) as JSON on stdout.

  --as-of YYYY-MM-DD   the date undated orders are evaluated as of (default: today, UTC)

Exit codes: 0 evaluated; 2 invalid input or usage.`;

interface Arguments {
  readonly file: string;
  readonly asOf: string;
}

/** `evaluate FILE [--as-of DATE]`, in any order; `null` when the words do not fit. */
function parseArguments(args: readonly string[]): Arguments | string | null {
  const [command, ...rest] = args;
  if (command !== 'evaluate') return null;
  let file: string | undefined;
  let asOf: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === '--as-of' || word.startsWith('--as-of=')) {
      const value = word === '--as-of' ? rest[++i] : word.slice('--as-of='.length);
      const parsed = CalendarDate.safeParse(value);
      if (!parsed.success) return `--as-of ${value ?? ''}: ${parsed.error.issues[0]?.message ?? 'must be a date as YYYY-MM-DD'}`;
      asOf = parsed.data;
    } else if (file === undefined && !word.startsWith('--')) file = word;
    else return null;
  }
  return file === undefined ? null : { file, asOf: asOf ?? todayUtc() };
}

/** Runs the CLI; returns the exit code. Output goes through the given writers (tests pass their own). */
export async function runCli(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    out(`${USAGE}\n`);
    return 0;
  }
  const parsed = parseArguments(args);
  if (parsed === null || typeof parsed === 'string') {
    err(`${typeof parsed === 'string' ? `rt-billing: ${parsed}\n\n` : ''}${USAGE}\n`);
    return 2;
  }
  const { file, asOf } = parsed;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    err(`rt-billing: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    err(`rt-billing: ${file} is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    out(`${JSON.stringify(determineBundle(json, { asOf }), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    err(`rt-billing: ${file} is not a valid FHIR Bundle:\n${error.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}\n`);
    return 2;
  }
}
