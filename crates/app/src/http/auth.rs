//! The authenticated caller, extracted from `Authorization: Bearer <credential>`, where
//! the credential is a login's access token, a personal API key, or an access token of
//! a trusted issuer. The credential is the only source of the user's identity anywhere
//! in the API.
//!
//! [`AuthUser`] accepts all three; [`SessionUser`]
//! only an access token of ours, for what a key may not do (managing keys, logging
//! out, changing the password): a valid key or external token there is 403
//! `forbidden`.
//! [`AdminUser`] only a user whose role is `admin` (403 `forbidden` for others).

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use polychat_domain::ports::AccessClaims;
use polychat_domain::services::auth::Refusal;
use polychat_domain::{AccountRole, Credential, UserId};

use super::ApiError;
use super::request_context::timeline;
use crate::state::AppState;

/// A request made with a valid, unrevoked access token or API key.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: UserId,
    pub credential: Credential,
}

impl AuthUser {
    /// Refuses the request unless it was made with a login's access token.
    pub fn require_session(&self) -> Result<&AccessClaims, ApiError> {
        match &self.credential {
            Credential::Session(claims) => Ok(claims),
            Credential::ApiKey(_) => Err(needs_login()),
            Credential::External(_) => Err(ApiError::forbidden(
                "a token of a trusted issuer cannot do this; its issuer manages the session",
            )),
        }
    }
}

/// A request made with a valid, unrevoked access token (not an API key).
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: UserId,
    pub claims: AccessClaims,
}

/// A request of an admin (access token or API key of a user whose role is `admin`).
#[derive(Debug, Clone)]
pub struct AdminUser {
    pub id: UserId,
}

/// The answer to a valid API key where only a login token will do.
pub fn needs_login() -> ApiError {
    ApiError::forbidden("an API key cannot do this; use the access token of a login")
}

/// The bearer credential of a request, if it has one.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let timeline = timeline(req);
        Box::pin(async move {
            let Some(state) = state else {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "application state missing"
                )));
            };
            let Some(token) = token else {
                return Err(ApiError::unauthorized(Refusal::Missing));
            };
            let principal = timeline
                .time("auth", state.api_keys.authenticate(&token))
                .await?;
            let span = tracing::Span::current();
            span.record("user_id", tracing::field::display(principal.user_id));
            Ok(Self {
                id: principal.user_id,
                credential: principal.credential,
            })
        })
    }
}

impl FromRequest for SessionUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            let claims = user.require_session()?.clone();
            Ok(Self {
                id: user.id,
                claims,
            })
        })
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let user = user.await?;
            let state = state
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?;
            let profile = state.auth.profile(user.id).await?;
            if profile.role != AccountRole::Admin {
                return Err(ApiError::forbidden("this needs an admin"));
            }
            Ok(Self { id: user.id })
        })
    }
}
