//! Server-sent events for streamed answers: `meta`, `delta`s, then `done` or `error`.
//!
//! Every event but `meta` carries an `id` (`<seq>-<offset>`, see [`EventId`]); a client
//! that lost the stream sends the last one back as `Last-Event-ID` to the resume route.
//! A stream that has been silent for the keep-alive interval gets an SSE comment, so
//! proxies do not cut a slow model's answer (before its first token too).

use std::pin::Pin;
use std::time::Duration;

use actix_web::http::header::RETRY_AFTER;
use actix_web::{HttpResponse, ResponseError};
use bytes::Bytes;
use futures_util::future::ready;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use polychat_domain::ports::EventId;
use polychat_domain::services::chat::{AnswerEvent, EventNumbering, Resumed, TurnEvent};
use polychat_domain::{ChatId, MessageId};
use serde::Serialize;
use serde_json::json;
use tokio::time::{Instant, Sleep, sleep};
use utoipa::ToSchema;

use super::dto::ChatTurnDto;
use super::opening::Opened;
use crate::http::ApiError;

/// One server-sent event, as the OpenAPI document describes the `text/event-stream`
/// answers: its name, its JSON as text, and an id to resume from (all but `meta`).
#[derive(ToSchema)]
#[allow(dead_code)] // a schema: read by utoipa, never built
pub(super) struct ServerSentEvent {
    /// `meta`, `delta`, `done` or `error`.
    #[schema(example = "delta")]
    event: String,
    /// The event's JSON object, as text.
    #[schema(example = "{\"content\":\"Olá\"}")]
    data: String,
    /// `<seq>-<offset>`: send it back as `Last-Event-ID` to resume.
    #[schema(example = "1-0")]
    id: Option<String>,
}

/// What keeps an idle stream open; clients ignore comments.
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

fn event(id: Option<EventId>, name: &str, data: &impl Serialize) -> Bytes {
    let data = serde_json::to_vec(data).unwrap_or_else(|_| b"{}".to_vec());
    frame(id, name, &data)
}

/// An event whose data is already JSON.
fn frame(id: Option<EventId>, name: &str, json: &[u8]) -> Bytes {
    let mut frame = Vec::with_capacity(json.len() + name.len() + 48);
    if let Some(id) = id {
        frame.extend_from_slice(format!("id: {id}\n").as_bytes());
    }
    frame.extend_from_slice(b"event: ");
    frame.extend_from_slice(name.as_bytes());
    frame.extend_from_slice(b"\ndata: ");
    frame.extend_from_slice(json);
    frame.extend_from_slice(b"\n\n");
    Bytes::from(frame)
}

/// The `error` event: code, message, the status a plain answer would have had and, for a
/// rate limit, `retry_after` in seconds (the `Retry-After` it would have carried).
fn error_event(id: Option<EventId>, error: &ApiError) -> Bytes {
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
    event(id, "error", &data)
}

fn meta(chat_id: Option<ChatId>, message_id: MessageId) -> Bytes {
    event(
        None,
        "meta",
        &json!({"chat_id": chat_id.map(|id| id.to_string()), "message_id": message_id.to_string()}),
    )
}

/// `body`, with a keep-alive comment after every `every` of silence.
fn kept_alive(
    body: impl Stream<Item = Bytes> + Send + 'static,
    every: Duration,
) -> impl Stream<Item = Bytes> {
    let idle: Pin<Box<Sleep>> = Box::pin(sleep(every));
    stream::unfold(
        (body.boxed(), idle),
        move |(mut body, mut idle)| async move {
            let next = tokio::select! {
                next = body.next() => next,
                () = idle.as_mut() => Some(Bytes::from_static(KEEP_ALIVE)),
            };
            idle.as_mut().reset(Instant::now() + every);
            next.map(|frame| (frame, (body, idle)))
        },
    )
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

/// `response` streaming `body`, kept alive.
fn sse_body(
    mut response: actix_web::HttpResponseBuilder,
    body: impl Stream<Item = Bytes> + Send + 'static,
    keepalive: Duration,
) -> HttpResponse {
    response.streaming(kept_alive(body, keepalive).map(Ok::<_, actix_web::Error>))
}

/// Streams a started answer. The generation runs on its own in the domain: a client
/// that goes away drops this response, not the answer, which is still stored.
pub(super) fn respond(started: Opened, keepalive: Duration) -> HttpResponse {
    let meta = meta(started.chat_id, started.message_id);
    let mut response = sse_headers();
    started.name_fallback(&mut response);
    let mut numbering = EventNumbering::default();
    let body = started.events.filter_map(move |turn_event| {
        let id = numbering.number(&turn_event);
        ready(match turn_event {
            TurnEvent::Delta(content) => Some(event(id, "delta", &json!({ "content": content }))),
            TurnEvent::ToolCalls(_) | TurnEvent::Rerouted(_) => None,
            TurnEvent::Done(turn) => Some(event(id, "done", &ChatTurnDto::from(*turn))),
            TurnEvent::Failed(error) => Some(error_event(id, &error.into())),
        })
    });
    sse_body(response, stream::once(ready(meta)).chain(body), keepalive)
}

/// Streams what a client missed of an answer, then the rest of it.
pub(super) fn resumed(
    chat_id: ChatId,
    message_id: MessageId,
    events: BoxStream<'static, Resumed>,
    keepalive: Duration,
) -> HttpResponse {
    let body = events.map(|Resumed { id, event: answer }| match answer {
        AnswerEvent::Delta { content } => event(Some(id), "delta", &json!({ "content": content })),
        AnswerEvent::Done { turn } => event(Some(id), "done", &ChatTurnDto::from(*turn)),
        AnswerEvent::Failed { error } => event(
            Some(id),
            "error",
            &json!({"code": error.code, "message": error.message}),
        ),
    });
    let meta = meta(Some(chat_id), message_id);
    sse_body(
        sse_headers(),
        stream::once(ready(meta)).chain(body),
        keepalive,
    )
}

/// Replays a stored answer as a stream (an idempotent retry of a streamed request),
/// numbered as the original stream was.
pub(super) fn replay(turn: &ChatTurnDto, keepalive: Duration) -> HttpResponse {
    let delta = EventId::START.next(turn.message.content.len());
    let frames = vec![
        event(
            None,
            "meta",
            &json!({"chat_id": turn.chat_id, "message_id": turn.message.id}),
        ),
        event(
            Some(delta),
            "delta",
            &json!({"content": turn.message.content}),
        ),
        event(Some(delta.next(0)), "done", turn),
    ];
    sse_body(sse_headers(), stream::iter(frames), keepalive)
}
