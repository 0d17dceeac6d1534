import type { Determination, SessionDetermination } from '../../src/engine/types.js';

/**
 * An amount of money, as far as it could be priced: `amount` adds up the priced items, `unpriced` counts the items
 * the rate table could not price (no payer, no rate, the site of service unknown). The rates come from the service's
 * estimate (rule R); the app prices nothing itself.
 */
export interface Amount {
  readonly amount: number;
  readonly items: number;
  readonly unpriced: number;
}

/**
 * Where a session's money stands: **billable** (lines to bill), **at risk until signed** (77387-26 pending a
 * physician's approval before the next treatment) and **lost** (a 77387-26 not supportable, a session with no code).
 */
export interface SessionMoney {
  readonly billable: Amount;
  readonly atRisk: Amount;
  readonly lost: Amount;
  /** No delivery code can be billed until the record is completed (the service's `money.noCode`). */
  readonly noCode: boolean;
  /** Its 77387-26 is lost (guidance delivered, its approval not in time). */
  readonly igrtLost: boolean;
}

export interface CourseMoney extends Omit<SessionMoney, 'noCode' | 'igrtLost'> {
  readonly sessionsWithoutCode: number;
  readonly igrtLost: number;
  readonly igrtPending: number;
  /** Fractions delivered that the record holds only as phase, plan or course summaries: no session can be billed from them. */
  readonly summaryOnlyFractions: number;
}

const NONE: Amount = { amount: 0, items: 0, unpriced: 0 };
const cents = (n: number) => Math.round(n * 100) / 100;
const add = (a: Amount, b: Amount): Amount => ({ amount: cents(a.amount + b.amount), items: a.items + b.items, unpriced: a.unpriced + b.unpriced });
const item = (amount: number | null | undefined): Amount =>
  typeof amount === 'number' ? { amount, items: 1, unpriced: 0 } : { amount: 0, items: 1, unpriced: 1 };

/**
 * A session's money as the service priced it (`session.money`: billable, at risk until signed, lost), each counted
 * as one item per session; an amount the service could not price (no payer, no rate, the site unknown) is counted
 * unpriced. A session with no code (`money.noCode`: a fact missing) is lost, its amount unknown.
 */
export function sessionMoney(session: SessionDetermination): SessionMoney {
  const { money } = session;
  const has = (status: 'bill' | 'pending') => session.lines.some((line) => line.status === status);
  const igrtLost = session.igrtStatus === 'not-supportable';
  return {
    billable: has('bill') ? item(money.billable) : NONE,
    atRisk: has('pending') ? item(money.atRisk) : NONE,
    lost: add(igrtLost ? item(money.lost) : NONE, money.noCode ? item(null) : NONE),
    noCode: money.noCode,
    igrtLost,
  };
}

export function courseMoney(determination: Determination): CourseMoney {
  const sessions = determination.sessions.map(sessionMoney);
  return {
    billable: sessions.reduce((sum, s) => add(sum, s.billable), NONE),
    atRisk: sessions.reduce((sum, s) => add(sum, s.atRisk), NONE),
    lost: sessions.reduce((sum, s) => add(sum, s.lost), NONE),
    sessionsWithoutCode: sessions.filter((s) => s.noCode).length,
    igrtLost: sessions.filter((s) => s.igrtLost).length,
    igrtPending: determination.sessions.filter((s) => s.igrtStatus === 'pending').length,
    summaryOnlyFractions: determination.phases.reduce((sum, p) => sum + Math.max(0, (p.fractionsDelivered ?? 0) - p.fractionRecords), 0),
  };
}

/** `$391.46`, `$391.46 + 1 not priced`, `not priced`, or `$0.00`. */
export function moneyText(amount: Amount): string {
  if (amount.items > 0 && amount.unpriced === amount.items) return 'not priced';
  const dollars = `$${amount.amount.toFixed(2)}`;
  return amount.unpriced > 0 ? `${dollars} + ${amount.unpriced} not priced` : dollars;
}
