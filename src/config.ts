import { z } from 'zod';

/** Every environment variable the service reads, parsed once at start. A wrong value stops the start. */
const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest accepted request body (express/bytes syntax, e.g. 5mb). */
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 500kb or 5mb').default('5mb'),
  /** The URL clients use to reach this service (JWT audience, card links); defaults to http://HOST:PORT. */
  PUBLIC_BASE_URL: z.url().optional(),
});

export type Config = Readonly<Omit<z.infer<typeof ConfigSchema>, 'PUBLIC_BASE_URL'> & { PUBLIC_BASE_URL: string }>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  return { ...config, PUBLIC_BASE_URL: (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '') };
}
