//! Valid tokens of trusted issuers sign in one local user per (issuer, subject).

use serde_json::json;
use wiremock::MockServer;

use super::support::{app_trusting, django_token, oidc_token, profile};
use crate::chat::support::{answer, new_chat};

#[tokio::test]
async fn a_simple_jwt_token_signs_in_the_same_local_user_every_time() {
    let provider = MockServer::start().await;
    let app = app_trusting(&provider, "", &[]).await;
    let (status, first) = profile(&app, &django_token(&json!(42))).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["issuer"], "backoffice");
    assert_eq!(first["username"], "backoffice.42");
    assert_eq!(first["role"], "user");
    assert_eq!(first["has_openrouter_key"], false);
    for _ in 0..2 {
        let (status, again) = profile(&app, &django_token(&json!(42))).await;
        assert_eq!(status, 200);
        assert_eq!(again["id"], first["id"], "another token, the same user");
    }
    // Every route a user calls takes it: the memory, the chats, the OpenAI-compatible API.
    for route in [
        "/user/preferences",
        "/chats",
        "/v1/models",
        "/user/usage?from=2026-01-01&to=2026-01-31",
    ] {
        let response = app.get(route, Some(&django_token(&json!(42)))).await;
        assert_eq!(response.status(), 200, "{route}");
    }
    // No claim makes an admin; the operator's command does.
    let admin_claim = super::support::hs256(
        &{
            let mut claims = super::support::django_claims(&json!(42));
            claims["role"] = json!("admin");
            claims["is_staff"] = json!(true);
            claims
        },
        super::support::DJANGO_SECRET,
    );
    assert_eq!(
        app.get("/admin/models", Some(&admin_claim)).await.status(),
        403
    );
    polychat_app::wiring::set_role(
        &app.config(),
        "backoffice.42",
        polychat_domain::AccountRole::Admin,
    )
    .await
    .expect("admin grant");
    let granted = django_token(&json!(42));
    assert_eq!(app.get("/admin/models", Some(&granted)).await.status(), 200);
    // The subject as a string is the same subject.
    let (_, as_text) = profile(&app, &django_token(&json!("42"))).await;
    assert_eq!(as_text["id"], first["id"]);
    let (_, other) = profile(&app, &django_token(&json!(43))).await;
    assert_ne!(other["id"], first["id"]);
    // The account has no password: no login opens it.
    let login = app
        .post(
            "/login",
            None,
            &json!({"username": "backoffice.42", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.status(), 401);
    // Nobody may register a name of the issuer's users.
    for name in ["backoffice.44", "BackOffice.x"] {
        let taken = app
            .post(
                "/register",
                None,
                &json!({"username": name, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(taken.status(), 422, "{name}");
    }
    // Our own tokens keep working, and a local profile names no issuer.
    let own = app.user("local-ana", None).await;
    let (status, local) = profile(&app, &own).await;
    assert_eq!(status, 200);
    assert_eq!(local["issuer"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_oidc_token_is_checked_against_the_jwks_served_by_its_provider() {
    let provider = MockServer::start().await;
    let app = app_trusting(&provider, "", &[]).await;
    let (status, first) = profile(&app, &oidc_token("auth0|5f3c")).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["issuer"], "sso");
    let username = first["username"].as_str().unwrap();
    assert!(username.starts_with("sso."), "{username}");
    let (_, again) = profile(&app, &oidc_token("auth0|5f3c")).await;
    assert_eq!(again["id"], first["id"]);
    // The same subject at another issuer is another person.
    let (_, django) = profile(&app, &django_token(&json!("auth0|5f3c"))).await;
    assert_ne!(django["id"], first["id"]);
    let fetches = provider.received_requests().await.unwrap_or_default().len();
    assert_eq!(fetches, 1, "the JWKS is fetched once and cached");
}

#[tokio::test]
async fn chats_of_external_users_are_isolated() {
    let provider = MockServer::start().await;
    let app = app_trusting(
        &provider,
        "allow_service_key = true",
        &[("OPENROUTER_SERVICE_KEY", "sk-or-v1-service-key-for-tests")],
    )
    .await;
    answer(&app.upstream, "olá", (3, 1)).await;
    let ana = django_token(&json!(1));
    let bruno = django_token(&json!(2));
    let chat_id = new_chat(&app, &ana, "oi").await;
    let own = app
        .get(&format!("/chat?chat_id={chat_id}"), Some(&ana))
        .await;
    assert_eq!(own.status(), 200);
    let theirs = app
        .get(&format!("/chat?chat_id={chat_id}"), Some(&bruno))
        .await;
    assert_eq!(theirs.status(), 404);
    let renamed = app
        .send(
            reqwest::Method::PATCH,
            &format!("/chats/{chat_id}"),
            Some(&bruno),
            Some(&json!({"title": "mine now"})),
        )
        .await;
    assert_eq!(renamed.status(), 404);
    let list: serde_json::Value = app.get("/chats", Some(&bruno)).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    let list: serde_json::Value = app.get("/chats", Some(&ana)).await.json().await.unwrap();
    assert_eq!(list["items"][0]["chat_id"], chat_id.as_str());
}
