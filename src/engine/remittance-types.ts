/**
 * What a payer paid (spec E), as the engine sees it: read from an X12 835 or a FHIR ExplanationOfBenefit /
 * ClaimResponse (use `claim`) by `src/fhir/remittance/`. Amounts are dollars.
 */

/** One adjustment: group (CO, PR, OA, PI), CARC and amount. */
export interface Adjustment {
  readonly group: string;
  readonly reason: string;
  readonly amount: number;
}

/** One paid or denied service line. */
export interface RemittanceLine {
  /** Where it was read: `FILE segment N` for an 835, `ExplanationOfBenefit/x item 2` for FHIR. */
  readonly origin: string;
  /** The code as adjudicated, without modifiers. */
  readonly code: string;
  readonly modifiers: readonly string[];
  /** The code billed when the payer adjudicated another (835 SVC06); `null` when the same. */
  readonly billedCode: string | null;
  readonly billedModifiers: readonly string[];
  readonly charged: number | null;
  readonly paid: number;
  readonly units: number;
  /** Date of service (YYYY-MM-DD), the line's (DTM*472), else the claim's. */
  readonly date: string | null;
  /** Line control number (835 REF*6R; the charge's identifier), or the Claim item sequence (`Claim/x#2`). */
  readonly controlNumber: string | null;
  readonly adjustments: readonly Adjustment[];
  /** Remark codes (RARC, 835 LQ*HE). */
  readonly remarks: readonly string[];
}

/** One claim of a remittance. */
export interface RemittanceClaim {
  readonly origin: string;
  /** 835 CLP01 (the clinic's claim id: a Patient, Account or Claim identifier), or the EOB's claim/patient reference. */
  readonly claimId: string | null;
  /** The patient, when the remittance names one directly (an EOB's `patient`). */
  readonly patient: string | null;
  /** 835 NM1*QC member id. */
  readonly memberId: string | null;
  /** 835 CLP02 (1 processed as primary, 4 denied, 22 reversal…); `null` for FHIR. */
  readonly status: string | null;
  /** The payer's claim control number (835 CLP07). */
  readonly payerClaimNumber: string | null;
  readonly payerName: string | null;
  readonly lines: readonly RemittanceLine[];
}

/** How one remittance line compares with the record. */
export interface RemittanceLineDetermination {
  readonly origin: string;
  readonly patient: string | null;
  readonly code: string;
  readonly billedCode: string;
  readonly date: string | null;
  readonly paid: number;
  readonly charged: number | null;
  /** The charge it pays, the session it is about (`null`: none matched). */
  readonly charge: string | null;
  readonly session: string | null;
  readonly matchedBy: 'control-number' | 'patient-date-code' | 'session' | null;
  readonly payer: string | null;
  readonly policy: string | null;
  /** `paid`, `denied` (nothing paid), `reduced` (paid below the claim), and the E rule that decided the line, if any. */
  readonly status: 'paid' | 'denied' | 'reduced';
  readonly rule: string | null;
  readonly appealable: boolean;
  /** The rate of the code billed in the policy that applies, when it has one (E-UNDERPAID; recoverable if appealed). */
  readonly expected: number | null;
  readonly reasons: readonly { readonly group: string; readonly code: string; readonly amount: number; readonly text: string }[];
  readonly remarks: readonly { readonly code: string; readonly text: string }[];
}
