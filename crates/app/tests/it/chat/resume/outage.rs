//! Redis down while an answer streams: the events cannot reach the log, yet a client
//! that reconnects gets no error; it waits and receives the stored answer's rest.

use std::time::Duration;

use super::{app_with_paced_model, finish, pieces, read_deltas, resume, start};
use crate::chat::outages::{Proxy, authority, env_or};
use crate::chat::support::user;

#[tokio::test]
async fn with_redis_down_a_reconnect_waits_for_the_stored_answer() {
    let redis = env_or("REDIS_URL", "redis://127.0.0.1:6379");
    let proxy = Proxy::start(authority(&redis)).await;
    let url = format!("redis://127.0.0.1:{}", proxy.port);
    let app =
        app_with_paced_model(Duration::from_millis(150), &[("REDIS_URL", url.as_str())]).await;
    let token = user(&app).await;
    let mut started = start(&app, &token).await;
    let (before, last, _) = read_deltas(&mut started.reader, 3).await;
    proxy.stop();
    drop(started.reader);

    let ids = (started.chat_id.as_str(), started.message_id.as_str());
    let response = resume(&app, &app.address, &token, ids, Some(&last)).await;
    assert_eq!(
        response.status(),
        200,
        "no error while the answer is written"
    );
    let (after, done) = finish(response, 3).await;
    let whole = pieces().concat();
    assert_eq!(format!("{before}{after}"), whole);
    assert_eq!(done["message"]["content"], whole.as_str());
}
