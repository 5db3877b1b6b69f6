//! `PATCH /chats/{chat_id}/messages/{message_id}`: the chat's owner or an admin
//! validates an assistant answer (`human` with the operator's name, or `ai` for an
//! automated reviewer calling with an API key) and may correct its text.

use actix_web::web;
use polychat_domain::Validation;
use polychat_domain::services::chat::ReviewRequest;
use serde::Deserialize;
use utoipa::ToSchema;

use super::chat::chat_id;
use super::dto::MessageDto;
use crate::http::error::ErrorBody;
use crate::http::extract::{present, resource};
use crate::http::{ApiError, AuthUser, Body};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/chats/{chat_id}/messages/{message_id}").route(web::patch().to(review_message)),
    );
}

/// A reviewer's verdict; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a value are three different requests"
)]
pub struct ReviewBody {
    /// `pending`, `human` (needs `operator_name`) or `ai`.
    #[schema(example = "human", pattern = "^(pending|human|ai)$")]
    validated_by: Option<String>,
    /// Up to 120 printable characters, not all whitespace; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "Joana Lima",
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    operator_name: Option<Option<String>>,
    /// The corrected answer: up to 32,000 characters, not all whitespace; the model's
    /// text is kept as `original_content`.
    #[schema(
        example = "O reembolso cai em até 5 dias úteis.",
        min_length = 1,
        max_length = 32000,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    content: Option<String>,
}

/// Validates or corrects an assistant answer.
#[utoipa::path(patch, path = "/chats/{chat_id}/messages/{message_id}", tag = "chat",
    security(("bearer" = [])),
    params(("chat_id" = String, Path), ("message_id" = String, Path)),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The message as stored", body = MessageDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such message in a chat of the caller's (an admin reaches every chat)", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming `validated_by`, `operator_name`, `content` or `message_id` (a user's message)", body = ErrorBody),
    ))]
pub async fn review_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Body<ReviewBody>,
) -> Result<web::Json<MessageDto>, ApiError> {
    let body = body.into_inner()?;
    let (chat, message) = path.into_inner();
    let chat = chat_id(&chat)?;
    let message =
        polychat_domain::MessageId::parse(&message).map_err(|_| ApiError::not_found("message"))?;
    let request = ReviewRequest {
        validated_by: body
            .validated_by
            .as_deref()
            .map(Validation::parse)
            .transpose()?,
        operator_name: body.operator_name,
        content: body.content,
    };
    let reviewed = state
        .chats
        .review_message(user.id, chat, message, request)
        .await?;
    Ok(web::Json(reviewed.into()))
}
