-- Priorities are fixed reference data with stable ids (the old API's priority_id 1..4).
INSERT INTO "priorities" ("id", "name", "colour") VALUES
  (1, 'Low', '#64748b'),
  (2, 'Medium', '#2563eb'),
  (3, 'High', '#f59e0b'),
  (4, 'Urgent', '#dc2626')
ON CONFLICT ("id") DO NOTHING;
