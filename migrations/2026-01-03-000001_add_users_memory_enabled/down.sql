ALTER TABLE users DROP COLUMN memory_enabled;
