import { DETERMINATION_EXTENSION } from '../../src/cds/cards.js';
import type { Card } from '../../src/cds/types.js';
import type { OrderDetermination, SessionDetermination } from '../../src/engine/types.js';

const partOf = (card: Card) => (card.extension?.[DETERMINATION_EXTENSION] ?? {}) as Record<string, unknown>;

/** A session's codes card (information cards on, or no code derivable): the one carrying the session's determination. */
export function codesCardOf(cards: readonly Card[], fractions?: readonly string[]): Card | undefined {
  return cards.find((card) => {
    const part = partOf(card);
    return 'deliveryRule' in part && 'supportedDeliveryCode' in part && (!fractions || (part.fractions as string[]).join() === fractions.join());
  });
}

export const sessionOf = (card: Card): SessionDetermination => partOf(card) as unknown as SessionDetermination;

/** An order's expected-level card: the one carrying the order's determination. */
export function expectedCardOf(cards: readonly Card[], order?: string): Card | undefined {
  return cards.find((card) => {
    const part = partOf(card);
    return 'expectedDeliveryCode' in part && (!order || part.order === order);
  });
}

export const orderOf = (card: Card): OrderDetermination => partOf(card) as unknown as OrderDetermination;
