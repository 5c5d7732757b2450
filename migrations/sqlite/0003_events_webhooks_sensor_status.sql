-- Events and rules (mirrored in migrations/postgres):
-- * an event records when its rules were evaluated, so that evaluation lost in a crash is
--   re-driven;
-- * a rule enforces an event at most once, so re-driving is harmless;
-- * webhooks: named endpoints, optionally with an HMAC secret (encrypted at rest);
-- * a sensor's running state, visible through the API.

ALTER TABLE event ADD COLUMN processed TEXT;
CREATE INDEX event_unprocessed_idx ON event (created) WHERE processed IS NULL;

CREATE UNIQUE INDEX enforcement_event_rule_idx ON enforcement (event, rule_ref) WHERE event IS NOT NULL;

CREATE TABLE webhook (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    description  TEXT,
    secret       TEXT,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);

ALTER TABLE sensor ADD COLUMN status TEXT NOT NULL DEFAULT 'stopped'
    CHECK (status IN ('starting', 'running', 'stopped', 'failing'));
ALTER TABLE sensor ADD COLUMN status_detail TEXT;
ALTER TABLE sensor ADD COLUMN status_updated TEXT;
