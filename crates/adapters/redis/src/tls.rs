//! TLS for `rediss://` and `rediss-cluster://` URLs, with rustls on the `ring` provider
//! (the one reqwest and the MongoDB driver already use).
//!
//! The adapter builds the TLS settings itself rather than leaving them to fred, so
//! that a TLS URL can never end up in plaintext (fred only warns when it was built
//! without TLS) and so that an operator can trust a private CA: with a CA file, only
//! the certificates in it are trusted (as `redis-cli --cacert` does); without, the
//! system's root certificates are.

use std::path::Path;
use std::sync::Arc;

use fred::rustls::pki_types::CertificateDer;
use fred::rustls::pki_types::pem::PemObject;
use fred::rustls::{ClientConfig, RootCertStore, crypto::ring};
use fred::types::config::TlsConnector;

use crate::connect::ConnectError;

/// URL schemes that ask for TLS, each with the plain scheme fred parses the rest with.
const TLS_SCHEMES: [(&str, &str); 4] = [
    ("rediss", "redis"),
    ("rediss-cluster", "redis-cluster"),
    ("valkeys", "valkey"),
    ("valkeys-cluster", "valkey-cluster"),
];

/// Splits a Redis URL into the URL fred should parse (its scheme without the TLS `s`)
/// and whether it asked for TLS.
pub(crate) fn plain_url(url: &str) -> (String, bool) {
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if let Some((_, plain)) = TLS_SCHEMES.iter().find(|(tls, _)| *tls == scheme) {
            return (format!("{plain}://{rest}"), true);
        }
    }
    (url.to_owned(), false)
}

fn invalid(reason: impl Into<String>) -> ConnectError {
    ConnectError::Tls(reason.into())
}

/// The certificates of a PEM file.
fn ca_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    let unreadable =
        |error: &dyn std::fmt::Display| invalid(format!("{}: {error}", path.display()));
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|error| unreadable(&error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| unreadable(&error))?;
    if certificates.is_empty() {
        return Err(invalid(format!(
            "{} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certificates)
}

/// The roots a server's certificate must chain to.
fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, ConnectError> {
    let mut roots = RootCertStore::empty();
    if let Some(path) = ca_file {
        for certificate in ca_certificates(path)? {
            roots.add(certificate).map_err(|error| {
                invalid(format!("{}: not a usable CA: {error}", path.display()))
            })?;
        }
        return Ok(roots);
    }
    let system = fred::rustls_native_certs::load_native_certs();
    for error in &system.errors {
        tracing::warn!(%error, "a system root certificate could not be read");
    }
    let (_added, ignored) = roots.add_parsable_certificates(system.certs);
    if ignored > 0 {
        tracing::debug!(ignored, "system root certificates rustls cannot use");
    }
    if roots.is_empty() {
        return Err(invalid(
            "no system root certificates were found; install them or set a CA file",
        ));
    }
    Ok(roots)
}

/// A rustls connector that verifies the server against `ca_file`, or the system roots.
pub(crate) fn connector(ca_file: Option<&Path>) -> Result<TlsConnector, ConnectError> {
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| invalid(format!("rustls: {error}")))?
        .with_root_certificates(roots(ca_file)?)
        .with_no_client_auth();
    Ok(TlsConnector::from(config))
}

#[cfg(test)]
mod tests {
    use super::plain_url;

    #[test]
    fn tls_schemes_are_recognised_and_the_rest_is_kept() {
        assert_eq!(
            plain_url("rediss://u:p@host:6380/1"),
            ("redis://u:p@host:6380/1".to_owned(), true)
        );
        assert_eq!(
            plain_url("REDISS-CLUSTER://host:1?node=other:2"),
            ("redis-cluster://host:1?node=other:2".to_owned(), true)
        );
        assert_eq!(
            plain_url("redis-cluster://host:1"),
            ("redis-cluster://host:1".to_owned(), false)
        );
        assert_eq!(
            plain_url("redis://host"),
            ("redis://host".to_owned(), false)
        );
    }
}
