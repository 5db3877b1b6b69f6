//! Broken object-level authorization: one user never reaches another's preferences or
//! indexed messages, whatever ids they name.

use chrono::{DateTime, Utc};
use polychat_domain::ports::{IndexedMessage, MessageIndex, MessageSearchQuery, PreferenceStore};
use polychat_domain::{
    ChatId, MessageId, PreferenceId, PreferenceKind, PreferenceText, Role, UserId, UserPreference,
};
use polychat_postgres::Postgres;
use polychat_testkit::preferences::axis;

use crate::support::{TestDb, new_user};

pub(crate) const DIMS: usize = 384;

/// What [`seed`] stored for one user.
pub(crate) struct Seeded {
    pub(crate) chat: ChatId,
    pub(crate) preferences: Vec<UserPreference>,
    pub(crate) messages: Vec<IndexedMessage>,
}

/// Stores `n` preferences and `n` indexed messages (in one chat) for `owner`.
pub(crate) async fn seed(pg: &Postgres, owner: UserId, n: usize) -> Seeded {
    let at = DateTime::from_timestamp_millis(1_767_225_600_000).unwrap_or_default();
    let chat = ChatId::generate();
    let mut preferences = Vec::new();
    let mut messages = Vec::new();
    for i in 0..n {
        let preference = UserPreference {
            id: PreferenceId::generate(),
            owner,
            text: PreferenceText::parse(&format!("preference {i}")).unwrap(),
            kind: PreferenceKind::Preference,
            embedding: axis(DIMS, i),
            source_chat_id: Some(chat),
            superseded_by: None,
            created_at: at + chrono::TimeDelta::seconds(i64::try_from(i).unwrap()),
            updated_at: at,
        };
        pg.insert(&preference).await.expect("insert preference");
        preferences.push(preference);
        messages.push(IndexedMessage {
            owner,
            chat_id: chat,
            message_id: MessageId::generate(),
            role: Role::User,
            content: format!("message {i}"),
            created_at: at,
            embedding: axis(DIMS, i),
        });
    }
    pg.index(&messages).await.expect("index messages");
    Seeded {
        chat,
        preferences,
        messages,
    }
}

fn query(owner: UserId, chat_id: Option<ChatId>, i: usize) -> MessageSearchQuery {
    MessageSearchQuery {
        owner,
        embedding: axis(DIMS, i),
        chats: chat_id.map(|chat| vec![chat]),
        limit: 50,
        min_similarity: -1.0,
    }
}

#[tokio::test]
async fn one_user_never_reaches_anothers_memories_or_messages() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let (alice, bob) = (new_user(&pg, "alice").await, new_user(&pg, "bob").await);
    let hers = seed(&pg, alice, 4).await;
    let _his = seed(&pg, bob, 1).await;
    let before = pg.list_active(alice).await.unwrap();
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(1_767_229_200_000).unwrap();
    let text = PreferenceText::parse("bob was here").unwrap();

    for (i, p) in hers.preferences.iter().enumerate() {
        assert_eq!(pg.find(bob, p.id).await.unwrap(), None, "read");
        let elsewhere = axis(DIMS, 9);
        let update = pg.update(bob, p.id, &text, PreferenceKind::Fact, &elsewhere, at);
        assert_eq!(update.await.unwrap(), None, "update");
        assert!(
            !pg.supersede(bob, p.id, PreferenceId::generate(), at)
                .await
                .unwrap()
        );
        assert!(!pg.delete(bob, p.id).await.unwrap(), "delete");
        let near = pg.nearest(bob, &p.embedding, 50, -1.0).await.unwrap();
        assert!(near.iter().all(|h| h.preference.owner == bob), "search");
        let found = pg.search(&query(bob, None, i)).await.unwrap();
        assert!(
            found.iter().all(|h| h.chat_id != hers.chat),
            "message search"
        );
        let in_her_chat = pg.search(&query(bob, Some(hers.chat), i)).await.unwrap();
        assert!(in_her_chat.is_empty(), "message search naming her chat");
    }
    pg.delete_chat(bob, hers.chat).await.unwrap();

    assert_eq!(
        pg.list_active(alice).await.unwrap(),
        before,
        "nothing changed"
    );
    let still = pg.search(&query(alice, Some(hers.chat), 0)).await.unwrap();
    assert_eq!(
        still.len(),
        hers.messages.len(),
        "her messages are all still indexed"
    );
}
