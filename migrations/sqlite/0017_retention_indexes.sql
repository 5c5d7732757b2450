-- Deleting an enforcement or an execution (retention) unsets the references to it; these
-- indexes find them without scanning the referencing tables.
CREATE INDEX execution_enforcement_idx ON execution (enforcement);
CREATE INDEX workflow_task_execution_execution_idx ON workflow_task_execution (execution);
