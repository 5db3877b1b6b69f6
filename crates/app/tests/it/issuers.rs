//! Whole-app tests of trusted issuers: tokens signed as Django `SIMPLE_JWT` signs them
//! (HS256, `user_id`, `token_type`, `jti`, `exp`, `iat`) and as an OIDC provider does
//! (RS256, with a JWKS this test serves over HTTP) sign in one local user per subject;
//! forged ones are refused; the service key answers only for the users allowed it.

mod forged;
mod service_key;
mod sign_in;
pub(crate) mod support;
