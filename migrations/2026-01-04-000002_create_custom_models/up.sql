-- Custom models answered by webhooks. `settings` is the versioned part (JSON of the
-- model's fields, header values sealed); every change writes a row of
-- custom_model_versions in the same transaction.
CREATE TABLE custom_models (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    is_active boolean NOT NULL,
    settings jsonb NOT NULL,
    signing_secret text NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE custom_model_versions (
    model_id uuid NOT NULL REFERENCES custom_models (id) ON DELETE CASCADE,
    version integer NOT NULL,
    settings jsonb NOT NULL,
    changed_at timestamptz NOT NULL,
    changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (model_id, version)
);
