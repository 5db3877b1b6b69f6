//! Turns in OpenAI's response shapes: `chat.completion` and `text_completion` objects,
//! and their streams of chunks ending in `data: [DONE]`; a failure after a stream
//! started is one `data: {"error": {...}}` event, then the stream ends.

use actix_web::http::header::HeaderValue;
use actix_web::{HttpResponse, ResponseError};
use bytes::Bytes;
use futures_util::future::ready;
use futures_util::stream::{self, StreamExt};
use polychat_domain::services::chat::{ChatTurn, TurnEvent};
use polychat_domain::{MessageId, ModelName, Usage};
use serde_json::{Value, json};

use super::X_CHAT_ID;
use crate::http::ApiError;
use crate::routes::opening::{self, Opened};
use crate::routes::sse::sse_headers;

/// Which of the two OpenAI APIs a response belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Api {
    Chat,
    Text,
}

impl Api {
    fn id(self, message: MessageId) -> String {
        let prefix = match self {
            Self::Chat => "chatcmpl",
            Self::Text => "cmpl",
        };
        format!("{prefix}-{}", message.as_uuid().simple())
    }

    fn object(self, streamed: bool) -> &'static str {
        match (self, streamed) {
            (Self::Chat, false) => "chat.completion",
            (Self::Chat, true) => "chat.completion.chunk",
            (Self::Text, _) => "text_completion",
        }
    }
}

fn usage(usage: Usage) -> Value {
    json!({
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    })
}

fn with_chat_id(mut response: HttpResponse, chat: Option<String>) -> HttpResponse {
    if let Some(value) = chat.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response.headers_mut().insert(X_CHAT_ID, value);
    }
    response
}

/// A whole answer.
pub(super) fn whole(api: Api, turn: &ChatTurn) -> HttpResponse {
    let message = &turn.message;
    let finish_reason = turn.finish_reason.as_deref().unwrap_or("stop");
    let choice = match api {
        Api::Chat => {
            let mut reply = json!({"role": "assistant", "content": message.content});
            if let Some(calls) = &turn.tool_calls {
                reply["tool_calls"] = calls.clone();
            }
            json!({"index": 0, "message": reply, "finish_reason": finish_reason, "logprobs": null})
        }
        Api::Text => {
            json!({"index": 0, "text": message.content, "finish_reason": finish_reason, "logprobs": null})
        }
    };
    let body = json!({
        "id": api.id(message.id),
        "object": api.object(false),
        "created": message.created_at.timestamp(),
        "model": message.model.as_ref().map(ModelName::as_str),
        "choices": [choice],
        "usage": usage(message.usage.unwrap_or_default()),
    });
    let chat = turn.chat.as_ref().map(|chat| chat.id.to_string());
    let mut response = HttpResponse::Ok();
    opening::name_turn_fallback(&mut response, turn);
    with_chat_id(response.json(body), chat)
}

/// The fields every chunk of one stream repeats.
struct Chunks {
    api: Api,
    id: String,
    created: i64,
    model: String,
}

impl Chunks {
    fn chunk(&self, choices: &Value, usage: Option<Value>) -> Bytes {
        let mut chunk = json!({
            "id": self.id,
            "object": self.api.object(true),
            "created": self.created,
            "model": self.model,
            "choices": choices,
        });
        if let Some(usage) = usage {
            chunk["usage"] = usage;
        }
        data(&chunk)
    }

    fn delta(&self, delta: &Value, finish_reason: Option<&str>) -> Bytes {
        let choice = match self.api {
            Api::Chat => {
                json!({"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": null})
            }
            Api::Text => json!({
                "index": 0,
                "text": delta.get("content").cloned().unwrap_or_else(|| Value::String(String::new())),
                "finish_reason": finish_reason,
                "logprobs": null,
            }),
        };
        self.chunk(&json!([choice]), None)
    }
}

fn data(value: &Value) -> Bytes {
    let mut frame = b"data: ".to_vec();
    frame.extend_from_slice(&serde_json::to_vec(value).unwrap_or_default());
    frame.extend_from_slice(b"\n\n");
    Bytes::from(frame)
}

/// A started answer as OpenAI chunks.
pub(super) fn stream(api: Api, started: Opened, include_usage: bool) -> HttpResponse {
    let chunks = Chunks {
        api,
        id: api.id(started.message_id),
        created: chrono::Utc::now().timestamp(),
        model: started.model.as_str().to_owned(),
    };
    let first = chunks.delta(&json!({"role": "assistant", "content": ""}), None);
    let chat = started.chat_id.map(|id| id.to_string());
    let mut response = sse_headers();
    started.name_fallback(&mut response);
    let body = started.events.flat_map(move |event| {
        let frames = match event {
            TurnEvent::Rerouted(_) => Vec::new(),
            TurnEvent::Delta(content) => vec![chunks.delta(&json!({ "content": content }), None)],
            TurnEvent::ToolCalls(calls) => {
                vec![chunks.delta(&json!({ "tool_calls": calls }), None)]
            }
            TurnEvent::Done(turn) => {
                let reason = turn.finish_reason.as_deref().unwrap_or("stop");
                let mut frames = vec![chunks.delta(&json!({}), Some(reason))];
                if include_usage {
                    let counted = usage(turn.message.usage.unwrap_or_default());
                    frames.push(chunks.chunk(&json!([]), Some(counted)));
                }
                frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
                frames
            }
            TurnEvent::Failed(error) => vec![failure(&ApiError::from(error))],
        };
        stream::iter(frames)
    });
    let response = response.streaming(
        stream::once(ready(first))
            .chain(body)
            .map(Ok::<_, actix_web::Error>),
    );
    with_chat_id(response, chat)
}

/// The error event of a stream that failed after it started.
fn failure(error: &ApiError) -> Bytes {
    // Rendering the response logs the failure like any other error answer.
    let _ = error.error_response();
    data(&json!({"error": {
        "message": error.message(),
        "type": error.kind(),
        "param": null,
        "code": error.code(),
    }}))
}
