-- A webhook may require signed timestamps (`replay_window_s`): a post's signature then
-- covers its timestamp, is accepted only within the window around it, and only once. The
-- signatures accepted are remembered here until their window has passed.
ALTER TABLE webhook ADD COLUMN replay_window_s BIGINT;

CREATE TABLE webhook_delivery (
    webhook     TEXT COLLATE "C" NOT NULL,
    signature   TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (webhook, signature)
);
CREATE INDEX webhook_delivery_expiry_idx ON webhook_delivery (expires_at);
