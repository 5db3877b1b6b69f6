//! The Redis section: history cache, revocations, limits, idempotency, leases.

use std::path::PathBuf;

use polychat_redis::RedisConfig;

use super::variable::Variable;
use super::{ConfigError, Source, invalid, require_scheme};

const REDIS_URL: Variable = Variable::with_default(
    "REDIS_URL",
    "redis://127.0.0.1:6379",
    "Redis: `redis://`, `rediss://` (TLS), or a Redis Cluster: `redis-cluster://host:port?node=host2:port2&node=host3:port3` (`rediss-cluster://` with TLS); see [docs/scaling.md](docs/scaling.md)",
);
const REDIS_CA_FILE: Variable = Variable::optional(
    "REDIS_CA_FILE",
    "PEM file of the CA that issued Redis' certificate, trusted instead of the system roots (TLS URLs only)",
);
const REDIS_KEY_PREFIX: Variable = Variable::with_default(
    "REDIS_KEY_PREFIX",
    "polychat",
    "put before every key (`prefix:`), so deployments can share one Redis",
);

pub(super) const VARIABLES: &[&Variable] = &[&REDIS_URL, &REDIS_CA_FILE, &REDIS_KEY_PREFIX];

pub(super) fn load(source: &Source) -> Result<RedisConfig, ConfigError> {
    let url = source.required_text(&REDIS_URL)?;
    require_scheme(
        &REDIS_URL,
        &url,
        &["redis", "rediss", "redis-cluster", "rediss-cluster"],
    )?;
    let tls = url.starts_with("rediss");
    let mut config = RedisConfig::new(url.into());
    config.tls_ca_file = source.text(&REDIS_CA_FILE).map(PathBuf::from);
    if config.tls_ca_file.is_some() && !tls {
        return Err(invalid(
            REDIS_CA_FILE.name,
            "is set but REDIS_URL is not a TLS URL (rediss:// or rediss-cluster://)",
        ));
    }
    config.key_prefix = format!(
        "{}:",
        source
            .required_text(&REDIS_KEY_PREFIX)?
            .trim_end_matches(':')
    );
    Ok(config)
}
