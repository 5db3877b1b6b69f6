//! The behaviour every [`ChatRepository`] must show. The in-memory fake and the MongoDB
//! adapter both run these functions, so the fake cannot drift from the real store.
//!
//! Every function works with fresh random owners and ids, so it can run against a
//! store that other tests use at the same time.

use polychat_domain::ports::{ChatChanges, ChatRepository, MessageUpdate, StoreError};
use polychat_domain::{
    ChatId, ChatLabels, ChatTitle, Message, MessageError, MessageId, MessageStatus, ModelName,
    Review, Role, UserId, Validation,
};

use super::fixtures::{all_messages, at, new_chat, new_message, stored, usage};
use super::labels::{find_message_contract, labels_contract};
use super::walks::{chat_listing_contract, message_paging_contract, owner_isolation_contract};

/// Runs every check of this module with small sizes.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn chat_repository_contract(repo: &dyn ChatRepository) {
    create_find_and_duplicates(repo).await;
    append_updates_totals(repo).await;
    start_with_first_messages(repo).await;
    finish_sets_final_state(repo).await;
    rename_and_delete(repo).await;
    owner_isolation_contract(repo).await;
    message_paging_contract(repo, 23, 5).await;
    chat_listing_contract(repo, 11, 3).await;
    labels_contract(repo).await;
    find_message_contract(repo).await;
    expiry_contract(repo).await;
    review_contract(repo).await;
}

/// A review stores the verdict and the text, for the owner only; the chat's owner is
/// found by its id alone.
async fn review_contract(repo: &dyn ChatRepository) {
    let chat = new_chat(UserId::generate(), at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let answer = new_message(chat.id, 1, Some(usage(3, 4)));
    assert!(
        repo.append_message(chat.owner, &answer)
            .await
            .expect("append")
    );
    let review = Review {
        validated_by: Validation::Human,
        operator_name: Some("Joana".to_owned()),
        original_content: Some(answer.content.clone()),
    };
    let stranger = UserId::generate();
    let refused = repo.review_message(stranger, chat.id, answer.id, "mine now", &review);
    assert!(
        !refused.await.expect("review"),
        "another owner's message is not found"
    );
    let missing = repo.review_message(chat.owner, chat.id, MessageId::generate(), "x", &review);
    assert!(!missing.await.expect("review"));
    let reviewed = repo.review_message(chat.owner, chat.id, answer.id, "corrected", &review);
    assert!(reviewed.await.expect("review"));

    let stored = repo
        .find_message(chat.owner, chat.id, answer.id)
        .await
        .expect("find_message")
        .expect("the message");
    assert_eq!(stored.content, "corrected");
    assert_eq!(stored.review, review);
    let page = all_messages(repo, chat.owner, chat.id).await;
    assert_eq!(page, vec![stored], "pages read the review too");
    assert_eq!(
        repo.chat_owner(chat.id).await.expect("chat_owner"),
        Some(chat.owner)
    );
    assert_eq!(
        repo.chat_owner(ChatId::generate())
            .await
            .expect("chat_owner"),
        None
    );
}

/// Chats last updated before a date are found, of any owner, and expire with their
/// messages; a chat updated since is kept. The dates are decades back, so no other
/// test's chats are among them.
async fn expiry_contract(repo: &dyn ChatRepository) {
    const DAY_MS: i64 = 86_400_000;
    let long_ago = -30 * 365 * DAY_MS;
    let cutoff = at(long_ago + DAY_MS);
    let mut chats = Vec::new();
    for offset in [long_ago, long_ago + 2 * DAY_MS] {
        let chat = new_chat(UserId::generate(), at(offset));
        repo.create_chat(&chat).await.expect("create_chat");
        let mut message = new_message(chat.id, 1, None);
        message.created_at = at(offset);
        assert!(
            repo.append_message(chat.owner, &message)
                .await
                .expect("append")
        );
        chats.push(chat);
    }
    let (old, recent) = (&chats[0], &chats[1]);
    let stale = repo
        .chats_updated_before(cutoff, 1_000)
        .await
        .expect("stale");
    assert!(stale.contains(&(old.owner, old.id)), "the old chat is due");
    assert!(
        !stale.contains(&(recent.owner, recent.id)),
        "the recent one is not"
    );

    let kept = repo.expire_chat(recent.owner, recent.id, cutoff).await;
    assert!(
        !kept.expect("expire_chat"),
        "a chat updated since is not expired"
    );
    assert_eq!(all_messages(repo, recent.owner, recent.id).await.len(), 1);
    let other_owner = repo.expire_chat(UserId::generate(), old.id, cutoff).await;
    assert!(
        !other_owner.expect("expire_chat"),
        "only the owner's chat expires"
    );

    assert!(
        repo.expire_chat(old.owner, old.id, cutoff)
            .await
            .expect("expire_chat")
    );
    assert_eq!(repo.find_chat(old.owner, old.id).await.expect("find"), None);
    assert!(all_messages(repo, old.owner, old.id).await.is_empty());
    let again = repo.expire_chat(old.owner, old.id, cutoff).await;
    assert!(
        !again.expect("expire_chat"),
        "expiring twice finds nothing the second time"
    );
    let stale = repo
        .chats_updated_before(cutoff, 1_000)
        .await
        .expect("stale");
    assert!(!stale.contains(&(old.owner, old.id)));
    assert!(
        repo.delete_chat(recent.owner, recent.id)
            .await
            .expect("clean up")
    );
}

async fn create_find_and_duplicates(repo: &dyn ChatRepository) {
    let chat = new_chat(UserId::generate(), at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    assert_eq!(
        stored(repo, &chat).await,
        chat,
        "a chat reads back as written"
    );
    let missing = repo.find_chat(chat.owner, ChatId::generate()).await;
    assert_eq!(
        missing.expect("find_chat"),
        None,
        "an unknown id finds nothing"
    );
    let again = repo.create_chat(&chat).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate)),
        "creating the same chat twice is a duplicate, got {again:?}"
    );
}

async fn append_updates_totals(repo: &dyn ChatRepository) {
    let chat = new_chat(UserId::generate(), at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let first = new_message(chat.id, 1, None);
    let second = new_message(chat.id, 2, Some(usage(10, 5)));
    for message in [&first, &second] {
        let appended = repo.append_message(chat.owner, message).await;
        assert!(
            appended.expect("append_message"),
            "appending to an own chat works"
        );
    }
    let after = stored(repo, &chat).await;
    assert_eq!(after.message_count, 2);
    assert_eq!(
        after.usage_total,
        usage(11, 7),
        "the usage is added to the totals"
    );
    assert_eq!(
        after.updated_at, second.created_at,
        "updated_at follows the last message"
    );
    let replay = repo.append_message(chat.owner, &second).await;
    assert!(
        matches!(replay, Err(StoreError::Duplicate)),
        "a message id is stored once, got {replay:?}"
    );
    assert_eq!(
        stored(repo, &chat).await,
        after,
        "a refused append changes nothing"
    );
    assert_eq!(
        all_messages(repo, chat.owner, chat.id).await,
        vec![first, second]
    );
}

async fn start_with_first_messages(repo: &dyn ChatRepository) {
    let chat = new_chat(UserId::generate(), at(0));
    let prompt = new_message(chat.id, 1, None);
    let mut answer = new_message(chat.id, 2, Some(usage(4, 6)));
    answer.role = Role::Assistant;
    repo.start_chat(&chat, &[prompt.clone(), answer.clone()])
        .await
        .expect("start_chat");
    let started = stored(repo, &chat).await;
    assert_eq!(started.message_count, 2, "the first messages are counted");
    assert_eq!(started.usage_total, usage(5, 8), "and their usage");
    assert_eq!(started.updated_at, answer.created_at);
    assert_eq!(
        (started.title.clone(), started.created_at),
        (chat.title.clone(), chat.created_at)
    );
    assert_eq!(
        all_messages(repo, chat.owner, chat.id).await,
        vec![prompt.clone(), answer.clone()],
        "the first messages read back in order"
    );
    let listed = repo
        .list_chats(
            chat.owner,
            10,
            None,
            &polychat_domain::ChatLabels::default(),
        )
        .await
        .expect("list_chats");
    assert_eq!(listed, vec![started.clone()], "a started chat is listed");
    let third = new_message(chat.id, 3, None);
    assert!(
        repo.append_message(chat.owner, &third)
            .await
            .expect("append")
    );
    assert_eq!(
        all_messages(repo, chat.owner, chat.id).await,
        vec![prompt.clone(), answer.clone(), third.clone()],
        "later messages follow the first ones"
    );

    let before = stored(repo, &chat).await;
    let again = repo
        .start_chat(&chat, &[new_message(chat.id, 4, Some(usage(1, 1)))])
        .await;
    assert!(again.is_err(), "a chat id starts once, got {again:?}");
    assert_eq!(
        stored(repo, &chat).await,
        before,
        "a refused start leaves the chat"
    );
    assert_eq!(
        all_messages(repo, chat.owner, chat.id).await,
        vec![prompt, answer, third],
        "and its messages"
    );
}

async fn finish_sets_final_state(repo: &dyn ChatRepository) {
    let chat = new_chat(UserId::generate(), at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let mut placeholder = new_message(chat.id, 1, None);
    placeholder.role = Role::Assistant;
    placeholder.content = String::new();
    placeholder.status = MessageStatus::Incomplete;
    assert!(
        repo.append_message(chat.owner, &placeholder)
            .await
            .expect("append")
    );
    let update = MessageUpdate {
        content: "the whole answer".to_owned(),
        status: MessageStatus::Incomplete,
        model: Some(ModelName::parse("meta-llama/llama-3.1-8b-instruct:free").expect("model")),
        usage: Some(usage(7, 3)),
        error: Some(MessageError {
            code: "server_shutdown".to_owned(),
            message: "stopped".to_owned(),
        }),
    };
    let finished = repo.finish_message(chat.owner, chat.id, placeholder.id, &update, at(5_000));
    assert!(
        finished.await.expect("finish_message"),
        "finishing an own message works"
    );
    let messages = all_messages(repo, chat.owner, chat.id).await;
    let expected = Message {
        content: update.content.clone(),
        status: update.status,
        model: update.model.clone(),
        usage: update.usage,
        error: update.error.clone(),
        ..placeholder.clone()
    };
    assert_eq!(
        messages,
        vec![expected],
        "the final state and its error are stored"
    );
    let after = stored(repo, &chat).await;
    assert_eq!(
        after.usage_total,
        usage(8, 5),
        "the final usage is added to the totals"
    );
    assert_eq!(after.updated_at, at(5_000));
    assert_eq!(
        after.message_count, 1,
        "finishing does not count a new message"
    );
    let unknown = repo.finish_message(
        chat.owner,
        chat.id,
        MessageId::generate(),
        &update,
        at(6_000),
    );
    assert!(
        !unknown.await.expect("finish_message"),
        "an unknown message is not finished"
    );
    let elsewhere = repo.finish_message(
        chat.owner,
        ChatId::generate(),
        placeholder.id,
        &update,
        at(6_000),
    );
    assert!(
        !elsewhere.await.expect("finish_message"),
        "the message must be in that chat"
    );
    assert_eq!(
        stored(repo, &chat).await,
        after,
        "refused finishes change nothing"
    );
}

async fn rename_and_delete(repo: &dyn ChatRepository) {
    let chat = new_chat(UserId::generate(), at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let title = ChatTitle::parse("Renamed").expect("title");
    let changes = ChatChanges {
        title: Some(title.clone()),
        labels: None,
    };
    let renamed = repo
        .update_chat(chat.owner, chat.id, &changes, at(9_000))
        .await;
    let renamed = renamed.expect("update_chat").expect("own chat is renamed");
    assert_eq!(renamed.title, title);
    assert_eq!(renamed.labels, chat.labels, "absent labels stay");
    assert_eq!(renamed.updated_at, at(9_000));
    assert_eq!(
        stored(repo, &chat).await,
        renamed,
        "an update returns the stored chat"
    );
    let sectors = polychat_domain::Sectors::default();
    let labels = ChatLabels {
        project: None,
        sector: Some(sectors.sector("suporte").expect("a default sector")),
    };
    let relabelled = ChatChanges {
        title: None,
        labels: Some(labels.clone()),
    };
    let relabelled = repo
        .update_chat(chat.owner, chat.id, &relabelled, at(9_500))
        .await;
    let relabelled = relabelled.expect("update_chat").expect("own chat");
    assert_eq!(
        (relabelled.labels, relabelled.title),
        (labels, title),
        "only the labels changed"
    );
    assert_eq!(
        stored(repo, &chat).await.labels.sector,
        Some(sectors.sector("suporte").expect("sector"))
    );
    let message = new_message(chat.id, 1, None);
    assert!(
        repo.append_message(chat.owner, &message)
            .await
            .expect("append")
    );
    assert!(
        repo.delete_chat(chat.owner, chat.id)
            .await
            .expect("delete_chat")
    );
    assert_eq!(
        repo.find_chat(chat.owner, chat.id).await.expect("find"),
        None
    );
    assert!(
        all_messages(repo, chat.owner, chat.id).await.is_empty(),
        "messages go too"
    );
    assert!(
        !repo
            .delete_chat(chat.owner, chat.id)
            .await
            .expect("delete_chat"),
        "only once"
    );
    let late = repo
        .append_message(chat.owner, &new_message(chat.id, 2, None))
        .await;
    assert!(!late.expect("append"), "a deleted chat takes no messages");
    assert!(all_messages(repo, chat.owner, chat.id).await.is_empty());
    assert!(
        repo.messages(chat.owner, chat.id, 0, None)
            .await
            .expect("messages")
            .is_empty()
    );
}
