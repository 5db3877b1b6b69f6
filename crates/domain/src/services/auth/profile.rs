//! Registration and profile changes.

use secrecy::{ExposeSecret, SecretString};

use super::{AuthError, AuthService, Refusal, unknown};
use crate::ports::{KeyVerdict, SecretOwner, StoreError, UserUpdate};
use crate::{
    AccountRole, DisplayName, ModelName, Password, StoredSecret, User, UserId, Username,
    ValidationError,
};

/// What a new user gives at registration.
#[derive(Debug)]
pub struct Registration {
    pub username: String,
    pub password: SecretString,
    pub display_name: Option<String>,
    pub openrouter_api_key: Option<SecretString>,
}

/// A profile change; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub display_name: Option<Option<String>>,
    pub default_model: Option<Option<String>>,
    pub openrouter_api_key: Option<Option<SecretString>>,
    pub memory_enabled: Option<bool>,
    pub current_password: Option<SecretString>,
    pub new_password: Option<SecretString>,
    /// The session making the change: a new password ends every other one.
    pub session: Option<uuid::Uuid>,
}

/// An account as saved, and what could not be checked about it.
#[derive(Debug)]
pub struct SavedAccount {
    pub user: User,
    /// Why the OpenRouter key given was stored without OpenRouter saying it knows it.
    pub key_unchecked: Option<String>,
}

const MAX_KEY_CHARS: usize = 512;

fn parse_api_key(key: &SecretString) -> Result<&SecretString, ValidationError> {
    let text = key.expose_secret();
    let valid = !text.is_empty()
        && text.chars().count() <= MAX_KEY_CHARS
        && text.chars().all(|c| c.is_ascii_graphic());
    if valid {
        Ok(key)
    } else {
        Err(ValidationError::new(
            "openrouter_api_key",
            format!("must be 1-{MAX_KEY_CHARS} printable ASCII characters without spaces"),
        ))
    }
}

/// A model name under the profile's own field name, so a 422 names `default_model`.
fn parse_default_model(text: &str) -> Result<ModelName, ValidationError> {
    ModelName::parse(text).map_err(|error| ValidationError::new("default_model", error.reason))
}

impl AuthService {
    /// Creates the account. A key is first shown to OpenRouter: one it refuses is
    /// [`AuthError::KeyRejected`]; one it could not be asked about is stored, and the
    /// answer says so.
    pub async fn register(&self, registration: Registration) -> Result<SavedAccount, AuthError> {
        let username = Username::parse(&registration.username)?;
        let canonical = username.canonical();
        let reserved = canonical
            .split_once('.')
            .is_some_and(|(prefix, _)| self.issuers.iter().any(|i| i.as_str() == prefix));
        if reserved {
            return Err(ValidationError::new(
                "username",
                "is reserved for the users of a trusted issuer; choose another",
            )
            .into());
        }
        let password = Password::parse("password", registration.password.expose_secret())?;
        let display_name = registration
            .display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()?;
        let key = registration
            .openrouter_api_key
            .as_ref()
            .map(parse_api_key)
            .transpose()?;

        let key_unchecked = match key {
            Some(key) => self.check_key(key).await?,
            None => None,
        };
        let id = UserId::generate();
        let openrouter_key = key.map(|key| self.seal(id, key)).transpose()?;
        let password_hash = self.ports.hasher.hash(&password).await.map_err(unknown)?;
        let now = self.ports.clock.now();
        let user = User {
            id,
            username,
            display_name,
            default_model: None,
            password_hash,
            openrouter_key,
            memory_enabled: true,
            role: AccountRole::User,
            issuer: None,
            created_at: now,
            updated_at: now,
        };
        match self.ports.users.create(&user).await {
            Ok(()) => Ok(SavedAccount {
                user,
                key_unchecked,
            }),
            Err(StoreError::Duplicate) => Err(AuthError::UsernameTaken),
            Err(error) => Err(error.into()),
        }
    }

    /// Gives `username` the role (the `polychat admin grant|revoke` command; no route
    /// can do this). Returns the user as stored afterwards.
    pub async fn set_role(&self, username: &str, role: AccountRole) -> Result<User, AuthError> {
        let username = Username::parse(username)?;
        let user = self
            .ports
            .users
            .find_by_username(&username)
            .await?
            .ok_or(AuthError::UnknownUser)?;
        let update = UserUpdate {
            role: Some(role),
            ..UserUpdate::default()
        };
        let user = self
            .ports
            .users
            .update(user.id, update)
            .await?
            .ok_or(AuthError::UnknownUser)?;
        self.renew_account_stamp(user.id).await;
        Ok(user)
    }

    /// Ends every session of `username` (an admin's forced logout); the user and how
    /// many sessions were ended.
    pub async fn log_out_everywhere(&self, username: &str) -> Result<(User, usize), AuthError> {
        let username = Username::parse(username)?;
        let user = self
            .ports
            .users
            .find_by_username(&username)
            .await?
            .ok_or(AuthError::UnknownUser)?;
        let ended = self.end_sessions(user.id, None).await?;
        Ok((user, ended))
    }

    pub async fn profile(&self, id: UserId) -> Result<User, AuthError> {
        self.ports
            .users
            .find_by_id(id)
            .await?
            .ok_or(AuthError::Unauthorized(Refusal::Revoked))
    }

    /// Applies profile changes. A new password needs the current one, checked under the
    /// same throttle as logins; a new key is checked as at registration, last.
    pub async fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
    ) -> Result<SavedAccount, AuthError> {
        let user = self.profile(id).await?;
        let mut update = UserUpdate {
            display_name: changes
                .display_name
                .map(|name| name.as_deref().map(DisplayName::parse).transpose())
                .transpose()?,
            default_model: changes
                .default_model
                .map(|model| model.as_deref().map(parse_default_model).transpose())
                .transpose()?,
            memory_enabled: changes.memory_enabled,
            ..UserUpdate::default()
        };
        let new_key = match &changes.openrouter_api_key {
            Some(Some(key)) => Some(parse_api_key(key)?),
            _ => None,
        };
        let password_changed = changes.new_password.is_some();
        if let Some(new_password) = changes.new_password {
            let new_password = Password::parse("new_password", new_password.expose_secret())?;
            self.check_current_password(&user, changes.current_password)
                .await?;
            let hash = self
                .ports
                .hasher
                .hash(&new_password)
                .await
                .map_err(unknown)?;
            update.password_hash = Some(hash);
        }
        let mut key_unchecked = None;
        if changes.openrouter_api_key.is_some() {
            update.openrouter_key = Some(match new_key {
                Some(key) => {
                    key_unchecked = self.check_key(key).await?;
                    Some(self.seal(id, key)?)
                }
                None => None,
            });
        }
        let user = self
            .ports
            .users
            .update(id, update)
            .await?
            .ok_or(AuthError::Unauthorized(Refusal::Revoked))?;
        self.renew_account_stamp(id).await;
        if password_changed {
            let ended = self.end_sessions(id, changes.session).await?;
            tracing::info!(user_id = %id, ended, "password changed; other sessions ended");
        }
        Ok(SavedAccount {
            user,
            key_unchecked,
        })
    }

    /// OpenRouter's word on a key about to be stored: `Err` when it refuses it, and why
    /// it was not asked when it could not be.
    async fn check_key(&self, key: &SecretString) -> Result<Option<String>, AuthError> {
        match self.ports.key_check.check(key).await {
            KeyVerdict::Accepted => Ok(None),
            KeyVerdict::Rejected => Err(AuthError::KeyRejected),
            KeyVerdict::Unchecked(why) => {
                tracing::warn!(reason = %why, "OpenRouter key stored unchecked");
                Ok(Some(why))
            }
        }
    }

    async fn check_current_password(
        &self,
        user: &User,
        current: Option<SecretString>,
    ) -> Result<(), AuthError> {
        let missing =
            || ValidationError::new("current_password", "is required to change the password");
        let current = current.ok_or_else(missing)?;
        let current = Password::parse("current_password", current.expose_secret())
            .map_err(|_| ValidationError::new("current_password", "does not match"))?;
        let throttle_keys = [
            format!("login:user:{}", user.username.canonical()),
            format!("password-change:{}", user.id),
        ];
        self.refuse_if_throttled(&throttle_keys, 0).await?;
        let matches = self
            .ports
            .hasher
            .verify(
                &current,
                Some(&user.password_hash).filter(|hash| hash.is_usable()),
            )
            .await
            .map_err(unknown)?;
        if matches {
            Ok(())
        } else {
            self.refuse_if_throttled(&throttle_keys, 1).await?;
            Err(ValidationError::new("current_password", "does not match").into())
        }
    }

    fn seal(&self, owner: UserId, key: &SecretString) -> Result<StoredSecret, AuthError> {
        let ciphertext = self
            .ports
            .cipher
            .encrypt(SecretOwner::User(owner), key)
            .map_err(unknown)?;
        Ok(StoredSecret {
            ciphertext,
            hint: StoredSecret::hint_for(key),
        })
    }
}
