//! Personal API keys (`/user/api-keys`): minted, listed and revoked with a login's
//! access token only; a key cannot manage keys (403 `forbidden`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use polychat_domain::services::api_keys::CreatedApiKey;
use polychat_domain::{ApiKey, ApiKeyId, KeyLifetime};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::hardening::never_stored;
use crate::http::{ApiError, SessionUser};
use crate::http::{Body, whole};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/user/api-keys")
            .route(web::get().to(list_api_keys))
            .route(web::post().to(create_api_key)),
    )
    .service(resource("/user/api-keys/{id}").route(web::delete().to(revoke_api_key)));
}

/// A key to mint. Fields are read loosely so that a value of the wrong type is a 422
/// naming its field rather than a generic decoding error.
#[derive(Deserialize, ToSchema)]
pub struct CreateApiKeyRequest {
    /// What the key is for: 1-64 printable characters, trimmed.
    #[schema(value_type = String, example = "n8n production", max_length = 64, pattern = r"^(?=[\s\S]*[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])[^\x00-\x1F\x7F-\x9F]*$")]
    name: Option<Value>,
    /// Days until the key stops working, 1-3650; absent or null: it never expires.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650, example = 90)]
    expires_in_days: Option<Value>,
}

impl CreateApiKeyRequest {
    fn name(&self) -> Result<&str, ApiError> {
        match &self.name {
            Some(Value::String(name)) => Ok(name),
            None => Err(ApiError::validation("name: is required")),
            Some(_) => Err(ApiError::validation("name: must be a string")),
        }
    }

    fn expires_in_days(&self) -> Result<Option<i64>, ApiError> {
        match &self.expires_in_days {
            None => Ok(None),
            Some(Value::Number(days)) if whole::of(days).is_some() => Ok(whole::of(days)),
            Some(_) => Err(ApiError::validation(format!(
                "expires_in_days: must be an integer from 1 to {}",
                KeyLifetime::MAX_DAYS
            ))
            .param("expires_in_days")),
        }
    }
}

/// A personal API key, without the key itself.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyDto {
    id: String,
    #[schema(example = "n8n production")]
    name: String,
    /// The first 8 characters of the key, to tell keys apart.
    #[schema(example = "pc_x4Tq9")]
    prefix: String,
    created_at: DateTime<Utc>,
    /// Null: the key never expires.
    expires_at: Option<DateTime<Utc>>,
    /// Updated at most about once a minute; null until the key is first used.
    last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyDto {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name.into(),
            prefix: key.prefix,
            created_at: key.created_at,
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
        }
    }
}

/// A new key with its secret: the only time the key is ever shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiKeyDto {
    id: String,
    name: String,
    /// The key: send it as `Authorization: Bearer <key>`. Shown only in this response;
    /// only its hash is stored.
    #[schema(example = "pc_x4Tq9mJ2y6W0Hn1v8Kc3Zr5Lp7Ds0Ab2Fg4Ji6Kl8Mn")]
    key: String,
    #[schema(example = "pc_x4Tq9")]
    prefix: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    /// Always null for a new key.
    last_used_at: Option<DateTime<Utc>>,
}

impl From<CreatedApiKey> for CreatedApiKeyDto {
    fn from(created: CreatedApiKey) -> Self {
        let key = created.key;
        Self {
            id: key.id.to_string(),
            name: key.name.into(),
            key: created.secret.expose_secret().to_owned(),
            prefix: key.prefix,
            created_at: key.created_at,
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    items: Vec<ApiKeyDto>,
}

/// Mints a personal API key.
///
/// The key works as `Authorization: Bearer <key>` wherever an access token does, except
/// managing API keys, `POST /logout`, `POST /token/refresh` and changing the password.
#[utoipa::path(post, path = "/user/api-keys", tag = "accounts", security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "The new key, with the key itself (shown this once)", body = CreatedApiKeyDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: called with an API key", body = ErrorBody),
        (status = 409, description = "`api_key_limit_reached`: the caller holds 100 keys already", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming `name` or `expires_in_days`", body = ErrorBody),
    ))]
pub async fn create_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    // A body error must not hide the 403 of an API key, so it is raised after the check.
    body: Body<CreateApiKeyRequest>,
) -> Result<HttpResponse, actix_web::Error> {
    let body = body.into_inner()?;
    let (name, days) = (body.name()?, body.expires_in_days()?);
    let created = state
        .api_keys
        .create(user.id, name, days)
        .await
        .map_err(ApiError::from)?;
    Ok(never_stored(&mut HttpResponse::build(StatusCode::CREATED))
        .json(CreatedApiKeyDto::from(created)))
}

/// The caller's API keys, newest first, without the keys themselves.
#[utoipa::path(get, path = "/user/api-keys", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's keys", body = ApiKeyList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: called with an API key", body = ErrorBody),
    ))]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    user: SessionUser,
) -> Result<web::Json<ApiKeyList>, ApiError> {
    let keys = state.api_keys.list(user.id).await?;
    Ok(web::Json(ApiKeyList {
        items: keys.into_iter().map(Into::into).collect(),
    }))
}

/// Revokes one of the caller's API keys: it stops working at once, on every replica.
#[utoipa::path(delete, path = "/user/api-keys/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The key's id (not the key)")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: called with an API key", body = ErrorBody),
        (status = 404, description = "`not_found`: no such key among the caller's", body = ErrorBody),
    ))]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = ApiKeyId::parse(&path).map_err(|_| ApiError::not_found("API key"))?;
    state.api_keys.revoke(user.id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
