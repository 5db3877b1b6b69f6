//! Server-sent events for streamed answers: `meta`, `delta`s, then `done` or `error`.

use actix_web::{HttpResponse, ResponseError, web};
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use polychat_domain::UserId;
use polychat_domain::services::chat::{TurnEvent, TurnStream};
use serde::Serialize;
use serde_json::json;

use super::dto::ChatTurnDto;
use crate::http::ApiError;
use crate::state::AppState;

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

fn error_event(error: &ApiError) -> Bytes {
    // Rendering the response logs the failure like any other error answer.
    let status = error.error_response().status();
    event(
        "error",
        &json!({"code": error.code(), "message": error.message(), "status": status.as_u16()}),
    )
}

fn sse_response(
    body: impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

/// Streams a started answer. The events are followed by a task of their own, not by
/// the response: if the client goes away the response is dropped, but the answer is
/// still stored by the generation and its idempotency key is still completed (or
/// released), so a retry replays the answer instead of finding the key stuck.
pub(super) fn respond(
    state: web::Data<AppState>,
    owner: UserId,
    started: TurnStream,
    idempotency: Option<(String, String)>,
) -> HttpResponse {
    let meta = event(
        "meta",
        &json!({"chat_id": started.chat_id.to_string(), "message_id": started.message_id.to_string()}),
    );
    let (frames, received) = tokio::sync::mpsc::unbounded_channel();
    let mut events = started.events;
    tokio::spawn(async move {
        while let Some(turn_event) = events.next().await {
            let frame = match turn_event {
                TurnEvent::Delta(content) => event("delta", &json!({ "content": content })),
                TurnEvent::Done(turn) => {
                    let body = serde_json::to_vec(&ChatTurnDto::from(*turn));
                    if let (Some((key, fingerprint)), Ok(body)) = (&idempotency, &body) {
                        state
                            .chats
                            .idempotency_complete(owner, key, fingerprint, body)
                            .await;
                    }
                    frame("done", body.as_deref().unwrap_or(b"{}"))
                }
                TurnEvent::Failed(error) => {
                    if let Some((key, _)) = &idempotency {
                        state.chats.idempotency_release(owner, key).await;
                    }
                    error_event(&error.into())
                }
            };
            // A client that left no longer reads; the events are still followed to the end.
            let _ = frames.send(frame);
        }
    });
    let body = stream::unfold(received, |mut received| async move {
        received.recv().await.map(|frame| (frame, received))
    });
    sse_response(stream::once(async move { meta }).chain(body).map(Ok))
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
    sse_response(stream::iter(frames).map(Ok))
}
