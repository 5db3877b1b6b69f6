//! History pages and their cache, renaming, deletion, and owner isolation.

use polychat_domain::ChatId;
use polychat_domain::ports::ChatCache;
use polychat_domain::services::chat::{CacheStatus, ChatError, ChatPage, ChatPageRequest};

use super::world::{World, ask};

fn render(page: &ChatPage) -> Vec<u8> {
    let mut text = format!("{}|", page.chat.title.as_str());
    for message in &page.messages {
        text.push_str(&message.content);
        text.push('|');
    }
    text.into_bytes()
}

fn page(chat: ChatId) -> ChatPageRequest {
    ChatPageRequest {
        chat_id: chat,
        limit: None,
        before: None,
    }
}

async fn read(
    world: &World,
    owner: polychat_domain::UserId,
    chat: ChatId,
) -> Result<(String, CacheStatus), ChatError> {
    let (body, status) = world.chat.page(owner, page(chat), render).await?;
    Ok((String::from_utf8(body).expect("utf-8"), status))
}

#[tokio::test]
async fn pages_are_cached_until_the_chat_changes() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_reply("first").push_reply("second");
    let chat = world
        .send(ask(&user, None, "Hello"))
        .await
        .unwrap()
        .chat
        .expect("stored")
        .id;

    let (first, status) = read(&world, user.id, chat).await.unwrap();
    assert_eq!(status, CacheStatus::Miss);
    assert_eq!(first, "Hello|Hello|first|");
    let (again, status) = read(&world, user.id, chat).await.unwrap();
    assert_eq!((again.as_str(), status), (first.as_str(), CacheStatus::Hit));

    world.send(ask(&user, Some(chat), "More")).await.unwrap();
    let (after, status) = read(&world, user.id, chat).await.unwrap();
    assert_eq!(status, CacheStatus::Miss);
    assert_eq!(after, "Hello|Hello|first|More|second|");
    assert_eq!(
        read(&world, user.id, chat).await.unwrap().1,
        CacheStatus::Hit
    );

    world
        .chat
        .update(user.id, chat, Some("Renamed"), None)
        .await
        .unwrap();
    let (renamed, status) = read(&world, user.id, chat).await.unwrap();
    assert_eq!(status, CacheStatus::Miss);
    assert!(renamed.starts_with("Renamed|"));

    // A cache that is down costs speed, not answers.
    world.cache.set_unavailable(true);
    let (down, status) = read(&world, user.id, chat).await.unwrap();
    assert_eq!(
        (down.as_str(), status),
        (renamed.as_str(), CacheStatus::Miss)
    );
    world.scripted().push_reply("third");
    world
        .send(ask(&user, Some(chat), "Cache down"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_deleted_chat_is_gone_from_store_and_cache() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_reply("ok");
    let chat = world
        .send(ask(&user, None, "Delete me"))
        .await
        .unwrap()
        .chat
        .expect("stored")
        .id;
    read(&world, user.id, chat).await.unwrap();
    assert_eq!(
        read(&world, user.id, chat).await.unwrap().1,
        CacheStatus::Hit
    );

    world.chat.delete(user.id, chat).await.unwrap();
    assert!(matches!(
        read(&world, user.id, chat).await,
        Err(ChatError::NotFound)
    ));
    assert!(matches!(
        world.chat.delete(user.id, chat).await,
        Err(ChatError::NotFound)
    ));
    let (chats, _) = world
        .chat
        .list(
            user.id,
            None,
            None,
            &polychat_domain::LabelsRequest::default(),
        )
        .await
        .unwrap();
    assert!(chats.is_empty());
}

#[tokio::test]
async fn another_users_chat_is_not_found_and_untouched() {
    let world = World::new();
    let ana = world.user("ana", true).await;
    let eve = world.user("eve", true).await;
    world.scripted().push_reply("ana's answer");
    let chat = world
        .send(ask(&ana, None, "Ana's secret"))
        .await
        .unwrap()
        .chat
        .expect("stored")
        .id;
    // Ana's page sits in the cache: it must not be served to Eve.
    read(&world, ana.id, chat).await.unwrap();
    let (before, _) = read(&world, ana.id, chat).await.unwrap();
    let calls = world.scripted().calls();

    assert!(matches!(
        read(&world, eve.id, chat).await,
        Err(ChatError::NotFound)
    ));
    let sent = world.send(ask(&eve, Some(chat), "Tell me")).await;
    assert!(matches!(sent, Err(ChatError::NotFound)), "{sent:?}");
    let streamed = world.stream(ask(&eve, Some(chat), "Tell me")).await;
    assert!(matches!(streamed, Err(ChatError::NotFound)));
    assert!(matches!(
        world.chat.update(eve.id, chat, Some("mine"), None).await,
        Err(ChatError::NotFound)
    ));
    assert!(matches!(
        world.chat.delete(eve.id, chat).await,
        Err(ChatError::NotFound)
    ));
    assert!(
        world
            .chat
            .list(
                eve.id,
                None,
                None,
                &polychat_domain::LabelsRequest::default()
            )
            .await
            .unwrap()
            .0
            .is_empty()
    );

    assert_eq!(world.scripted().calls(), calls);
    world.cache.invalidate(chat).await.unwrap();
    let (after, status) = read(&world, ana.id, chat).await.unwrap();
    assert_eq!(status, CacheStatus::Miss);
    assert_eq!(after, before);
}
