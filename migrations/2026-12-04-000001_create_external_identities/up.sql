-- Users of trusted issuers: each (issuer, subject) a token of a configured issuer
-- names maps to exactly one local user, created on first sight. `issuer` is the name
-- the issuers file gives it; `subject` the claim's value as the issuer sent it.
CREATE TABLE external_identities (
    issuer text NOT NULL,
    subject text NOT NULL,
    user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, subject)
);
