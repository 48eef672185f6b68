/**
 * `sla_sweep` (every minute, crontab): queues the checks of clocks past due with no check
 * pending, such as a ticket reopened after its resolution due instant (decision 0029).
 */
import { z } from 'zod';
import { sweepDueClocks } from '../../../server/src/services/sla.ts';
import { defineTask } from '../task.ts';

export const slaSweep = defineTask(z.object({}).loose(), async (_payload, { deps, log }) => {
  const queued = await sweepDueClocks(deps.db);
  if (queued) log.info({ queued }, 'queued overdue SLA checks');
});
