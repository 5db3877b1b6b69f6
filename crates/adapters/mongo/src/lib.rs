//! MongoDB adapter: chats and their messages, for MongoDB 7 in production and FerretDB
//! (MongoDB wire protocol over `SQLite`) locally.
//!
//! [`connect`] opens a client and creates the indexes the queries need; the returned
//! [`Mongo`] implements [`ChatRepository`](polychat_domain::ports::ChatRepository) and
//! [`HealthProbe`](polychat_domain::ports::HealthProbe).
//!
//! Layout: a `chats` collection (one document per chat, with its running totals), a
//! `messages` collection (one document per message, keyed by chat and position, never
//! an unbounded array inside the chat) and `message_positions` (a message's id to its
//! position). All carry `owner`, and every query filters by it. Reads and writes of
//! single chats and messages, and of history pages, address documents by `_id`, which
//! every MongoDB-compatible server serves from an index, and so does listing a user's
//! chats, a page at a time through the per-owner ordered entries of `chat_index` (see
//! `listing`; `chat_counters` and `chat_slots` are the register that came before it,
//! read once per owner to index older chats). Times are BSON dates (milliseconds, the
//! precision the domain keeps).
//!
//! Neither transactions nor TTL indexes are used: FerretDB has neither. Where two
//! documents change together, the order of the writes is chosen so that a crash in
//! between never exposes one user's data to another (see `chats`).

mod chats;
mod config;
mod connect;
mod deadline;
mod documents;
mod error;
mod health;
mod history;
mod listing;
mod numbering;
mod register;
mod retention;

pub use config::MongoConfig;
pub use connect::{ConnectError, Mongo, connect};
