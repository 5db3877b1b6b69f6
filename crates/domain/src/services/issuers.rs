//! Users of trusted issuers: a token of a configured issuer authenticates its subject,
//! which maps to one local user, created on first sight (role `user`, no password,
//! a username derived from the issuer and subject).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::ports::{
    Clock, ExternalIdentityStore, ExternalTokenError, ExternalTokenVerifier, StoreError,
};
use crate::services::ServiceError;
use crate::services::auth::{AuthError, Refusal};
use crate::{AccountRole, Credential, ExternalIdentity, PasswordHash, Principal, User, UserId};

/// How many identities a replica remembers before it starts over; the map never
/// changes once written, so forgetting only costs a database read.
const REMEMBERED: usize = 10_000;

/// The ports users of trusted issuers need.
#[derive(Clone)]
pub struct ExternalPorts {
    pub verifier: Arc<dyn ExternalTokenVerifier>,
    pub identities: Arc<dyn ExternalIdentityStore>,
    pub clock: Arc<dyn Clock>,
}

/// Signs in the users of trusted issuers.
pub struct ExternalSignIn {
    ports: ExternalPorts,
    known: Mutex<HashMap<ExternalIdentity, UserId>>,
}

impl ExternalSignIn {
    pub fn new(ports: ExternalPorts) -> Self {
        Self {
            ports,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// The caller of a token of a trusted issuer, or `None` when no trusted issuer
    /// recognises it (the caller then reports why its own check refused it).
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] for a token an issuer signed but that is not
    /// acceptable (expired, wrong `token_type`, bad subject); 503 when the issuer's keys
    /// or the identity map cannot be read.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, AuthError> {
        let identity = match self.ports.verifier.verify(token).await {
            Ok(identity) => identity,
            Err(ExternalTokenError::NotRecognised) => return Ok(None),
            Err(ExternalTokenError::Refused(refusal)) => {
                return Err(AuthError::Unauthorized(refusal));
            }
            Err(ExternalTokenError::Unavailable(cause)) => {
                return Err(ServiceError::Unavailable(cause).into());
            }
            Err(ExternalTokenError::Unknown(cause)) => {
                return Err(ServiceError::Unknown(cause).into());
            }
        };
        let user_id = self.local_user(&identity).await?;
        Ok(Some(Principal {
            user_id,
            credential: Credential::External(identity.issuer),
        }))
    }

    /// The local user of `identity`, created when first seen. Two first requests
    /// racing both try to create it; the loser finds the winner's.
    async fn local_user(&self, identity: &ExternalIdentity) -> Result<UserId, AuthError> {
        if let Some(id) = self.remembered(identity) {
            return Ok(id);
        }
        if let Some(id) = self.ports.identities.find_user(identity).await? {
            self.remember(identity, id);
            return Ok(id);
        }
        for readable in [true, false] {
            let user = self.new_user(identity, readable);
            match self.ports.identities.create_user(identity, &user).await {
                Ok(()) => {
                    tracing::info!(
                        user_id = %user.id,
                        issuer = %identity.issuer,
                        username = %user.username,
                        "user of a trusted issuer created"
                    );
                    self.remember(identity, user.id);
                    return Ok(user.id);
                }
                Err(StoreError::Duplicate) => {
                    if let Some(id) = self.ports.identities.find_user(identity).await? {
                        self.remember(identity, id);
                        return Ok(id);
                    }
                    // The readable name belongs to someone else; try the hashed one.
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(AuthError::Unauthorized(Refusal::Unacceptable))
    }

    fn new_user(&self, identity: &ExternalIdentity, readable: bool) -> User {
        let now = self.ports.clock.now();
        User {
            id: UserId::generate(),
            username: identity.username(readable),
            display_name: None,
            default_model: None,
            password_hash: PasswordHash::none(),
            openrouter_key: None,
            memory_enabled: true,
            role: AccountRole::User,
            issuer: Some(identity.issuer.clone()),
            created_at: now,
            updated_at: now,
        }
    }

    fn remembered(&self, identity: &ExternalIdentity) -> Option<UserId> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(identity)
            .copied()
    }

    fn remember(&self, identity: &ExternalIdentity, id: UserId) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= REMEMBERED {
            known.clear();
        }
        known.insert(identity.clone(), id);
    }
}
