//! Readiness probe: MongoDB answers `ping` within a short time.

use async_trait::async_trait;
use mongodb::bson::doc;
use polychat_domain::ports::HealthProbe;

use crate::connect::Mongo;

#[async_trait]
impl HealthProbe for Mongo {
    fn name(&self) -> &'static str {
        "mongodb"
    }

    async fn check(&self) -> Result<(), String> {
        let ping = self.database.run_command(doc! { "ping": 1 });
        match tokio::time::timeout(self.probe_timeout, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(format!("ping failed: {}", describe(&error))),
            Err(_) => Err(format!("no answer to ping within {:?}", self.probe_timeout)),
        }
    }
}

/// A short reason fit for operators; the driver's full message may list hosts and
/// topology details that do not belong in a readiness answer.
fn describe(error: &mongodb::error::Error) -> &'static str {
    use mongodb::error::ErrorKind;
    match error.kind.as_ref() {
        ErrorKind::ServerSelection { .. } => "no server reachable",
        ErrorKind::Io(_) | ErrorKind::ConnectionPoolCleared { .. } => "connection failed",
        ErrorKind::Authentication { .. } => "authentication failed",
        ErrorKind::Command(_) => "server refused the command",
        _ => "unexpected error",
    }
}
