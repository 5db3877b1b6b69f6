//! The behaviour every [`MessageIndex`] must show, run against the in-memory fake and
//! against each real adapter.

use chrono::{DateTime, TimeDelta};
use polychat_domain::ports::{IndexedMessage, MessageIndex, MessageSearchHit, MessageSearchQuery};
use polychat_domain::{ChatId, MessageId, Role, UserId};

use crate::preferences::{axis, blend};

/// Scores read back from a store may be rounded (pgvector computes in f32/f64).
const TOLERANCE: f32 = 1e-4;

/// What the suite indexes: Alice's two chats and one of Bob's.
struct Fixture {
    alice: UserId,
    bob: UserId,
    dims: usize,
    work: ChatId,
    home: ChatId,
    deploy: IndexedMessage,
    answer: IndexedMessage,
    dinner: IndexedMessage,
    bobs: IndexedMessage,
}

impl Fixture {
    fn new(alice: UserId, bob: UserId, dims: usize) -> Self {
        let base = DateTime::from_timestamp_millis(1_767_225_600_000).unwrap_or_default();
        let (work, home, bobs_chat) = (ChatId::generate(), ChatId::generate(), ChatId::generate());
        let message = |owner, chat_id, role, content: &str, embedding, minute| IndexedMessage {
            owner,
            chat_id,
            message_id: MessageId::generate(),
            role,
            content: content.to_owned(),
            created_at: base + TimeDelta::minutes(minute),
            embedding,
        };
        let toward_deploy = blend(dims, &[(0, 0.6), (2, 0.8)]);
        Self {
            alice,
            bob,
            dims,
            work,
            home,
            deploy: message(
                alice,
                work,
                Role::User,
                "How do I deploy?",
                axis(dims, 0),
                0,
            ),
            answer: message(alice, work, Role::Assistant, "Use helm.", axis(dims, 1), 1),
            dinner: message(alice, home, Role::User, "Deploy dinner", toward_deploy, 2),
            bobs: message(
                bob,
                bobs_chat,
                Role::User,
                "Deploying too",
                axis(dims, 0),
                3,
            ),
        }
    }

    /// A search by `owner` near axis `i`, everything above `min_similarity`.
    fn query(&self, owner: UserId, chat: Option<ChatId>, i: usize) -> MessageSearchQuery {
        MessageSearchQuery {
            owner,
            embedding: axis(self.dims, i),
            chats: chat.map(|chat| vec![chat]),
            limit: 10,
            min_similarity: -1.0,
        }
    }
}

/// Runs every check of the contract. `alice` and `bob` must be users the store accepts
/// (real stores may require them to exist) with nothing indexed yet; `dims` is the
/// dimension the store's vectors have (at least 8).
///
/// # Panics
/// When `index` breaks the contract.
pub async fn contract(index: &dyn MessageIndex, alice: UserId, bob: UserId, dims: usize) {
    assert!(dims >= 8, "the contract needs at least 8 dimensions");
    let f = Fixture::new(alice, bob, dims);
    let batch = [
        f.deploy.clone(),
        f.answer.clone(),
        f.dinner.clone(),
        f.bobs.clone(),
    ];
    index.index(&batch).await.expect("index");
    index.index(&[]).await.expect("an empty batch is fine");

    search(index, &f).await;
    owner_scoped(index, &f).await;
    reindex(index, &f).await;
    delete_chat(index, &f).await;
}

async fn find(index: &dyn MessageIndex, query: &MessageSearchQuery) -> Vec<MessageSearchHit> {
    index.search(query).await.expect("search")
}

fn ids(hits: &[MessageSearchHit]) -> Vec<MessageId> {
    hits.iter().map(|h| h.message_id).collect()
}

fn assert_hit(hit: &MessageSearchHit, message: &IndexedMessage, score: f32) {
    assert_eq!(
        (
            hit.chat_id,
            hit.message_id,
            hit.role,
            hit.content.as_str(),
            hit.created_at
        ),
        (
            message.chat_id,
            message.message_id,
            message.role,
            message.content.as_str(),
            message.created_at
        )
    );
    assert!(
        (hit.score - score).abs() < TOLERANCE,
        "score {} != {score}",
        hit.score
    );
}

async fn search(index: &dyn MessageIndex, f: &Fixture) {
    let above = MessageSearchQuery {
        min_similarity: 0.5,
        ..f.query(f.alice, None, 0)
    };
    let hits = find(index, &above).await;
    assert_eq!(
        ids(&hits),
        [f.deploy.message_id, f.dinner.message_id],
        "best first, above threshold"
    );
    assert_hit(&hits[0], &f.deploy, 1.0);
    assert_hit(&hits[1], &f.dinner, 0.6);

    let in_work = find(index, &f.query(f.alice, Some(f.work), 0)).await;
    assert_eq!(
        ids(&in_work),
        [f.deploy.message_id, f.answer.message_id],
        "chat filter"
    );
    let both = MessageSearchQuery {
        chats: Some(vec![f.work, f.home]),
        ..f.query(f.alice, None, 0)
    };
    assert_eq!(
        ids(&find(index, &both).await),
        ids(&find(index, &f.query(f.alice, None, 0)).await),
        "every chat named"
    );
    let no_chat = MessageSearchQuery {
        chats: Some(Vec::new()),
        ..f.query(f.alice, None, 0)
    };
    assert!(
        find(index, &no_chat).await.is_empty(),
        "no chat named, nothing found"
    );
    let one = find(
        index,
        &MessageSearchQuery {
            limit: 1,
            ..f.query(f.alice, None, 0)
        },
    )
    .await;
    assert_eq!(ids(&one), [f.deploy.message_id], "the limit is applied");
    let none = find(
        index,
        &MessageSearchQuery {
            limit: 0,
            ..f.query(f.alice, None, 0)
        },
    )
    .await;
    assert!(none.is_empty(), "limit 0 finds nothing");
}

/// Bob never sees Alice's messages, not even naming her chat.
async fn owner_scoped(index: &dyn MessageIndex, f: &Fixture) {
    let peek = find(index, &f.query(f.bob, Some(f.work), 0)).await;
    assert!(peek.is_empty(), "another owner's chat is empty to bob");
    let own = find(index, &f.query(f.bob, None, 0)).await;
    assert_eq!(ids(&own), [f.bobs.message_id]);
}

/// Indexing again replaces, never duplicates; a colliding id of another owner is left
/// alone.
async fn reindex(index: &dyn MessageIndex, f: &Fixture) {
    let edited = IndexedMessage {
        content: "How do I deploy with helm?".into(),
        ..f.deploy.clone()
    };
    index
        .index(std::slice::from_ref(&edited))
        .await
        .expect("re-index");
    let hijack = IndexedMessage {
        owner: f.bob,
        chat_id: f.bobs.chat_id,
        content: "mine now".into(),
        ..f.answer.clone()
    };
    index.index(&[hijack]).await.expect("index");

    let in_work = find(index, &f.query(f.alice, Some(f.work), 0)).await;
    assert_eq!(ids(&in_work), [f.deploy.message_id, f.answer.message_id]);
    assert_hit(&in_work[0], &edited, 1.0);
    assert_eq!(in_work[1].content, f.answer.content);
    let own = find(index, &f.query(f.bob, None, 1)).await;
    assert_eq!(
        ids(&own),
        [f.bobs.message_id],
        "the hijack indexed nothing for bob"
    );
}

async fn delete_chat(index: &dyn MessageIndex, f: &Fixture) {
    index.delete_chat(f.bob, f.work).await.expect("delete");
    let in_work = find(index, &f.query(f.alice, Some(f.work), 0)).await;
    assert_eq!(in_work.len(), 2, "bob cannot delete alice's chat");
    index.delete_chat(f.alice, f.work).await.expect("delete");
    let left = find(index, &f.query(f.alice, None, 0)).await;
    assert_eq!(ids(&left), [f.dinner.message_id], "only that chat is gone");
    let own = find(index, &f.query(f.bob, None, 0)).await;
    assert_eq!(ids(&own), [f.bobs.message_id]);
    index
        .delete_chat(f.alice, f.work)
        .await
        .expect("deleting again is fine");
}
