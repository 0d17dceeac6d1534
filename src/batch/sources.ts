import { createReadStream, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { typeAndId, type RawResource } from '../fhir/compartment.js';
import { limits, nestsDeeperThan } from '../limits.js';
import type { Origin } from './patient-store.js';

/** A problem with one part of the input: the run records it and goes on. */
export interface InputProblem {
  readonly file: string;
  readonly line?: number;
  readonly entry?: number;
  /** The patient the broken part seems to belong to, when it names exactly one. */
  readonly patient?: string;
  readonly message: string;
  /**
   * The file could not be read to its end (a truncated or corrupt gzip, a read error): what followed is unknown. The
   * resource types read from it before the break say which kinds of record may be missing for every patient.
   */
  readonly cut?: { readonly types: readonly string[] };
}

export type SourceItem =
  | {
      readonly kind: 'resource';
      readonly resource: RawResource;
      readonly json: string;
      readonly fullUrl: string | null;
      readonly origin: Origin;
      readonly resolve: (reference: unknown) => string | null;
      /** References resolve within the file first (a Bundle), not only across the department (NDJSON). */
      readonly scoped: boolean;
    }
  | { readonly kind: 'problem'; readonly problem: InputProblem };

/** The input cannot be read at all (missing, unreadable, nothing in it to read): exit code 2. */
export class UnreadableInput extends Error {
  override readonly name = 'UnreadableInput';
}

export interface InputFile {
  readonly path: string;
  readonly format: 'bundle' | 'ndjson';
  readonly bytes: number;
  /** Listed in the folder but not readable (a dangling link, a vanished file): an error record, the run goes on. */
  readonly unreadable?: string;
}

export interface InputPlan {
  readonly kind: 'bundle' | 'ndjson' | 'folder';
  readonly files: readonly InputFile[];
  readonly bytes: number;
}

const NDJSON = /\.(ndjson|jsonl)(\.gz)?$/i;
const JSON_FILE = /\.json$/i;

/** What PATH is: a Bundle file, an NDJSON file, or a folder of Bundles and/or Bulk Data NDJSON files. */
export async function planInput(path: string): Promise<InputPlan> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UnreadableInput(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (info.isFile()) {
    const format = NDJSON.test(path) ? 'ndjson' : 'bundle';
    return { kind: format, files: [{ path, format, bytes: info.size }], bytes: info.size };
  }
  if (!info.isDirectory()) throw new UnreadableInput(`${path} is neither a file nor a folder`);
  let names: string[];
  try {
    names = (await readdir(path)).sort();
  } catch (error) {
    throw new UnreadableInput(`cannot read the folder ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const files: InputFile[] = [];
  for (const name of names) {
    const format = NDJSON.test(name) ? 'ndjson' : JSON_FILE.test(name) ? 'bundle' : null;
    if (!format) continue;
    const file = join(path, name);
    const entry = await stat(file).then(
      (s): InputFile | null => (s.isFile() ? { path: file, format, bytes: s.size } : null),
      (error: NodeJS.ErrnoException): InputFile => ({ path: file, format, bytes: 0, unreadable: error.code ?? 'error' }),
    );
    if (entry) files.push(entry);
  }
  if (files.length === 0) throw new UnreadableInput(`${path} holds no FHIR Bundle (.json) or Bulk Data (.ndjson) file`);
  return { kind: 'folder', files, bytes: files.reduce((sum, f) => sum + f.bytes, 0) };
}

/**
 * Why a text is not JSON, without quoting it: V8's message can carry a piece of the line (a name, a note), and an
 * error record goes wherever the results go.
 */
export function notJson(error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return `not valid JSON${position ? ` (at character ${Number(position) + 1})` : ''}`;
}

/** A patient reference in text that could not be parsed: names the patient of a broken line when it is the only one. */
function patientIn(text: string): string | undefined {
  const found = new Set([...text.matchAll(/"reference"\s*:\s*"(?:[^"]*\/)?Patient\/([A-Za-z0-9\-.]{1,64})"/g)].map((m) => `Patient/${m[1]}`));
  const own = /"resourceType"\s*:\s*"Patient"/.test(text) ? /"id"\s*:\s*"([A-Za-z0-9\-.]{1,64})"/.exec(text) : null;
  if (own) found.add(`Patient/${own[1]}`);
  return found.size === 1 ? [...found][0] : undefined;
}

const isResource = (value: unknown): value is RawResource =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { resourceType?: unknown }).resourceType === 'string';

/** One NDJSON line: a resource, or a problem naming the file (or body) and line. Blank lines give nothing. */
export function ndjsonItem(text: string, file: string, line: number): SourceItem | null {
  if (text.trim() === '') return null;
  const { maxDepth } = limits();
  // Before parsing: a line nested deeper than any record would cost what the parse, the copy and the store cost.
  if (nestsDeeperThan(text, maxDepth))
    return { kind: 'problem', problem: { file, line, message: `nests deeper than ${maxDepth} levels (MAX_JSON_DEPTH): not read` } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const patient = patientIn(text);
    return { kind: 'problem', problem: { file, line, ...(patient ? { patient } : {}), message: notJson(error) } };
  }
  if (!isResource(value)) return { kind: 'problem', problem: { file, line, message: 'not a FHIR resource (no resourceType)' } };
  return { kind: 'resource', resource: value, json: text, fullUrl: null, origin: { file, line }, resolve: typeAndId, scoped: false };
}

/** One line of a byte stream, or a line longer than the limit (never held: its bytes are dropped as they come). */
type Line = { readonly text: string } | { readonly tooLong: number };

/**
 * Splits a byte stream into lines without holding more than `maxBytes` of one line: a 700 MB line inside a small
 * .ndjson.gz is counted and dropped as it streams, then reported, and the next line is read as usual. The lines of
 * each chunk come together (one step of the async iteration per chunk, not per line).
 */
async function* linesOf(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Line[]> {
  let parts: Buffer[] = [];
  let length = 0;
  let dropped = 0;
  const finish = (): Line => {
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
    const line: Line = dropped > 0 ? { tooLong: dropped + length } : { text: stripCr(bytes.toString('utf8')) };
    parts = [];
    length = 0;
    dropped = 0;
    return line;
  };
  for await (const chunk of input) {
    const lines: Line[] = [];
    let from = 0;
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, from)) {
      take(chunk.subarray(from, at));
      lines.push(finish());
      from = at + 1;
    }
    take(chunk.subarray(from));
    if (lines.length > 0) yield lines;
  }
  if (length > 0 || dropped > 0) yield [finish()];

  function take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (dropped > 0 || length + piece.length > maxBytes) {
      dropped += length + piece.length;
      parts = [];
      length = 0;
      return;
    }
    parts.push(piece);
    length += piece.length;
  }
}

/** Read in pieces of 256 KB: fewer steps through the stream than its default 64 KB. */
const READ_CHUNK_BYTES = 256 * 1024;

const stripCr = (text: string) => (text.endsWith('\r') ? text.slice(0, -1) : text);

/**
 * Reads one NDJSON file line by line (gzip when it ends in .gz): one resource per line. A line over the limit is an
 * error record; a file that cannot be read to its end (truncated or corrupt gzip) is one too, saying it was cut.
 */
async function* ndjsonFile(path: string, onBytes: (n: number) => void): AsyncGenerator<SourceItem[]> {
  const { maxLineBytes } = limits();
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  raw.on('data', (chunk) => onBytes(chunk.length));
  const input: AsyncIterable<Buffer> = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let line = 0;
  const types = new Set<string>();
  try {
    for await (const reads of linesOf(input, maxLineBytes)) {
      const items: SourceItem[] = [];
      for (const read of reads) {
        line += 1;
        if ('tooLong' in read) {
          items.push({
            kind: 'problem',
            problem: { file: path, line, message: `a line of ${read.tooLong} bytes, longer than ${maxLineBytes} (MAX_NDJSON_LINE_BYTES): not read` },
          });
          continue;
        }
        const item = ndjsonItem(read.text, path, line);
        if (item?.kind === 'resource') types.add(item.resource.resourceType);
        if (item) items.push(item);
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'Z_BUF_ERROR'
        ? 'the gzip stream ends early (a truncated file)'
        : code?.startsWith('Z_')
          ? 'the gzip stream is corrupt'
          : `it could not be read (${code ?? 'read error'})`;
    yield [
      {
        kind: 'problem',
        problem: {
          file: path,
          line: line + 1,
          message: `the file stops at line ${line + 1}: ${why}; what followed is unknown`,
          cut: { types: [...types] },
        },
      },
    ];
  } finally {
    raw.destroy();
  }
}

/** Reads one Bundle file: its entries, with references resolved through the Bundle's fullUrls. */
async function* bundleFile(path: string, bytes: number, onBytes: (n: number) => void): AsyncGenerator<SourceItem[]> {
  const { maxBundleFileBytes, maxDepth } = limits();
  if (bytes > maxBundleFileBytes) {
    yield [
      {
        kind: 'problem',
        problem: {
          file: path,
          message: `${bytes} bytes, more than ${maxBundleFileBytes} (MAX_BUNDLE_FILE_BYTES): not read; split it, or export as NDJSON`,
        },
      },
    ];
    return;
  }
  let value: unknown;
  try {
    const text = await readFile(path, 'utf8');
    onBytes(Buffer.byteLength(text));
    if (nestsDeeperThan(text, maxDepth)) {
      yield [{ kind: 'problem', problem: { file: path, message: `nests deeper than ${maxDepth} levels (MAX_JSON_DEPTH): not read` } }];
      return;
    }
    value = JSON.parse(text);
  } catch (error) {
    yield [
      {
        kind: 'problem',
        problem: {
          file: path,
          message: (error as NodeJS.ErrnoException).code ? `cannot read: ${(error as NodeJS.ErrnoException).code}` : notJson(error),
        },
      },
    ];
    return;
  }
  if (!isResource(value) || value.resourceType !== 'Bundle') {
    yield [{ kind: 'problem', problem: { file: path, message: 'not a FHIR Bundle (resourceType must be "Bundle")' } }];
    return;
  }
  const entries = Array.isArray(value.entry) ? (value.entry as unknown[]) : [];
  const byFullUrl = new Map<string, string>();
  for (const entry of entries) {
    const { fullUrl, resource } = (entry ?? {}) as { fullUrl?: unknown; resource?: unknown };
    if (typeof fullUrl === 'string' && isResource(resource) && typeof resource.id === 'string')
      byFullUrl.set(fullUrl, `${resource.resourceType}/${resource.id}`);
  }
  const resolve = (reference: unknown) => (typeof reference === 'string' ? (byFullUrl.get(reference) ?? typeAndId(reference)) : null);
  // The Bundle is in memory already: its entries go in pieces, so that the run still takes turns with the event loop.
  let items: SourceItem[] = [];
  for (const [index, entry] of entries.entries()) {
    if (items.length >= 256) {
      yield items;
      items = [];
    }
    const { fullUrl, resource } = (entry ?? {}) as { fullUrl?: unknown; resource?: unknown };
    if (!isResource(resource)) {
      items.push({ kind: 'problem', problem: { file: path, entry: index, message: `Bundle.entry[${index}].resource is not a FHIR resource` } });
      continue;
    }
    items.push({
      kind: 'resource',
      resource,
      json: JSON.stringify(resource),
      fullUrl: typeof fullUrl === 'string' ? fullUrl : null,
      origin: { file: path, entry: index },
      resolve,
      scoped: true,
    });
  }
  if (items.length > 0) yield items;
}

/** Every resource (or problem) of the input, file by file, a piece at a time; `onBytes` reports progress through the input. */
export async function* readInput(plan: InputPlan, onBytes: (n: number) => void = () => {}): AsyncGenerator<SourceItem[]> {
  for (const file of plan.files) {
    if (file.unreadable) {
      yield [{ kind: 'problem', problem: { file: file.path, message: `cannot read: ${file.unreadable}` } }];
      continue;
    }
    yield* file.format === 'ndjson' ? ndjsonFile(file.path, onBytes) : bundleFile(file.path, file.bytes, onBytes);
  }
}
