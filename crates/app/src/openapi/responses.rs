//! What every route of the document shares, added after `utoipa` built it: the error
//! answers of the JSON extractor (400 `invalid_json`, 408, 413, 415) on each route taking a
//! JSON body, `X-Request-Id` on every answer, `Retry-After` on every 429, and on each
//! error answer one example per code its description names, rendered by the service's
//! own error type so the text is what a client really gets.

use std::time::Duration;

use actix_web::ResponseError as _;
use actix_web::body::MessageBody as _;
use polychat_domain::ValidationError;
use polychat_domain::ports::LlmError;
use polychat_domain::services::api_keys::ApiKeyError;
use polychat_domain::services::auth::{AuthError, Refusal};
use polychat_domain::services::chat::ChatError;
use polychat_domain::services::custom_models::RegistryError;
use serde_json::Value;
use utoipa::Modify;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::schema::{Object, Schema, SchemaType, Type};
use utoipa::openapi::{Content, Ref, RefOr, Response};

use crate::http::ApiError;
use crate::http::extract::too_large;
use crate::http::input::body_too_slow;

/// The [`Modify`] that adds the shared answers.
pub(super) struct SharedResponses;

const JSON: &str = "application/json";

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                complete(path, operation);
            }
        }
    }
}

fn error_content() -> Content {
    Content::new(Some(Ref::from_schema_name("ErrorBody")))
}

fn complete(path: &str, operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        not_null(parameter);
    }
    let takes_json = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.contains_key(JSON));
    let responses = &mut operation.responses.responses;
    if takes_json {
        for (status, description) in [
            ("400", "`invalid_json`: the body is not JSON"),
            (
                "408",
                "`request_timeout`: the body did not arrive within `HTTP_REQUEST_TIMEOUT_MS`",
            ),
            ("413", "`payload_too_large`"),
            (
                "415",
                "`unsupported_media_type`: the body must be `application/json`",
            ),
        ] {
            let response = responses.entry(status.to_owned()).or_insert_with(|| {
                let mut response = Response::new(description);
                response.content.insert(JSON.to_owned(), error_content());
                RefOr::T(response)
            });
            if let RefOr::T(response) = response {
                let code = description.split('`').nth(1).unwrap_or_default();
                if !response.description.contains(&format!("`{code}`")) {
                    response.description = format!("{}, or `{code}`", response.description);
                }
            }
        }
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let mut request_id = Header::new(Object::with_type(Type::String));
        request_id.description =
            Some("The request's id (the client's own, when it sent one), also in the logs".into());
        response.headers.insert("X-Request-Id".into(), request_id);
        if status == "429" {
            let mut retry = Header::new(Object::with_type(Type::Integer));
            retry.description = Some("Seconds to wait before trying again".into());
            response.headers.insert("Retry-After".into(), retry);
        }
        add_examples(path, response);
    }
}

/// A header or query value is text, never JSON `null`: an optional one is left out,
/// so its schema is the type without `null` (utoipa adds it for an `Option`).
fn not_null(parameter: &mut Parameter) {
    if let Some(RefOr::T(Schema::Object(object))) = &mut parameter.schema
        && let SchemaType::Array(types) = &object.schema_type
    {
        let types: Vec<Type> = types
            .iter()
            .filter(|t| **t != Type::Null)
            .cloned()
            .collect();
        if let [only] = types.as_slice() {
            object.schema_type = SchemaType::Type(only.clone());
        }
    }
}

/// One example per code the description names, on an answer whose body is `ErrorBody`.
fn add_examples(path: &str, response: &mut Response) {
    let codes: Vec<String> = response
        .description
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    let Some(content) = response.content.get_mut(JSON) else {
        return;
    };
    let is_error =
        matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/ErrorBody"));
    if !is_error {
        return;
    }
    for code in codes {
        if let Some(error) = example(&code, path) {
            let example = ExampleBuilder::new().value(Some(rendered(&error))).build();
            content.examples.insert(code, RefOr::T(example));
        }
    }
}

/// The body the service sends for `error`.
fn rendered(error: &ApiError) -> Value {
    error
        .error_response()
        .into_body()
        .try_into_bytes()
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}

/// What a route under `path` names with "not found".
fn missing(path: &str) -> &'static str {
    if path.starts_with("/user/api-keys") {
        "API key"
    } else if path.starts_with("/user/preferences") {
        "preference"
    } else if path.contains("/models") {
        "model"
    } else {
        "chat"
    }
}

/// The error the service answers with `code` on `path`, when the code is one of its.
fn example(code: &str, path: &str) -> Option<ApiError> {
    let minute = Duration::from_mins(1);
    Some(match code {
        "invalid_json" => ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "invalid_json",
            "the body is not valid JSON (line 1, column 1)",
        ),
        "unsupported_media_type" => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be JSON with Content-Type: application/json",
        ),
        "payload_too_large" => too_large(),
        "request_timeout" => body_too_slow(Duration::from_secs(10)),
        "validation_failed" => ValidationError {
            field: "username",
            reason: "must be 3-32 characters".into(),
        }
        .into(),
        "unauthorized" => ApiError::unauthorized(Refusal::Expired),
        "forbidden" => ApiError::forbidden("an API key cannot do this; log in"),
        "not_found" => ApiError::not_found(missing(path)),
        "invalid_credentials" => AuthError::InvalidCredentials.into(),
        "username_taken" => AuthError::UsernameTaken.into(),
        "too_many_attempts" => AuthError::TooManyAttempts {
            retry_after: minute,
        }
        .into(),
        "openrouter_key_missing" => LlmError::KeyMissing.into(),
        "openrouter_key_invalid" => AuthError::KeyRejected.into(),
        "openrouter_key_unreadable" => AuthError::KeyUnreadable.into(),
        "upstream_unauthorized" => LlmError::Unauthorized.into(),
        "upstream_insufficient_credits" => LlmError::InsufficientCredits.into(),
        "upstream_rate_limited" => LlmError::RateLimited { retry_after: None }.into(),
        "upstream_timeout" => LlmError::Timeout.into(),
        "upstream_error" => LlmError::Upstream("503 Service Unavailable".into()).into(),
        "rate_limited" => ChatError::RateLimited {
            retry_after: minute,
        }
        .into(),
        "too_many_streams" => ChatError::TooManyGenerations {
            retry_after: Duration::from_secs(10),
        }
        .into(),
        "idempotency_key_reused" => ChatError::IdempotencyKeyReused.into(),
        "idempotency_in_progress" => ChatError::IdempotencyInProgress.into(),
        "model_not_found" => ChatError::ModelNotFound.into(),
        "slug_taken" => RegistryError::SlugTaken.into(),
        "webhook_url_forbidden" => RegistryError::UrlForbidden {
            field: "webhook_url",
            reason: "reaches a private network address".into(),
        }
        .into(),
        "api_key_limit_reached" => ApiKeyError::LimitReached { limit: 100 }.into(),
        "service_unavailable" => ApiError::unavailable("a required store", anyhow::anyhow!("down")),
        _ => return None,
    })
}
