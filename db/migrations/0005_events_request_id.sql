ALTER TABLE "events" ADD COLUMN "request_id" text;--> statement-breakpoint
-- The webhook jobs an event queues carry the request id of the change that made it, so a
-- delivery's log lines can be found from the request's (as for jobs enqueued in code).
CREATE OR REPLACE FUNCTION laneway_queue_webhook_deliveries() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_delivery integer;
BEGIN
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
    PERFORM graphile_worker.add_job('deliver_webhook', json_strip_nulls(
      json_build_object('delivery', v_delivery, 'request_id', NEW.request_id)));
  END LOOP;
  RETURN NULL;
END
$$;
