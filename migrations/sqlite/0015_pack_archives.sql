-- Pack archives: every version of a pack installed from an archive, kept whole, so that
-- any version can be installed again and every process can fetch a pack's files by digest.
--
-- A version is immutable: one digest per (pack, version). `pack.archive_digest` names the
-- archive the installed pack came from (NULL for a pack registered from a directory).
CREATE TABLE pack_archive (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    pack_ref      TEXT NOT NULL,
    version       TEXT NOT NULL,
    digest        TEXT NOT NULL UNIQUE,
    size          INTEGER NOT NULL,
    manifest      TEXT NOT NULL,
    content       BLOB NOT NULL,
    installed_by  TEXT,
    created       TEXT NOT NULL,
    UNIQUE (pack_ref, version)
);

ALTER TABLE pack ADD COLUMN archive_digest TEXT;
