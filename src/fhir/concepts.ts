import type {
  GuidanceMethod,
  Modality,
  ModalityTechniques,
  MotionFacts,
  MotionTechnique,
  PlanFacts,
  Ref,
  Technique,
  UnknownFact,
} from '../engine/types.js';
import { EXTENSION, type Concept, type ExtensionReader } from './paths.js';
import {
  IMAGE_GUIDANCE_CODES,
  INTRAFRACTION_CODES,
  isNullFlavor,
  MODALITY_CODES,
  MOTION_CODES,
  TECHNIQUE_CODES,
  TECHNIQUE_DISPLAYS,
  type CodeTable,
} from './vocabulary.js';

/**
 * Coded facts of one resource, read concept by concept. A CodeableConcept is understood when one of its codings is
 * in the table (a local coding beside a SNOMED one is fine); otherwise the fact it states is unknown: a null flavor
 * (`UNC`), text without a code, or a code outside every value set the service knows. Only the last is reported as
 * FHIR-INPUT, once per resource and code ({@link UnrecognisedCodes}).
 */
export class UnrecognisedCodes {
  private readonly byKey = new Map<string, UnknownFact>();

  note(fact: UnknownFact): void {
    if (fact.reason === 'unrecognised') this.byKey.set(`${fact.resource}|${fact.code}`, fact);
  }

  list(): UnknownFact[] {
    return [...this.byKey.values()];
  }
}

interface Reading<T> {
  readonly values: T[];
  /** Concepts understood but without meaning for the engine (`null` in the table), by display. */
  readonly ignored: string[];
  readonly unknown: UnknownFact[];
}

function readConcepts<T>(concepts: readonly Concept[], table: CodeTable<T | null>, fact: UnknownFact['fact'], resource: Ref): Reading<T> {
  const values: T[] = [];
  const ignored: string[] = [];
  const unknown: UnknownFact[] = [];
  for (const concept of concepts) {
    const codings = concept.coding.filter((coding) => coding.code);
    const known = codings.find((coding) => table.has(`${coding.system ?? ''}|${coding.code}`));
    if (known) {
      const key = `${known.system ?? ''}|${known.code}`;
      const value = table.get(key);
      if (value === null || value === undefined) ignored.push(TECHNIQUE_DISPLAYS.get(key) ?? key);
      else if (!values.includes(value)) values.push(value);
      continue;
    }
    const nullFlavor = codings.find((coding) => isNullFlavor(coding.system));
    if (nullFlavor) unknown.push({ fact, code: `${nullFlavor.system}|${nullFlavor.code}`, resource, reason: 'null-flavor' });
    else if (codings.length > 0)
      for (const coding of codings) unknown.push({ fact, code: `${coding.system ?? ''}|${coding.code}`, resource, reason: 'unrecognised' });
    else if (concept.text) unknown.push({ fact, code: 'text', resource, reason: 'no-code' });
  }
  return { values, ignored, unknown };
}

/** Modality, technique and isocenters as one resource states them (no gaps filled). */
export function readPlanFacts(extensions: ExtensionReader, resource: Ref, unrecognised: UnrecognisedCodes): PlanFacts {
  const combinations: ModalityTechniques[] = [];
  const modalities: Modality[] = [];
  const techniques: Technique[] = [];
  const otherTechniques: string[] = [];
  const unknown: UnknownFact[] = [];
  const collect = <T>(reading: Reading<T>, into: T[]) => {
    for (const value of reading.values) if (!into.includes(value)) into.push(value);
    otherTechniques.push(...reading.ignored);
    unknown.push(...reading.unknown);
  };
  for (const extension of extensions.all(EXTENSION.modalityAndTechnique)) {
    const modality = readConcepts(extension.concepts(EXTENSION.modality), MODALITY_CODES, 'modality', resource);
    const technique = readConcepts(extension.concepts(EXTENSION.technique), TECHNIQUE_CODES, 'technique', resource);
    collect(modality, modalities);
    collect(technique, techniques);
    const written = modality.values.length > 0 ? modality.values : [null];
    for (const value of written) combinations.push({ modality: value, techniques: technique.values });
  }
  collect(readConcepts(extensions.concepts(EXTENSION.rtTechnique), TECHNIQUE_CODES, 'technique', resource), techniques);
  for (const fact of unknown) unrecognised.note(fact);
  const isocenters = extensions.value(EXTENSION.isocenterCount, 'valuePositiveInt');
  return {
    modalities,
    techniques,
    isocenters: typeof isocenters === 'number' && Number.isInteger(isocenters) && isocenters >= 1 ? isocenters : null,
    combinations,
    otherTechniques: [...new Set(otherTechniques)],
    unknown,
  };
}

/**
 * Guidance and motion management as one resource states them: on a fraction what was done, on an order what was
 * ordered. An image-guidance or intra-fraction extension whose method the reader does not know still says guidance
 * was performed ('unspecified'); an unknown respiratory technique leaves open whether motion management qualifies.
 */
export function readMotionFacts(extensions: ExtensionReader, resource: Ref, unrecognised: UnrecognisedCodes): MotionFacts {
  // An intra-fraction method in a code not understood may be a snapshot or monitoring: whether it is AMM is unknown.
  const unknownIntrafraction: UnknownFact[] = [];
  const guidance = (url: string, sub: string, table: CodeTable<GuidanceMethod>, unknownKept?: UnknownFact[]): GuidanceMethod[] => {
    const methods: GuidanceMethod[] = [];
    for (const extension of extensions.all(url)) {
      const reading = readConcepts(extension.concepts(sub), table, 'motion management', resource);
      for (const fact of reading.unknown) unrecognised.note(fact);
      if (reading.values.length === 0) unknownKept?.push(...reading.unknown);
      methods.push(...(reading.values.length > 0 ? reading.values : ['unspecified' as const]));
    }
    return [...new Set(methods)];
  };
  const respiratory = readConcepts<MotionTechnique>(
    [...extensions.concepts(EXTENSION.respiratoryMotionManagement), ...extensions.concepts(EXTENSION.freeBreathingTechnique)],
    MOTION_CODES,
    'motion management',
    resource,
  );
  for (const fact of respiratory.unknown) unrecognised.note(fact);
  return {
    imageGuidance: guidance(EXTENSION.imageGuidance, 'modality', IMAGE_GUIDANCE_CODES),
    intrafraction: guidance(EXTENSION.intrafractionVerification, 'procedure', INTRAFRACTION_CODES, unknownIntrafraction),
    respiratory: respiratory.values,
    portImages: extensions.value(EXTENSION.portImages, 'valueBoolean') === true,
    unknown: [...respiratory.unknown, ...unknownIntrafraction],
  };
}

const statesModality = (facts: PlanFacts): boolean => facts.modalities.length > 0 || facts.unknown.some((u) => u.fact === 'modality');
const statesTechnique = (facts: PlanFacts): boolean =>
  facts.techniques.length > 0 || facts.otherTechniques.length > 0 || facts.unknown.some((u) => u.fact === 'technique');

/** Whether a resource says nothing more than `own` already does about the plan (no gap left to fill). */
export function planComplete(own: PlanFacts): boolean {
  return statesModality(own) && statesTechnique(own) && own.isocenters !== null;
}

/**
 * Plan facts from the fraction (or summary) win; what it is based on fills only what it does not state. A fact stated
 * in a code the reader cannot interpret is stated: it stays unknown, never replaced by the plan's value.
 */
export function fillGaps(own: PlanFacts, from: PlanFacts): PlanFacts {
  const modality = statesModality(own) ? own : from;
  const technique = statesTechnique(own) ? own : from;
  return {
    modalities: modality.modalities,
    techniques: technique.techniques,
    isocenters: own.isocenters ?? from.isocenters,
    combinations: statesModality(own) || statesTechnique(own) ? own.combinations : from.combinations,
    otherTechniques: technique.otherTechniques,
    unknown: [...modality.unknown.filter((u) => u.fact === 'modality'), ...technique.unknown.filter((u) => u.fact === 'technique')],
  };
}
