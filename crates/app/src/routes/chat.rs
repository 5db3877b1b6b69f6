//! `POST /chat` (answer a prompt, whole or streamed) and `GET /chat` (a chat's history).

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use polychat_domain::ports::GenerationOptions;
use polychat_domain::services::chat::{
    CacheStatus, ChatPageRequest, ChatTarget, Conversation, Delivery, MemoryUse, TurnOutput,
    TurnRequest,
};
use polychat_domain::{ChatId, LabelsRequest, MessageId, ValidationError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{ChatDto, ChatTurnDto};
use super::sse::ServerSentEvent;
use super::{opening, sse};
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::request_context::{idempotency_key, timeline};
use crate::http::{ApiError, AuthUser};
use crate::http::{Body, Params};
use crate::state::AppState;

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/chat")
            .route(web::post().to(post_chat))
            .route(web::get().to(get_chat)),
    );
}

/// A prompt.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct ChatRequest {
    /// The chat to continue; `""` or absent starts a new chat.
    #[serde(default)]
    #[schema(example = "")]
    chat_id: Option<String>,
    /// Up to 32,000 characters, not all whitespace.
    #[schema(
        example = "Prefiro respostas curtas. Como organizo um workspace Rust?",
        min_length = 1,
        max_length = 32000,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    prompt: String,
    /// Any OpenRouter model (blank counts as absent); defaults to the profile's
    /// `default_model`, then the server's.
    #[schema(
        example = "openai/gpt-4o-mini",
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9/_.:@+-]{1,128}[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    model: Option<String>,
    /// Answer as `text/event-stream` (also chosen by `Accept: text/event-stream`).
    #[serde(default)]
    stream: bool,
    /// The new chat's project (only when this prompt creates the chat).
    #[schema(example = "site-2026", pattern = r"^[a-z0-9._-]{1,64}$")]
    project: Option<String>,
    /// The new chat's sector, one of `SECTORS` (only when this prompt creates the chat).
    #[schema(example = "vendas")]
    sector: Option<String>,
}

/// Parses a chat id from a client; a malformed id names no chat, so it is a 404.
pub fn chat_id(text: &str) -> Result<ChatId, ApiError> {
    ChatId::parse(text).map_err(|_| ApiError::not_found("chat"))
}

fn wants_stream(req: &HttpRequest, body: &ChatRequest) -> bool {
    body.stream
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/event-stream"))
}

/// Answers a prompt with the chat's history and the user's memories.
///
/// The user's message is stored before the model is called and stays stored whatever
/// happens. With `Idempotency-Key`, a retry with the same body returns the first result
/// without calling the model again. Streamed answers are server-sent events: `meta`
/// `{chat_id, message_id}`, many `delta` `{content}`, then `done` (the chat turn) or
/// `error` `{code, message, status}` (plus `retry_after` in seconds for a rate limit);
/// every event but `meta` has an `id`, and a client that lost the stream resumes it at
/// `GET /chats/{chat_id}/messages/{message_id}/stream` with `Last-Event-ID`. An SSE
/// comment is sent after `SSE_KEEPALIVE_SECONDS` of silence.
#[utoipa::path(post, path = "/chat", tag = "chat", security(("bearer" = [])),
    request_body = ChatRequest,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
        description = "Makes retries safe: 1-255 printable ASCII characters")),
    responses(
        (status = 200, description = "The chat turn, or with `stream` (or `Accept: text/event-stream`) its server-sent events",
            content((ChatTurnDto = "application/json"), (ServerSentEvent = "text/event-stream")),
            headers(("X-Chat-Id" = String, description = "The chat's id (a new chat's too), known before a stream's first event"))),
        (status = 400, description = "`openrouter_key_missing`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 402, description = "`upstream_insufficient_credits`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such chat for this user, or `model_not_found`", body = ErrorBody),
        (status = 409, description = "`idempotency_in_progress`, or `openrouter_key_unreadable`: the stored key must be entered again", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 422, description = "`validation_failed` or `idempotency_key_reused`", body = ErrorBody),
        (status = 429, description = "`rate_limited`, `too_many_streams` (the user's answers in progress are at `MAX_GENERATIONS_PER_USER`) or `upstream_rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 502, description = "`upstream_unauthorized` or `upstream_error`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`: the chat store is down", body = ErrorBody),
        (status = 504, description = "`upstream_timeout`", body = ErrorBody),
    ))]
pub async fn post_chat(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: Body<ChatRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let stream = wants_stream(&req, &body);
    let chat = match body.chat_id.as_deref().map(str::trim) {
        None | Some("") => ChatTarget::New(LabelsRequest {
            project: body.project,
            sector: body.sector,
        }),
        Some(id) => ChatTarget::Existing(chat_id(id)?),
    };
    let turn = TurnRequest {
        owner: user.id,
        conversation: Conversation::Prompt {
            chat,
            prompt: body.prompt,
        },
        model: body.model,
        delivery: if stream {
            Delivery::Streamed
        } else {
            Delivery::Whole
        },
        memory: MemoryUse::On,
        options: GenerationOptions::default(),
        session_id: None,
        idempotency_key: idempotency_key(&req)?,
        timeline: timeline(&req),
    };
    let (mut answer, chat) = match state.chats.answer(turn).await? {
        TurnOutput::Stream(started) => {
            let opened =
                opening::open(started, state.sse_keepalive, state.metrics.stream_started()).await;
            let chat = opened.chat_id;
            (sse::respond(opened, state.sse_keepalive), chat)
        }
        TurnOutput::Replay(turn) if stream => {
            let chat = Some(turn.message.chat_id);
            (
                sse::replay(&ChatTurnDto::from(turn), state.sse_keepalive),
                chat,
            )
        }
        TurnOutput::Whole(turn) | TurnOutput::Replay(turn) => {
            let mut response = HttpResponse::Ok();
            opening::name_turn_fallback(&mut response, &turn);
            let chat = Some(turn.message.chat_id);
            (response.json(ChatTurnDto::from(turn)), chat)
        }
    };
    if let Some(chat) = chat
        && let Ok(value) = HeaderValue::from_str(&chat.to_string())
    {
        answer.headers_mut().insert(X_CHAT_ID, value);
    }
    Ok(answer)
}

/// Names the chat a `POST /chat` answer belongs to, so a client knows a new chat's id
/// before reading the body (a stream's `meta` event says it too).
const X_CHAT_ID: HeaderName = HeaderName::from_static("x-chat-id");

/// Which page of a chat to read.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatQuery {
    chat_id: String,
    /// Messages per page, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Read messages older than this message id (the previous page's `next_before`).
    #[param(format = Uuid)]
    before: Option<String>,
}

/// A chat with its history, oldest message first, and the tokens it consumed.
///
/// Answers with `X-Cache: MISS` when read from the history store and `X-Cache: HIT`
/// when served from the cache; a write to the chat makes the next read a MISS.
#[utoipa::path(get, path = "/chat", tag = "chat", security(("bearer" = [])), params(ChatQuery),
    responses(
        (status = 200, description = "The chat", body = ChatDto,
            headers(("X-Cache" = String, description = "HIT or MISS"))),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`", body = ErrorBody),
    ))]
pub async fn get_chat(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Params<ChatQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner()?;
    let page = PageQuery {
        limit: query.limit,
        before: query.before.clone(),
    };
    read_chat(&state, &user, &query.chat_id, &page).await
}

/// Which page of a chat named by the path to read.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Messages per page, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Read messages older than this message id (the previous page's `next_before`).
    #[param(format = Uuid)]
    before: Option<String>,
}

/// A page of a chat, rendered once and cached; `GET /chat` and `GET /chats/{chat_id}`
/// both answer with it.
pub async fn read_chat(
    state: &AppState,
    user: &AuthUser,
    chat: &str,
    page: &PageQuery,
) -> Result<HttpResponse, ApiError> {
    let before = page
        .before
        .as_deref()
        .map(|id| {
            MessageId::parse(id).map_err(|_| ValidationError::new("before", "must be a message id"))
        })
        .transpose()?;
    let request = ChatPageRequest {
        chat_id: chat_id(chat)?,
        limit: page.limit,
        before,
    };
    let (body, status) = state
        .chats
        .page(user.id, request, |page| {
            serde_json::to_vec(&ChatDto::from_page(page)).unwrap_or_default()
        })
        .await?;
    let cache = match status {
        CacheStatus::Hit => "HIT",
        CacheStatus::Miss => "MISS",
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((X_CACHE, HeaderValue::from_static(cache)))
        .body(body))
}
