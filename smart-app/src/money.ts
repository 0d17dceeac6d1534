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
 * physician's approval before the next treatment) and **lost** (a 77387-26 not supportable, a delivery with no
 * supportable code).
 */
export interface SessionMoney {
  readonly billable: Amount;
  readonly atRisk: Amount;
  readonly lost: Amount;
  /** The session has no code to bill at all (nothing the facts describe can be billed). */
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

export function sessionMoney(session: SessionDetermination): SessionMoney {
  const priced = (code: string) => session.estimate?.lines.find((line) => line.code === code)?.amount;
  const linesWith = (status: 'bill' | 'pending') =>
    session.lines.filter((line) => line.status === status).reduce((sum, line) => add(sum, item(priced(line.code))), NONE);
  const noCode = session.supportedDeliveryCode === null;
  const igrtLost = session.igrtStatus === 'not-supportable';
  // What is lost as the service priced it; without a price (no payer), each lost item is counted unpriced.
  const lostPriced = session.lost?.lines.reduce((sum, line) => add(sum, item(line.amount)), NONE);
  const lost = lostPriced ?? { amount: 0, items: Number(noCode) + Number(igrtLost), unpriced: Number(noCode) + Number(igrtLost) };
  // A delivery with no code at all (out of family, facts missing) has nothing to price: counted, not priced.
  const unpricedNoCode = noCode && session.deliveryCode === null && lostPriced ? item(null) : NONE;
  return { billable: linesWith('bill'), atRisk: linesWith('pending'), lost: add(lost, unpricedNoCode), noCode, igrtLost };
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
