//! Serving the web app over HTTP, without a browser: types, caching and security
//! headers, the JavaScript budget of the first page, and the refresh cookie.

use std::collections::BTreeSet;

use reqwest::header::{CONTENT_TYPE, COOKIE, ETAG, IF_NONE_MATCH, SET_COOKIE};
use serde_json::{Value, json};

use crate::harness::TestApp;

/// The first page may load at most this much JavaScript (uncompressed).
const FIRST_PAGE_BUDGET: usize = 200 * 1024;

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_and_revalidated_by_etag() {
    let app = TestApp::spawn().await;
    let page = app.get("/", None).await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = headers["content-security-policy"].to_str().expect("ascii");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let html = page.text().await.expect("page");
    assert!(html.contains(r#"<script type="module" src="/app/js/main.js">"#));
    assert!(!html.contains("<script>"), "no inline script");

    let etag = headers[ETAG].clone();
    let again = app
        .client
        .get(app.url("/"))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("revalidate");
    assert_eq!(again.status(), 304);

    let script = app.get("/app/js/main.js", None).await;
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()[CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(script.headers().contains_key("content-security-policy"));
    assert_eq!(app.get("/app/js/nothing.js", None).await.status(), 404);
}

/// The modules `entries` load by static imports, with their sizes.
async fn closure(app: &TestApp, entries: &[&str]) -> BTreeSet<(String, usize)> {
    let mut seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut queue: Vec<String> = entries.iter().map(|e| format!("/app/js/{e}")).collect();
    while let Some(path) = queue.pop() {
        if !names.insert(path.clone()) {
            continue;
        }
        let response = app.get(&path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        let source = response.text().await.expect("script");
        let dir = &path[..=path.rfind('/').expect("a directory")];
        for piece in source.split("from").skip(1) {
            let piece = piece.trim_start();
            let Some(quote) = piece.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = piece[1..].find(quote) else {
                continue;
            };
            let target = &piece[1..=end];
            if target.starts_with("./") || target.starts_with("../") {
                queue.push(resolve(dir, target));
            }
        }
        seen.insert((path, source.len()));
    }
    seen
}

fn resolve(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = dir.trim_end_matches('/').split('/').collect();
    for piece in relative.split('/') {
        match piece {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[tokio::test]
async fn the_first_page_loads_under_200_kb_of_javascript() {
    let app = TestApp::spawn().await;
    let login: usize = closure(&app, &["main.js"])
        .await
        .iter()
        .map(|(_, size)| size)
        .sum();
    assert!(login < FIRST_PAGE_BUDGET, "login page: {login} bytes");
    // A returning user's first page also loads the chat view and, beside it, the markdown
    // renderer (the panels load when opened, the highlighter when a code block shows).
    let chat = closure(&app, &["main.js", "views/workspace.js", "markdown.js"]).await;
    let total: usize = chat.iter().map(|(_, size)| size).sum();
    assert!(
        total < FIRST_PAGE_BUDGET,
        "chat page: {total} bytes: {chat:?}"
    );
    assert!(
        chat.iter()
            .any(|(path, _)| path.ends_with("vendor/purify.js")),
        "{chat:?}"
    );
}

fn cookie_of(response: &reqwest::Response) -> String {
    response.headers()[SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn the_web_login_keeps_the_refresh_token_in_a_strict_httponly_cookie() {
    let app = TestApp::spawn().await;
    app.user("cookie_user", None).await;
    let credentials = json!({"username": "cookie_user", "password": "correct horse battery"});

    let login = app.post("/login?cookie=true", None, &credentials).await;
    assert_eq!(login.status(), 200);
    let set = cookie_of(&login);
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/token/refresh"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain http gets no Secure flag: {set}"
    );
    let body: Value = login.json().await.expect("tokens");
    assert!(body["access_token"].is_string());
    assert!(body.get("refresh_token").is_none(), "{body}");
    let cookie = set.split(';').next().expect("name=value").to_owned();

    // A cross-site form cannot send JSON: without it the cookie is not enough.
    let form = app
        .client
        .post(app.url("/token/refresh"))
        .header(COOKIE, &cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .expect("form refresh");
    assert_eq!(form.status(), 415);

    let refresh = |cookie: String| {
        app.client
            .post(app.url("/token/refresh"))
            .header(COOKIE, cookie)
            .json(&json!({}))
            .send()
    };
    let refreshed = refresh(cookie.clone()).await.expect("refresh");
    assert_eq!(refreshed.status(), 200);
    let rotated = cookie_of(&refreshed);
    assert!(rotated.contains("HttpOnly"), "{rotated}");
    let body: Value = refreshed.json().await.expect("tokens");
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body["access_token"].is_string());
    let next = refresh(rotated.split(';').next().expect("name=value").to_owned())
        .await
        .expect("refresh with the rotated cookie");
    assert_eq!(next.status(), 200, "the rotated cookie works");
    let body: Value = next.json().await.expect("tokens");
    let access = body["access_token"].as_str().expect("access").to_owned();

    let logout = app.post("/logout", Some(&access), &json!({})).await;
    assert_eq!(logout.status(), 204);
    assert!(cookie_of(&logout).contains("Max-Age=0"));
    assert_eq!(refresh(cookie).await.expect("replay").status(), 401);
    assert_eq!(
        app.post("/token/refresh", None, &json!({})).await.status(),
        401,
        "no cookie, no body: unauthorized"
    );

    // Behind a TLS-terminating proxy the cookie is Secure.
    let proxied = app
        .client
        .post(app.url("/login?cookie=true"))
        .header("x-forwarded-proto", "https")
        .json(&credentials)
        .send()
        .await
        .expect("login over https");
    assert!(
        cookie_of(&proxied).contains("; Secure"),
        "{}",
        cookie_of(&proxied)
    );

    // API clients keep the body flow.
    let plain = app.post("/login", None, &credentials).await;
    assert!(!plain.headers().contains_key(SET_COOKIE));
    let body: Value = plain.json().await.expect("tokens");
    assert!(body["refresh_token"].is_string());
}
