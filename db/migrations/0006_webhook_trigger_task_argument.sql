-- The webhook outbox trigger takes the name of the task it queues from its argument
-- (TG_ARGV[0]) instead of a literal: the name is the task registry's (db/src/tasks.ts,
-- TASKS.deliverWebhook), and db/src/migrate.ts gives it to the trigger, under the migration
-- lock, both before the migrations run (an existing trigger: so this function never meets a
-- trigger without it) and after (creating it on a new database). A trigger without the
-- argument (migrations applied some other way) fails the insert loudly, rolling its change
-- back, rather than committing a change whose deliveries were never queued.
-- The rest of the function is 0005's.
CREATE OR REPLACE FUNCTION laneway_queue_webhook_deliveries() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_delivery integer;
BEGIN
  IF TG_NARGS <> 1 THEN
    RAISE EXCEPTION 'trigger % must be given the webhook task name (db/src/migrate.ts creates it)', TG_NAME;
  END IF;
  FOR v_delivery IN
    INSERT INTO webhook_deliveries (webhook_id, message_id, event_type, payload, attempt, status, next_attempt_at)
    SELECT w.id,
      'msg_' || replace(gen_random_uuid()::text, '-', ''),
      NEW.type,
      jsonb_build_object(
        'type', NEW.type,
        'timestamp', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'data', NEW.payload),
      1, 'pending', now()
    FROM webhooks w
    WHERE w.project_id = substring(NEW.topic FROM 9)::integer
      AND w.is_active
      AND (cardinality(w.events) = 0 OR NEW.type = ANY (w.events))
    RETURNING id
  LOOP
    PERFORM graphile_worker.add_job(TG_ARGV[0], json_strip_nulls(
      json_build_object('delivery', v_delivery, 'request_id', NEW.request_id)));
  END LOOP;
  RETURN NULL;
END
$$;
