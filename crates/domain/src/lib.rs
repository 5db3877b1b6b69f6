//! The heart of polychat: entities, validated value types, the ports through which the
//! outside world is reached, and the use cases that drive them.
//!
//! Nothing here performs I/O. Adapters implement the traits in [`ports`]; the app crate
//! decides which adapter fills which port and hands them to the services in [`services`].

pub mod api_key;
pub mod chat;
pub mod custom_model;
pub mod external;
pub mod ids;
pub mod model;
pub mod ports;
pub mod preference;
pub mod services;
pub mod timeline;
pub mod usage;
pub mod user;

pub use api_key::{ApiKey, ApiKeyHash, ApiKeyName, Credential, KeyLifetime, Principal};
pub use chat::{
    Chat, ChatLabels, ChatSummary, ChatTitle, LabelsRequest, Message, MessageError, MessageStatus,
    Project, Prompt, Review, Role, Sector, Sectors, Usage, Validation,
};
pub use external::{ExternalIdentity, ExternalSubject, IssuerName};
pub use ids::{ApiKeyId, ChatId, CustomModelId, MessageId, PreferenceId, UserId};
pub use model::ModelName;
pub use preference::{Embedding, PreferenceKind, PreferenceText, UserPreference};
pub use user::{AccountRole, DisplayName, Password, PasswordHash, StoredSecret, User, Username};

/// A value rejected by one of the validating constructors, naming the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// The name of the field as clients know it (e.g. `username`).
    pub field: &'static str,
    /// What is wrong with it, in words a client can act on.
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
