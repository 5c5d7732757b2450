-- Whether a rule comes from its pack's files (TRUE) or was created through the API (FALSE).
-- Registering a pack again deletes the rules its files no longer declare, and only those:
-- rules made through the API stay. Rules that existed before are taken as declared.
ALTER TABLE rule ADD COLUMN from_pack BOOLEAN NOT NULL DEFAULT TRUE;
