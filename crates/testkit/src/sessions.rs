//! In-memory [`SessionStore`], and the contract suite every session store must pass.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use polychat_domain::UserId;
use polychat_domain::ports::{Rotation, Session, SessionStore, StoreError};
use uuid::Uuid;

/// Sessions by family; an ended one keeps its record, so a replay is told apart from
/// a token never seen.
#[derive(Debug, Default)]
pub struct InMemorySessions {
    sessions: Mutex<HashMap<Uuid, Record>>,
}

#[derive(Debug, Clone)]
struct Record {
    session: Session,
    ended: bool,
}

impl InMemorySessions {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl SessionStore for InMemorySessions {
    async fn start(&self, session: &Session) -> Result<(), StoreError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let record = Record {
            session: session.clone(),
            ended: false,
        };
        if sessions.insert(session.family, record).is_some() {
            return Err(StoreError::Duplicate);
        }
        Ok(())
    }

    async fn rotate(
        &self,
        family: Uuid,
        used: Uuid,
        next: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(record) = sessions.get_mut(&family).filter(|record| !record.ended) else {
            return Ok(Rotation::Ended);
        };
        if record.session.next_refresh != used {
            return Ok(Rotation::Replayed);
        }
        record.session.next_refresh = next;
        record.session.expires_at = expires_at;
        Ok(Rotation::Rotated)
    }

    async fn end(&self, family: Uuid, _at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(record) = sessions.get_mut(&family) {
            record.ended = true;
        }
        Ok(())
    }

    async fn end_all(
        &self,
        user: UserId,
        keep: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let mut ended = Vec::new();
        for (family, record) in sessions.iter_mut() {
            let live = !record.ended && record.session.expires_at > at;
            if record.session.user == user && live && Some(*family) != keep {
                record.ended = true;
                ended.push(*family);
            }
        }
        Ok(ended)
    }
}

/// The behaviour every [`SessionStore`] must show: a chain rotates once per refresh
/// token, tells a replay from an ended chain, and ends one by one or all of a user's
/// but one.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn session_store_contract(store: &dyn SessionStore) {
    let now = Utc::now();
    let week = now + TimeDelta::days(7);
    let (ana, bob) = (UserId::generate(), UserId::generate());
    let session = |user| Session {
        family: Uuid::new_v4(),
        user,
        next_refresh: Uuid::new_v4(),
        expires_at: week,
    };
    let first = session(ana);
    store.start(&first).await.expect("start");
    assert!(
        matches!(store.start(&first).await, Err(StoreError::Duplicate)),
        "a family starts once"
    );
    let rotate = async |family, used, next| {
        store
            .rotate(family, used, next, week)
            .await
            .expect("rotate")
    };

    let second_token = Uuid::new_v4();
    assert_eq!(
        rotate(first.family, first.next_refresh, second_token).await,
        Rotation::Rotated
    );
    assert_eq!(
        rotate(first.family, first.next_refresh, Uuid::new_v4()).await,
        Rotation::Replayed,
        "a used refresh token is a replay"
    );
    assert_eq!(
        rotate(first.family, second_token, Uuid::new_v4()).await,
        Rotation::Rotated,
        "a replay alone does not end the chain: the service does"
    );
    assert_eq!(
        rotate(Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()).await,
        Rotation::Ended,
        "an unknown chain is no chain"
    );

    let other = session(ana);
    let kept = session(ana);
    let bobs = session(bob);
    for started in [&other, &kept, &bobs] {
        store.start(started).await.expect("start");
    }
    store.end(other.family, now).await.expect("end");
    assert_eq!(
        rotate(other.family, other.next_refresh, Uuid::new_v4()).await,
        Rotation::Ended
    );
    let mut ended = store
        .end_all(ana, Some(kept.family), now)
        .await
        .expect("end_all");
    ended.sort();
    assert_eq!(
        ended,
        vec![first.family],
        "the live chains but the kept one"
    );
    assert_eq!(
        rotate(kept.family, kept.next_refresh, Uuid::new_v4()).await,
        Rotation::Rotated,
        "the kept chain lives on"
    );
    assert_eq!(
        rotate(bobs.family, bobs.next_refresh, Uuid::new_v4()).await,
        Rotation::Rotated,
        "another user's chains are untouched"
    );
    let all = store.end_all(ana, None, now).await.expect("end_all");
    assert_eq!(all, vec![kept.family]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_in_memory_store_keeps_the_contract() {
        session_store_contract(&InMemorySessions::new()).await;
    }
}
