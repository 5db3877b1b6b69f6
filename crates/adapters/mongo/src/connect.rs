//! Opening the client and preparing the collections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mongodb::bson::doc;
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};
use polychat_domain::ports::{Store, StoreError, StoreTelemetry, Telemetry};
use secrecy::ExposeSecret;

use crate::config::MongoConfig;
use crate::deadline::Within as _;
use crate::documents::{
    ChatDocument, CounterDocument, MessageDocument, PositionDocument, SlotDocument,
};
use crate::error::{is_timeout, store_error};
use crate::listing::{EntryDocument, ListedOwner};

/// Why [`connect`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("the MongoDB connection string is invalid")]
    InvalidUrl(#[source] mongodb::error::Error),
    #[error("could not create the MongoDB indexes (is MongoDB reachable?)")]
    Indexes(#[source] mongodb::error::Error),
}

/// The chat store: a MongoDB client bound to one database. Cheap to clone; clones
/// share the connection pool.
#[derive(Debug, Clone)]
pub struct Mongo {
    pub(crate) database: Database,
    pub(crate) chats: Collection<ChatDocument>,
    pub(crate) messages: Collection<MessageDocument>,
    pub(crate) positions: Collection<PositionDocument>,
    pub(crate) chat_counters: Collection<CounterDocument>,
    pub(crate) chat_slots: Collection<SlotDocument>,
    pub(crate) chat_index: Collection<EntryDocument>,
    pub(crate) chat_lists: Collection<ListedOwner>,
    /// Documents read to list chats, for the test that listing costs a page.
    pub(crate) documents_read: Arc<AtomicU64>,
    pub(crate) probe_timeout: Duration,
    /// The deadline of each driver call (see `deadline`).
    pub(crate) deadline: Duration,
    telemetry: StoreTelemetry,
}

impl Mongo {
    /// This store, reporting its failures to `telemetry`.
    #[must_use]
    pub fn observed(mut self, telemetry: Arc<dyn Telemetry>) -> Self {
        self.telemetry = StoreTelemetry::new(Store::MongoDb, telemetry);
        self
    }

    /// How many documents listing chats has read through this store (and its clones)
    /// so far: what a page costs, counted rather than timed.
    #[must_use]
    pub fn documents_read_listing(&self) -> u64 {
        self.documents_read.load(Ordering::Relaxed)
    }

    /// `error` as the domain's, reported to the telemetry.
    pub(crate) fn failed(&self, error: mongodb::error::Error) -> StoreError {
        let timed_out = is_timeout(&error);
        let error = store_error(error);
        self.telemetry.observe(&error, timed_out);
        error
    }
}

/// Connects to MongoDB and creates the indexes the queries rely on (idempotent, so
/// every replica may run it at start-up).
///
/// # Errors
/// An invalid connection string, or MongoDB not answering within the configured
/// server-selection timeout.
pub async fn connect(config: &MongoConfig) -> Result<Mongo, ConnectError> {
    let mut options = ClientOptions::parse(config.url.expose_secret())
        .await
        .map_err(ConnectError::InvalidUrl)?;
    options.connect_timeout = Some(config.connect_timeout);
    options.server_selection_timeout = Some(config.server_selection_timeout);
    options.max_pool_size = Some(config.max_pool_size);
    options.app_name = Some(config.app_name.clone());
    let client = Client::with_options(options).map_err(ConnectError::InvalidUrl)?;
    let database = client.database(&config.database);
    let mongo = Mongo {
        chats: database.collection("chats"),
        messages: database.collection("messages"),
        positions: database.collection("message_positions"),
        chat_counters: database.collection("chat_counters"),
        chat_slots: database.collection("chat_slots"),
        chat_index: database.collection("chat_index"),
        chat_lists: database.collection("chat_lists"),
        documents_read: Arc::default(),
        database,
        probe_timeout: config.probe_timeout,
        deadline: config.operation_timeout,
        telemetry: StoreTelemetry::default(),
    };
    create_indexes(&mongo)
        .await
        .map_err(ConnectError::Indexes)?;
    Ok(mongo)
}

fn index(keys: mongodb::bson::Document, name: &str) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().name(name.to_owned()).build())
        .build()
}

async fn create_indexes(mongo: &Mongo) -> Result<(), mongodb::error::Error> {
    // History pages and single messages are read by _id. These serve the sweep that
    // finishes a chat deletion which failed half-way.
    let sweep = index(doc! { "chat_id": 1, "_id": 1 }, "chat_messages");
    mongo
        .messages
        .create_index(sweep)
        .within(mongo.deadline)
        .await?;
    let sweep = index(doc! { "chat_id": 1 }, "chat_positions");
    mongo
        .positions
        .create_index(sweep)
        .within(mongo.deadline)
        .await?;
    // The retention sweep's query (MongoDB uses it; FerretDB scans).
    let stale = index(doc! { "updated_at": 1 }, "chats_by_update");
    mongo
        .chats
        .create_index(stale)
        .within(mongo.deadline)
        .await?;
    Ok(())
}
