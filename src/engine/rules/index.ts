import { A_NEED } from './A-NEED.js';
import { A_NEED_SPECIFIC } from './A-NEED-SPECIFIC.js';
import { A_ORDER } from './A-ORDER.js';
import { A_QUAL } from './A-QUAL.js';
import { A_RECORD } from './A-RECORD.js';
import { A_SIGN } from './A-SIGN.js';
import { A_UTIL } from './A-UTIL.js';
import { B_26 } from './B-26.js';
import { B_DELETED } from './B-DELETED.js';
import { B_DUPLICATE } from './B-DUPLICATE.js';
import { B_LEVEL } from './B-LEVEL.js';
import { B_MISSED } from './B-MISSED.js';
import { B_NONE } from './B-NONE.js';
import { B_UNMATCHED } from './B-UNMATCHED.js';
import { C_AUTH_2025 } from './C-AUTH-2025.js';
import { C_AUTH_NONE } from './C-AUTH-NONE.js';
import { E_AUTH } from './E-AUTH.js';
import { E_DENIED_26 } from './E-DENIED-26.js';
import { E_DOWNCODE } from './E-DOWNCODE.js';
import { E_NOT_ADOPTED } from './E-NOT-ADOPTED.js';
import { E_UNDERPAID } from './E-UNDERPAID.js';
import { E_UNMATCHED } from './E-UNMATCHED.js';
import { E_ZERO_PAY } from './E-ZERO-PAY.js';
import { P_CODESET } from './P-CODESET.js';
import { P_MATCH } from './P-MATCH.js';
import type { RemittanceRule } from './remittance-rule.js';
import { C_AUTH_APPLIES } from './C-AUTH-APPLIES.js';
import { C_AUTH_MISMATCH } from './C-AUTH-MISMATCH.js';
import { C_AUTH_SCOPE } from './C-AUTH-SCOPE.js';
import { C_DELETED } from './C-DELETED.js';
import { C_PLAN_SAME_DAY } from './C-PLAN-SAME-DAY.js';
import { D_1 } from './D-1.js';
import { D_2 } from './D-2.js';
import { D_2D_AMM } from './D-2D-AMM.js';
import { D_3_AMM } from './D-3-AMM.js';
import { D_3_ISO } from './D-3-ISO.js';
import { D_3_MIX } from './D-3-MIX.js';
import { D_3_PAYER } from './D-3-PAYER.js';
import { D_3_TSE } from './D-3-TSE.js';
import { D_NOT_DELIVERED } from './D-NOT-DELIVERED.js';
import { D_PARTIAL } from './D-PARTIAL.js';
import { D_OUT } from './D-OUT.js';
import { D_OUT_LIMITS } from './D-OUT-LIMITS.js';
import { D_UNKNOWN } from './D-UNKNOWN.js';
import { D_COUNT } from './D-COUNT.js';
import { D_COURSE } from './D-COURSE.js';
import { D_DATE } from './D-DATE.js';
import { D_TZ } from './D-TZ.js';
import { D_SUMMARY } from './D-SUMMARY.js';
import { D_UNSTRUCTURED } from './D-UNSTRUCTURED.js';
import { FHIR_INPUT } from './FHIR-INPUT.js';
import { I_2D } from './I-2D.js';
import { I_BUNDLED } from './I-BUNDLED.js';
import { I_PC } from './I-PC.js';
import { I_PORT } from './I-PORT.js';
import { I_PORT_SAME } from './I-PORT-SAME.js';
import { I_PROTON } from './I-PROTON.js';
import { I_SIGN } from './I-SIGN.js';
import { I_TC } from './I-TC.js';
import type { ChargeRule } from './charge-rule.js';
import type { LevelRule, Rule, RuleInfo } from './rule.js';

/** The delivery-level decision, in the order of spec/billing-rules.md: the first rule that matches decides. */
export const LEVEL_RULES: readonly LevelRule[] = [D_OUT, D_3_AMM, D_3_ISO, D_3_TSE, D_3_MIX, D_2, D_1];

/** Every rule whose checks run on sessions, orders, phases or records. A new rule is one file and one row here. */
export const RULES: readonly Rule[] = [
  D_OUT,
  D_3_AMM,
  D_3_ISO,
  D_3_TSE,
  D_3_MIX,
  D_2,
  D_1,
  D_UNKNOWN,
  D_OUT_LIMITS,
  D_2D_AMM,
  D_3_PAYER,
  D_DATE,
  D_TZ,
  D_SUMMARY,
  D_COUNT,
  D_COURSE,
  D_UNSTRUCTURED,
  D_NOT_DELIVERED,
  D_PARTIAL,
  A_QUAL,
  A_ORDER,
  A_NEED,
  A_NEED_SPECIFIC,
  A_RECORD,
  A_SIGN,
  I_TC,
  I_PC,
  I_SIGN,
  I_PORT,
  I_PORT_SAME,
  I_2D,
  I_BUNDLED,
  I_PROTON,
  C_DELETED,
  C_AUTH_APPLIES,
  C_AUTH_MISMATCH,
  C_AUTH_SCOPE,
  C_AUTH_2025,
  C_AUTH_NONE,
  C_PLAN_SAME_DAY,
  P_MATCH,
  P_CODESET,
  FHIR_INPUT,
];

/** Reconciliation of the charges on file with the sessions (spec B), run by `reconcile.ts`. */
export const CHARGE_RULES: readonly ChargeRule[] = [B_MISSED, B_LEVEL, B_26, B_DUPLICATE, B_DELETED, B_UNMATCHED, B_NONE];

/**
 * What the payer paid (spec E), in decision order: the first rule that decides a remittance line wins. A line that
 * matches nothing is E-UNMATCHED; a denial the record does not refute is decided with no finding (no appeal).
 */
export const REMITTANCE_RULES: readonly RemittanceRule[] = [E_UNMATCHED, E_NOT_ADOPTED, E_AUTH, E_DOWNCODE, E_DENIED_26, E_ZERO_PAY, E_UNDERPAID];

/** P-EDIT: a department's own edit (a FHIRPath condition in a policy file), run after the charges and remittance. */
export const P_EDIT: RuleInfo = { id: 'P-EDIT', title: "A department's own edit (payer policy file)", sources: ['spec'] };

/** The payer-policy rules that are data rather than checks of their own (P-IGRT drives B-26 and I-2D, P-PORT B-26, P-RATE estimates). */
const POLICY_FIELDS: readonly RuleInfo[] = [
  { id: 'P-IGRT', title: 'The payer pays these 77387 components; its stance on IGRT with 2D', sources: ['000', '003'] },
  { id: 'P-PORT', title: "The payer's 77417 edits, or bundled", sources: ['001', '003', '004'] },
  { id: 'P-AUTH', title: 'Codes the payer requires an authorization for (C-AUTH-NONE)', sources: ['002'] },
  { id: 'P-RATE', title: "The payer's rates by code, setting and date", sources: ['000'] },
];

/** Rules that look at a whole population of fractions or sessions rather than one. */
export const POPULATION_RULES = { utilization: A_UTIL } as const;

/** Every rule ID with its title and sources: for documentation, cards and the reviewer app. */
export const RULE_CATALOG: readonly RuleInfo[] = [...RULES, ...CHARGE_RULES, A_UTIL, ...REMITTANCE_RULES, P_EDIT, ...POLICY_FIELDS]
  .map(({ id, title, sources }) => ({ id, title, sources }))
  .sort((a, b) => a.id.localeCompare(b.id));
