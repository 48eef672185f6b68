-- The webhook outbox trigger, once per statement instead of once per event row (issue 20):
-- the same deliveries and jobs as 0006's row trigger, found with one join of the statement's
-- new events (a transition table) to the webhooks, rather than one plpgsql call and one
-- lookup of the webhooks per event. A change that appends its events set-wise (the archive
-- job: 500 tickets a statement; an import) paid about 20 µs a row for lookups that found no
-- webhook. db/src/migrate.ts swaps the trigger over to this function, with the task name as
-- its argument (TG_ARGV[0]), after the migrations ran; 0006's function stays for the trigger
-- it puts back before them on an older database.
--
-- Deliveries are numbered in the order of their events (topic, seq), then of the webhooks,
-- as one event at a time numbered them; each carries its event's request id into its job.
-- message_id is drawn in the materialised CTE, so the inserted rows can be matched back to
-- the events they came from.
CREATE FUNCTION laneway_queue_webhook_deliveries_batch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v record;
BEGIN
  IF TG_NARGS <> 1 THEN
    RAISE EXCEPTION 'trigger % must be given the webhook task name (db/src/migrate.ts creates it)', TG_NAME;
  END IF;
  FOR v IN
    WITH wanted AS MATERIALIZED (
      SELECT w.id AS webhook_id,
        'msg_' || replace(gen_random_uuid()::text, '-', '') AS message_id,
        e.type,
        jsonb_build_object(
          'type', e.type,
          'timestamp', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'data', e.payload) AS payload,
        e.request_id,
        row_number() OVER (ORDER BY e.topic, e.seq, w.id) AS n
      FROM laneway_new_events e
      -- The cast only for project topics, whatever order the planner checks the conditions in.
      JOIN webhooks w ON w.project_id =
        CASE WHEN e.topic LIKE 'project:%' THEN substring(e.topic FROM 9)::integer END
      WHERE w.is_active
        AND (cardinality(w.events) = 0 OR e.type = ANY (w.events))
    ),
    inserted AS (
      INSERT INTO webhook_deliveries (webhook_id, message_id, event_type, payload, attempt, status, next_attempt_at)
      SELECT webhook_id, message_id, type, payload, 1, 'pending', now()
      FROM wanted
      ORDER BY n
      RETURNING id, message_id
    )
    SELECT i.id, w.request_id
    FROM inserted i
    JOIN wanted w USING (message_id)
    ORDER BY i.id
  LOOP
    PERFORM graphile_worker.add_job(TG_ARGV[0], json_strip_nulls(
      json_build_object('delivery', v.id, 'request_id', v.request_id)));
  END LOOP;
  RETURN NULL;
END
$$;
