//! Liveness (`/health`) and readiness (`/ready`).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::extract::resource;
use crate::state::AppState;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health").route(web::get().to(health)))
        .service(resource("/ready").route(web::get().to(ready)));
}

/// The process is up.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

/// Each dependency's state: `"ok"` or why it is not.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"postgres": "ok", "mongodb": "ok", "redis": "ok", "embeddings": "ok"}))]
pub struct Ready(BTreeMap<&'static str, String>);

/// Liveness: answers 200 whenever the process serves HTTP.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: checks PostgreSQL, MongoDB, Redis and the embeddings server.
///
/// 503 when a required store (PostgreSQL, MongoDB, Redis) is down; the embeddings server
/// is reported but optional, because chats still work without memories.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Every required dependency answers", body = Ready),
        (status = 503, description = "A required dependency is down", body = Ready),
    ))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let report = state.readiness.check().await;
    let body = Ready(report.checks.into_iter().collect());
    if report.ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
