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
        assert!(names("chats").await.contains(&"owner_updated".to_owned()));
        assert!(
            names("messages")
                .await
                .contains(&"chat_messages".to_owned())
        );
        assert!(
            mongo
                .list_chats(polychat_domain::UserId::generate(), 5, None)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
