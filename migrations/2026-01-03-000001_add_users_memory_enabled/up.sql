ALTER TABLE users ADD COLUMN memory_enabled boolean NOT NULL DEFAULT true;
