-- Policies enforced by the scheduler and inquiries that pause executions.
--
-- Executions gain two waiting statuses: `queued` (a concurrency or rate-limit policy holds
-- them back) and `pending` (waiting for an inquiry's answer); actions gain the `inquiry`
-- runner type. Both CHECK lists are widened in place, as in 0012. `retry_of` links a retry
-- to the attempt it repeats; unique, so that a retry is created once however often the end
-- of the attempt is handled.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, '''requested'', ''scheduling'',', '''requested'', ''scheduling'', ''queued'', ''pending'',')
 WHERE type = 'table' AND name = 'execution';
UPDATE sqlite_master
   SET sql = replace(sql, '''node'', ''workflow'')', '''node'', ''workflow'', ''inquiry'')')
 WHERE type = 'table' AND name = 'action';
PRAGMA writable_schema = RESET;
ALTER TABLE execution ADD COLUMN retry_of INTEGER REFERENCES execution (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX execution_retry_of_idx ON execution (retry_of) WHERE retry_of IS NOT NULL;

-- Policies created through the API stay when their pack is registered again.
ALTER TABLE policy ADD COLUMN from_pack BOOLEAN NOT NULL DEFAULT TRUE;

-- One row per (policy, execution) the scheduler has seen: the queue, in arrival order
-- (`id`), and the admissions (`admitted` set). Keyed by the policy's ref, not its id, so
-- that replacing a policy keeps its queue.
CREATE TABLE policy_admission (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_ref  TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('concurrency', 'rate_limit')),
    execution   INTEGER NOT NULL REFERENCES execution (id) ON DELETE CASCADE,
    admitted    TEXT,
    created     TEXT NOT NULL,
    UNIQUE (policy_ref, execution)
);
CREATE INDEX policy_admission_group_idx ON policy_admission (policy_ref, group_key, id);
CREATE INDEX policy_admission_execution_idx ON policy_admission (execution);

-- A row per policy, written first in every admission so that admissions under one policy
-- take turns (a row lock in PostgreSQL, the write lock in SQLite).
CREATE TABLE policy_lock (
    ref  TEXT PRIMARY KEY
);

-- Inquiries name who may answer (identities and permission sets) and the pack whose
-- `inquiry:respond` grant also allows it; `assigned_to` is superseded by `assignees`.
ALTER TABLE inquiry ADD COLUMN pack_ref TEXT;
ALTER TABLE inquiry ADD COLUMN assignees TEXT NOT NULL DEFAULT '{}';
ALTER TABLE inquiry ADD COLUMN responded_by TEXT;
CREATE UNIQUE INDEX inquiry_one_per_execution_idx ON inquiry (execution) WHERE execution IS NOT NULL;
CREATE INDEX inquiry_due_idx ON inquiry (timeout_at, id) WHERE status = 'pending';
CREATE TABLE inquiry_assignee (
    inquiry  INTEGER NOT NULL REFERENCES inquiry (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('identity', 'permission_set')),
    name     TEXT NOT NULL,
    PRIMARY KEY (inquiry, kind, name)
);
CREATE INDEX inquiry_assignee_name_idx ON inquiry_assignee (kind, name);
