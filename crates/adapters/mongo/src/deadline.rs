//! A deadline on every driver call. The driver has no socket or operation timeout of
//! its own (it ignores `socketTimeoutMS`), so a server that accepts connections and
//! then stops answering would hold a request, and a pooled connection, for ever. Each
//! call is given [`MongoConfig::operation_timeout`](crate::MongoConfig::operation_timeout)
//! instead; a call cut by it fails as a timed-out socket would, so it is reported as a
//! timeout and answered as unavailability (503). The driver closes a connection whose
//! command was cut rather than reuse it.

use std::future::IntoFuture;
use std::time::Duration;

use mongodb::error::Error;
use polychat_domain::ports::StoreError;

use crate::connect::Mongo;

/// `within` on anything the driver runs (its actions and cursor collections).
pub(crate) trait Within<T>: IntoFuture<Output = Result<T, Error>> + Sized {
    /// This call, failing with a timed-out I/O error when `limit` passes first.
    async fn within(self, limit: Duration) -> Result<T, Error> {
        tokio::time::timeout(limit, self)
            .await
            .unwrap_or_else(|_| Err(timed_out(limit)))
    }
}

impl<T, F: IntoFuture<Output = Result<T, Error>>> Within<T> for F {}

/// `on` on anything the driver runs: the call within the store's deadline, its failure
/// as the domain's and reported to the store's telemetry.
pub(crate) trait Call<T>: Within<T> {
    async fn on(self, mongo: &Mongo) -> Result<T, StoreError> {
        self.within(mongo.deadline)
            .await
            .map_err(|error| mongo.failed(error))
    }
}

impl<T, F: IntoFuture<Output = Result<T, Error>>> Call<T> for F {}

fn timed_out(limit: Duration) -> Error {
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("MongoDB did not answer within {} ms", limit.as_millis()),
    )
    .into()
}
