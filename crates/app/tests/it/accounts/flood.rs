//! A flood of logins at a realistic bcrypt cost does not stall other requests: the
//! hashing runs off the async workers, so `/health` keeps answering promptly while
//! the logins queue for CPU.
//!
//! No absolute timing is asserted; the check compares `/health`'s typical latency
//! during the flood with how long the flood itself takes. If hashing ran on the
//! workers, each health check would wait behind the hashes queued on its worker and
//! the two numbers would be of the same order (tried: with the hashing moved onto the
//! workers the logins pile up until the client gives up).
//!
//! Cost 9 rather than production's 12: test builds do not optimise dependencies, where
//! one cost-9 hash already takes a few hundred milliseconds, so the flood lasts seconds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::support::{PASSWORD, login, register, unique};
use crate::harness::TestApp;

const LOGINS: usize = 30;

#[tokio::test]
async fn a_login_flood_does_not_stall_other_requests() {
    let app = TestApp::spawn_with(&[("BCRYPT_COST", "9")]).await;
    let username = unique("flood");
    register(&app, &username, None).await;

    let flood_done = AtomicBool::new(false);
    let started = Instant::now();
    let flood = async {
        let logins = (0..LOGINS).map(|_| login(&app, &username, PASSWORD));
        let statuses: Vec<u16> = join_all(logins)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        flood_done.store(true, Ordering::SeqCst);
        (statuses, started.elapsed())
    };
    let probe = async {
        let mut latencies = Vec::new();
        // Let the flood get going first.
        tokio::time::sleep(Duration::from_millis(50)).await;
        while !flood_done.load(Ordering::SeqCst) {
            let sent = Instant::now();
            let health = app.get("/health", None).await;
            assert_eq!(health.status(), 200);
            latencies.push(sent.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        latencies
    };
    let ((statuses, flood_took), mut latencies) = tokio::join!(flood, probe);

    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    assert!(
        latencies.len() >= 3,
        "the flood ({flood_took:?}) must last long enough to probe /health during it"
    );
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    assert!(
        median * 5 < flood_took,
        "/health took {median:?} (median) during a flood of {flood_took:?}: {latencies:?}"
    );
}
