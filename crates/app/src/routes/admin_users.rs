//! `DELETE /admin/users/{username}/sessions`: an admin logs a user out everywhere
//! (every refresh chain ends, its access tokens stop at once), e.g. after a stolen
//! device. The admin and the user are logged.

use actix_web::web;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::http::{AdminUser, ApiError};
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/users/{username}/sessions").route(web::delete().to(end_sessions)));
}

/// What a forced logout did.
#[derive(Serialize, ToSchema)]
pub struct EndedSessions {
    /// Sessions (refresh chains) that were live and are now ended.
    #[schema(example = 2)]
    ended: usize,
}

/// Logs a user out of every session (admins only).
#[utoipa::path(delete, path = "/admin/users/{username}/sessions", tag = "admin",
    security(("bearer" = [])),
    params(("username" = String, Path, pattern = r"^[A-Za-z0-9_.-]{3,32}$", example = "ana.souza")),
    responses(
        (status = 200, description = "The sessions ended", body = EndedSessions),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such user", body = ErrorBody),
        (status = 422, description = "`validation_failed`: not a username", body = ErrorBody),
    ))]
pub async fn end_sessions(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
) -> Result<web::Json<EndedSessions>, ApiError> {
    let (user, ended) = state.auth.log_out_everywhere(&path).await?;
    tracing::info!(admin_id = %admin.id, user_id = %user.id, ended, "admin ended a user's sessions");
    Ok(web::Json(EndedSessions { ended }))
}
