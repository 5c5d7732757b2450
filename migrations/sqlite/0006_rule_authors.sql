-- Who created a rule through the API, and who last wrote its definition (create or replace).
-- Executions a rule starts act as its last author: their API token is that identity's,
-- and its templates read only what that identity may read. Rules from pack files have
-- no author (NULL), nor do rules whose author has been deleted.
ALTER TABLE rule ADD COLUMN created_by BIGINT REFERENCES identity(id) ON DELETE SET NULL;
ALTER TABLE rule ADD COLUMN updated_by BIGINT REFERENCES identity(id) ON DELETE SET NULL;
