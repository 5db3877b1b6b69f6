//! The chat repository on a real server: the shared contract, and the same rules at
//! the sizes production sees.

use mongodb::bson::{Document, doc};
use polychat_domain::ports::ChatRepository;
use polychat_testkit::chats::{
    chat_listing_contract, chat_repository_contract, message_paging_contract,
    owner_isolation_contract,
};

use crate::with_mongo;

#[tokio::test]
async fn passes_the_chat_repository_contract() {
    with_mongo(async |mongo, _| chat_repository_contract(&mongo).await).await;
}

#[tokio::test]
async fn another_owner_sees_and_changes_nothing() {
    with_mongo(async |mongo, _| owner_isolation_contract(&mongo).await).await;
}

#[tokio::test]
async fn paging_walks_two_thousand_messages_without_gaps_or_repeats() {
    with_mongo(async |mongo, _| message_paging_contract(&mongo, 2_000, 50).await).await;
}

#[tokio::test]
async fn list_cursor_walks_every_chat_once_newest_first() {
    with_mongo(async |mongo, _| chat_listing_contract(&mongo, 130, 25).await).await;
}

#[tokio::test]
async fn messages_live_in_their_own_collection_and_carry_the_owner() {
    with_mongo(async |mongo, raw| {
        chat_repository_contract(&mongo).await;
        let messages = raw.collection::<Document>("messages");
        let total = messages.count_documents(doc! {}).await.unwrap();
        assert!(total > 0, "the contract stored messages");
        let owned = messages
            .count_documents(doc! { "owner": { "$type": "string" } })
            .await
            .unwrap();
        assert_eq!(owned, total, "every message document names its owner");
        let chats = raw.collection::<Document>("chats");
        let with_array = chats
            .count_documents(doc! { "messages": { "$exists": true } })
            .await
            .unwrap();
        assert_eq!(with_array, 0, "chats hold no message arrays");
    })
    .await;
}

#[tokio::test]
async fn indexes_exist_and_connect_is_idempotent() {
    with_mongo(async |mongo, raw| {
        let again = polychat_mongo::connect(&crate::config(raw.name())).await;
        again.expect("a second start-up creates the same indexes again");
        let names = |collection: &str| {
            let collection = raw.collection::<Document>(collection);
            async move { collection.list_index_names().await.unwrap() }
        };
        assert!(
            names("message_positions")
                .await
                .contains(&"chat_positions".to_owned())
        );
        assert!(
            names("messages")
                .await
                .contains(&"chat_messages".to_owned())
        );
        assert!(
            mongo
                .list_chats(
                    polychat_domain::UserId::generate(),
                    5,
                    None,
                    &polychat_domain::ChatLabels::default()
                )
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

pub(crate) fn chat_of(owner: polychat_domain::UserId) -> polychat_domain::Chat {
    let now = chrono::Utc::now();
    polychat_domain::Chat {
        id: polychat_domain::ChatId::generate(),
        owner,
        title: polychat_domain::ChatTitle::parse("Busy chat").expect("title"),
        model: polychat_domain::ModelName::parse("openai/gpt-4o-mini").expect("model"),
        labels: polychat_domain::ChatLabels::default(),
        usage_total: polychat_domain::Usage::default(),
        message_count: 0,
        created_at: now,
        updated_at: now,
    }
}

pub(crate) fn message_in(chat: polychat_domain::ChatId, n: usize) -> polychat_domain::Message {
    polychat_domain::Message {
        id: polychat_domain::MessageId::generate(),
        chat_id: chat,
        role: polychat_domain::Role::User,
        content: format!("message {n}"),
        model: None,
        usage: None,
        status: polychat_domain::MessageStatus::Complete,
        error: None,
        review: polychat_domain::Review::default(),
        created_at: chrono::Utc::now(),
    }
}

/// Forty appends at once to one chat: each takes its own position, and reads and
/// finishes find every one of them.
#[tokio::test]
async fn concurrent_appends_to_one_chat_keep_every_message() {
    with_mongo(async |mongo, _| {
        let owner = polychat_domain::UserId::generate();
        let chat = chat_of(owner);
        mongo.create_chat(&chat).await.unwrap();
        let messages: Vec<_> = (0..40).map(|n| message_in(chat.id, n)).collect();
        let appends = messages.iter().map(|m| mongo.append_message(owner, m));
        for appended in futures_util::future::join_all(appends).await {
            assert!(appended.expect("append"), "every append is stored");
        }
        let page = mongo.messages(owner, chat.id, 200, None).await.unwrap();
        let mut read: Vec<_> = page.iter().map(|m| m.id).collect();
        let mut written: Vec<_> = messages.iter().map(|m| m.id).collect();
        read.sort_unstable();
        written.sort_unstable();
        assert_eq!(read, written, "the newest page holds every message once");
        // Not checked here: the chat's count. MongoDB keeps it exact; FerretDB v1's
        // find-and-modify is not atomic and can lose concurrent increments, which is
        // why the newest page looks past the count (and finds everything above).
        // Finishing any of them reaches that message and no other.
        let target = &messages[7];
        let update = polychat_domain::ports::MessageUpdate {
            content: "finished".to_owned(),
            status: polychat_domain::MessageStatus::Complete,
            model: None,
            usage: None,
            error: None,
        };
        let finished = mongo.finish_message(owner, chat.id, target.id, &update, chrono::Utc::now());
        assert!(finished.await.unwrap());
        let page = mongo.messages(owner, chat.id, 200, None).await.unwrap();
        let changed: Vec<_> = page.iter().filter(|m| m.content == "finished").collect();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].id, target.id);
        assert!(mongo.delete_chat(owner, chat.id).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_deleted_chat_leaves_no_message_or_position_behind() {
    with_mongo(async |mongo, raw| {
        let owner = polychat_domain::UserId::generate();
        let chat = chat_of(owner);
        mongo.create_chat(&chat).await.unwrap();
        for n in 0..1_100 {
            assert!(
                mongo
                    .append_message(owner, &message_in(chat.id, n))
                    .await
                    .unwrap()
            );
        }
        assert!(mongo.delete_chat(owner, chat.id).await.unwrap());
        for collection in ["messages", "message_positions"] {
            let left = raw
                .collection::<Document>(collection)
                .count_documents(doc! {})
                .await;
            assert_eq!(left.unwrap(), 0, "{collection} is empty after the delete");
        }
    })
    .await;
}

/// Twenty chats created at once are all listed, and a deleted chat's entry leaves the
/// list index.
#[tokio::test]
async fn the_list_index_lists_concurrent_creations_and_forgets_deleted_chats() {
    with_mongo(async |mongo, raw| {
        let owner = polychat_domain::UserId::generate();
        let chats: Vec<_> = (0..20).map(|_| chat_of(owner)).collect();
        let creations = chats.iter().map(|chat| mongo.create_chat(chat));
        for created in futures_util::future::join_all(creations).await {
            created.expect("create_chat");
        }
        let listed = mongo
            .list_chats(owner, 100, None, &polychat_domain::ChatLabels::default())
            .await
            .unwrap();
        let mut listed: Vec<_> = listed.iter().map(|chat| chat.id).collect();
        let mut created: Vec<_> = chats.iter().map(|chat| chat.id).collect();
        listed.sort_unstable();
        created.sort_unstable();
        assert_eq!(listed, created, "every chat is listed once");

        let entries = raw.collection::<Document>("chat_index");
        let by_owner = doc! { "owner": owner.to_string() };
        assert_eq!(entries.count_documents(by_owner.clone()).await.unwrap(), 20);
        assert!(mongo.delete_chat(owner, chats[3].id).await.unwrap());
        let listed = mongo
            .list_chats(owner, 100, None, &polychat_domain::ChatLabels::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 19);
        assert!(listed.iter().all(|chat| chat.id != chats[3].id));
        assert_eq!(
            entries.count_documents(by_owner).await.unwrap(),
            19,
            "the deleted chat's entry is gone"
        );
    })
    .await;
}
