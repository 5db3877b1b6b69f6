//! Reading an answer, whatever its shape, as the pipeline's events. The body is read
//! under a deadline between chunks and a bound on its size. Its shape is told from the
//! content type (`text/event-stream`) or from its first line: an n8n stream line, a
//! `data:` line, or else a whole answer, read to the end and given as one delta and
//! `Finished`. Usage the answer does not report is counted with the tokenizer.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use polychat_domain::Usage;
use polychat_domain::ports::{Completion, LlmError, StreamEvent};
use reqwest::Response;
use reqwest::header::CONTENT_TYPE;
use tokio::time::Instant;

use crate::answer;
use crate::lines::{self, LineSplitter, Step};
use crate::sse::SseDecoder;
use crate::tokens::{self, PromptText, TokenCounter};

/// The finish reason of an answer that gives none.
const DEFAULT_FINISH_REASON: &str = "stop";

/// Reads a response's body in chunks, under the chunk-gap and whole-answer deadlines
/// and the size bound.
struct BodyReader {
    response: Response,
    gap: Duration,
    deadline: Option<Instant>,
    max_bytes: usize,
    received: usize,
}

impl BodyReader {
    async fn chunk(&mut self) -> Result<Option<Bytes>, LlmError> {
        let next_gap = Instant::now() + self.gap;
        let by = self
            .deadline
            .map_or(next_gap, |deadline| deadline.min(next_gap));
        match tokio::time::timeout_at(by, self.response.chunk()).await {
            Err(_) => Err(LlmError::Timeout),
            Ok(Err(error)) => {
                tracing::warn!(error = %error.without_url(), "a webhook answer was cut");
                Err(LlmError::Upstream(
                    "the webhook's answer was cut".to_owned(),
                ))
            }
            Ok(Ok(None)) => Ok(None),
            Ok(Ok(Some(bytes))) => {
                self.received += bytes.len();
                if self.received > self.max_bytes {
                    return Err(too_large(self.max_bytes));
                }
                Ok(Some(bytes))
            }
        }
    }
}

fn too_large(max_bytes: usize) -> LlmError {
    LlmError::Upstream(format!("the webhook's answer exceeds {max_bytes} bytes"))
}

/// How the body is framed, once known.
enum Framing {
    /// Not known yet: the bytes so far, waiting for a first line.
    Unknown,
    /// n8n's JSON lines.
    Lines(LineSplitter),
    /// An event stream of OpenAI chunks.
    Sse(LineSplitter, SseDecoder),
    /// A whole answer, read to the end.
    Whole,
}

/// What the caller needs besides the response to read an answer.
pub(crate) struct AnswerContext {
    pub(crate) tokens: Arc<TokenCounter>,
    pub(crate) prompt: PromptText,
    pub(crate) max_bytes: usize,
    /// The longest wait for the next chunk.
    pub(crate) gap: Duration,
    /// When the whole answer must have arrived, if it must.
    pub(crate) deadline: Option<Instant>,
}

/// An answer being read, as events.
pub(crate) struct Answering {
    body: BodyReader,
    content_type: Option<String>,
    framing: Framing,
    /// The bytes read while the framing is unknown, or all of a whole answer.
    buffered: Vec<u8>,
    ready: VecDeque<Result<StreamEvent, LlmError>>,
    ended: bool,
    /// The answer's text so far, for counting its tokens.
    text: String,
    tokens: Arc<TokenCounter>,
    prompt: PromptText,
}

impl Answering {
    /// Starts reading a 2xx response.
    pub(crate) fn new(response: Response, context: AnswerContext) -> Result<Self, LlmError> {
        if response
            .content_length()
            .is_some_and(|length| length > context.max_bytes as u64)
        {
            return Err(too_large(context.max_bytes));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let framing = if content_type.as_deref().is_some_and(|value| {
            value
                .trim()
                .to_ascii_lowercase()
                .starts_with("text/event-stream")
        }) {
            Framing::Sse(LineSplitter::default(), SseDecoder::default())
        } else {
            Framing::Unknown
        };
        Ok(Self {
            body: BodyReader {
                response,
                gap: context.gap,
                deadline: context.deadline,
                max_bytes: context.max_bytes,
                received: 0,
            },
            content_type,
            framing,
            buffered: Vec::new(),
            ready: VecDeque::new(),
            ended: false,
            text: String::new(),
            tokens: context.tokens,
            prompt: context.prompt,
        })
    }

    /// The next event; `None` after `Finished` or an error.
    pub(crate) async fn next(&mut self) -> Option<Result<StreamEvent, LlmError>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            self.advance().await;
        }
    }

    /// The whole answer, for a call that does not stream.
    pub(crate) async fn collect(mut self) -> Result<Completion, LlmError> {
        let mut content = String::new();
        let mut tool_calls = None;
        while let Some(event) = self.next().await {
            match event? {
                StreamEvent::Delta(text) => content.push_str(&text),
                StreamEvent::ToolCalls(calls) => tool_calls = Some(calls),
                // Only a router reroutes; a webhook's answer never does.
                StreamEvent::Rerouted(_) => {}
                StreamEvent::Finished {
                    model,
                    usage,
                    finish_reason,
                } => {
                    return Ok(Completion {
                        content,
                        model,
                        usage: usage.unwrap_or_default(),
                        finish_reason,
                        tool_calls,
                    });
                }
            }
        }
        Err(LlmError::Upstream(
            "the webhook's answer ended early".to_owned(),
        ))
    }

    /// Reads one chunk and queues what it completes.
    async fn advance(&mut self) {
        match self.body.chunk().await {
            Err(error) => self.fail(error),
            Ok(Some(bytes)) => self.bytes(&bytes).await,
            Ok(None) => self.end_of_input().await,
        }
    }

    async fn bytes(&mut self, bytes: &[u8]) {
        match self.framing {
            Framing::Unknown => {
                self.buffered.extend_from_slice(bytes);
                if self.detect(false) {
                    let buffered = std::mem::take(&mut self.buffered);
                    self.feed_lines(&buffered).await;
                }
            }
            Framing::Whole => self.buffered.extend_from_slice(bytes),
            Framing::Lines(_) | Framing::Sse(..) => self.feed_lines(bytes).await,
        }
    }

    /// Feeds a line-framed body.
    async fn feed_lines(&mut self, bytes: &[u8]) {
        let lines = match &mut self.framing {
            Framing::Lines(splitter) | Framing::Sse(splitter, _) => splitter.push(bytes),
            Framing::Unknown | Framing::Whole => return,
        };
        match lines {
            Ok(lines) => {
                for line in lines {
                    self.line(&line).await;
                }
            }
            Err(_) => self.fail(not_utf8()),
        }
    }

    /// Tells the framing from the first line, once it is complete (or the body ended);
    /// whether the body turned out to be line-framed.
    fn detect(&mut self, at_end: bool) -> bool {
        let Some(start) = self
            .buffered
            .iter()
            .position(|byte| !byte.is_ascii_whitespace())
        else {
            return false;
        };
        let first = &self.buffered[start..];
        let first_line = match first.iter().position(|&byte| byte == b'\n') {
            Some(end) => &first[..end],
            None if at_end => first,
            None => return false,
        };
        let first_line = String::from_utf8_lossy(first_line);
        self.framing = if first_line.starts_with("data:") {
            Framing::Sse(LineSplitter::default(), SseDecoder::default())
        } else if lines::is_json_line(&first_line) {
            Framing::Lines(LineSplitter::default())
        } else {
            Framing::Whole
        };
        !matches!(self.framing, Framing::Whole)
    }

    async fn line(&mut self, line: &str) {
        if self.ended {
            return;
        }
        let steps = match &mut self.framing {
            Framing::Lines(_) => lines::json_line(line).into_iter().collect(),
            Framing::Sse(_, decoder) => decoder.line(line),
            Framing::Unknown | Framing::Whole => Vec::new(),
        };
        self.steps(steps).await;
    }

    async fn steps(&mut self, steps: Vec<Step>) {
        for step in steps {
            if self.ended {
                return;
            }
            match step {
                Step::Delta(text) => {
                    self.text.push_str(&text);
                    self.ready.push_back(Ok(StreamEvent::Delta(text)));
                }
                Step::Done => self.finish_stream().await,
                Step::Fail(error) => self.fail(error),
            }
        }
    }

    async fn end_of_input(&mut self) {
        if matches!(self.framing, Framing::Unknown) && self.detect(true) {
            let buffered = std::mem::take(&mut self.buffered);
            self.feed_lines(&buffered).await;
        }
        let last = match &mut self.framing {
            Framing::Unknown | Framing::Whole => return self.whole().await,
            Framing::Lines(splitter) | Framing::Sse(splitter, _) => splitter.finish(),
        };
        match last {
            Ok(Some(last)) => self.line(&last).await,
            Ok(None) => {}
            Err(_) => self.fail(not_utf8()),
        }
        let rest = match &mut self.framing {
            Framing::Sse(_, decoder) => decoder.finish(),
            _ => Vec::new(),
        };
        self.steps(rest).await;
        // A stream that ends without its closing line still ends normally, unless it
        // sent nothing at all.
        if !self.ended && self.text.is_empty() {
            return self.fail(LlmError::Upstream(
                "the webhook's stream ended without an answer".to_owned(),
            ));
        }
        self.finish_stream().await;
    }

    /// A whole answer: one delta (and tool calls), then `Finished`.
    async fn whole(&mut self) {
        let answer = match answer::decode(&self.buffered, self.content_type.as_deref()) {
            Ok(answer) => answer,
            Err(error) => return self.fail(error),
        };
        let usage = self.usage(answer.usage, &answer.content).await;
        let completion = Completion {
            content: answer.content,
            model: None,
            usage,
            finish_reason: Some(
                answer
                    .finish_reason
                    .unwrap_or_else(|| DEFAULT_FINISH_REASON.to_owned()),
            ),
            tool_calls: answer.tool_calls,
        };
        self.ready
            .extend(completion.into_events().into_iter().map(Ok));
        self.ended = true;
    }

    /// The end of a streamed answer: `Finished`, with the usage it reported or counted.
    async fn finish_stream(&mut self) {
        if self.ended {
            return;
        }
        let (reported, finish_reason) = match &self.framing {
            Framing::Sse(_, decoder) => (decoder.usage(), decoder.finish_reason()),
            _ => (None, None),
        };
        let text = std::mem::take(&mut self.text);
        let usage = self.usage(reported, &text).await;
        self.ready.push_back(Ok(StreamEvent::Finished {
            model: None,
            usage: Some(usage),
            finish_reason: Some(finish_reason.unwrap_or_else(|| DEFAULT_FINISH_REASON.to_owned())),
        }));
        self.ended = true;
    }

    /// The answer's usage: as it reported it, or else counted with the tokenizer over
    /// the prompt and `completion` (the one place the choice is made).
    async fn usage(&self, reported: Option<Usage>, completion: &str) -> Usage {
        match reported {
            Some(usage) => usage,
            None => {
                tokens::estimate(
                    Arc::clone(&self.tokens),
                    self.prompt.clone(),
                    completion.to_owned(),
                )
                .await
            }
        }
    }

    /// Queues the error as the last event; what was queued before still goes out.
    fn fail(&mut self, error: LlmError) {
        if !self.ended {
            self.ready.push_back(Err(error));
            self.ended = true;
        }
    }
}

fn not_utf8() -> LlmError {
    LlmError::Upstream("the webhook's stream is not UTF-8".to_owned())
}
