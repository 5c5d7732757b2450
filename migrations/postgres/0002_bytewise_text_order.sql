-- Lists are ordered by ref, login or name. SQLite compares text by code point (BINARY);
-- PostgreSQL uses the database's collation, which on most servers follows a language's rules
-- (en_US puts 'core_x' before 'core-y' and 'core.echo' after 'core_x.echo'). The "C"
-- collation makes PostgreSQL order these columns exactly as SQLite does, whatever the
-- server's default. (Mirrored, as a no-op, in migrations/sqlite.)

ALTER TABLE pack ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE runtime ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE worker ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE trigger ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE sensor ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE workflow_definition ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE action ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE rule ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE identity ALTER COLUMN login TYPE TEXT COLLATE "C";
ALTER TABLE permission_set ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE policy ALTER COLUMN ref TYPE TEXT COLLATE "C";
ALTER TABLE datastore_key ALTER COLUMN ref TYPE TEXT COLLATE "C";
