//! A chat service over the testkit fakes, with handles on the fakes a test pokes at.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use polychat_domain::ports::{Clock, GenerationOptions};
use polychat_domain::services::auth::{
    AuthPorts, AuthService, LoginPolicy, ProfileChanges, Registration,
};
use polychat_domain::services::chat::{
    ChatError, ChatPolicy, ChatPorts, ChatService, ChatTarget, ChatTurn, Conversation, Delivery,
    MemoryUse, TurnEvent, TurnOutput, TurnRequest, TurnStream,
};
use polychat_domain::services::memory::{MemoryPolicy, MemoryPorts, MemoryService};
use polychat_domain::services::usage::{UsagePolicy, UsageService};
use polychat_domain::{ModelName, User};
use polychat_testkit::cache::InMemoryChatCache;
use polychat_testkit::chats::InMemoryChats;
use polychat_testkit::clock::ManualClock;
use polychat_testkit::denylist::InMemoryDenylist;
use polychat_testkit::embedder::HashingEmbedder;
use polychat_testkit::generations::InMemoryGenerationSlots;
use polychat_testkit::limits::{InMemoryIdempotency, InMemoryRateLimiter};
use polychat_testkit::llm::ScriptedLlm;
use polychat_testkit::message_index::InMemoryMessageIndex;
use polychat_testkit::preferences::InMemoryPreferences;
use polychat_testkit::security::{FakeCipher, FakeTokens, PlainHasher};
use polychat_testkit::stamps::InMemoryStamps;
use polychat_testkit::telemetry::RecordedTelemetry;
use polychat_testkit::usage::InMemoryUsageLedger;
use polychat_testkit::users::InMemoryUsers;
use secrecy::SecretString;

pub(crate) const DEFAULT_MODEL: &str = "server/default";

mod doubles;

use doubles::{FixedCatalog, GatedIndex, GatewayOnly, NoDetector, WatchedLlm};
use polychat_testkit::tasks::TestTasks;

pub(crate) struct World {
    pub(crate) chat: ChatService,
    pub(crate) llm: Arc<WatchedLlm>,
    pub(crate) chats: Arc<InMemoryChats>,
    pub(crate) cache: Arc<InMemoryChatCache>,
    pub(crate) answers: Arc<polychat_testkit::answers::InMemoryAnswerLog>,
    pub(crate) limiter: Arc<InMemoryRateLimiter>,
    pub(crate) idempotency: Arc<InMemoryIdempotency>,
    /// The slots of generations in flight.
    pub(crate) generations: Arc<InMemoryGenerationSlots>,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) index: Arc<InMemoryMessageIndex>,
    pub(crate) users: Arc<InMemoryUsers>,
    /// The usage ledger the turns write to.
    pub(crate) usage: Arc<InMemoryUsageLedger>,
    /// What the turns told the metrics.
    pub(crate) telemetry: Arc<RecordedTelemetry>,
    tasks: Arc<TestTasks>,
    gated_index: Arc<GatedIndex>,
    auth: Arc<AuthService>,
}

impl World {
    pub(crate) fn new() -> Self {
        Self::with_policy(|_| {})
    }

    /// A world whose chat policy `adjust` changed from the default.
    pub(crate) fn with_policy(adjust: impl FnOnce(&mut ChatPolicy)) -> Self {
        let clock = Arc::new(ManualClock::default());
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let users = Arc::new(InMemoryUsers::new());
        let limiter = Arc::new(InMemoryRateLimiter::new(dyn_clock.clone()));
        let telemetry = Arc::new(RecordedTelemetry::default());
        let auth = Arc::new(AuthService::new(
            AuthPorts {
                users: users.clone(),
                hasher: Arc::new(PlainHasher),
                tokens: Arc::new(FakeTokens::new(dyn_clock.clone())),
                denylist: Arc::new(InMemoryDenylist::new(dyn_clock.clone())),
                sessions: Arc::new(polychat_testkit::sessions::InMemorySessions::new()),
                cipher: Arc::new(FakeCipher::default()),
                key_check: Arc::new(polychat_testkit::llm::FakeKeyCheck::default()),
                telemetry: telemetry.clone(),
                limiter: limiter.clone(),
                stamps: Arc::new(InMemoryStamps::new()),
                clock: dyn_clock.clone(),
            },
            LoginPolicy::default(),
        ));
        let index = Arc::new(InMemoryMessageIndex::new());
        let gated_index = Arc::new(GatedIndex {
            inner: index.clone(),
            held: tokio::sync::watch::Sender::new(false),
        });
        let tasks = Arc::new(TestTasks::new());
        let chats = Arc::new(InMemoryChats::new());
        let memory = Arc::new(MemoryService::new(
            MemoryPorts {
                preferences: Arc::new(InMemoryPreferences::new()),
                messages: gated_index.clone(),
                embedder: Arc::new(HashingEmbedder::default()),
                detector: Arc::new(NoDetector),
                clock: dyn_clock.clone(),
                tasks: tasks.clone(),
                chats: chats.clone(),
            },
            MemoryPolicy::default(),
        ));
        let cache = Arc::new(InMemoryChatCache::new());
        let answers = Arc::new(polychat_testkit::answers::InMemoryAnswerLog::new());
        let idempotency = Arc::new(InMemoryIdempotency::new(dyn_clock.clone()));
        let llm = Arc::new(WatchedLlm {
            script: ScriptedLlm::new(),
            chats: chats.clone(),
            seen: Mutex::default(),
        });
        let usage = Arc::new(InMemoryUsageLedger::new());
        let generations = Arc::new(InMemoryGenerationSlots::new(dyn_clock.clone()));
        let mut policy = ChatPolicy::new(ModelName::parse(DEFAULT_MODEL).expect("model"));
        adjust(&mut policy);
        let chat = ChatService::new(
            ChatPorts {
                chats: chats.clone(),
                cache: cache.clone(),
                answers: answers.clone(),
                models: Arc::new(GatewayOnly(llm.clone())),
                catalog: Arc::new(FixedCatalog),
                idempotency: idempotency.clone(),
                limiter: limiter.clone(),
                generations: generations.clone(),
                tasks: tasks.clone(),
                clock: dyn_clock,
                telemetry: telemetry.clone(),
            },
            policy,
            auth.clone(),
            memory,
            Arc::new(UsageService::new(
                usage.clone(),
                tasks.clone(),
                UsagePolicy {
                    flush_after: Duration::from_millis(1),
                    ..UsagePolicy::default()
                },
            )),
        );
        Self {
            chat,
            llm,
            chats,
            cache,
            answers,
            limiter,
            idempotency,
            generations,
            clock,
            index,
            users,
            usage,
            telemetry,
            tasks,
            gated_index,
            auth,
        }
    }

    /// Holds every write to the message index (`true`) until released (`false`).
    pub(crate) fn hold_indexing(&self, held: bool) {
        self.gated_index.held.send_replace(held);
    }

    /// Waits for every background task (turns, generations, indexing, retries).
    pub(crate) async fn settle(&self) {
        self.tasks.settle().await;
    }

    /// Tells running generations that the server is shutting down.
    pub(crate) fn shut_down(&self) {
        self.tasks.stop();
    }

    /// A prompt answered whole.
    pub(crate) async fn send(&self, request: TurnRequest) -> Result<ChatTurn, ChatError> {
        match self.chat.answer(request).await? {
            TurnOutput::Whole(turn) => Ok(turn),
            TurnOutput::Replay(turn) => panic!("a replay where a new answer was due: {turn:?}"),
            TurnOutput::Stream(_) => panic!("a stream where a whole answer was asked for"),
        }
    }

    /// A prompt answered as a stream.
    pub(crate) async fn stream(&self, request: TurnRequest) -> Result<TurnStream, ChatError> {
        match self.chat.answer(streamed(request)).await? {
            TurnOutput::Stream(stream) => Ok(stream),
            TurnOutput::Replay(turn) => panic!("a replay where a new answer was due: {turn:?}"),
            TurnOutput::Whole(_) => panic!("a whole answer where a stream was asked for"),
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
            .expect("register")
            .user;
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

    /// Changes the profile's default model as the profile route does.
    pub(crate) async fn set_default_model(&self, user: &User, model: &str) {
        let changes = ProfileChanges {
            default_model: Some(Some(model.to_owned())),
            ..ProfileChanges::default()
        };
        self.auth
            .update_profile(user.id, changes)
            .await
            .expect("update");
    }

    pub(crate) fn scripted(&self) -> &ScriptedLlm {
        &self.llm.script
    }
}

/// A prompt in a new chat (`None`) or an existing one, answered whole, memory on.
pub(crate) fn ask(
    owner: &User,
    chat: Option<polychat_domain::ChatId>,
    prompt: &str,
) -> TurnRequest {
    TurnRequest {
        owner: owner.id,
        conversation: Conversation::Prompt {
            chat: chat.map_or(
                ChatTarget::New(polychat_domain::LabelsRequest::default()),
                ChatTarget::Existing,
            ),
            prompt: prompt.to_owned(),
        },
        model: None,
        delivery: Delivery::Whole,
        memory: MemoryUse::On,
        options: GenerationOptions::default(),
        session_id: None,
        idempotency_key: None,
        timeline: polychat_domain::timeline::Timeline::default(),
    }
}

/// The same request, streamed.
pub(crate) fn streamed(mut request: TurnRequest) -> TurnRequest {
    request.delivery = Delivery::Streamed;
    request
}

/// The same request with an `Idempotency-Key`.
pub(crate) fn keyed(mut request: TurnRequest, key: &str) -> TurnRequest {
    request.idempotency_key = Some(key.to_owned());
    request
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
            TurnEvent::ToolCalls(_) | TurnEvent::Rerouted(_) => {}
        }
    }
    (text, done, failed)
}

/// The chat a stored turn is in.
pub(crate) fn chat_of(turn: &ChatTurn) -> &polychat_domain::Chat {
    turn.chat.as_ref().expect("the turn was stored in a chat")
}

/// Waits until the model was called `calls` times.
pub(crate) async fn wait_for_calls(world: &World, calls: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while world.scripted().calls() < calls {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the model was called {} times, not {calls}",
            world.scripted().calls()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
