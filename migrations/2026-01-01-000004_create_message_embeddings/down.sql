DROP TABLE IF EXISTS message_embeddings;
