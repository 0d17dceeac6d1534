import type { z } from 'zod';
import { formatPath, InputError } from '../errors.js';
import type { CardSettings } from './cards.js';
import type { HookData } from './hook-data.js';
import type { HookRequest } from './schemas.js';
import type { CdsResponse, CdsServiceDefinition } from './types.js';

export interface HookDependencies {
  readonly data: HookData;
  readonly cards: CardSettings;
}

/** A CDS service: its discovery definition and the handler of its hook. One folder each in cds-services/. */
export interface CdsService {
  readonly definition: CdsServiceDefinition;
  handle(request: HookRequest, dependencies: HookDependencies): Promise<CdsResponse>;
}

/** Parses a hook's context with its schema; errors name `context.<field>`. */
export function parseContext<S extends z.ZodType>(schema: S, context: unknown): z.infer<S> {
  const parsed = schema.safeParse(context);
  if (!parsed.success)
    throw new InputError(parsed.error.issues.map((issue) => ({ path: formatPath('context', issue.path), message: issue.message })));
  return parsed.data;
}
