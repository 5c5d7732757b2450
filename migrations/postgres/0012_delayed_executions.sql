-- Executions may be requested for later: status `delayed` until `run_after`, then
-- `requested` like any other. The index answers "which delayed executions are due".
ALTER TABLE execution ADD COLUMN run_after TIMESTAMPTZ;
ALTER TABLE execution DROP CONSTRAINT execution_status_check;
ALTER TABLE execution ADD CONSTRAINT execution_status_check CHECK (status IN ('requested', 'delayed',
    'scheduling', 'scheduled', 'running', 'completed', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned'));
CREATE INDEX execution_due_idx ON execution (run_after, id) WHERE status = 'delayed';
