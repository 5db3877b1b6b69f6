//! Every forged or unacceptable token of a trusted issuer is refused with 401.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use polychat_testkit::issuers::{RSA_OIDC_PUBLIC_PEM, RSA_OTHER_JWK, RSA_OTHER_PRIVATE_PEM};
use serde_json::{Value, json};
use wiremock::MockServer;

use super::support::{
    DJANGO_SECRET, app_trusting, django_claims, django_token, hs256, oidc_claims, oidc_token,
    profile, rs256,
};

fn unsigned(claims: &Value, alg: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

fn with(mut claims: Value, field: &str, value: Value) -> Value {
    claims[field] = value;
    claims
}

fn without(mut claims: Value, field: &str) -> Value {
    claims.as_object_mut().expect("claims").remove(field);
    claims
}

/// Signed with an attacker's key that the token's own header offers (`jwk`, `jku`):
/// keys come from the issuer's configured JWKS only.
fn self_vouching(claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("test-other".to_owned());
    header.jwk = Some(serde_json::from_str(RSA_OTHER_JWK).expect("test JWK"));
    header.jku = Some("https://attacker.test.invalid/jwks.json".to_owned());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(RSA_OTHER_PRIVATE_PEM.as_bytes())
        .expect("test key");
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

/// The forged tokens, each with what it tries.
fn forgeries() -> Vec<(&'static str, String)> {
    let expired = chrono::Utc::now().timestamp() - 120;
    let django = django_claims(&json!(42));
    let oidc = oidc_claims("ana");
    let mut cases = vec![
        (
            "alg confusion: the RS256 public key as an HS256 secret",
            hs256(&oidc, RSA_OIDC_PUBLIC_PEM),
        ),
        ("alg none (OIDC claims)", unsigned(&oidc, "none")),
        ("alg none (SIMPLE_JWT claims)", unsigned(&django, "none")),
        (
            "the OIDC issuer's kid, signed with another key",
            rs256(&oidc, RSA_OTHER_PRIVATE_PEM, "test-oidc"),
        ),
        (
            "a key offered by the token's own header",
            self_vouching(&oidc),
        ),
        (
            "an unknown kid, signed with another key",
            rs256(&oidc, RSA_OTHER_PRIVATE_PEM, "test-other"),
        ),
        (
            "SIMPLE_JWT claims signed with another secret",
            hs256(&django, "another-django-secret-key-of-enough-length"),
        ),
        (
            "SIMPLE_JWT claims signed with the OIDC provider's key",
            rs256(
                &django,
                polychat_testkit::issuers::RSA_OIDC_PRIVATE_PEM,
                "test-oidc",
            ),
        ),
        (
            "a SIMPLE_JWT refresh token",
            hs256(
                &with(django.clone(), "token_type", json!("refresh")),
                DJANGO_SECRET,
            ),
        ),
        (
            "no token_type",
            hs256(&without(django.clone(), "token_type"), DJANGO_SECRET),
        ),
        (
            "an expired SIMPLE_JWT token",
            hs256(&with(django.clone(), "exp", json!(expired)), DJANGO_SECRET),
        ),
        (
            "an expired OIDC token",
            rs256(
                &with(oidc.clone(), "exp", json!(expired)),
                polychat_testkit::issuers::RSA_OIDC_PRIVATE_PEM,
                "test-oidc",
            ),
        ),
        (
            "no exp",
            hs256(&without(django.clone(), "exp"), DJANGO_SECRET),
        ),
        (
            "no subject",
            hs256(&without(django.clone(), "user_id"), DJANGO_SECRET),
        ),
        (
            "an OIDC token for another audience",
            rs256(
                &with(oidc.clone(), "aud", json!("elsewhere")),
                polychat_testkit::issuers::RSA_OIDC_PRIVATE_PEM,
                "test-oidc",
            ),
        ),
        (
            "an OIDC token of another issuer",
            rs256(
                &with(oidc, "iss", json!("https://evil.test.invalid/")),
                polychat_testkit::issuers::RSA_OIDC_PRIVATE_PEM,
                "test-oidc",
            ),
        ),
    ];
    for subject in [
        json!(true),
        json!({"id": 42}),
        json!([42]),
        json!(null),
        json!(4.2),
        json!(""),
    ] {
        cases.push((
            "a subject neither a string nor an integer",
            hs256(&with(django.clone(), "user_id", subject), DJANGO_SECRET),
        ));
    }
    cases
}

#[tokio::test]
async fn forged_and_unacceptable_external_tokens_are_refused_with_401() {
    let provider = MockServer::start().await;
    let app = app_trusting(&provider, "", &[]).await;
    for (what, token) in forgeries() {
        let (status, body) = profile(&app, &token).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{what}");
    }
    // The genuine ones still pass.
    assert_eq!(profile(&app, &django_token(&json!(42))).await.0, 200);
    assert_eq!(profile(&app, &oidc_token("ana")).await.0, 200);
}

#[tokio::test]
async fn an_external_token_cannot_do_what_needs_a_login_of_ours() {
    let provider = MockServer::start().await;
    let app = app_trusting(&provider, "", &[]).await;
    let token = django_token(&json!(7));
    let mint = app
        .post("/user/api-keys", Some(&token), &json!({"name": "n8n"}))
        .await;
    assert_eq!(mint.status(), 403);
    let logout = app.post("/logout", Some(&token), &json!({})).await;
    assert_eq!(logout.status(), 403);
    let password = app
        .send(
            reqwest::Method::PUT,
            "/user/profile",
            Some(&token),
            Some(&json!({"current_password": "whatever1", "new_password": "another-one"})),
        )
        .await;
    assert_eq!(password.status(), 403);
}
