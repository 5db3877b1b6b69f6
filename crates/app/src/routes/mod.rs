//! The HTTP routes, one module per area; each exposes `config` to register itself.

pub mod accounts;
pub mod admin_models;
pub mod admin_users;
pub mod api_keys;
pub mod chat;
pub mod chats;
pub mod dto;
pub mod health;
pub mod memory;
pub mod metrics;
pub mod openai;
mod opening;
pub mod profile;
pub mod resume;
pub mod review;
mod sse;
pub mod usage;

use actix_web::web;

pub fn config(cfg: &mut web::ServiceConfig) {
    health::config(cfg);
    metrics::config(cfg);
    accounts::config(cfg);
    profile::config(cfg);
    api_keys::config(cfg);
    chat::config(cfg);
    chats::config(cfg);
    resume::config(cfg);
    review::config(cfg);
    memory::config(cfg);
    openai::config(cfg);
    admin_models::config(cfg);
    admin_users::config(cfg);
    usage::config(cfg);
}
