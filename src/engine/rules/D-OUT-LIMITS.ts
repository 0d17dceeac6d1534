import { STEREOTACTIC_LIMITS } from '../tables/cpt.js';
import type { Finding } from '../types.js';
import { finding, fractionRefs, type Rule } from './rule.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * D-OUT-LIMITS (checked with D-OUT): SBRT is a course of at most 5 fractions and SRS one session (004); the stereotactic
 * codes pay once per day. A sixth SBRT fraction is coded by the delivery levels; a second SRS session makes the course
 * fractionated stereotactic treatment (the SBRT family); a second stereotactic session on one date is one unit.
 */
export const D_OUT_LIMITS: Rule = {
  id: 'D-OUT-LIMITS',
  title: 'Stereotactic limits: SBRT at most 5 fractions, SRS one session, one unit per day',
  sources: ['004'],
  session(context) {
    const place = context.stereotactic;
    if (place === null || !context.inScope) return [];
    const { limit } = place;
    const findings: Finding[] = [];
    const fractions = fractionRefs(context);
    if (place.ordinal > limit.maxSessions) {
      if (limit.beyond.kind === 'family') {
        findings.push(
          finding(
            this,
            'warning',
            `${limit.name} is one session, and this is session ${place.ordinal} of its plan: treatment beyond one session is coded as ${limit.beyond.family.family}, not ${limit.name}.`,
            fractions,
          ),
        );
      } else {
        findings.push(
          finding(
            this,
            'warning',
            `${limit.name} is a course of at most ${plural(limit.maxSessions, 'fraction')} ("entire course not to exceed ${limit.maxSessions} fractions"), and this is fraction ${place.ordinal} of its plan: fractions beyond ${limit.maxSessions} are not ${limit.name} by CPT and are coded by the delivery levels: ${context.clinical.code ?? 'no code until the facts are known (D-UNKNOWN)'}.`,
            fractions,
          ),
        );
      }
    }
    if (place.ofTheDay > 1)
      findings.push(
        finding(
          this,
          'warning',
          `Stereotactic session ${place.ofTheDay} on ${context.dateOfService ?? 'this date'}: ${limit.oncePerDay} pay once per day, whatever the number of sessions or lesions. Bill one unit for the date.`,
          fractions,
        ),
      );
    return findings;
  },
  order(context) {
    const planned = context.order.plannedFractions;
    const technique = [...context.facts.techniques].find((t) => STEREOTACTIC_LIMITS.has(t));
    if (!technique || planned === null || context.clinical.rule !== 'D-OUT' || !context.inScope) return [];
    const limit = STEREOTACTIC_LIMITS.get(technique)!;
    if (planned <= limit.maxSessions) return [];
    const instead = limit.beyond.kind === 'family' ? limit.beyond.family.family : 'the delivery levels (77402–77412) from the sixth fraction on';
    return [
      finding(
        this,
        'warning',
        `This ${limit.name} order plans ${plural(planned, 'fraction')}; ${limit.name} allows ${plural(limit.maxSessions, 'session')} per course. Beyond that the treatment is coded as ${instead}: review the plan or the codes before treatment starts.`,
        [context.order.ref],
      ),
    ];
  },
  headline: () => 'Stereotactic limit exceeded: check the codes',
};
