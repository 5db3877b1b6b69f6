//! People and automated reviewers vouching for assistant answers: a support desk's
//! operator marks an answer validated (`human`, with their name) or an automated flow
//! does (`ai`), and either may correct the text. The model's own text is kept as
//! `original_content`; the chat's cached pages and the search index follow the change.

use super::{ChatError, ChatService};
use crate::chat::MAX_OPERATOR_NAME_CHARS;
use crate::{
    AccountRole, ChatId, Message, MessageId, Prompt, Review, Role, UserId, Validation,
    ValidationError,
};

/// What a reviewer says of an answer; absent parts stay as they are.
#[derive(Debug, Clone, Default)]
pub struct ReviewRequest {
    pub validated_by: Option<Validation>,
    /// `Some(None)` clears it.
    pub operator_name: Option<Option<String>>,
    /// The corrected text.
    pub content: Option<String>,
}

impl ChatService {
    /// Records `request` on an assistant message of `chat`, by the chat's owner or an
    /// admin. Another user's chat, or a message not in it, is not found; a user's own
    /// message cannot be reviewed.
    ///
    /// # Errors
    /// `NotFound`, a validation error naming the field, or a store failure.
    pub async fn review_message(
        &self,
        actor: UserId,
        chat: ChatId,
        id: MessageId,
        request: ReviewRequest,
    ) -> Result<Message, ChatError> {
        let owner = self.reviewed_chat_owner(actor, chat).await?;
        let mut message = self
            .ports
            .chats
            .find_message(owner, chat, id)
            .await?
            .ok_or(ChatError::NotFound)?;
        if message.role != Role::Assistant {
            return Err(ValidationError::new(
                "message_id",
                "only an assistant's answer can be validated",
            )
            .into());
        }
        message.review = reviewed(&message, request.validated_by, request.operator_name)?;
        if let Some(content) = request.content {
            let corrected = Prompt::parse(&content)
                .map_err(|error| ValidationError::new("content", error.reason))?;
            if corrected.as_str() != message.content {
                if message.review.original_content.is_none() {
                    message.review.original_content = Some(message.content.clone());
                }
                corrected.as_str().clone_into(&mut message.content);
            }
        }
        let stored = self
            .ports
            .chats
            .review_message(owner, chat, id, &message.content, &message.review)
            .await?;
        if !stored {
            return Err(ChatError::NotFound);
        }
        self.invalidate(chat).await;
        self.memory.index_later(owner, chat, vec![message.clone()]);
        Ok(message)
    }

    /// The owner of `chat` when `actor` may review it: its owner, or an admin.
    async fn reviewed_chat_owner(&self, actor: UserId, chat: ChatId) -> Result<UserId, ChatError> {
        let owner = self
            .ports
            .chats
            .chat_owner(chat)
            .await?
            .ok_or(ChatError::NotFound)?;
        if owner == actor || self.auth.profile(actor).await?.role == AccountRole::Admin {
            Ok(owner)
        } else {
            Err(ChatError::NotFound)
        }
    }
}

/// The review after `validated_by` and `operator_name` are applied: `human` needs an
/// operator's name; back to `pending`, the name goes.
#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a name are three different requests"
)]
fn reviewed(
    message: &Message,
    validated_by: Option<Validation>,
    operator_name: Option<Option<String>>,
) -> Result<Review, ValidationError> {
    let mut review = message.review.clone();
    if let Some(validated_by) = validated_by {
        review.validated_by = validated_by;
    }
    if let Some(name) = operator_name {
        review.operator_name = name.map(|name| operator(&name)).transpose()?;
    }
    match review.validated_by {
        Validation::Pending => review.operator_name = None,
        Validation::Human if review.operator_name.is_none() => {
            return Err(ValidationError::new(
                "operator_name",
                "is required when validated_by is human",
            ));
        }
        Validation::Human | Validation::Ai => {}
    }
    Ok(review)
}

/// An operator's name: 1-120 printable characters, trimmed.
fn operator(name: &str) -> Result<String, ValidationError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_OPERATOR_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "operator_name",
            format!("must be 1-{MAX_OPERATOR_NAME_CHARS} printable characters"),
        ));
    }
    Ok(name.to_owned())
}
