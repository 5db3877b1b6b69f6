//! Which addresses a webhook may reach: public addresses, plus the networks the
//! operator opened (`WEBHOOK_ALLOWED_NETWORKS`); cloud metadata addresses never.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use async_trait::async_trait;
use ipnet::IpNet;
use polychat_domain::ports::{UrlRefusal, WebhookUrlGuard};
use reqwest::Url;

/// A `WEBHOOK_ALLOWED_NETWORKS` entry that is not a CIDR.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a network in CIDR form (e.g. 10.0.0.0/8)")]
pub struct NetworkPolicyError(String);

/// The rule: an address is allowed when it is public, or inside an opened network, and
/// never when it is a cloud metadata address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    allowed: Vec<IpNet>,
}

/// Cloud metadata services: the link-local one of AWS, GCP, Azure and `OpenStack`, and
/// the unique-local one of AWS.
const METADATA: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)),
];

impl NetworkPolicy {
    /// Comma-separated CIDRs; empty opens nothing.
    ///
    /// # Errors
    /// The first entry that is not a CIDR.
    pub fn parse(text: &str) -> Result<Self, NetworkPolicyError> {
        let allowed = text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .map_err(|_| NetworkPolicyError(entry.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { allowed })
    }

    /// Whether a webhook may connect to `address`.
    pub fn allows(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        if METADATA.contains(&address) {
            return false;
        }
        is_public(address) || self.allowed.iter().any(|net| net.contains(&address))
    }

    /// The URL's shape (http or https, a host) and every address its host resolves to.
    ///
    /// # Errors
    /// The first reason to refuse it.
    pub async fn check_url(&self, url: &str) -> Result<(), UrlRefusal> {
        let url = Url::parse(url).map_err(|_| UrlRefusal::NotHttp)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlRefusal::NotHttp);
        }
        let host = url.host_str().ok_or(UrlRefusal::NotHttp)?;
        let port = url.port_or_known_default().unwrap_or(80);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(address) => vec![address],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|_| UrlRefusal::Unresolvable)?
                .map(|socket| socket.ip())
                .collect(),
        };
        if addresses.is_empty() {
            return Err(UrlRefusal::Unresolvable);
        }
        match addresses.into_iter().find(|a| !self.allows(*a)) {
            Some(refused) => Err(UrlRefusal::ForbiddenAddress(refused.to_string())),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl WebhookUrlGuard for NetworkPolicy {
    async fn check(&self, url: &str) -> Result<(), UrlRefusal> {
        self.check_url(url).await
    }
}

/// An IPv6 address that embeds an IPv4 one (mapped `::ffff:a.b.c.d`, compatible
/// `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) judged as that IPv4
/// address, so no spelling of a private address passes as public.
fn canonical(address: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = address else {
        return address;
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let embedded = |high: u16, low: u16| {
        let [first, second] = high.to_be_bytes();
        let [third, fourth] = low.to_be_bytes();
        IpAddr::V4(Ipv4Addr::new(first, second, third, fourth))
    };
    let segments = v6.segments();
    match segments {
        // IPv4-compatible (deprecated; not :: and ::1 themselves), NAT64, 6to4.
        [0, 0, 0, 0, 0, 0, high, low]
        | [0x64, 0xff9b, 0, 0, 0, 0, high, low]
        | [0x2002, high, low, ..]
            if segments[0] != 0 || high != 0 =>
        {
            embedded(high, low)
        }
        _ => address,
    }
}

/// Globally reachable unicast: none of loopback, private, link-local, CGNAT,
/// unique-local, unspecified, multicast, broadcast, documentation or reserved ranges.
fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_refused_in_every_spelling() {
        let open = NetworkPolicy::default();
        for refused in [
            "127.0.0.1",
            "127.0.0.2",
            "::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "0.0.0.0",
            "::",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "fd00:ec2::254",
            "224.0.0.1",
            "ff02::1",
            "255.255.255.255",
            "64:ff9b::a01:203",
            "2002:a01:203::",
            "::ffff:10.0.0.1",
            "240.0.0.1",
            "192.0.0.8",
        ] {
            assert!(!open.allows(ip(refused)), "{refused}");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "100.128.0.1",
            "::ffff:8.8.8.8",
        ] {
            assert!(open.allows(ip(public)), "{public}");
        }
    }

    #[test]
    fn opened_networks_are_allowed_but_metadata_never() {
        let policy =
            NetworkPolicy::parse(" 10.0.0.0/8, 127.0.0.0/8 ,169.254.0.0/16,fd00::/8").unwrap();
        assert!(policy.allows(ip("10.20.30.40")));
        assert!(policy.allows(ip("127.0.0.1")));
        assert!(policy.allows(ip("::ffff:127.0.0.1")));
        assert!(policy.allows(ip("169.254.1.1")));
        assert!(
            !policy.allows(ip("169.254.169.254")),
            "metadata, even inside an opened network"
        );
        assert!(!policy.allows(ip("fd00:ec2::254")));
        assert!(!policy.allows(ip("192.168.0.1")));
        assert!(NetworkPolicy::parse("10.0.0.0/33").is_err());
        assert!(NetworkPolicy::parse("intranet").is_err());
        assert_eq!(NetworkPolicy::parse("").unwrap(), NetworkPolicy::default());
    }

    #[tokio::test]
    async fn urls_are_checked_on_every_address_of_their_host() {
        let open = NetworkPolicy::default();
        for url in [
            "http://localhost/hook",
            "http://127.0.0.2/hook",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0.0.0.0/hook",
            "http://2130706433/hook",
            "http://0x7f.1/hook",
            "http://127.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/hook",
            "http://100.64.0.1/hook",
        ] {
            assert!(
                matches!(
                    open.check_url(url).await,
                    Err(UrlRefusal::ForbiddenAddress(_))
                ),
                "{url}"
            );
        }
        assert_eq!(open.check_url("https://8.8.8.8/hook").await, Ok(()));
        assert_eq!(
            open.check_url("ftp://8.8.8.8/x").await,
            Err(UrlRefusal::NotHttp)
        );
        assert_eq!(open.check_url("not a url").await, Err(UrlRefusal::NotHttp));
        assert_eq!(
            open.check_url("http://no-such-host.invalid/x").await,
            Err(UrlRefusal::Unresolvable)
        );
        let loopback = NetworkPolicy::parse("127.0.0.0/8").unwrap();
        assert_eq!(
            loopback.check_url("http://127.0.0.1:5678/webhook/x").await,
            Ok(())
        );
    }
}
