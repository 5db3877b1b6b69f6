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
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid};
    use pgvector::sql_types::Vector;

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
    use pgvector::sql_types::Vector;

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
