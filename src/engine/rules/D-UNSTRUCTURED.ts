import { finding, type Rule } from './rule.js';

/**
 * D-UNSTRUCTURED: a Procedure that records radiotherapy (a CPT radiation-oncology or G60xx code, or a SNOMED
 * radiotherapy procedure) without the CodeX RT structure. No level is derived from it; it is named, never ignored.
 */
export const D_UNSTRUCTURED: Rule = {
  id: 'D-UNSTRUCTURED',
  title: 'Radiotherapy recorded without the CodeX RT structure',
  sources: ['CodeXRT'],
  record(context) {
    return context.input.unstructured
      .filter((procedure) => context.focus === null || (procedure.encounter !== null && context.focus.has(procedure.encounter)))
      .map((procedure) => {
        const what = `${procedure.ref} (${procedure.status}${procedure.start ? `, ${procedure.start.slice(0, 10)}` : ''}) records ${procedure.codes.join(', ')}`;
        const message =
          procedure.records === 'delivery'
            ? `${what}: radiotherapy without the CodeX RT structure, so no delivery level is derived from it. To code and check each session, record it as a CodeX RT Treated Fraction (Procedure, SNOMED CT 1297069006) with its modality and technique, isocenters, motion management and image guidance, one per session, based on its plan.`
            : `${what}: a planning, physics or treatment-management service, not a treatment session. It is billed on its own; delivery levels come only from the sessions' CodeX RT Treated Fractions.`;
        return finding(this, 'info', message, [procedure.ref]);
      });
  },
  headline: () => 'Radiotherapy recorded without CodeX RT structure: no delivery level derived from it',
};
