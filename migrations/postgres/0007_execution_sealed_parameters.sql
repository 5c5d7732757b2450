-- The names of an execution's parameters stored sealed (encrypted): those its action
-- declares secret, and those a rule's template filled with a value from an encrypted key.
-- Masked in every answer, unsealed only for the worker.
ALTER TABLE execution ADD COLUMN sealed_parameters JSONB NOT NULL DEFAULT '[]';
