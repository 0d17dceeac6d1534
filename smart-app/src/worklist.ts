import type { Determination, Finding, Severity } from '../../src/engine/types.js';

export const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** What a finding is about, to open it: a session (Encounter or first fraction), an order, a phase summary, or the patient. */
export type Subject =
  | { readonly kind: 'session'; readonly ref: string; readonly label: string }
  | { readonly kind: 'order'; readonly ref: string; readonly label: string }
  | { readonly kind: 'phase'; readonly ref: string; readonly label: string }
  | { readonly kind: 'patient'; readonly label: string };

export interface WorkItem {
  readonly finding: Finding;
  readonly subject: Subject;
  /** The time to act by: the next booked treatment, else the next beam-on; `null` when none applies (or it has passed for good). */
  readonly deadline: string | null;
  readonly deadlineKind: 'next treatment' | 'next beam-on' | null;
  /** The IANA zone of the session, to show the deadline in the clinic's time. */
  readonly timeZone: string | null;
}

/** Every finding with its subject and deadline, in the determination's order. */
export function allItems(determination: Determination): WorkItem[] {
  const none = { deadline: null, deadlineKind: null, timeZone: null } as const;
  return [
    ...determination.findings.map((finding) => ({ finding, subject: { kind: 'patient', label: 'Patient' } as const, ...none })),
    ...determination.orders.flatMap((order) =>
      order.findings.map((finding) => ({
        finding,
        subject: {
          kind: 'order',
          ref: order.order,
          label: `Order ${order.order.replace(/^ServiceRequest\//, '')} (${order.dateOfService})`,
        } as const,
        ...none,
      })),
    ),
    ...determination.phases.flatMap((phase) =>
      phase.findings.map((finding) => ({
        finding,
        subject: {
          kind: 'phase',
          ref: phase.procedure,
          label: `${phase.kind[0]!.toUpperCase()}${phase.kind.slice(1)} ${phase.procedure.replace(/^Procedure\//, '')}`,
        } as const,
        ...none,
      })),
    ),
    ...determination.sessions.flatMap((session) => {
      const next = session.facts.nextTreatment ?? session.facts.nextBeamOn;
      const kind: WorkItem['deadlineKind'] = session.facts.nextTreatment ? 'next treatment' : session.facts.nextBeamOn ? 'next beam-on' : null;
      return session.findings.map((finding): WorkItem => ({
        finding,
        subject: {
          kind: 'session',
          ref: session.encounter ?? session.fractions[0] ?? '',
          label: `Session ${session.dateOfService ?? 'undated'}`,
        } as const,
        // Something settled (the next fraction began unsigned) has no deadline left: what remains is to bill accordingly.
        deadline: finding.settled ? null : next,
        deadlineKind: finding.settled ? null : kind,
        timeZone: session.timeZone,
      }));
    }),
  ];
}

/** "To act on": every warning and critical (orders, phases, sessions, patient), the nearest deadline first, then the most severe. */
export function toActOn(determination: Determination): WorkItem[] {
  const time = (item: WorkItem) => (item.deadline ? Date.parse(item.deadline) : Infinity);
  return allItems(determination)
    .filter((item) => item.finding.severity !== 'info')
    .sort((a, b) => time(a) - time(b) || RANK[a.finding.severity] - RANK[b.finding.severity]);
}

/** Everything else: information (B-NONE, D-TZ, D-SUMMARY…), shown below the worklist and the tables. */
export function information(determination: Determination): WorkItem[] {
  return allItems(determination).filter((item) => item.finding.severity === 'info');
}

/** A deadline in the clinic's time when the session's zone is known (`2026-04-14 08:00 America/Chicago`), else in UTC. */
export function deadlineText(item: WorkItem): string {
  if (!item.deadline) return '';
  const zone = item.timeZone ?? 'UTC';
  const at = new Date(item.deadline);
  if (Number.isNaN(at.getTime())) return `before ${item.deadline} (${item.deadlineKind})`;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `before ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone} (${item.deadlineKind})`;
}
