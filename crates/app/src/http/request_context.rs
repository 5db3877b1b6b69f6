//! Gives every request an id (the client's `X-Request-Id` when it sent a sane one),
//! runs the request inside a tracing span carrying it, echoes it in the response, and
//! writes one access-log line per request.
//!
//! Every response carries `Server-Timing: app;dur=<ms>`: the time the service spent
//! from receiving the request to having the response ready (for a stream, its head),
//! model call included, so the added latency of a request is this minus the upstream's.
//! After it come the steps the request's [`Timeline`] recorded by then (`auth`, and a
//! chat turn's `rate`, `account`, `prompt`, `embed`, `upstream`, ...), each with its own
//! `dur`; steps that ran concurrently overlap.

use std::fmt::Write as _;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, HttpRequest, web};
use polychat_domain::timeline::Timeline;
use tracing::Instrument;
use uuid::Uuid;

use super::ApiError;
use crate::state::AppState;

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
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().clone();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = %route,
        user_id = tracing::field::Empty,
    );
    let started = Instant::now();
    let timeline = Timeline::default();
    req.extensions_mut().insert(timeline.clone());
    let mut response = next.call(req).instrument(span.clone()).await?;
    let took = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.http_request(&route, method.as_str(), response.status().as_u16(), took);
    }
    let elapsed_ms = took.as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if let Ok(value) = HeaderValue::from_str(&server_timing(elapsed_ms, &timeline)) {
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

/// The request's timeline, where handlers and use cases record their steps.
pub fn timeline(req: &HttpRequest) -> Timeline {
    req.extensions()
        .get::<Timeline>()
        .cloned()
        .unwrap_or_default()
}

fn server_timing(elapsed_ms: f64, timeline: &Timeline) -> String {
    let mut value = format!("app;dur={elapsed_ms:.3}");
    for step in timeline.steps() {
        let ms = step.took.as_secs_f64() * 1000.0;
        let _ = write!(value, ", {};dur={ms:.3}", step.name);
    }
    value
}

/// The request's `Idempotency-Key`, if it sent one.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    req.headers()
        .get("idempotency-key")
        .map(|value| {
            value.to_str().map(str::to_owned).map_err(|_| {
                ApiError::validation("Idempotency-Key: must be printable ASCII")
                    .param("Idempotency-Key")
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn server_timing_lists_the_whole_request_then_its_steps() {
        let timeline = Timeline::default();
        timeline.record("auth", Duration::from_micros(250));
        timeline.record("upstream", Duration::from_millis(3));
        assert_eq!(
            server_timing(4.5, &timeline),
            "app;dur=4.500, auth;dur=0.250, upstream;dur=3.000"
        );
        assert_eq!(server_timing(1.0, &Timeline::default()), "app;dur=1.000");
    }
}
