-- One sealed constant beside the secrets: which master key sealed them (see
-- crates/domain/src/services/master_key.rs).
CREATE TABLE master_key_check (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    sealed text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
