-- Login sessions (refresh chains), kept durably: the refresh token each chain expects
-- next (rotation and reuse detection) and whether it was ended (logout, a password
-- change, an admin). Redis' denylist is only the fast path for access tokens. A
-- user's expired sessions are removed when they start a new one.
CREATE TABLE sessions (
    family uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    next_refresh uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at timestamptz
);
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE ended_at IS NULL;
