/**
 * An evaluation worker of a department run (evaluation-pool.ts): started with the run's limits and payer policies,
 * given the department's context once, then patients by name; reads each from the patient store and answers with its
 * outcome (or its line as text), or with the failure of a bug (the run stops on it, as it would on one thread). Asked
 * for its summary at the end, it gives what it added up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useLimits } from '../limits.js';
import { loadPolicies } from '../policies/load.js';
import { usePolicies } from '../policies/registry.js';
import { DepartmentEvaluation, type FromWorker, type ToWorker, type WorkerSettings } from './evaluation-pool.js';

const settings = workerData as WorkerSettings;
useLimits(settings.limits);
usePolicies(loadPolicies(settings.policyDepartmentDir), settings.policyDepartmentDir);

let evaluation: DepartmentEvaluation | null = null;
const port = parentPort!;
port.on('message', (message: ToWorker) => {
  if (message.kind === 'start') {
    evaluation = new DepartmentEvaluation(message.department);
    return;
  }
  let answer: FromWorker;
  try {
    if (!evaluation) throw new Error('a patient came before the department');
    answer =
      message.kind === 'summary'
        ? { id: message.id, summary: evaluation.summary.toJSON() }
        : { id: message.id, evaluated: evaluation.evaluate(message.patient) };
  } catch (error) {
    answer = {
      id: message.id,
      failure: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error), stack: undefined },
    };
  }
  port.postMessage(answer);
});
