//! `POST /login`, `/token/refresh` and `/logout`: the token pair, one answer for wrong
//! passwords and unknown users, throttling with `Retry-After`, rotation, replay and
//! revocation.

use serde_json::{Value, json};

use super::support::{PASSWORD, Tokens, error, login, refresh, register, tokens, unique};
use crate::harness::TestApp;

async fn profile_status(app: &TestApp, access: &str) -> u16 {
    app.get("/user/profile", Some(access))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn login_answers_a_bearer_pair() {
    let app = TestApp::spawn().await;
    let username = unique("Ana");
    register(&app, &username, None).await;
    let response = login(&app, &username.to_lowercase(), PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], json!("Bearer"));
    assert_eq!(body["expires_in"], json!(900));
    let pair = Tokens::from_body(&body);
    assert_ne!(pair.access, pair.refresh);
    assert_eq!(profile_status(&app, &pair.access).await, 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let username = unique("bruno");
    register(&app, &username, None).await;
    let wrong = error(login(&app, &username, "not the password").await).await;
    let unknown = error(login(&app, &unique("nobody"), PASSWORD).await).await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1, "invalid_credentials");
    assert_eq!(wrong, unknown, "the answers must not tell the cases apart");
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("Retry-After in whole seconds")
}

#[tokio::test]
async fn failed_logins_for_one_username_are_throttled() {
    let app = TestApp::spawn().await;
    let username = unique("carla");
    register(&app, &username, None).await;
    for _ in 0..5 {
        let (status, ..) = error(login(&app, &username, "wrong password").await).await;
        assert_eq!(status, 401);
    }
    // Now even the right password waits, whatever the case of the name.
    let response = login(&app, &username.to_uppercase(), PASSWORD).await;
    assert_eq!(response.status(), 429);
    let wait = retry_after(&response);
    assert!((1..=300).contains(&wait), "Retry-After {wait}");
    let (_, code, _) = error(response).await;
    assert_eq!(code, "too_many_attempts");
    // Another user from the same address is not locked out.
    let other = unique("dora");
    register(&app, &other, None).await;
    assert_eq!(login(&app, &other, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn failed_logins_from_one_address_are_throttled_across_usernames() {
    let app = TestApp::spawn().await;
    let username = unique("eve");
    register(&app, &username, None).await;
    // Twenty failures spread over names, none of which reaches its own limit.
    for attempt in 0..20 {
        let name = format!("spray-{}", attempt % 5);
        let (status, ..) = error(login(&app, &name, "wrong password").await).await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    let response = login(&app, &username, PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(retry_after(&response) >= 1);
    assert_eq!(error(response).await.1, "too_many_attempts");
}

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let app = TestApp::spawn().await;
    let username = unique("fabio");
    register(&app, &username, None).await;
    let first = tokens(&app, &username).await;
    let response = refresh(&app, &first.refresh).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], json!("Bearer"));
    let second = Tokens::from_body(&body);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    assert_eq!(profile_status(&app, &second.access).await, 200);
    // And the new refresh token rotates again.
    assert_eq!(refresh(&app, &second.refresh).await.status(), 200);
}

#[tokio::test]
async fn a_replayed_refresh_token_kills_its_whole_chain() {
    let app = TestApp::spawn().await;
    let username = unique("gil");
    register(&app, &username, None).await;
    let first = tokens(&app, &username).await;
    let other_session = tokens(&app, &username).await;
    let second = Tokens::from_body(&refresh(&app, &first.refresh).await.json().await.unwrap());

    let (status, code, _) = error(refresh(&app, &first.refresh).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    // The thief's replay also ends the legitimate holder's newest tokens.
    assert_eq!(refresh(&app, &second.refresh).await.status(), 401);
    assert_eq!(profile_status(&app, &second.access).await, 401);
    // Other sessions of the same user live on.
    assert_eq!(profile_status(&app, &other_session.access).await, 200);
    assert_eq!(refresh(&app, &other_session.refresh).await.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_access_token_and_its_refresh_chain() {
    let app = TestApp::spawn().await;
    let username = unique("hana");
    register(&app, &username, None).await;
    let session = tokens(&app, &username).await;
    let other_session = tokens(&app, &username).await;

    let response = app.post("/logout", Some(&session.access), &json!({})).await;
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());

    assert_eq!(profile_status(&app, &session.access).await, 401);
    let (status, code, _) = error(refresh(&app, &session.refresh).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    let again = app.post("/logout", Some(&session.access), &json!({})).await;
    assert_eq!(again.status(), 401);
    assert_eq!(profile_status(&app, &other_session.access).await, 200);
}

#[tokio::test]
async fn logout_needs_a_token() {
    let app = TestApp::spawn().await;
    let (status, code, _) = error(app.post("/logout", None, &json!({})).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_an_admin_ends_them_all() {
    let app = TestApp::spawn().await;
    let username = unique("vera");
    register(&app, &username, None).await;
    let (here, elsewhere) = (tokens(&app, &username).await, tokens(&app, &username).await);
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    let changed = app
        .send(
            reqwest::Method::PUT,
            "/user/profile",
            Some(&here.access),
            Some(&change),
        )
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(
        profile_status(&app, &elsewhere.access).await,
        401,
        "its access token stops"
    );
    assert_eq!(
        refresh(&app, &elsewhere.refresh).await.status(),
        401,
        "its chain ends"
    );
    assert_eq!(
        profile_status(&app, &here.access).await,
        200,
        "the session that changed it stays"
    );
    let here = Tokens::from_body(&refresh(&app, &here.refresh).await.json().await.unwrap());

    let path = format!("/admin/users/{username}/sessions");
    let refused = app
        .send(reqwest::Method::DELETE, &path, Some(&here.access), None)
        .await;
    assert_eq!(refused.status(), 403, "only an admin");
    let admin = app.admin(&unique("root")).await;
    let ended = app
        .send(reqwest::Method::DELETE, &path, Some(&admin), None)
        .await;
    assert_eq!(ended.status(), 200);
    let ended: Value = ended.json().await.unwrap();
    assert_eq!(ended["ended"], 1, "{ended}");
    assert_eq!(profile_status(&app, &here.access).await, 401);
    assert_eq!(refresh(&app, &here.refresh).await.status(), 401);
    let nobody = app
        .send(
            reqwest::Method::DELETE,
            "/admin/users/nobody-here/sessions",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(nobody.status(), 404);
}
