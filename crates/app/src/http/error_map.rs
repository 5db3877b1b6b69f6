//! How use-case errors become HTTP answers, in the contract's codes.

use actix_web::http::StatusCode;
use polychat_domain::ports::LlmError;
use polychat_domain::services::ServiceError;
use polychat_domain::services::api_keys::ApiKeyError;
use polychat_domain::services::auth::AuthError;
use polychat_domain::services::chat::ChatError;
use polychat_domain::services::custom_models::RegistryError;
use polychat_domain::services::memory::MemoryError;
use polychat_domain::services::search::SearchError;

use super::ApiError;

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Validation(error) => error.into(),
            ServiceError::Unavailable(cause) => Self::unavailable("a required store", cause),
            ServiceError::Unknown(cause) => Self::internal(cause),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Validation(error) => error.into(),
            AuthError::UsernameTaken => Self::new(
                StatusCode::CONFLICT,
                "username_taken",
                "the username is taken",
            ),
            AuthError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "invalid username or password",
            ),
            AuthError::TooManyAttempts { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "too many failed attempts, try again later",
            )
            .retry_after(retry_after),
            AuthError::Unauthorized(refusal) => Self::unauthorized(refusal),
            AuthError::KeyRejected => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "openrouter_key_invalid",
                "OpenRouter does not accept this key; check it at openrouter.ai/keys",
            )
            .param("openrouter_api_key"),
            AuthError::KeyUnreadable => key_unreadable(),
            AuthError::UnknownUser => {
                Self::new(StatusCode::NOT_FOUND, "not_found", "no user has that name")
            }
            AuthError::Service(error) => error.into(),
        }
    }
}

fn key_missing() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "openrouter_key_missing",
        "add your OpenRouter API key to your profile (PUT /user/profile) first",
    )
}

impl From<LlmError> for ApiError {
    fn from(error: LlmError) -> Self {
        match error {
            LlmError::KeyMissing => key_missing(),
            LlmError::Unauthorized => Self::new(
                StatusCode::BAD_GATEWAY,
                "upstream_unauthorized",
                "OpenRouter rejected your API key",
            ),
            LlmError::InsufficientCredits => Self::new(
                StatusCode::PAYMENT_REQUIRED,
                "upstream_insufficient_credits",
                "your OpenRouter key has no credits left",
            ),
            LlmError::RateLimited { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "upstream_rate_limited",
                "the model provider is rate limiting, try again later",
            )
            .retry_after(retry_after.unwrap_or(std::time::Duration::from_secs(1))),
            LlmError::Timeout => Self::new(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                "the model did not answer in time",
            ),
            LlmError::Upstream(message)
            | LlmError::Status {
                detail: message, ..
            } => Self::new(
                StatusCode::BAD_GATEWAY,
                "upstream_error",
                format!("the model provider failed: {message}"),
            ),
            LlmError::Unknown(cause) => {
                tracing::error!(error = format!("{cause:#}"), "model call failed");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream_error",
                    "the model provider failed",
                )
            }
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(error: ChatError) -> Self {
        match error {
            ChatError::Validation(error) => error.into(),
            ChatError::NotFound => Self::not_found("chat"),
            ChatError::KeyMissing => key_missing(),
            ChatError::KeyUnreadable => key_unreadable(),
            ChatError::RateLimited { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many chat requests, slow down",
            )
            .retry_after(retry_after),
            ChatError::TooManyGenerations { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_streams",
                "too many answers in progress for this user; wait for one to finish",
            )
            .retry_after(retry_after),
            ChatError::IdempotencyKeyReused => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
            ),
            ChatError::IdempotencyInProgress => Self::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still running",
            ),
            ChatError::ModelNotFound => Self::new(
                StatusCode::NOT_FOUND,
                "model_not_found",
                "no such model (GET /v1/models lists them)",
            ),
            ChatError::Unauthorized(refusal) => Self::unauthorized(refusal),
            ChatError::Interrupted => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_shutdown",
                "the server shut down while the answer was being written; what was written is stored",
            ),
            ChatError::Upstream(error) => error.into(),
            ChatError::Service(error) => error.into(),
        }
    }
}

impl From<RegistryError> for ApiError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::Validation(error) => error.into(),
            RegistryError::SlugTaken => Self::new(
                StatusCode::CONFLICT,
                "slug_taken",
                "another model has this slug",
            )
            .param("slug"),
            RegistryError::NotFound => Self::not_found("model"),
            RegistryError::UrlForbidden { field, reason } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "webhook_url_forbidden",
                format!("{field}: {reason}"),
            )
            .param(field),
            RegistryError::Service(error) => error.into(),
        }
    }
}

impl From<ApiKeyError> for ApiError {
    fn from(error: ApiKeyError) -> Self {
        match error {
            ApiKeyError::NotFound => Self::not_found("API key"),
            ApiKeyError::LimitReached { limit } => Self::new(
                StatusCode::CONFLICT,
                "api_key_limit_reached",
                format!("you already have {limit} API keys; revoke one first"),
            ),
            ApiKeyError::Validation(error) => error.into(),
            ApiKeyError::Service(error) => error.into(),
        }
    }
}

impl From<MemoryError> for ApiError {
    fn from(error: MemoryError) -> Self {
        match error {
            MemoryError::NotFound => Self::not_found("preference"),
            MemoryError::Validation(error) => error.into(),
            MemoryError::Service(error) => error.into(),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::ChatNotFound => Self::not_found("chat").param("chat_id"),
            SearchError::Service(error) => error.into(),
        }
    }
}

/// 409: the stored key was sealed with a master key the server no longer has.
fn key_unreadable() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "openrouter_key_unreadable",
        "your stored OpenRouter key can no longer be read (the server's master key changed); \
         enter it again with PUT /user/profile",
    )
    .param("openrouter_api_key")
}
