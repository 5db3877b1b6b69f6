//! The tables as diesel sees them; kept by hand in step with `migrations/`.

diesel::table! {
    use diesel::sql_types::{Bool, Nullable, Text, Timestamptz, Uuid};

    users (id) {
        id -> Uuid,
        username -> Text,
        username_canonical -> Text,
        display_name -> Nullable<Text>,
        default_model -> Nullable<Text>,
        password_hash -> Text,
        openrouter_key_ciphertext -> Nullable<Text>,
        openrouter_key_hint -> Nullable<Text>,
        memory_enabled -> Bool,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid};
    use crate::vector::VectorSql as Vector;

    user_preferences (id) {
        id -> Uuid,
        user_id -> Uuid,
        text -> Text,
        kind -> Text,
        embedding -> Vector,
        source_chat_id -> Nullable<Uuid>,
        superseded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::{Text, Timestamptz, Uuid};
    use crate::vector::VectorSql as Vector;

    message_embeddings (message_id) {
        message_id -> Uuid,
        user_id -> Uuid,
        chat_id -> Uuid,
        role -> Text,
        content -> Text,
        created_at -> Timestamptz,
        embedding -> Vector,
    }
}

diesel::table! {
    use diesel::sql_types::{Bytea, Nullable, Text, Timestamptz, Uuid};

    api_keys (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Int4, Jsonb, Text, Timestamptz, Uuid};

    custom_models (id) {
        id -> Uuid,
        slug -> Text,
        is_active -> Bool,
        settings -> Jsonb,
        signing_secret -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::{Int4, Jsonb, Nullable, Timestamptz, Uuid};

    custom_model_versions (model_id, version) {
        model_id -> Uuid,
        version -> Int4,
        settings -> Jsonb,
        changed_at -> Timestamptz,
        changed_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Int4, Int8, Nullable, Text, Timestamptz, Uuid};

    usage_events (id) {
        id -> Int8,
        user_id -> Uuid,
        model -> Text,
        fallback_from -> Nullable<Text>,
        route -> Text,
        prompt_tokens -> Int8,
        completion_tokens -> Int8,
        total_tokens -> Int8,
        estimated -> Bool,
        succeeded -> Bool,
        latency_ms -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Text, Timestamptz};

    master_key_check (singleton) {
        singleton -> Bool,
        sealed -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::{Text, Timestamptz, Uuid};

    external_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (family) {
        family -> Uuid,
        user_id -> Uuid,
        next_refresh -> Uuid,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(users, external_identities);
