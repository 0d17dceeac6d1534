import { describe, expect, it } from 'vitest';
import { typeAndId } from '../../../src/cds/evidence.js';

describe('typeAndId: the Type/id of a reference, relative or absolute', () => {
  it.each([
    ['Procedure/fx-1', 'Procedure/fx-1'],
    ['https://ehr.example.org/fhir/Procedure/fx-1', 'Procedure/fx-1'],
    ['https://ehr.example.org/fhir/Procedure/fx-1/_history/2', 'Procedure/fx-1'],
    ['/fx-1', '/fx-1'],
    ['a//b', '/b'],
  ])('%s → %s', (reference, expected) => {
    expect(typeAndId(reference)).toBe(expected);
  });

  it('a reference without a slash, or none, has no Type/id', () => {
    expect(typeAndId('fx-1')).toBeUndefined();
    expect(typeAndId(undefined)).toBeUndefined();
  });
});
