//! An issuer's JWKS: fetched from its configured URL only, cached, fetched again when
//! it grows old or a token names a key it does not hold, but never more often than the
//! issuer's minimum refresh interval, so tokens with made-up `kid`s cannot make this
//! service hammer the provider.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};
use polychat_domain::ports::ExternalTokenError;
use tokio::sync::Mutex;
use url::Url;

/// A JWKS larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// The whole fetch must end in this time.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

struct Fetched {
    keys: Vec<(Option<String>, DecodingKey)>,
    at: Instant,
}

#[derive(Default)]
struct State {
    fetched: Option<Fetched>,
    last_attempt: Option<Instant>,
}

/// The cached keys of one issuer.
pub(super) struct Jwks {
    url: Url,
    algorithm: Algorithm,
    min_refresh: Duration,
    max_age: Duration,
    client: reqwest::Client,
    state: Mutex<State>,
}

impl Jwks {
    pub(super) fn new(
        url: Url,
        algorithm: Algorithm,
        min_refresh: Duration,
        max_age: Duration,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the JWKS client")?;
        Ok(Self {
            url,
            algorithm,
            min_refresh,
            max_age,
            client,
            state: Mutex::new(State::default()),
        })
    }

    /// The keys a token with this `kid` may be signed with (every key for a token
    /// without one).
    pub(super) async fn keys(
        &self,
        kid: Option<&str>,
    ) -> Result<Vec<DecodingKey>, ExternalTokenError> {
        let mut state = self.state.lock().await;
        let old = state
            .fetched
            .as_ref()
            .is_none_or(|fetched| fetched.at.elapsed() >= self.max_age);
        let unknown_kid = kid.is_some_and(|kid| {
            state.fetched.as_ref().is_some_and(|fetched| {
                !fetched
                    .keys
                    .iter()
                    .any(|(id, _)| id.as_deref() == Some(kid))
            })
        });
        let may_fetch = state
            .last_attempt
            .is_none_or(|at| at.elapsed() >= self.min_refresh);
        if (old || unknown_kid) && may_fetch {
            state.last_attempt = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    tracing::info!(url = %self.url, keys = keys.len(), "JWKS fetched");
                    state.fetched = Some(Fetched {
                        keys,
                        at: Instant::now(),
                    });
                }
                Err(error) => {
                    tracing::warn!(url = %self.url, error = format!("{error:#}"), "JWKS fetch failed");
                    if state.fetched.is_none() {
                        return Err(ExternalTokenError::Unavailable(error));
                    }
                }
            }
        }
        let Some(fetched) = &state.fetched else {
            return Err(ExternalTokenError::Unavailable(anyhow::anyhow!(
                "the JWKS of {} was not fetched yet",
                self.url
            )));
        };
        Ok(fetched
            .keys
            .iter()
            .filter(|(id, _)| kid.is_none() || id.as_deref() == kid)
            .map(|(_, key)| key.clone())
            .collect())
    }

    async fn fetch(&self) -> anyhow::Result<Vec<(Option<String>, DecodingKey)>> {
        let mut response = self
            .client
            .get(self.url.clone())
            .send()
            .await
            .context("requesting the JWKS")?
            .error_for_status()
            .context("the JWKS answer")?;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.context("reading the JWKS")? {
            body.extend_from_slice(&chunk);
            anyhow::ensure!(
                body.len() <= MAX_JWKS_BYTES,
                "the JWKS exceeds {MAX_JWKS_BYTES} bytes"
            );
        }
        let set: JwkSet = serde_json::from_slice(&body).context("the JWKS is not a JWK set")?;
        Ok(set
            .keys
            .iter()
            .filter(|jwk| self.fits(jwk))
            .filter_map(|jwk| {
                DecodingKey::from_jwk(jwk)
                    .ok()
                    .map(|key| (jwk.common.key_id.clone(), key))
            })
            .collect())
    }

    /// Whether `jwk` is a signing key of the pinned algorithm; others are ignored.
    fn fits(&self, jwk: &Jwk) -> bool {
        let signing = matches!(
            jwk.common.public_key_use,
            None | Some(PublicKeyUse::Signature)
        );
        let algorithm = match (self.algorithm, jwk.common.key_algorithm) {
            (_, None) => true,
            (Algorithm::RS256, Some(declared)) => declared == KeyAlgorithm::RS256,
            (Algorithm::ES256, Some(declared)) => declared == KeyAlgorithm::ES256,
            _ => false,
        };
        let kind = match (&jwk.algorithm, self.algorithm) {
            (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
            (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
                ec.curve == EllipticCurve::P256
            }
            _ => false,
        };
        signing && algorithm && kind
    }
}
