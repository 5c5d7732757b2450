-- The reconciler asks for the oldest stale executions of one status at a time; this index
-- answers that without scanning every execution ever run.
CREATE INDEX execution_status_updated_idx ON execution (status, updated, id);
