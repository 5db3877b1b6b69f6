//! A chat service over the testkit fakes, with handles on the fakes a test pokes at.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::future::BoxFuture;
use polychat_domain::ports::{
    Clock, Completion, CompletionRequest, DetectedPreference, LlmError, LlmProvider, LlmStream,
    PreferenceDetector, TaskSpawner, UserRepository, UserUpdate,
};
use polychat_domain::services::auth::{AuthPorts, AuthService, LoginPolicy, Registration};
use polychat_domain::services::chat::{
    ChatPolicy, ChatPorts, ChatService, ChatTurn, TurnEvent, TurnRequest,
};
use polychat_domain::services::memory::{MemoryPolicy, MemoryPorts, MemoryService};
use polychat_domain::{Embedding, Message, ModelName, User, UserId};
use polychat_testkit::cache::InMemoryChatCache;
use polychat_testkit::chats::InMemoryChats;
use polychat_testkit::clock::ManualClock;
use polychat_testkit::denylist::InMemoryDenylist;
use polychat_testkit::embedder::HashingEmbedder;
use polychat_testkit::limits::{InMemoryIdempotency, InMemoryRateLimiter};
use polychat_testkit::llm::ScriptedLlm;
use polychat_testkit::message_index::InMemoryMessageIndex;
use polychat_testkit::preferences::InMemoryPreferences;
use polychat_testkit::security::{FakeCipher, FakeTokens, PlainHasher};
use polychat_testkit::users::InMemoryUsers;
use secrecy::SecretString;

pub(crate) const DEFAULT_MODEL: &str = "server/default";

/// Runs background work on the test's runtime.
struct TokioSpawner;

impl TaskSpawner for TokioSpawner {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }
}

/// Finds nothing: these tests are about chatting, not about learning.
struct NoDetector;

impl PreferenceDetector for NoDetector {
    fn detect(&self, _: &str, _: Option<&Embedding>) -> Vec<DetectedPreference> {
        Vec::new()
    }
}

/// The scripted model, which also records the chat's stored messages at the moment
/// of every call (to prove the user's message was stored before the model was asked).
pub(crate) struct WatchedLlm {
    pub(crate) script: ScriptedLlm,
    chats: Arc<InMemoryChats>,
    seen: Mutex<Vec<Vec<Message>>>,
}

impl WatchedLlm {
    /// The stored messages of the owner's most recent chat at each call.
    pub(crate) fn seen(&self) -> Vec<Vec<Message>> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn look(&self, owner: Option<UserId>) {
        use polychat_domain::ports::ChatRepository;
        let Some(owner) = owner else { return };
        let chats = self
            .chats
            .list_chats(owner, 1, None)
            .await
            .unwrap_or_default();
        let mut stored = Vec::new();
        if let Some(chat) = chats.first() {
            stored = self
                .chats
                .messages(owner, chat.id, 1000, None)
                .await
                .unwrap_or_default();
        }
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(stored);
    }
}

/// The owner of the key in a request, as the fake cipher's users were set up.
fn owner_of(request: &CompletionRequest) -> Option<UserId> {
    use secrecy::ExposeSecret;
    request
        .api_key
        .expose_secret()
        .strip_prefix("sk-")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map(UserId::from_uuid)
}

#[async_trait]
impl LlmProvider for WatchedLlm {
    async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        self.look(owner_of(&request)).await;
        self.script.complete(request).await
    }

    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError> {
        self.look(owner_of(&request)).await;
        self.script.stream(request).await
    }
}

pub(crate) struct World {
    pub(crate) chat: ChatService,
    pub(crate) llm: Arc<WatchedLlm>,
    pub(crate) chats: Arc<InMemoryChats>,
    pub(crate) cache: Arc<InMemoryChatCache>,
    pub(crate) limiter: Arc<InMemoryRateLimiter>,
    pub(crate) idempotency: Arc<InMemoryIdempotency>,
    pub(crate) clock: Arc<ManualClock>,
    auth: Arc<AuthService>,
    users: Arc<InMemoryUsers>,
}

impl World {
    pub(crate) fn new() -> Self {
        let clock = Arc::new(ManualClock::default());
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let users = Arc::new(InMemoryUsers::new());
        let limiter = Arc::new(InMemoryRateLimiter::new(dyn_clock.clone()));
        let auth = Arc::new(AuthService::new(
            AuthPorts {
                users: users.clone(),
                hasher: Arc::new(PlainHasher),
                tokens: Arc::new(FakeTokens::new(dyn_clock.clone())),
                denylist: Arc::new(InMemoryDenylist::new(dyn_clock.clone())),
                cipher: Arc::new(FakeCipher::default()),
                limiter: limiter.clone(),
                clock: dyn_clock.clone(),
            },
            LoginPolicy::default(),
        ));
        let memory = Arc::new(MemoryService::new(
            MemoryPorts {
                preferences: Arc::new(InMemoryPreferences::new()),
                messages: Arc::new(InMemoryMessageIndex::new()),
                embedder: Arc::new(HashingEmbedder::default()),
                detector: Arc::new(NoDetector),
                clock: dyn_clock.clone(),
            },
            MemoryPolicy::default(),
        ));
        let chats = Arc::new(InMemoryChats::new());
        let cache = Arc::new(InMemoryChatCache::new());
        let idempotency = Arc::new(InMemoryIdempotency::new(dyn_clock.clone()));
        let llm = Arc::new(WatchedLlm {
            script: ScriptedLlm::new(),
            chats: chats.clone(),
            seen: Mutex::default(),
        });
        let chat = ChatService::new(
            ChatPorts {
                chats: chats.clone(),
                cache: cache.clone(),
                llm: llm.clone(),
                idempotency: idempotency.clone(),
                limiter: limiter.clone(),
                spawner: Arc::new(TokioSpawner),
                clock: dyn_clock,
            },
            ChatPolicy::new(ModelName::parse(DEFAULT_MODEL).expect("model")),
            auth.clone(),
            memory,
        );
        Self {
            chat,
            llm,
            chats,
            cache,
            limiter,
            idempotency,
            clock,
            auth,
            users,
        }
    }

    /// A user whose OpenRouter key is `sk-<their id>` (so the model can tell who asks),
    /// or who has no key.
    pub(crate) async fn user(&self, name: &str, with_key: bool) -> User {
        let user = self
            .auth
            .register(Registration {
                username: name.to_owned(),
                password: SecretString::from("correct horse battery"),
                display_name: None,
                openrouter_api_key: None,
            })
            .await
            .expect("register");
        if with_key {
            let key = SecretString::from(format!("sk-{}", user.id.as_uuid()));
            self.auth
                .update_profile(
                    user.id,
                    polychat_domain::services::auth::ProfileChanges {
                        openrouter_api_key: Some(Some(key)),
                        ..Default::default()
                    },
                )
                .await
                .expect("store the key");
        }
        user
    }

    pub(crate) async fn set_default_model(&self, user: &User, model: &str) {
        let update = UserUpdate {
            default_model: Some(Some(ModelName::parse(model).expect("model"))),
            ..UserUpdate::default()
        };
        self.users.update(user.id, update).await.expect("update");
    }

    pub(crate) fn scripted(&self) -> &ScriptedLlm {
        &self.llm.script
    }
}

pub(crate) fn ask(
    owner: &User,
    chat: Option<polychat_domain::ChatId>,
    prompt: &str,
) -> TurnRequest {
    TurnRequest {
        owner: owner.id,
        chat_id: chat,
        prompt: prompt.to_owned(),
        model: None,
        timeline: polychat_domain::timeline::Timeline::default(),
    }
}

/// Collects a started stream's events until it ends.
pub(crate) async fn drain(
    events: futures_util::stream::BoxStream<'static, TurnEvent>,
) -> (
    String,
    Option<ChatTurn>,
    Option<polychat_domain::services::chat::ChatError>,
) {
    use futures_util::StreamExt;
    let mut text = String::new();
    let mut done = None;
    let mut failed = None;
    let mut events = events;
    while let Some(event) = events.next().await {
        match event {
            TurnEvent::Delta(delta) => text.push_str(&delta),
            TurnEvent::Done(turn) => done = Some(*turn),
            TurnEvent::Failed(error) => failed = Some(error),
        }
    }
    (text, done, failed)
}
