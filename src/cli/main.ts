import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { determineBundle } from '../pipeline.js';

const USAGE = `Usage: rt-billing evaluate FILE

Evaluates a FHIR R4 Bundle (JSON) against the 2026 radiation oncology billing rules and prints the
determination (sessions, orders, findings) as JSON on stdout.

Exit codes: 0 evaluated; 2 invalid input or usage.`;

/** Runs the CLI; returns the exit code. Output goes through the given writers (tests pass their own). */
export async function runCli(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const [command, file, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    out(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'evaluate' || !file || rest.length > 0) {
    err(`${USAGE}\n`);
    return 2;
  }
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
    out(`${JSON.stringify(determineBundle(json), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    err(`rt-billing: ${file} is not a valid FHIR Bundle:\n${error.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}\n`);
    return 2;
  }
}
