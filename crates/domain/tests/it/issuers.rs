//! Users of trusted issuers: one local user per (issuer, subject), created on first
//! sight, whatever else holds its readable name, even when first requests race.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::future::join_all;
use polychat_domain::ports::{
    ExternalIdentityStore, ExternalTokenError, ExternalTokenVerifier, SystemClock, UserRepository,
};
use polychat_domain::services::auth::{AuthError, Refusal};
use polychat_domain::services::issuers::{ExternalPorts, ExternalSignIn};
use polychat_domain::{
    AccountRole, Credential, ExternalIdentity, ExternalSubject, IssuerName, Username,
};
use polychat_testkit::users::{InMemoryUsers, sample_user};

/// Reads the "token" as `<issuer>:<subject>`, or refuses it as its text says.
struct Verifier;

#[async_trait]
impl ExternalTokenVerifier for Verifier {
    async fn verify(&self, token: &str) -> Result<ExternalIdentity, ExternalTokenError> {
        match token {
            "expired" => Err(ExternalTokenError::Refused(Refusal::Expired)),
            "ours" => Err(ExternalTokenError::NotRecognised),
            _ => {
                let (issuer, subject) = token.split_once(':').expect("issuer:subject");
                Ok(ExternalIdentity {
                    issuer: IssuerName::parse(issuer).expect("issuer"),
                    subject: ExternalSubject::parse(subject).expect("subject"),
                })
            }
        }
    }
}

fn sign_in(users: &Arc<InMemoryUsers>) -> ExternalSignIn {
    ExternalSignIn::new(ExternalPorts {
        verifier: Arc::new(Verifier),
        identities: users.clone(),
        clock: Arc::new(SystemClock),
    })
}

#[tokio::test]
async fn a_first_sight_creates_a_passwordless_user_and_later_ones_find_it() {
    let users = Arc::new(InMemoryUsers::new());
    let service = sign_in(&users);
    let first = service
        .authenticate("backoffice:42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.credential,
        Credential::External(IssuerName::parse("backoffice").unwrap())
    );
    let user = users.find_by_id(first.user_id).await.unwrap().unwrap();
    assert_eq!(user.username.as_str(), "backoffice.42");
    assert_eq!(user.role, AccountRole::User);
    assert!(!user.password_hash.is_usable());
    assert_eq!(
        user.issuer.as_ref().map(IssuerName::as_str),
        Some("backoffice")
    );
    // Another replica (nothing remembered) finds the same user.
    let again = sign_in(&users)
        .authenticate("backoffice:42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.user_id, first.user_id);
    let other = service.authenticate("sso:42").await.unwrap().unwrap();
    assert_ne!(other.user_id, first.user_id);
}

#[tokio::test]
async fn a_taken_readable_name_gives_the_hashed_one() {
    let users = Arc::new(InMemoryUsers::new());
    let mut squatter = sample_user("x");
    squatter.username = Username::parse("backoffice.7").unwrap();
    users.create(&squatter).await.unwrap();
    let principal = sign_in(&users)
        .authenticate("backoffice:7")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(principal.user_id, squatter.id);
    let user = users.find_by_id(principal.user_id).await.unwrap().unwrap();
    assert!(user.username.as_str().starts_with("backoffice."));
    assert_ne!(user.username.as_str(), "backoffice.7");
}

#[tokio::test]
async fn racing_first_sights_make_one_user() {
    let users = Arc::new(InMemoryUsers::new());
    let services: Vec<_> = (0..8).map(|_| sign_in(&users)).collect();
    let principals = join_all(services.iter().map(|s| s.authenticate("sso:ana"))).await;
    let ids: std::collections::HashSet<_> = principals
        .into_iter()
        .map(|p| p.unwrap().unwrap().user_id)
        .collect();
    assert_eq!(ids.len(), 1);
    let identity = ExternalIdentity {
        issuer: IssuerName::parse("sso").unwrap(),
        subject: ExternalSubject::parse("ana").unwrap(),
    };
    assert_eq!(
        users.find_user(&identity).await.unwrap(),
        ids.into_iter().next()
    );
}

#[tokio::test]
async fn refusals_pass_through_and_unknown_tokens_are_left_to_the_caller() {
    let users = Arc::new(InMemoryUsers::new());
    let service = sign_in(&users);
    assert!(matches!(
        service.authenticate("expired").await,
        Err(AuthError::Unauthorized(Refusal::Expired))
    ));
    assert!(service.authenticate("ours").await.unwrap().is_none());
}
