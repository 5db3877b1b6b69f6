//! The check of a webhook URL when it is saved ([`WebhookUrlGuard`] on
//! [`NetworkPolicy`]): http or https, a host that resolves, and no resolved address the
//! policy refuses. URLs are parsed the way the HTTP client parses them (WHATWG), so the
//! odd spellings of an IPv4 address (`2130706433`, `0x7f.1`, `127.1`) are judged as the
//! address they stand for.

use std::net::IpAddr;

use async_trait::async_trait;
use polychat_domain::ports::{UrlRefusal, WebhookUrlGuard};
use reqwest::Url;
use url::Host;

use crate::policy::NetworkPolicy;
use crate::resolver::{Lookup, SystemLookup};

/// A parsed webhook URL: http or https.
pub(crate) fn parse_http(url: &str) -> Result<Url, UrlRefusal> {
    let parsed = Url::parse(url.trim()).map_err(|_| UrlRefusal::NotHttp)?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(parsed),
        _ => Err(UrlRefusal::NotHttp),
    }
}

/// The address of a URL whose host is an IP literal; `None` for a name.
pub(crate) fn literal_address(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    }
}

/// The whole check, with the lookup given (the system's in production).
pub(crate) async fn check_url(
    policy: &NetworkPolicy,
    lookup: &dyn Lookup,
    url: &str,
) -> Result<(), UrlRefusal> {
    let parsed = parse_http(url)?;
    let addresses = match (literal_address(&parsed), parsed.host_str()) {
        (Some(addr), _) => vec![addr],
        (None, Some(name)) => lookup
            .lookup(name.to_owned())
            .await
            .map_err(|_| UrlRefusal::Unresolvable)?,
        (None, None) => return Err(UrlRefusal::NotHttp),
    };
    if addresses.is_empty() {
        return Err(UrlRefusal::Unresolvable);
    }
    match addresses.into_iter().find(|addr| !policy.permits(*addr)) {
        Some(refused) => Err(UrlRefusal::ForbiddenAddress(refused.to_string())),
        None => Ok(()),
    }
}

#[async_trait]
impl WebhookUrlGuard for NetworkPolicy {
    async fn check(&self, url: &str) -> Result<(), UrlRefusal> {
        check_url(self, &SystemLookup, url).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::resolver::StubLookup;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("a test address")
    }

    fn lookup() -> Arc<StubLookup> {
        Arc::new(StubLookup(HashMap::from([
            ("hooks.example.com", vec![ip("93.184.216.34")]),
            (
                "split.example.com",
                vec![ip("93.184.216.34"), ip("10.0.0.7")],
            ),
            ("rebind.example.com", vec![ip("127.0.0.1")]),
            ("nothing.example.com", vec![]),
        ])))
    }

    async fn check(policy: &NetworkPolicy, url: &str) -> Result<(), UrlRefusal> {
        check_url(policy, lookup().as_ref(), url).await
    }

    #[tokio::test]
    async fn a_public_name_passes() {
        let policy = NetworkPolicy::public_only();
        assert_eq!(
            check(&policy, "https://hooks.example.com/webhook/1").await,
            Ok(())
        );
    }

    #[tokio::test]
    async fn any_refused_address_of_a_name_refuses_it() {
        let policy = NetworkPolicy::public_only();
        assert_eq!(
            check(&policy, "https://split.example.com/").await,
            Err(UrlRefusal::ForbiddenAddress("10.0.0.7".to_owned()))
        );
        assert_eq!(
            check(&policy, "http://rebind.example.com:5678/").await,
            Err(UrlRefusal::ForbiddenAddress("127.0.0.1".to_owned()))
        );
        let opened = NetworkPolicy::parse("10.0.0.0/8").expect("valid");
        assert_eq!(check(&opened, "https://split.example.com/").await, Ok(()));
    }

    #[tokio::test]
    async fn a_name_without_addresses_is_unresolvable() {
        let policy = NetworkPolicy::public_only();
        assert_eq!(
            check(&policy, "https://nothing.example.com/").await,
            Err(UrlRefusal::Unresolvable)
        );
        assert_eq!(
            check(&policy, "https://unknown.example.com/").await,
            Err(UrlRefusal::Unresolvable)
        );
    }

    #[tokio::test]
    async fn only_http_and_https() {
        let policy = NetworkPolicy::public_only();
        for url in [
            "ftp://hooks.example.com/",
            "ws://hooks.example.com/",
            "mailto:a@b.c",
            "hooks.example.com",
        ] {
            assert_eq!(check(&policy, url).await, Err(UrlRefusal::NotHttp), "{url}");
        }
    }
}
