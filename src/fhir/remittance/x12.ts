import { createRequire } from 'node:module';
import type { X12Parser as Parser, X12Segment } from 'node-x12';
import type { Adjustment, RemittanceClaim, RemittanceLine } from '../../engine/remittance-types.js';

/**
 * X12 835 5010 (health care claim payment/advice), read with `node-x12`: this module only checks what a payment file
 * must be (version, transaction type, ST/SE pairing) and walks the claim (CLP) and service line (SVC) loops.
 */

/**
 * The X12 parser, loaded when the first 835 is read (50 ms at start-up otherwise): every `evaluate` imports this module,
 * few are given a remittance file.
 */
let parserClass: typeof Parser | undefined;
function x12Parser(): Parser {
  parserClass ??= (createRequire(import.meta.url)('node-x12') as { X12Parser: typeof Parser }).X12Parser;
  return new parserClass(false);
}

/** A remittance that cannot be read: names the file and the segment, never its content (it carries PHI). */
export class RemittanceError extends Error {
  constructor(
    readonly file: string,
    readonly segment: number | null,
    readonly problem: string,
  ) {
    super(`${file}${segment === null ? '' : `, segment ${segment}`}: ${problem}`);
    this.name = 'RemittanceError';
  }
}

const ISA_LENGTH = 106;
const VERSION = '00501';
const IMPLEMENTATION = '005010X221';

const money = (text: string | undefined): number | null => {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
};

const day = (text: string | undefined): string | null =>
  text && /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : null;

/** `HC:77387:26` → code and modifiers (HC CPT/HCPCS; other qualifiers are read as written). */
function procedure(composite: string | undefined, separator: string): { code: string; modifiers: string[] } | null {
  if (!composite) return null;
  const [, code, ...modifiers] = composite.split(separator);
  if (!code) return null;
  return { code: code.trim().toUpperCase(), modifiers: modifiers.map((m) => m.trim().toUpperCase()).filter((m) => m.length > 0) };
}

interface LineDraft {
  origin: string;
  code: string;
  modifiers: string[];
  billedCode: string | null;
  billedModifiers: string[];
  charged: number | null;
  paid: number;
  units: number;
  date: string | null;
  controlNumber: string | null;
  adjustments: Adjustment[];
  remarks: string[];
}

interface ClaimDraft {
  origin: string;
  claimId: string | null;
  memberId: string | null;
  status: string | null;
  payerClaimNumber: string | null;
  payerName: string | null;
  date: string | null;
  lines: LineDraft[];
}

/** Reads one 835 file. Throws RemittanceError (file and segment number) when it is not a well-formed 835 5010. */
export function read835(text: string, file: string): RemittanceClaim[] {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('ISA')) throw new RemittanceError(file, 1, 'not an X12 interchange (it must begin with an ISA segment)');
  const terminator = body.charAt(ISA_LENGTH - 1);
  const elementSeparator = body.charAt(3);
  if (
    body.length < ISA_LENGTH ||
    terminator === elementSeparator ||
    /[A-Za-z0-9 ]/.test(terminator) ||
    body.slice(0, ISA_LENGTH - 1).includes(terminator)
  )
    throw new RemittanceError(file, 1, `the ISA segment must be ${ISA_LENGTH} characters long, ending with the segment terminator`);
  const componentSeparator = body.charAt(ISA_LENGTH - 2);

  let interchange;
  try {
    const parsed = x12Parser().parse(body);
    interchange = Array.isArray(parsed) ? parsed[0] : parsed;
  } catch {
    // The parser's message may quote the file: only where and what.
    throw new RemittanceError(file, null, 'not a well-formed X12 interchange');
  }
  if (!interchange) throw new RemittanceError(file, null, 'not a well-formed X12 interchange');
  if (interchange.header.valueOf(12) !== VERSION) throw new RemittanceError(file, 1, `unsupported X12 version (ISA12 must be ${VERSION})`);

  const claims: ClaimDraft[] = [];
  let position = 1; // ISA
  for (const group of interchange.functionalGroups) {
    position += 1; // GS
    const gsAt = position;
    if (!(group.header.valueOf(8) ?? '').startsWith(IMPLEMENTATION))
      throw new RemittanceError(file, gsAt, `unsupported implementation (GS08 must be ${IMPLEMENTATION}, the 835 5010)`);
    for (const transaction of group.transactions) {
      position += 1; // ST
      const stAt = position;
      if (transaction.header.valueOf(1) !== '835') throw new RemittanceError(file, stAt, 'the transaction set is not an 835 (ST01)');
      const segments = transaction.segments;
      if (!transaction.trailer || transaction.trailer.tag !== 'SE') throw new RemittanceError(file, stAt, 'the transaction set has no SE trailer');
      const seAt = stAt + segments.length + 1;
      if (Number(transaction.trailer.valueOf(1)) !== segments.length + 2)
        throw new RemittanceError(file, seAt, 'SE01 does not count the segments of its transaction set');
      if (transaction.trailer.valueOf(2) !== transaction.header.valueOf(2))
        throw new RemittanceError(file, seAt, 'SE02 does not match the ST02 control number');
      walk(segments, stAt, file, componentSeparator, claims);
      position = seAt;
    }
    position += 1; // GE
  }
  return claims.map((claim) => ({
    origin: claim.origin,
    claimId: claim.claimId,
    patient: null,
    memberId: claim.memberId,
    status: claim.status,
    payerClaimNumber: claim.payerClaimNumber,
    payerName: claim.payerName,
    lines: claim.lines.map((line) => ({ ...line, date: line.date ?? claim.date }) satisfies RemittanceLine),
  }));
}

/** Walks the payer (N1*PR), claim (CLP, NM1*QC, DTM*232) and line (SVC, DTM*472, CAS, REF*6R, LQ*HE) loops. */
function walk(segments: readonly X12Segment[], stAt: number, file: string, separator: string, claims: ClaimDraft[]): void {
  let payerName: string | null = null;
  let claim: ClaimDraft | null = null;
  let line: LineDraft | null = null;
  segments.forEach((segment, index) => {
    const at = stAt + index + 1;
    const value = (n: number) => segment.valueOf(n) ?? undefined;
    switch (segment.tag) {
      case 'N1':
        if (value(1) === 'PR') payerName = value(2) ?? null;
        break;
      case 'CLP':
        line = null;
        claim = {
          origin: `${file} segment ${at}`,
          claimId: value(1) ?? null,
          memberId: null,
          status: value(2) ?? null,
          payerClaimNumber: value(7) ?? null,
          payerName,
          date: null,
          lines: [],
        };
        claims.push(claim);
        break;
      case 'NM1':
        if (claim && value(1) === 'QC') claim.memberId = value(9) ?? null;
        break;
      case 'DTM':
        if (line && value(1) === '472') line.date = day(value(2));
        else if (claim && !line && (value(1) === '232' || value(1) === '050')) claim.date ??= day(value(2));
        break;
      case 'SVC': {
        if (!claim) throw new RemittanceError(file, at, 'a service line (SVC) outside a claim (CLP)');
        const adjudicated = procedure(value(1), separator);
        if (!adjudicated) throw new RemittanceError(file, at, 'SVC01 names no procedure code');
        const billed = procedure(value(6), separator);
        const paid = money(value(3));
        if (paid === null) throw new RemittanceError(file, at, 'SVC03 (the amount paid) is not a number');
        line = {
          origin: `${file} segment ${at}`,
          code: adjudicated.code,
          modifiers: adjudicated.modifiers,
          billedCode: billed && (billed.code !== adjudicated.code || billed.modifiers.join() !== adjudicated.modifiers.join()) ? billed.code : null,
          billedModifiers: billed?.modifiers ?? [],
          charged: money(value(2)),
          paid,
          units: money(value(5)) ?? 1,
          date: null,
          controlNumber: null,
          adjustments: [],
          remarks: [],
        };
        (claim as ClaimDraft).lines.push(line);
        break;
      }
      case 'CAS': {
        if (!line) break; // claim-level adjustments: the lines carry what is decided per code
        const group = value(1) ?? '';
        for (let n = 2; n <= 17; n += 3) {
          const reason = value(n);
          const amount = money(value(n + 1));
          if (reason) (line as LineDraft).adjustments.push({ group, reason, amount: amount ?? 0 });
        }
        break;
      }
      case 'REF':
        if (line && value(1) === '6R') line.controlNumber = value(2) ?? null;
        break;
      case 'LQ':
        if (line && value(1) === 'HE' && value(2)) line.remarks.push(value(2)!);
        break;
      default:
        break;
    }
  });
}
