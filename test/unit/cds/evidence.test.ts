import { describe, expect, it } from 'vitest';
import { typeAndId } from '../../../src/cds/evidence.js';

describe('typeAndId: the Type/id of a reference, relative or absolute', () => {
  it.each([
    ['Procedure/fx-1', 'Procedure/fx-1'],
    ['https://ehr.example.org/fhir/Procedure/fx-1', 'Procedure/fx-1'],
    ['https://ehr.example.org/fhir/Procedure/fx-1/_history/2', 'Procedure/fx-1'],
  ])('%s → %s', (reference, expected) => {
    expect(typeAndId(reference)).toBe(expected);
  });

  it('a reference without a slash, a malformed one, or none, has no Type/id', () => {
    expect(typeAndId('fx-1')).toBeUndefined();
    expect(typeAndId('/fx-1')).toBeUndefined();
    expect(typeAndId('urn:uuid:7a1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5c')).toBeUndefined();
    expect(typeAndId(undefined)).toBeUndefined();
  });
});
