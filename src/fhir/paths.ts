import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { RTB } from '../engine/tables/snomed.js';

/**
 * Every FHIRPath expression the service evaluates, compiled once at start-up with the R4 model.
 * Namespaces as in spec/fhir-input.md.
 */
const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/';
const CODEXRT = 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/';

const MODALITY_AND_TECHNIQUE = `extension('${MCODE}mcode-radiotherapy-modality-and-technique')`;

export const EXPRESSIONS = {
  modality: `${MODALITY_AND_TECHNIQUE}.extension('${MCODE}mcode-radiotherapy-modality').value.coding`,
  technique: `${MODALITY_AND_TECHNIQUE}.extension('${MCODE}mcode-radiotherapy-technique').value.coding | extension('${RTB}StructureDefinition/rt-technique').value.coding`,
  isocenters: `extension('${RTB}StructureDefinition/isocenter-count').value`,
  imageGuidance: `extension('${CODEXRT}codexrt-image-guided-radiotherapy-modality').extension('modality').value.coding`,
  intrafraction: `extension('${CODEXRT}codexrt-intrafraction-verification').extension('procedure').value.coding`,
  respiratory: `extension('${CODEXRT}codexrt-radiotherapy-respiratory-motion-management').value.coding | extension('${CODEXRT}codexrt-radiotherapy-free-breathing-motion-mgmt-technique').value.coding`,
  portImages: `extension('${RTB}StructureDefinition/port-images').value`,
  ammNecessity: `extension('${RTB}StructureDefinition/amm-necessity').value`,
} as const;

export type ExpressionName = keyof typeof EXPRESSIONS;

type Compiled = (resource: unknown) => unknown[];

export const PATHS: Readonly<Record<ExpressionName, Compiled>> = Object.fromEntries(
  Object.entries(EXPRESSIONS).map(([name, expression]) => [name, fhirpath.compile(expression, r4) as Compiled]),
) as Record<ExpressionName, Compiled>;

export const CODEXRT_PROFILES = {
  treatedFraction: `${CODEXRT}codexrt-radiotherapy-treated-fraction`,
  treatmentSession: `${CODEXRT}codexrt-radiotherapy-treatment-session`,
  coursePrescription: `${CODEXRT}codexrt-radiotherapy-course-prescription`,
  phasePrescription: `${CODEXRT}codexrt-radiotherapy-phase-prescription`,
  planPrescription: `${CODEXRT}codexrt-radiotherapy-plan-prescription`,
  treatmentPlan: `${CODEXRT}codexrt-radiotherapy-treatment-plan`,
  plannedPhase: `${CODEXRT}codexrt-radiotherapy-planned-phase`,
} as const;
