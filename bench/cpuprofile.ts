/**
 * A small summariser of V8 CPU profiles (`node --cpu-prof`): the top functions by self time, the top functions
 * and files by inclusive time, and inclusive time by component (a package in node_modules, a folder of src/).
 * Locations in dist/ are mapped back to the TypeScript through the build's source maps. Samples can be limited
 * to a window of the profile's clock (process.hrtime in µs), so start-up and warm-up stay out.
 *
 * Alone: `node dist/bench/cpuprofile.js FILE.cpuprofile [top]` (the window from FILE.cpuprofile.window.json when
 * the profile mode wrote one).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  readonly label: string;
  readonly ms: number;
  readonly pct: number;
}

export interface ProfileSummary {
  /** Sampled time in the window, idle excluded. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly selfByFunction: Share[];
  /** Self time summed by component (natives charged to their caller's): additive, the shares make 100 %. */
  readonly selfByComponent: Share[];
  readonly inclusiveByFunction: Share[];
  readonly inclusiveByFile: Share[];
  readonly inclusiveByComponent: Share[];
}

/** The repository root (dist/bench/cpuprofile.js → ../..). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

class Locations {
  private readonly maps = new Map<string, SourceMap | null>();

  /** `src/engine/evaluate.ts:42` (1-based) for a frame; node_modules and node internals as they are. */
  file(frame: CallFrame): { file: string; line: number } {
    if (!frame.url) return { file: SPECIAL.has(frame.functionName) ? frame.functionName : '(native)', line: 0 };
    if (!frame.url.startsWith('file://')) return { file: frame.url, line: frame.lineNumber + 1 };
    const path = fileURLToPath(frame.url);
    const map = this.mapOf(path);
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
      return { file: relative(ROOT, source), line: (entry.originalLine ?? 0) + 1 };
    }
    const rel = relative(ROOT, path);
    return { file: rel.startsWith('..') ? path : rel, line: frame.lineNumber + 1 };
  }

  private mapOf(path: string): SourceMap | null {
    if (!this.maps.has(path)) {
      const mapPath = `${path}.map`;
      let map: SourceMap | null = null;
      if (path.startsWith(resolve(ROOT, 'dist')) && existsSync(mapPath)) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as never);
        } catch {
          map = null;
        }
      }
      this.maps.set(path, map);
    }
    return this.maps.get(path)!;
  }
}

/** node_modules/<package> (scoped packages whole), a folder of the project (src/engine), node internals, natives. */
function componentOf(file: string): string {
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + 'node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? file);
  }
  if (file.startsWith('node:')) return file.startsWith('node:internal/') ? `node:${file.split('/')[1] ?? 'internal'}` : file;
  const parts = file.split('/');
  if (parts[0] === 'src' || parts[0] === 'cds-services' || parts[0] === 'bench') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
  return file;
}

export function summariseProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, top = 15): ProfileSummary {
  const locations = new Locations();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Time per node in the window: each sample weighs the delta that preceded it.
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + delta);
  }

  const labels = new Map<number, { fn: string; file: string; component: string }>();
  const labelOf = (id: number) => {
    let label = labels.get(id);
    if (!label) {
      const frame = byId.get(id)!.callFrame;
      const { file, line } = locations.file(frame);
      const name = frame.functionName || '(anonymous)';
      label = { fn: SPECIAL.has(name) ? name : `${name} ${file}${line ? `:${line}` : ''}`, file, component: componentOf(file) };
      labels.set(id, label);
    }
    return label;
  };

  const self = new Map<string, number>();
  const selfComponent = new Map<string, number>();
  const inclusiveFn = new Map<string, number>();
  const inclusiveFile = new Map<string, number>();
  const inclusiveComponent = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  for (const [id, us] of selfUs) {
    const leaf = labelOf(id);
    if (leaf.fn === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    // A native (JSON.parse, writev…) has no location of its own: it is named with, and charged to, its caller.
    let caller = parent.get(id);
    while (leaf.component === '(native)' && caller !== undefined && labelOf(caller).component === '(native)') caller = parent.get(caller);
    const charged = leaf.component === '(native)' && caller !== undefined && labelOf(caller).fn !== '(root)' ? labelOf(caller) : undefined;
    add(self, charged ? `${leaf.fn.replace(/ \(native\)$/, '')} (native) ← ${charged.fn}` : leaf.fn, us);
    add(selfComponent, charged ? charged.component : leaf.component, us);
    // A function (file, component) on the stack twice counts once: inclusive time never exceeds the total.
    const stack = { fn: new Set<string>(), file: new Set<string>(), component: new Set<string>() };
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const label = labelOf(node);
      if (label.fn === '(root)') continue;
      stack.fn.add(label.fn);
      stack.file.add(label.file);
      // Native frames (runMicrotasks, JSON.parse…) have no location: inclusively they would only say "on the stack".
      if (label.component !== '(native)') stack.component.add(label.component);
    }
    for (const fn of stack.fn) add(inclusiveFn, fn, us);
    for (const file of stack.file) add(inclusiveFile, file, us);
    for (const component of stack.component) add(inclusiveComponent, component, us);
  }
  const ranked = (map: Map<string, number>): Share[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, us]) => ({ label, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / busy) / 10 }));
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    selfByFunction: ranked(self),
    selfByComponent: ranked(selfComponent),
    inclusiveByFunction: ranked(inclusiveFn),
    inclusiveByFile: ranked(inclusiveFile),
    inclusiveByComponent: ranked(inclusiveComponent),
  };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

export function printSummary(title: string, summary: ProfileSummary, print: (line: string) => void = console.log): void {
  print(`\n${title}: ${summary.busyMs} ms sampled busy, ${summary.idleMs} ms idle (shares are of busy time)`);
  const section = (heading: string, shares: Share[]) => {
    print(`  ${heading}`);
    for (const share of shares) print(`  ${share.pct.toFixed(1).padStart(6)} %  ${String(share.ms).padStart(6)} ms  ${share.label}`);
  };
  section('self time by function', summary.selfByFunction);
  section('self time by component (a package, a folder of the project, node internals, natives)', summary.selfByComponent);
  section('inclusive time by component (a package, a folder of the project)', summary.inclusiveByComponent);
  section('inclusive time by file', summary.inclusiveByFile);
  section('inclusive time by function', summary.inclusiveByFunction);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/cpuprofile.js FILE.cpuprofile [top]');
    process.exit(2);
  }
  const windowFile = `${file}.window.json`;
  const window = existsSync(windowFile) ? (JSON.parse(readFileSync(windowFile, 'utf8')) as { fromUs: number; toUs: number }) : undefined;
  printSummary(`${file}${window ? ' (loaded window)' : ''}`, summariseProfile(readProfile(file), window, Number(top ?? 25)));
}
