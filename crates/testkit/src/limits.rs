//! In-memory [`RateLimiter`](polychat_domain::ports::RateLimiter) and
//! [`IdempotencyStore`](polychat_domain::ports::IdempotencyStore), with the contract
//! suites every implementation must pass.
//!
//! Both depend on time. The fakes read a [`Clock`](polychat_domain::ports::Clock), so
//! tests move a [`ManualClock`](crate::clock::ManualClock) instead of sleeping; the
//! contract suites take a `wait` function that moves that clock for a fake and sleeps
//! for a real store.

mod idempotency;
mod rate;

pub use idempotency::{InMemoryIdempotency, idempotency_contract};
pub use rate::{InMemoryRateLimiter, rate_limiter_contract};
