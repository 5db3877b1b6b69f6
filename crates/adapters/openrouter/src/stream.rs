//! A started streamed answer as an [`LlmStream`]: reads the body under the chunk-gap
//! and total deadlines, parses server-sent events, and ends after `Finished` or the
//! first error. Dropping the stream drops the connection, which tells the upstream to
//! stop generating.

use std::collections::VecDeque;

use futures_util::stream;
use polychat_domain::ports::{LlmError, LlmStream, StreamEvent};
use reqwest::Response;
use secrecy::SecretString;
use tokio::time::{Instant, timeout_at};

use crate::decode::{ChunkDecoder, Step};
use crate::sse::SseParser;
use crate::transport::Limits;

/// The longest single SSE line accepted; a chunk of JSON is far smaller.
const MAX_LINE_BYTES: usize = 256 * 1024;

struct State {
    response: Response,
    parser: SseParser,
    decoder: ChunkDecoder,
    ready: VecDeque<Result<StreamEvent, LlmError>>,
    ended: bool,
    received: usize,
    limits: Limits,
    deadline: Instant,
}

/// Turns a 2xx `text/event-stream` response into the answer's events.
pub(crate) fn events(
    response: Response,
    key: SecretString,
    limits: Limits,
    deadline: Instant,
) -> LlmStream {
    let state = State {
        response,
        parser: SseParser::new(MAX_LINE_BYTES.min(limits.max_response_bytes)),
        decoder: ChunkDecoder::new(key),
        ready: VecDeque::new(),
        ended: false,
        received: 0,
        limits,
        deadline,
    };
    Box::pin(stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.ready.pop_front() {
                return Some((event, state));
            }
            if state.ended {
                return None;
            }
            state.read().await;
        }
    }))
}

impl State {
    /// Reads one network chunk and queues what it completes.
    async fn read(&mut self) {
        let by = self.deadline.min(Instant::now() + self.limits.chunk_gap);
        match timeout_at(by, self.response.chunk()).await {
            Err(_) => self.fail(LlmError::Timeout),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the upstream stream was cut");
                self.fail(LlmError::Upstream("the upstream stream was cut".to_owned()));
            }
            Ok(Ok(None)) => self.end_of_input(),
            Ok(Ok(Some(bytes))) => {
                self.received += bytes.len();
                if self.received > self.limits.max_response_bytes {
                    let limit = self.limits.max_response_bytes;
                    self.fail(LlmError::Upstream(format!(
                        "the upstream stream exceeds {limit} bytes"
                    )));
                    return;
                }
                match self.parser.push(&bytes) {
                    Ok(events) => events.iter().for_each(|data| self.data(data)),
                    Err(err) => self.fail(LlmError::Upstream(format!("the upstream sent {err}"))),
                }
            }
        }
    }

    fn data(&mut self, data: &str) {
        if self.ended {
            return;
        }
        match self.decoder.data(data) {
            Ok(Step::Nothing) => {}
            Ok(Step::Delta(text)) => self.ready.push_back(Ok(StreamEvent::Delta(text))),
            Ok(Step::ToolCalls { text, calls }) => {
                if !text.is_empty() {
                    self.ready.push_back(Ok(StreamEvent::Delta(text)));
                }
                self.ready.push_back(Ok(StreamEvent::ToolCalls(calls)));
            }
            Ok(Step::Done(finished)) => self.finish(Ok(finished)),
            Err(error) => self.fail(error),
        }
    }

    fn end_of_input(&mut self) {
        match self.parser.finish() {
            Ok(Some(data)) => self.data(&data),
            Ok(None) => {}
            Err(err) => self.fail(LlmError::Upstream(format!("the upstream sent {err}"))),
        }
        if !self.ended {
            let last = self.decoder.end_of_input();
            self.finish(last);
        }
    }

    fn fail(&mut self, error: LlmError) {
        self.finish(Err(error));
    }

    /// Queues the last event; deltas already queued still go out before it.
    fn finish(&mut self, last: Result<StreamEvent, LlmError>) {
        if !self.ended {
            self.ready.push_back(last);
            self.ended = true;
        }
    }
}
