//! Usage reports: the caller's own (`GET /user/usage`) and everyone's, for admins
//! (`GET /admin/usage`): requests and tokens per model, day or user.

use actix_web::web;
use polychat_domain::usage::{UsageGroup, UsageReport, UsageTotals};
use polychat_domain::{UserId, ValidationError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::Params;
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::{AdminUser, ApiError, AuthUser};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/user/usage").route(web::get().to(user_usage)))
        .service(resource("/admin/usage").route(web::get().to(admin_usage)));
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageParams {
    /// First day, `YYYY-MM-DD` (UTC).
    #[param(example = "2026-03-01", required = true, format = Date)]
    from: Option<String>,
    /// Last day, included: not before `from`, and within the longest report
    /// (`USAGE_MAX_DAYS`) of it.
    #[param(example = "2026-03-31", required = true, format = Date)]
    to: Option<String>,
    /// `model` (default) or `day`.
    #[param(example = "model", pattern = "^(model|day)$")]
    group_by: Option<String>,
}

/// [`UsageParams`] for everyone's usage, which can also be grouped by user.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminUsageParams {
    /// First day, `YYYY-MM-DD` (UTC).
    #[param(example = "2026-03-01", required = true, format = Date)]
    from: Option<String>,
    /// Last day, included: not before `from`, and within the longest report
    /// (`USAGE_MAX_DAYS`) of it.
    #[param(example = "2026-03-31", required = true, format = Date)]
    to: Option<String>,
    /// `model` (default), `day` or `user`.
    #[param(example = "user", pattern = "^(model|day|user)$")]
    group_by: Option<String>,
}

impl From<AdminUsageParams> for UsageParams {
    fn from(params: AdminUsageParams) -> Self {
        Self {
            from: params.from,
            to: params.to,
            group_by: params.group_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UsageTotalsDto {
    requests: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
    total_tokens: u64,
}

impl From<UsageTotals> for UsageTotalsDto {
    fn from(totals: UsageTotals) -> Self {
        Self {
            requests: totals.requests,
            prompt_tokens: totals.prompt_tokens,
            completion_tokens: totals.completion_tokens,
            total_tokens: totals.total_tokens,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UsageItemDto {
    /// The model id, the day or the user id.
    key: String,
    #[serde(flatten)]
    totals: UsageTotalsDto,
}

#[derive(Serialize, ToSchema)]
pub struct UsageReportDto {
    items: Vec<UsageItemDto>,
    total: UsageTotalsDto,
}

impl From<UsageReport> for UsageReportDto {
    fn from(report: UsageReport) -> Self {
        Self {
            items: report
                .items
                .into_iter()
                .map(|(key, totals)| UsageItemDto {
                    key,
                    totals: totals.into(),
                })
                .collect(),
            total: report.total.into(),
        }
    }
}

async fn report(
    state: &AppState,
    user: Option<UserId>,
    params: UsageParams,
) -> Result<web::Json<UsageReportDto>, ApiError> {
    let required = |field: &'static str| ApiError::from(ValidationError::new(field, "is required"));
    let from = params.from.ok_or_else(|| required("from"))?;
    let to = params.to.ok_or_else(|| required("to"))?;
    let group_by = UsageGroup::parse(
        params.group_by.as_deref().unwrap_or("model"),
        user.is_none(),
    )?;
    let report = state.usage.report(user, &from, &to, group_by).await?;
    Ok(web::Json(report.into()))
}

/// The caller's model calls between two days: requests and tokens per model or day.
#[utoipa::path(get, path = "/user/usage", tag = "usage", security(("bearer" = [])),
    params(UsageParams),
    responses(
        (status = 200, description = "The report", body = UsageReportDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming `from`, `to` or `group_by`", body = ErrorBody),
    ))]
pub async fn user_usage(
    state: web::Data<AppState>,
    user: AuthUser,
    params: Params<UsageParams>,
) -> Result<web::Json<UsageReportDto>, ApiError> {
    report(&state, Some(user.id), params.into_inner()?).await
}

/// Everyone's model calls between two days, per user, model or day (admins only).
#[utoipa::path(get, path = "/admin/usage", tag = "admin", security(("bearer" = [])),
    params(AdminUsageParams),
    responses(
        (status = 200, description = "The report", body = UsageReportDto),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming `from`, `to` or `group_by`", body = ErrorBody),
    ))]
pub async fn admin_usage(
    state: web::Data<AppState>,
    _admin: AdminUser,
    params: Params<AdminUsageParams>,
) -> Result<web::Json<UsageReportDto>, ApiError> {
    report(&state, None, params.into_inner()?.into()).await
}
