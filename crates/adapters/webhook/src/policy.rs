//! The network rule of webhooks (the SSRF guard's core): which IP addresses a webhook
//! may reach. Public addresses may; the non-public ranges (loopback, private, link-local,
//! CGNAT, unique-local, unspecified, multicast, broadcast, reserved, documentation, and
//! the IPv6 forms that embed such an IPv4 address) may not, unless the operator opened a
//! network that holds them (`WEBHOOK_ALLOWED_NETWORKS`). Cloud metadata addresses are
//! refused always, whatever was opened.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The environment variable the operator opens networks with (comma-separated CIDRs).
pub const ALLOWED_NETWORKS_VAR: &str = "WEBHOOK_ALLOWED_NETWORKS";

/// Addresses of cloud instance-metadata services: never reachable, even inside an
/// opened network.
const METADATA_V4: [Ipv4Addr; 4] = [
    // AWS, GCP, Azure, OpenStack, DigitalOcean, ...
    Ipv4Addr::new(169, 254, 169, 254),
    // AWS ECS task metadata.
    Ipv4Addr::new(169, 254, 170, 2),
    // Alibaba Cloud.
    Ipv4Addr::new(100, 100, 100, 200),
    // Azure's platform endpoint (wireserver).
    Ipv4Addr::new(168, 63, 129, 16),
];
/// AWS's IPv6 metadata endpoint, `fd00:ec2::254`.
const METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)];

/// The operator's `WEBHOOK_ALLOWED_NETWORKS` is not a list of networks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{ALLOWED_NETWORKS_VAR}: `{entry}` is not a network in CIDR notation (like 10.0.0.0/8 or fd00::/8)"
)]
pub struct PolicyError {
    /// The entry that does not parse.
    pub entry: String,
}

/// Which addresses webhooks may reach: every public address, plus the non-public ones
/// inside `allowed`. Metadata addresses never.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    allowed: Vec<IpNet>,
}

impl NetworkPolicy {
    /// Public addresses only (nothing opened).
    pub fn public_only() -> Self {
        Self::default()
    }

    /// Public addresses plus the `allowed` networks.
    pub fn new(allowed: Vec<IpNet>) -> Self {
        Self { allowed }
    }

    /// Reads `WEBHOOK_ALLOWED_NETWORKS`: comma-separated CIDR networks (a bare address
    /// counts as a network of one); blank entries are skipped, so an empty value opens
    /// nothing.
    pub fn parse(list: &str) -> Result<Self, PolicyError> {
        let allowed = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| PolicyError {
                        entry: entry.to_owned(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { allowed })
    }

    /// The networks the operator opened.
    pub fn allowed(&self) -> &[IpNet] {
        &self.allowed
    }

    /// Whether a webhook may connect to `addr`.
    pub fn permits(&self, addr: IpAddr) -> bool {
        let embedded = embedded_v4(addr);
        if is_metadata(addr) || embedded.is_some_and(|v4| is_metadata(IpAddr::V4(v4))) {
            return false;
        }
        let opened = |ip: IpAddr| self.allowed.iter().any(|net| net.contains(&ip));
        if opened(addr) || embedded.is_some_and(|v4| opened(IpAddr::V4(v4))) {
            return true;
        }
        !is_non_public(addr) && !embedded.is_some_and(is_non_public_v4)
    }
}

fn is_metadata(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => METADATA_V4.contains(&v4),
        IpAddr::V6(v6) => METADATA_V6.contains(&v6),
    }
}

/// The IPv4 address an IPv6 address stands for or carries: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
/// (`2002:AABB:CCDD::/48`).
fn embedded_v4(addr: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = addr else {
        return None;
    };
    let s = v6.segments();
    let low = Ipv4Addr::new(
        (s[6] >> 8) as u8,
        (s[6] & 0xff) as u8,
        (s[7] >> 8) as u8,
        (s[7] & 0xff) as u8,
    );
    match s {
        // `::` and `::1` are themselves (unspecified, loopback), not embedded addresses.
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0xffff | 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            (hi & 0xff) as u8,
            (lo >> 8) as u8,
            (lo & 0xff) as u8,
        )),
        _ => None,
    }
}

fn is_non_public(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => is_non_public_v4(v4),
        IpAddr::V6(v6) => is_non_public_v6(v6),
    }
}

/// IPv4 ranges that are not the public internet.
const NON_PUBLIC_V4: [(Ipv4Addr, u8); 16] = [
    (Ipv4Addr::UNSPECIFIED, 8),           // "this network", incl. unspecified
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // CGNAT (shared address space)
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, incl. broadcast
    (Ipv4Addr::BROADCAST, 32),            // broadcast
];

/// IPv6 ranges that are not the public internet (embedded IPv4 forms are judged by the
/// address they carry).
const NON_PUBLIC_V6: [(Ipv6Addr, u8); 9] = [
    (Ipv6Addr::UNSPECIFIED, 128),
    (Ipv6Addr::LOCALHOST, 128),
    (Ipv6Addr::new(0x0100, 0, 0, 0, 0, 0, 0, 0), 64), // discard-only
    (Ipv6Addr::new(0x0064, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64
    (Ipv6Addr::new(0x2001, 0x0db8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),  // unique-local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10), // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),  // multicast
];

fn is_non_public_v4(v4: Ipv4Addr) -> bool {
    NON_PUBLIC_V4
        .iter()
        .any(|&(network, prefix)| Ipv4Net::new(network, prefix).is_ok_and(|net| net.contains(&v4)))
}

fn is_non_public_v6(v6: Ipv6Addr) -> bool {
    NON_PUBLIC_V6
        .iter()
        .any(|&(network, prefix)| Ipv6Net::new(network, prefix).is_ok_and(|net| net.contains(&v6)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("a test address")
    }

    #[test]
    fn public_addresses_are_permitted() {
        let policy = NetworkPolicy::public_only();
        for addr in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(policy.permits(ip(addr)), "{addr} should be permitted");
        }
    }

    #[test]
    fn non_public_addresses_are_refused_by_default() {
        let policy = NetworkPolicy::public_only();
        for addr in [
            "127.0.0.1",
            "127.0.0.2",
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
        ] {
            assert!(!policy.permits(ip(addr)), "{addr} should be refused");
        }
    }

    #[test]
    fn an_opened_network_is_permitted_including_its_mapped_forms() {
        let policy = NetworkPolicy::parse("127.0.0.0/8, 10.0.0.0/8").expect("a valid list");
        assert!(policy.permits(ip("127.0.0.1")));
        assert!(policy.permits(ip("127.9.9.9")));
        assert!(policy.permits(ip("::ffff:127.0.0.1")));
        assert!(policy.permits(ip("10.1.2.3")));
        assert!(!policy.permits(ip("192.168.0.1")));
        assert!(!policy.permits(ip("::1")));
    }

    #[test]
    fn metadata_addresses_are_never_permitted() {
        let policy = NetworkPolicy::parse("169.254.0.0/16,fd00::/8,100.64.0.0/10,0.0.0.0/0,::/0")
            .expect("a valid list");
        for addr in [
            "169.254.169.254",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
            "100.100.100.200",
            "169.254.170.2",
        ] {
            assert!(!policy.permits(ip(addr)), "{addr} must never be permitted");
        }
        assert!(policy.permits(ip("169.254.1.1")));
    }

    #[test]
    fn parse_reads_lists_and_rejects_garbage_clearly() {
        assert_eq!(NetworkPolicy::parse("").expect("empty").allowed(), &[]);
        assert_eq!(NetworkPolicy::parse(" , ").expect("blank").allowed(), &[]);
        let policy = NetworkPolicy::parse("10.0.0.0/8,fd00::/8,192.168.1.7").expect("valid");
        assert_eq!(policy.allowed().len(), 3);
        assert!(policy.permits(ip("192.168.1.7")));
        assert!(!policy.permits(ip("192.168.1.8")));

        let error = NetworkPolicy::parse("10.0.0.0/8, nope/3").expect_err("garbage");
        assert_eq!(error.entry, "nope/3");
        assert!(error.to_string().contains("WEBHOOK_ALLOWED_NETWORKS"));
        assert!(error.to_string().contains("`nope/3`"));
        assert!(NetworkPolicy::parse("10.0.0.0/33").is_err());
    }
}
