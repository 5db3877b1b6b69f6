//! Token counts for answers that report no usage: counted with a real tokenizer
//! (tiktoken's `o200k_base`), loaded once per client on first need and shared by its
//! calls and streams. [`TokenCounter::estimated_usage`] is the one place such counts
//! are made.

use std::sync::{Arc, OnceLock};

use polychat_domain::Usage;
use polychat_domain::ports::{WebhookCall, WebhookKind};
use tiktoken_rs::CoreBPE;

/// Tokens a chat format adds around each message (role and delimiters), and before the
/// reply, as OpenAI counts them.
const PER_MESSAGE_TOKENS: u64 = 4;
const REPLY_PRIMING_TOKENS: u64 = 3;

/// The text a call's prompt tokens are counted over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PromptText {
    /// A chat call: each message's content.
    Messages(Vec<String>),
    /// A completion call: the prompt.
    Prompt(String),
}

impl PromptText {
    pub(crate) fn of(call: &WebhookCall) -> Self {
        match (call.kind, &call.prompt) {
            (WebhookKind::Completion, Some(prompt)) => Self::Prompt(prompt.clone()),
            _ => Self::Messages(call.messages.iter().map(|m| m.content.clone()).collect()),
        }
    }
}

/// The shared tokenizer, loaded on first use.
#[derive(Default)]
pub(crate) struct TokenCounter {
    bpe: OnceLock<Option<CoreBPE>>,
}

impl TokenCounter {
    fn bpe(&self) -> Option<&CoreBPE> {
        self.bpe
            .get_or_init(|| match tiktoken_rs::o200k_base() {
                Ok(bpe) => Some(bpe),
                Err(error) => {
                    tracing::error!(%error, "the o200k_base tokenizer failed to load");
                    None
                }
            })
            .as_ref()
    }

    fn count(&self, text: &str) -> u64 {
        match self.bpe() {
            Some(bpe) => bpe.encode_ordinary(text).len() as u64,
            // Only if the embedded vocabulary failed to load.
            None => rough_usage(0, text.len()).completion_tokens,
        }
    }

    /// The usage of an answer that reported none: the prompt's and the answer's tokens.
    pub(crate) fn estimated_usage(&self, prompt: &PromptText, completion: &str) -> Usage {
        let prompt_tokens = match prompt {
            PromptText::Prompt(text) => self.count(text),
            PromptText::Messages(messages) => {
                messages
                    .iter()
                    .map(|content| self.count(content) + PER_MESSAGE_TOKENS)
                    .sum::<u64>()
                    + REPLY_PRIMING_TOKENS
            }
        };
        let completion_tokens = self.count(completion);
        Usage {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
            estimated: true,
        }
    }
}

/// [`TokenCounter::estimated_usage`] off the async workers (tokenizing, and loading the
/// tokenizer the first time, is CPU work).
pub(crate) async fn estimate(
    counter: Arc<TokenCounter>,
    prompt: PromptText,
    completion: String,
) -> Usage {
    let prompt_bytes = match &prompt {
        PromptText::Prompt(text) => text.len(),
        PromptText::Messages(messages) => messages.iter().map(String::len).sum(),
    };
    let rough = rough_usage(prompt_bytes, completion.len());
    tokio::task::spawn_blocking(move || counter.estimated_usage(&prompt, &completion))
        .await
        .unwrap_or(rough)
}

/// About four bytes a token, for when the tokenizer cannot run.
fn rough_usage(prompt_bytes: usize, completion_bytes: usize) -> Usage {
    let prompt_tokens = prompt_bytes.div_ceil(4) as u64;
    let completion_tokens = completion_bytes.div_ceil(4) as u64;
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
        estimated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_with_the_real_tokenizer() {
        let counter = TokenCounter::default();
        // "Hello, world!" is 4 tokens in o200k_base: "Hello" "," " world" "!".
        let usage = counter.estimated_usage(
            &PromptText::Prompt("Hello, world!".to_owned()),
            "Hello, world!",
        );
        assert_eq!(usage.prompt_tokens, 4);
        assert_eq!(usage.completion_tokens, 4);
        assert_eq!(usage.total_tokens, 8);

        let chat = counter.estimated_usage(
            &PromptText::Messages(vec!["Hello, world!".to_owned(), String::new()]),
            "",
        );
        assert_eq!(chat.prompt_tokens, 4 + 4 + 4 + 3);
        assert_eq!(chat.completion_tokens, 0);
    }
}
