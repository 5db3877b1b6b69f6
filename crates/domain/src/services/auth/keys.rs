//! The user's OpenRouter key: decrypted in memory for a model call, and re-encrypted
//! under the current master key when the master key rotates.

use std::collections::BTreeSet;
use std::fmt;

use secrecy::SecretString;

use super::{AuthError, AuthService, unknown};
use crate::ports::{CipherError, SecretOwner};
use crate::{AccountRole, IssuerName, ModelName, StoredSecret, UserId, Username};

/// The operator's OpenRouter key (`OPENROUTER_SERVICE_KEY`), which answers for users
/// without a key of their own when their kind of account may use it. Usage is still
/// recorded per user; the key is only ever handed to the model call.
#[derive(Clone)]
pub struct ServiceKey {
    pub key: SecretString,
    /// Whether local accounts (registered here) may use it.
    pub local_users: bool,
    /// The trusted issuers whose users may use it.
    pub issuers: BTreeSet<IssuerName>,
}

impl ServiceKey {
    /// Whether a user of `issuer` (`None`: a local account) may use the key.
    pub fn serves(&self, issuer: Option<&IssuerName>) -> bool {
        match issuer {
            None => self.local_users,
            Some(issuer) => self.issuers.contains(issuer),
        }
    }
}

impl fmt::Debug for ServiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceKey")
            .field("local_users", &self.local_users)
            .field("issuers", &self.issuers)
            .finish_non_exhaustive()
    }
}

/// The user's credentials and choice for a model call.
#[derive(Debug)]
pub struct ModelAccess {
    pub username: Username,
    pub role: AccountRole,
    /// The OpenRouter key: the user's own, else the service key when the user may use
    /// it, else none (custom models need none).
    pub api_key: Option<SecretString>,
    pub default_model: Option<ModelName>,
    /// Whether the user lets chats recall and learn memories.
    pub memory_enabled: bool,
}

/// What a key rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RotationReport {
    /// Stored keys looked at.
    pub examined: u64,
    /// Keys re-encrypted under the current master key.
    pub rotated: u64,
    /// Keys that could not be opened with any configured master key.
    pub undecryptable: u64,
}

const ROTATION_PAGE: u32 = 200;

/// What model calls need of an account, as remembered between requests: the
/// OpenRouter key stays sealed here and is opened for each call.
#[derive(Debug, Clone)]
pub(super) struct AccountEntry {
    username: Username,
    role: AccountRole,
    openrouter_key: Option<StoredSecret>,
    default_model: Option<ModelName>,
    memory_enabled: bool,
    issuer: Option<IssuerName>,
}

impl AuthService {
    /// What a model call on the user's behalf needs: the OpenRouter key in clear (held
    /// only in memory for that call) and the user's default model.
    pub async fn model_access(&self, id: UserId) -> Result<ModelAccess, AuthError> {
        let account = self.account(id).await?;
        let api_key = account
            .openrouter_key
            .map(|stored| {
                self.ports
                    .cipher
                    .decrypt(SecretOwner::User(id), &stored.ciphertext)
                    .map_err(|error| match error {
                        CipherError::Undecryptable => {
                            tracing::warn!(user_id = %id, "stored OpenRouter key cannot be opened");
                            AuthError::KeyUnreadable
                        }
                        CipherError::Unknown(error) => unknown(error),
                    })
            })
            .transpose()?
            .or_else(|| {
                self.service_key
                    .as_ref()
                    .filter(|service| service.serves(account.issuer.as_ref()))
                    .map(|service| service.key.clone())
            });
        Ok(ModelAccess {
            username: account.username,
            role: account.role,
            api_key,
            default_model: account.default_model,
            memory_enabled: account.memory_enabled,
        })
    }

    /// The account as remembered under its current stamp, or else as stored (then
    /// remembered under the stamp read before it).
    async fn account(&self, id: UserId) -> Result<AccountEntry, AuthError> {
        let stamp = self.account_stamp(id).await;
        let read = async {
            let user = self.profile(id).await?;
            Ok(AccountEntry {
                username: user.username,
                role: user.role,
                openrouter_key: user.openrouter_key,
                default_model: user.default_model,
                memory_enabled: user.memory_enabled,
                issuer: user.issuer,
            })
        };
        self.accounts.get_or_load(id, stamp, self.now(), read).await
    }

    /// Re-encrypts every stored key sealed with an older master key. Safe to run while
    /// the service serves: a key the user changed meanwhile is left as the user set it.
    pub async fn rotate_keys(&self) -> Result<RotationReport, AuthError> {
        let mut report = RotationReport::default();
        let mut after = None;
        loop {
            let page = self
                .ports
                .users
                .stored_keys_after(after, ROTATION_PAGE)
                .await?;
            let Some((last, _)) = page.last() else {
                return Ok(report);
            };
            after = Some(*last);
            for (owner, stored) in page {
                report.examined += 1;
                if !self.ports.cipher.needs_rotation(&stored.ciphertext) {
                    continue;
                }
                let Ok(plaintext) = self
                    .ports
                    .cipher
                    .decrypt(SecretOwner::User(owner), &stored.ciphertext)
                else {
                    report.undecryptable += 1;
                    continue;
                };
                let replacement = StoredSecret {
                    ciphertext: self
                        .ports
                        .cipher
                        .encrypt(SecretOwner::User(owner), &plaintext)
                        .map_err(unknown)?,
                    hint: stored.hint.clone(),
                };
                if self
                    .ports
                    .users
                    .replace_key(owner, &stored, &replacement)
                    .await?
                {
                    self.renew_account_stamp(owner).await;
                    report.rotated += 1;
                }
            }
        }
    }
}
