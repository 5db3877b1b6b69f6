//! Whole-app tests of the accounts routes: registration, login with throttling, token
//! refresh and logout, personal API keys, forged tokens, the profile, the encrypted
//! OpenRouter key (at rest in the real PostgreSQL, through a master-key rotation) and
//! that no secret ever shows up in a response or a log line.

mod api_keys;
mod flood;
mod forged;
mod key_check;
mod keys;
pub(crate) mod leaks;
mod master_key;
mod profile;
mod refusals;
mod register;
mod sessions;
pub(crate) mod support;
