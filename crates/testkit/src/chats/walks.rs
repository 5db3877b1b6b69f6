//! Contract suites that walk a store: another owner trying every operation, paging a
//! long history, and paging a long chat list. The MongoDB tests run them again at the
//! sizes production sees.

use polychat_domain::ports::{ChatChanges, ChatCursor, ChatRepository, MessageUpdate};
use polychat_domain::{ChatLabels, ChatTitle, Message, MessageId, MessageStatus, UserId};

use super::fixtures::{all_messages, at, new_chat, new_message, stored, usage};

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
        repo.list_chats(intruder, 100, None, &polychat_domain::ChatLabels::default())
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
    let hijack = ChatChanges {
        title: Some(ChatTitle::parse("Hijacked").expect("title")),
        labels: Some(ChatLabels::default()),
    };
    let renamed = repo
        .update_chat(intruder, chat.id, &hijack, at(50_000))
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
        error: None,
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
        let limit = usize::try_from(page).expect("small");
        assert!(
            batch.len() == limit || seen.len() + batch.len() == total,
            "a page is full unless it reaches the first message"
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
    let unknown = repo
        .messages(chat.owner, chat.id, page, Some(MessageId::generate()))
        .await;
    assert!(
        unknown.expect("messages").is_empty(),
        "nothing is before a message the chat does not have"
    );
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
            .list_chats(owner, page, cursor, &polychat_domain::ChatLabels::default())
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
        repo.list_chats(owner, 0, None, &polychat_domain::ChatLabels::default())
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
    let first = repo
        .list_chats(owner, 1, None, &polychat_domain::ChatLabels::default())
        .await
        .expect("list_chats");
    assert_eq!(
        first.first().map(|c| c.id),
        Some(touched.id),
        "a new message moves a chat up"
    );
}
