CREATE TABLE user_preferences (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text           text        NOT NULL,
    kind           text        NOT NULL
        CONSTRAINT user_preferences_kind_known
        CHECK (kind IN ('identity', 'style', 'preference', 'fact')),
    -- The dimension must match the embedder's; the app checks it at startup.
    embedding      vector(384) NOT NULL,
    -- Chats live in MongoDB, so this is a plain reference without a foreign key.
    source_chat_id uuid,
    -- Set when a newer preference replaced this one; such rows are never used again.
    superseded_by  uuid,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- Approximate nearest neighbours by cosine distance (`<=>`).
CREATE INDEX user_preferences_embedding_idx
    ON user_preferences USING hnsw (embedding vector_cosine_ops);

-- Every query is filtered by owner and almost every one by "still active"; for users
-- with few preferences the planner scans this instead of the HNSW graph, exactly.
CREATE INDEX user_preferences_active_owner_idx
    ON user_preferences (user_id, created_at DESC)
    WHERE superseded_by IS NULL;

-- Covers superseded rows too, so deleting a user cascades without a sequential scan.
CREATE INDEX user_preferences_owner_idx ON user_preferences (user_id);
