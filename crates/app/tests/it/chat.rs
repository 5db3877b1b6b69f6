//! Whole-app tests of the chat routes: prompts answered whole and streamed, history and
//! its cache, the chat list, upstream failures, isolation between users, idempotency,
//! rate limits and store outages (stores down or hanging).

mod budget;
mod disconnect;
mod guards;
mod hangs;
mod history;
mod isolation;
mod outages;
mod resources;
mod resume;
mod review;
mod streaming;
pub(crate) mod support;
mod turns;
mod upstream;
