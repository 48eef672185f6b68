/**
 * `sla_check` (queued for a clock's due instant, job key `sla:<ticket>:<clock>`): breaches the
 * clock if it still runs. The service re-reads the state under a lock and stamps the breach
 * once, so a retry or a second job for the same clock does nothing (decision 0029).
 */
import { z } from 'zod';
import { checkClock } from '../../../server/src/services/sla.ts';
import { defineTask } from '../task.ts';

export const slaCheck = defineTask(
  z.object({ ticket: z.number().int().positive(), clock: z.enum(['first_response', 'resolution']) }).loose(),
  async (payload, { deps, log }) => {
    if (await checkClock(deps.db, payload.ticket, payload.clock)) {
      log.info({ ticket: payload.ticket, clock: payload.clock }, 'SLA breached');
    }
  },
);
