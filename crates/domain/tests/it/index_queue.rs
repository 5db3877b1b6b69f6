//! The index queue under a flood: one user's flood stays within its bounds and does not
//! hold up another user's indexing, and what the queue could not hold is read back
//! from the chat store and indexed once the flood has drained.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::Utc;
use polychat_domain::ports::{ChatRepository, EmbedError, Embedder, EmbeddingPurpose};
use polychat_domain::services::memory::{MemoryPolicy, MemoryPorts, MemoryService, QueuePolicy};
use polychat_domain::{
    Chat, ChatId, ChatTitle, Embedding, Message, MessageId, MessageStatus, ModelName, Role, Usage,
    UserId,
};
use polychat_testkit::chats::InMemoryChats;
use polychat_testkit::clock::ManualClock;
use polychat_testkit::embedder::HashingEmbedder;
use polychat_testkit::message_index::InMemoryMessageIndex;
use polychat_testkit::preferences::InMemoryPreferences;
use polychat_testkit::tasks::TestTasks;
use tokio::sync::watch;

/// Embeddings that wait until the test opens the gate, and note what they embedded.
struct GatedEmbedder {
    inner: HashingEmbedder,
    open: watch::Sender<bool>,
    seen: Mutex<Vec<String>>,
}

#[async_trait]
impl Embedder for GatedEmbedder {
    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    async fn embed(
        &self,
        texts: &[String],
        purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError> {
        let mut open = self.open.subscribe();
        let _ = open.wait_for(|open| *open).await;
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(texts.iter().cloned());
        self.inner.embed(texts, purpose).await
    }
}

struct NoDetector;

impl polychat_domain::ports::PreferenceDetector for NoDetector {
    fn detect(
        &self,
        _: &str,
        _: Option<&Embedding>,
    ) -> Vec<polychat_domain::ports::DetectedPreference> {
        Vec::new()
    }
}

async fn stored_chat(chats: &InMemoryChats, owner: UserId, texts: &[String]) -> Vec<Message> {
    let now = Utc::now();
    let chat = Chat {
        id: ChatId::generate(),
        owner,
        title: ChatTitle::parse("Flood").expect("title"),
        model: ModelName::parse("openai/gpt-4o-mini").expect("model"),
        labels: polychat_domain::ChatLabels::default(),
        usage_total: Usage::default(),
        message_count: 0,
        created_at: now,
        updated_at: now,
    };
    chats.create_chat(&chat).await.expect("chat");
    let mut messages = Vec::new();
    for text in texts {
        let message = Message {
            id: MessageId::generate(),
            chat_id: chat.id,
            role: Role::User,
            content: text.clone(),
            model: None,
            usage: None,
            status: MessageStatus::Complete,
            error: None,
            created_at: now,
        };
        assert!(
            chats
                .append_message(owner, &message)
                .await
                .expect("message")
        );
        messages.push(message);
    }
    messages
}

#[tokio::test]
async fn a_flood_stays_bounded_others_go_first_and_what_was_dropped_is_indexed_later() {
    let chats = Arc::new(InMemoryChats::new());
    let index = Arc::new(InMemoryMessageIndex::new());
    let tasks = Arc::new(TestTasks::new());
    let embedder = Arc::new(GatedEmbedder {
        inner: HashingEmbedder::default(),
        open: watch::Sender::new(false),
        seen: Mutex::default(),
    });
    let queue = QueuePolicy {
        capacity: 20,
        per_user: 5,
        workers: 1,
        ..QueuePolicy::default()
    };
    let memory = MemoryService::new(
        MemoryPorts {
            preferences: Arc::new(InMemoryPreferences::new()),
            messages: index.clone(),
            embedder: embedder.clone(),
            detector: Arc::new(NoDetector),
            clock: Arc::new(ManualClock::new(Utc::now())),
            tasks: tasks.clone(),
            chats: chats.clone(),
        },
        MemoryPolicy {
            queue,
            ..MemoryPolicy::default()
        },
    );
    let (flooder, other) = (UserId::generate(), UserId::generate());
    let texts: Vec<String> = (0..30)
        .map(|i| format!("mensagem longa número {i}"))
        .collect();
    let flood = stored_chat(&chats, flooder, &texts).await;
    let flood_chat = flood[0].chat_id;
    for message in &flood {
        memory.index_later(flooder, flood_chat, vec![message.clone()]);
    }
    let quiet = stored_chat(&chats, other, &["uma pergunta só".to_owned()]).await;
    memory.index_later(other, quiet[0].chat_id, quiet.clone());

    let depth = memory.index_queue_depth();
    // One job is with the (held) worker; the flood keeps at most `per_user` waiting.
    assert!(depth.held <= queue.per_user + 1, "{depth:?}");
    assert!(depth.recorded >= 30 - 1 - queue.per_user, "{depth:?}");
    assert!(depth.held + depth.recorded >= 30, "nothing lost: {depth:?}");

    embedder.open.send_replace(true);
    tasks.settle().await;
    // Users are served in turn: the other user's message went second, not after the
    // flood's backlog.
    let seen = embedder
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let position = seen.iter().position(|t| t == "uma pergunta só");
    assert_eq!(position, Some(1), "{seen:?}");
    assert_eq!(
        index.len_of_chat(flooder, flood_chat),
        30,
        "dropped messages indexed later"
    );
    assert_eq!(index.len_of_chat(other, quiet[0].chat_id), 1);
    let depth = memory.index_queue_depth();
    assert_eq!((depth.held, depth.recorded), (0, 0), "{depth:?}");
    assert!(depth.dropped_total >= 24);
}
