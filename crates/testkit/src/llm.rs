//! A language model that answers from a script and remembers what it was asked, so
//! use-case tests can decide the answer (or failure) and then check the context sent.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use futures_util::stream;
use polychat_domain::ports::{
    Completion, CompletionRequest, GatewayKeyCheck, KeyVerdict, LlmError, LlmMessage, LlmProvider,
    LlmStream, ModelInput, StreamEvent,
};
use polychat_domain::{ModelName, Usage};
use secrecy::ExposeSecret;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// One scripted answer, consumed by one call.
#[derive(Debug)]
pub enum Script {
    /// A whole answer; `stream` delivers it as one delta and `Finished`.
    Reply(Completion),
    /// A failure before anything was produced.
    Fail(LlmError),
    /// The events of a stream, in order; `complete` joins the deltas (or fails with the
    /// first error).
    Stream(Vec<Result<StreamEvent, LlmError>>),
    /// Events the test hands over as it likes through the [`StreamGate`] returned by
    /// [`ScriptedLlm::push_gated`]; the stream ends when the gate is dropped. `complete`
    /// waits until the gate finishes, fails or is dropped, then joins what it got.
    Gated(UnboundedReceiver<Result<StreamEvent, LlmError>>),
}

/// The test's end of a [`Script::Gated`] answer: each call releases one event.
#[derive(Debug)]
pub struct StreamGate {
    events: UnboundedSender<Result<StreamEvent, LlmError>>,
    text: Mutex<String>,
}

impl StreamGate {
    /// Releases one delta.
    pub fn delta(&self, text: &str) -> &Self {
        lock(&self.text).push_str(text);
        let _ = self.events.send(Ok(StreamEvent::Delta(text.to_owned())));
        self
    }

    /// Ends the answer normally, with [`word_usage`] of the deltas released.
    pub fn finish(self) {
        let usage = word_usage("", &lock(&self.text));
        let _ = self.events.send(Ok(StreamEvent::Finished {
            model: None,
            usage: Some(usage),
            finish_reason: Some("stop".to_owned()),
        }));
    }

    /// Ends the answer with a failure.
    pub fn fail(self, error: LlmError) {
        let _ = self.events.send(Err(error));
    }
}

/// What a call received. The key is exposed on purpose: tests check that the user's
/// decrypted key, and nothing else, reached the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub model: ModelName,
    /// The conversation; a text prompt is recorded as one user message.
    pub messages: Vec<LlmMessage>,
    /// Whether the input was a bare text prompt (legacy completions).
    pub text: bool,
    pub api_key: String,
    pub max_tokens: Option<u32>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub streamed: bool,
}

/// An [`LlmProvider`] that pops one [`Script`] per call. With the script exhausted it
/// fails with [`LlmError::Upstream`], so an unexpected call does not pass silently.
#[derive(Debug, Default)]
pub struct ScriptedLlm {
    script: Mutex<VecDeque<Script>>,
    requests: Mutex<Vec<RecordedRequest>>,
}

/// The usage the convenience helpers report: one token per word, so totals are
/// predictable in assertions.
pub fn word_usage(prompt: &str, answer: &str) -> Usage {
    let prompt_tokens = prompt.split_whitespace().count() as u64;
    let completion_tokens = answer.split_whitespace().count() as u64;
    Usage::reported(prompt_tokens, completion_tokens)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ScriptedLlm {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, script: Script) -> &Self {
        lock(&self.script).push_back(script);
        self
    }

    /// Queues a whole answer with [`word_usage`] and no upstream model name.
    pub fn push_reply(&self, content: &str) -> &Self {
        self.push(Script::Reply(Completion {
            content: content.to_owned(),
            model: None,
            usage: word_usage("", content),
            finish_reason: Some("stop".to_owned()),
            tool_calls: None,
        }))
    }

    pub fn push_error(&self, error: LlmError) -> &Self {
        self.push(Script::Fail(error))
    }

    /// Queues a stream of `deltas` that ends normally, with [`word_usage`] of their text.
    pub fn push_stream(&self, deltas: &[&str]) -> &Self {
        let mut events: Vec<_> = deltas
            .iter()
            .map(|delta| Ok(StreamEvent::Delta((*delta).to_owned())))
            .collect();
        events.push(Ok(StreamEvent::Finished {
            model: None,
            usage: Some(word_usage("", &deltas.concat())),
            finish_reason: Some("stop".to_owned()),
        }));
        self.push(Script::Stream(events))
    }

    /// Queues an answer whose events the test releases through the returned gate, so
    /// it can act while the answer is being generated.
    pub fn push_gated(&self) -> StreamGate {
        let (events, receiver) = unbounded_channel();
        self.push(Script::Gated(receiver));
        StreamGate {
            events,
            text: Mutex::default(),
        }
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    /// How many calls (complete or stream) were made.
    pub fn calls(&self) -> usize {
        lock(&self.requests).len()
    }

    /// How many scripted answers are still unused.
    pub fn remaining(&self) -> usize {
        lock(&self.script).len()
    }

    fn take(&self, request: &CompletionRequest, streamed: bool) -> Script {
        let (messages, text) = match &request.input {
            ModelInput::Chat(messages) => (messages.clone(), false),
            ModelInput::Text(prompt) => (
                vec![LlmMessage::text(
                    polychat_domain::Role::User,
                    prompt.clone(),
                )],
                true,
            ),
        };
        lock(&self.requests).push(RecordedRequest {
            model: request.model.clone(),
            messages,
            text,
            api_key: request.api_key.expose_secret().to_owned(),
            max_tokens: request.options.max_tokens,
            extra: request.options.extra.clone(),
            streamed,
        });
        lock(&self.script).pop_front().unwrap_or_else(|| {
            Script::Fail(LlmError::Upstream(
                "ScriptedLlm has no scripted answer left".to_owned(),
            ))
        })
    }
}

#[async_trait]
impl LlmProvider for ScriptedLlm {
    async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        match self.take(&request, false) {
            Script::Reply(completion) => Ok(completion),
            Script::Fail(error) => Err(error),
            Script::Gated(mut receiver) => {
                let mut events = Vec::new();
                while let Some(event) = receiver.recv().await {
                    let last = matches!(event, Ok(StreamEvent::Finished { .. }) | Err(_));
                    events.push(event);
                    if last {
                        break;
                    }
                }
                join(events)
            }
            Script::Stream(events) => join(events),
        }
    }

    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError> {
        let events = match self.take(&request, true) {
            Script::Reply(completion) => completion.into_events().into_iter().map(Ok).collect(),
            Script::Fail(error) => return Err(error),
            Script::Stream(events) => events,
            Script::Gated(receiver) => {
                let events = stream::unfold(receiver, |mut receiver| async move {
                    receiver.recv().await.map(|event| (event, receiver))
                });
                return Ok(Box::pin(events));
            }
        };
        Ok(Box::pin(stream::iter(events)))
    }
}

/// A whole answer made of a stream's events (or its first error).
fn join(events: Vec<Result<StreamEvent, LlmError>>) -> Result<Completion, LlmError> {
    let mut joined = Completion {
        content: String::new(),
        model: None,
        usage: Usage::default(),
        finish_reason: None,
        tool_calls: None,
    };
    for event in events {
        match event? {
            StreamEvent::Delta(delta) => joined.content.push_str(&delta),
            StreamEvent::ToolCalls(calls) => joined.tool_calls = Some(calls),
            // `Finished` names the model that answered.
            StreamEvent::Rerouted(_) => {}
            StreamEvent::Finished {
                model,
                usage,
                finish_reason,
            } => {
                joined.model = model;
                joined.usage = usage.unwrap_or_default();
                joined.finish_reason = finish_reason;
            }
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use polychat_domain::Role;
    use secrecy::SecretString;

    use super::*;

    fn request(text: &str) -> CompletionRequest {
        CompletionRequest {
            model: ModelName::parse("test/model").unwrap(),
            input: ModelInput::Chat(vec![LlmMessage::text(Role::User, text)]),
            api_key: SecretString::from("sk-test"),
            options: polychat_domain::ports::GenerationOptions {
                max_tokens: Some(64),
                ..Default::default()
            },
        }
    }

    #[tokio::test]
    async fn answers_in_order_and_records_requests() {
        let llm = ScriptedLlm::new();
        llm.push_reply("first answer")
            .push_error(LlmError::InsufficientCredits)
            .push_stream(&["stre", "amed"]);

        assert_eq!(
            llm.complete(request("a")).await.unwrap().content,
            "first answer"
        );
        assert!(matches!(
            llm.stream(request("b")).await,
            Err(LlmError::InsufficientCredits)
        ));
        let events: Vec<_> = llm.stream(request("c")).await.unwrap().collect().await;
        assert_eq!(events.len(), 3);
        assert!(matches!(
            llm.complete(request("d")).await,
            Err(LlmError::Upstream(_))
        ));

        let requests = llm.requests();
        assert_eq!(llm.calls(), 4);
        assert_eq!(requests[0].messages[0].content, "a");
        assert_eq!(requests[0].api_key, "sk-test");
        assert!(!requests[0].streamed && requests[1].streamed);
        assert_eq!(llm.remaining(), 0);
    }

    #[tokio::test]
    async fn converts_between_whole_and_streamed_answers() {
        let llm = ScriptedLlm::new();
        llm.push_stream(&["one ", "two"]).push_reply("whole");
        let joined = llm.complete(request("x")).await.unwrap();
        assert_eq!(joined.content, "one two");
        assert_eq!(joined.usage.completion_tokens, 2);
        let events: Vec<_> = llm.stream(request("y")).await.unwrap().collect().await;
        assert!(matches!(&events[0], Ok(StreamEvent::Delta(text)) if text == "whole"));
        assert!(matches!(events[1], Ok(StreamEvent::Finished { .. })));
    }
}

/// A gateway that knows every key except those it was told to refuse, and can be made
/// unreachable.
#[derive(Debug, Default)]
pub struct FakeKeyCheck {
    refused: Mutex<Vec<String>>,
    unreachable: Mutex<bool>,
}

impl FakeKeyCheck {
    /// From now on `key` is refused.
    pub fn refuse(&self, key: &str) {
        lock(&self.refused).push(key.to_owned());
    }

    /// From now on (or no longer) the gateway cannot be asked.
    pub fn set_unreachable(&self, unreachable: bool) {
        *lock(&self.unreachable) = unreachable;
    }
}

#[async_trait]
impl GatewayKeyCheck for FakeKeyCheck {
    async fn check(&self, key: &secrecy::SecretString) -> KeyVerdict {
        if *lock(&self.unreachable) {
            return KeyVerdict::Unchecked("the gateway could not be reached".to_owned());
        }
        if lock(&self.refused)
            .iter()
            .any(|refused| refused == key.expose_secret())
        {
            KeyVerdict::Rejected
        } else {
            KeyVerdict::Accepted
        }
    }
}
