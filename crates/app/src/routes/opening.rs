//! The opening of a streamed answer's response, shared by `POST /chat` and `/v1`: held
//! until the model's first event (at most [`FIRST_EVENT_WAIT`], and never longer than
//! the keep-alive interval, so a proxy sees bytes that often), so the response can say
//! which model answers: `X-Polychat-Fallback` when a custom model's fallback took over,
//! and that model in every chunk. Time to the first token is unchanged: nothing of the
//! answer could be sent earlier.

use std::time::Duration;

use actix_web::HttpResponseBuilder;
use actix_web::http::header::HeaderName;
use futures_util::stream::{self, BoxStream, StreamExt as _};
use polychat_domain::services::chat::{ChatTurn, TurnEvent, TurnStream};
use polychat_domain::{ChatId, MessageId, ModelName};

use crate::metrics::InFlight;

/// Names the model that answered in place of the custom model asked for.
pub(super) const X_POLYCHAT_FALLBACK: HeaderName = HeaderName::from_static("x-polychat-fallback");

/// How long the response waits for the model's first event before it starts anyway;
/// a model that is slow to start then gets no fallback header (its last event still
/// names the model that answered).
const FIRST_EVENT_WAIT: Duration = Duration::from_secs(10);

/// A streamed answer whose response may start.
pub(super) struct Opened {
    pub chat_id: Option<ChatId>,
    pub message_id: MessageId,
    /// The model that answers, as far as known when the response starts.
    pub model: ModelName,
    /// The fallback that took over, if one did before the response started.
    pub fallback: Option<ModelName>,
    pub events: BoxStream<'static, TurnEvent>,
}

impl Opened {
    /// Adds `X-Polychat-Fallback` when a fallback answers.
    pub(super) fn name_fallback(&self, response: &mut HttpResponseBuilder) {
        fallback_header(response, self.fallback.as_ref());
    }
}

/// Adds `X-Polychat-Fallback` to a whole answer's response when a fallback answered.
pub(super) fn name_turn_fallback(response: &mut HttpResponseBuilder, turn: &ChatTurn) {
    fallback_header(response, turn.fallback.as_ref());
}

fn fallback_header(response: &mut HttpResponseBuilder, fallback: Option<&ModelName>) {
    if let Some(model) = fallback {
        response.insert_header((X_POLYCHAT_FALLBACK, model.as_str()));
    }
}

/// Waits for the first event of `started` that is not a reroute (or for the wait, at
/// most `keepalive`, to end), taking note of the model each reroute names.
pub(super) async fn open(started: TurnStream, keepalive: Duration, in_flight: InFlight) -> Opened {
    let TurnStream {
        chat_id,
        message_id,
        model,
        mut events,
    } = started;
    let mut fallback = None;
    let deadline = tokio::time::Instant::now() + FIRST_EVENT_WAIT.min(keepalive);
    let first = loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(TurnEvent::Rerouted(by))) => fallback = Some(by),
            Ok(first) => break first,
            Err(_) => break None,
        }
    };
    Opened {
        chat_id,
        message_id,
        model: fallback.clone().unwrap_or(model),
        fallback,
        // The stream holds the guard: it counts out when the response is dropped.
        events: stream::iter(first)
            .chain(events)
            .map(move |event| {
                let _counted = &in_flight;
                event
            })
            .boxed(),
    }
}
