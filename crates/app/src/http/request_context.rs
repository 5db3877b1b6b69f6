//! Gives every request an id (the client's `X-Request-Id` when it sent a sane one),
//! runs the request inside a tracing span carrying it, echoes it in the response, and
//! writes one access-log line per request.
//!
//! Every response carries `Server-Timing: app;dur=<ms>`: the time the service spent
//! from receiving the request to having the response ready (for a stream, its head),
//! model call included, so the added latency of a request is this minus the upstream's.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use uuid::Uuid;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

fn client_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b));
    sane.then(|| value.to_owned())
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = client_request_id(&req).unwrap_or_else(|| Uuid::new_v4().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        route = %req.match_pattern().unwrap_or_else(|| "unmatched".to_owned()),
        user_id = tracing::field::Empty,
    );
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={elapsed_ms:.3}")) {
        response.headers_mut().insert(SERVER_TIMING, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = (elapsed_ms * 1000.0).round() / 1000.0,
            "request finished"
        );
    });
    Ok(response)
}
