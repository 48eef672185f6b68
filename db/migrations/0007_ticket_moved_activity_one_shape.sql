-- One ticket.moved activity shape (decision 0021): rows a PATCH with `column` wrote before the
-- one move path said {"changed": {"column": [from, to], ...other fields}}; they become
-- {"from_column", "to_column", "position": null, "changed"?: the other fields}, as every move
-- writes now. Rows already in the shape (drags, column deletions) are left as they are.
UPDATE activity
SET data = jsonb_build_object(
    'from_column', data -> 'changed' -> 'column' -> 0,
    'to_column', data -> 'changed' -> 'column' -> 1,
    'position', NULL
  ) || CASE
    WHEN (data -> 'changed') - 'column' = '{}'::jsonb THEN '{}'::jsonb
    ELSE jsonb_build_object('changed', (data -> 'changed') - 'column')
  END
WHERE verb = 'ticket.moved'
  AND NOT data ? 'from_column'
  AND jsonb_typeof(data -> 'changed' -> 'column') = 'array';
