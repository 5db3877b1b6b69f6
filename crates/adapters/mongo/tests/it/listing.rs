//! Listing chats costs a page, whatever the owner's history (#13 item 1): counted in
//! documents read, not timed.

use futures_util::StreamExt as _;
use mongodb::bson::{Document, doc};
use polychat_domain::ports::{ChatCursor, ChatRepository};
use polychat_domain::{Chat, ChatLabels, UserId};
use polychat_mongo::Mongo;

use crate::chats::{chat_of, message_in};
use crate::with_mongo;

/// `count` chats of `owner`, created 32 at a time, a millisecond apart at least.
async fn create_chats(mongo: &Mongo, owner: UserId, count: usize) -> Vec<Chat> {
    let start = chrono::Utc::now() - chrono::TimeDelta::days(1);
    let chats: Vec<Chat> = (0_i64..)
        .take(count)
        .map(|n| {
            let mut chat = chat_of(owner);
            chat.updated_at = start + chrono::TimeDelta::milliseconds(n);
            chat.created_at = chat.updated_at;
            chat
        })
        .collect();
    futures_util::stream::iter(&chats)
        .for_each_concurrent(32, async |chat| {
            mongo.create_chat(chat).await.expect("create_chat");
        })
        .await;
    chats
}

/// What a listing read, in documents.
async fn cost(
    mongo: &Mongo,
    owner: UserId,
    limit: u32,
    cursor: Option<ChatCursor>,
) -> (Vec<Chat>, u64) {
    let before = mongo.documents_read_listing();
    let page = mongo
        .list_chats(owner, limit, cursor, &ChatLabels::default())
        .await
        .expect("list_chats");
    (page, mongo.documents_read_listing() - before)
}

#[tokio::test]
async fn the_first_page_of_two_thousand_chats_reads_a_page_of_documents() {
    with_mongo(async |mongo, _| {
        let owner = UserId::generate();
        let chats = create_chats(&mongo, owner, 2_000).await;
        // A history: many chats deleted, some moved to the top by a new message.
        futures_util::stream::iter(chats.iter().step_by(3))
            .for_each_concurrent(32, async |chat| {
                assert!(mongo.delete_chat(owner, chat.id).await.expect("delete"));
            })
            .await;
        let moved = &chats[1];
        assert!(
            mongo
                .append_message(owner, &message_in(moved.id, 0))
                .await
                .expect("append")
        );

        let (page, read) = cost(&mongo, owner, 1, None).await;
        assert_eq!(page.len(), 1);
        assert_eq!(
            page[0].id, moved.id,
            "the chat with the newest message leads"
        );
        assert!(read <= 20, "a page of one read {read} documents");

        let (page, read) = cost(&mongo, owner, 20, None).await;
        assert_eq!(page.len(), 20);
        assert!(read <= 60, "a page of twenty read {read} documents");
        let last = page.last().unwrap();
        let cursor = ChatCursor {
            updated_at: last.updated_at,
            id: last.id,
        };
        let (next, read) = cost(&mongo, owner, 20, Some(cursor)).await;
        assert_eq!(next.len(), 20);
        assert!(read <= 60, "the next page read {read} documents");
        let newest_first = |chats: &[Chat]| {
            chats
                .windows(2)
                .all(|pair| (pair[0].updated_at, pair[0].id) > (pair[1].updated_at, pair[1].id))
        };
        assert!(newest_first(&[page, next].concat()));
    })
    .await;
}

#[tokio::test]
async fn chats_of_the_old_register_are_listed_once_indexed() {
    with_mongo(async |mongo, raw| {
        let owner = UserId::generate();
        let chats = create_chats(&mongo, owner, 30).await;
        // As the register stored them before the list index existed.
        let by_owner = doc! { "owner": owner.to_string() };
        raw.collection::<Document>("chat_index")
            .delete_many(by_owner)
            .await
            .unwrap();
        raw.collection::<Document>("chat_lists")
            .delete_many(doc! { "_id": owner.to_string() })
            .await
            .unwrap();
        let slots: Vec<Document> = (0_i64..)
            .zip(&chats)
            .map(|(slot, chat)| {
                doc! {
                    "_id": format!("{owner}:{slot:020}"),
                    "owner": owner.to_string(),
                    "slot": slot,
                    "chat_id": chat.id.to_string(),
                }
            })
            .collect();
        raw.collection::<Document>("chat_slots")
            .insert_many(slots)
            .await
            .unwrap();
        raw.collection::<Document>("chat_counters")
            .insert_one(doc! { "_id": owner.to_string(), "count": 30_i64 })
            .await
            .unwrap();

        let (page, _) = cost(&mongo, owner, 100, None).await;
        let mut expected = chats.clone();
        expected.sort_by_key(|chat| std::cmp::Reverse((chat.updated_at, chat.id)));
        let ids = |chats: &[Chat]| chats.iter().map(|chat| chat.id).collect::<Vec<_>>();
        assert_eq!(ids(&page), ids(&expected));
        let (page, read) = cost(&mongo, owner, 1, None).await;
        assert_eq!(ids(&page), ids(&expected[..1]));
        assert!(read <= 20, "indexed once: {read} documents");
    })
    .await;
}
