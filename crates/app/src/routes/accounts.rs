//! Registration, login, token refresh and logout. API clients get both tokens in the
//! body; the web app asks for the refresh token in an `HttpOnly` cookie instead
//! (`POST /login?cookie=true`), refreshes with that cookie and an empty JSON body, and
//! logging out clears it.

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use polychat_domain::api_key::API_KEY_MARKER;
use polychat_domain::ports::TokenPair;
use polychat_domain::services::auth::{Refusal, Registration};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::profile::Profile;
use crate::http::auth::{bearer, needs_login};
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::hardening::never_stored;
use crate::http::input::refuse_misspellings;
use crate::http::refresh_cookie::{self, CookieQuery};
use crate::http::{ApiError, SessionUser};
use crate::http::{Body, Params};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/register").route(web::post().to(register)))
        .service(resource("/login").route(web::post().to(login)))
        .service(resource("/token/refresh").route(web::post().to(refresh)))
        .service(resource("/logout").route(web::post().to(logout)));
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// 3-32 of `[A-Za-z0-9_.-]`, unique case-insensitively.
    #[schema(example = "ana.souza", pattern = r"^[A-Za-z0-9_.-]{3,32}$")]
    username: String,
    /// 8-72 bytes of UTF-8 (bcrypt's limit): up to 72 characters, fewer when they are
    /// not ASCII.
    #[schema(example = "correct horse battery", value_type = String, format = Password,
        min_length = 8, max_length = 72)]
    password: String,
    /// 1-512 printable ASCII characters. Kept encrypted; never returned (only its last
    /// 4 characters as a hint).
    #[schema(example = "sk-or-v1-0000000000000000a1b2", value_type = Option<String>, format = Password,
        pattern = r"^[!-~]{1,512}$")]
    openrouter_api_key: Option<String>,
    /// 1-64 printable characters (trimmed).
    #[schema(
        example = "Ana Souza",
        max_length = 64,
        pattern = r"^(?=[\s\S]*[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])[^\x00-\x1F\x7F-\x9F]*$"
    )]
    display_name: Option<String>,
    /// Any other field: ignored, unless it looks like a misspelling of one above.
    #[serde(flatten)]
    #[schema(ignore)]
    others: Map<String, Value>,
}

/// The fields of [`RegisterRequest`], for telling a misspelling from an unknown field.
const REGISTER_FIELDS: &[&str] = &["username", "password", "openrouter_api_key", "display_name"];

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "ana.souza", pattern = r"^[A-Za-z0-9_.-]{3,32}$")]
    username: String,
    /// 8-72 bytes of UTF-8.
    #[schema(example = "correct horse battery", format = Password, min_length = 8, max_length = 72)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token; leave it out to use the web app's cookie.
    refresh_token: Option<String>,
}

/// A token pair: a short-lived access token (15 minutes) and a refresh token (7 days,
/// single use: each refresh returns a new one).
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    /// Absent when it was set in the `polychat_refresh` cookie instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    expires_in: u64,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token.expose_secret().to_owned(),
            refresh_token: Some(pair.refresh_token.expose_secret().to_owned()),
            token_type: "Bearer",
            expires_in: pair.expires_in,
        }
    }
}

/// Creates an account.
#[utoipa::path(post, path = "/register", tag = "accounts", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = Profile),
        (status = 409, description = "`username_taken`", body = ErrorBody),
        (status = 422, description = "`validation_failed` (including a misspelled field) or `openrouter_key_invalid`", body = ErrorBody),
    ))]
pub async fn register(
    state: web::Data<AppState>,
    body: Body<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    refuse_misspellings(&body.others, REGISTER_FIELDS)?;
    let user = state
        .auth
        .register(Registration {
            username: body.username,
            password: SecretString::from(body.password),
            display_name: body.display_name,
            openrouter_api_key: body.openrouter_api_key.map(SecretString::from),
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(Profile::from(user)))
}

/// Logs in with username and password.
///
/// Unknown users and wrong passwords get the same answer in about the same time.
/// Repeated failures for a username or from an address are throttled. With
/// `?cookie=true` (the web app) the refresh token is not in the body but in the
/// `polychat_refresh` cookie: `HttpOnly`, `SameSite=Strict`, `Path=/token/refresh`,
/// `Secure` over https.
#[utoipa::path(post, path = "/login", tag = "accounts", request_body = LoginRequest,
    params(CookieQuery),
    responses(
        (status = 200, description = "Logged in", body = TokenResponse,
            headers(("Set-Cookie" = String, description = "`polychat_refresh=…` with `?cookie=true`"))),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, with `Retry-After`", body = ErrorBody),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: Params<CookieQuery>,
    body: Body<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner()?;
    let body = body.into_inner()?;
    let address = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |addr| addr.ip().to_string());
    let pair = state
        .auth
        .login(&body.username, &body.password, &address)
        .await?;
    Ok(tokens(&req, pair, query.cookie))
}

/// The token answer: the pair in the body, or the refresh token in the cookie.
fn tokens(req: &HttpRequest, pair: TokenPair, in_cookie: bool) -> HttpResponse {
    let mut body = TokenResponse::from(pair);
    let mut response = HttpResponse::Ok();
    never_stored(&mut response);
    if in_cookie && let Some(token) = body.refresh_token.take() {
        response.insert_header((SET_COOKIE, refresh_cookie::set(req, &token)));
    }
    response.json(body)
}

/// Exchanges a refresh token for a new pair; the old refresh token stops working.
/// Presenting a used refresh token again revokes its whole chain.
///
/// A personal API key cannot mint tokens: one sent as the bearer credential or as
/// `refresh_token` is 403 `forbidden`.
///
/// The web app sends `{}` (JSON: a cross-site form cannot) and the `polychat_refresh`
/// cookie; the new refresh token then comes back in the cookie, not the body.
#[utoipa::path(post, path = "/token/refresh", tag = "accounts", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse,
            headers(("Set-Cookie" = String, description = "the rotated `polychat_refresh` when the cookie was used"))),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: made with a personal API key", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `refresh_token` is not a string", body = ErrorBody),
    ))]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    // A body error must not hide the 403 of an API key, so it is raised after the check.
    body: Body<RefreshRequest>,
) -> Result<HttpResponse, actix_web::Error> {
    refuse_api_keys(&state, bearer(&req).as_deref()).await?;
    let body = body.into_inner()?;
    let (token, from_cookie) = match body.refresh_token {
        Some(token) => (token, false),
        None => (
            refresh_cookie::read(&req).ok_or_else(|| ApiError::unauthorized(Refusal::Missing))?,
            true,
        ),
    };
    refuse_api_keys(&state, Some(&token)).await?;
    let pair = state.auth.refresh(&token).await.map_err(ApiError::from)?;
    Ok(tokens(&req, pair, from_cookie))
}

/// 403 when `credential` is a valid API key. Anything else is left to the route: an
/// access token or garbage in the header is simply not what refreshing looks at.
async fn refuse_api_keys(state: &AppState, credential: Option<&str>) -> Result<(), ApiError> {
    let Some(credential) = credential.filter(|c| c.starts_with(API_KEY_MARKER)) else {
        return Ok(());
    };
    match state.api_keys.authenticate(credential).await {
        Ok(principal) if principal.session().is_none() => Err(needs_login()),
        _ => Ok(()),
    }
}

/// Logs out: this access token and its whole refresh chain stop working. A personal
/// API key cannot log out (revoke it with `DELETE /user/api-keys/{id}` instead).
/// The web app's refresh cookie is cleared.
#[utoipa::path(post, path = "/logout", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out",
            headers(("Set-Cookie" = String, description = "clears `polychat_refresh`"))),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: called with an API key", body = ErrorBody),
    ))]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: SessionUser,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout(&user.claims).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((SET_COOKIE, refresh_cookie::clear(&req)))
        .finish())
}
