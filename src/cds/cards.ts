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
  /**
   * CDS_INFO_CARDS: also the information cards (the codes of every session, the level of every order, what could not
   * be checked). Off by default: a card only when someone has something to do.
   */
  readonly infoCards?: boolean;
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

function smartLink(settings: CardSettings, scope: CardScope, focus: Readonly<Record<string, string>>, label = 'Open the charge review'): Link {
  return {
    label,
    url: settings.smartLaunchUrl,
    type: 'smart',
    appContext: JSON.stringify({ patient: `Patient/${scope.patientId}`, ...focus }),
  };
}

/** A finding as a Markdown bullet: its words escaped, references in code spans (they come from the EHR's data). */
const bullet = (finding: Finding): string =>
  `- **${finding.severity}** ${markdownText(finding.message)}${finding.evidence.length ? `  \n  Evidence: ${finding.evidence.map(codeSpan).join(', ')}` : ''}`;

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

/**
 * Rules about the record's feed rather than the patient's care (a summary without fraction records, a resource the
 * reader could not use, fractions not delivered): the reviewer app and the reports show them; a physician has nothing
 * to do, so they are information cards only where a site turned those on.
 */
const DATA_FEED_RULES: ReadonlySet<string> = new Set(['D-COUNT', 'D-SUMMARY', 'D-UNSTRUCTURED', 'FHIR-INPUT', 'D-NOT-DELIVERED']);

/** The service's own setup (D-TZ: no clinic time zone): the operator is told at start; never a card. */
const SETUP_RULES: ReadonlySet<string> = new Set(['D-TZ']);

/** Findings about what the EHR sent rather than about the care: information at most. */
const aboutTheFeed = (finding: Finding): boolean => DATA_FEED_RULES.has(finding.rule) || finding.couldNotBeChecked === true;

/** A finding that calls for someone in the EHR to act (the card policy): anything else goes to the reviewer app. */
function callsForAction(finding: Finding, settings: CardSettings): boolean {
  // D-UNKNOWN belongs to the codes card, which is shown whenever a code cannot be derived.
  if (SETUP_RULES.has(finding.rule) || finding.rule === 'D-UNKNOWN') return false;
  if (aboutTheFeed(finding)) return settings.infoCards === true;
  return finding.severity !== 'info';
}

/**
 * A card's indicator: its worst finding's severity, except that a loss nobody can prevent any more (the next fraction
 * began unsigned) is a billing notice — a warning — and what is about the feed (could not be checked, a summary
 * without its fractions) is information.
 */
function indicatorOf(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((worstSoFar, finding) => {
    const severity: Severity = aboutTheFeed(finding) ? 'info' : finding.settled && finding.severity === 'critical' ? 'warning' : finding.severity;
    return SEVERITY_RANK[severity] < SEVERITY_RANK[worstSoFar] ? severity : worstSoFar;
  }, 'info');
}

/** Overrides that fit a billing notice about what can no longer be prevented. */
const BILLING_OVERRIDES: readonly OverrideReason[] = [
  { code: 'signed-elsewhere', system: OVERRIDE_SYSTEM, display: 'Signed in time in another system; will be added to the record' },
  { code: 'billing-corrected', system: OVERRIDE_SYSTEM, display: 'The charge has already been corrected' },
];

/** What a card is about: a session, an order, a phase, or the call as a whole. */
export interface CardSubject {
  readonly key: string;
  /** How the card's detail names it ("session of 2026-04-13", "order `ServiceRequest/rx`"). */
  readonly name: string;
  readonly findings: readonly Finding[];
  /** What the reviewer app opens on (appContext). */
  readonly focus: Readonly<Record<string, string>>;
  /** The determination part the card's extension carries. */
  readonly part: Readonly<Record<string, unknown>>;
  readonly headline: HeadlineSubject;
}

/**
 * One card per concern of the call — a rule, whatever the number of sessions or orders it concerns (five orders
 * lacking one statement are one card naming them) — most urgent first. Signatures asked of the physician reading the
 * card are a link to the session, not a Task to themselves.
 */
export function concernCards(subjects: readonly CardSubject[], settings: CardSettings, scope: CardScope): Card[] {
  const byRule = new Map<string, { subject: CardSubject; findings: Finding[] }[]>();
  for (const subject of subjects) {
    const shown = subject.findings.filter((f) => callsForAction(f, settings));
    for (const rule of new Set(shown.map((f) => f.rule))) {
      const list = byRule.get(rule) ?? [];
      list.push({ subject, findings: shown.filter((f) => f.rule === rule) });
      byRule.set(rule, list);
    }
  }
  return sortCards(
    [...byRule.entries()].map(([rule, items]) => {
      const findings = items.flatMap((item) => item.findings);
      const indicator = indicatorOf(findings);
      const first = items[0]!.subject;
      const settled = findings.every((f) => f.settled);
      const own = ownSignature(findings, scope);
      const suggestions = suggestionsFor(
        findings.map((f) => (own ? { ...f, actions: (f.actions ?? []).filter((a) => a.kind !== 'physician-signature') } : f)),
        scope,
        settings,
      );
      const count = items.length > 1 ? ` (${items.length} ${first.key.startsWith('ServiceRequest/') ? 'orders' : 'records'})` : '';
      return {
        uuid: cardUuid(scope.hookInstance, `concern|${rule}|${items.map((i) => i.subject.key).join(',')}`),
        summary: clip(`${headline(rule, findings, first.headline)}${count}`),
        indicator,
        detail: [
          ...items.flatMap(({ subject, findings: own }) => [`**${markdownText(subject.name)}**`, '', own.map(bullet).join('\n'), '']),
          `Rule **${rule}** (${markdownText(ruleTitle(rule))}). Source: ${markdownText(findings[0]!.source)}.`,
        ].join('\n'),
        source: source(settings, rule),
        ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
        ...(indicator !== 'info' ? { overrideReasons: settled ? BILLING_OVERRIDES : OVERRIDE_REASONS } : {}),
        links: [smartLink(settings, scope, items.length === 1 ? first.focus : {}, own ? 'Open the session to sign' : undefined)],
        extension: {
          [DETERMINATION_EXTENSION]: { ...first.part, rule, findings, subjects: items.map((i) => ({ ...i.subject.part, findings: i.findings })) },
        },
      };
    }),
  );
}

/** The card reader is the physician asked to sign: the signature is theirs to give, not a Task to send themselves. */
function ownSignature(findings: readonly Finding[], scope: CardScope): boolean {
  const asked = findings.flatMap((f) => f.actions ?? []).filter((a) => a.kind === 'physician-signature');
  return asked.length > 0 && asked.every((a) => a.kind === 'physician-signature' && a.physician !== null && a.physician === scope.userId);
}

/** Critical first, then warning, then info (CDS Hooks 2.0 leaves the order to the service: the most urgent on top). */
const sortCards = (cards: Card[]): Card[] => cards.sort((a, b) => SEVERITY_RANK[a.indicator] - SEVERITY_RANK[b.indicator]);

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

/** The codes card of a session: always with information cards on; otherwise only when no code can be derived. */
function codesCard(session: SessionDetermination, settings: CardSettings, scope: CardScope): Card | null {
  const indicator: Severity =
    session.deliveryRule === 'D-UNKNOWN'
      ? levelUnread(session)
        ? 'warning'
        : 'critical'
      : session.deliveryCode !== session.supportedDeliveryCode
        ? 'warning'
        : 'info';
  const needed = session.deliveryRule === 'D-UNKNOWN' && !levelUnread(session);
  if (!settings.infoCards && !needed) return null;
  return {
    uuid: cardUuid(scope.hookInstance, `${session.fractions.join(',')}|codes`),
    summary: clip(sessionSummary(session)),
    indicator,
    detail: sessionDetail(session),
    source: source(settings, session.supportedDeliveryRule),
    ...(indicator !== 'info' ? { overrideReasons: OVERRIDE_REASONS } : {}),
    links: [smartLink(settings, scope, sessionFocus(session))],
    extension: { [DETERMINATION_EXTENSION]: session },
  };
}

const sessionFocus = (session: SessionDetermination) => ({
  session: session.encounter ?? session.fractions[0] ?? '',
  fractions: session.fractions.join(','),
});

/**
 * When a deadline is, in words for the person reading the card: the clinic's time, "today", "tomorrow" or the date
 * ("07:45 tomorrow (next treatment)"). The zone is the session's, else UTC (and then it says so).
 */
export function deadlineText(at: string, zone: string | null, now: string): string {
  const timeZone = zone ?? 'UTC';
  const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  const ms = Date.parse(at);
  const nowMs = Date.parse(now);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  const when =
    day(ms) === day(nowMs)
      ? `${time} today`
      : day(ms) === day(nowMs + 86_400_000)
        ? `${time} tomorrow`
        : `${new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(ms)} ${time}`;
  return `${when}${zone ? '' : ' UTC'} (next treatment)`;
}

function sessionSubject(session: SessionDetermination, scope: CardScope): CardSubject {
  const deadline = session.facts.nextTreatment ? deadlineText(session.facts.nextTreatment, session.timeZone, scope.now) : undefined;
  return {
    key: session.fractions.join(','),
    name: `Session of ${session.dateOfService ?? 'unknown date'} (${session.encounter ?? session.fractions.join(', ')})`,
    findings: session.findings,
    focus: sessionFocus(session),
    part: { fractions: session.fractions, ...(session.encounter ? { encounter: session.encounter } : {}) },
    headline: { session, ...(deadline ? { deadline } : {}) },
  };
}

function phaseSubject(phase: PhaseDetermination): CardSubject {
  return {
    key: phase.procedure,
    name: `${phase.kind} summary ${phase.procedure}`,
    findings: phase.findings,
    focus: { phase: phase.procedure },
    part: { phase: phase.procedure },
    headline: {},
  };
}

/**
 * encounter-discharge: the cards of a delivered session — only what someone must do (a signature before the next
 * treatment, a missing order or record, a fact to document), one card per concern, the most urgent first; with
 * information cards on, the codes to bill too. Phase summaries and data-feed problems go to the reviewer app.
 */
export function dischargeCards(determination: Determination, settings: CardSettings, scope: CardScope): Card[] {
  const codes = determination.sessions.map((session) => codesCard(session, settings, scope)).filter((card): card is Card => card !== null);
  const subjects = [
    ...determination.sessions.map((session) => sessionSubject(session, scope)),
    ...determination.phases.map(phaseSubject),
    { key: 'general', name: 'This call', findings: determination.findings, focus: {}, part: {}, headline: {} },
  ];
  return sortCards([...codes, ...concernCards(subjects, settings, scope)]);
}

function orderSummary(order: OrderDetermination): string {
  if (order.deliveryRule === 'D-UNKNOWN') return 'Expected delivery level cannot be derived: the order lacks facts';
  if (order.deliveryRule === 'D-COURSE')
    return 'Course order lists several modalities or techniques: no delivery code of its own (what each combination describes is in the detail)';
  if (order.expectedDeliveryCode === null) return `Outside the 2026 delivery levels: expect ${order.outOfFamily ?? 'another family'}`;
  const igrt = order.igrtProfessionalExpected ? ` with ${IGRT.professional}` : '';
  // Plain words: the rule stays in the card's source and detail.
  return `Expected delivery: ${order.expectedDeliveryCode}${igrt} (${ruleTitle(order.deliveryRule).toLowerCase()})`;
}

/** The expected-level card of an order: with information cards on, or when the order lacks the facts for a level. */
function expectedCard(order: OrderDetermination, settings: CardSettings, scope: CardScope): Card | null {
  if (!settings.infoCards && order.deliveryRule !== 'D-UNKNOWN') return null;
  const info = order.findings.filter(shownWithCodes);
  return {
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
    links: [smartLink(settings, scope, { order: order.order })],
    extension: { [DETERMINATION_EXTENSION]: order },
  };
}

/**
 * order-sign: the cards of the orders being signed — what to fix before treatment starts, one card per concern
 * whatever the number of orders it concerns, the most urgent first; with information cards on, the level each
 * order describes too.
 */
export function orderSignCards(orders: readonly OrderDetermination[], settings: CardSettings, scope: CardScope): Card[] {
  const expected = orders.map((order) => expectedCard(order, settings, scope)).filter((card): card is Card => card !== null);
  const subjects = orders.map((order): CardSubject => ({
    key: order.order,
    name: `Order ${order.order}`,
    findings: order.findings,
    focus: { order: order.order },
    part: { order: order.order },
    headline: { order },
  }));
  return sortCards([...expected, ...concernCards(subjects, settings, scope)]);
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
