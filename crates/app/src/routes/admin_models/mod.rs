//! The custom-model registry (`/admin/models`), for admins only: models answered by
//! webhooks, each change a new version. Header values and the signing secret never
//! appear in an answer, except the signing secret once, when the model is created.

mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use polychat_domain::CustomModelId;
use polychat_domain::ports::WebhookKind;
use polychat_domain::services::custom_models::ModelDraft;

pub use self::dto::{
    CreatedModelDto, DeleteQuery, ExportDto, ImportReportDto, ImportedModel, ListQuery, ModelBody,
    ModelDto, ModelList, SettingsDto, TestBody, TestDto, VersionDto, VersionList,
};
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::hardening::never_stored;
use crate::http::{AdminUser, ApiError};
use crate::http::{Body, OptionalBody, Params};
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
    body: Body<ModelBody>,
) -> Result<HttpResponse, actix_web::Error> {
    let draft = ModelDraft::from(body.into_inner()?);
    let created = state
        .models
        .create(admin.id, draft)
        .await
        .map_err(ApiError::from)?;
    Ok(never_stored(&mut HttpResponse::build(StatusCode::CREATED))
        .json(CreatedModelDto::from(created)))
}

/// The registered models (active ones unless `include_inactive=true`).
#[utoipa::path(get, path = "/admin/models", tag = "admin", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "The models", body = ModelList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `include_inactive` is not true or false", body = ErrorBody),
    ))]
pub async fn list_models(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Params<ListQuery>,
) -> Result<web::Json<ModelList>, ApiError> {
    let query = query.into_inner()?;
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
    body: Body<ModelBody>,
) -> Result<web::Json<ModelDto>, actix_web::Error> {
    let id = model_id(&path)?;
    let draft = ModelDraft::from(body.into_inner()?);
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
        (status = 422, description = "`validation_failed`: `purge` is not true or false", body = ErrorBody),
    ))]
pub async fn delete_model(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
    query: Params<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner()?;
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
    let id = model_id(&path)?;
    let current = state.models.get(id).await?;
    let versions = state.models.versions(id).await?;
    Ok(web::Json(VersionList {
        items: versions
            .into_iter()
            .map(|version| VersionDto::new(&current, &version))
            .collect(),
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
    request_body(content = Option<TestBody>, description = "Optional: without a body, the chat webhook is called"),
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
    body: OptionalBody<TestBody>,
) -> Result<web::Json<TestDto>, ApiError> {
    let body = body.into_inner()?;
    let id = model_id(&path)?;
    let kind = match body.and_then(|b| b.webhook_type).as_deref() {
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
    body: Body<ExportDto>,
) -> Result<web::Json<ImportReportDto>, actix_web::Error> {
    let body = body.into_inner()?;
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
