import type { FhirResource } from 'fhir/r4.js';

/**
 * CDS Hooks 2.0 shapes (https://cds-hooks.hl7.org/2.0/). Readonly: built once, sent as they are.
 */

/** A service in the discovery response. https://cds-hooks.hl7.org/2.0/#response */
export interface CdsServiceDefinition {
  readonly hook: string;
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly prefetch?: Readonly<Record<string, string>>;
  readonly usageRequirements?: string;
}

/** https://cds-hooks.hl7.org/2.0/#source */
export interface CardSource {
  readonly label: string;
  readonly url?: string;
  readonly topic?: { readonly system: string; readonly code: string; readonly display?: string };
}

/** https://cds-hooks.hl7.org/2.0/#action */
export interface SuggestionAction {
  readonly type: 'create' | 'update' | 'delete';
  readonly description: string;
  /** A FHIR R4 resource: the one to create, or the whole updated one. */
  readonly resource?: FhirResource;
  /** A relative reference to the resource to delete. */
  readonly resourceId?: string;
}

/** https://cds-hooks.hl7.org/2.0/#suggestion */
export interface Suggestion {
  readonly label: string;
  readonly uuid: string;
  readonly isRecommended?: boolean;
  readonly actions: readonly SuggestionAction[];
}

/** https://cds-hooks.hl7.org/2.0/#link */
export interface Link {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
  readonly appContext?: string;
}

/** https://cds-hooks.hl7.org/2.0/#overridereason */
export interface OverrideReason {
  readonly code: string;
  readonly system: string;
  readonly display: string;
}

/** https://cds-hooks.hl7.org/2.0/#card-attributes */
export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: CardSource;
  readonly suggestions?: readonly Suggestion[];
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons?: readonly OverrideReason[];
  readonly links?: readonly Link[];
  readonly extension?: Readonly<Record<string, unknown>>;
}

/** https://cds-hooks.hl7.org/2.0/#http-response */
export interface CdsResponse {
  readonly cards: readonly Card[];
  /** Actions the CDS client may apply without a click (https://cds-hooks.hl7.org/2.0/#system-action). */
  readonly systemActions?: readonly SuggestionAction[];
}
