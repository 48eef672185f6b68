-- Webhook deliveries are queued by the outbox itself: every event appended to a project's
-- topic, in the transaction of its change, adds one pending delivery per active webhook of
-- that project that wants the event type (an empty list means every type), and a
-- graphile-worker job to send it. A rolled-back change queues nothing; a committed one
-- cannot lose its deliveries. The body sent is stored with the delivery, so every attempt
-- and every redelivery sends the same bytes.
CREATE FUNCTION laneway_queue_webhook_deliveries() RETURNS trigger
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
    PERFORM graphile_worker.add_job('deliver_webhook', json_build_object('delivery', v_delivery));
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_queue_webhooks
AFTER INSERT ON events
FOR EACH ROW
WHEN (NEW.topic LIKE 'project:%')
EXECUTE FUNCTION laneway_queue_webhook_deliveries();
