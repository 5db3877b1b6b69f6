//! Name resolution under the network policy. The HTTP client resolves every webhook
//! host through [`PolicyResolver`], which drops the addresses the policy refuses and
//! fails when none remain, so a name whose DNS answer changed since the URL was saved
//! (DNS rebinding) still cannot reach a refused address. The lookup itself is behind
//! [`Lookup`] so tests can stub it.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::policy::NetworkPolicy;

/// Resolves a host name to its addresses.
pub(crate) trait Lookup: Send + Sync {
    fn lookup(&self, host: String) -> BoxFuture<'static, io::Result<Vec<IpAddr>>>;
}

/// The system resolver (`getaddrinfo`, through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: String) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|addr| addr.ip()).collect())
        })
    }
}

/// Every address a name resolved to was refused by the policy (or there were none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the webhook's host resolves to no address webhooks may reach")]
pub(crate) struct NoPermittedAddress;

/// The client's DNS resolver: the lookup's answer less the refused addresses.
pub(crate) struct PolicyResolver {
    policy: Arc<NetworkPolicy>,
    lookup: Arc<dyn Lookup>,
}

impl PolicyResolver {
    pub(crate) fn new(policy: Arc<NetworkPolicy>, lookup: Arc<dyn Lookup>) -> Self {
        Self { policy, lookup }
    }

    /// The permitted addresses of `host`; an error when there are none.
    pub(crate) async fn permitted(
        policy: &NetworkPolicy,
        lookup: &dyn Lookup,
        host: &str,
    ) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let found = lookup.lookup(host.to_owned()).await?;
        let permitted: Vec<IpAddr> = found
            .iter()
            .copied()
            .filter(|addr| policy.permits(*addr))
            .collect();
        if permitted.len() < found.len() {
            tracing::warn!(
                refused = found.len() - permitted.len(),
                "dropped webhook addresses the network policy refuses"
            );
        }
        if permitted.is_empty() {
            return Err(Box::new(NoPermittedAddress));
        }
        Ok(permitted)
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let lookup = Arc::clone(&self.lookup);
        Box::pin(async move {
            let permitted = Self::permitted(&policy, lookup.as_ref(), name.as_str()).await?;
            // The connector sets the URL's port on each address.
            let addrs: Addrs = Box::new(
                permitted
                    .into_iter()
                    .map(|ip| SocketAddr::new(ip, 0))
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            Ok(addrs)
        })
    }
}

/// Answers from a fixed table; unknown names do not resolve.
#[cfg(test)]
pub(crate) struct StubLookup(pub(crate) std::collections::HashMap<&'static str, Vec<IpAddr>>);

#[cfg(test)]
impl Lookup for StubLookup {
    fn lookup(&self, host: String) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> {
        let found = self.0.get(host.as_str()).cloned();
        Box::pin(async move {
            found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::str::FromStr;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("a test address")
    }

    fn resolver(policy: NetworkPolicy) -> PolicyResolver {
        let table = HashMap::from([
            ("rebound.example", vec![ip("127.0.0.1")]),
            (
                "mixed.example",
                vec![ip("10.0.0.5"), ip("93.184.216.34"), ip("::1")],
            ),
            (
                "public.example",
                vec![ip("93.184.216.34"), ip("2606:2800:220:1::1")],
            ),
            ("metadata.example", vec![ip("169.254.169.254")]),
            ("empty.example", vec![]),
        ]);
        PolicyResolver::new(Arc::new(policy), Arc::new(StubLookup(table)))
    }

    async fn resolve(resolver: &PolicyResolver, host: &str) -> Result<Vec<SocketAddr>, String> {
        let name = Name::from_str(host).expect("a DNS name");
        resolver
            .resolve(name)
            .await
            .map(Iterator::collect)
            .map_err(|error| error.to_string())
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_gets_no_address() {
        let error = resolve(&resolver(NetworkPolicy::public_only()), "rebound.example")
            .await
            .expect_err("loopback must be dropped");
        assert_eq!(error, NoPermittedAddress.to_string());
    }

    #[tokio::test]
    async fn refused_addresses_are_dropped_and_permitted_ones_kept() {
        let addrs = resolve(&resolver(NetworkPolicy::public_only()), "mixed.example")
            .await
            .expect("the public address remains");
        assert_eq!(addrs, vec![SocketAddr::new(ip("93.184.216.34"), 0)]);

        let addrs = resolve(&resolver(NetworkPolicy::public_only()), "public.example")
            .await
            .expect("public addresses");
        assert_eq!(addrs.len(), 2);
    }

    #[tokio::test]
    async fn an_opened_network_lets_its_addresses_through_but_never_metadata() {
        let policy = NetworkPolicy::parse("127.0.0.0/8,169.254.0.0/16").expect("valid");
        let resolver = resolver(policy);
        let addrs = resolve(&resolver, "rebound.example").await.expect("opened");
        assert_eq!(addrs, vec![SocketAddr::new(ip("127.0.0.1"), 0)]);
        assert!(resolve(&resolver, "metadata.example").await.is_err());
    }

    #[tokio::test]
    async fn no_answer_or_a_failed_lookup_is_an_error() {
        let resolver = resolver(NetworkPolicy::public_only());
        assert!(resolve(&resolver, "empty.example").await.is_err());
        assert!(resolve(&resolver, "unknown.example").await.is_err());
    }
}
