//! The index queue under a flood: one user's flood stays within its bounds and does not
//! hold up another user's indexing, and what the queue could not hold is read back
//! from the chat store and indexed once the flood has drained. Indexing also yields the
//! embeddings service to a recall in flight.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use polychat_domain::ports::{ChatRepository, EmbedError, Embedder, EmbeddingPurpose};
use polychat_domain::services::memory::{MemoryPolicy, MemoryPorts, MemoryService, QueuePolicy};
use polychat_domain::timeline::Timeline;
use polychat_domain::{
    Chat, ChatId, ChatTitle, Embedding, Message, MessageId, MessageStatus, ModelName, Prompt, Role,
    Usage, UserId,
};
use polychat_testkit::chats::InMemoryChats;
use polychat_testkit::clock::ManualClock;
use polychat_testkit::embedder::HashingEmbedder;
use polychat_testkit::message_index::InMemoryMessageIndex;
use polychat_testkit::preferences::InMemoryPreferences;
use polychat_testkit::tasks::TestTasks;
use tokio::sync::watch;

/// Embeddings that note what they were asked for and, for `gated` calls, wait until the
/// test opens the gate, then note what they embedded.
struct GatedEmbedder {
    inner: HashingEmbedder,
    gated: EmbeddingPurpose,
    open: watch::Sender<bool>,
    asked: Mutex<Vec<(EmbeddingPurpose, String)>>,
    seen: Mutex<Vec<String>>,
}

impl GatedEmbedder {
    fn new(gated: EmbeddingPurpose) -> Self {
        Self {
            inner: HashingEmbedder::default(),
            gated,
            open: watch::Sender::new(false),
            asked: Mutex::default(),
            seen: Mutex::default(),
        }
    }

    fn asked(&self) -> Vec<(EmbeddingPurpose, String)> {
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
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
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(texts.iter().map(|t| (purpose, t.clone())));
        if purpose == self.gated {
            let mut open = self.open.subscribe();
            let _ = open.wait_for(|open| *open).await;
        }
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
            review: polychat_domain::Review::default(),
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

fn memory(
    embedder: &Arc<GatedEmbedder>,
    index: &Arc<InMemoryMessageIndex>,
    tasks: &Arc<TestTasks>,
    chats: &Arc<InMemoryChats>,
    policy: MemoryPolicy,
) -> MemoryService {
    MemoryService::new(
        MemoryPorts {
            preferences: Arc::new(InMemoryPreferences::new()),
            messages: index.clone(),
            embedder: embedder.clone(),
            detector: Arc::new(NoDetector),
            clock: Arc::new(ManualClock::new(Utc::now())),
            tasks: tasks.clone(),
            chats: chats.clone(),
        },
        policy,
    )
}

#[tokio::test]
async fn a_flood_stays_bounded_others_go_first_and_what_was_dropped_is_indexed_later() {
    let chats = Arc::new(InMemoryChats::new());
    let index = Arc::new(InMemoryMessageIndex::new());
    let tasks = Arc::new(TestTasks::new());
    let embedder = Arc::new(GatedEmbedder::new(EmbeddingPurpose::Passage));
    let queue = QueuePolicy {
        capacity: 20,
        per_user: 5,
        workers: 1,
        ..QueuePolicy::default()
    };
    let memory = memory(
        &embedder,
        &index,
        &tasks,
        &chats,
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

#[tokio::test]
async fn indexing_waits_while_a_recall_is_in_flight() {
    let chats = Arc::new(InMemoryChats::new());
    let index = Arc::new(InMemoryMessageIndex::new());
    let tasks = Arc::new(TestTasks::new());
    let embedder = Arc::new(GatedEmbedder::new(EmbeddingPurpose::Query));
    let mut policy = MemoryPolicy::default();
    // Long enough that the recall below is still in flight whatever the machine's speed.
    policy.recall.deadline = Duration::from_mins(10);
    let memory = memory(&embedder, &index, &tasks, &chats, policy);
    let owner = UserId::generate();
    let prompt = Prompt::parse("Como organizo um workspace Rust?").expect("prompt");
    let recall = tokio::spawn({
        let memory = memory.clone();
        async move { memory.recall(owner, &prompt, &Timeline::default()).await }
    });
    while embedder.asked().is_empty() {
        tokio::task::yield_now().await;
    }
    let texts = [
        "primeira mensagem".to_owned(),
        "segunda mensagem".to_owned(),
    ];
    let messages = stored_chat(&chats, owner, &texts).await;
    memory.index_later(owner, messages[0].chat_id, messages.clone());
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        embedder.asked(),
        [(
            EmbeddingPurpose::Query,
            "Como organizo um workspace Rust?".to_owned()
        )],
        "no index call while the recall is in flight"
    );

    embedder.open.send_replace(true);
    recall.await.expect("recall");
    tasks.settle().await;
    let asked = embedder.asked();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(
        asked[1..]
            .iter()
            .all(|(purpose, _)| *purpose == EmbeddingPurpose::Passage),
        "{asked:?}"
    );
    assert_eq!(
        index.len_of_chat(owner, messages[0].chat_id),
        2,
        "one text per call, both indexed"
    );
}
