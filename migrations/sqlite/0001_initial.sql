-- Attune schema, SQLite backend (the embedded default).
--
-- Same tables, constraints and cascades as migrations/postgres; JSON and timestamps are TEXT,
-- ids are INTEGER PRIMARY KEY AUTOINCREMENT. Conventions:
-- * ids are INTEGER identities; components have a unique `ref` (`pack.name`).
-- * pack-owned components cascade from their pack;
-- * history rows (event, enforcement, execution) keep `*_ref` text copies and use
--   ON DELETE SET NULL, so history survives deletion of what produced it;
-- * enums are TEXT with a CHECK listing the allowed names;
-- * timestamps are written by the application (UTC).

CREATE TABLE pack (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ref            TEXT NOT NULL UNIQUE,
    label          TEXT NOT NULL,
    description    TEXT,
    version        TEXT NOT NULL,
    author         TEXT,
    config_schema  TEXT NOT NULL DEFAULT '{}',
    config         TEXT NOT NULL DEFAULT '{}',
    runtime_deps   TEXT NOT NULL DEFAULT '[]',
    tags           TEXT NOT NULL DEFAULT '[]',
    is_standard    BOOLEAN NOT NULL DEFAULT FALSE,
    path           TEXT,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);

CREATE TABLE runtime (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    ref               TEXT NOT NULL UNIQUE,
    pack              INTEGER REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref          TEXT,
    name              TEXT NOT NULL UNIQUE,
    description       TEXT,
    distributions     TEXT NOT NULL DEFAULT '{}',
    installation      TEXT NOT NULL DEFAULT '{}',
    execution_config  TEXT NOT NULL DEFAULT '{}',
    created           TEXT NOT NULL,
    updated           TEXT NOT NULL
);

CREATE TABLE worker (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL UNIQUE,
    worker_type     TEXT NOT NULL CHECK (worker_type IN ('local', 'remote', 'container')),
    runner_types    TEXT NOT NULL DEFAULT '[]',
    host            TEXT,
    port            INTEGER,
    status          TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'busy', 'error')),
    capabilities    TEXT NOT NULL DEFAULT '{}',
    last_heartbeat  TEXT,
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL
);

CREATE TABLE trigger (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ref             TEXT NOT NULL UNIQUE,
    pack            INTEGER NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    label           TEXT NOT NULL,
    description     TEXT,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    param_schema    TEXT NOT NULL DEFAULT '{}',
    payload_schema  TEXT NOT NULL DEFAULT '{}',
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL
);
CREATE INDEX trigger_pack_idx ON trigger (pack);

CREATE TABLE sensor (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    ref              TEXT NOT NULL UNIQUE,
    pack             INTEGER NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref         TEXT NOT NULL,
    label            TEXT NOT NULL,
    description      TEXT,
    runner_type      TEXT NOT NULL CHECK (runner_type IN ('wasm', 'python', 'shell', 'node', 'builtin')),
    entry_point      TEXT,
    trigger_types    TEXT NOT NULL DEFAULT '[]',
    param_schema     TEXT NOT NULL DEFAULT '{}',
    config           TEXT NOT NULL DEFAULT '{}',
    poll_interval_s  INTEGER CHECK (poll_interval_s > 0),
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created          TEXT NOT NULL,
    updated          TEXT NOT NULL
);
CREATE INDEX sensor_pack_idx ON sensor (pack);

CREATE TABLE workflow_definition (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ref            TEXT NOT NULL UNIQUE,
    pack           INTEGER NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref       TEXT NOT NULL,
    label          TEXT NOT NULL,
    description    TEXT,
    version        TEXT NOT NULL,
    param_schema   TEXT NOT NULL DEFAULT '{}',
    output_schema  TEXT,
    definition     TEXT NOT NULL,
    tags           TEXT NOT NULL DEFAULT '[]',
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);
CREATE INDEX workflow_definition_pack_idx ON workflow_definition (pack);

CREATE TABLE action (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ref            TEXT NOT NULL UNIQUE,
    pack           INTEGER NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref       TEXT NOT NULL,
    label          TEXT NOT NULL,
    description    TEXT,
    runner_type    TEXT NOT NULL CHECK (runner_type IN ('wasm', 'python', 'shell', 'node', 'workflow')),
    entry_point    TEXT,
    param_schema   TEXT NOT NULL DEFAULT '{}',
    output_schema  TEXT,
    output_format  TEXT NOT NULL DEFAULT 'json' CHECK (output_format IN ('json', 'yaml', 'text')),
    timeout_s      INTEGER CHECK (timeout_s > 0),
    limits         TEXT NOT NULL DEFAULT '{}',
    secrets        TEXT NOT NULL DEFAULT '[]',
    allowed_hosts  TEXT NOT NULL DEFAULT '[]',
    idempotent     BOOLEAN NOT NULL DEFAULT FALSE,
    workflow_def   INTEGER REFERENCES workflow_definition (id) ON DELETE CASCADE,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL,
    CHECK (workflow_def IS NULL OR runner_type = 'workflow')
);
CREATE INDEX action_pack_idx ON action (pack);

CREATE TABLE rule (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ref             TEXT NOT NULL UNIQUE,
    pack            INTEGER NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    label           TEXT NOT NULL,
    description     TEXT,
    trigger         INTEGER REFERENCES trigger (id) ON DELETE SET NULL,
    trigger_ref     TEXT NOT NULL,
    trigger_params  TEXT NOT NULL DEFAULT '{}',
    criteria        TEXT NOT NULL DEFAULT '{}',
    action          INTEGER REFERENCES action (id) ON DELETE SET NULL,
    action_ref      TEXT NOT NULL,
    action_params   TEXT NOT NULL DEFAULT '{}',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL
);
CREATE INDEX rule_pack_idx ON rule (pack);
CREATE INDEX rule_trigger_ref_idx ON rule (trigger_ref);

CREATE TABLE identity (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    login          TEXT NOT NULL UNIQUE,
    display_name   TEXT,
    password_hash  TEXT,
    attributes     TEXT NOT NULL DEFAULT '{}',
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);

CREATE TABLE event (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger      INTEGER REFERENCES trigger (id) ON DELETE SET NULL,
    trigger_ref  TEXT NOT NULL,
    config       TEXT NOT NULL DEFAULT '{}',
    payload      TEXT NOT NULL DEFAULT '{}',
    source       INTEGER REFERENCES sensor (id) ON DELETE SET NULL,
    source_ref   TEXT,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX event_trigger_ref_idx ON event (trigger_ref);
CREATE INDEX event_created_idx ON event (created);

CREATE TABLE enforcement (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rule         INTEGER REFERENCES rule (id) ON DELETE SET NULL,
    rule_ref     TEXT NOT NULL,
    trigger_ref  TEXT NOT NULL,
    event        INTEGER REFERENCES event (id) ON DELETE SET NULL,
    config       TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('created', 'processed', 'disabled')),
    payload      TEXT NOT NULL DEFAULT '{}',
    condition    TEXT NOT NULL DEFAULT 'all' CHECK (condition IN ('any', 'all')),
    criteria     TEXT NOT NULL DEFAULT '{}',
    reason       TEXT,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX enforcement_rule_ref_idx ON enforcement (rule_ref);
CREATE INDEX enforcement_event_idx ON enforcement (event);

CREATE TABLE execution (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    action       INTEGER REFERENCES action (id) ON DELETE SET NULL,
    action_ref   TEXT NOT NULL,
    config       TEXT NOT NULL DEFAULT '{}',
    parent       INTEGER REFERENCES execution (id) ON DELETE SET NULL,
    enforcement  INTEGER REFERENCES enforcement (id) ON DELETE SET NULL,
    executor     INTEGER REFERENCES identity (id) ON DELETE SET NULL,
    rule_ref     TEXT,
    trigger_ref  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'scheduling', 'scheduled', 'running',
                     'completed', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned')),
    parameters   TEXT NOT NULL DEFAULT '{}',
    result       TEXT,
    worker       INTEGER REFERENCES worker (id) ON DELETE SET NULL,
    attempt      INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    metering     TEXT,
    started      TEXT,
    finished     TEXT,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX execution_status_idx ON execution (status);
CREATE INDEX execution_action_ref_idx ON execution (action_ref);
CREATE INDEX execution_parent_idx ON execution (parent);
CREATE INDEX execution_rule_ref_idx ON execution (rule_ref);
CREATE INDEX execution_created_idx ON execution (created);
CREATE INDEX execution_worker_idx ON execution (worker);

CREATE TABLE execution_output (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    execution  INTEGER NOT NULL REFERENCES execution (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    stream     TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr', 'log')),
    text       TEXT NOT NULL,
    created    TEXT NOT NULL,
    UNIQUE (execution, seq)
);

CREATE TABLE inquiry (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    execution        INTEGER REFERENCES execution (id) ON DELETE CASCADE,
    prompt           TEXT NOT NULL,
    response_schema  TEXT NOT NULL DEFAULT '{}',
    assigned_to      INTEGER REFERENCES identity (id) ON DELETE SET NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'responded', 'timeout', 'cancelled')),
    response         TEXT,
    timeout_at       TEXT,
    responded_at     TEXT,
    created          TEXT NOT NULL,
    updated          TEXT NOT NULL
);
CREATE INDEX inquiry_status_idx ON inquiry (status);
CREATE INDEX inquiry_execution_idx ON inquiry (execution);

CREATE TABLE permission_set (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ref          TEXT NOT NULL UNIQUE,
    pack         INTEGER REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref     TEXT,
    label        TEXT NOT NULL,
    description  TEXT,
    grants       TEXT NOT NULL DEFAULT '[]',
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);

CREATE TABLE permission_assignment (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    identity        INTEGER NOT NULL REFERENCES identity (id) ON DELETE CASCADE,
    permission_set  INTEGER NOT NULL REFERENCES permission_set (id) ON DELETE CASCADE,
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL,
    UNIQUE (identity, permission_set)
);

CREATE TABLE policy (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ref          TEXT NOT NULL UNIQUE,
    pack         INTEGER NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref     TEXT NOT NULL,
    action       INTEGER REFERENCES action (id) ON DELETE SET NULL,
    action_ref   TEXT NOT NULL,
    policy_type  TEXT NOT NULL CHECK (policy_type IN ('concurrency', 'rate_limit', 'retry')),
    method       TEXT CHECK (method IN ('enqueue', 'cancel')),
    threshold    INTEGER NOT NULL CHECK (threshold >= 0),
    parameters   TEXT NOT NULL DEFAULT '[]',
    settings     TEXT NOT NULL DEFAULT '{}',
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX policy_action_ref_idx ON policy (action_ref);

-- Datastore keys. Exactly the owner column matching owner_type is set (none for system).
CREATE TABLE datastore_key (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    ref                  TEXT NOT NULL,
    owner_type           TEXT NOT NULL CHECK (owner_type IN ('system', 'identity', 'pack', 'action', 'sensor')),
    owner                TEXT NOT NULL DEFAULT '',
    owner_identity       INTEGER REFERENCES identity (id) ON DELETE CASCADE,
    owner_pack           INTEGER REFERENCES pack (id) ON DELETE CASCADE,
    owner_action         INTEGER REFERENCES action (id) ON DELETE CASCADE,
    owner_sensor         INTEGER REFERENCES sensor (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    encrypted            BOOLEAN NOT NULL DEFAULT FALSE,
    encryption_key_hash  TEXT,
    value                TEXT NOT NULL,
    expires_at           TEXT,
    created              TEXT NOT NULL,
    updated              TEXT NOT NULL,
    UNIQUE (owner_type, owner, name),
    CONSTRAINT datastore_key_one_owner CHECK (
        (CASE WHEN owner_identity IS NULL THEN 0 ELSE 1 END
         + CASE WHEN owner_pack IS NULL THEN 0 ELSE 1 END
         + CASE WHEN owner_action IS NULL THEN 0 ELSE 1 END
         + CASE WHEN owner_sensor IS NULL THEN 0 ELSE 1 END)
        = CASE WHEN owner_type = 'system' THEN 0 ELSE 1 END
        AND (owner_type <> 'identity' OR owner_identity IS NOT NULL)
        AND (owner_type <> 'pack' OR owner_pack IS NOT NULL)
        AND (owner_type <> 'action' OR owner_action IS NOT NULL)
        AND (owner_type <> 'sensor' OR owner_sensor IS NOT NULL)
    )
);

CREATE TABLE notification (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity       TEXT NOT NULL,
    activity     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('created', 'queued', 'processing', 'error')),
    content      TEXT NOT NULL DEFAULT '{}',
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX notification_channel_idx ON notification (channel, id);

CREATE TABLE artifact (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    ref               TEXT NOT NULL,
    scope             TEXT NOT NULL CHECK (scope IN ('system', 'identity', 'pack', 'action', 'sensor')),
    owner             TEXT NOT NULL DEFAULT '',
    artifact_type     TEXT NOT NULL CHECK (artifact_type IN ('file_binary', 'file_datatable', 'file_image',
                          'file_text', 'url', 'progress', 'other')),
    retention_policy  TEXT NOT NULL CHECK (retention_policy IN ('versions', 'days', 'hours', 'minutes')),
    retention_limit   INTEGER NOT NULL CHECK (retention_limit > 0),
    execution         INTEGER REFERENCES execution (id) ON DELETE SET NULL,
    data              TEXT NOT NULL DEFAULT '{}',
    created           TEXT NOT NULL,
    updated           TEXT NOT NULL
);
CREATE INDEX artifact_execution_idx ON artifact (execution);

CREATE TABLE workflow_execution (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    execution        INTEGER NOT NULL UNIQUE REFERENCES execution (id) ON DELETE CASCADE,
    workflow_def     INTEGER REFERENCES workflow_definition (id) ON DELETE SET NULL,
    current_tasks    TEXT NOT NULL DEFAULT '[]',
    completed_tasks  TEXT NOT NULL DEFAULT '[]',
    failed_tasks     TEXT NOT NULL DEFAULT '[]',
    skipped_tasks    TEXT NOT NULL DEFAULT '[]',
    variables        TEXT NOT NULL DEFAULT '{}',
    task_graph       TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL CHECK (status IN ('requested', 'scheduling', 'scheduled', 'running',
                         'completed', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned')),
    error_message    TEXT,
    paused           BOOLEAN NOT NULL DEFAULT FALSE,
    pause_reason     TEXT,
    created          TEXT NOT NULL,
    updated          TEXT NOT NULL
);

CREATE TABLE workflow_task_execution (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_execution  INTEGER NOT NULL REFERENCES workflow_execution (id) ON DELETE CASCADE,
    execution           INTEGER REFERENCES execution (id) ON DELETE SET NULL,
    task_name           TEXT NOT NULL,
    task_index          INTEGER,
    task_batch          INTEGER,
    status              TEXT NOT NULL CHECK (status IN ('requested', 'scheduling', 'scheduled', 'running',
                            'completed', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned')),
    started_at          TEXT,
    completed_at        TEXT,
    duration_ms         INTEGER,
    result              TEXT,
    error               TEXT,
    retry_count         INTEGER NOT NULL DEFAULT 0,
    max_retries         INTEGER NOT NULL DEFAULT 0,
    next_retry_at       TEXT,
    timeout_seconds     INTEGER,
    timed_out           BOOLEAN NOT NULL DEFAULT FALSE,
    created             TEXT NOT NULL,
    updated             TEXT NOT NULL
);
CREATE INDEX workflow_task_execution_wf_idx ON workflow_task_execution (workflow_execution);
