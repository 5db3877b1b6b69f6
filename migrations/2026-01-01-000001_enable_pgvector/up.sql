-- pgvector provides the `vector` type and HNSW indexes used for preferences and search.
CREATE EXTENSION IF NOT EXISTS vector;
