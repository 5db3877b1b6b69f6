CREATE TABLE users (
    id                        uuid        PRIMARY KEY,
    -- The name as typed at registration; uniqueness is on the lower-cased form.
    username                  text        NOT NULL,
    username_canonical        text        NOT NULL UNIQUE,
    display_name              text,
    default_model             text,
    password_hash             text        NOT NULL,
    -- The user's OpenRouter key, encrypted by the app (never stored in clear), and the
    -- last characters shown back to the user.
    openrouter_key_ciphertext text,
    openrouter_key_hint       text,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    CONSTRAINT users_username_canonical_is_lower CHECK (username_canonical = lower(username)),
    CONSTRAINT users_key_and_hint_together
        CHECK ((openrouter_key_ciphertext IS NULL) = (openrouter_key_hint IS NULL))
);

-- Key rotation pages through the users that hold a key, by id.
CREATE INDEX users_with_key_idx ON users (id) WHERE openrouter_key_ciphertext IS NOT NULL;
