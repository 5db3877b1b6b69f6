//! The fakes keep the behaviour use cases depend on.

use super::*;
use crate::clock::ManualClock;
use polychat_domain::ports::SecretOwner;

fn password(text: &str) -> Password {
    Password::parse("password", text).unwrap()
}

#[tokio::test]
async fn plain_hasher_checks_passwords() {
    let hasher = PlainHasher;
    let hash = hasher.hash(&password("correct horse")).await.unwrap();
    assert!(
        hasher
            .verify(&password("correct horse"), Some(&hash))
            .await
            .unwrap()
    );
    assert!(
        !hasher
            .verify(&password("wrong horse"), Some(&hash))
            .await
            .unwrap()
    );
    assert!(
        !hasher
            .verify(&password("correct horse"), None)
            .await
            .unwrap()
    );
    let foreign = PasswordHash::new("$2b$12$abc".to_owned());
    assert!(
        hasher
            .verify(&password("correct horse"), Some(&foreign))
            .await
            .is_err()
    );
}

#[test]
fn fake_cipher_binds_owner_and_key() {
    let cipher = FakeCipher::default();
    let owner = UserId::generate();
    let sealed = cipher
        .encrypt(SecretOwner::User(owner), &SecretString::from("sk-or-ä1"))
        .unwrap();
    assert!(!sealed.contains("sk-or"));
    assert_eq!(
        cipher
            .decrypt(SecretOwner::User(owner), &sealed)
            .unwrap()
            .expose_secret(),
        "sk-or-ä1"
    );
    assert!(!cipher.needs_rotation(&sealed));
    assert!(matches!(
        cipher.decrypt(SecretOwner::User(UserId::generate()), &sealed),
        Err(CipherError::Undecryptable)
    ));
    assert!(
        cipher
            .decrypt(SecretOwner::User(owner), "fake:k1:garbage")
            .is_err()
    );

    let rotated = FakeCipher::with_keys("k2", &["k1"]);
    assert!(rotated.needs_rotation(&sealed));
    assert!(rotated.decrypt(SecretOwner::User(owner), &sealed).is_ok());
    let forgotten = FakeCipher::with_keys("k2", &[]);
    assert!(
        forgotten
            .decrypt(SecretOwner::User(owner), &sealed)
            .is_err()
    );
}

#[test]
fn fake_tokens_expire_by_the_clock_and_keep_kinds_apart() {
    let clock = Arc::new(ManualClock::default());
    let tokens = FakeTokens::new(clock.clone());
    let user = UserId::generate();
    let family = Uuid::new_v4();
    let pair = tokens.issue(user, family).unwrap();
    assert_eq!(pair.expires_in, 900);

    let access = pair.access_token.expose_secret();
    let refresh = pair.refresh_token.expose_secret();
    assert_eq!(
        tokens.verify(access, TokenKind::Access).unwrap(),
        pair.access
    );
    assert_eq!(
        tokens.verify(refresh, TokenKind::Refresh).unwrap(),
        pair.refresh
    );
    assert!(tokens.verify(access, TokenKind::Refresh).is_err());
    assert!(tokens.verify(refresh, TokenKind::Access).is_err());
    assert!(tokens.verify("garbage", TokenKind::Access).is_err());

    clock.advance(TimeDelta::minutes(16));
    assert!(tokens.verify(access, TokenKind::Access).is_err());
    assert!(tokens.verify(refresh, TokenKind::Refresh).is_ok());
}
