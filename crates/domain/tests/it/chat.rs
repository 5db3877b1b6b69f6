//! Use-case tests of the chat service over the testkit fakes: the prompt flow (the
//! user's message stored before the model call, failures recorded), streams, history
//! pages and their cache, idempotency, the rate limit and owner isolation.

mod budget;
mod defects;
mod guards;
mod reads;
mod resumes;
mod retention;
mod streams;
mod telemetry;
mod turns;
mod world;
