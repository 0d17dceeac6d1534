import { commandUsage, isCommand, overview, type CommandName } from './usage.js';

export interface Terminal {
  /** stderr is a terminal (progress bar) or not (plain lines). */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Parsed {
  readonly command: string | undefined;
  readonly paths: string[];
  readonly flags: Map<string, string>;
}

const VALUE_FLAGS = new Set(['--format', '--out', '--html', '--as-of', '--time-zone', '--policies', '--workers']);

function parse(args: readonly string[]): Parsed | string {
  const [command, ...rest] = args;
  const paths: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [name, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    if (!arg.startsWith('--')) paths.push(arg);
    else if (!VALUE_FLAGS.has(name)) return `unknown option ${name}`;
    else {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') return `${name} needs a value`;
      flags.set(name, value);
    }
  }
  return { command, paths, flags };
}

/** How dates are read: the as-of date of undated orders and the clinic's time zone. */
export interface Dating {
  readonly asOf: string;
  readonly clinicTimeZone: string | null;
}

const HELP = new Set(['--help', '-h']);

/** What a command needs besides its options, or the problem in plain words (with its usage after it). */
function missing(command: CommandName, parsed: Parsed): string | null {
  const { paths, flags } = parsed;
  const workers = flags.get('--workers');
  if (workers !== undefined && !(/^\d{1,2}$/.test(workers) && Number(workers) <= 32))
    return '--workers must be a whole number from 0 to 32 (0: evaluate on the main thread)';
  switch (command) {
    case 'evaluate':
      if (flags.has('--html')) return '--html belongs to "rt-billing report"';
      return paths.length === 0 ? 'PATH is missing: a Bundle file, a folder of Bundles, or a Bulk Data export folder' : null;
    case 'report':
      if (paths.length === 0) return 'PATH is missing: what evaluate reads, or its NDJSON output';
      return flags.has('--html') ? null : '--html FILE is missing: the report is written to one HTML file';
    case 'appeal':
      if (paths.length < 2)
        return paths.length === 0 ? 'BUNDLE is missing' : 'REMITTANCE is missing: the 835 or ExplanationOfBenefit files to appeal';
      return flags.has('--out') ? null : '--out DIR is missing: the folder the packets are written to';
    case 'merge':
      return paths.length === 0 ? 'SHARD.ndjson is missing: the NDJSON outputs of evaluate to join' : null;
    default:
      return null;
  }
}

/**
 * Runs the CLI; returns the exit code. Output goes through the given writers (tests pass their own). Help and usage
 * errors answer before any command module loads.
 */
export async function runCli(
  args: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
  terminal: Terminal = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) {
    err(`${overview()}\n`);
    return 2;
  }
  if (HELP.has(first) || first === 'help') {
    const about = rest[0];
    out(`${isCommand(about) ? commandUsage(about) : overview()}\n`);
    return 0;
  }
  if (!isCommand(first)) {
    err(`rt-billing: unknown command ${printable(first)}\n\n${overview()}\n`);
    return 2;
  }
  if (rest.some((arg) => HELP.has(arg))) {
    out(`${commandUsage(first)}\n`);
    return 0;
  }
  const parsed = parse(args);
  const problem = typeof parsed === 'string' ? parsed : missing(first, parsed);
  if (problem !== null || typeof parsed === 'string') {
    err(`rt-billing ${first}: ${printable(problem ?? '')}\n\n${commandUsage(first)}\n`);
    return 2;
  }
  // Only now what a run needs: validation (zod), then the command's modules (the engine, SQLite, the charts).
  const [{ CalendarDate, TimeZone, todayAtClinic }, { limitsFromEnv, useLimits }] = await Promise.all([
    import('../dates.js'),
    import('../limits.js'),
  ]);
  const zoneText = parsed.flags.get('--time-zone') ?? (env.CLINIC_TIME_ZONE || undefined);
  const zone = zoneText === undefined ? null : TimeZone.safeParse(zoneText);
  if (zone !== null && !zone.success) {
    const from = parsed.flags.has('--time-zone') ? '--time-zone' : 'CLINIC_TIME_ZONE';
    err(`rt-billing: ${from} ${zoneText}: ${zone.error.issues[0]?.message ?? 'must be an IANA time-zone name'}\n`);
    return 2;
  }
  const clinicTimeZone = zone?.data ?? null;
  const chosenLimits = limitsFromEnv(env);
  if (typeof chosenLimits === 'string') {
    err(`rt-billing: ${chosenLimits}\n`);
    return 2;
  }
  useLimits(chosenLimits);
  const asOf = CalendarDate.safeParse(parsed.flags.get('--as-of') ?? todayAtClinic(clinicTimeZone));
  if (!asOf.success) {
    err(`rt-billing: --as-of ${parsed.flags.get('--as-of')}: ${asOf.error.issues[0]?.message ?? 'must be a date as YYYY-MM-DD'}\n`);
    return 2;
  }
  const dates: Dating = { asOf: asOf.data, clinicTimeZone };
  const [commands, { loadPolicies, PolicyError }, { usePolicies }] = await Promise.all([
    import('./commands.js'),
    import('../policies/load.js'),
    import('../policies/registry.js'),
  ]);
  try {
    const departmentDir = parsed.flags.get('--policies') ?? (env.PAYER_POLICY_DIR || null);
    usePolicies(loadPolicies(departmentDir), departmentDir);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    err(`rt-billing: payer policy ${printable(error.message)}\n`);
    return 2;
  }
  try {
    switch (first) {
      case 'evaluate':
        return await commands.evaluateCommand(parsed, dates, out, err, terminal);
      case 'report':
        return await commands.reportCommand(parsed, dates, err, terminal);
      case 'merge':
        return await commands.mergeCommand(parsed, out, err);
      case 'appeal':
        return await commands.appealCommand(parsed, dates, err);
    }
  } catch (error) {
    if (error instanceof commands.UnreadableInput) {
      err(`rt-billing: ${printable(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * Text from outside (a file name, an error about a file) as stderr may show it: control characters (terminal escapes)
 * become "?", so that a crafted name cannot drive the terminal.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += (code < 0x20 && char !== '\n' && char !== '\t') || (code >= 0x7f && code <= 0x9f) ? '?' : char;
  }
  return out;
}
