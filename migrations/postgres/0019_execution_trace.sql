-- The W3C trace context an execution was requested in (`00-<trace id>-<span id>-<flags>`),
-- so that whichever process picks the execution up continues its trace.
ALTER TABLE execution ADD COLUMN trace_parent TEXT;
