import { RTB } from './vocabulary.js';

/**
 * The extension URLs the service reads (spec/fhir-input.md §2), and one reader per resource that selects them.
 *
 * The radiotherapy extensions sit at the top level of a resource, found by canonical URL: a direct read of
 * `resource.extension` selects them (measured per resource: about 1 µs, against 12 µs for the same selection as a
 * compiled FHIRPath expression, `extension.where(url in %urls)`, most of it FHIRPath's context set-up). Their values
 * are then read through typed accessors (value[x] types fixed by the IG profiles).
 */
const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/';
const CODEXRT = 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/';

export const EXTENSION = {
  modalityAndTechnique: `${MCODE}mcode-radiotherapy-modality-and-technique`,
  modality: `${MCODE}mcode-radiotherapy-modality`,
  technique: `${MCODE}mcode-radiotherapy-technique`,
  rtTechnique: `${RTB}StructureDefinition/rt-technique`,
  isocenterCount: `${RTB}StructureDefinition/isocenter-count`,
  imageGuidance: `${CODEXRT}codexrt-image-guided-radiotherapy-modality`,
  intrafractionVerification: `${CODEXRT}codexrt-intrafraction-verification`,
  respiratoryMotionManagement: `${CODEXRT}codexrt-radiotherapy-respiratory-motion-management`,
  freeBreathingTechnique: `${CODEXRT}codexrt-radiotherapy-free-breathing-motion-mgmt-technique`,
  portImages: `${RTB}StructureDefinition/port-images`,
  ammNecessity: `${RTB}StructureDefinition/amm-necessity`,
  /** Treated Phase / Treated Plan: fractions delivered (valueUnsignedInt). */
  fractionsDelivered: `${CODEXRT}codexrt-radiotherapy-fractions-delivered`,
  /** Course Summary: sessions delivered (valueUnsignedInt). */
  sessions: `${MCODE}mcode-radiotherapy-sessions`,
  /** Dose delivered to a volume; its `fractionsDelivered` sub-extension when the summary gives no total. */
  doseDeliveredToVolume: `${MCODE}mcode-radiotherapy-dose-delivered-to-volume`,
  /** A Treated Fraction's number in its phase and in its plan (valuePositiveInt): a summary counting beyond it proves a later fraction. */
  fractionNumberInPhase: `${CODEXRT}codexrt-radiotherapy-fraction-number-in-phase`,
  fractionNumberInPlan: `${CODEXRT}codexrt-radiotherapy-fraction-number-in-plan`,
  /** Prescriptions and plans: the fractions prescribed or planned (valuePositiveInt), C-AUTH-SCOPE and D-OUT-LIMITS. */
  fractionsPrescribed: `${CODEXRT}codexrt-radiotherapy-fractions-prescribed`,
  fractionsPlanned: `${CODEXRT}codexrt-radiotherapy-fractions-planned`,
  /** Dose prescribed to a volume; its `fractions` sub-extension. */
  dosePrescribedToVolume: `${CODEXRT}codexrt-radiotherapy-dose-prescribed-to-volume`,
  /** FHIR's core extension on a Location: the IANA time zone of its clock (valueCode), the clinic's dates. */
  timeZone: 'http://hl7.org/fhir/StructureDefinition/timezone',
} as const;

/** Extensions read at the top level of a resource (the others are their sub-extensions). */
const TOP_LEVEL_URLS: ReadonlySet<string> = new Set([
  EXTENSION.modalityAndTechnique,
  EXTENSION.rtTechnique,
  EXTENSION.isocenterCount,
  EXTENSION.imageGuidance,
  EXTENSION.intrafractionVerification,
  EXTENSION.respiratoryMotionManagement,
  EXTENSION.freeBreathingTechnique,
  EXTENSION.portImages,
  EXTENSION.ammNecessity,
  EXTENSION.fractionsDelivered,
  EXTENSION.sessions,
  EXTENSION.doseDeliveredToVolume,
  EXTENSION.timeZone,
  EXTENSION.fractionNumberInPhase,
  EXTENSION.fractionNumberInPlan,
  EXTENSION.fractionsPrescribed,
  EXTENSION.fractionsPlanned,
  EXTENSION.dosePrescribedToVolume,
]);

export interface Coding {
  readonly system?: string;
  readonly code?: string;
}

/** A CodeableConcept as read from an extension value: its codings (well-formed ones only) and text. */
export interface Concept {
  readonly coding: readonly Coding[];
  readonly text?: string;
}

interface RawExtension {
  url?: unknown;
  extension?: unknown;
  valueCodeableConcept?: { coding?: unknown; text?: unknown };
  [value: string]: unknown;
}

function conceptOf(extension: RawExtension): Concept | null {
  const value = extension.valueCodeableConcept;
  if (!value || typeof value !== 'object') return null;
  const coding = Array.isArray(value.coding) ? (value.coding.filter((c) => c && typeof c === 'object') as Coding[]) : [];
  return typeof value.text === 'string' ? { coding, text: value.text } : { coding };
}

const childrenOf = (extension: RawExtension): RawExtension[] =>
  Array.isArray(extension.extension) ? (extension.extension.filter((c) => c && typeof c === 'object') as RawExtension[]) : [];

/** One occurrence of an extension, read by its sub-extensions. */
export class ExtensionInstance {
  constructor(private readonly raw: RawExtension) {}

  /** The valueCodeableConcepts of its sub-extension `sub` (or of itself, without `sub`). */
  concepts(sub?: string): Concept[] {
    const sources = sub === undefined ? [this.raw] : childrenOf(this.raw).filter((child) => child.url === sub);
    return sources.map(conceptOf).filter((concept): concept is Concept => concept !== null);
  }

  /** Its own value under its value[x] key (e.g. `valuePositiveInt`). */
  ownValue(key: string): unknown {
    return this.raw[key];
  }

  /** A sub-extension's value under its value[x] key (e.g. `valueUnsignedInt`). */
  value(sub: string, key: string): unknown {
    return childrenOf(this.raw).find((child) => child.url === sub)?.[key];
  }
}

/** The radiotherapy extensions of one resource, selected once, read by URL. */
export class ExtensionReader {
  private readonly byUrl = new Map<string, ExtensionInstance[]>();

  constructor(resource: unknown) {
    const extensions = (resource as { extension?: unknown } | null)?.extension;
    if (!Array.isArray(extensions)) return;
    for (const extension of extensions as RawExtension[]) {
      if (!extension || typeof extension.url !== 'string' || !TOP_LEVEL_URLS.has(extension.url)) continue;
      const list = this.byUrl.get(extension.url);
      if (list) list.push(new ExtensionInstance(extension));
      else this.byUrl.set(extension.url, [new ExtensionInstance(extension)]);
    }
  }

  /** Every occurrence of an extension. */
  all(url: string): readonly ExtensionInstance[] {
    return this.byUrl.get(url) ?? [];
  }

  /** Whether the resource carries the extension at all. */
  has(url: string): boolean {
    return this.byUrl.has(url);
  }

  /** The valueCodeableConcepts of every occurrence of an extension, or of its sub-extension `sub`. */
  concepts(url: string, sub?: string): Concept[] {
    return this.all(url).flatMap((extension) => extension.concepts(sub));
  }

  /** The first value of an extension under its value[x] key (e.g. `valuePositiveInt`). */
  value(url: string, key: string): unknown {
    return this.byUrl.get(url)?.[0]?.ownValue(key);
  }
}

export const CODEXRT_PROFILES = {
  treatedFraction: `${CODEXRT}codexrt-radiotherapy-treated-fraction`,
  treatedPhase: `${CODEXRT}codexrt-radiotherapy-treated-phase`,
  treatedPlan: `${CODEXRT}codexrt-radiotherapy-treated-plan`,
  courseSummary: `${CODEXRT}codexrt-radiotherapy-course-summary`,
  mcodeCourseSummary: `${MCODE}mcode-radiotherapy-course-summary`,
  coursePrescription: `${CODEXRT}codexrt-radiotherapy-course-prescription`,
  phasePrescription: `${CODEXRT}codexrt-radiotherapy-phase-prescription`,
  planPrescription: `${CODEXRT}codexrt-radiotherapy-plan-prescription`,
  treatmentPlan: `${CODEXRT}codexrt-radiotherapy-treatment-plan`,
  plannedPhase: `${CODEXRT}codexrt-radiotherapy-planned-phase`,
  plannedCourse: `${CODEXRT}codexrt-radiotherapy-planned-course`,
} as const;

/** Whether a Location states its own time zone (else the Location it is part of is read for it). */
export const statesTimeZone = (location: unknown): boolean => new ExtensionReader(location).has(EXTENSION.timeZone);
