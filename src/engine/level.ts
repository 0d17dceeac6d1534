import { LEVEL_RULES } from './rules/index.js';
import type { LevelFacts, LevelResult } from './rules/rule.js';

/**
 * The delivery level the facts describe: the first D rule that matches decides. A rule that cannot be
 * decided for lack of a fact blocks every later rule that would give a different code (D-UNKNOWN);
 * nothing is ever defaulted.
 */
export function deriveLevel(facts: LevelFacts): LevelResult {
  const undecided: { code: string | null; missing: readonly string[] }[] = [];
  for (const rule of LEVEL_RULES) {
    const match = rule.test(facts);
    if (match.kind === 'unknown') {
      undecided.push({ code: rule.code, missing: match.missing });
      continue;
    }
    if (match.kind === 'no-match') continue;
    const blockers = undecided.filter((earlier) => earlier.code !== rule.code);
    if (blockers.length > 0) return unknown(blockers.flatMap((b) => b.missing));
    return { rule: rule.id, code: rule.code, missing: [], ...(match.outOfFamily ? { outOfFamily: match.outOfFamily } : {}) };
  }
  return unknown(undecided.length > 0 ? undecided.flatMap((u) => u.missing) : ['modality']);
}

function unknown(missing: readonly string[]): LevelResult {
  return { rule: 'D-UNKNOWN', code: null, missing: [...new Set(missing)] };
}
