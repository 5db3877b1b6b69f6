//! User rules that only a real database can show: races on the unique username.

use std::collections::HashSet;

use futures_util::future::join_all;
use polychat_domain::Username;
use polychat_domain::ports::{StoreError, UserRepository};
use polychat_testkit::users::sample_user;
use uuid::Uuid;

use crate::support::TestDb;

/// The `i`-th spelling of `base` in upper and lower case letters.
fn casing(base: &str, i: usize) -> String {
    base.chars()
        .enumerate()
        .map(|(bit, c)| {
            if i >> bit & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_of_one_name_yield_one_user() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let base = format!("racer{}", &Uuid::new_v4().simple().to_string()[..6]);
    let base: String = base
        .chars()
        .map(|c| if c.is_ascii_digit() { 'x' } else { c })
        .collect();
    let users: Vec<_> = (0..50)
        .map(|i| {
            let mut user = sample_user("x");
            user.username = Username::parse(&casing(&base, i)).unwrap();
            user
        })
        .collect();
    let spellings: HashSet<_> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(spellings.len(), 50, "fifty different spellings of one name");

    let outcomes = join_all(users.iter().map(|user| {
        let pg = pg.clone();
        let user = user.clone();
        tokio::spawn(async move { pg.create(&user).await })
    }))
    .await;
    let (mut created, mut duplicates) = (Vec::new(), 0);
    for (user, outcome) in users.iter().zip(outcomes) {
        match outcome.unwrap() {
            Ok(()) => created.push(user.id),
            Err(StoreError::Duplicate) => duplicates += 1,
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((created.len(), duplicates), (1, 49));
    let lookup = Username::parse(&base.to_uppercase()).unwrap();
    let winner = pg.find_by_username(&lookup).await.unwrap().unwrap();
    assert_eq!(vec![winner.id], created);
}
