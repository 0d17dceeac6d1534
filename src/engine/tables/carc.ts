/**
 * Claim adjustment reason codes (CARC) and remittance advice remark codes (RARC) the E rules read, with their standard
 * wording. Source: the X12 code lists maintained by the Washington Publishing Company for X12 (CARC and RARC lists,
 * x12.org/codes), wording as published in the lists in force in 2026; only the codes a radiotherapy remittance
 * commonly carries are listed, any other is shown by its number.
 */
export const CARC_SOURCE = 'X12 Claim Adjustment Reason Codes and Remittance Advice Remark Codes (x12.org/codes), 2026 lists';

export const CARC: Readonly<Record<string, string>> = {
  '1': 'Deductible amount.',
  '2': 'Coinsurance amount.',
  '3': 'Co-payment amount.',
  '4': 'The procedure code is inconsistent with the modifier used.',
  '15': 'The authorization number is missing, invalid, or does not apply to the billed services or provider.',
  '16': 'Claim/service lacks information or has submission/billing error(s).',
  '45': 'Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.',
  '50': "These are non-covered services because this is not deemed a 'medical necessity' by the payer.",
  '62': 'Payment denied/reduced for absence of, or exceeded, pre-certification/authorization.',
  '96': 'Non-covered charge(s).',
  '97': 'The benefit for this service is included in the payment/allowance for another service/procedure that has already been adjudicated.',
  '150': 'Payer deems the information submitted does not support this level of service.',
  '151': 'Payment adjusted because the payer deems the information submitted does not support this many/frequency of services.',
  '181': 'Procedure code was invalid on the date of service.',
  '182': 'Procedure modifier was invalid on the date of service.',
  '197': 'Precertification/notification/authorization/pre-treatment absent.',
  '198': 'Precertification/notification/authorization/pre-treatment exceeded.',
  '204': "This service/equipment/drug is not covered under the patient's current benefit plan.",
  '234': 'This procedure is not paid separately.',
  '236':
    'This procedure or procedure/modifier combination is not compatible with another procedure or procedure/modifier combination provided on the same day according to the National Correct Coding Initiative or workers compensation state regulations/fee schedule requirements.',
  '253': 'Sequestration - reduction in federal payment.',
};

export const RARC: Readonly<Record<string, string>> = {
  M51: 'Missing/incomplete/invalid procedure code(s).',
  M80: 'Not covered when performed during the same session/date as a previously processed service for the patient.',
  M86: 'Service denied because payment already made for same/similar procedure within set time frame.',
  N20: 'Service not payable with other service rendered on the same date.',
  N54: 'Claim information is inconsistent with pre-certified/authorized services.',
  N130: 'Consult plan benefit documents/guidelines for information about restrictions for this service.',
  N657: 'This should be billed with the appropriate code for these services.',
};

/** CARC groups. */
export const CARC_GROUPS: Readonly<Record<string, string>> = {
  CO: 'contractual obligation',
  PR: 'patient responsibility',
  OA: 'other adjustment',
  PI: 'payer-initiated reduction',
  CR: 'correction and reversal',
};

/** Reasons the E rules recognise. */
export const DENIAL_REASONS = {
  bundled26: ['97', '4', '236', '234'],
  downcode: ['150'],
  notAdopted: ['181', '182'],
  authorization: ['197', '198', '15', '62'],
} as const;

/** Underpayment tolerance: paid below the policy's rate by more than this share (E-UNDERPAID). */
export const UNDERPAID_TOLERANCE = 0.05;

export const carcText = (code: string): string => CARC[code] ?? 'reason not in the service table; see the X12 CARC list';
export const rarcText = (code: string): string => RARC[code] ?? 'remark not in the service table; see the X12 RARC list';
