-- File artifacts whose bytes are kept in the configured artifact directory rather than in
-- `artifact_content`: the SHA-256 that names the file. The index answers "does any artifact
-- still name this file" when unused files are swept.
CREATE TABLE artifact_file (
    artifact  INTEGER PRIMARY KEY REFERENCES artifact (id) ON DELETE CASCADE,
    sha256    TEXT NOT NULL
);
CREATE INDEX artifact_file_sha256_idx ON artifact_file (sha256);
