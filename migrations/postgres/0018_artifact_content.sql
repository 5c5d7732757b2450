-- The bytes of file artifacts, apart from their metadata so that listing artifacts never
-- reads them; they go with their artifact.
CREATE TABLE artifact_content (
    artifact  BIGINT PRIMARY KEY REFERENCES artifact (id) ON DELETE CASCADE,
    content   BYTEA NOT NULL
);
