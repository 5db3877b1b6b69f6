//! `GET /chats/{chat_id}/messages/{message_id}/stream`: picking up a streamed answer
//! after the connection broke, on any replica, while or after it is written.

use actix_web::{HttpRequest, HttpResponse, web};
use polychat_domain::MessageId;
use polychat_domain::ports::EventId;

use super::chat::chat_id;
use super::sse::{self, ServerSentEvent};
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::{ApiError, AuthUser};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/chats/{chat_id}/messages/{message_id}/stream")
            .route(web::get().to(resume_stream)),
    );
}

/// `Last-Event-ID` as a client sends it back; absent means from the start.
fn last_event_id(req: &HttpRequest) -> Result<Option<EventId>, ApiError> {
    let Some(value) = req.headers().get("last-event-id") else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value.is_empty() {
        return Ok(None);
    }
    EventId::parse(value).map(Some).ok_or_else(|| {
        ApiError::validation("Last-Event-ID: must be the id of an event this API sent")
            .param("Last-Event-ID")
    })
}

/// Resumes a streamed answer (the `message_id` of its `meta` event).
///
/// Answers `text/event-stream`: `meta`, then the events after `Last-Event-ID` (every
/// event without it), live as they are generated, then `done` or `error`, with the
/// same ids as the original stream. An answer already finished comes at once (its
/// content after the client's last event, then `done`). If the shared event log cannot
/// be reached, the stream waits for the stored answer instead of failing.
#[utoipa::path(get, path = "/chats/{chat_id}/messages/{message_id}/stream", tag = "chat",
    security(("bearer" = [])),
    params(
        ("chat_id" = String, Path),
        ("message_id" = String, Path, description = "The answer's id (`meta.message_id`)"),
        ("Last-Event-ID" = Option<String>, Header, pattern = r"^([0-9]{1,19}-[0-9]{1,19})?$",
            description = "The `id` of the last event received (`<seq>-<offset>`); empty: from the start"),
    ),
    responses(
        (status = 200, description = "A `text/event-stream` of the rest of the answer", content_type = "text/event-stream", body = ServerSentEvent),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such answer in this user's chat", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a malformed `Last-Event-ID`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`: the chat store is down", body = ErrorBody),
    ))]
pub async fn resume_stream(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (chat, message) = path.into_inner();
    let chat = chat_id(&chat)?;
    let message = MessageId::parse(&message).map_err(|_| ApiError::not_found("message"))?;
    let after = last_event_id(&req)?;
    let events = state.chats.resume(user.id, chat, message, after).await?;
    Ok(sse::resumed(chat, message, events, state.sse_keepalive))
}
