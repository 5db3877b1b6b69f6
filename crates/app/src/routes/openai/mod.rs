//! The OpenAI-compatible API under `/v1`: models, chat completions and legacy
//! completions, for the clients people already have (the official SDKs, Open `WebUI`,
//! `LibreChat`, n8n's `OpenAI` node). Same turn pipeline as `POST /chat`; errors in
//! OpenAI's shape (`type`, `param`), a bad body is a 400.

mod docs;
mod parse;
mod render;

use actix_web::http::header::HeaderName;
use actix_web::{HttpRequest, HttpResponse, web};
use polychat_domain::services::chat::{
    ChatTarget, Conversation, Delivery, MemoryUse, TurnOutput, TurnRequest,
};
use serde_json::{Value, json};

use self::render::Api;
use crate::http::Body;
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::request_context::{idempotency_key, timeline};
use crate::http::{ApiError, AuthUser};
use crate::routes::chat::chat_id;
use crate::routes::opening;
use crate::state::AppState;

pub use docs::{ChatCompletionBody, ChatMessageBody, CompletionBody, ModelListDto, OpenAiModel};

const X_CHAT_ID: HeaderName = HeaderName::from_static("x-chat-id");

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/models").route(web::get().to(list_models)))
        .service(resource("/v1/models/{model:.+}").route(web::get().to(get_model)))
        .service(resource("/v1/chat/completions").route(web::post().to(chat_completions)))
        .service(resource("/v1/completions").route(web::post().to(completions)));
}

/// Every model the caller may use: the upstream catalog and the server's default.
#[utoipa::path(get, path = "/v1/models", tag = "openai", security(("bearer" = [])),
    responses(
        (status = 200, description = "The models", body = ModelListDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ))]
pub async fn list_models(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let models = state
        .chats
        .models(user.id)
        .await
        .map_err(|e| ApiError::from(e).openai())?;
    let data: Vec<OpenAiModel> = models.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(json!({"object": "list", "data": data})))
}

/// One model; its id may contain `/`, raw or percent-encoded (`openai%2Fgpt-4o-mini`).
#[utoipa::path(get, path = "/v1/models/{model}", tag = "openai", security(("bearer" = [])),
    params(("model" = String, Path, description = "A model id, e.g. `openai/gpt-4o-mini`")),
    responses(
        (status = 200, description = "The model", body = OpenAiModel),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`model_not_found`", body = ErrorBody),
    ))]
pub async fn get_model(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = percent_decoded(&path.into_inner());
    let model = state
        .chats
        .model(user.id, &id)
        .await
        .map_err(|e| ApiError::from(e).openai())?;
    Ok(HttpResponse::Ok().json(OpenAiModel::from(model)))
}

/// Creates a chat completion, whole or streamed (`stream: true`), with the caller's
/// memories. `X-Chat-Id: <id>` (or `new`) stores the exchange in that chat; `X-Memory:
/// off` leaves memory out.
#[utoipa::path(post, path = "/v1/chat/completions", tag = "openai", security(("bearer" = [])),
    request_body = ChatCompletionBody,
    params(
        ("X-Chat-Id" = Option<String>, Header, description = "A chat id, or `new`: store the exchange there"),
        ("X-Memory" = Option<String>, Header, description = "`off` leaves the user's memories out"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Makes retries safe: 1-255 printable ASCII characters"),
    ),
    responses(
        (status = 200, description = "A `chat.completion` (or `text/event-stream` of `chat.completion.chunk`, then `data: [DONE]`)"),
        (status = 400, description = "`validation_failed` (with `param`), `invalid_json`, `openrouter_key_missing`", body = ErrorBody),
        (status = 409, description = "`openrouter_key_unreadable`: the stored key must be entered again", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 402, description = "`upstream_insufficient_credits`", body = ErrorBody),
        (status = 404, description = "`model_not_found`, or `not_found` for `X-Chat-Id`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 429, description = "`rate_limited`, `too_many_streams` (the user's answers in progress are at `MAX_GENERATIONS_PER_USER`) or `upstream_rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 502, description = "`upstream_unauthorized` or `upstream_error`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`", body = ErrorBody),
        (status = 504, description = "`upstream_timeout`", body = ErrorBody),
    ))]
pub async fn chat_completions(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: Body<Value>,
) -> Result<HttpResponse, ApiError> {
    let common = parse::common(body.into_inner()?)?;
    let messages = parse::messages(&common.fields)?;
    let chat = chat_target(&req)?;
    answer(
        &state,
        &user,
        &req,
        Api::Chat,
        Conversation::Messages { chat, messages },
        common,
    )
    .await
}

/// Creates a legacy text completion (`prompt` a string), whole or streamed.
#[utoipa::path(post, path = "/v1/completions", tag = "openai", security(("bearer" = [])),
    request_body = CompletionBody,
    params(
        ("X-Chat-Id" = Option<String>, Header, description = "A chat id, or `new`: store the exchange there"),
        ("X-Memory" = Option<String>, Header, description = "`off` leaves the user's memories out"),
    ),
    responses(
        (status = 200, description = "A `text_completion` (or its `text/event-stream`, then `data: [DONE]`)"),
        (status = 400, description = "`validation_failed` (with `param`), `invalid_json`, `openrouter_key_missing`", body = ErrorBody),
        (status = 409, description = "`openrouter_key_unreadable`: the stored key must be entered again", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`model_not_found`", body = ErrorBody),
        (status = 429, description = "`rate_limited`, `too_many_streams` (the user's answers in progress are at `MAX_GENERATIONS_PER_USER`) or `upstream_rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 502, description = "`upstream_error`", body = ErrorBody),
        (status = 504, description = "`upstream_timeout`", body = ErrorBody),
    ))]
pub async fn completions(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: Body<Value>,
) -> Result<HttpResponse, ApiError> {
    let common = parse::common(body.into_inner()?)?;
    let prompt = parse::prompt(&common.fields)?;
    let chat = chat_target(&req)?;
    answer(
        &state,
        &user,
        &req,
        Api::Text,
        Conversation::Text { chat, prompt },
        common,
    )
    .await
}

/// Runs the turn and renders it in the API's shape.
async fn answer(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    api: Api,
    conversation: Conversation,
    common: parse::Common,
) -> Result<HttpResponse, ApiError> {
    let memory_off = req
        .headers()
        .get("x-memory")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("off"));
    let turn = TurnRequest {
        owner: user.id,
        conversation,
        model: common.model,
        delivery: if common.stream {
            Delivery::Streamed
        } else {
            Delivery::Whole
        },
        memory: if memory_off {
            MemoryUse::Off
        } else {
            MemoryUse::On
        },
        options: common.options,
        session_id: common.session_id,
        idempotency_key: idempotency_key(req).map_err(ApiError::openai)?,
        timeline: timeline(req),
    };
    let output = state
        .chats
        .answer(turn)
        .await
        .map_err(|error| ApiError::from(error).openai())?;
    Ok(match output {
        TurnOutput::Stream(started) => render::stream(
            api,
            opening::open(started, state.sse_keepalive, state.metrics.stream_started()).await,
            common.include_usage,
        ),
        TurnOutput::Whole(turn) | TurnOutput::Replay(turn) => render::whole(api, &turn),
    })
}

/// `X-Chat-Id`: absent stores nothing, `new` starts a chat, an id continues it.
fn chat_target(req: &HttpRequest) -> Result<Option<ChatTarget>, ApiError> {
    let Some(value) = req.headers().get(X_CHAT_ID) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value.eq_ignore_ascii_case("new") {
        return Ok(Some(ChatTarget::New(
            polychat_domain::LabelsRequest::default(),
        )));
    }
    chat_id(value).map(|id| Some(ChatTarget::Existing(id)))
}

/// `%XX` sequences decoded (the router leaves an encoded `/` as it came).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
