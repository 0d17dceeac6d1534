import { sortFindings } from './findings.js';
import { coveragesOf, matchPolicy, policyName, type PayerPolicy, type PolicyEdit } from './policy.js';
import { P_EDIT } from './rules/index.js';
import { finding, uncheckedFinding } from './rules/rule.js';
import type { Determination, EngineInput, Finding, Ref, SessionDetermination } from './types.js';

/**
 * P-EDIT: a department's own edits, conditions in FHIRPath (compiled once when the policy file was read), evaluated
 * over each session of a patient whose policy carries them. The session is the context (`%context`, its fields as
 * the determination gives them: `supportedDeliveryCode`, `igrtStatus`, `facts`, `lines`, `findings`…); the variables
 * are `%charges` (the session's charges), `%course` (the patient's sessions in time order, each with `position` and
 * `charges`), `%position` (this session's place in it, from 1), `%payer` (kind, state, payor name, policy id) and
 * `%remittance` (the session's remittance lines). An expression that cannot be evaluated is "could not be checked",
 * never the edit firing.
 */
export function withEdits(input: EngineInput, determination: Determination): Determination {
  if (!input.policies?.some((p) => p.edits.length > 0) || input.focusEncounters !== undefined) return determination;
  const byPatient = new Map<Ref | null, SessionDetermination[]>();
  for (const session of determination.sessions) byPatient.set(session.patient, [...(byPatient.get(session.patient) ?? []), session]);
  const added = new Map<SessionDetermination, Finding[]>();
  const key = (s: SessionDetermination) => s.encounter ?? s.fractions[0] ?? '';
  for (const [patient, sessions] of byPatient) {
    const chargesOf = (s: SessionDetermination) => (determination.charges ?? []).filter((c) => c.session === key(s));
    const course = sessions.map((s, index) => ({ ...s, position: index + 1, charges: chargesOf(s) }));
    sessions.forEach((session, index) => {
      const match = matchPolicy(input.policies, coveragesOf(input, patient), session.dateOfService);
      const policy = match.rules;
      if (policy.edits.length === 0) return;
      const variables = {
        charges: course[index]!.charges,
        course,
        position: index + 1,
        payer: {
          kind: match.coverage?.kind ?? null,
          state: match.coverage?.state ?? null,
          payorName: match.coverage?.payorName ?? null,
          policy: policy.id,
        },
        remittance: (determination.remittance ?? []).filter((r) => r.session === key(session)),
      };
      for (const edit of policy.edits) {
        const result = run(edit, course[index], variables);
        const found = result === 'error' ? editUnchecked(policy, edit, session) : result ? editFinding(policy, edit, session) : null;
        if (found) added.set(session, [...(added.get(session) ?? []), found]);
      }
    });
  }
  if (added.size === 0) return determination;
  return {
    ...determination,
    sessions: determination.sessions.map((s) => (added.has(s) ? { ...s, findings: sortFindings([...s.findings, ...added.get(s)!]) } : s)),
  };
}

/** True when the condition yields `true` (FHIRPath: a single true); 'error' when it cannot be evaluated. */
function run(edit: PolicyEdit, session: unknown, variables: Parameters<PolicyEdit['evaluate']>[1]): boolean | 'error' {
  try {
    const result = edit.evaluate(session, variables);
    return result.length === 1 && result[0] === true;
  } catch {
    return 'error';
  }
}

const evidence = (s: SessionDetermination): Ref[] => [...(s.encounter ? [s.encounter] : []), ...s.fractions];

function editFinding(policy: PayerPolicy, edit: PolicyEdit, session: SessionDetermination): Finding {
  return {
    ...finding(P_EDIT, edit.severity, `${edit.id} (${policyName(policy)}): ${edit.message}`, evidence(session)),
    source: edit.source,
  };
}

function editUnchecked(policy: PayerPolicy, edit: PolicyEdit, session: SessionDetermination): Finding {
  return {
    ...uncheckedFinding(
      P_EDIT,
      `${edit.id} (${policyName(policy)}) could not be checked: its condition could not be evaluated on this session. Correct the expression in ${policy.file}.`,
      evidence(session),
    ),
    source: edit.source,
  };
}
