//! The trusted-issuers file (`TRUSTED_ISSUERS_FILE`, TOML): one `[issuers.<name>]`
//! table per issuer, read and checked once at startup.
//!
//! ```toml
//! [issuers.backoffice]          # Django REST framework SIMPLE_JWT
//! algorithm = "HS256"
//! secret_file = "/run/secrets/django_signing_key"   # or `secret = "..."`
//! token_type = "access"
//! allow_service_key = true
//!
//! [issuers.sso]                 # an OIDC provider
//! algorithm = "RS256"
//! jwks_url = "https://sso.example.com/.well-known/jwks.json"   # or public_key(_file)
//! issuer = "https://sso.example.com/"
//! audience = "polychat"
//! subject_claim = "sub"
//! ```

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey};
use polychat_domain::IssuerName;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::tokens::{MAX_LEEWAY, MIN_SECRET_BYTES};

/// The default claim naming the subject, as `SIMPLE_JWT` issues it.
pub const DEFAULT_SUBJECT_CLAIM: &str = "user_id";
/// How often a JWKS may be fetched again for a key it did not have.
pub const DEFAULT_JWKS_MIN_REFRESH: Duration = Duration::from_mins(1);
/// How long a fetched JWKS is used before it is fetched again.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_hours(1);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    issuers: BTreeMap<String, FileIssuer>,
}

/// An issuer as written; no `Debug`, since it may hold a secret.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIssuer {
    algorithm: String,
    secret: Option<String>,
    secret_file: Option<PathBuf>,
    public_key: Option<String>,
    public_key_file: Option<PathBuf>,
    jwks_url: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    subject_claim: Option<String>,
    token_type: Option<String>,
    token_type_claim: Option<String>,
    leeway_seconds: Option<u64>,
    jwks_min_refresh_seconds: Option<u64>,
    jwks_max_age_seconds: Option<u64>,
    #[serde(default)]
    allow_service_key: bool,
}

/// Where an issuer's verification keys come from.
#[derive(Clone)]
pub enum KeySource {
    /// One fixed key: an HS256 secret or an RS256/ES256 public key.
    Fixed(DecodingKey),
    /// A JWKS fetched from this URL and cached.
    Jwks {
        url: Url,
        min_refresh: Duration,
        max_age: Duration,
    },
}

/// One trusted issuer, checked.
#[derive(Clone)]
pub struct IssuerConfig {
    pub name: IssuerName,
    /// The only algorithm its tokens may use.
    pub algorithm: Algorithm,
    pub keys: KeySource,
    /// The `iss` its tokens must carry, when set.
    pub issuer: Option<String>,
    /// The `aud` its tokens must carry, when set.
    pub audience: Option<String>,
    pub subject_claim: String,
    /// The value the `token_type_claim` must have, when set.
    pub token_type: Option<String>,
    pub token_type_claim: String,
    pub leeway: Duration,
    /// Whether its users without an OpenRouter key may use the service key.
    pub allow_service_key: bool,
}

impl std::fmt::Debug for IssuerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerConfig")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("subject_claim", &self.subject_claim)
            .field("token_type", &self.token_type)
            .field("allow_service_key", &self.allow_service_key)
            .finish_non_exhaustive()
    }
}

/// What is wrong with the issuers file, naming the issuer and field.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IssuersFileError(String);

fn problem(name: &str, text: impl std::fmt::Display) -> IssuersFileError {
    IssuersFileError(format!("issuer {name:?}: {text}"))
}

/// Reads and checks the issuers file at `path`; relative `*_file` paths are read
/// from the file's folder.
///
/// # Errors
/// The file cannot be read, is not valid TOML of this shape, or an issuer's settings
/// are unsafe or incomplete.
pub fn load_issuers(path: &Path) -> Result<Vec<IssuerConfig>, IssuersFileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| IssuersFileError(format!("cannot read {}: {error}", path.display())))?;
    parse_issuers(&text, path.parent().unwrap_or(Path::new(".")))
}

/// Parses the issuers file's `text`; relative `*_file` paths are read from `folder`.
///
/// # Errors
/// As [`load_issuers`].
pub fn parse_issuers(text: &str, folder: &Path) -> Result<Vec<IssuerConfig>, IssuersFileError> {
    let file: File =
        toml::from_str(text).map_err(|error| IssuersFileError(format!("not valid: {error}")))?;
    file.issuers
        .into_iter()
        .map(|(name, issuer)| issuer.check(&name, folder))
        .collect()
}

fn read(folder: &Path, path: &Path, name: &str, field: &str) -> Result<String, IssuersFileError> {
    let path = folder.join(path);
    std::fs::read_to_string(&path)
        .map(|text| text.trim_end_matches(['\r', '\n']).to_owned())
        .map_err(|error| {
            problem(
                name,
                format!("{field}: cannot read {}: {error}", path.display()),
            )
        })
}

/// A JWKS URL: https, or http to a loopback address only (a provider on the same
/// host, or a test's).
fn jwks_url(name: &str, text: &str) -> Result<Url, IssuersFileError> {
    let url = Url::parse(text).map_err(|error| problem(name, format!("jwks_url: {error}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(host)) => host == "localhost",
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(problem(
            name,
            "jwks_url must be https (http only to a loopback address)",
        )),
    }
}

fn seconds(value: Option<u64>, default: Duration) -> Duration {
    value.map_or(default, Duration::from_secs)
}

impl FileIssuer {
    fn check(self, name: &str, folder: &Path) -> Result<IssuerConfig, IssuersFileError> {
        let issuer_name = IssuerName::parse(name).map_err(|error| problem(name, error.reason))?;
        let algorithm = match self.algorithm.as_str() {
            "HS256" => Algorithm::HS256,
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            other => {
                return Err(problem(
                    name,
                    format!("algorithm {other:?}: must be HS256, RS256 or ES256"),
                ));
            }
        };
        let keys = self.keys(name, algorithm, folder)?;
        let leeway = seconds(self.leeway_seconds, MAX_LEEWAY);
        if leeway > MAX_LEEWAY {
            return Err(problem(name, "leeway_seconds must be at most 30"));
        }
        let non_empty = |field: &str, value: Option<String>| match value {
            Some(text) if text.trim().is_empty() => Err(problem(name, format!("{field} is empty"))),
            other => Ok(other),
        };
        Ok(IssuerConfig {
            name: issuer_name,
            algorithm,
            keys,
            issuer: non_empty("issuer", self.issuer)?,
            audience: non_empty("audience", self.audience)?,
            subject_claim: non_empty("subject_claim", self.subject_claim)?
                .unwrap_or_else(|| DEFAULT_SUBJECT_CLAIM.to_owned()),
            token_type: non_empty("token_type", self.token_type)?,
            token_type_claim: non_empty("token_type_claim", self.token_type_claim)?
                .unwrap_or_else(|| "token_type".to_owned()),
            leeway,
            allow_service_key: self.allow_service_key,
        })
    }

    fn keys(
        &self,
        name: &str,
        algorithm: Algorithm,
        folder: &Path,
    ) -> Result<KeySource, IssuersFileError> {
        let secret = match (&self.secret, &self.secret_file) {
            (Some(secret), None) => Some(SecretString::from(secret.as_str())),
            (None, Some(path)) => {
                Some(SecretString::from(read(folder, path, name, "secret_file")?))
            }
            (None, None) => None,
            (Some(_), Some(_)) => return Err(problem(name, "set secret or secret_file, not both")),
        };
        let pem = match (&self.public_key, &self.public_key_file) {
            (Some(pem), None) => Some(pem.clone()),
            (None, Some(path)) => Some(read(folder, path, name, "public_key_file")?),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(problem(name, "set public_key or public_key_file, not both"));
            }
        };
        let invalid_key = |error: jsonwebtoken::errors::Error| {
            problem(
                name,
                format!("public key is not a {algorithm:?} PEM key: {error}"),
            )
        };
        match (algorithm, secret, pem, &self.jwks_url) {
            (Algorithm::HS256, Some(secret), None, None) => {
                let bytes = secret.expose_secret().as_bytes();
                if bytes.len() < MIN_SECRET_BYTES {
                    return Err(problem(
                        name,
                        format!("an HS256 secret must be at least {MIN_SECRET_BYTES} bytes"),
                    ));
                }
                Ok(KeySource::Fixed(DecodingKey::from_secret(bytes)))
            }
            (Algorithm::HS256, ..) => Err(problem(
                name,
                "HS256 takes a secret (or secret_file) and nothing else",
            )),
            (_, Some(_), ..) => Err(problem(
                name,
                "a shared secret is only for HS256; RS256 and ES256 take a public key or jwks_url",
            )),
            (Algorithm::RS256, None, Some(pem), None) => DecodingKey::from_rsa_pem(pem.as_bytes())
                .map(KeySource::Fixed)
                .map_err(invalid_key),
            (_, None, Some(pem), None) => DecodingKey::from_ec_pem(pem.as_bytes())
                .map(KeySource::Fixed)
                .map_err(invalid_key),
            (_, None, None, Some(url)) => Ok(KeySource::Jwks {
                url: jwks_url(name, url)?,
                min_refresh: seconds(self.jwks_min_refresh_seconds, DEFAULT_JWKS_MIN_REFRESH),
                max_age: seconds(self.jwks_max_age_seconds, DEFAULT_JWKS_MAX_AGE),
            }),
            _ => Err(problem(
                name,
                "set exactly one of public_key, public_key_file or jwks_url",
            )),
        }
    }
}
