//! Browser hardening headers on every answer: `X-Content-Type-Options: nosniff` (a
//! JSON error is never sniffed into HTML), `Referrer-Policy: no-referrer`, and on the
//! Swagger UI (`/docs/`) a Content-Security-Policy of its own. A header a route set
//! itself (the web app's stricter policy) is kept. Answers that carry a secret are
//! marked `Cache-Control: no-store` by their routes ([`never_stored`]).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// What the Swagger UI needs and no more: its own scripts and styles (it sets inline
/// `style` attributes as it renders, hence `'unsafe-inline'` for styles only, never for
/// scripts), its icons (inlined as `data:` images), and `/openapi.json` from this origin.
pub const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn hardening(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    keep_or_set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    keep_or_set(headers, header::REFERRER_POLICY, "no-referrer");
    if docs {
        keep_or_set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            DOCS_CONTENT_SECURITY_POLICY,
        );
        keep_or_set(headers, header::X_FRAME_OPTIONS, "DENY");
    }
    Ok(response)
}

/// Marks an answer that carries a secret (tokens, a new API key or signing secret):
/// no cache, shared or private, may keep it.
pub fn never_stored(
    response: &mut actix_web::HttpResponseBuilder,
) -> &mut actix_web::HttpResponseBuilder {
    response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

fn keep_or_set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}
