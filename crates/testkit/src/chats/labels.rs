//! Contract checks for a chat's labels (stored, read back, filtered on) and for
//! reading one message by id.

use polychat_domain::ports::ChatRepository;
use polychat_domain::{ChatId, ChatLabels, LabelsRequest, MessageId, Sectors, UserId};

use super::fixtures::{at, new_chat, new_message};

fn labels(project: Option<&str>, sector: Option<&str>) -> ChatLabels {
    LabelsRequest {
        project: project.map(str::to_owned),
        sector: sector.map(str::to_owned),
    }
    .parse(&Sectors::default())
    .expect("valid labels")
}

/// Labels read back as written; a listing filtered on project, sector or both holds
/// exactly the chats with those labels.
///
/// # Panics
/// When the store breaks the contract.
pub(super) async fn labels_contract(repo: &dyn ChatRepository) {
    let owner = UserId::generate();
    let sets = [
        labels(Some("site"), Some("vendas")),
        labels(Some("site"), None),
        labels(None, Some("vendas")),
        ChatLabels::default(),
    ];
    let mut ids = Vec::new();
    for (n, set) in (0..).zip(&sets) {
        let mut chat = new_chat(owner, at(n));
        chat.labels = set.clone();
        repo.create_chat(&chat).await.expect("create_chat");
        let found = repo.find_chat(owner, chat.id).await.expect("find_chat");
        assert_eq!(
            found.map(|c| c.labels),
            Some(set.clone()),
            "labels read back"
        );
        ids.push(chat.id);
    }
    let listed = async |filter: ChatLabels| -> Vec<ChatId> {
        let chats = repo.list_chats(owner, 100, None, &filter).await;
        let mut ids: Vec<ChatId> = chats.expect("list_chats").iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids
    };
    let expect = |picked: &[usize]| {
        let mut want: Vec<ChatId> = picked.iter().map(|&i| ids[i]).collect();
        want.sort_unstable();
        want
    };
    assert_eq!(listed(ChatLabels::default()).await, expect(&[0, 1, 2, 3]));
    assert_eq!(listed(labels(Some("site"), None)).await, expect(&[0, 1]));
    assert_eq!(listed(labels(None, Some("vendas"))).await, expect(&[0, 2]));
    assert_eq!(
        listed(labels(Some("site"), Some("vendas"))).await,
        expect(&[0])
    );
    assert_eq!(listed(labels(Some("other"), None)).await, expect(&[]));
}

/// A message reads back by id for its owner, and for nobody else or in another chat.
///
/// # Panics
/// When the store breaks the contract.
pub(super) async fn find_message_contract(repo: &dyn ChatRepository) {
    let owner = UserId::generate();
    let chat = new_chat(owner, at(0));
    repo.create_chat(&chat).await.expect("create_chat");
    let message = new_message(chat.id, 1, None);
    assert!(repo.append_message(owner, &message).await.expect("append"));
    let find = async |owner, chat, id| repo.find_message(owner, chat, id).await.expect("find");
    assert_eq!(
        find(owner, chat.id, message.id).await,
        Some(message.clone())
    );
    assert_eq!(find(UserId::generate(), chat.id, message.id).await, None);
    assert_eq!(find(owner, ChatId::generate(), message.id).await, None);
    assert_eq!(find(owner, chat.id, MessageId::generate()).await, None);
}
