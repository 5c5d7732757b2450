-- The workflow engine's durable state.
--
-- A workflow run keeps its engine state (each task's progress, the failure that stops it)
-- in `state`, and `revision` counts the steps written: a step is written only over the
-- revision it was computed from, so two executors never both advance one run.
-- Each task run (one item of one round of one task) is a row; `round` counts how often
-- the task was started (a task may run again on a loop), `item` holds a `with` item.
ALTER TABLE workflow_execution ADD COLUMN state JSONB NOT NULL DEFAULT '{}';
ALTER TABLE workflow_execution ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE workflow_task_execution ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workflow_task_execution ADD COLUMN item JSONB;

-- A task run is created once.
CREATE UNIQUE INDEX workflow_task_execution_run_idx
    ON workflow_task_execution (workflow_execution, task_name, round, COALESCE(task_index, -1));
-- Runs whose child is in flight (the engine's window, and the recovery of lost finishes).
CREATE INDEX workflow_task_execution_running_idx
    ON workflow_task_execution (workflow_execution, execution) WHERE status = 'running';
-- Items not started yet, in order.
CREATE INDEX workflow_task_execution_waiting_idx
    ON workflow_task_execution (workflow_execution, task_name, round, task_index) WHERE status = 'requested';
-- Unfinished runs, oldest change first (recovery).
CREATE INDEX workflow_execution_running_idx ON workflow_execution (updated, id) WHERE status = 'running';
