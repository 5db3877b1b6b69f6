//! The Redis section: history cache, revocations, limits, idempotency, leases.

use polychat_redis::RedisConfig;

use super::variable::Variable;
use super::{ConfigError, Source, require_scheme};

const REDIS_URL: Variable = Variable::with_default(
    "REDIS_URL",
    "redis://127.0.0.1:6379",
    "Redis: `redis://`, `rediss://` (TLS)",
);
const REDIS_KEY_PREFIX: Variable = Variable::with_default(
    "REDIS_KEY_PREFIX",
    "polychat",
    "put before every key (`prefix:`), so deployments can share one Redis",
);

pub(super) const VARIABLES: &[&Variable] = &[&REDIS_URL, &REDIS_KEY_PREFIX];

pub(super) fn load(source: &Source) -> Result<RedisConfig, ConfigError> {
    let url = source.required_text(&REDIS_URL)?;
    require_scheme(&REDIS_URL, &url, &["redis", "rediss"])?;
    let mut config = RedisConfig::new(url.into());
    config.key_prefix = format!(
        "{}:",
        source
            .required_text(&REDIS_KEY_PREFIX)?
            .trim_end_matches(':')
    );
    Ok(config)
}
