import type { z } from 'zod';
import { formatPath, InputError } from '../errors.js';
import type { CardSettings } from './cards.js';
import type { HookData, PrefetchKey } from './hook-data.js';
import type { HookRequest } from './schemas.js';
import type { CdsResponse, CdsServiceDefinition } from './types.js';

export interface HookDependencies {
  readonly data: HookData;
  readonly cards: CardSettings;
  /** The instant of the call: the as-of date of undated orders, `created` of suggested resources. */
  readonly now: Date;
  /** The clinic's configured time zone (`CLINIC_TIME_ZONE`): its calendar dates are the dates of service. */
  readonly clinicTimeZone: string | null;
}

/** A CDS service: its discovery definition, its prefetch keys, and the handler of its hook. One folder each in cds-services/. */
export interface CdsService {
  readonly definition: CdsServiceDefinition;
  readonly prefetch: Readonly<Record<string, PrefetchKey>>;
  handle(request: HookRequest, dependencies: HookDependencies): Promise<CdsResponse>;
}

/** Parses a hook's context with its schema; errors name `context.<field>`. */
export function parseContext<S extends z.ZodType>(schema: S, context: unknown): z.infer<S> {
  const parsed = schema.safeParse(context);
  if (!parsed.success)
    throw new InputError(parsed.error.issues.map((issue) => ({ path: formatPath('context', issue.path), message: issue.message })));
  return parsed.data;
}
