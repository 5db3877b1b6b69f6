//! The web app's refresh token, kept in a cookie the page's scripts cannot read:
//! `HttpOnly`, `SameSite=Strict`, `Secure` over https, and sent by the browser only to
//! `/token/refresh`. API clients keep the JSON body flow; the cookie is used only when a
//! login asks for it (`?cookie=true`) or a refresh came with it.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderValue};
use serde::Deserialize;
use utoipa::IntoParams;

/// The cookie's name.
pub const NAME: &str = "polychat_refresh";
/// The only path the browser sends it to.
const PATH: &str = "/token/refresh";
/// As long as a refresh token lives (7 days).
const MAX_AGE_SECONDS: u64 = 7 * 24 * 3600;

/// `?cookie=true`: answer with the refresh token in the cookie instead of the body.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CookieQuery {
    /// Put the refresh token in an `HttpOnly` cookie (for the web app) instead of the body.
    #[serde(default)]
    pub cookie: bool,
}

/// The refresh token the request's cookie carries, if any.
pub fn read(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` carrying `token`; `Secure` when the request came over https.
pub fn set(req: &HttpRequest, token: &str) -> HeaderValue {
    cookie(req, token, MAX_AGE_SECONDS)
}

/// `Set-Cookie` that removes the cookie.
pub fn clear(req: &HttpRequest) -> HeaderValue {
    cookie(req, "", 0)
}

fn cookie(req: &HttpRequest, value: &str, max_age: u64) -> HeaderValue {
    let secure = if req.connection_info().scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{NAME}={value}; Path={PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    );
    // Tokens are URL-safe base64 and dots, so the value is always a valid header.
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""))
}
