//! Server-sent events for streamed answers: `meta`, `delta`s, then `done` or `error`.

use actix_web::http::header::RETRY_AFTER;
use actix_web::{HttpResponse, ResponseError};
use bytes::Bytes;
use futures_util::future::ready;
use futures_util::stream::{self, StreamExt};
use polychat_domain::services::chat::TurnEvent;
use serde::Serialize;
use serde_json::json;

use super::dto::ChatTurnDto;
use super::opening::Opened;
use crate::http::ApiError;

fn event(name: &str, data: &impl Serialize) -> Bytes {
    let data = serde_json::to_vec(data).unwrap_or_else(|_| b"{}".to_vec());
    frame(name, &data)
}

/// An event whose data is already JSON.
fn frame(name: &str, json: &[u8]) -> Bytes {
    let mut frame = Vec::with_capacity(json.len() + name.len() + 16);
    frame.extend_from_slice(b"event: ");
    frame.extend_from_slice(name.as_bytes());
    frame.extend_from_slice(b"\ndata: ");
    frame.extend_from_slice(json);
    frame.extend_from_slice(b"\n\n");
    Bytes::from(frame)
}

/// The `error` event: code, message, the status a plain answer would have had and, for a
/// rate limit, `retry_after` in seconds (the `Retry-After` it would have carried).
fn error_event(error: &ApiError) -> Bytes {
    // Rendering the response logs the failure like any other error answer.
    let response = error.error_response();
    let mut data = json!({"code": error.code(), "message": error.message(), "status": response.status().as_u16()});
    if let Some(seconds) = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
    {
        data["retry_after"] = json!(seconds);
    }
    event("error", &data)
}

/// The headers of an event stream.
pub(super) fn sse_headers() -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"));
    response
}

/// Streams a started answer. The generation runs on its own in the domain: a client
/// that goes away drops this response, not the answer, which is still stored.
pub(super) fn respond(started: Opened) -> HttpResponse {
    let meta = event(
        "meta",
        &json!({"chat_id": started.chat_id.map(|id| id.to_string()), "message_id": started.message_id.to_string()}),
    );
    let mut response = sse_headers();
    started.name_fallback(&mut response);
    let body = started.events.filter_map(|turn_event| {
        ready(match turn_event {
            TurnEvent::Delta(content) => Some(event("delta", &json!({ "content": content }))),
            TurnEvent::ToolCalls(_) | TurnEvent::Rerouted(_) => None,
            TurnEvent::Done(turn) => Some(event("done", &ChatTurnDto::from(*turn))),
            TurnEvent::Failed(error) => Some(error_event(&error.into())),
        })
    });
    response.streaming(
        stream::once(ready(meta))
            .chain(body)
            .map(Ok::<_, actix_web::Error>),
    )
}

/// Replays a stored answer as a stream (an idempotent retry of a streamed request).
pub(super) fn replay(turn: &ChatTurnDto) -> HttpResponse {
    let frames = vec![
        event(
            "meta",
            &json!({"chat_id": turn.chat_id, "message_id": turn.message.id}),
        ),
        event("delta", &json!({"content": turn.message.content})),
        event("done", turn),
    ];
    sse_headers().streaming(stream::iter(frames).map(Ok::<_, actix_web::Error>))
}
