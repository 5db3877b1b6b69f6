//! Seeding the bench's stores directly through the real adapters (the API would take
//! minutes for a 2,000-message chat, since every turn calls the model) and dropping
//! the bench's MongoDB database afterwards.

use std::time::Duration;

use anyhow::Context as _;
use polychat_domain::ports::ChatRepository;
use polychat_domain::{ChatId, Message, MessageId, MessageStatus, ModelName, Role, Usage, UserId};
use polychat_mongo::MongoConfig;
use secrecy::SecretString;

/// Appends `count` alternating user and assistant messages to an existing chat and
/// returns their ids, oldest first.
pub async fn seed_chat(
    mongodb_url: &str,
    database: &str,
    owner: UserId,
    chat: ChatId,
    count: usize,
) -> anyhow::Result<Vec<MessageId>> {
    let store = polychat_mongo::connect(&MongoConfig::new(
        SecretString::from(mongodb_url.to_owned()),
        database.to_owned(),
    ))
    .await
    .context("connecting to MongoDB")?;
    let model = ModelName::parse("mock/seeded").context("model name")?;
    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let assistant = i % 2 == 1;
        let message = Message {
            id: MessageId::generate(),
            chat_id: chat,
            role: if assistant {
                Role::Assistant
            } else {
                Role::User
            },
            content: format!(
                "Seeded message {i}: a paragraph of ordinary length, so that pages of this chat \
                 weigh about what real ones do when they are read and cached."
            ),
            model: assistant.then(|| model.clone()),
            usage: assistant.then_some(Usage::reported(40, 30)),
            status: MessageStatus::Complete,
            error: None,
            review: polychat_domain::Review::default(),
            created_at: start + Duration::from_millis(u64::try_from(i).unwrap_or(0)),
        };
        let stored = store
            .append_message(owner, &message)
            .await
            .context("appending a message")?;
        anyhow::ensure!(stored, "chat {chat} of {owner} does not exist");
        ids.push(message.id);
    }
    Ok(ids)
}

/// Drops a whole MongoDB database (the bench's own, never the dev one).
pub async fn drop_database(mongodb_url: &str, database: &str) -> anyhow::Result<()> {
    let client = mongodb::Client::with_uri_str(mongodb_url)
        .await
        .context("connecting to MongoDB")?;
    client
        .database(database)
        .drop()
        .await
        .context("dropping the database")?;
    Ok(())
}
