//! The user's chats as resources: creating an empty one, reading one, the list (newest
//! first, cursor-paginated, filtered by labels), renaming and deletion.

use actix_web::{HttpResponse, web};
use chrono::DateTime;
use polychat_domain::ports::ChatCursor;
use polychat_domain::services::chat::NewChatRequest;
use polychat_domain::{ChatId, LabelsRequest, ValidationError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::chat::{PageQuery, chat_id, read_chat};
use super::dto::{ChatDto, ChatSummaryDto};
use crate::http::error::ErrorBody;
use crate::http::extract::{present, resource};
use crate::http::{ApiError, AuthUser};
use crate::http::{Body, Params};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/chats")
            .route(web::get().to(list_chats))
            .route(web::post().to(create_chat)),
    )
    .service(
        resource("/chats/{chat_id}")
            .route(web::get().to(get_chat))
            .route(web::patch().to(update_chat))
            .route(web::delete().to(delete_chat)),
    );
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Chats per page, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The previous page's `next_cursor`: `<updated_at in Unix milliseconds>.<chat id>`,
    /// a position in the list, so any value of this shape is a valid one.
    #[param(
        pattern = r"^[0-9]{1,15}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        example = "1772323200000.01a23ebc-dffa-763b-b08a-5b32f5bf9a8c"
    )]
    cursor: Option<String>,
    /// Only chats of this project.
    #[param(pattern = r"^[a-z0-9._-]{1,64}$")]
    project: Option<String>,
    /// Only chats of this sector (one of the server's `SECTORS`).
    sector: Option<String>,
}

/// An empty chat to create.
#[derive(Deserialize, ToSchema)]
pub struct CreateRequest {
    /// 1-120 characters (trimmed); default `New chat`.
    #[schema(
        example = "Projeto em Rust",
        min_length = 1,
        max_length = 120,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    title: Option<String>,
    /// Defaults to the profile's `default_model`, then the server's.
    #[schema(
        example = "openai/gpt-4o-mini",
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9/_.:@+-]{1,128}[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    model: Option<String>,
    /// 1-64 of `[a-z0-9._-]`.
    #[schema(example = "site-2026", pattern = r"^[a-z0-9._-]{1,64}$")]
    project: Option<String>,
    /// One of the server's `SECTORS`.
    #[schema(example = "vendas")]
    sector: Option<String>,
}

/// A page of chats.
#[derive(Serialize, ToSchema)]
pub struct ChatList {
    items: Vec<ChatSummaryDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// A chat's new title or sector; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a sector are three different requests"
)]
pub struct ChatUpdate {
    /// 1-120 characters (trimmed).
    #[schema(
        example = "Projeto em Rust",
        min_length = 1,
        max_length = 120,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    title: Option<String>,
    /// One of the server's `SECTORS`; `null` takes the chat out of any.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "suporte")]
    sector: Option<Option<String>>,
}

/// A keyset position, readable on purpose: the chats after it are the next page, so a
/// client cannot forge anything with it that its own token does not already allow.
fn encode_cursor(cursor: ChatCursor) -> String {
    format!("{}.{}", cursor.updated_at.timestamp_millis(), cursor.id)
}

/// The inverse of [`encode_cursor`], exactly what the documented pattern allows: up to
/// 15 digits of milliseconds (well inside the dates `chrono` represents) and a
/// hyphenated UUID.
fn decode_cursor(text: &str) -> Result<ChatCursor, ValidationError> {
    let invalid = || {
        ValidationError::new(
            "cursor",
            "must be <milliseconds>.<chat id>, as next_cursor gives it",
        )
    };
    let (millis, id) = text.split_once('.').ok_or_else(invalid)?;
    let digits =
        !millis.is_empty() && millis.len() <= 15 && millis.bytes().all(|b| b.is_ascii_digit());
    let hyphenated = id.len() == 36 && id.bytes().filter(|b| *b == b'-').count() == 4;
    if !digits || !hyphenated {
        return Err(invalid());
    }
    let millis: i64 = millis.parse().map_err(|_| invalid())?;
    Ok(ChatCursor {
        updated_at: DateTime::from_timestamp_millis(millis).ok_or_else(invalid)?,
        id: ChatId::parse(id).map_err(|_| invalid())?,
    })
}

/// The caller's chats, most recently updated first.
#[utoipa::path(get, path = "/chats", tag = "chat", security(("bearer" = [])), params(ListQuery),
    responses(
        (status = 200, description = "A page of chats", body = ChatList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn list_chats(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Params<ListQuery>,
) -> Result<web::Json<ChatList>, ApiError> {
    let query = query.into_inner()?;
    let cursor = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = LabelsRequest {
        project: query.project.clone(),
        sector: query.sector.clone(),
    };
    let (chats, next) = state
        .chats
        .list(user.id, query.limit, cursor, &filter)
        .await?;
    Ok(web::Json(ChatList {
        items: chats.into_iter().map(Into::into).collect(),
        next_cursor: next.map(encode_cursor),
    }))
}

/// Creates an empty chat, to be continued with `POST /chat`.
#[utoipa::path(post, path = "/chats", tag = "chat", security(("bearer" = [])),
    request_body = CreateRequest,
    responses(
        (status = 201, description = "The new chat", body = ChatSummaryDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming `title`, `model`, `project` or `sector`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`", body = ErrorBody),
    ))]
pub async fn create_chat(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Body<CreateRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let request = NewChatRequest {
        title: body.title,
        model: body.model,
        labels: LabelsRequest {
            project: body.project,
            sector: body.sector,
        },
    };
    let chat = state.chats.create(user.id, request).await?;
    Ok(HttpResponse::Created().json(ChatSummaryDto::from(chat)))
}

/// A chat with a page of its history, exactly as `GET /chat?chat_id=` answers.
#[utoipa::path(get, path = "/chats/{chat_id}", tag = "chat", security(("bearer" = [])),
    params(("chat_id" = String, Path), PageQuery),
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
    path: web::Path<String>,
    query: Params<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner()?;
    read_chat(&state, &user, &path, &query).await
}

/// Renames a chat or moves it to another sector; an empty body changes nothing.
#[utoipa::path(patch, path = "/chats/{chat_id}", tag = "chat", security(("bearer" = [])),
    params(("chat_id" = String, Path)), request_body = ChatUpdate,
    responses(
        (status = 200, description = "The chat as changed", body = ChatSummaryDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming `title` or `sector`", body = ErrorBody),
    ))]
pub async fn update_chat(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Body<ChatUpdate>,
) -> Result<web::Json<ChatSummaryDto>, ApiError> {
    let body = body.into_inner()?;
    let id = chat_id(&path)?;
    let sector = body.sector.as_ref().map(Option::as_deref);
    let chat = state
        .chats
        .update(user.id, id, body.title.as_deref(), sector)
        .await?;
    Ok(web::Json(chat.into()))
}

/// Deletes a chat with its history, cached pages and search entries. Preferences
/// learned from it stay (they are about the user; manage them under /user/preferences).
#[utoipa::path(delete, path = "/chats/{chat_id}", tag = "chat", security(("bearer" = [])),
    params(("chat_id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn delete_chat(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.chats.delete(user.id, chat_id(&path)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
