import postgres from 'postgres';
import { e2eDatabaseUrl, expect, openBoard, test } from '../src/fixtures.ts';

test('a ticket whose SLA clock runs out turns red on an open board', async ({ page, api, seedBoard }) => {
  const board = await seedBoard([]);
  // Around the clock (no business hours), an hour to the first response.
  await api.call(
    'POST',
    `/projects/${board.project.id}/sla/`,
    { first_response_minutes: 60, resolution_minutes: 600 },
    201,
  );
  await openBoard(page, board.project.id);
  const ticket = await api.createTicket(board.project.id, board.column('To Do').id, 'Server room too hot');
  const badge = page.getByTestId('card').filter({ hasText: 'Server room too hot' }).getByTestId('sla-badge');
  await expect(badge).toHaveAttribute('data-breached', 'false');
  await expect(badge).toHaveText(/SLA (59|60) m|SLA 1 h 00 m/);

  // As if it had been filed an hour ago: its clock's due minute is now, and its check runs now
  // (the same job key, brought forward, as the worker would have run it at the due minute).
  const sql = postgres(e2eDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    await sql`update ticket_sla set first_response_due_at = now() - interval '1 minute' where ticket_id = ${ticket.id}`;
    await sql`select graphile_worker.add_job('sla_check', json_build_object('ticket', ${ticket.id}::int, 'clock', 'first_response'),
      run_at => now(), job_key => ${`sla:${ticket.id}:first_response`})`;
  } finally {
    await sql.end();
  }
  // The board learns it from the breach event (its own copy of the due time is still an hour away).
  await expect(badge).toHaveAttribute('data-breached', 'true');
  await expect(badge).toHaveText('SLA breached');
});
