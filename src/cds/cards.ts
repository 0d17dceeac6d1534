import { hash } from 'node:crypto';
import { RULE_CATALOG, RULES } from '../engine/rules/index.js';
import type { HeadlineSubject, Rule } from '../engine/rules/rule.js';
import { IGRT } from '../engine/tables/cpt.js';
import type { Determination, Finding, OrderDetermination, PhaseDetermination, SessionDetermination, Severity } from '../engine/types.js';
import { RTB } from '../fhir/vocabulary.js';
import { fhirAction, needsNoClick, type ActionScope } from './actions.js';
import { codeSpan, markdownText } from './markdown.js';
import type { Card, CdsResponse, Link, OverrideReason, Suggestion, SuggestionAction } from './types.js';

/** Where cards point (the rule documentation, the reviewer app), and whether no-click actions go in systemActions. */
export interface CardSettings {
  readonly baseUrl: string;
  readonly smartLaunchUrl: string;
  /** CDS_SYSTEM_ACTIONS: physician tasks are proposed as systemActions (created without a click) instead of suggestions. */
  readonly systemActions?: boolean;
}

/** What a set of cards is about. */
export interface CardScope extends ActionScope {
  readonly hookInstance: string;
}

/** The namespaced key under which a card's `extension` carries the engine's determination part. */
export const DETERMINATION_EXTENSION = `${RTB}cds-hooks/determination`;
export const RULE_TOPIC_SYSTEM = `${RTB}CodeSystem/billing-rule`;
const OVERRIDE_SYSTEM = `${RTB}CodeSystem/override-reason`;

/** Why a user may dismiss a warning: each with a display, as the spec requires. */
export const OVERRIDE_REASONS: readonly OverrideReason[] = [
  { code: 'documented-elsewhere', system: OVERRIDE_SYSTEM, display: 'Documented in another system; will be added to the record' },
  { code: 'payer-agreement', system: OVERRIDE_SYSTEM, display: 'Payer contract or agreement covers this' },
  { code: 'clinical-judgment', system: OVERRIDE_SYSTEM, display: 'Clinical judgment: the treatment plan stands as ordered' },
  { code: 'not-applicable', system: OVERRIDE_SYSTEM, display: 'Does not apply to this patient or session' },
];

const SUMMARY_LIMIT = 140;
const RULE_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));
const ruleTitle = (id: string): string => RULE_CATALOG.find((rule) => rule.id === id)?.title ?? id;
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const worst = (findings: readonly Finding[]): Severity =>
  findings.reduce<Severity>((w, f) => (SEVERITY_RANK[f.severity] < SEVERITY_RANK[w] ? f.severity : w), 'info');

/** Summaries must stay under 140 characters (CDS Hooks 2.0). */
export function clip(text: string): string {
  return text.length < SUMMARY_LIMIT ? text : `${text.slice(0, SUMMARY_LIMIT - 2).trimEnd()}…`;
}

/** A UUID derived from the hook instance and what the card is about: unique per call, stable for tests. */
export function cardUuid(hookInstance: string, key: string): string {
  // crypto.hash: one call, no Hash object per card (a few µs per hook call under load).
  const hex = hash('sha256', `${hookInstance}|${key}`, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function source(settings: CardSettings, ruleId: string) {
  return {
    label: 'rt-billing-cds: 2026 radiation oncology billing rules',
    url: `${settings.baseUrl}/rules#${ruleId}`,
    topic: { system: RULE_TOPIC_SYSTEM, code: ruleId, display: ruleTitle(ruleId) },
  };
}

function smartLink(settings: CardSettings, scope: CardScope, focus: Record<string, string>): Link {
  return {
    label: 'Open the charge review',
    url: settings.smartLaunchUrl,
    type: 'smart',
    appContext: JSON.stringify({ patient: `Patient/${scope.patientId}`, ...focus }),
  };
}

/** A finding as a Markdown bullet: its words escaped, references in code spans (they come from the EHR's data). */
const bullet = (finding: Finding): string =>
  `- **${finding.severity}** ${markdownText(finding.message)}${finding.evidence.length ? `  \n  Evidence: ${finding.evidence.map(codeSpan).join(', ')}` : ''}`;

/** The markdown detail of a finding card: what, why (rule and source), and the evidence. */
function findingDetail(findings: readonly Finding[]): string {
  const first = findings[0]!;
  return [
    findings.map(bullet).join('\n'),
    '',
    `Rule **${first.rule}** (${markdownText(ruleTitle(first.rule))}). Source: ${markdownText(first.source)}.`,
  ].join('\n');
}

/** The one-line summary of a rule's findings: the rule's own headline, else its first message. */
function headline(rule: string, findings: readonly Finding[], subject: HeadlineSubject): string {
  return RULE_BY_ID.get(rule)?.headline?.(findings, subject) ?? findings[0]?.message ?? rule;
}

/** The card suggestions for a rule's findings: each distinct action once, as the FHIR resource an EHR accepts. */
function suggestionsFor(findings: readonly Finding[], scope: CardScope, settings: CardSettings): Suggestion[] {
  const actions = new Map(
    findings
      .flatMap((f) => f.actions ?? [])
      .filter((action) => !(settings.systemActions && needsNoClick(action)))
      .map((action) => [JSON.stringify(action), action] as const),
  );
  return [...actions.entries()].map(([key, action], index) => {
    const { label, action: fhir } = fhirAction(action, scope);
    return { label, uuid: cardUuid(scope.hookInstance, `suggestion|${key}`), isRecommended: index === 0, actions: [fhir] };
  });
}

/** One card per rule: its findings together, the highest severity as indicator. */
function findingCards(
  findings: readonly Finding[],
  settings: CardSettings,
  scope: CardScope,
  subjectKey: string,
  focus: Record<string, string>,
  subject: HeadlineSubject,
  part: Readonly<Record<string, unknown>>,
): Card[] {
  const byRule = new Map<string, Finding[]>();
  for (const finding of findings) byRule.set(finding.rule, [...(byRule.get(finding.rule) ?? []), finding]);
  return [...byRule.entries()].map(([rule, group]) => {
    const indicator = worst(group);
    const suggestions = suggestionsFor(group, scope, settings);
    return {
      uuid: cardUuid(scope.hookInstance, `${subjectKey}|${rule}`),
      summary: clip(headline(rule, group, subject)),
      indicator,
      detail: findingDetail(group),
      source: source(settings, rule),
      ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
      ...(indicator !== 'info' ? { overrideReasons: OVERRIDE_REASONS } : {}),
      links: [smartLink(settings, scope, focus)],
      // The determination part this card is about: its subject and its findings.
      extension: { [DETERMINATION_EXTENSION]: { ...part, rule, findings: group } },
    };
  });
}

/** Info findings and D-UNKNOWN belong to the codes card itself; the rest get a card each. */
const shownWithCodes = (finding: Finding): boolean => finding.severity === 'info' || finding.rule === 'D-UNKNOWN';

/** The rules whose "could not be checked" leaves 77387-26 unconfirmed rather than waiting for a signature. */
const SIGNATURE_RULES: ReadonlySet<string> = new Set(['I-SIGN', 'A-SIGN', 'A-RECORD']);

/** D-UNKNOWN because what the plan would say could not be read: a warning to supply it, not missing documentation. */
const levelUnread = (session: SessionDetermination): boolean => session.findings.some((f) => f.rule === 'D-UNKNOWN' && f.couldNotBeChecked === true);

function sessionSummary(session: SessionDetermination): string {
  const when = `session of ${session.dateOfService ?? 'undated'}`;
  if (session.deliveryRule === 'D-UNKNOWN')
    return levelUnread(session)
      ? `Delivery code for the ${when} could not be derived: the plan could not be read`
      : `No delivery code for the ${when}: missing facts must be documented`;
  const unchecked = session.findings.some((f) => f.couldNotBeChecked && SIGNATURE_RULES.has(f.rule));
  const igrt =
    session.igrtStatus === 'billable'
      ? ` + ${IGRT.professional}`
      : session.igrtStatus === 'pending'
        ? unchecked
          ? `; ${IGRT.professional} not confirmed (guidance records or signatures could not be checked)`
          : `; ${IGRT.professional} once the guidance is signed`
        : session.igrtStatus === 'not-supportable'
          ? `; ${IGRT.professional} lost (not signed in time)`
          : '';
  if (session.supportedDeliveryCode === null)
    return `${session.outOfFamily ?? 'Outside the 2026 delivery levels'}: no 77402/77407/77412 for the ${when}${igrt}`;
  const lowered = session.deliveryCode !== session.supportedDeliveryCode ? ` (not ${session.deliveryCode}: documentation incomplete)` : '';
  return `Bill ${session.supportedDeliveryCode}${lowered}${igrt} for the ${when}`;
}

function sessionDetail(session: SessionDetermination): string {
  const facts = session.facts;
  const lines = session.lines.map((l) => `| ${l.code} | ${l.units} | ${l.status} | ${l.rule} |`);
  const info = session.findings.filter(shownWithCodes);
  return [
    `Fractions: ${session.fractions.map(codeSpan).join(', ')}${session.encounter ? ` (${codeSpan(session.encounter)})` : ''}.`,
    '',
    `Clinical facts give **${session.deliveryCode ?? 'no code'}** (${session.deliveryRule}); the documentation supports **${session.supportedDeliveryCode ?? 'no code'}** (${session.supportedDeliveryRule}). 77387-26: **${session.igrtStatus}**.`,
    '',
    '| code | units | status | rule |',
    '| --- | --- | --- | --- |',
    ...lines,
    '',
    `Modality: ${facts.modalities.join(', ') || 'unknown'}; technique: ${facts.techniques.join(', ') || 'unknown'}; photon isocenters: ${facts.photonIsocenters ?? 'n/a'}; active motion management: ${facts.activeMotionManagement ? 'yes' : 'no'}; image guidance: ${facts.imageGuidance.join(', ') || 'none'}; next beam-on: ${facts.nextBeamOn ? codeSpan(facts.nextBeamOn) : 'none yet'}.`,
    ...(session.estimate?.total != null
      ? [
          '',
          `Estimated payment (${session.estimate.payer}, ${session.estimate.setting}): $${session.estimate.total.toFixed(2)}. Source: ${markdownText(session.estimate.source)}.`,
        ]
      : []),
    ...(info.length > 0 ? ['', ...info.map(bullet)] : []),
  ].join('\n');
}

/** Cards for one session at encounter-discharge: the codes to bill, then one card per problem. */
export function sessionCards(session: SessionDetermination, settings: CardSettings, scope: CardScope): Card[] {
  const key = session.fractions.join(',');
  const focus = { session: session.encounter ?? session.fractions[0] ?? '', fractions: session.fractions.join(',') };
  const indicator: Severity =
    session.deliveryRule === 'D-UNKNOWN'
      ? levelUnread(session)
        ? 'warning'
        : 'critical'
      : session.deliveryCode !== session.supportedDeliveryCode
        ? 'warning'
        : 'info';
  const codes: Card = {
    uuid: cardUuid(scope.hookInstance, `${key}|codes`),
    summary: clip(sessionSummary(session)),
    indicator,
    detail: sessionDetail(session),
    source: source(settings, session.supportedDeliveryRule),
    ...(indicator !== 'info' ? { overrideReasons: OVERRIDE_REASONS } : {}),
    links: [smartLink(settings, scope, focus)],
    extension: { [DETERMINATION_EXTENSION]: session },
  };
  const problems = session.findings.filter((f) => !shownWithCodes(f));
  const part = { fractions: session.fractions, ...(session.encounter ? { encounter: session.encounter } : {}) };
  return [codes, ...findingCards(problems, settings, scope, key, focus, { session }, part)];
}

function orderSummary(order: OrderDetermination): string {
  if (order.deliveryRule === 'D-UNKNOWN') return 'Expected delivery level cannot be derived: the order lacks facts';
  if (order.deliveryRule === 'D-COURSE')
    return 'Course order lists several modalities or techniques: no delivery code of its own (what each combination describes is in the detail)';
  if (order.expectedDeliveryCode === null) return `Outside the 2026 delivery levels: expect ${order.outOfFamily ?? 'another family'}`;
  const igrt = order.igrtProfessionalExpected ? ` with ${IGRT.professional}` : '';
  return `Expected delivery: ${order.expectedDeliveryCode}${igrt} (${order.deliveryRule}: ${ruleTitle(order.deliveryRule)})`;
}

/** Cards for one draft order at order-sign: the level to expect, then one card per problem. */
export function orderCards(order: OrderDetermination, settings: CardSettings, scope: CardScope): Card[] {
  const focus = { order: order.order };
  const info = order.findings.filter(shownWithCodes);
  const expected: Card = {
    uuid: cardUuid(scope.hookInstance, `${order.order}|expected`),
    summary: clip(orderSummary(order)),
    indicator: order.deliveryRule === 'D-UNKNOWN' ? 'critical' : 'info',
    detail: [
      // Named: a course, its phases and their plans are signed together and would otherwise read alike.
      `This order (${codeSpan(order.order)}) describes **${order.expectedDeliveryCode ?? markdownText(order.outOfFamily ?? 'no code of its own')}** by rule ${order.deliveryRule} (${markdownText(ruleTitle(order.deliveryRule))}).`,
      order.igrtProfessionalExpected
        ? `Image guidance or tracking is ordered: ${IGRT.professional} is billable per session when the physician signs the guidance before the next fraction (I-PC, I-SIGN).`
        : '',
      ...info.map(bullet),
    ]
      .filter(Boolean)
      .join('\n\n'),
    source: source(settings, order.deliveryRule),
    ...(order.deliveryRule === 'D-UNKNOWN' ? { overrideReasons: OVERRIDE_REASONS } : {}),
    links: [smartLink(settings, scope, focus)],
    extension: { [DETERMINATION_EXTENSION]: order },
  };
  const problems = order.findings.filter((f) => !shownWithCodes(f));
  return [expected, ...findingCards(problems, settings, scope, order.order, focus, { order }, { order: order.order })];
}

const KIND_NAMES = { phase: 'phase', plan: 'plan', course: 'course' } as const;

function phaseSummary(phase: PhaseDetermination): string {
  const only = phase.fractionsDelivered === null ? 'Fractions' : `${phase.fractionsDelivered - phase.fractionRecords} fraction(s)`;
  const code = phase.deliveryCode ?? phase.outOfFamily ?? (phase.deliveryRule === 'D-COURSE' ? 'several codes' : 'no code yet');
  const missing = phase.fractionRecords > 0 ? ' (missing from the record)' : '';
  return `${only} of a ${KIND_NAMES[phase.kind]} recorded only as a summary${missing}: each describes ${code}`;
}

/** A card for a phase, plan or course known only from its summary (D-SUMMARY, D-COUNT, D-COURSE). */
export function phaseCards(phase: PhaseDetermination, settings: CardSettings, scope: CardScope): Card[] {
  const indicator = worst(phase.findings);
  const rule = phase.findings.find((f) => f.severity === indicator)?.rule ?? 'D-SUMMARY';
  return [
    {
      uuid: cardUuid(scope.hookInstance, `${phase.procedure}|phase`),
      summary: clip(phaseSummary(phase)),
      indicator,
      detail: [
        `${codeSpan(phase.procedure)} (${phase.kind}, ${phase.status}): ${phase.fractionsDelivered ?? 'an unknown number of'} fractions delivered, ${phase.fractionRecords} with Treated Fraction records.`,
        '',
        ...phase.findings.map(bullet),
      ].join('\n'),
      source: source(settings, rule),
      ...(indicator !== 'info' ? { overrideReasons: OVERRIDE_REASONS } : {}),
      links: [smartLink(settings, scope, { phase: phase.procedure })],
      extension: { [DETERMINATION_EXTENSION]: phase },
    },
  ];
}

/**
 * Findings about the service's setup rather than the patient (D-TZ: the clinic's time zone is not configured): nothing
 * for the person in the EHR to act on. The operator is told at start (startWarnings); reports and the API still say it.
 */
const SETUP_RULES: ReadonlySet<string> = new Set(['D-TZ']);

/** Cards for findings about the whole call (e.g. fractions not delivered, radiotherapy without CodeX RT). */
export function generalCards(findings: readonly Finding[], settings: CardSettings, scope: CardScope): Card[] {
  return findingCards(
    findings.filter((f) => !SETUP_RULES.has(f.rule)),
    settings,
    scope,
    'general',
    {},
    {},
    {},
  );
}

/**
 * With CDS_SYSTEM_ACTIONS on, the actions that need no decision (a Task asking the physician to sign before the next
 * beam-on) are proposed as `systemActions`, once each; the cards then no longer offer them as suggestions.
 */
export function systemActionsFor(determination: Determination, settings: CardSettings, scope: CardScope): SuggestionAction[] {
  if (!settings.systemActions) return [];
  const findings = [
    ...determination.sessions.flatMap((s) => s.findings),
    ...determination.orders.flatMap((o) => o.findings),
    ...determination.findings,
  ];
  const actions = new Map(
    findings
      .flatMap((f) => f.actions ?? [])
      .filter(needsNoClick)
      .map((action) => [JSON.stringify(action), action] as const),
  );
  return [...actions.values()].map((action) => fhirAction(action, scope).action);
}

/** A hook response: the cards, and the system actions when there are any. */
export function response(cards: readonly Card[], systemActions: readonly SuggestionAction[]): CdsResponse {
  return systemActions.length > 0 ? { cards, systemActions } : { cards };
}
