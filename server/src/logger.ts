import pino from 'pino';
import type { Config } from './env.ts';

/** JSON lines on stdout; the one way Laneway logs. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>) {
  return pino({ level: config.LOG_LEVEL, base: { service: 'laneway' } });
}
