//! Identifiers of the domain's entities. All are UUIDs; chats and messages use version 7
//! so that their natural order is their creation order, which pagination relies on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValidationError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered identifier.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses the textual form clients send.
            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                Uuid::from_str(text.trim())
                    .map(Self)
                    .map_err(|_| ValidationError::new($field, "must be a UUID"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// Identifies a registered user; the only source of it in requests is the access token.
    UserId,
    "user_id"
);
uuid_id!(
    /// Identifies a chat.
    ChatId,
    "chat_id"
);
uuid_id!(
    /// Identifies one message of a chat.
    MessageId,
    "message_id"
);
uuid_id!(
    /// Identifies one remembered preference of a user.
    PreferenceId,
    "id"
);
uuid_id!(
    /// Identifies a custom model (answered by a webhook); its slug is what clients use.
    CustomModelId,
    "id"
);
uuid_id!(
    /// Identifies one personal API key (not the key itself, which is a secret).
    ApiKeyId,
    "id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_rejects_garbage() {
        let id = ChatId::generate();
        assert_eq!(ChatId::parse(&id.to_string()), Ok(id));
        let err = ChatId::parse("not-an-id").unwrap_err();
        assert_eq!(err.field, "chat_id");
    }

    #[test]
    fn generated_ids_are_time_ordered() {
        let first = MessageId::generate();
        let second = MessageId::generate();
        assert!(first < second);
    }
}
