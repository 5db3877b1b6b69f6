//! The authenticated user, extracted from `Authorization: Bearer <access token>`.
//! The token's subject is the only source of the user's identity anywhere in the API.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use polychat_domain::UserId;
use polychat_domain::ports::AccessClaims;

use super::ApiError;
use super::request_context::timeline;
use crate::state::AppState;

/// A request made with a valid, unrevoked access token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: UserId,
    pub claims: AccessClaims,
}

fn bearer(req: &HttpRequest) -> Option<String> {
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
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::unauthorized());
            };
            let claims = timeline
                .time("auth", state.auth.authenticate(&token))
                .await?;
            tracing::Span::current().record("user_id", tracing::field::display(claims.user_id));
            Ok(Self {
                id: claims.user_id,
                claims,
            })
        })
    }
}
