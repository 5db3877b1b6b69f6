//! The SSRF rule: the URL guard (`WebhookUrlGuard` on `NetworkPolicy`) on the odd
//! spellings of refused addresses, and the client's own checks at call time (an IP
//! literal checked before sending, a name through the policy's resolver), so nothing
//! refused is ever reached.

use polychat_domain::ports::{LlmError, UrlRefusal, WebhookCaller, WebhookUrlGuard};
use polychat_webhook::{NetworkPolicy, WebhookClient};
use reqwest::Url;
use serde_json::json;

use crate::support::{Fake, Reply, chat_call, endpoint, loopback_policy};

fn forbidden(address: &str) -> Result<(), UrlRefusal> {
    Err(UrlRefusal::ForbiddenAddress(address.to_owned()))
}

#[test]
fn the_url_parser_normalises_odd_ipv4_spellings() {
    for url in [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://0177.0.0.1/",
        "http://0x7f000001/",
    ] {
        let parsed = Url::parse(url).unwrap();
        assert_eq!(parsed.host_str(), Some("127.0.0.1"), "{url}");
    }
}

#[tokio::test]
async fn refused_addresses_in_every_spelling() {
    let guard = NetworkPolicy::public_only();
    for (url, address) in [
        ("http://localhost:8080/webhook", "127.0.0.1"),
        ("http://127.0.0.1/", "127.0.0.1"),
        ("http://127.0.0.2/", "127.0.0.2"),
        ("http://[::1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://[::ffff:7f00:1]/", "::ffff:127.0.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254"),
        ("http://10.1.2.3/", "10.1.2.3"),
        ("https://172.16.5.4/", "172.16.5.4"),
        ("https://192.168.0.10/", "192.168.0.10"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[fc00::1]/", "fc00::1"),
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://255.255.255.255/", "255.255.255.255"),
    ] {
        let result = guard.check(url).await;
        if url.starts_with("http://localhost") {
            // localhost may resolve to ::1 as well; either is refused.
            assert!(
                matches!(&result, Err(UrlRefusal::ForbiddenAddress(a)) if a == "127.0.0.1" || a == "::1"),
                "{url}: {result:?}"
            );
        } else {
            assert_eq!(result, forbidden(address), "{url}");
        }
    }
}

#[tokio::test]
async fn public_addresses_pass_and_other_schemes_do_not() {
    let guard = NetworkPolicy::public_only();
    assert_eq!(guard.check("https://1.1.1.1/webhook/abc").await, Ok(()));
    assert_eq!(guard.check("http://[2606:4700::1111]:8443/x").await, Ok(()));
    for url in [
        "ftp://1.1.1.1/",
        "file:///etc/passwd",
        "gopher://1.1.1.1/",
        "not a url",
        "",
    ] {
        assert_eq!(guard.check(url).await, Err(UrlRefusal::NotHttp), "{url}");
    }
}

#[tokio::test]
async fn an_opened_network_is_reachable_but_metadata_never() {
    let guard = loopback_policy();
    assert_eq!(guard.check("http://127.0.0.1:5678/webhook").await, Ok(()));
    assert_eq!(guard.check("http://2130706433/").await, Ok(()));
    assert_eq!(guard.check("http://[::ffff:127.0.0.1]/").await, Ok(()));
    assert_eq!(guard.check("http://10.1.2.3/").await, forbidden("10.1.2.3"));

    let guard = NetworkPolicy::parse("169.254.0.0/16, fd00::/8").unwrap();
    assert_eq!(guard.check("http://169.254.10.10/").await, Ok(()));
    assert_eq!(
        guard.check("http://169.254.169.254/").await,
        forbidden("169.254.169.254")
    );
    assert_eq!(
        guard.check("http://[::ffff:169.254.169.254]/").await,
        forbidden("::ffff:169.254.169.254")
    );
    assert_eq!(
        guard.check("http://[fd00:ec2::254]/").await,
        forbidden("fd00:ec2::254")
    );
}

fn upstream<T: std::fmt::Debug>(result: Result<T, LlmError>) -> String {
    match result {
        Err(
            LlmError::Upstream(message)
            | LlmError::Status {
                detail: message, ..
            },
        ) => message,
        other => panic!("expected an upstream error, got {other:?}"),
    }
}

/// A client of the public-only policy: the fake on loopback must stay unreached.
fn public_client() -> WebhookClient {
    WebhookClient::new(NetworkPolicy::public_only(), 1024 * 1024).unwrap()
}

#[tokio::test]
async fn an_ip_literal_is_checked_before_sending() {
    let fake = Fake::start(Reply::json(&json!({"output": "reached"}))).await;
    let port = fake.addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/webhook"),
        format!("http://2130706433:{port}/webhook"),
        format!("http://[::ffff:127.0.0.1]:{port}/webhook"),
        format!("http://0.0.0.0:{port}/webhook"),
        format!("http://[::1]:{port}/webhook"),
    ] {
        let message = upstream(
            public_client()
                .complete(&endpoint(&url), &chat_call(false))
                .await,
        );
        assert_eq!(
            message, "the webhook's address is not one webhooks may reach",
            "{url}"
        );
        let result = public_client()
            .stream(&endpoint(&url), &chat_call(true))
            .await
            .map(|_| ());
        assert_eq!(
            upstream(result),
            "the webhook's address is not one webhooks may reach"
        );
    }
    assert!(fake.requests().is_empty(), "a refused address was reached");
}

#[tokio::test]
async fn the_unspecified_address_stays_refused_with_loopback_opened() {
    // On Linux, connecting to 0.0.0.0 reaches the local host.
    let fake = Fake::start(Reply::json(&json!({"output": "reached"}))).await;
    let url = format!("http://0.0.0.0:{}/webhook", fake.addr.port());
    let client = WebhookClient::new(loopback_policy(), 1024 * 1024).unwrap();
    let message = upstream(client.complete(&endpoint(&url), &chat_call(false)).await);
    assert_eq!(
        message,
        "the webhook's address is not one webhooks may reach"
    );
    assert!(fake.requests().is_empty(), "a refused address was reached");
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_at_connect_time() {
    let fake = Fake::start(Reply::json(&json!({"output": "reached"}))).await;
    let url = format!("http://localhost:{}/webhook", fake.addr.port());
    let message = upstream(
        public_client()
            .complete(&endpoint(&url), &chat_call(false))
            .await,
    );
    assert_eq!(
        message,
        "the webhook's host resolves to no address webhooks may reach"
    );
    assert!(fake.requests().is_empty(), "a refused address was reached");
}

#[tokio::test]
async fn a_name_in_an_opened_network_is_reached_through_the_resolver() {
    let fake = Fake::start(Reply::json(&json!({"output": "reached"}))).await;
    let url = format!("http://localhost:{}/webhook", fake.addr.port());
    let client = WebhookClient::new(loopback_policy(), 1024 * 1024).unwrap();
    let completion = client
        .complete(&endpoint(&url), &chat_call(false))
        .await
        .unwrap();
    assert_eq!(completion.content, "reached");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_redirect_to_loopback_is_never_followed() {
    // Both on the opened loopback network: only the redirect policy stands between.
    let target = Fake::start(Reply::json(&json!({"output": "internal"}))).await;
    let mut redirect = Reply::new(302, "text/plain", "");
    redirect.headers.push((
        "location".to_owned(),
        format!("http://127.0.0.1:{}/admin", target.addr.port()),
    ));
    let fake = Fake::start(redirect).await;
    let client = WebhookClient::new(loopback_policy(), 1024 * 1024).unwrap();
    let message = upstream(
        client
            .complete(&endpoint(&fake.url()), &chat_call(false))
            .await,
    );
    assert_eq!(
        message,
        "the webhook answered with a redirect (302), which is not followed"
    );
    assert_eq!(fake.requests().len(), 1);
    assert!(target.requests().is_empty(), "the redirect target was hit");
}
