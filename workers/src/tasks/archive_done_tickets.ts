/** `archive_done_tickets` (hourly, crontab): tickets done for long enough leave the board. */
import { z } from 'zod';
import { archiveDueTickets } from '../../../server/src/services/ticket-writes.ts';
import { defineTask } from '../task.ts';

/** Tickets per transaction: short locks, and board readers never wait long. */
export const ARCHIVE_BATCH_SIZE = 500;
/**
 * After each batch the job rests for this share of the batch's own time: a background job
 * leaves room to the people reading boards on the same cores (issue 20: their p99 within 1.2×
 * of idle), at the price of a longer run.
 */
export const ARCHIVE_REST = 0.25;

export const archiveDoneTickets = defineTask(
  z.object({ batch_size: z.number().int().min(1).max(10_000).optional() }).loose(),
  async (payload, { deps, log }) => {
    const archived = await archiveDueTickets(deps.db, {
      defaultHours: deps.config.TICKET_ARCHIVE_AFTER_HOURS,
      batchSize: payload.batch_size ?? ARCHIVE_BATCH_SIZE,
      rest: ARCHIVE_REST,
    });
    if (archived) log.info({ archived }, 'archived done tickets');
  },
);
