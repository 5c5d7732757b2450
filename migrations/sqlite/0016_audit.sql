-- The audit log: append-only (nothing updates a row; only retention deletes the oldest).
CREATE TABLE audit_entry (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    actor          INTEGER,
    actor_login    TEXT,
    source         TEXT,
    action         TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_ref   TEXT,
    outcome        TEXT NOT NULL,
    status         INTEGER,
    before         TEXT,
    after          TEXT,
    detail         TEXT
);
CREATE INDEX audit_entry_resource_idx ON audit_entry (resource_type, resource_ref, id);
CREATE INDEX audit_entry_actor_idx ON audit_entry (actor_login, id);
CREATE INDEX audit_entry_at_idx ON audit_entry (at);
