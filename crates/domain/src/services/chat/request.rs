//! What a turn is asked and what it gives back, whatever the front door.

use futures_util::stream::BoxStream;
use serde::Serialize;

use super::{ChatError, ChatTurn};
use crate::ports::{GenerationOptions, LlmMessage};
use crate::timeline::Timeline;
use crate::usage::UsageRoute;
use crate::{ChatId, LabelsRequest, MessageId, ModelName, UserId};

/// The chat a turn is stored in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChatTarget {
    /// A chat created by this turn, with these labels.
    New(LabelsRequest),
    Existing(ChatId),
}

/// What the model continues, and where its context comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Conversation {
    /// A prompt in a chat: the chat's stored history is the context (`POST /chat`).
    Prompt { chat: ChatTarget, prompt: String },
    /// The client's own messages are the context (`/v1/chat/completions`); with a chat,
    /// the last user message and the answer are stored in it.
    Messages {
        chat: Option<ChatTarget>,
        messages: Vec<LlmMessage>,
    },
    /// A bare text prompt (`/v1/completions`); with a chat, it and the answer are stored.
    Text {
        chat: Option<ChatTarget>,
        prompt: String,
    },
}

impl Conversation {
    /// The chat the turn is stored in, if any.
    pub fn chat(&self) -> Option<&ChatTarget> {
        match self {
            Self::Prompt { chat, .. } => Some(chat),
            Self::Messages { chat, .. } | Self::Text { chat, .. } => chat.as_ref(),
        }
    }

    /// The front door it came through, as the usage ledger names it.
    pub fn usage_route(&self) -> UsageRoute {
        match self {
            Self::Prompt { .. } => UsageRoute::Chat,
            Self::Messages { .. } => UsageRoute::ChatCompletions,
            Self::Text { .. } => UsageRoute::Completions,
        }
    }
}

/// How the answer reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In one piece once it is complete.
    Whole,
    /// As it is generated.
    Streamed,
}

/// Whether the user's memories take part in the turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MemoryUse {
    /// Recall relevant memories into the context and learn from the prompt.
    On,
    /// Neither (the client asked so, or the user turned memory off).
    Off,
}

/// A turn as a client asked for it; the owner comes from the credentials.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    pub owner: UserId,
    pub conversation: Conversation,
    /// The model asked for; `None` falls back to the profile's, then the server's.
    pub model: Option<String>,
    pub delivery: Delivery,
    pub memory: MemoryUse,
    pub options: GenerationOptions,
    /// The client's own conversation id (`metadata.session_id` on `/v1`), told to a
    /// custom model when the turn is stored in no chat.
    pub session_id: Option<String>,
    /// A client's `Idempotency-Key`: a retry of the same request gets the first result.
    pub idempotency_key: Option<String>,
    /// Where the turn's steps record their time.
    pub timeline: Timeline,
}

/// The result of a turn.
pub enum TurnOutput {
    /// The whole answer.
    Whole(ChatTurn),
    /// An answer being generated.
    Stream(TurnStream),
    /// The stored result of an earlier request with the same idempotency key.
    Replay(ChatTurn),
}

/// What a streamed answer emits after it started.
#[derive(Debug)]
pub enum TurnEvent {
    /// Another model than the one asked answers (a custom model's fallback); it comes
    /// before any content.
    Rerouted(ModelName),
    Delta(String),
    /// Tool-call fragments (OpenAI format).
    ToolCalls(serde_json::Value),
    Done(Box<ChatTurn>),
    Failed(ChatError),
}

/// A started streamed answer: its ids and model first (for the client's first
/// event), then its events.
pub struct TurnStream {
    /// The chat it is stored in, if any.
    pub chat_id: Option<ChatId>,
    pub message_id: MessageId,
    /// The model asked to answer.
    pub model: ModelName,
    pub events: BoxStream<'static, TurnEvent>,
}
