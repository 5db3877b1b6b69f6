//! Forged and misused tokens are refused with 401 at the HTTP level. Tokens are
//! crafted by hand with the app's real secret where the forgery needs it, and a
//! correctly crafted one is accepted first, so each refusal is down to the one flaw.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use super::support::{error, refresh, register, tokens, unique};
use crate::harness::TestApp;

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims the app itself would put in an access token for `user`.
pub(super) fn access_claims(user: &str) -> Value {
    json!({
        "sub": user, "iss": "polychat", "aud": "polychat-api",
        "exp": now() + 600, "iat": now(), "jti": Uuid::new_v4(), "fam": Uuid::new_v4(),
        "typ": "access",
    })
}

pub(super) fn sign(claims: &Value, algorithm: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

pub(super) fn secret(app: &TestApp) -> String {
    app.settings
        .iter()
        .find(|(name, _)| name == "JWT_SECRET")
        .map(|(_, value)| value.clone())
        .expect("JWT_SECRET")
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let response = app.get("/user/profile", Some(token)).await;
    let (status, code, _) = error(response).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"), "{what}");
}

#[tokio::test]
async fn forged_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let username = unique("ana");
    let profile = register(&app, &username, None).await;
    let user = profile["id"].as_str().unwrap().to_owned();
    let key = secret(&app);

    // The control: hand-made with the real key and claims, it works.
    let genuine = sign(&access_claims(&user), Algorithm::HS256, &key);
    let response = app.get("/user/profile", Some(&genuine)).await;
    assert_eq!(response.status(), 200, "the crafting itself must be right");

    let none_header = json!({"alg": "none", "typ": "JWT"});
    let alg_none = format!("{}.{}.", b64(&none_header), b64(&access_claims(&user)));
    assert_refused(&app, &alg_none, "alg none").await;
    let alg_none_signed = format!("{}.{}", alg_none, genuine.rsplit('.').next().unwrap());
    assert_refused(&app, &alg_none_signed, "alg none with a signature").await;

    let hs512 = sign(&access_claims(&user), Algorithm::HS512, &key);
    assert_refused(&app, &hs512, "HS512 with the right key").await;
    let wrong_key = sign(
        &access_claims(&user),
        Algorithm::HS256,
        "another-secret-of-enough-length-0123456789",
    );
    assert_refused(&app, &wrong_key, "wrong key").await;

    let mut missing_exp = access_claims(&user);
    missing_exp.as_object_mut().unwrap().remove("exp");
    assert_refused(&app, &sign(&missing_exp, Algorithm::HS256, &key), "no exp").await;
    let mut string_exp = access_claims(&user);
    string_exp["exp"] = json!((now() + 600).to_string());
    assert_refused(
        &app,
        &sign(&string_exp, Algorithm::HS256, &key),
        "string exp",
    )
    .await;
    let mut expired = access_claims(&user);
    expired["exp"] = json!(now() - 120);
    assert_refused(&app, &sign(&expired, Algorithm::HS256, &key), "expired").await;

    for (claim, value) in [
        ("iss", json!("someone-else")),
        ("aud", json!("polychat-refresh")),
        ("aud", json!("another-api")),
        ("typ", json!("refresh")),
        ("sub", json!("not-a-user-id")),
    ] {
        let mut claims = access_claims(&user);
        claims[claim] = value.clone();
        let token = sign(&claims, Algorithm::HS256, &key);
        assert_refused(&app, &token, &format!("{claim} = {value}")).await;
    }
    for claim in ["iat", "jti", "sub", "iss", "aud"] {
        let mut claims = access_claims(&user);
        claims.as_object_mut().unwrap().remove(claim);
        let token = sign(&claims, Algorithm::HS256, &key);
        assert_refused(&app, &token, &format!("without {claim}")).await;
    }
}

#[tokio::test]
async fn tampered_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let victim = register(&app, &unique("victim"), None).await;
    let attacker = unique("mallory");
    register(&app, &attacker, None).await;
    let pair = tokens(&app, &attacker).await;
    let parts: Vec<&str> = pair.access.split('.').collect();
    assert_eq!(parts.len(), 3);

    // The payload rewritten to name the victim, signature kept.
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = victim["id"].clone();
    let tampered = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    assert_refused(&app, &tampered, "tampered payload").await;

    // One signature character changed (first one: every bit of it is significant).
    let mut signature = parts[2].to_owned();
    let first = if signature.starts_with('A') { "B" } else { "A" };
    signature.replace_range(0..1, first);
    let bad_signature = format!("{}.{}.{}", parts[0], parts[1], signature);
    assert_refused(&app, &bad_signature, "tampered signature").await;
    assert_refused(&app, &format!("{}.{}.", parts[0], parts[1]), "no signature").await;
    assert_refused(&app, "not-a-token", "garbage").await;

    // The untouched token still works.
    assert_eq!(
        app.get("/user/profile", Some(&pair.access)).await.status(),
        200
    );
}

#[tokio::test]
async fn one_kind_of_token_never_stands_for_the_other() {
    let app = TestApp::spawn().await;
    let username = unique("kind");
    register(&app, &username, None).await;
    let pair = tokens(&app, &username).await;

    assert_refused(&app, &pair.refresh, "refresh token as access token").await;
    let (status, code, _) = error(refresh(&app, &pair.access).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    // Neither misuse burnt the real ones.
    assert_eq!(
        app.get("/user/profile", Some(&pair.access)).await.status(),
        200
    );
    assert_eq!(refresh(&app, &pair.refresh).await.status(), 200);
}

#[tokio::test]
async fn a_forged_refresh_token_is_refused() {
    let app = TestApp::spawn().await;
    let username = unique("refresh");
    register(&app, &username, None).await;
    let pair = tokens(&app, &username).await;
    // The claims of a real session's refresh token, re-signed the wrong ways.
    let payload = pair.refresh.split('.').nth(1).expect("a JWT");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("claims");
    let hs512 = sign(&claims, Algorithm::HS512, &secret(&app));
    assert_eq!(refresh(&app, &hs512).await.status(), 401);
    let none = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims));
    assert_eq!(refresh(&app, &none).await.status(), 401);
    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("polychat-api");
    let wrong_audience = sign(&wrong_audience, Algorithm::HS256, &secret(&app));
    assert_eq!(refresh(&app, &wrong_audience).await.status(), 401);
    // Well signed, but for a chain no login started: the session store knows none.
    let mut unstarted = claims.clone();
    unstarted["fam"] = json!(Uuid::new_v4());
    let unstarted = sign(&unstarted, Algorithm::HS256, &secret(&app));
    assert_eq!(refresh(&app, &unstarted).await.status(), 401);

    // Control: the same claims signed as the server signs them work, so the refusals
    // above were the forgeries' (and none of them burnt the session).
    let genuine = sign(&claims, Algorithm::HS256, &secret(&app));
    assert_eq!(refresh(&app, &genuine).await.status(), 200, "control");
}
