import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The golden cases in ../shared/cases: FHIR Bundle + expected determination (the acceptance tests). */
export const CASES_DIR = fileURLToPath(new URL('../../../shared/cases/', import.meta.url));

export interface ExpectedSession {
  fractions: string[];
  deliveryCode?: string | null;
  supportedDeliveryCode?: string | null;
  igrtProfessional?: string | null;
  igrtStatus?: string;
  outOfFamilyContains?: string;
  findingRules: string[];
  absentFindingRules: string[];
}

export interface ExpectedOrder {
  order: string;
  expectedDeliveryCode: string | null;
  findingRules: string[];
  absentFindingRules: string[];
}

export interface GoldenCase {
  name: string;
  bundle: unknown;
  expected: {
    description: string;
    rules: string[];
    sessions: ExpectedSession[];
    orders: ExpectedOrder[];
    notBilled?: string[];
    sessionCount?: number;
    topFindingRules?: string[];
    absentTopFindingRules?: string[];
  };
}

/** The cases of a folder in the format of ../shared/cases (`X.bundle.json` beside `X.expected.json`). */
export function goldenCases(dir: string = CASES_DIR): GoldenCase[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.bundle.json'))
    .sort()
    .map((file) => {
      const name = file.replace('.bundle.json', '');
      return {
        name,
        bundle: JSON.parse(readFileSync(join(dir, file), 'utf8')),
        expected: JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')),
      };
    });
}

export function goldenCase(name: string): GoldenCase {
  const found = goldenCases().find((c) => c.name === name);
  if (!found) throw new Error(`no golden case ${name}`);
  return found;
}
