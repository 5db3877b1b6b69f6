//! Token counts for answers that report no usage: the `o200k_base` tokenizer (GPT-4o's),
//! loaded once per client, and the usage marked estimated.

use std::sync::Arc;

use polychat_domain::Usage;
use polychat_domain::ports::WebhookCall;
use tiktoken_rs::CoreBPE;

/// Counts tokens with `o200k_base`.
#[derive(Clone)]
pub(crate) struct TokenCounter {
    bpe: Arc<CoreBPE>,
}

impl TokenCounter {
    pub(crate) fn new() -> anyhow::Result<Self> {
        Ok(Self {
            bpe: Arc::new(tiktoken_rs::o200k_base()?),
        })
    }

    fn count(&self, text: &str) -> u64 {
        u64::try_from(self.bpe.encode_ordinary(text).len()).unwrap_or(u64::MAX)
    }

    /// The estimated usage of `call` answered with `answer`.
    pub(crate) fn estimate(&self, call: &WebhookCall, answer: &str) -> Usage {
        let prompt: u64 = match &call.prompt {
            Some(prompt) if call.messages.is_empty() => self.count(prompt),
            _ => call.messages.iter().map(|m| self.count(&m.content)).sum(),
        };
        Usage {
            estimated: true,
            ..Usage::reported(prompt, self.count(answer))
        }
    }
}
