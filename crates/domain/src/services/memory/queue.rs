//! The one queue of background embedding work: messages indexed for search after a
//! response. It holds a bounded number of jobs (and a bounded number per user), runs a
//! fixed number of calls to the embeddings service at once, serves users in turn (one
//! job each, round-robin) so one user's flood cannot starve the others', and retries a
//! failed job later instead of piling it up. A job it cannot hold or keep retrying is
//! recorded by message id; once the queue has drained, those messages are read again
//! from the chat store and indexed, so search never loses a message for good while
//! the process runs.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::MemoryService;
use crate::{ChatId, Message, MessageId, UserId};

/// The queue's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePolicy {
    /// Jobs held at most, all users together.
    pub capacity: usize,
    /// Jobs held at most for one user.
    pub per_user: usize,
    /// Calls to the embeddings service at once. One by default: the local embeddings
    /// server infers one request at a time, so a second worker adds no throughput and
    /// makes an interactive call wait behind two background texts instead of one.
    pub workers: usize,
    /// Before a failed job is tried again.
    pub retry_after: Duration,
    /// Tries of one job before it is recorded for later.
    pub attempts: u32,
    /// Message ids recorded for later at most (beyond it they are logged and lost).
    pub recorded: usize,
    /// Messages read back per chat when recorded ones are indexed again.
    pub reread: u32,
}

impl Default for QueuePolicy {
    fn default() -> Self {
        Self {
            capacity: 1_000,
            per_user: 50,
            workers: 1,
            retry_after: Duration::from_secs(5),
            attempts: 3,
            recorded: 100_000,
            reread: 200,
        }
    }
}

/// Messages of one chat to index.
#[derive(Debug, Clone)]
struct Job {
    owner: UserId,
    chat: ChatId,
    messages: Vec<Message>,
    tries: u32,
}

#[derive(Debug, Default)]
struct State {
    jobs: HashMap<UserId, VecDeque<Job>>,
    /// Users with jobs, in the order they are served.
    turns: VecDeque<UserId>,
    held: usize,
    running: usize,
    /// Message ids not indexed yet, by owner and chat.
    recorded: HashMap<(UserId, ChatId), HashSet<MessageId>>,
    recorded_ids: usize,
    dropped_total: u64,
}

/// The queue's state, shared by every turn.
#[derive(Debug, Default)]
pub(super) struct IndexQueue(Mutex<State>);

impl IndexQueue {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How much indexing work waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueDepth {
    /// Jobs in the queue.
    pub held: usize,
    /// Messages recorded to index once the queue has drained.
    pub recorded: usize,
    /// Jobs the queue could not hold or finish, since start.
    pub dropped_total: u64,
}

impl State {
    fn push(&mut self, job: Job) {
        let queue = self.jobs.entry(job.owner).or_default();
        if queue.is_empty() {
            self.turns.push_back(job.owner);
        }
        queue.push_back(job);
        self.held += 1;
    }

    /// The next user's oldest job.
    fn pop(&mut self) -> Option<Job> {
        let owner = self.turns.pop_front()?;
        let queue = self.jobs.get_mut(&owner)?;
        let job = queue.pop_front()?;
        if queue.is_empty() {
            self.jobs.remove(&owner);
        } else {
            self.turns.push_back(owner);
        }
        self.held -= 1;
        Some(job)
    }

    /// Keeps the job's message ids for later, within `limit`; how many were lost.
    fn record(&mut self, job: &Job, limit: usize) -> usize {
        let mut lost = 0;
        let ids = self.recorded.entry((job.owner, job.chat)).or_default();
        for message in &job.messages {
            if self.recorded_ids >= limit {
                lost += 1;
            } else if ids.insert(message.id) {
                self.recorded_ids += 1;
            }
        }
        if ids.is_empty() {
            self.recorded.remove(&(job.owner, job.chat));
        }
        self.dropped_total += 1;
        lost
    }

    /// One chat's recorded ids, taken out.
    fn take_recorded(&mut self) -> Option<((UserId, ChatId), HashSet<MessageId>)> {
        let key = *self.recorded.keys().next()?;
        let ids = self.recorded.remove(&key)?;
        self.recorded_ids -= ids.len();
        Some((key, ids))
    }
}

impl MemoryService {
    /// How much indexing work waits.
    pub fn index_queue_depth(&self) -> QueueDepth {
        let state = self.queue.state();
        QueueDepth {
            held: state.held,
            recorded: state.recorded_ids,
            dropped_total: state.dropped_total,
        }
    }

    /// Queues `messages` of `chat` to be indexed for search, off the response path.
    pub fn index_later(&self, owner: UserId, chat: ChatId, messages: Vec<Message>) {
        let messages: Vec<Message> = messages
            .into_iter()
            .filter(|m| !m.content.trim().is_empty())
            .collect();
        if messages.is_empty() {
            return;
        }
        self.enqueue(Job {
            owner,
            chat,
            messages,
            tries: 0,
        });
    }

    fn enqueue(&self, job: Job) {
        let policy = self.policy.queue;
        let start_worker = {
            let mut state = self.queue.state();
            let users = state.jobs.get(&job.owner).map_or(0, VecDeque::len);
            if state.held >= policy.capacity || users >= policy.per_user {
                let lost = state.record(&job, policy.recorded);
                tracing::warn!(
                    held = state.held,
                    user_held = users,
                    recorded = state.recorded_ids,
                    dropped_total = state.dropped_total,
                    lost,
                    "index queue full; messages recorded to index later"
                );
                return;
            }
            state.push(job);
            let start = state.running < policy.workers;
            if start {
                state.running += 1;
            }
            start
        };
        if start_worker {
            let service = self.clone();
            self.ports
                .tasks
                .spawn(Box::pin(async move { service.work().await }));
        }
    }

    /// Takes jobs until none is left, then indexes what was recorded, then stops.
    async fn work(&self) {
        loop {
            let next = self.queue.state().pop();
            match next {
                Some(job) => self.run(job).await,
                None => {
                    if !self.reindex_recorded().await {
                        self.queue.state().running -= 1;
                        return;
                    }
                }
            }
        }
    }

    async fn run(&self, mut job: Job) {
        if self.index_messages(job.owner, &job.messages).await {
            // A chat deleted while its messages were indexed leaves no entries behind.
            if let Ok(None) = self.ports.chats.find_chat(job.owner, job.chat).await
                && let Err(error) = self.forget_chat(job.owner, job.chat).await
            {
                tracing::warn!(error = %error, chat_id = %job.chat, "search entries of a deleted chat not removed");
            }
            return;
        }
        job.tries += 1;
        let policy = self.policy.queue;
        if job.tries >= policy.attempts {
            let mut state = self.queue.state();
            let lost = state.record(&job, policy.recorded);
            tracing::warn!(
                tries = job.tries,
                recorded = state.recorded_ids,
                lost,
                "messages not indexed; recorded to index later"
            );
            return;
        }
        let service = self.clone();
        self.ports.tasks.spawn(Box::pin(async move {
            service.ports.tasks.sleep(policy.retry_after).await;
            service.enqueue(job);
        }));
    }

    /// Reads one chat's recorded messages back from the chat store and queues them;
    /// whether there was any.
    async fn reindex_recorded(&self) -> bool {
        let Some(((owner, chat), ids)) = self.queue.state().take_recorded() else {
            return false;
        };
        let limit = self.policy.queue.reread;
        match self.ports.chats.messages(owner, chat, limit, None).await {
            Ok(messages) => {
                let found: Vec<Message> = messages
                    .into_iter()
                    .filter(|m| ids.contains(&m.id))
                    .collect();
                if found.len() < ids.len() {
                    tracing::info!(
                        missing = ids.len() - found.len(),
                        chat_id = %chat,
                        "recorded messages no longer among the chat's latest; not indexed"
                    );
                }
                tracing::info!(messages = found.len(), chat_id = %chat, "indexing recorded messages");
                if !found.is_empty() {
                    self.queue.state().push(Job {
                        owner,
                        chat,
                        messages: found,
                        tries: 0,
                    });
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, chat_id = %chat, "recorded messages not read back; kept for later");
                let mut state = self.queue.state();
                state.recorded_ids += ids.len();
                state.recorded.entry((owner, chat)).or_default().extend(ids);
                return false;
            }
        }
        true
    }
}
