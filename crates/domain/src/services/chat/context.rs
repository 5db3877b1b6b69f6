//! The context sent to the model: the user's memories as a system message, then the
//! conversation — the most recent stored history that fits the token budget and the
//! prompt, or the client's own messages.

use super::Conversation;
use crate::ports::{LlmMessage, ModelInput};
use crate::{Message, MessageStatus, PreferenceKind, Role, UserPreference};

/// A rough token count (about four characters a token) — enough to budget history
/// without a tokenizer for every model.
fn estimated_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4) + 4
}

/// The system message that carries what is remembered about the user.
pub(super) fn memory_message(used: &[UserPreference]) -> Option<LlmMessage> {
    if used.is_empty() {
        return None;
    }
    let mut content = String::from(
        "What you know about the user from earlier conversations. Apply the communication \
         preferences to every answer; use the other facts only where relevant, without \
         saying that you were told them.\n",
    );
    for kind in [
        PreferenceKind::Style,
        PreferenceKind::Identity,
        PreferenceKind::Preference,
        PreferenceKind::Fact,
    ] {
        for preference in used.iter().filter(|p| p.kind == kind) {
            content.push_str("- [");
            content.push_str(kind.as_str());
            content.push_str("] ");
            content.push_str(preference.text.as_str());
            content.push('\n');
        }
    }
    Some(LlmMessage::text(Role::System, content))
}

/// What the model is asked: the conversation with the memories in front.
pub(super) fn input(
    conversation: Conversation,
    used: &[UserPreference],
    history: &[Message],
    budget: usize,
) -> ModelInput {
    match conversation {
        Conversation::Prompt { prompt, .. } => {
            ModelInput::Chat(build(used, history, &prompt, budget))
        }
        Conversation::Messages { messages, .. } => {
            ModelInput::Chat(memory_message(used).into_iter().chain(messages).collect())
        }
        Conversation::Text { prompt, .. } => match memory_message(used) {
            Some(memories) => ModelInput::Text(format!("{}\n{prompt}", memories.content)),
            None => ModelInput::Text(prompt),
        },
    }
}

/// Memories, then as much recent history as fits `budget` tokens (oldest dropped
/// first; failed or empty answers skipped), then the prompt.
fn build(
    used: &[UserPreference],
    history: &[Message],
    prompt: &str,
    budget: usize,
) -> Vec<LlmMessage> {
    let mut remaining = budget.saturating_sub(estimated_tokens(prompt));
    let mut kept = Vec::new();
    for message in history.iter().rev() {
        if message.status == MessageStatus::Error || message.content.trim().is_empty() {
            continue;
        }
        let cost = estimated_tokens(&message.content);
        if cost > remaining {
            break;
        }
        remaining -= cost;
        kept.push(LlmMessage::text(message.role, message.content.clone()));
    }
    kept.reverse();
    memory_message(used)
        .into_iter()
        .chain(kept)
        .chain(std::iter::once(LlmMessage::text(Role::User, prompt)))
        .collect()
}
