-- Every access and execution token carries the generation of its identity's credentials it
-- was issued under. A password change or a disable moves the generation on: every token
-- issued before is refused at once (they are signed, not stored, so there is nothing else
-- to revoke).
ALTER TABLE identity ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
