//! Readiness probe: Redis answers `PING` within a short time.

use async_trait::async_trait;
use fred::interfaces::ClientLike;
use fred::types::config::Options;
use polychat_domain::ports::HealthProbe;

use crate::connect::Redis;

#[async_trait]
impl HealthProbe for Redis {
    fn name(&self) -> &'static str {
        "redis"
    }

    async fn check(&self) -> Result<(), String> {
        // fail_fast: while the pool is reconnecting the answer is "down" at once,
        // instead of waiting in the reconnection queue.
        let options = Options {
            timeout: Some(self.probe_timeout),
            fail_fast: true,
            max_attempts: Some(1),
            ..Options::default()
        };
        let pong: Result<String, _> = self.pool.with_options(&options).ping(None).await;
        match pong {
            Ok(_) => Ok(()),
            Err(error) => Err(format!("PING failed: {:?}", error.kind())),
        }
    }
}
