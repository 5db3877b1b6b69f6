//! What the service remembers about the user (`/user/preferences`) and semantic search
//! over the user's past messages (`/messages/search`).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use polychat_domain::services::search::SearchRequest;
use polychat_domain::{LabelsRequest, PreferenceId, PreferenceKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use super::chat::chat_id;
use super::dto::PreferenceDto;
use crate::http::Body;
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::{ApiError, AuthUser};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/user/preferences")
            .route(web::get().to(list_preferences))
            .route(web::post().to(add_preference)),
    )
    .service(
        resource("/user/preferences/{id}")
            .route(web::put().to(edit_preference))
            .route(web::delete().to(delete_preference)),
    )
    .service(resource("/messages/search").route(web::post().to(search_messages)));
}

#[derive(Serialize, ToSchema)]
pub struct PreferenceList {
    items: Vec<PreferenceDto>,
}

/// A statement to remember.
#[derive(Deserialize, ToSchema)]
pub struct PreferenceRequest {
    /// 1-500 characters (trimmed).
    #[schema(
        example = "Fale comigo de maneira formal",
        min_length = 1,
        max_length = 500,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    text: String,
    /// Derived from the text when absent.
    #[schema(schema_with = kind_schema)]
    kind: Option<String>,
}

/// The kinds the service knows, for the document (the handler reads the text, so that
/// a wrong one is a 422 naming `kind`).
fn kind_schema() -> Object {
    let kinds = PreferenceKind::ALL.map(PreferenceKind::as_str);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(kinds.into_iter().map(Some).chain([None])))
        .description(Some("Derived from the text when absent."))
        .examples([serde_json::json!("style")])
        .build()
}

fn preference_id(text: &str) -> Result<PreferenceId, ApiError> {
    PreferenceId::parse(text).map_err(|_| ApiError::not_found("preference"))
}

/// Everything currently remembered about the caller.
#[utoipa::path(get, path = "/user/preferences", tag = "memory", security(("bearer" = [])),
    responses(
        (status = 200, description = "Active preferences, newest first", body = PreferenceList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ))]
pub async fn list_preferences(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<PreferenceList>, ApiError> {
    let items = state.memory.list(user.id).await?;
    Ok(web::Json(PreferenceList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Remembers a statement. One very close to an existing statement of the same kind
/// replaces it.
#[utoipa::path(post, path = "/user/preferences", tag = "memory", security(("bearer" = [])),
    request_body = PreferenceRequest,
    responses(
        (status = 201, description = "Remembered", body = PreferenceDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`: embeddings or vector store down", body = ErrorBody),
    ))]
pub async fn add_preference(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Body<PreferenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let preference = state
        .memory
        .add(user.id, &body.text, body.kind.as_deref())
        .await?;
    Ok(HttpResponse::Created().json(PreferenceDto::from(preference)))
}

/// Rewrites a remembered statement.
#[utoipa::path(put, path = "/user/preferences/{id}", tag = "memory", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PreferenceRequest,
    responses(
        (status = 200, description = "Updated", body = PreferenceDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn edit_preference(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Body<PreferenceRequest>,
) -> Result<web::Json<PreferenceDto>, ApiError> {
    let body = body.into_inner()?;
    let preference = state
        .memory
        .edit(
            user.id,
            preference_id(&path)?,
            &body.text,
            body.kind.as_deref(),
        )
        .await?;
    Ok(web::Json(preference.into()))
}

/// Forgets a statement; it is never used again.
#[utoipa::path(delete, path = "/user/preferences/{id}", tag = "memory", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Forgotten"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn delete_preference(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.memory.delete(user.id, preference_id(&path)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A search over the caller's messages by meaning.
#[derive(Deserialize, ToSchema)]
pub struct SearchBody {
    /// 1-2000 characters.
    #[schema(
        example = "estrutura de projetos em Rust",
        min_length = 1,
        max_length = 2000,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    query: String,
    /// Only this chat.
    chat_id: Option<String>,
    /// Only chats of this project.
    #[schema(example = "site-2026", pattern = r"^[a-z0-9._-]{1,64}$")]
    project: Option<String>,
    /// Only chats of this sector (one of `SECTORS`).
    #[schema(example = "vendas")]
    sector: Option<String>,
    /// 1-100, default 10.
    #[schema(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::http::whole::option_u32")]
    limit: Option<u32>,
    /// Minimum cosine similarity, -1 to 1 (default `SEARCH_MIN_SIMILARITY`, 0.8).
    #[schema(minimum = -1, maximum = 1)]
    similarity_threshold: Option<f32>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    chat_id: String,
    message_id: String,
    role: String,
    content: String,
    score: f32,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    items: Vec<SearchHit>,
}

/// Finds the caller's past messages closest in meaning to `query`, best first.
#[utoipa::path(post, path = "/messages/search", tag = "memory", security(("bearer" = [])),
    request_body = SearchBody,
    responses(
        (status = 200, description = "Matches", body = SearchResults),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such chat", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
        (status = 503, description = "`service_unavailable`: embeddings or vector store down", body = ErrorBody),
    ))]
pub async fn search_messages(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Body<SearchBody>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let body = body.into_inner()?;
    let chat = body.chat_id.as_deref().map(chat_id).transpose()?;
    let hits = state
        .search
        .search(
            user.id,
            SearchRequest {
                query: body.query,
                chat_id: chat,
                labels: LabelsRequest {
                    project: body.project,
                    sector: body.sector,
                },
                limit: body.limit,
                similarity_threshold: body.similarity_threshold,
            },
        )
        .await?;
    Ok(web::Json(SearchResults {
        items: hits
            .into_iter()
            .map(|hit| SearchHit {
                chat_id: hit.chat_id.to_string(),
                message_id: hit.message_id.to_string(),
                role: hit.role.as_str().to_owned(),
                content: hit.content,
                score: hit.score,
                created_at: hit.created_at,
            })
            .collect(),
    }))
}
