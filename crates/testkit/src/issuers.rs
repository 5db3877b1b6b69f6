//! TEST-ONLY keys of pretend identity providers (see `fixtures/issuers/README.md`):
//! published on purpose, so nothing but tests may trust them.

/// An RSA key playing an OIDC provider's signing key (`kid` `test-oidc`).
pub const RSA_OIDC_PRIVATE_PEM: &str = include_str!("../fixtures/issuers/rsa-oidc.key.pem");
pub const RSA_OIDC_PUBLIC_PEM: &str = include_str!("../fixtures/issuers/rsa-oidc.pub.pem");
/// Its public half as one JWK of a JWKS.
pub const RSA_OIDC_JWK: &str = include_str!("../fixtures/issuers/rsa-oidc.jwk.json");
/// Another RSA key: another issuer's, or an attacker's (`kid` `test-other`).
pub const RSA_OTHER_PRIVATE_PEM: &str = include_str!("../fixtures/issuers/rsa-other.key.pem");
pub const RSA_OTHER_PUBLIC_PEM: &str = include_str!("../fixtures/issuers/rsa-other.pub.pem");
pub const RSA_OTHER_JWK: &str = include_str!("../fixtures/issuers/rsa-other.jwk.json");
/// A P-256 key for ES256 issuers.
pub const EC_PRIVATE_PEM: &str = include_str!("../fixtures/issuers/ec.key.pem");
pub const EC_PUBLIC_PEM: &str = include_str!("../fixtures/issuers/ec.pub.pem");
