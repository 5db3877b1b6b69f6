//! HTTP plumbing shared by every route: the error type and how use-case errors map to
//! it, request context and hardening middleware, extractor configuration and the authenticated caller.

pub mod auth;
pub mod error;
mod error_map;
pub mod extract;
pub mod hardening;
pub mod input;
pub mod refresh_cookie;
pub mod request_context;
pub mod whole;
mod wording;

pub use auth::{AdminUser, AuthUser, SessionUser};
pub use error::ApiError;
pub use input::{Body, OptionalBody, Params};
