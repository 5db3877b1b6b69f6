//! Forged, tampered, expired and mismatched tokens are refused; genuine ones accepted.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";

fn service() -> JwtTokenService {
    JwtTokenService::new(JwtConfig::new(SecretString::from(SECRET))).unwrap()
}

/// The claims of a genuine access token issued now, as JSON to alter.
fn access_claims(user: UserId) -> Value {
    let now = now_seconds();
    json!({
        "sub": user.to_string(),
        "iss": "polychat",
        "aud": "polychat-api",
        "exp": now + 900,
        "iat": now,
        "jti": Uuid::new_v4(),
        "fam": Uuid::new_v4(),
        "typ": "access",
    })
}

fn sign_with(algorithm: Algorithm, secret: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn sign(claims: &Value) -> String {
    sign_with(Algorithm::HS256, SECRET.as_bytes(), claims)
}

fn segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Refused as a bad credential (whatever the reason told), not as a failure of ours.
fn refused(service: &JwtTokenService, token: &str, kind: TokenKind) -> bool {
    matches!(
        service.verify(token, kind),
        Err(TokenError::Invalid
            | TokenError::Malformed
            | TokenError::Expired
            | TokenError::WrongKind)
    )
}

/// The reason a refusal gives, by name.
fn reason(service: &JwtTokenService, token: &str, kind: TokenKind) -> &'static str {
    match service.verify(token, kind) {
        Ok(_) => "accepted",
        Err(TokenError::Malformed) => "malformed",
        Err(TokenError::Invalid) => "invalid",
        Err(TokenError::Expired) => "expired",
        Err(TokenError::WrongKind) => "wrong kind",
        Err(TokenError::Unknown(_)) => "unknown",
    }
}

#[test]
fn issued_pair_verifies_with_the_right_claims() {
    let service = service();
    let user = UserId::generate();
    let family = Uuid::new_v4();
    let pair = service.issue(user, family).unwrap();
    assert_eq!(pair.expires_in, 900);

    let access = service
        .verify(pair.access_token.expose_secret(), TokenKind::Access)
        .unwrap();
    assert_eq!(access, pair.access);
    assert_eq!(access.user_id, user);
    assert_eq!(access.family, family);
    let lifetime = access.expires_at - Utc::now();
    assert!((890..=900).contains(&lifetime.num_seconds()));

    let refresh = service
        .verify(pair.refresh_token.expose_secret(), TokenKind::Refresh)
        .unwrap();
    assert_eq!(refresh, pair.refresh);
    assert_eq!(refresh.family, family);
    assert_ne!(refresh.jti, access.jti);
    assert!(refresh.expires_at - Utc::now() > chrono::TimeDelta::days(6));
}

#[test]
fn hand_made_token_with_genuine_claims_is_accepted() {
    let user = UserId::generate();
    let claims = service()
        .verify(&sign(&access_claims(user)), TokenKind::Access)
        .unwrap();
    assert_eq!(claims.user_id, user);
}

#[test]
fn kinds_cannot_stand_for_each_other() {
    let service = service();
    let pair = service.issue(UserId::generate(), Uuid::new_v4()).unwrap();
    assert!(refused(
        &service,
        pair.access_token.expose_secret(),
        TokenKind::Refresh
    ));
    assert!(refused(
        &service,
        pair.refresh_token.expose_secret(),
        TokenKind::Access
    ));

    // Right audience, wrong type: refused by `typ` alone.
    let mut claims = access_claims(UserId::generate());
    claims["typ"] = json!("refresh");
    assert!(refused(&service, &sign(&claims), TokenKind::Access));
}

#[test]
fn unsigned_and_other_algorithm_tokens_are_refused() {
    let service = service();
    let claims = access_claims(UserId::generate());
    let none = format!(
        "{}.{}.",
        segment(&json!({"alg": "none", "typ": "JWT"})),
        segment(&claims)
    );
    assert!(refused(&service, &none, TokenKind::Access));
    let none_upper = format!(
        "{}.{}.",
        segment(&json!({"alg": "NONE", "typ": "JWT"})),
        segment(&claims)
    );
    assert!(refused(&service, &none_upper, TokenKind::Access));

    let hs512 = sign_with(Algorithm::HS512, SECRET.as_bytes(), &claims);
    assert!(refused(&service, &hs512, TokenKind::Access));

    // An RS256 header over an HMAC made with the secret: the classic key-confusion forgery.
    let genuine = sign(&claims);
    let signature = genuine.rsplit('.').next().unwrap();
    let rs256 = format!(
        "{}.{}.{signature}",
        segment(&json!({"alg": "RS256", "typ": "JWT"})),
        segment(&claims)
    );
    assert!(refused(&service, &rs256, TokenKind::Access));
}

#[test]
fn wrong_key_and_tampering_are_refused() {
    let service = service();
    let user = UserId::generate();
    let claims = access_claims(user);
    let other_key = sign_with(Algorithm::HS256, &[7; 32], &claims);
    assert!(refused(&service, &other_key, TokenKind::Access));

    let genuine = sign(&claims);
    let parts: Vec<&str> = genuine.split('.').collect();
    let mut forged_claims = claims.clone();
    forged_claims["sub"] = json!(UserId::generate().to_string());
    let tampered_payload = format!("{}.{}.{}", parts[0], segment(&forged_claims), parts[2]);
    assert!(refused(&service, &tampered_payload, TokenKind::Access));

    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    signature[0] ^= 0x01;
    let tampered_signature = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(signature)
    );
    assert!(refused(&service, &tampered_signature, TokenKind::Access));

    for garbage in ["", "a.b", "a.b.c", "not a token at all"] {
        assert!(refused(&service, garbage, TokenKind::Access));
    }
}

#[test]
fn missing_or_mistyped_claims_are_refused() {
    let service = service();
    for claim in ["exp", "iat", "sub", "iss", "aud", "jti", "fam", "typ"] {
        let mut claims = access_claims(UserId::generate());
        claims.as_object_mut().unwrap().remove(claim);
        assert!(
            refused(&service, &sign(&claims), TokenKind::Access),
            "accepted a token without {claim}"
        );
    }
    let mutations = [
        ("exp", json!("9999999999")),
        ("exp", json!(9_999_999_999.5)),
        ("sub", json!("not-a-uuid")),
        ("jti", json!("not-a-uuid")),
        ("typ", json!("admin")),
        ("aud", json!(["polychat-api", "elsewhere"])),
    ];
    for (claim, value) in mutations {
        let mut claims = access_claims(UserId::generate());
        claims[claim] = value.clone();
        assert!(
            refused(&service, &sign(&claims), TokenKind::Access),
            "accepted {claim} = {value}"
        );
    }
}

#[test]
fn wrong_issuer_or_audience_is_refused() {
    let service = service();
    let mut claims = access_claims(UserId::generate());
    claims["iss"] = json!("someone-else");
    assert!(refused(&service, &sign(&claims), TokenKind::Access));

    let mut claims = access_claims(UserId::generate());
    claims["aud"] = json!("another-api");
    assert!(refused(&service, &sign(&claims), TokenKind::Access));
}

#[test]
fn expiry_honours_only_the_leeway() {
    let service = service();
    let now = now_seconds();
    let mut claims = access_claims(UserId::generate());
    claims["exp"] = json!(now - 10);
    assert!(service.verify(&sign(&claims), TokenKind::Access).is_ok());
    claims["exp"] = json!(now - 120);
    assert!(refused(&service, &sign(&claims), TokenKind::Access));

    let mut claims = access_claims(UserId::generate());
    claims["nbf"] = json!(now + 3600);
    assert!(refused(&service, &sign(&claims), TokenKind::Access));

    let mut claims = access_claims(UserId::generate());
    claims["iat"] = json!(now + 3600);
    assert!(refused(&service, &sign(&claims), TokenKind::Access));
}

#[test]
fn unsafe_configurations_are_refused() {
    let short = JwtConfig::new(SecretString::from("x".repeat(31)));
    assert_eq!(
        JwtTokenService::new(short).unwrap_err(),
        JwtConfigError::SecretTooShort
    );
    let mut lax = JwtConfig::new(SecretString::from(SECRET));
    lax.leeway = Duration::from_secs(31);
    assert_eq!(
        JwtTokenService::new(lax).unwrap_err(),
        JwtConfigError::LeewayTooLong
    );
    let mut same = JwtConfig::new(SecretString::from(SECRET));
    same.refresh_audience.clone_from(&same.access_audience);
    assert_eq!(
        JwtTokenService::new(same).unwrap_err(),
        JwtConfigError::SameAudience
    );
    let shown = format!("{:?}", service());
    assert!(!shown.contains(SECRET));
}

#[test]
fn reasons_are_told_and_only_of_genuine_tokens() {
    let service = service();
    let pair = service.issue(UserId::generate(), Uuid::new_v4()).unwrap();
    let refresh = pair.refresh_token.expose_secret();
    let access = pair.access_token.expose_secret();
    assert_eq!(reason(&service, refresh, TokenKind::Access), "wrong kind");
    assert_eq!(reason(&service, access, TokenKind::Refresh), "wrong kind");
    for garbage in ["", "a.b", "not a token at all", "a.b.c"] {
        assert_eq!(reason(&service, garbage, TokenKind::Access), "malformed");
    }

    let now = now_seconds();
    let mut claims = access_claims(UserId::generate());
    claims["exp"] = json!(now - 120);
    assert_eq!(
        reason(&service, &sign(&claims), TokenKind::Access),
        "expired"
    );
    // Expired and signed with another key: nothing is said about its expiry.
    let forged = sign_with(Algorithm::HS256, &[7; 32], &claims);
    assert_eq!(reason(&service, &forged, TokenKind::Access), "invalid");
    // A refresh token signed with another key is not "of the wrong kind".
    let mut claims = access_claims(UserId::generate());
    claims["aud"] = json!("polychat-refresh");
    claims["typ"] = json!("refresh");
    let forged = sign_with(Algorithm::HS256, &[7; 32], &claims);
    assert_eq!(reason(&service, &forged, TokenKind::Access), "invalid");
}
