//! In-memory [`ChatCache`], and the contract suite every chat cache must pass.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use polychat_domain::ports::{CacheLookup, ChatCache, ChatPageKey, StoreError};
use polychat_domain::{ChatId, MessageId};

use crate::outage::{FailNext, Outage};

/// Cached pages per chat, with the generation counter that keeps them fresh. Entries
/// never expire here; expiry only saves memory, it never changes what a reader sees.
#[derive(Debug, Default)]
pub struct InMemoryChatCache {
    chats: Mutex<HashMap<ChatId, Entry>>,
    outage: Outage,
    failing_invalidations: FailNext,
}

#[derive(Debug, Default)]
struct Entry {
    generation: u64,
    pages: HashMap<ChatPageKey, Vec<u8>>,
}

impl InMemoryChatCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    /// Makes the next `n` invalidations fail with [`StoreError::Unavailable`] (a
    /// command the cache dropped), while reads and writes go on answering.
    pub fn fail_next_invalidations(&self, n: u32) {
        self.failing_invalidations.set(n);
    }

    fn chats(&self) -> Result<MutexGuard<'_, HashMap<ChatId, Entry>>, StoreError> {
        self.outage.check()?;
        Ok(self.chats.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl ChatCache for InMemoryChatCache {
    async fn get(&self, chat: ChatId, page: ChatPageKey) -> Result<CacheLookup, StoreError> {
        let chats = self.chats()?;
        let Some(entry) = chats.get(&chat) else {
            return Ok(CacheLookup::Miss { generation: 0 });
        };
        Ok(match entry.pages.get(&page) {
            Some(body) => CacheLookup::Hit(body.clone()),
            None => CacheLookup::Miss {
                generation: entry.generation,
            },
        })
    }

    async fn put(
        &self,
        chat: ChatId,
        page: ChatPageKey,
        generation: u64,
        body: &[u8],
    ) -> Result<(), StoreError> {
        let mut chats = self.chats()?;
        let entry = chats.entry(chat).or_default();
        if entry.generation == generation {
            entry.pages.insert(page, body.to_vec());
        }
        Ok(())
    }

    async fn invalidate(&self, chat: ChatId) -> Result<(), StoreError> {
        self.failing_invalidations.check()?;
        let mut chats = self.chats()?;
        let entry = chats.entry(chat).or_default();
        entry.generation += 1;
        entry.pages.clear();
        Ok(())
    }
}

/// The behaviour every [`ChatCache`] must show: pages hit after a put, an invalidation
/// drops every page of that chat only, and a put made with the generation of a lookup
/// that happened before an invalidation is refused (a reader never sees stale history).
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn chat_cache_contract(cache: &dyn ChatCache) {
    let chat = ChatId::generate();
    let newest = ChatPageKey {
        limit: 50,
        before: None,
    };
    let older = ChatPageKey {
        limit: 50,
        before: Some(MessageId::generate()),
    };

    let CacheLookup::Miss { generation } = cache.get(chat, newest).await.expect("get") else {
        panic!("an unknown chat is a miss");
    };
    cache
        .put(chat, newest, generation, b"newest")
        .await
        .expect("put");
    assert_eq!(
        cache.get(chat, newest).await.expect("get"),
        CacheLookup::Hit(b"newest".to_vec())
    );
    let CacheLookup::Miss { generation: same } = cache.get(chat, older).await.expect("get") else {
        panic!("another page of the chat is not cached yet");
    };
    assert_eq!(
        same, generation,
        "the generation belongs to the chat, not the page"
    );
    cache.put(chat, older, same, b"").await.expect("put");
    assert_eq!(
        cache.get(chat, older).await.expect("get"),
        CacheLookup::Hit(Vec::new())
    );

    let other = ChatId::generate();
    let CacheLookup::Miss {
        generation: other_generation,
    } = cache.get(other, newest).await.expect("get")
    else {
        panic!("an unknown chat is a miss");
    };
    cache
        .put(other, newest, other_generation, b"other")
        .await
        .expect("put");

    cache.invalidate(chat).await.expect("invalidate");
    let CacheLookup::Miss { generation: moved } = cache.get(chat, newest).await.expect("get")
    else {
        panic!("an invalidated page is a miss");
    };
    assert_ne!(moved, generation, "an invalidation moves the generation on");
    assert!(matches!(
        cache.get(chat, older).await.expect("get"),
        CacheLookup::Miss { .. }
    ));
    assert_eq!(
        cache.get(other, newest).await.expect("get"),
        CacheLookup::Hit(b"other".to_vec()),
        "other chats keep their pages"
    );

    cache
        .put(chat, newest, generation, b"stale")
        .await
        .expect("put");
    assert!(
        matches!(
            cache.get(chat, newest).await.expect("get"),
            CacheLookup::Miss { .. }
        ),
        "a page read before the invalidation is not stored after it"
    );
    cache.put(chat, newest, moved, b"fresh").await.expect("put");
    assert_eq!(
        cache.get(chat, newest).await.expect("get"),
        CacheLookup::Hit(b"fresh".to_vec())
    );

    let never_cached = ChatId::generate();
    cache.invalidate(never_cached).await.expect("invalidate");
    let CacheLookup::Miss { generation } = cache.get(never_cached, newest).await.expect("get")
    else {
        panic!("an invalidated chat is a miss");
    };
    cache
        .put(never_cached, newest, generation, b"x")
        .await
        .expect("put");
    assert_eq!(
        cache.get(never_cached, newest).await.expect("get"),
        CacheLookup::Hit(b"x".to_vec())
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        chat_cache_contract(&InMemoryChatCache::new()).await;
    }

    #[tokio::test]
    async fn an_outage_fails_every_call() {
        let cache = InMemoryChatCache::new();
        cache.set_unavailable(true);
        let result = cache.invalidate(ChatId::generate()).await;
        assert!(matches!(result, Err(StoreError::Unavailable(_))));
    }
}
