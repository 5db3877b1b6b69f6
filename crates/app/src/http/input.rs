//! The request's JSON body and query string, parsed by extractors that never fail on
//! their own: actix-web runs a handler's extractors side by side, so an extractor that
//! failed at once would answer before authentication had its say (a revoked token
//! would get a 422). [`Body`] and [`Params`] hold their outcome and the handler takes
//! it with `?` after the caller is known.
//!
//! Their errors speak the contract's words: 415 without a JSON content type, 413 over
//! [`MAX_BODY_BYTES`], 408 `request_timeout` for a body slower than the request deadline, 400 `invalid_json` for text that is not JSON, and 422
//! `validation_failed` naming the field (its path, e.g. `messages[0].content`) for
//! JSON or parameters of the wrong shape, never the parser's own sentence.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, dev::Payload, mime, web};
use serde::de::DeserializeOwned;

use super::ApiError;
use super::extract::{MAX_BODY_BYTES, too_large};
use super::wording::{Parsed, Reworded, misspelling_of, reword};
use crate::state::AppState;

/// The body's deadline when no app state is there to give it (`HTTP_REQUEST_TIMEOUT_MS`).
const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(10);

/// A JSON request body, or why it is not one the route takes.
#[derive(Debug)]
pub struct Body<T>(Result<T, ApiError>);

impl<T> Body<T> {
    /// The parsed body, or the error to answer.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let openai = req.path().starts_with("/v1/");
        let declared_json =
            req.mime_type().ok().flatten().is_some_and(|mime| {
                mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON)
            });
        let bytes = web::Bytes::from_request(req, payload);
        let deadline = req
            .app_data::<web::Data<AppState>>()
            .map_or(DEFAULT_BODY_DEADLINE, |state| state.request_timeout);
        Box::pin(async move {
            let outcome = if declared_json {
                match tokio::time::timeout(deadline, bytes).await {
                    Ok(Ok(bytes)) => parse_json(&bytes),
                    Ok(Err(error)) => Err(unreadable(&error)),
                    Err(_) => Err(body_too_slow(deadline)),
                }
            } else {
                Err(unsupported_media_type())
            };
            Ok(Self(outcome.map_err(|error| {
                if openai { error.openai() } else { error }
            })))
        })
    }
}

/// A JSON body a route may go without: a request with neither a body nor a
/// `Content-Type` has none; anything else is read as [`Body`] reads it, so a body that
/// is there but wrong is refused, never taken for an absent one.
#[derive(Debug)]
pub struct OptionalBody<T>(Result<Option<T>, ApiError>);

impl<T> OptionalBody<T> {
    /// The parsed body (`None` when the request sent none), or the error to answer.
    pub fn into_inner(self) -> Result<Option<T>, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let no_length = headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .is_none_or(|length| length.as_bytes() == b"0");
        let chunked = headers.contains_key(actix_web::http::header::TRANSFER_ENCODING);
        if no_length && !chunked && !headers.contains_key(actix_web::http::header::CONTENT_TYPE) {
            return Box::pin(std::future::ready(Ok(Self(Ok(None)))));
        }
        // JSON `null` is no body too, as the document's `oneOf` of null and the body says.
        let body = Body::<Option<T>>::from_request(req, payload);
        Box::pin(async move { Ok(Self(body.await?.into_inner())) })
    }
}

/// The query string's parameters, or why they are not ones the route takes.
#[derive(Debug)]
pub struct Params<T>(Result<T, ApiError>);

impl<T> Params<T> {
    /// The parsed parameters, or the error to answer.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Params<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let query = req.query_string().as_bytes();
        let deserializer = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query));
        let outcome = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let field = error.path().to_string();
            let message = error.into_inner().to_string();
            invalid(&reword(&field, &message, Parsed::Query))
        });
        std::future::ready(Ok(Self(outcome)))
    }
}

/// The body as `T`: 400 when it is not JSON at all, 422 naming the field when it is
/// JSON of another shape.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            invalid(&reword(&field, &inner.to_string(), Parsed::Json))
        } else {
            not_json(&inner)
        }
    })?;
    deserializer.end().map_err(|error| not_json(&error))?;
    Ok(value)
}

fn not_json(error: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_json",
        format!(
            "the body is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
    )
}

fn invalid(reworded: &Reworded) -> ApiError {
    let error = ApiError::validation(reworded.message.clone());
    match &reworded.field {
        Some(field) => error.param(field.clone()),
        None => error,
    }
}

/// 408: the body did not arrive in time; a client trickling it would otherwise hold
/// its connection for as long as it liked.
pub fn body_too_slow(deadline: Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!("the body did not arrive within {} ms", deadline.as_millis()),
    )
}

fn unreadable(error: &actix_web::Error) -> ApiError {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => too_large(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the body could not be read",
        ),
    }
}

/// Unknown fields are ignored, as the contract says, except one that looks like a
/// misspelling of a field of the request (`openrouter_key` for `openrouter_api_key`):
/// ignoring that would lose what the client meant to set. 422 naming it.
pub fn refuse_misspellings(
    others: &serde_json::Map<String, serde_json::Value>,
    known: &[&'static str],
) -> Result<(), ApiError> {
    for name in others.keys() {
        if let Some(meant) = misspelling_of(name, known) {
            return Err(ApiError::validation(format!(
                "{name}: is not a field of this request; did you mean `{meant}`?"
            ))
            .param(name.clone()));
        }
    }
    Ok(())
}

/// 415: the body is not declared as JSON.
pub fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the body must be JSON with Content-Type: application/json",
    )
}

/// The largest body `web::Bytes` reads (the extractor's limit is set here, once).
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_BODY_BYTES)
}
