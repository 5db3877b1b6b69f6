//! `GET /metrics`: the Prometheus text exposition. With `METRICS_TOKEN` set it needs
//! `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time.

use actix_web::{HttpRequest, HttpResponse, web};
use polychat_domain::services::auth::Refusal;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq as _;

use crate::http::ApiError;
use crate::http::auth::bearer;
use crate::http::error::ErrorBody;
use crate::http::extract::resource;
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/metrics").route(web::get().to(metrics)));
}

/// The service's metrics in Prometheus' text format (see docs/operations.md).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, description = "`unauthorized`: `METRICS_TOKEN` is set and the request does not carry it", body = ErrorBody),
    ))]
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.metrics_token {
        let Some(given) = bearer(&req) else {
            return Err(ApiError::unauthorized(Refusal::Missing));
        };
        let matches: bool = given
            .as_bytes()
            .ct_eq(expected.expose_secret().as_bytes())
            .into();
        if !matches {
            return Err(ApiError::unauthorized(Refusal::Unrecognized));
        }
    }
    let text = state.metrics.render(state.tasks.running());
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
