use super::*;

#[test]
fn every_family_is_exposed_with_bounded_labels() {
    let metrics = Metrics::new();
    metrics.http_request("/chat", "POST", 201, Duration::from_millis(3));
    metrics.http_request("/chat", "BREW", 418, Duration::from_millis(1));
    metrics.model_call(ProviderKind::Webhook, "timeout", Duration::from_secs(2));
    metrics.first_token(ProviderKind::OpenRouter, Duration::from_millis(300));
    metrics.webhook_fallback("support-bot");
    metrics.circuit_opened("support-bot");
    let guard = metrics.stream_started();
    let text = String::from_utf8(metrics.render(3)).expect("UTF-8");
    for line in [
        r#"polychat_http_requests_total{method="POST",route="/chat",status="2xx"} 1"#,
        r#"polychat_http_requests_total{method="other",route="/chat",status="4xx"} 1"#,
        r#"polychat_model_call_duration_seconds_count{outcome="timeout",provider="webhook"} 1"#,
        r#"polychat_time_to_first_token_seconds_count{provider="openrouter"} 1"#,
        r#"polychat_tokens_total{kind="prompt",provider="openrouter"} 0"#,
        r#"polychat_history_cache_lookups_total{result="miss"} 0"#,
        r#"polychat_rate_limited_total{budget="login"} 0"#,
        r#"polychat_webhook_fallbacks_total{model="support-bot"} 1"#,
        r#"polychat_circuit_opened_total{model="support-bot"} 1"#,
        "polychat_streams_in_flight 1",
        "polychat_background_tasks 3",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
    }
    drop(guard);
    let text = String::from_utf8(metrics.render(0)).expect("UTF-8");
    assert!(text.lines().any(|l| l == "polychat_streams_in_flight 0"));
}
