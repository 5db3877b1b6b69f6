//! The one HTTP error type: every failure leaves the service as the contract's body
//! `{"error": {"code", "message", "type", "param"}}` — the native shape and OpenAI's in
//! one. Internal causes are logged with their whole chain and never reach clients.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use polychat_domain::services::auth::Refusal;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for machines (`code`, `type`) and people (`message`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(example = "validation_failed")]
    pub code: &'static str,
    #[schema(example = "username: must be 3-32 characters")]
    pub message: String,
    /// OpenAI's error class: `invalid_request_error`, `authentication_error`,
    /// `permission_error`, `not_found_error`, `rate_limit_error` or `api_error`.
    #[serde(rename = "type")]
    #[schema(example = "invalid_request_error")]
    pub kind: &'static str,
    /// The request field at fault, when one is.
    #[schema(example = "username")]
    pub param: Option<Cow<'static, str>>,
}

/// The protection space named in `WWW-Authenticate`.
const REALM: &str = "polychat";

/// OpenAI's error class for a status.
fn kind_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        400..=499 => "invalid_request_error",
        _ => "api_error",
    }
}

/// An error answered to a client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    param: Option<Cow<'static, str>>,
    retry_after: Option<Duration>,
    /// A header the answer needs: a 401's `WWW-Authenticate` challenge, a 405's `Allow`.
    header: Option<Box<(HeaderName, String)>>,
    cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            param: None,
            retry_after: None,
            header: None,
            cause: None,
        }
    }

    /// Names the request field at fault.
    #[must_use]
    pub fn param(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.param = Some(field.into());
        self
    }

    /// The error as the OpenAI-compatible API answers it: a body that fails
    /// validation is a 400 there, not a 422.
    #[must_use]
    pub fn openai(mut self) -> Self {
        if self.status == StatusCode::UNPROCESSABLE_ENTITY {
            self.status = StatusCode::BAD_REQUEST;
        }
        self
    }

    /// Adds a `Retry-After` header (whole seconds, rounded up).
    #[must_use]
    pub fn retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// 405 for `method` on `path`, with the `Allow` header RFC 9110 asks for.
    pub fn method_not_allowed(method: &str, path: &str, allow: String) -> Self {
        Self {
            header: Some(Box::new((header::ALLOW, allow))),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{method} is not supported on {path}"),
            )
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 401 saying why the credential was refused, with RFC 6750's challenge: no `error`
    /// when none was sent, `invalid_token` otherwise.
    pub fn unauthorized(refusal: Refusal) -> Self {
        let challenge = match refusal {
            Refusal::Missing => format!("Bearer realm=\"{REALM}\""),
            other => format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{other}\""
            ),
        };
        Self {
            header: Some(Box::new((header::WWW_AUTHENTICATE, challenge))),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                refusal.explanation(),
            )
        }
    }

    /// The caller is known but its credential may not do this (e.g. an API key where a
    /// login token is needed).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        )
    }

    /// A failure whose details stay in the logs: the client sees an opaque 500.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error",
            )
        }
    }

    /// A required store is down: 503, cause logged.
    pub fn unavailable(what: &str, cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                format!("{what} is unavailable, try again later"),
            )
        }
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// OpenAI's error class of this error.
    pub fn kind(&self) -> &'static str {
        kind_of(self.status)
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        match &self.cause {
            Some(cause) if self.status.is_server_error() => {
                tracing::error!(
                    code = self.code,
                    error = format!("{cause:#}"),
                    "request failed"
                );
            }
            Some(cause) => tracing::warn!(
                code = self.code,
                error = format!("{cause:#}"),
                "request refused"
            ),
            None => tracing::debug!(code = self.code, "request refused"),
        }
        let mut response = HttpResponse::build(self.status);
        if let Some(after) = self.retry_after {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.insert_header((header::RETRY_AFTER, value));
            }
        }
        if let Some((name, value)) = self.header.as_deref()
            && let Ok(value) = HeaderValue::from_str(value)
        {
            response.insert_header((name.clone(), value));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
                kind: kind_of(self.status),
                param: self.param.clone(),
            },
        })
    }
}

impl From<polychat_domain::ValidationError> for ApiError {
    fn from(error: polychat_domain::ValidationError) -> Self {
        Self::validation(error.to_string()).param(error.field)
    }
}
