//! `POST /chat` (answer a prompt, whole or streamed) and `GET /chat` (a chat's history).

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use polychat_domain::services::chat::{
    CacheStatus, ChatPageRequest, IdempotencyOutcome, TurnRequest,
};
use polychat_domain::{ChatId, MessageId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::dto::{ChatDto, ChatTurnDto};
use super::sse;
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::request_context::timeline;
use crate::http::{ApiError, AuthUser};
use crate::state::AppState;

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const IDEMPOTENCY_KEY: &str = "idempotency-key";

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
    chat_id: Option<String>,
    #[schema(example = "Sou desenvolvedor de software. Como estruturo um projeto em Rust?")]
    prompt: String,
    /// Any OpenRouter model; defaults to the profile's `default_model`, then the server's.
    #[schema(example = "openai/gpt-4o-mini")]
    model: Option<String>,
    /// Answer as `text/event-stream` (also chosen by `Accept: text/event-stream`).
    #[serde(default)]
    stream: bool,
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
/// `error` `{code, message}`.
#[utoipa::path(post, path = "/chat", tag = "chat", security(("bearer" = [])),
    request_body = ChatRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 200, description = "The chat turn (or a `text/event-stream`)", body = ChatTurnDto),
        (status = 400, description = "`openrouter_key_missing`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 402, description = "`upstream_insufficient_credits`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such chat for this user", body = ErrorBody),
        (status = 409, description = "`idempotency_in_progress`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 422, description = "`validation_failed` or `idempotency_key_reused`", body = ErrorBody),
        (status = 429, description = "`rate_limited` or `upstream_rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 502, description = "`upstream_unauthorized` or `upstream_error`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`: the chat store is down", body = ErrorBody),
        (status = 504, description = "`upstream_timeout`", body = ErrorBody),
    ))]
pub async fn post_chat(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<ChatRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let stream = wants_stream(&req, &body);
    let timeline = timeline(&req);
    let chat_id = match body.chat_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(chat_id(id)?),
    };
    let idempotency = match req.headers().get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => {
            let key = value
                .to_str()
                .map_err(|_| ApiError::validation("Idempotency-Key: must be printable ASCII"))?
                .to_owned();
            let fingerprint = fingerprint(&body);
            let begin = state.chats.idempotency_begin(user.id, &key, &fingerprint);
            match timeline.time("idempotency", begin).await? {
                IdempotencyOutcome::Replay(stored) => return Ok(replay(&stored, stream)),
                IdempotencyOutcome::Proceed => Some((key, fingerprint)),
            }
        }
    };
    let turn = TurnRequest {
        owner: user.id,
        chat_id,
        prompt: body.prompt,
        model: body.model,
        timeline,
    };
    if stream {
        return match state.chats.stream(turn).await {
            Ok(started) => Ok(sse::respond(state.clone(), user.id, started, idempotency)),
            Err(error) => {
                release(&state, &user, idempotency.as_ref()).await;
                Err(error.into())
            }
        };
    }
    // The answer runs as a task of its own: a client that gives up drops this handler,
    // not the model call, so the answer is still stored and the idempotency key is
    // completed (or released) for the retry.
    let task = tokio::spawn(async move {
        match state.chats.send(turn).await {
            Ok(turn) => {
                let body =
                    serde_json::to_vec(&ChatTurnDto::from(turn)).map_err(ApiError::internal)?;
                if let Some((key, fingerprint)) = &idempotency {
                    state
                        .chats
                        .idempotency_complete(user.id, key, fingerprint, &body)
                        .await;
                }
                Ok(body)
            }
            Err(error) => {
                release(&state, &user, idempotency.as_ref()).await;
                Err(ApiError::from(error))
            }
        }
    });
    let body = task.await.map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

async fn release(state: &AppState, user: &AuthUser, idempotency: Option<&(String, String)>) {
    if let Some((key, _)) = idempotency {
        state.chats.idempotency_release(user.id, key).await;
    }
}

/// A stable digest of what the request asks for, to tell a retry from a new request.
fn fingerprint(body: &ChatRequest) -> String {
    let canonical = serde_json::to_vec(body).unwrap_or_default();
    format!("{:x}", Sha256::digest(&canonical))
}

fn replay(stored: &[u8], stream: bool) -> HttpResponse {
    match serde_json::from_slice::<ChatTurnDto>(stored) {
        Ok(turn) if stream => sse::replay(&turn),
        _ => HttpResponse::Ok()
            .content_type("application/json")
            .body(stored.to_vec()),
    }
}

/// Which page of a chat to read.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatQuery {
    chat_id: String,
    /// Messages per page, 1-200 (default 50).
    limit: Option<u32>,
    /// Read messages older than this message id (the previous page's `next_before`).
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
    query: web::Query<ChatQuery>,
) -> Result<HttpResponse, ApiError> {
    let before = query
        .before
        .as_deref()
        .map(|id| {
            MessageId::parse(id).map_err(|_| ApiError::validation("before: must be a message id"))
        })
        .transpose()?;
    let request = ChatPageRequest {
        chat_id: chat_id(&query.chat_id)?,
        limit: query.limit,
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
