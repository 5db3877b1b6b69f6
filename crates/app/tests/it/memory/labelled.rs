//! Search limited by the chats' labels: `project` and `sector` keep the hits to the
//! chats that have them (with `chat_id` too, to that chat if it has them).

use serde_json::{Value, json};

use super::{answer, found, ready_user, search, search_until};
use crate::harness::TestApp;

async fn labelled_turn(app: &TestApp, token: &str, body: Value) -> String {
    let response = app.post("/chat", Some(token), &body).await;
    let status = response.status();
    let turn: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{turn}");
    turn["chat_id"].as_str().expect("chat_id").to_owned()
}

#[tokio::test]
async fn project_and_sector_limit_the_search() {
    let app = TestApp::spawn().await;
    answer(&app, "Certo.").await;
    let token = ready_user(&app).await;
    let sales = json!({"prompt": "Qual o desconto máximo para clientes de varejo?",
        "project": "loja", "sector": "vendas"});
    let sales_chat = labelled_turn(&app, &token, sales).await;
    let support = json!({"prompt": "Qual o desconto máximo para reembolso de clientes?",
        "project": "loja", "sector": "suporte"});
    labelled_turn(&app, &token, support).await;
    let query = |extra: Value| {
        let mut body =
            json!({"query": "desconto máximo para clientes", "similarity_threshold": 0.5});
        for (key, value) in extra.as_object().cloned().unwrap_or_default() {
            body[key] = value;
        }
        body
    };
    let everything = search_until(&app, &token, &query(json!({})), |hits| {
        found(hits, "varejo") && found(hits, "reembolso")
    })
    .await;
    assert!(found(&everything, "varejo"));

    let project = search(&app, &token, &query(json!({"project": "loja"}))).await;
    assert!(
        found(&project, "varejo") && found(&project, "reembolso"),
        "{project:?}"
    );
    let sector = search(&app, &token, &query(json!({"sector": "vendas"}))).await;
    assert!(
        found(&sector, "varejo") && !found(&sector, "reembolso"),
        "{sector:?}"
    );
    let both = search(
        &app,
        &token,
        &query(json!({"project": "loja", "sector": "suporte"})),
    )
    .await;
    assert!(
        !found(&both, "varejo") && found(&both, "reembolso"),
        "{both:?}"
    );
    let elsewhere = search(&app, &token, &query(json!({"project": "outro"}))).await;
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
    let mismatch = query(json!({"sector": "suporte", "chat_id": sales_chat}));
    assert!(
        search(&app, &token, &mismatch).await.is_empty(),
        "the chat lacks the sector"
    );

    let invalid = app
        .post(
            "/messages/search",
            Some(&token),
            &query(json!({"sector": "rh"})),
        )
        .await;
    assert_eq!(invalid.status(), 422);
}
