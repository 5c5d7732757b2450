-- Credentials besides passwords (mirrored in migrations/postgres):
-- * refresh tokens, recorded when issued so that each can be used once and a replayed one
--   is detected (its identity's refresh tokens are then all revoked);
-- * API keys of identities (service accounts): only the SHA-256 digest of a key is stored,
--   with its first characters to tell keys apart.

CREATE TABLE refresh_token (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    jti         TEXT NOT NULL UNIQUE,
    identity    INTEGER NOT NULL REFERENCES identity (id) ON DELETE CASCADE,
    expires_at  TEXT NOT NULL,
    used        TEXT,
    revoked     TEXT,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);
CREATE INDEX refresh_token_identity_idx ON refresh_token (identity);
CREATE INDEX refresh_token_expires_at_idx ON refresh_token (expires_at);

CREATE TABLE api_key (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    identity    INTEGER NOT NULL REFERENCES identity (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    expires_at  TEXT,
    last_used   TEXT,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    UNIQUE (identity, name)
);
