/**
 * What the load benchmark (load.ts) and its server process (load-server.ts) say to each other over IPC, apart
 * from the server: importing load-server.ts would start a service in the importing process.
 */

/** The floor's path: `${FLOOR_PREFIX}/<hook service id>`, beside `/cds-services/<id>`. */
export const FLOOR_PREFIX = '/bench-floor';

export type ToLoadServer = { type: 'sample' } | { type: 'stop' };
export interface Sample {
  readonly type: 'sample';
  readonly cpuUs: number;
  readonly atUs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** What V8's heap holds from the system (committed), and memory outside it (buffers, sockets' data). */
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}
export type FromLoadServer = { type: 'ready'; url: string } | Sample;
