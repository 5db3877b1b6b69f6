-- Personal API keys. The key itself is never stored: only its SHA-256 digest, which
-- every request looks the key up by, and its first characters, shown to tell keys apart.
-- A revoked key is deleted, so it stops working with the next request on every replica.
CREATE TABLE api_keys (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL
        CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 64),
    prefix       text        NOT NULL,
    key_hash     bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    -- NULL: the key never expires.
    expires_at   timestamptz,
    -- Written at most about once a minute per key, off the response path.
    last_used_at timestamptz
);

CREATE UNIQUE INDEX api_keys_key_hash_idx ON api_keys (key_hash);

-- Listing a user's keys newest first, and the cascade when a user goes.
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);
