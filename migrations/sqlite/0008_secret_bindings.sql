-- Secrets a pack's actions may receive beyond the keys of the pack and its actions: a
-- system key, or another pack's, under the name the actions ask for. Only an administrator
-- makes them; a pack's files cannot.
CREATE TABLE secret_binding (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pack        INTEGER NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref    TEXT NOT NULL,
    name        TEXT NOT NULL,
    key_scope   TEXT NOT NULL CHECK (key_scope IN ('system', 'pack')),
    key_owner   TEXT NOT NULL DEFAULT '',
    key_name    TEXT NOT NULL,
    created_by  INTEGER REFERENCES identity(id) ON DELETE SET NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    UNIQUE (pack, name)
);
