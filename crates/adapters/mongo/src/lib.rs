//! MongoDB adapter: chats and their messages, for MongoDB 7 in production and FerretDB
//! (MongoDB wire protocol over `SQLite`) locally.
//!
//! [`connect`] opens a client and creates the indexes the queries need; the returned
//! [`Mongo`] implements [`ChatRepository`](polychat_domain::ports::ChatRepository) and
//! [`HealthProbe`](polychat_domain::ports::HealthProbe).
//!
//! Layout: a `chats` collection (one document per chat, with its running totals) and a
//! `messages` collection (one document per message, never an unbounded array inside the
//! chat). Both carry `owner`, and every query filters by it. Ids are the domain's UUID
//! v7 in their text form, whose byte order is their creation order; times are BSON
//! dates (milliseconds, the precision the domain keeps).
//!
//! Neither transactions nor TTL indexes are used: FerretDB has neither. Where two
//! documents change together, the order of the writes is chosen so that a crash in
//! between never exposes one user's data to another (see `chats`).

mod chats;
mod config;
mod connect;
mod documents;
mod error;
mod health;

pub use config::MongoConfig;
pub use connect::{ConnectError, Mongo, connect};
