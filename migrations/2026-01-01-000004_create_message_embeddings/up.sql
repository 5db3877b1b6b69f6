-- The semantic search index over messages. The messages themselves live in MongoDB;
-- this is a projection of them, rebuilt by indexing again.
CREATE TABLE message_embeddings (
    message_id uuid        PRIMARY KEY,
    -- The rows hold message text in clear, so they must go when their user goes:
    -- the foreign key cascades, leaving no orphaned content behind. The chat id has no
    -- foreign key because chats live in MongoDB.
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_id    uuid        NOT NULL,
    role       text        NOT NULL
        CONSTRAINT message_embeddings_role_known
        CHECK (role IN ('system', 'user', 'assistant')),
    content    text        NOT NULL,
    created_at timestamptz NOT NULL,
    embedding  vector(384) NOT NULL
);

CREATE INDEX message_embeddings_embedding_idx
    ON message_embeddings USING hnsw (embedding vector_cosine_ops);

-- Searches are filtered by user and optionally chat; deleting a chat removes by both.
CREATE INDEX message_embeddings_owner_chat_idx ON message_embeddings (user_id, chat_id);
