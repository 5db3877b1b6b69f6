//! The behaviour every [`ChatRepository`] must show. The in-memory fake and the MongoDB
//! adapter both run these functions, so the fake cannot drift from the real store.
//!
//! Every function works with fresh random owners and ids, so it can run against a
//! store that other tests use at the same time.

use chrono::{DateTime, Utc};
use polychat_domain::ports::{ChatCursor, ChatRepository, MessageUpdate, StoreError};
use polychat_domain::{
    Chat, ChatId, ChatTitle, Message, MessageId, MessageStatus, ModelName, Role, Usage, UserId,
};

/// Runs every check of this module with small sizes.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn chat_repository_contract(repo: &dyn ChatRepository) {
    create_find_and_duplicates(repo).await;
    append_updates_totals(repo).await;
    finish_sets_final_state(repo).await;
    rename_and_delete(repo).await;
    owner_isolation_contract(repo).await;
    message_paging_contract(repo, 23, 5).await;
    chat_listing_contract(repo, 11, 3).await;
}

/// A point in time at millisecond precision, as every store keeps it.
fn at(offset_ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_767_225_600_000 + offset_ms).expect("valid timestamp")
}

fn usage(prompt: u64, completion: u64) -> Usage {
    Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
    }
}

fn new_chat(owner: UserId, updated_at: DateTime<Utc>) -> Chat {
    Chat {
        id: ChatId::generate(),
        owner,
        title: ChatTitle::parse("Contract chat").expect("valid title"),
        model: ModelName::parse("openai/gpt-4o-mini").expect("valid model"),
        usage_total: usage(1, 2),
        message_count: 0,
        created_at: updated_at,
        updated_at,
    }
}

fn new_message(chat: ChatId, n: i64, usage: Option<Usage>) -> Message {
    Message {
        id: MessageId::generate(),
        chat_id: chat,
        role: if usage.is_some() {
            Role::Assistant
        } else {
            Role::User
        },
        content: format!("message {n} — olá"),
        model: usage.map(|_| ModelName::parse("openai/gpt-4o-mini").expect("valid model")),
        usage,
        status: MessageStatus::Complete,
        created_at: at(1_000 + n),
    }
}

async fn stored(repo: &dyn ChatRepository, chat: &Chat) -> Chat {
    repo.find_chat(chat.owner, chat.id)
        .await
        .expect("find_chat")
        .expect("chat exists")
}

async fn all_messages(repo: &dyn ChatRepository, owner: UserId, chat: ChatId) -> Vec<Message> {
    repo.messages(owner, chat, 10_000, None)
        .await
        .expect("messages")
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
        status: MessageStatus::Complete,
        model: Some(ModelName::parse("meta-llama/llama-3.1-8b-instruct:free").expect("model")),
        usage: Some(usage(7, 3)),
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
        ..placeholder.clone()
    };
    assert_eq!(messages, vec![expected]);
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
    let renamed = repo
        .rename_chat(chat.owner, chat.id, &title, at(9_000))
        .await;
    let renamed = renamed.expect("rename_chat").expect("own chat is renamed");
    assert_eq!(renamed.title, title);
    assert_eq!(renamed.updated_at, at(9_000));
    assert_eq!(
        stored(repo, &chat).await,
        renamed,
        "rename returns the stored chat"
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

/// Another user learns nothing about a chat and changes nothing in it, whatever id
/// they use: every answer is the one a missing chat gives.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn owner_isolation_contract(repo: &dyn ChatRepository) {
    let owner = UserId::generate();
    let intruder = UserId::generate();
    let chat = new_chat(owner, at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let message = new_message(chat.id, 1, Some(usage(2, 2)));
    assert!(repo.append_message(owner, &message).await.expect("append"));
    let before_chat = stored(repo, &chat).await;
    let before_messages = all_messages(repo, owner, chat.id).await;

    assert_eq!(repo.find_chat(intruder, chat.id).await.expect("find"), None);
    assert!(
        repo.list_chats(intruder, 100, None)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        repo.messages(intruder, chat.id, 100, None)
            .await
            .expect("messages")
            .is_empty()
    );
    let title = ChatTitle::parse("Hijacked").expect("title");
    let renamed = repo
        .rename_chat(intruder, chat.id, &title, at(50_000))
        .await;
    assert_eq!(renamed.expect("rename"), None);
    let injected = new_message(chat.id, 2, Some(usage(100, 100)));
    assert!(
        !repo
            .append_message(intruder, &injected)
            .await
            .expect("append")
    );
    let update = MessageUpdate {
        content: "overwritten".to_owned(),
        status: MessageStatus::Error,
        model: None,
        usage: Some(usage(100, 100)),
    };
    let finished = repo.finish_message(intruder, chat.id, message.id, &update, at(50_000));
    assert!(!finished.await.expect("finish"));
    assert!(!repo.delete_chat(intruder, chat.id).await.expect("delete"));

    assert_eq!(
        stored(repo, &chat).await,
        before_chat,
        "the chat is untouched"
    );
    assert_eq!(all_messages(repo, owner, chat.id).await, before_messages);
    assert!(
        all_messages(repo, intruder, chat.id).await.is_empty(),
        "the refused message was not stored under the intruder either"
    );
}

/// Walking a chat of `total` messages backwards, `page` at a time with `before`,
/// visits every message once, in order, and each page is oldest first.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn message_paging_contract(repo: &dyn ChatRepository, total: usize, page: u32) {
    let chat = new_chat(UserId::generate(), at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let mut written = Vec::with_capacity(total);
    for n in 0..total {
        let message = new_message(chat.id, i64::try_from(n).expect("small"), None);
        assert!(
            repo.append_message(chat.owner, &message)
                .await
                .expect("append")
        );
        written.push(message.id);
    }
    let mut seen: Vec<MessageId> = Vec::with_capacity(total);
    let mut before = None;
    loop {
        let batch = repo
            .messages(chat.owner, chat.id, page, before)
            .await
            .expect("messages");
        assert!(
            batch.len() <= usize::try_from(page).expect("small"),
            "at most `limit`"
        );
        let ids: Vec<MessageId> = batch.iter().map(|m| m.id).collect();
        assert!(ids.is_sorted(), "a page is oldest first");
        let Some(first) = ids.first().copied() else {
            break;
        };
        seen.splice(0..0, ids);
        before = Some(first);
    }
    assert_eq!(seen, written, "the walk sees every message once, in order");
    assert_eq!(
        stored(repo, &chat).await.message_count,
        u64::try_from(total).expect("small")
    );
}

/// Listing `total` chats `page` at a time with the cursor of the last item visits each
/// chat once, most recently updated first (ties broken by id), and only the owner's.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn chat_listing_contract(repo: &dyn ChatRepository, total: usize, page: u32) {
    let owner = UserId::generate();
    repo.create_chat(&new_chat(UserId::generate(), at(0)))
        .await
        .expect("create_chat");
    let mut expected = Vec::with_capacity(total);
    for n in 0..total {
        // Every third chat shares its time with the previous one, to exercise the tie-break.
        let offset = i64::try_from(n - n / 3).expect("small") * 1_000;
        let chat = new_chat(owner, at(offset));
        repo.create_chat(&chat).await.expect("create_chat");
        expected.push(chat);
    }
    expected.sort_by_key(|chat| std::cmp::Reverse((chat.updated_at, chat.id)));
    let mut seen = Vec::with_capacity(total);
    let mut cursor = None;
    loop {
        let batch = repo
            .list_chats(owner, page, cursor)
            .await
            .expect("list_chats");
        assert!(
            batch.len() <= usize::try_from(page).expect("small"),
            "at most `limit`"
        );
        let Some(last) = batch.last() else { break };
        cursor = Some(ChatCursor {
            updated_at: last.updated_at,
            id: last.id,
        });
        seen.extend(batch);
    }
    assert_eq!(
        seen, expected,
        "the walk sees every chat once, newest first"
    );
    assert!(
        repo.list_chats(owner, 0, None)
            .await
            .expect("list")
            .is_empty()
    );
    let touched = &expected[expected.len() - 1];
    let message = Message {
        created_at: at(1_000_000),
        ..new_message(touched.id, 1, None)
    };
    assert!(repo.append_message(owner, &message).await.expect("append"));
    let first = repo.list_chats(owner, 1, None).await.expect("list_chats");
    assert_eq!(
        first.first().map(|c| c.id),
        Some(touched.id),
        "a new message moves a chat up"
    );
}
