//! A language model that answers from a script and remembers what it was asked, so
//! use-case tests can decide the answer (or failure) and then check the context sent.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use futures_util::stream;
use polychat_domain::ports::{
    Completion, CompletionRequest, LlmError, LlmMessage, LlmProvider, LlmStream, StreamEvent,
};
use polychat_domain::{ModelName, Usage};
use secrecy::ExposeSecret;

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
}

/// What a call received. The key is exposed on purpose: tests check that the user's
/// decrypted key, and nothing else, reached the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub model: ModelName,
    pub messages: Vec<LlmMessage>,
    pub api_key: String,
    pub max_tokens: Option<u32>,
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
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
    }
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
        }));
        self.push(Script::Stream(events))
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
        lock(&self.requests).push(RecordedRequest {
            model: request.model.clone(),
            messages: request.messages.clone(),
            api_key: request.api_key.expose_secret().to_owned(),
            max_tokens: request.max_tokens,
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
            Script::Stream(events) => {
                let mut content = String::new();
                let (mut model, mut usage) = (None, Usage::default());
                for event in events {
                    match event? {
                        StreamEvent::Delta(delta) => content.push_str(&delta),
                        StreamEvent::Finished {
                            model: reported,
                            usage: counted,
                        } => {
                            model = reported;
                            usage = counted.unwrap_or_default();
                        }
                    }
                }
                Ok(Completion {
                    content,
                    model,
                    usage,
                })
            }
        }
    }

    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError> {
        let events = match self.take(&request, true) {
            Script::Reply(completion) => completion.into_events().into_iter().map(Ok).collect(),
            Script::Fail(error) => return Err(error),
            Script::Stream(events) => events,
        };
        Ok(Box::pin(stream::iter(events)))
    }
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
            messages: vec![LlmMessage {
                role: Role::User,
                content: text.to_owned(),
            }],
            api_key: SecretString::from("sk-test"),
            max_tokens: Some(64),
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
