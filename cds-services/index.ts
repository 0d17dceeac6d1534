import type { CdsService } from '../src/cds/service.js';
import { encounterDischarge } from './encounter-discharge/handler.js';
import { orderSign } from './order-sign/handler.js';

/** The service registry: discovery is built from it. A new service is one folder and one row here. */
export const SERVICES: readonly CdsService[] = [orderSign, encounterDischarge];
