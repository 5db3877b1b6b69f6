//! The user's own profile.

use actix_web::web;
use chrono::{DateTime, Utc};
use polychat_domain::User;
use polychat_domain::services::auth::{ProfileChanges, SavedAccount};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::http::Body;
use crate::http::error::ErrorBody;
use crate::http::extract::{present, resource};
use crate::http::input::refuse_misspellings;
use crate::http::{ApiError, AuthUser};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/user/profile")
            .route(web::get().to(get_profile))
            .route(web::put().to(update_profile)),
    );
}

/// A user as the user sees it. Never contains the password hash or the API key.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Profile {
    id: String,
    #[schema(example = "ana.souza")]
    username: String,
    display_name: Option<String>,
    #[schema(example = "anthropic/claude-3.5-sonnet")]
    default_model: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    has_openrouter_key: bool,
    /// At most the last 4 characters of the key.
    #[schema(example = "…a1b2")]
    openrouter_key_hint: Option<String>,
    /// Whether chats recall and learn memories.
    memory_enabled: bool,
    /// `user` or `admin`; only the `polychat admin` command changes it.
    #[schema(example = "user")]
    role: String,
    /// The trusted issuer whose token created this account (its name in the issuers
    /// file, e.g. `backoffice`), or null for an account registered here.
    #[schema(example = json!(null))]
    issuer: Option<String>,
    /// What the client should know about this answer: only in the answer that stored an
    /// OpenRouter key OpenRouter could not be asked about (it was stored anyway).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

impl From<User> for Profile {
    fn from(user: User) -> Self {
        Self {
            id: user.id.to_string(),
            username: user.username.into(),
            display_name: user.display_name.map(Into::into),
            default_model: user.default_model.map(Into::into),
            created_at: user.created_at,
            updated_at: user.updated_at,
            has_openrouter_key: user.openrouter_key.is_some(),
            openrouter_key_hint: user.openrouter_key.map(|key| key.hint),
            memory_enabled: user.memory_enabled,
            role: user.role.as_str().to_owned(),
            issuer: user.issuer.map(|issuer| issuer.as_str().to_owned()),
            warnings: Vec::new(),
        }
    }
}

impl From<SavedAccount> for Profile {
    fn from(saved: SavedAccount) -> Self {
        let mut profile = Self::from(saved.user);
        if let Some(why) = saved.key_unchecked {
            profile.warnings.push(format!(
                "openrouter_key_unchecked: the key was stored without being checked ({why}); \
                 a chat will tell if OpenRouter refuses it"
            ));
        }
        profile
    }
}

/// Profile changes. Absent fields stay as they are; `null` clears `display_name`,
/// `default_model` or `openrouter_api_key`. Changing the password needs `current_password`.
#[derive(Deserialize, ToSchema)]
#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a value are three different requests"
)]
pub struct ProfileUpdate {
    /// 1-64 printable characters (trimmed); null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64, pattern = r"^(?=[\s\S]*[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])[^\x00-\x1F\x7F-\x9F]*$")]
    display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "anthropic/claude-3.5-sonnet", pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z0-9/_.:@+-]{1,128}[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    default_model: Option<Option<String>>,
    /// 1-512 printable ASCII characters; null removes the key.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Password, pattern = r"^[!-~]{1,512}$")]
    openrouter_api_key: Option<Option<String>>,
    /// `false` turns memory off: chats neither recall nor learn preferences.
    memory_enabled: Option<bool>,
    #[schema(format = Password, min_length = 8, max_length = 72)]
    current_password: Option<String>,
    /// 8-72 bytes of UTF-8.
    #[schema(format = Password, min_length = 8, max_length = 72)]
    new_password: Option<String>,
    /// Any other field: ignored, unless it looks like a misspelling of one above.
    #[serde(flatten)]
    #[schema(ignore)]
    others: Map<String, Value>,
}

/// The fields of [`ProfileUpdate`], for telling a misspelling from an unknown field.
const PROFILE_FIELDS: &[&str] = &[
    "display_name",
    "default_model",
    "openrouter_api_key",
    "memory_enabled",
    "current_password",
    "new_password",
];

/// The caller's profile.
#[utoipa::path(get, path = "/user/profile", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ))]
pub async fn get_profile(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Profile>, ApiError> {
    Ok(web::Json(state.auth.profile(user.id).await?.into()))
}

/// Changes the caller's profile. Changing the password (`new_password`) needs a login's
/// access token: with a personal API key it is 403 `forbidden` and nothing changes.
#[utoipa::path(put, path = "/user/profile", tag = "accounts", security(("bearer" = [])),
    request_body = ProfileUpdate,
    responses(
        (status = 200, description = "The updated profile", body = Profile),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a password change with an API key", body = ErrorBody),
        (status = 422, description = "`validation_failed` (including a wrong `current_password` and a misspelled field) or `openrouter_key_invalid`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts` after repeated wrong current passwords", body = ErrorBody),
    ))]
pub async fn update_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Body<ProfileUpdate>,
) -> Result<web::Json<Profile>, ApiError> {
    let body = body.into_inner()?;
    refuse_misspellings(&body.others, PROFILE_FIELDS)?;
    // A new password needs a login's session, which it keeps; it ends all others.
    let session = match body.new_password {
        Some(_) => Some(user.require_session()?.family),
        None => None,
    };
    let changes = ProfileChanges {
        display_name: body.display_name,
        default_model: body.default_model,
        openrouter_api_key: body
            .openrouter_api_key
            .map(|key| key.map(SecretString::from)),
        memory_enabled: body.memory_enabled,
        current_password: body.current_password.map(SecretString::from),
        new_password: body.new_password.map(SecretString::from),
        session,
    };
    Ok(web::Json(
        state.auth.update_profile(user.id, changes).await?.into(),
    ))
}
