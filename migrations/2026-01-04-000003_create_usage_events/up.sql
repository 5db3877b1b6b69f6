-- One row per model call. Reports read a user's rows for a range of days (the
-- user/time index) or everyone's (the time index); a month of a million rows is a
-- range scan of one of them.
CREATE TABLE usage_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid NOT NULL,
    model text NOT NULL,
    fallback_from text,
    route text NOT NULL,
    prompt_tokens bigint NOT NULL,
    completion_tokens bigint NOT NULL,
    total_tokens bigint NOT NULL,
    estimated boolean NOT NULL,
    succeeded boolean NOT NULL,
    latency_ms integer NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX usage_events_user_time ON usage_events (user_id, created_at);
CREATE INDEX usage_events_time ON usage_events (created_at);
