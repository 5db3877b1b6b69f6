use std::path::Path;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use polychat_testkit::issuers::{
    EC_PRIVATE_PEM, EC_PUBLIC_PEM, RSA_OIDC_JWK, RSA_OIDC_PRIVATE_PEM, RSA_OIDC_PUBLIC_PEM,
    RSA_OTHER_JWK, RSA_OTHER_PRIVATE_PEM,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

const DJANGO_SECRET: &str = "django-insecure-test-only-secret-0123456789abcdef";

fn now() -> i64 {
    Utc::now().timestamp()
}

fn simple_jwt_claims(user_id: &Value) -> Value {
    json!({
        "token_type": "access",
        "exp": now() + 300,
        "iat": now(),
        "jti": "0f9a3c0e8b5e4d7f9f1e2d3c4b5a6978",
        "user_id": user_id,
    })
}

fn hs256(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn rs256(claims: &Value, pem: &str, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn issuers(toml: &str) -> TrustedIssuers {
    TrustedIssuers::new(parse_issuers(toml, Path::new(".")).unwrap()).unwrap()
}

fn django() -> TrustedIssuers {
    issuers(&format!(
        "[issuers.backoffice]\nalgorithm = \"HS256\"\nsecret = \"{DJANGO_SECRET}\"\ntoken_type = \"access\"\n"
    ))
}

fn pem_toml(name: &str, algorithm: &str, pem: &str, extra: &str) -> String {
    format!("[issuers.{name}]\nalgorithm = \"{algorithm}\"\npublic_key = '''\n{pem}'''\n{extra}")
}

async fn refusal(verifier: &TrustedIssuers, token: &str) -> Option<Refusal> {
    match verifier.verify(token).await {
        Err(ExternalTokenError::Refused(refusal)) => Some(refusal),
        Err(ExternalTokenError::NotRecognised) => None,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_simple_jwt_access_token_names_its_user() {
    let verifier = django();
    let identity = verifier
        .verify(&hs256(&simple_jwt_claims(&json!(42)), DJANGO_SECRET))
        .await
        .unwrap();
    assert_eq!(identity.issuer.as_str(), "backoffice");
    assert_eq!(identity.subject.as_str(), "42");
    let named = verifier
        .verify(&hs256(&simple_jwt_claims(&json!("ana")), DJANGO_SECRET))
        .await
        .unwrap();
    assert_eq!(named.subject.as_str(), "ana");
}

#[tokio::test]
async fn forged_and_unacceptable_simple_jwt_tokens_are_refused() {
    let verifier = django();
    let other_secret = hs256(
        &simple_jwt_claims(&json!(42)),
        "another-secret-of-at-least-32-bytes!!",
    );
    assert_eq!(refusal(&verifier, &other_secret).await, None);
    let mut refresh = simple_jwt_claims(&json!(42));
    refresh["token_type"] = json!("refresh");
    assert_eq!(
        refusal(&verifier, &hs256(&refresh, DJANGO_SECRET)).await,
        Some(Refusal::WrongKind)
    );
    let mut expired = simple_jwt_claims(&json!(42));
    expired["exp"] = json!(now() - 120);
    assert_eq!(
        refusal(&verifier, &hs256(&expired, DJANGO_SECRET)).await,
        Some(Refusal::Expired)
    );
    let mut missing = simple_jwt_claims(&json!(42));
    missing.as_object_mut().unwrap().remove("user_id");
    assert_eq!(
        refusal(&verifier, &hs256(&missing, DJANGO_SECRET)).await,
        Some(Refusal::Unacceptable)
    );
    for subject in [
        json!(true),
        json!({"id": 1}),
        json!([1]),
        json!(null),
        json!(1.5),
        json!(""),
    ] {
        assert_eq!(
            refusal(
                &verifier,
                &hs256(&simple_jwt_claims(&subject), DJANGO_SECRET)
            )
            .await,
            Some(Refusal::Unacceptable),
            "subject {subject}"
        );
    }
    let mut no_exp = simple_jwt_claims(&json!(42));
    no_exp.as_object_mut().unwrap().remove("exp");
    assert!(
        refusal(&verifier, &hs256(&no_exp, DJANGO_SECRET))
            .await
            .is_some()
    );
    let mut string_exp = simple_jwt_claims(&json!(42));
    string_exp["exp"] = json!((now() + 300).to_string());
    assert!(
        refusal(&verifier, &hs256(&string_exp, DJANGO_SECRET))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn alg_none_and_alg_confusion_are_not_recognised() {
    // An RS256 issuer's public key, used as an HS256 secret by an attacker.
    let verifier = issuers(&pem_toml(
        "sso",
        "RS256",
        RSA_OIDC_PUBLIC_PEM,
        "subject_claim = \"sub\"\n",
    ));
    let claims = json!({"sub": "ana", "exp": now() + 300, "iat": now()});
    let confused = hs256(&claims, RSA_OIDC_PUBLIC_PEM);
    assert_eq!(refusal(&verifier, &confused).await, None);
    let payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        claims.to_string(),
    );
    for alg in ["none", "None", "NONE"] {
        let header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
        );
        assert_eq!(
            refusal(&verifier, &format!("{header}.{payload}.")).await,
            None
        );
    }
    let genuine = rs256(&claims, RSA_OIDC_PRIVATE_PEM, None);
    assert_eq!(
        verifier.verify(&genuine).await.unwrap().subject.as_str(),
        "ana"
    );
}

#[tokio::test]
async fn a_token_naming_one_issuer_signed_with_anothers_key_is_refused() {
    let text = format!(
        "{}{}",
        pem_toml(
            "first",
            "RS256",
            RSA_OIDC_PUBLIC_PEM,
            "issuer = \"https://first\"\nsubject_claim = \"sub\"\n"
        ),
        pem_toml(
            "second",
            "RS256",
            polychat_testkit::issuers::RSA_OTHER_PUBLIC_PEM,
            "issuer = \"https://second\"\nsubject_claim = \"sub\"\n"
        ),
    );
    let verifier = issuers(&text);
    let claims = json!({"sub": "ana", "iss": "https://first", "exp": now() + 300});
    assert_eq!(
        verifier
            .verify(&rs256(&claims, RSA_OIDC_PRIVATE_PEM, None))
            .await
            .unwrap()
            .issuer
            .as_str(),
        "first"
    );
    let forged = rs256(&claims, RSA_OTHER_PRIVATE_PEM, None);
    assert_eq!(refusal(&verifier, &forged).await, None);
}

#[tokio::test]
async fn es256_with_a_pem_key_and_audience() {
    let verifier = issuers(&pem_toml(
        "idp",
        "ES256",
        EC_PUBLIC_PEM,
        "audience = \"polychat\"\nsubject_claim = \"sub\"\n",
    ));
    let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
    let sign = |claims: &Value| {
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), claims, &key).unwrap()
    };
    let good = json!({"sub": "u-1", "aud": "polychat", "exp": now() + 60});
    assert_eq!(
        verifier
            .verify(&sign(&good))
            .await
            .unwrap()
            .subject
            .as_str(),
        "u-1"
    );
    let wrong_audience = json!({"sub": "u-1", "aud": "elsewhere", "exp": now() + 60});
    assert_eq!(
        refusal(&verifier, &sign(&wrong_audience)).await,
        Some(Refusal::Unacceptable)
    );
}

fn jwks(keys: &[&str]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| serde_json::from_str(k).unwrap())
        .collect();
    json!({ "keys": keys })
}

#[tokio::test]
async fn a_jwks_is_cached_and_refetched_for_a_new_kid_at_most_once_per_interval() {
    let provider = MockServer::start().await;
    let text = format!(
        "[issuers.sso]\nalgorithm = \"RS256\"\njwks_url = \"{}/jwks\"\nsubject_claim = \"sub\"\njwks_min_refresh_seconds = 3600\n",
        provider.uri()
    );
    let verifier = issuers(&text);
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks(&[RSA_OIDC_JWK])))
        .up_to_n_times(1)
        .expect(1)
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(jwks(&[RSA_OIDC_JWK, RSA_OTHER_JWK])),
        )
        .expect(0)
        .mount(&provider)
        .await;
    let claims = json!({"sub": "ana", "exp": now() + 300});
    for _ in 0..3 {
        let token = rs256(&claims, RSA_OIDC_PRIVATE_PEM, Some("test-oidc"));
        assert_eq!(
            verifier.verify(&token).await.unwrap().subject.as_str(),
            "ana"
        );
    }
    // Made-up kids do not make it fetch again within the interval.
    for kid in ["test-other", "made-up-1", "made-up-2"] {
        let token = rs256(&claims, RSA_OTHER_PRIVATE_PEM, Some(kid));
        assert_eq!(refusal(&verifier, &token).await, None);
    }
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_on_its_first_token() {
    let provider = MockServer::start().await;
    let text = format!(
        "[issuers.sso]\nalgorithm = \"RS256\"\njwks_url = \"{}/jwks\"\nsubject_claim = \"sub\"\njwks_min_refresh_seconds = 0\n",
        provider.uri()
    );
    let verifier = issuers(&text);
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks(&[RSA_OIDC_JWK])))
        .up_to_n_times(1)
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(jwks(&[RSA_OIDC_JWK, RSA_OTHER_JWK])),
        )
        .mount(&provider)
        .await;
    let claims = json!({"sub": "ana", "exp": now() + 300});
    let first = rs256(&claims, RSA_OIDC_PRIVATE_PEM, Some("test-oidc"));
    assert!(verifier.verify(&first).await.is_ok());
    let rotated = rs256(&claims, RSA_OTHER_PRIVATE_PEM, Some("test-other"));
    assert!(verifier.verify(&rotated).await.is_ok());
}

#[tokio::test]
async fn an_unreachable_jwks_is_unavailable_not_unauthorised() {
    let text = "[issuers.sso]\nalgorithm = \"RS256\"\njwks_url = \"http://127.0.0.1:9/jwks\"\nsubject_claim = \"sub\"\n";
    let verifier = issuers(text);
    let token = rs256(
        &json!({"sub": "ana", "exp": now() + 300}),
        RSA_OIDC_PRIVATE_PEM,
        None,
    );
    assert!(matches!(
        verifier.verify(&token).await,
        Err(ExternalTokenError::Unavailable(_))
    ));
}

#[test]
fn unsafe_or_incomplete_issuers_are_refused_at_startup() {
    let refused = |text: &str| parse_issuers(text, Path::new(".")).unwrap_err().to_string();
    assert!(
        refused("[issuers.x]\nalgorithm = \"HS256\"\nsecret = \"short\"\n").contains("32 bytes")
    );
    assert!(
        refused("[issuers.x]\nalgorithm = \"none\"\nsecret = \"x\"\n")
            .contains("HS256, RS256 or ES256")
    );
    assert!(refused("[issuers.x]\nalgorithm = \"HS512\"\nsecret = \"x\"\n").contains("algorithm"));
    assert!(
        refused(&format!(
            "[issuers.x]\nalgorithm = \"RS256\"\nsecret = \"{DJANGO_SECRET}\"\n"
        ))
        .contains("only for HS256")
    );
    assert!(
        refused("[issuers.x]\nalgorithm = \"RS256\"\njwks_url = \"http://idp.example.com/jwks\"\n")
            .contains("https")
    );
    assert!(refused(&pem_toml("x", "RS256", EC_PUBLIC_PEM, "")).contains("PEM"));
    assert!(
        refused(&pem_toml(
            "x",
            "RS256",
            RSA_OIDC_PUBLIC_PEM,
            "leeway_seconds = 31\n"
        ))
        .contains("30")
    );
    assert!(refused(&pem_toml("Bad_Name", "RS256", RSA_OIDC_PUBLIC_PEM, "")).contains("Bad_Name"));
    assert!(
        refused(&pem_toml(
            "x",
            "RS256",
            RSA_OIDC_PUBLIC_PEM,
            "subjet_claim = \"sub\"\n"
        ))
        .contains("unknown field")
    );
    assert!(parse_issuers("", Path::new(".")).unwrap().is_empty());
}
