//! Sessions: login (throttled on failures), authentication of access tokens, refresh
//! with rotation and replay detection, and logout.

use std::time::Duration;

use chrono::TimeDelta;
use uuid::Uuid;

use super::{AuthError, AuthService, Refusal, unknown};
use crate::ports::{
    AccessClaims, Budget, RateDecision, Rotation, Session, TokenError, TokenKind, TokenPair,
};
use crate::services::at_least_a_millisecond;
use crate::{Password, Username};

impl AuthService {
    /// Checks credentials and starts a new session (refresh chain).
    ///
    /// Unknown users and wrong passwords fail identically, after the same hashing work.
    /// Failed attempts count against the username and the client address.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client_address: &str,
    ) -> Result<TokenPair, AuthError> {
        let username = Username::parse(username)?;
        let password = Password::parse("password", password)?;
        let throttle_keys = [
            format!("login:user:{}", username.canonical()),
            format!("login:addr:{client_address}"),
        ];
        self.refuse_if_throttled(&throttle_keys, 0).await?;

        let user = self.ports.users.find_by_username(&username).await?;
        // An account without a password is checked against the dummy hash, as an
        // unknown user is, so it answers the same, in the same time.
        let hash = user
            .as_ref()
            .map(|u| &u.password_hash)
            .filter(|hash| hash.is_usable());
        let matches = self
            .ports
            .hasher
            .verify(&password, hash)
            .await
            .map_err(unknown)?;
        match user {
            Some(user) if matches => self.start_session(user.id).await,
            _ => {
                self.refuse_if_throttled(&throttle_keys, 1).await?;
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    /// Spends `cost` of each budget (0 only looks) and refuses when one is exhausted.
    /// A limiter that fails does not block logins (the production limiter falls back
    /// to a per-process budget before it ever fails).
    pub(super) async fn refuse_if_throttled(
        &self,
        keys: &[String],
        cost: u32,
    ) -> Result<(), AuthError> {
        let quotas = [self.policy.per_username, self.policy.per_address];
        let mut longest: Option<Duration> = None;
        for (key, quota) in keys.iter().zip(quotas) {
            match self.ports.limiter.acquire(key, quota, cost).await {
                Ok(RateDecision::Allowed) => {}
                Ok(RateDecision::Limited { retry_after }) => {
                    longest = Some(longest.map_or(retry_after, |l| l.max(retry_after)));
                }
                Err(error) => {
                    tracing::warn!(error = %error, "login throttle unavailable; attempt not counted");
                }
            }
        }
        match longest {
            Some(retry_after) => {
                self.ports.telemetry.rate_limited(Budget::Login);
                Err(AuthError::TooManyAttempts {
                    retry_after: at_least_a_millisecond(retry_after),
                })
            }
            None => Ok(()),
        }
    }

    /// Verifies an access token and checks it has not been revoked.
    ///
    /// When the denylist cannot be reached the token is accepted on its signature and
    /// expiry alone (at most the access lifetime of exposure) rather than failing every
    /// request; refreshing, which mints new tokens, fails closed instead.
    pub async fn authenticate(&self, token: &str) -> Result<AccessClaims, AuthError> {
        let claims = self.verify(token, TokenKind::Access)?;
        match self
            .ports
            .denylist
            .is_revoked(claims.jti, claims.family)
            .await
        {
            Ok(false) => Ok(claims),
            Ok(true) => Err(AuthError::Unauthorized(Refusal::Revoked)),
            Err(error) => {
                tracing::warn!(error = %error, "token denylist unavailable; revocation not checked");
                Ok(claims)
            }
        }
    }

    /// A new session (refresh chain) of `user`, recorded before its tokens are given.
    async fn start_session(&self, user: crate::UserId) -> Result<TokenPair, AuthError> {
        let pair = self.issue(user, Uuid::new_v4())?;
        self.ports
            .sessions
            .start(&Session {
                family: pair.refresh.family,
                user,
                next_refresh: pair.refresh.jti,
                expires_at: pair.refresh.expires_at,
            })
            .await?;
        Ok(pair)
    }

    /// Exchanges a refresh token for a new pair in the same chain. A refresh token works
    /// once; presenting a used one again (a replay, e.g. a stolen copy) ends the chain.
    /// The session store decides, so this holds even when the denylist has forgotten.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, AuthError> {
        let claims = self.verify(refresh_token, TokenKind::Refresh)?;
        if self.ports.users.find_by_id(claims.user_id).await?.is_none() {
            return Err(AuthError::Unauthorized(Refusal::Revoked));
        }
        let pair = self.issue(claims.user_id, claims.family)?;
        let rotation = self
            .ports
            .sessions
            .rotate(
                claims.family,
                claims.jti,
                pair.refresh.jti,
                pair.refresh.expires_at,
            )
            .await?;
        match rotation {
            Rotation::Rotated => Ok(pair),
            Rotation::Replayed => {
                self.end_chain(claims.family).await?;
                Err(AuthError::Unauthorized(Refusal::Revoked))
            }
            Rotation::Ended => Err(AuthError::Unauthorized(Refusal::Revoked)),
        }
    }

    /// Ends the session: this access token and every token of its refresh chain stop working.
    pub async fn logout(&self, claims: &AccessClaims) -> Result<(), AuthError> {
        self.end_chain(claims.family).await?;
        if let Err(error) = self
            .ports
            .denylist
            .revoke_token(claims.jti, claims.expires_at)
            .await
        {
            tracing::warn!(error = %error, "token denylist unavailable; the access token lives out its minutes");
        }
        Ok(())
    }

    /// Ends every session of the user but `keep` (the one changing the password, or
    /// none when an admin logs the user out); returns how many were ended.
    pub async fn end_sessions(
        &self,
        user: crate::UserId,
        keep: Option<Uuid>,
    ) -> Result<usize, AuthError> {
        let now = self.ports.clock.now();
        let ended = self.ports.sessions.end_all(user, keep, now).await?;
        for family in &ended {
            self.deny_family(*family).await;
        }
        Ok(ended.len())
    }

    /// Ends one chain: in the session store (what refresh obeys), then in the denylist
    /// (what makes its access tokens stop at once).
    async fn end_chain(&self, family: Uuid) -> Result<(), AuthError> {
        self.ports
            .sessions
            .end(family, self.ports.clock.now())
            .await?;
        self.deny_family(family).await;
        Ok(())
    }

    /// The denylist entry of an ended chain; while the denylist is down the chain's
    /// access tokens live out their minutes (refresh is refused by the session store).
    async fn deny_family(&self, family: Uuid) {
        let until = TimeDelta::from_std(self.policy.session_lifetime)
            .map(|lifetime| self.ports.clock.now() + lifetime);
        let Ok(until) = until else {
            return;
        };
        if let Err(error) = self.ports.denylist.revoke_family(family, until).await {
            tracing::warn!(error = %error, "token denylist unavailable; an ended session's access tokens live out their minutes");
        }
    }

    fn verify(&self, token: &str, kind: TokenKind) -> Result<AccessClaims, AuthError> {
        Ok(self.ports.tokens.verify(token, kind)?)
    }

    fn issue(&self, user: crate::UserId, family: Uuid) -> Result<TokenPair, AuthError> {
        self.ports
            .tokens
            .issue(user, family)
            .map_err(|error| match error {
                TokenError::Unknown(cause) => unknown(cause),
                refused => unknown(anyhow::anyhow!("token issuing failed: {refused}")),
            })
    }
}
