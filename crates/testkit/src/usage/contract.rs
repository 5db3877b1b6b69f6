//! The behaviour every [`UsageLedger`] must show, run against the in-memory fake and
//! against each real adapter (on a ledger of its own: it reads everyone's totals).

use chrono::{DateTime, NaiveDate, Utc};
use polychat_domain::ports::UsageLedger;
use polychat_domain::usage::{UsageGroup, UsageQuery, UsageRecord, UsageRoute, UsageTotals};
use polychat_domain::{ModelName, Usage, UserId};

/// A successful call of `model` by `user` at `at` (RFC 3339), with these tokens.
///
/// # Panics
/// When `model` or `at` does not parse.
pub fn record(user: UserId, model: &str, at: &str, tokens: (u64, u64)) -> UsageRecord {
    UsageRecord {
        user_id: user,
        model: ModelName::parse(model).unwrap_or_else(|e| panic!("{e}")),
        fallback_from: None,
        route: UsageRoute::Chat,
        usage: Usage::reported(tokens.0, tokens.1),
        succeeded: true,
        latency_ms: 12,
        at: DateTime::parse_from_rfc3339(at)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_timezone(&Utc),
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e}"))
}

fn totals(requests: u64, prompt: u64, completion: u64) -> UsageTotals {
    UsageTotals {
        requests,
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
    }
}

/// Runs every check of the contract against an empty `ledger`.
///
/// # Panics
/// When `ledger` breaks the contract.
pub async fn contract(ledger: &dyn UsageLedger) {
    let (ana, bruno) = (UserId::generate(), UserId::generate());
    let mut failed = record(ana, "support-bot", "2026-03-02T10:00:00Z", (0, 0));
    failed.succeeded = false;
    ledger
        .append(&[
            record(ana, "openai/gpt-4o-mini", "2026-03-01T23:59:59Z", (10, 5)),
            record(ana, "openai/gpt-4o-mini", "2026-03-02T00:00:00Z", (1, 1)),
            record(ana, "support-bot", "2026-03-02T09:00:00Z", (3, 4)),
            failed,
            record(bruno, "openai/gpt-4o-mini", "2026-03-02T12:00:00Z", (7, 0)),
            record(
                bruno,
                "openai/gpt-4o-mini",
                "2026-04-01T12:00:00Z",
                (100, 100),
            ),
        ])
        .await
        .expect("append");
    ledger.append(&[]).await.expect("an empty batch");

    let query = |user, group_by| UsageQuery {
        user,
        from: day("2026-03-01"),
        to: day("2026-03-02"),
        group_by,
    };
    let by_model = ledger
        .totals(&query(Some(ana), UsageGroup::Model))
        .await
        .expect("totals");
    assert_eq!(
        by_model,
        vec![
            ("openai/gpt-4o-mini".to_owned(), totals(2, 11, 6)),
            ("support-bot".to_owned(), totals(2, 3, 4)),
        ],
        "failed calls count as requests; ordered by key"
    );
    let by_day = ledger
        .totals(&query(Some(ana), UsageGroup::Day))
        .await
        .expect("totals");
    assert_eq!(
        by_day,
        vec![
            ("2026-03-01".to_owned(), totals(1, 10, 5)),
            ("2026-03-02".to_owned(), totals(3, 4, 5)),
        ],
        "days in UTC, both ends included"
    );
    let by_user = ledger
        .totals(&query(None, UsageGroup::User))
        .await
        .expect("totals");
    let mut expected = vec![
        (ana.to_string(), totals(4, 14, 10)),
        (bruno.to_string(), totals(1, 7, 0)),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(by_user, expected, "April is outside the range");
    let nothing = UsageQuery {
        from: day("2025-01-01"),
        to: day("2025-01-31"),
        ..query(None, UsageGroup::Model)
    };
    assert!(ledger.totals(&nothing).await.expect("totals").is_empty());
}
