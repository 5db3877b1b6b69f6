//! Issuers for the tests: a Django back office (HS256) and an OIDC provider (RS256
//! behind a JWKS on a mock server), and tokens as each of them signs.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use polychat_testkit::issuers::{RSA_OIDC_JWK, RSA_OIDC_PRIVATE_PEM};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Overrides, TestApp};

/// Django's `SECRET_KEY` in these tests (`SIMPLE_JWT` signs with it by default).
pub(crate) const DJANGO_SECRET: &str = "django-insecure-only-for-tests-7f3a9c1e5b2d4f6a8c0e";
pub(crate) const OIDC_ISSUER: &str = "https://sso.test.invalid/";
pub(crate) const OIDC_AUDIENCE: &str = "polychat";

/// An app trusting `backoffice` (`SIMPLE_JWT`) and `sso` (OIDC, keys from `provider`),
/// with `extra` lines added to the `backoffice` issuer and `overrides` to the settings.
pub(crate) async fn app_trusting(
    provider: &MockServer,
    extra: &str,
    overrides: Overrides<'_>,
) -> TestApp {
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "keys": [serde_json::from_str::<Value>(RSA_OIDC_JWK).expect("test JWK")]
        })))
        .mount(provider)
        .await;
    let file = std::env::temp_dir().join(format!("issuers-{}.toml", Uuid::new_v4().simple()));
    let text = format!(
        r#"[issuers.backoffice]
algorithm = "HS256"
secret = "{DJANGO_SECRET}"
token_type = "access"
{extra}

[issuers.sso]
algorithm = "RS256"
jwks_url = "{}/.well-known/jwks.json"
issuer = "{OIDC_ISSUER}"
audience = "{OIDC_AUDIENCE}"
subject_claim = "sub"
"#,
        provider.uri()
    );
    std::fs::write(&file, text).expect("issuers file");
    let path = file.to_str().expect("utf-8 path").to_owned();
    let mut settings: Vec<(&str, &str)> = vec![("TRUSTED_ISSUERS_FILE", &path)];
    settings.extend_from_slice(overrides);
    TestApp::spawn_with(&settings).await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `SIMPLE_JWT`'s access-token claims for `user_id`.
pub(crate) fn django_claims(user_id: &Value) -> Value {
    json!({
        "token_type": "access",
        "exp": now() + 300,
        "iat": now(),
        "jti": Uuid::new_v4().simple().to_string(),
        "user_id": user_id,
    })
}

pub(crate) fn hs256(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign HS256")
}

/// A `SIMPLE_JWT` access token of the back office for `user_id`.
pub(crate) fn django_token(user_id: &Value) -> String {
    hs256(&django_claims(user_id), DJANGO_SECRET)
}

/// An OIDC provider's ID/access-token claims for `sub`.
pub(crate) fn oidc_claims(sub: &str) -> Value {
    json!({
        "iss": OIDC_ISSUER,
        "aud": OIDC_AUDIENCE,
        "sub": sub,
        "exp": now() + 300,
        "iat": now(),
        "jti": Uuid::new_v4().simple().to_string(),
    })
}

pub(crate) fn rs256(claims: &Value, private_pem: &str, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("test key"),
    )
    .expect("sign RS256")
}

/// The OIDC provider's token for `sub`.
pub(crate) fn oidc_token(sub: &str) -> String {
    rs256(&oidc_claims(sub), RSA_OIDC_PRIVATE_PEM, "test-oidc")
}

/// `GET /user/profile` with `token`: status and body.
pub(crate) async fn profile(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app.get("/user/profile", Some(token)).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}
