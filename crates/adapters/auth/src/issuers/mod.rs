//! [`ExternalTokenVerifier`] over the trusted issuers of the issuers file: each issuer's
//! algorithm is pinned (a token whose header names another one is never checked with
//! that issuer's key, so an RS256 public key can never serve as an HS256 secret), its
//! keys are fixed or come from its JWKS, and its claims are checked as configured
//! (`exp` always; `iss`, `aud` and `token_type` when set; the subject claim a string or
//! an integer).

mod config;
mod jwks;

use async_trait::async_trait;
use chrono::Utc;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{DecodingKey, Validation};
use polychat_domain::ports::{ExternalTokenError, ExternalTokenVerifier};
use polychat_domain::services::auth::Refusal;
use polychat_domain::{ExternalIdentity, ExternalSubject, IssuerName};
use serde::Deserialize;
use serde_json::{Map, Value};

pub use config::{
    DEFAULT_JWKS_MAX_AGE, DEFAULT_JWKS_MIN_REFRESH, DEFAULT_SUBJECT_CLAIM, IssuerConfig,
    IssuersFileError, KeySource, load_issuers, parse_issuers,
};
use jwks::Jwks;

/// The keys of one issuer, as held at run time.
enum Keys {
    Fixed(DecodingKey),
    Jwks(Jwks),
}

struct Issuer {
    config: IssuerConfig,
    keys: Keys,
    validation: Validation,
}

/// The configured trusted issuers, in the file's order (by name).
pub struct TrustedIssuers {
    issuers: Vec<Issuer>,
}

impl std::fmt::Debug for TrustedIssuers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.issuers.iter().map(|issuer| &issuer.config))
            .finish()
    }
}

/// What is looked at before any signature is checked, to pick the issuers to try.
#[derive(Deserialize)]
struct Unverified {
    iss: Option<Value>,
}

impl TrustedIssuers {
    /// # Errors
    /// A JWKS client that cannot be built.
    pub fn new(configs: Vec<IssuerConfig>) -> anyhow::Result<Self> {
        let issuers = configs
            .into_iter()
            .map(|config| {
                let keys = match &config.keys {
                    KeySource::Fixed(key) => Keys::Fixed(key.clone()),
                    KeySource::Jwks {
                        url,
                        min_refresh,
                        max_age,
                    } => Keys::Jwks(Jwks::new(
                        url.clone(),
                        config.algorithm,
                        *min_refresh,
                        *max_age,
                    )?),
                };
                Ok(Issuer {
                    validation: validation(&config),
                    keys,
                    config,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { issuers })
    }

    /// The names of the issuers whose users may use the service key.
    pub fn service_key_issuers(&self) -> impl Iterator<Item = &IssuerName> {
        self.issuers
            .iter()
            .filter(|issuer| issuer.config.allow_service_key)
            .map(|issuer| &issuer.config.name)
    }

    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty()
    }
}

fn validation(config: &IssuerConfig) -> Validation {
    let mut validation = Validation::new(config.algorithm);
    validation.leeway = config.leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    let mut required = vec!["exp"];
    match &config.audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        None => validation.validate_aud = false,
    }
    if let Some(issuer) = &config.issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    validation.set_required_spec_claims(&required);
    validation
}

/// How one key's check of a token ended.
enum Checked {
    /// Not signed with this key: try the next.
    OtherKey,
    Done(Result<ExternalIdentity, ExternalTokenError>),
}

impl Issuer {
    /// Whether this issuer may have issued a token with this header and `iss`.
    fn may_have_issued(&self, header: &jsonwebtoken::Header, iss: Option<&Value>) -> bool {
        if header.alg != self.config.algorithm {
            return false;
        }
        match &self.config.issuer {
            Some(expected) => iss.and_then(Value::as_str) == Some(expected.as_str()),
            None => true,
        }
    }

    async fn candidate_keys(
        &self,
        kid: Option<&str>,
    ) -> Result<Vec<DecodingKey>, ExternalTokenError> {
        match &self.keys {
            Keys::Fixed(key) => Ok(vec![key.clone()]),
            Keys::Jwks(jwks) => jwks.keys(kid).await,
        }
    }

    fn check(&self, token: &str, key: &DecodingKey) -> Checked {
        let claims = match jsonwebtoken::decode::<Map<String, Value>>(token, key, &self.validation)
        {
            Ok(data) => data.claims,
            Err(error) => {
                return match error.kind() {
                    ErrorKind::InvalidSignature
                    | ErrorKind::InvalidAlgorithm
                    | ErrorKind::InvalidKeyFormat
                    | ErrorKind::InvalidEcdsaKey
                    | ErrorKind::InvalidRsaKey(_) => Checked::OtherKey,
                    ErrorKind::ExpiredSignature => {
                        Checked::Done(Err(ExternalTokenError::Refused(Refusal::Expired)))
                    }
                    _ => {
                        tracing::debug!(issuer = %self.config.name, error = %error, "token of a trusted issuer refused");
                        Checked::Done(Err(ExternalTokenError::Refused(Refusal::Unacceptable)))
                    }
                };
            }
        };
        Checked::Done(self.identity(&claims))
    }

    /// The identity the verified `claims` name, if they are what the issuer's
    /// configuration asks for.
    fn identity(
        &self,
        claims: &Map<String, Value>,
    ) -> Result<ExternalIdentity, ExternalTokenError> {
        let refuse = |refusal, why: &str| {
            tracing::debug!(issuer = %self.config.name, why, "token of a trusted issuer refused");
            Err(ExternalTokenError::Refused(refusal))
        };
        if let Some(expected) = &self.config.token_type {
            let actual = claims
                .get(&self.config.token_type_claim)
                .and_then(Value::as_str);
            if actual != Some(expected.as_str()) {
                return refuse(Refusal::WrongKind, "token type");
            }
        }
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        let future = claims
            .get("iat")
            .and_then(Value::as_u64)
            .is_some_and(|iat| iat > now.saturating_add(self.config.leeway.as_secs()));
        if future {
            return refuse(Refusal::Unacceptable, "issued in the future");
        }
        let subject = match claims.get(&self.config.subject_claim) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) if number.is_i64() || number.is_u64() => number.to_string(),
            _ => {
                return refuse(
                    Refusal::Unacceptable,
                    "subject missing or not a string or integer",
                );
            }
        };
        let Ok(subject) = ExternalSubject::parse(&subject) else {
            return refuse(
                Refusal::Unacceptable,
                "subject empty, too long or unprintable",
            );
        };
        Ok(ExternalIdentity {
            issuer: self.config.name.clone(),
            subject,
        })
    }
}

#[async_trait]
impl ExternalTokenVerifier for TrustedIssuers {
    async fn verify(&self, token: &str) -> Result<ExternalIdentity, ExternalTokenError> {
        // `alg: none` and any other algorithm jsonwebtoken does not know fail here.
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return Err(ExternalTokenError::NotRecognised);
        };
        let iss = jsonwebtoken::dangerous::insecure_decode::<Unverified>(token)
            .ok()
            .and_then(|data| data.claims.iss);
        for issuer in &self.issuers {
            if !issuer.may_have_issued(&header, iss.as_ref()) {
                continue;
            }
            for key in issuer.candidate_keys(header.kid.as_deref()).await? {
                if let Checked::Done(result) = issuer.check(token, &key) {
                    return result;
                }
            }
        }
        Err(ExternalTokenError::NotRecognised)
    }
}

#[cfg(test)]
mod tests;
