//! The webhooks section: which networks custom models' webhooks may reach.

use polychat_webhook::NetworkPolicy;

use super::variable::Variable;
use super::{ConfigError, Source, invalid};

const WEBHOOK_ALLOWED_NETWORKS: Variable = Variable::optional(
    "WEBHOOK_ALLOWED_NETWORKS",
    "CIDRs custom-model webhooks may reach besides public addresses (e.g. `10.0.0.0/8` for an internal n8n)",
);

pub(super) const VARIABLES: &[&Variable] = &[&WEBHOOK_ALLOWED_NETWORKS];

pub(super) fn load(source: &Source) -> Result<NetworkPolicy, ConfigError> {
    NetworkPolicy::parse(source.text(&WEBHOOK_ALLOWED_NETWORKS).unwrap_or_default())
        .map_err(|e| invalid(WEBHOOK_ALLOWED_NETWORKS.name, e.to_string()))
}
