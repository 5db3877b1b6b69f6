//! The resolver of the webhook client: it resolves a host, then keeps only the
//! addresses the network policy allows, so a DNS answer that changed since the URL was
//! saved (DNS rebinding) cannot make a webhook call reach loopback or an internal
//! network. Hosts that are IP literals never reach a resolver; the client checks those
//! itself before it sends.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::network::NetworkPolicy;

/// Where host names are looked up; the system resolver in production.
pub trait Lookup: Send + Sync {
    fn lookup(
        &self,
        host: String,
    ) -> futures_util::future::BoxFuture<'static, std::io::Result<Vec<SocketAddr>>>;
}

/// The operating system's resolver (`getaddrinfo` through tokio).
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(
        &self,
        host: String,
    ) -> futures_util::future::BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) })
    }
}

/// No allowed address for a host.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to no address webhooks may reach")]
pub(crate) struct Refused {
    host: String,
}

/// Resolves through `lookup` and drops every address the policy refuses.
pub(crate) struct GuardedResolver {
    policy: NetworkPolicy,
    lookup: Arc<dyn Lookup>,
}

impl GuardedResolver {
    pub(crate) fn new(policy: NetworkPolicy, lookup: Arc<dyn Lookup>) -> Self {
        Self { policy, lookup }
    }

    /// The allowed addresses of `host`, or why there are none.
    pub(crate) async fn allowed(
        policy: &NetworkPolicy,
        lookup: &dyn Lookup,
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let addresses = lookup.lookup(host.to_owned()).await?;
        let allowed: Vec<SocketAddr> = addresses
            .into_iter()
            .filter(|address| policy.allows(address.ip()))
            .collect();
        if allowed.is_empty() {
            return Err(Box::new(Refused {
                host: host.to_owned(),
            }));
        }
        Ok(allowed)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let lookup = self.lookup.clone();
        Box::pin(async move {
            let allowed = Self::allowed(&policy, lookup.as_ref(), name.as_str()).await?;
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers every name with fixed addresses.
    struct Fixed(Vec<SocketAddr>);

    impl Lookup for Fixed {
        fn lookup(
            &self,
            _host: String,
        ) -> futures_util::future::BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> {
            let addresses = self.0.clone();
            Box::pin(async move { Ok(addresses) })
        }
    }

    fn at(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn a_name_that_now_resolves_to_loopback_is_refused() {
        let policy = NetworkPolicy::default();
        let rebound = Fixed(vec![at("127.0.0.1:0")]);
        assert!(
            GuardedResolver::allowed(&policy, &rebound, "hooks.example.com")
                .await
                .is_err()
        );
        let mixed = Fixed(vec![at("10.0.0.5:0"), at("93.184.216.34:0")]);
        let kept = GuardedResolver::allowed(&policy, &mixed, "hooks.example.com")
            .await
            .unwrap();
        assert_eq!(
            kept,
            vec![at("93.184.216.34:0")],
            "only the public address is dialled"
        );
        let metadata = Fixed(vec![at("169.254.169.254:0")]);
        let opened = NetworkPolicy::parse("169.254.0.0/16").unwrap();
        assert!(
            GuardedResolver::allowed(&opened, &metadata, "x")
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn the_system_resolver_is_guarded_too() {
        let policy = NetworkPolicy::default();
        let refused = GuardedResolver::allowed(&policy, &SystemLookup, "localhost").await;
        assert!(refused.is_err(), "localhost is loopback");
        let opened = NetworkPolicy::parse("127.0.0.0/8,::1/128").unwrap();
        assert!(
            GuardedResolver::allowed(&opened, &SystemLookup, "localhost")
                .await
                .is_ok()
        );
    }
}
