-- Executions may be requested for later: status `delayed` until `run_after`, then
-- `requested` like any other.
--
-- SQLite cannot change a CHECK constraint with ALTER TABLE, and rebuilding the table is not
-- possible inside the transaction migrations run in (foreign keys cannot be turned off
-- there, and dropping the old table would cascade into every table that references it).
-- Widening the list of allowed values changes nothing stored, so the table's definition is
-- edited in place, the way SQLite documents for loosening a constraint: `RESET` reloads
-- this connection's schema, and the CREATE INDEX after it moves the schema version on so
-- that every other connection reloads it too.
ALTER TABLE execution ADD COLUMN run_after TEXT;
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, '''timeout'', ''abandoned'')', '''timeout'', ''abandoned'', ''delayed'')')
 WHERE type = 'table' AND name = 'execution';
PRAGMA writable_schema = RESET;
CREATE INDEX execution_due_idx ON execution (run_after, id) WHERE status = 'delayed';
