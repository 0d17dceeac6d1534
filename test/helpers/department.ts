import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';

/** Runs the CLI in-process and captures stdout and stderr. */
export async function cli(args: string[], terminal: { isTTY?: boolean; columns?: number } = {}, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    (t) => (stdout += t),
    (t) => (stderr += t),
    terminal,
    env,
  );
  return { code, stdout, stderr };
}

const made: string[] = [];
/** A temporary folder, removed by {@link removeTempDirs} (call it in afterAll). */
export function tempDir(prefix = 'rt-billing-dept-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

interface BundleJson {
  entry: { fullUrl?: string; resource: { resourceType: string; id?: string } }[];
}

/** Writes a Bundle as a Bulk Data export: one NDJSON file per resource type, one resource per line. */
export function writeNdjsonExport(bundle: BundleJson, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const { resource } of bundle.entry) appendFileSync(join(dir, `${resource.resourceType}.ndjson`), `${JSON.stringify(resource)}\n`);
  return dir;
}

export const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as BundleJson;
export const patientOf = (bundle: BundleJson) => `Patient/${bundle.entry.find((e) => e.resource.resourceType === 'Patient')!.resource.id}`;
export const ndjsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Every case file (`NAME.bundle.json`) of the folders, in name order. */
export function goldenFiles(...dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.bundle.json'))
      .sort()
      .map((f) => join(dir, f)),
  );
}

export function copyInto(dir: string, files: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.split('/').pop()!), readFileSync(file));
  return dir;
}
