//! Open, the second step: the user's message is stored before the model is called.
//! A new chat is stored with it (and, for a stream, with the answer's message) at once;
//! an existing chat gets it appended and its cached pages dropped.

use super::admit::Admitted;
use super::{ChatError, ChatService, Delivery};
use crate::timeline::Timeline;
use crate::{ChatId, Message, MessageId, MessageStatus, Prompt, Role};

/// Whether the answer's message is in the store yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AnswerSlot {
    /// Stored as it starts (empty, `incomplete`); finishing updates it.
    Reserved,
    /// Not stored yet; finishing appends it (or, with no chat, stores nothing).
    Pending,
}

/// The messages of a turn once the prompt is stored.
pub(super) struct Opened {
    pub user_message: Option<Message>,
    /// The assistant's message as it starts: no content, `incomplete`, the model asked.
    pub answer: Message,
    pub slot: AnswerSlot,
}

impl ChatService {
    pub(super) async fn open(
        &self,
        admitted: &Admitted,
        prompt: Option<&Prompt>,
        delivery: Delivery,
        timeline: &Timeline,
    ) -> Result<Opened, ChatError> {
        let now = self.ports.clock.now();
        let chat_id = admitted
            .chat
            .as_ref()
            .map_or_else(ChatId::generate, |c| c.id);
        // Ids are time-ordered and messages are listed by id: the prompt's comes first.
        let user_id = MessageId::generate();
        let answer = Message {
            id: MessageId::generate(),
            chat_id,
            role: Role::Assistant,
            content: String::new(),
            model: Some(admitted.model.clone()),
            usage: None,
            status: MessageStatus::Incomplete,
            error: None,
            review: crate::Review::default(),
            created_at: now,
        };
        let (Some(chat), Some(prompt)) = (&admitted.chat, prompt) else {
            return Ok(Opened {
                user_message: None,
                answer,
                slot: AnswerSlot::Pending,
            });
        };
        let user_message = Message {
            id: user_id,
            chat_id,
            role: Role::User,
            content: prompt.as_str().to_owned(),
            model: None,
            usage: None,
            status: MessageStatus::Complete,
            error: None,
            review: crate::Review::default(),
            created_at: now,
        };
        let mut slot = AnswerSlot::Pending;
        if admitted.new_chat {
            let mut first = vec![user_message.clone()];
            if delivery == Delivery::Streamed {
                first.push(answer.clone());
                slot = AnswerSlot::Reserved;
            }
            let start = self.ports.chats.start_chat(chat, &first);
            timeline.time("prompt", start).await?;
        } else {
            let append = self.ports.chats.append_message(chat.owner, &user_message);
            if !timeline.time("prompt", append).await? {
                return Err(ChatError::NotFound);
            }
            timeline.time("invalidate", self.invalidate(chat.id)).await;
        }
        Ok(Opened {
            user_message: Some(user_message),
            answer,
            slot,
        })
    }
}
