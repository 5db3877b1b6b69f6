//! The one-off commands beside `serve`: `migrate`, `rotate-keys` and `admin
//! grant|revoke`, built from the same adapters as the server.

use std::sync::Arc;

use anyhow::Context as _;
use polychat_domain::AccountRole;
use polychat_domain::ports::{Clock, SystemClock, Telemetry};

use super::{auth_service, connect_redis, custom_models, verify_master_key};
use crate::config::AppConfig;
use crate::limits::FallbackRateLimiter;
use crate::metrics::Metrics;

/// Applies the database migrations.
pub async fn migrate(config: &AppConfig) -> anyhow::Result<()> {
    let applied = polychat_postgres::run_migrations(&config.postgres)
        .await
        .context("migrating PostgreSQL")?;
    tracing::info!(applied = applied.len(), versions = ?applied, "migrations done");
    Ok(())
}

/// Re-encrypts every stored secret under the current master key: the users' API keys
/// and the custom models' signing secrets and header values (theirs and their
/// versions').
pub async fn rotate_keys(config: &AppConfig) -> anyhow::Result<()> {
    let postgres = polychat_postgres::connect(&config.postgres).await?;
    let check = verify_master_key(config, &postgres).await?;
    let redis = connect_redis(config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let limiter = Arc::new(FallbackRateLimiter::new(Arc::new(redis.clone())));
    // A command's metrics are not scraped; the use cases still report to them.
    let metrics: Arc<dyn Telemetry> = Arc::new(Metrics::new());
    let auth = auth_service(
        config,
        &postgres,
        &redis,
        limiter,
        clock.clone(),
        metrics.clone(),
    )?;
    let keys = auth.rotate_keys().await?;
    let models = custom_models(config, &postgres, &redis, clock, metrics)?
        .reseal()
        .await?;
    let mut undecryptable = 0;
    for (what, report) in [("API keys", keys), ("custom-model secrets", models)] {
        tracing::info!(
            secrets = what,
            examined = report.examined,
            rotated = report.rotated,
            undecryptable = report.undecryptable,
            "key rotation done"
        );
        println!(
            "{what}: examined {}, rotated {}, undecryptable {}",
            report.examined, report.rotated, report.undecryptable
        );
        undecryptable += report.undecryptable;
    }
    if undecryptable > 0 {
        anyhow::bail!(
            "{undecryptable} stored secrets could not be decrypted with any configured master key"
        );
    }
    check.renew().await?;
    Ok(())
}

/// Gives `username` the role (`polychat admin grant|revoke USERNAME`).
pub async fn set_role(config: &AppConfig, username: &str, role: AccountRole) -> anyhow::Result<()> {
    let postgres = polychat_postgres::connect(&config.postgres).await?;
    let redis = connect_redis(config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let limiter = Arc::new(FallbackRateLimiter::new(Arc::new(redis.clone())));
    let metrics = Arc::new(Metrics::new());
    let auth = auth_service(config, &postgres, &redis, limiter, clock, metrics)?;
    let user = auth
        .set_role(username, role)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    tracing::info!(user_id = %user.id, role = role.as_str(), "role set");
    println!("{} is now {}", user.username, role.as_str());
    Ok(())
}
