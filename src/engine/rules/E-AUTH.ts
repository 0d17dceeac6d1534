import { DENIAL_REASONS } from '../tables/carc.js';
import { sessionEvidence } from './charge-rule.js';
import { decided, denialWording, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/**
 * E-AUTH: denied for authorization (CARC 197, 198, 15, 62) while an authorization applied to the date of service, or a
 * 2025 authorization was carried forward (C-AUTH-2025). Without either the denial stands: no finding, no appeal.
 */
export const E_AUTH: RemittanceRule = {
  id: 'E-AUTH',
  title: 'Denied for authorization while one applied',
  sources: ['002'],
  line(context) {
    if (!context.reasons.some((r) => (DENIAL_REASONS.authorization as readonly string[]).includes(r))) return null;
    const applying = context.authorizations.applying;
    if (applying.length === 0 && !context.carriedForward2025) return decided(null);
    const which =
      applying.length > 0
        ? `an authorization applies to ${context.line.date ?? 'the date'} (${applying.map((a) => a.response ?? a.claim).join(', ')})`
        : 'a 2025 authorization was carried forward into 2026 (C-AUTH-2025: payers deny 2026 claims over them)';
    return decided(
      finding(
        this,
        'warning',
        `${lineName(context)} was denied for authorization (${denialWording(context)}), but ${which}. Appeal with the authorization on file.`,
        [
          ...applying.map((a) => a.response ?? a.claim),
          ...(context.charge ? [context.charge.charge] : []),
          ...(context.session ? sessionEvidence(context.session) : []),
        ],
      ),
      true,
    );
  },
};
