//! The custom-model registry (`/admin/models`), for admins only: models answered by
//! webhooks, each change a new version. Header values and the signing secret never
//! appear in an answer, except the signing secret once, when the model is created.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use polychat_domain::CustomModelId;
use polychat_domain::custom_model::{CustomModel, ModelSettings, ModelVersion};
use polychat_domain::ports::WebhookKind;
use polychat_domain::services::custom_models::{CreatedModel, ModelDraft, TestReport};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ErrorBody;
use crate::http::extract::{present, resource};
use crate::http::{AdminUser, ApiError};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/admin/models")
            .route(web::get().to(list_models))
            .route(web::post().to(create_model)),
    )
    .service(resource("/admin/models/export").route(web::get().to(export_models)))
    .service(resource("/admin/models/import").route(web::post().to(import_models)))
    .service(
        resource("/admin/models/{id}")
            .route(web::get().to(get_model))
            .route(web::put().to(update_model))
            .route(web::delete().to(delete_model)),
    )
    .service(resource("/admin/models/{id}/versions").route(web::get().to(list_versions)))
    .service(
        resource("/admin/models/{id}/versions/{version}/restore")
            .route(web::post().to(restore_version)),
    )
    .service(resource("/admin/models/{id}/test").route(web::post().to(test_model)));
}

/// A model's fields as `POST` and `PUT` take them; a `PUT` changes only the fields it
/// names (`null` clears `description` or `fallback_model`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a value are three different requests"
)]
pub struct ModelBody {
    /// 2-64 of `a-z 0-9 . _ -`; what clients send as `model`.
    #[schema(example = "support-bot")]
    slug: Option<String>,
    #[schema(example = "Support bot")]
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    #[schema(example = "https://n8n.example.com/webhook/support-chat")]
    chat_webhook_url: Option<String>,
    #[schema(example = "https://n8n.example.com/webhook/support-completion")]
    completions_webhook_url: Option<String>,
    is_active: Option<bool>,
    /// Another slug or an OpenRouter id, answering when the webhook fails.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "openai/gpt-4o-mini")]
    fallback_model: Option<Option<String>>,
    /// 1-300, default 60.
    timeout_seconds: Option<u32>,
    /// Empty: everyone; otherwise only these users (and admins).
    allowed_usernames: Option<Vec<String>>,
    /// Sent with every call; values are stored encrypted and never shown again.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    webhook_headers: Option<BTreeMap<String, String>>,
}

impl From<ModelBody> for ModelDraft {
    fn from(body: ModelBody) -> Self {
        Self {
            slug: body.slug,
            name: body.name,
            description: body.description,
            chat_webhook_url: body.chat_webhook_url,
            completions_webhook_url: body.completions_webhook_url,
            is_active: body.is_active,
            fallback_model: body.fallback_model,
            timeout_seconds: body.timeout_seconds,
            allowed_usernames: body.allowed_usernames,
            webhook_headers: body.webhook_headers.map(|headers| {
                headers
                    .into_iter()
                    .map(|(name, value)| (name, SecretString::from(value)))
                    .collect()
            }),
        }
    }
}

/// A custom model as the registry shows it (no header values, no signing secret).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ModelDto {
    id: String,
    #[schema(example = "support-bot")]
    slug: String,
    name: String,
    description: Option<String>,
    chat_webhook_url: String,
    completions_webhook_url: String,
    is_active: bool,
    fallback_model: Option<String>,
    timeout_seconds: u32,
    allowed_usernames: Vec<String>,
    webhook_header_names: Vec<String>,
    version: u32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The settings part of a model, as a version records them.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SettingsDto {
    slug: String,
    name: String,
    description: Option<String>,
    chat_webhook_url: String,
    completions_webhook_url: String,
    is_active: bool,
    fallback_model: Option<String>,
    timeout_seconds: u32,
    allowed_usernames: Vec<String>,
    webhook_header_names: Vec<String>,
}

impl From<&ModelSettings> for SettingsDto {
    fn from(settings: &ModelSettings) -> Self {
        Self {
            slug: settings.slug.to_string(),
            name: settings.name.clone(),
            description: settings.description.clone(),
            chat_webhook_url: settings.chat_webhook_url.clone(),
            completions_webhook_url: settings.completions_webhook_url.clone(),
            is_active: settings.is_active,
            fallback_model: settings.fallback_model.as_ref().map(ToString::to_string),
            timeout_seconds: settings.timeout_seconds,
            allowed_usernames: settings
                .allowed_usernames
                .iter()
                .map(ToString::to_string)
                .collect(),
            webhook_header_names: settings
                .webhook_headers
                .iter()
                .map(|h| h.name.clone())
                .collect(),
        }
    }
}

impl From<CustomModel> for ModelDto {
    fn from(model: CustomModel) -> Self {
        let s = SettingsDto::from(&model.settings);
        Self {
            id: model.id.to_string(),
            slug: s.slug,
            name: s.name,
            description: s.description,
            chat_webhook_url: s.chat_webhook_url,
            completions_webhook_url: s.completions_webhook_url,
            is_active: s.is_active,
            fallback_model: s.fallback_model,
            timeout_seconds: s.timeout_seconds,
            allowed_usernames: s.allowed_usernames,
            webhook_header_names: s.webhook_header_names,
            version: model.version,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A new model with its signing secret (shown only in this response).
#[derive(Serialize, ToSchema)]
pub struct CreatedModelDto {
    #[serde(flatten)]
    model: ModelDto,
    /// Verifies `X-Polychat-Signature`; shown this once.
    signing_secret: String,
}

impl From<CreatedModel> for CreatedModelDto {
    fn from(created: CreatedModel) -> Self {
        Self {
            model: created.model.into(),
            signing_secret: created.signing_secret.expose_secret().to_owned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ModelList {
    items: Vec<ModelDto>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    version: u32,
    changed_at: DateTime<Utc>,
    changed_by: Option<String>,
    model: SettingsDto,
}

impl From<ModelVersion> for VersionDto {
    fn from(version: ModelVersion) -> Self {
        Self {
            version: version.version,
            changed_at: version.changed_at,
            changed_by: version.changed_by.map(|id| id.to_string()),
            model: SettingsDto::from(&version.settings),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionList {
    items: Vec<VersionDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Also list deactivated models.
    include_inactive: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// Remove the model and its versions for good.
    purge: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    /// `chat` (default) or `completion`.
    #[schema(example = "chat")]
    webhook_type: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TestDto {
    ok: bool,
    /// What a client would have got: 200, 502 or 504.
    status: u16,
    latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl From<TestReport> for TestDto {
    fn from(report: TestReport) -> Self {
        Self {
            ok: report.ok,
            status: report.status,
            latency_ms: u64::try_from(report.latency.as_millis()).unwrap_or(u64::MAX),
            content: report.content,
            error: report.error,
        }
    }
}

/// The registry as a backup: no signing secrets, no header values.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ExportDto {
    /// Always 1.
    format: u32,
    models: Vec<ImportedModel>,
}

/// A model in an export or import; header names are listed, values are never there.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ImportedModel {
    slug: String,
    name: String,
    description: Option<String>,
    chat_webhook_url: String,
    completions_webhook_url: String,
    is_active: Option<bool>,
    fallback_model: Option<String>,
    timeout_seconds: Option<u32>,
    #[serde(default)]
    allowed_usernames: Vec<String>,
    /// Informational: imported models keep (or, new, lack) header values.
    #[serde(default)]
    webhook_header_names: Vec<String>,
}

impl From<CustomModel> for ImportedModel {
    fn from(model: CustomModel) -> Self {
        let s = SettingsDto::from(&model.settings);
        Self {
            slug: s.slug,
            name: s.name,
            description: s.description,
            chat_webhook_url: s.chat_webhook_url,
            completions_webhook_url: s.completions_webhook_url,
            is_active: Some(s.is_active),
            fallback_model: s.fallback_model,
            timeout_seconds: Some(s.timeout_seconds),
            allowed_usernames: s.allowed_usernames,
            webhook_header_names: s.webhook_header_names,
        }
    }
}

impl From<ImportedModel> for ModelDraft {
    fn from(model: ImportedModel) -> Self {
        Self {
            slug: Some(model.slug),
            name: Some(model.name),
            description: Some(model.description),
            chat_webhook_url: Some(model.chat_webhook_url),
            completions_webhook_url: Some(model.completions_webhook_url),
            is_active: model.is_active,
            fallback_model: Some(model.fallback_model),
            timeout_seconds: model.timeout_seconds,
            allowed_usernames: Some(model.allowed_usernames),
            webhook_headers: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    created: usize,
    updated: usize,
}

fn model_id(text: &str) -> Result<CustomModelId, ApiError> {
    CustomModelId::parse(text).map_err(|_| ApiError::not_found("model"))
}

/// Registers a custom model.
#[utoipa::path(post, path = "/admin/models", tag = "admin", security(("bearer" = [])),
    request_body = ModelBody,
    responses(
        (status = 201, description = "The model, with its signing secret (shown this once)", body = CreatedModelDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 409, description = "`slug_taken`", body = ErrorBody),
        (status = 422, description = "`validation_failed` or `webhook_url_forbidden`, naming the field", body = ErrorBody),
    ))]
pub async fn create_model(
    state: web::Data<AppState>,
    admin: AdminUser,
    body: Result<web::Json<ModelBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let draft = ModelDraft::from(body?.into_inner());
    let created = state
        .models
        .create(admin.id, draft)
        .await
        .map_err(ApiError::from)?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(CreatedModelDto::from(created)))
}

/// The registered models (active ones unless `include_inactive=true`).
#[utoipa::path(get, path = "/admin/models", tag = "admin", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "The models", body = ModelList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
    ))]
pub async fn list_models(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<ListQuery>,
) -> Result<web::Json<ModelList>, ApiError> {
    let models = state
        .models
        .list(query.include_inactive.unwrap_or(false))
        .await?;
    Ok(web::Json(ModelList {
        items: models.into_iter().map(Into::into).collect(),
    }))
}

/// One model.
#[utoipa::path(get, path = "/admin/models/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The model's id")),
    responses(
        (status = 200, description = "The model", body = ModelDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn get_model(
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<String>,
) -> Result<web::Json<ModelDto>, ApiError> {
    let model = state.models.get(model_id(&path)?).await?;
    Ok(web::Json(model.into()))
}

/// Changes a model: a new version, the previous one kept.
#[utoipa::path(put, path = "/admin/models/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The model's id")),
    request_body = ModelBody,
    responses(
        (status = 200, description = "The model as changed", body = ModelDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`slug_taken`", body = ErrorBody),
        (status = 422, description = "`validation_failed` or `webhook_url_forbidden`", body = ErrorBody),
    ))]
pub async fn update_model(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
    body: Result<web::Json<ModelBody>, actix_web::Error>,
) -> Result<web::Json<ModelDto>, actix_web::Error> {
    let id = model_id(&path)?;
    let draft = ModelDraft::from(body?.into_inner());
    let model = state
        .models
        .update(admin.id, id, draft)
        .await
        .map_err(ApiError::from)?;
    Ok(web::Json(model.into()))
}

/// Deactivates a model (its versions kept), or removes it for good with `purge=true`.
#[utoipa::path(delete, path = "/admin/models/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The model's id"), DeleteQuery),
    responses(
        (status = 204, description = "Deactivated or purged"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn delete_model(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = model_id(&path)?;
    state
        .models
        .delete(admin.id, id, query.purge.unwrap_or(false))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A model's versions, newest first.
#[utoipa::path(get, path = "/admin/models/{id}/versions", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The model's id")),
    responses(
        (status = 200, description = "The versions", body = VersionList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn list_versions(
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<String>,
) -> Result<web::Json<VersionList>, ApiError> {
    let versions = state.models.versions(model_id(&path)?).await?;
    Ok(web::Json(VersionList {
        items: versions.into_iter().map(Into::into).collect(),
    }))
}

/// Makes a new version with the settings of an old one.
#[utoipa::path(post, path = "/admin/models/{id}/versions/{version}/restore", tag = "admin",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The model's id"),
        ("version" = u32, Path, description = "The version to restore"),
    ),
    responses(
        (status = 200, description = "The model, as a new version", body = ModelDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such model or version", body = ErrorBody),
        (status = 409, description = "`slug_taken`: another model took that version's slug", body = ErrorBody),
    ))]
pub async fn restore_version(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<(String, String)>,
) -> Result<web::Json<ModelDto>, ApiError> {
    let (id, version) = path.into_inner();
    let id = model_id(&id)?;
    let version = version
        .parse()
        .map_err(|_| ApiError::not_found("model version"))?;
    let model = state.models.restore(admin.id, id, version).await?;
    Ok(web::Json(model.into()))
}

/// Calls the model's webhook with a test message and reports what happened.
#[utoipa::path(post, path = "/admin/models/{id}/test", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The model's id")),
    request_body = TestBody,
    responses(
        (status = 200, description = "What the call found", body = TestDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `webhook_type` is neither chat nor completion", body = ErrorBody),
    ))]
pub async fn test_model(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
    body: Option<web::Json<TestBody>>,
) -> Result<web::Json<TestDto>, ApiError> {
    let id = model_id(&path)?;
    let kind = match body.and_then(|b| b.into_inner().webhook_type).as_deref() {
        None | Some("chat") => WebhookKind::Chat,
        Some("completion") => WebhookKind::Completion,
        Some(_) => {
            return Err(
                ApiError::validation("webhook_type: must be chat or completion")
                    .param("webhook_type"),
            );
        }
    };
    let report = state.models.test(admin.id, id, kind).await?;
    Ok(web::Json(report.into()))
}

/// Every model (inactive ones too), without secrets or header values.
#[utoipa::path(get, path = "/admin/models/export", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The registry", body = ExportDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
    ))]
pub async fn export_models(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<web::Json<ExportDto>, ApiError> {
    let models = state.models.list(true).await?;
    Ok(web::Json(ExportDto {
        format: 1,
        models: models.into_iter().map(Into::into).collect(),
    }))
}

/// Creates or updates models by slug from an export.
#[utoipa::path(post, path = "/admin/models/import", tag = "admin", security(("bearer" = [])),
    request_body = ExportDto,
    responses(
        (status = 200, description = "How many were created and updated", body = ImportReportDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown format, or a model naming its field", body = ErrorBody),
    ))]
pub async fn import_models(
    state: web::Data<AppState>,
    admin: AdminUser,
    body: Result<web::Json<ExportDto>, actix_web::Error>,
) -> Result<web::Json<ImportReportDto>, actix_web::Error> {
    let body = body?.into_inner();
    if body.format != 1 {
        return Err(ApiError::validation("format: must be 1")
            .param("format")
            .into());
    }
    let drafts = body.models.into_iter().map(ModelDraft::from).collect();
    let report = state
        .models
        .import(admin.id, drafts)
        .await
        .map_err(ApiError::from)?;
    Ok(web::Json(ImportReportDto {
        created: report.created,
        updated: report.updated,
    }))
}
