//! [`PasswordHasher`] with bcrypt, run on tokio's blocking pool so a login never stalls
//! the async workers for the quarter second a cost-12 hash takes.

use async_trait::async_trait;
use polychat_domain::ports::PasswordHasher;
use polychat_domain::{Password, PasswordHash};
use secrecy::{ExposeSecret, SecretString};

/// The cost below which a hash is too cheap for production (OWASP); tests go lower.
pub const PRODUCTION_MIN_COST: u32 = 12;

/// The range of costs bcrypt accepts.
pub const VALID_COSTS: std::ops::RangeInclusive<u32> = 4..=31;

/// The cost was outside what bcrypt accepts.
#[derive(Debug, thiserror::Error)]
#[error("bcrypt cost must be 4-31, got {got}")]
pub struct CostError {
    got: u32,
}

/// Hashes with bcrypt at a fixed cost.
#[derive(Debug)]
pub struct BcryptHasher {
    cost: u32,
    /// A hash of a random password at `cost`: verifying against it costs what verifying
    /// a real one does, which is how an unknown username stays indistinguishable.
    dummy: PasswordHash,
}

impl BcryptHasher {
    /// Builds the hasher and its dummy hash; this hashes once, so call it at startup.
    ///
    /// # Errors
    /// A cost bcrypt does not accept, or a failure of the hash itself.
    pub fn new(cost: u32) -> Result<Self, anyhow::Error> {
        if !VALID_COSTS.contains(&cost) {
            return Err(CostError { got: cost }.into());
        }
        let dummy_password = uuid::Uuid::new_v4().to_string();
        let dummy = bcrypt::non_truncating_hash(dummy_password, cost)?;
        Ok(Self {
            cost,
            dummy: PasswordHash::new(dummy),
        })
    }

    pub fn cost(&self) -> u32 {
        self.cost
    }
}

/// Runs `work` on the blocking pool with a copy of the password that is wiped on drop.
///
/// bcrypt reads at most 72 bytes, and the bcrypt crate's `non_truncating_*` functions
/// count the NUL terminator they append, so they refuse a password of exactly 72 bytes
/// (which the contract accepts). The truncating `hash`/`verify` are used instead, with
/// the length checked here: at most 72 bytes, so all that can be dropped is the NUL.
async fn off_the_workers<T: Send + 'static>(
    password: &Password,
    work: impl FnOnce(&str) -> Result<T, bcrypt::BcryptError> + Send + 'static,
) -> Result<T, anyhow::Error> {
    if password.expose().len() > Password::MAX_BYTES {
        anyhow::bail!("password longer than bcrypt reads");
    }
    let password = SecretString::from(password.expose());
    let result = tokio::task::spawn_blocking(move || work(password.expose_secret())).await?;
    Ok(result?)
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, anyhow::Error> {
        let cost = self.cost;
        let encoded = off_the_workers(password, move |pw| bcrypt::hash(pw, cost)).await?;
        Ok(PasswordHash::new(encoded))
    }

    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, anyhow::Error> {
        let known = hash.is_some();
        let encoded = hash.unwrap_or(&self.dummy).as_str().to_owned();
        let matches = off_the_workers(password, move |pw| bcrypt::verify(pw, &encoded)).await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse("password", text).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_are_salted() {
        let hasher = BcryptHasher::new(4).unwrap();
        let right = password("correct horse battery");
        let first = hasher.hash(&right).await.unwrap();
        let second = hasher.hash(&right).await.unwrap();
        assert!(first.as_str().starts_with("$2b$04$"));
        assert_ne!(first, second);
        assert!(hasher.verify(&right, Some(&first)).await.unwrap());
        assert!(hasher.verify(&right, Some(&second)).await.unwrap());
        assert!(
            !hasher
                .verify(&password("wrong horse battery"), Some(&first))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn every_one_of_72_bytes_counts() {
        let hasher = BcryptHasher::new(4).unwrap();
        let longest = "é".repeat(36);
        assert_eq!(longest.len(), Password::MAX_BYTES);
        let hash = hasher.hash(&password(&longest)).await.unwrap();
        assert!(
            hasher
                .verify(&password(&longest), Some(&hash))
                .await
                .unwrap()
        );
        // Differing only in the last byte: a truncation would let this one in.
        // ("é" is C3 A9, "è" is C3 A8.)
        let last_differs = "é".repeat(35) + "è";
        assert_eq!(last_differs.len(), Password::MAX_BYTES);
        assert!(
            !hasher
                .verify(&password(&last_differs), Some(&hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_user_is_always_refused() {
        let hasher = BcryptHasher::new(4).unwrap();
        assert!(
            !hasher
                .verify(&password("whatever you like"), None)
                .await
                .unwrap()
        );
        assert!(hasher.dummy.as_str().starts_with("$2b$04$"));
    }

    #[tokio::test]
    async fn malformed_stored_hash_is_an_error_not_a_match() {
        let hasher = BcryptHasher::new(4).unwrap();
        let broken = PasswordHash::new("not a bcrypt hash".to_owned());
        assert!(
            hasher
                .verify(&password("correct horse"), Some(&broken))
                .await
                .is_err()
        );
    }

    #[test]
    fn cost_out_of_range_is_refused() {
        assert!(BcryptHasher::new(3).is_err());
        assert!(BcryptHasher::new(32).is_err());
        assert_eq!(BcryptHasher::new(4).unwrap().cost(), 4);
    }
}
